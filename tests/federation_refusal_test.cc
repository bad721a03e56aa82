// Refusals of a federation as real processes (issue 3, "Done means"): a participant whose
// own policy does not allow the aggregator refuses to send; an aggregator whose measurement
// is not allowed is refused by the coordinator, and by every participant; a participant key
// that is not enrolled is refused by the coordinator's ZAP handler.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "tests/federation_harness.h"

namespace fedtee::testsupport {
namespace {

const std::vector<std::string> kAll = {"hospital-1", "hospital-2", "hospital-3"};
const std::vector<std::string> kFirstTwo = {"hospital-1", "hospital-2"};
constexpr int kExitPolicyViolation = 4;  // cli/exit_codes.h
constexpr int kExitUnavailable = 7;

class FederationRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kBreastCancerCsv)) GTEST_SKIP() << "needs python3-sklearn";
  }
};

// Events of the aggregator's metrics (update verdicts and refused UpdateStarts) naming `id`.
size_t AggregatorEventsFrom(FederationHarness& h, const std::string& id) {
  size_t n = 0;
  for (const auto& e : ReadJsonLines(h.MetricsPath("aggregator"))) {
    n += e.value("participant", "") == id;
  }
  return n;
}

TEST_F(FederationRefusalTest, ParticipantWithAnotherPolicyRefusesToSend) {
  FederationHarness h("wrong-policy", {.rounds = 2, .min_participants = 2});
  h.WritePolicy(h.SitePolicy("hospital-3"), {kOtherMeasurement});
  ASSERT_FALSE(HasFailure());
  h.StartAll();
  ASSERT_TRUE(h.WaitForCommitted(2, 90s)) << "committed " << h.LastCommittedRound();
  EXPECT_EQ(h.WaitExit("coordinator", 30s), 0);
  for (const auto& id : h.hospitals()) EXPECT_EQ(h.WaitExit(id, 30s), 0) << id;

  std::string log3 = h.Log("hospital-3");
  EXPECT_NE(log3.find("REFUSING to train or send anything"), std::string::npos);
  EXPECT_NE(log3.find("policy.measurement_not_allowed"), std::string::npos);
  EXPECT_EQ(log3.find("receipt verified"), std::string::npos);
  // The aggregator never saw an update stream from hospital-3 (its debug log names every
  // UpdateStart; its metrics every verdict), but did from the others.
  std::string agg = h.Log("aggregator");
  EXPECT_EQ(agg.find("update stream from 'hospital-3'"), std::string::npos);
  EXPECT_NE(agg.find("update stream from 'hospital-1'"), std::string::npos);
  EXPECT_EQ(AggregatorEventsFrom(h, "hospital-3"), 0u);
  EXPECT_EQ(AggregatorEventsFrom(h, "hospital-1"), 2u);
  EXPECT_TRUE(h.WaitForLog("coordinator", "participant hospital-3 refused to take part", 1s));
  EXPECT_NE(h.Log("coordinator").find("policy.measurement_not_allowed"), std::string::npos);

  auto rounds = h.Rounds();
  ASSERT_EQ(rounds.size(), 2u);
  for (const auto& r : rounds) {
    EXPECT_EQ(r.receipt_participants, kFirstTwo) << "round " << r.round;
    ASSERT_EQ(r.metrics["refused"].size(), 1u) << r.metrics;
    EXPECT_EQ(r.metrics["refused"][0]["participant"], "hospital-3");
  }
  std::cout << "[wrong-policy] hospital-3 refused in both rounds ("
            << rounds[0].metrics["refused"][0]["reason"].get<std::string>().substr(0, 60)
            << "...); receipts list " << JoinIds(rounds[1].receipt_participants) << "\n";
}

TEST_F(FederationRefusalTest, CoordinatorRefusesAnAggregatorWithAnotherMeasurement) {
  FederationHarness h("agg-refused-by-coordinator", {.rounds = 2});
  h.WritePolicy(h.CoordinatorPolicy(), {kOtherMeasurement});
  h.SetFederation("start_timeout_seconds", "5");
  ASSERT_FALSE(HasFailure());
  h.StartAll();
  ASSERT_TRUE(h.WaitForLog("coordinator", "aggregator REFUSED", 30s));
  auto rc = h.WaitExit("coordinator", 60s);
  ASSERT_TRUE(rc.has_value()) << "the coordinator did not give up after start_timeout";
  EXPECT_EQ(*rc, kExitUnavailable);
  std::string log = h.Log("coordinator");
  EXPECT_NE(log.find("policy.measurement_not_allowed"), std::string::npos);
  EXPECT_NE(log.find("coordinator.no_aggregator"), std::string::npos);
  EXPECT_EQ(log.find("opening with"), std::string::npos) << "a round started";
  EXPECT_EQ(h.LastCommittedRound(), 0u);
  EXPECT_TRUE(h.Rounds().empty());
  for (const auto& id : h.hospitals()) {
    EXPECT_EQ(h.Log(id).find("task received"), std::string::npos) << id << " got a task";
    EXPECT_EQ(h.WaitExit(id, 30s), 0) << id << " was not told that the federation ended";
  }
  std::cout << "[agg-refused-by-coordinator] coordinator refused the aggregator "
               "(policy.measurement_not_allowed), committed nothing, exited "
            << *rc << "\n";
}

TEST_F(FederationRefusalTest, EveryParticipantRefusesAnAggregatorWithAnotherMeasurement) {
  FederationHarness h("agg-refused-by-participants", {.rounds = 2});
  for (const auto& id : h.hospitals()) h.WritePolicy(h.SitePolicy(id), {kOtherMeasurement});
  h.SetFederation("max_round_retries", "1");
  ASSERT_FALSE(HasFailure());
  h.StartAll();
  auto rc = h.WaitExit("coordinator", 90s);
  ASSERT_TRUE(rc.has_value()) << "the coordinator did not give up";
  EXPECT_EQ(*rc, kExitUnavailable);
  EXPECT_NE(h.Log("coordinator").find("aggregator attested"), std::string::npos)
      << "the coordinator's own policy should accept it";
  EXPECT_EQ(h.CountInLog("coordinator", "round 1 failed: 0 updates accepted"), 2u)
      << "one try and one retry";
  EXPECT_EQ(h.LastCommittedRound(), 0u);
  for (const auto& id : h.hospitals()) {
    EXPECT_GE(h.CountInLog(id, "REFUSING to train or send anything"), 1u) << id;
    EXPECT_NE(h.Log(id).find("policy.measurement_not_allowed"), std::string::npos) << id;
    EXPECT_EQ(AggregatorEventsFrom(h, id), 0u) << id;
    EXPECT_EQ(h.WaitExit(id, 30s), 0) << id << " was not told that the federation ended";
  }
  EXPECT_EQ(h.Log("aggregator").find("update stream from"), std::string::npos);
  std::cout << "[agg-refused-by-participants] all 3 hospitals refused in both tries; the "
               "aggregator got no update; coordinator exited "
            << *rc << "\n";
}

TEST_F(FederationRefusalTest, UnenrolledKeyIsRefusedByZap) {
  FederationHarness h("zap", {.rounds = 3});
  h.AddSite("intruder", /*enrolled=*/false, /*data_site=*/1);
  ASSERT_FALSE(HasFailure());
  h.StartAll();
  h.StartParticipant("intruder");
  auto rc = h.WaitExit("intruder", 60s);
  ASSERT_TRUE(rc.has_value()) << "the unenrolled participant is still waiting";
  EXPECT_EQ(*rc, kExitPolicyViolation);
  EXPECT_NE(h.Log("intruder").find("refused this site's key"), std::string::npos);
  std::string pub = ReadAll(h.Path("keys/intruder.pub"));  // zcert: public-key = "<Z85>"
  const std::string marker = "public-key = \"";
  ASSERT_NE(pub.find(marker), std::string::npos) << pub;
  std::string key = pub.substr(pub.find(marker) + marker.size(), 40);
  EXPECT_TRUE(h.WaitForLog("coordinator", "ZAP: denied CURVE key " + key, 5s)) << key;

  ASSERT_TRUE(h.WaitForCommitted(3, 90s)) << "committed " << h.LastCommittedRound();
  EXPECT_EQ(h.WaitExit("coordinator", 30s), 0);
  EXPECT_EQ(h.Log("coordinator").find("participant intruder"), std::string::npos);
  auto rounds = h.Rounds();
  ASSERT_EQ(rounds.size(), 3u);
  for (const auto& r : rounds) EXPECT_EQ(r.receipt_participants, kAll) << "round " << r.round;
  std::cout << "[zap] the unenrolled key was denied by ZAP; the participant exited " << *rc
            << "; 3 rounds committed with the 3 enrolled hospitals\n";
}

}  // namespace
}  // namespace fedtee::testsupport
