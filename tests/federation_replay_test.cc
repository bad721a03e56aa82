// An update sealed for round r is rejected in round r + 1 (issue 3, "Done means").
//
// The test process plays "mallory", an enrolled participant, with the project's own client
// libraries: it joins the coordinator with its CURVE identity and the pinned coordinator key,
// takes part honestly in round 1 (its own challenge to the aggregator, its own policy, a
// sealed delta, a TaskReport) and keeps the sealed frames. In round 2 it replays them to the
// same aggregator: verbatim, with only UpdateStart.round rewritten, and with every round
// field rewritten (so that only the chunks' AAD still says round 1). Two real
// fedtee-participant processes run alongside; round 2 must commit without mallory.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <zmq.hpp>

#include "attestation/policy.h"
#include "base/clock.h"
#include "federation/attested_aggregator.h"
#include "federation/envelope.h"
#include "federation/payload_stream.h"
#include "federation/receipt.h"
#include "model/safetensors.h"
#include "model/tensor.h"
#include "participant/aggregator_session.h"
#include "participant/update_sealer.h"
#include "tests/federation_harness.h"
#include "transport/curve_identity.h"
#include "transport/socket.h"

namespace fedtee::testsupport {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr char kMallory[] = "mallory";

// Mallory's control connection to the coordinator: Join, heartbeats, tasks and outcomes.
class ControlLink {
 public:
  ControlLink(zmq::context_t& ctx, const transport::CurveKeyPair& id, const std::string& key,
              const std::string& endpoint) {
    auto s = transport::ClientSocket::Connect(ctx, id, key, endpoint);
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    socket_.emplace(std::move(s).value());
  }
  bool ok() const { return socket_.has_value(); }

  Status Send(v1::Envelope env) {
    Bytes frame = federation::Encode(std::move(env));
    last_sent_ = SteadyClock::now();
    return socket_->Send({ByteSpan(frame)});
  }
  // Keeps mallory alive in the coordinator's eyes (heartbeat timeout 3 s).
  void Heartbeat() {
    if (SteadyClock::now() - last_sent_ < 500ms) return;
    v1::Envelope hb;
    hb.mutable_heartbeat()->set_sent_at_ms(1);
    (void)Send(std::move(hb));
  }
  // The next message from the coordinator with body `want` (others are skipped, Errors
  // reported), heartbeating meanwhile; nullopt at the deadline.
  std::optional<v1::Envelope> Await(v1::Envelope::BodyCase want, std::chrono::milliseconds timeout,
                                    std::vector<v1::PayloadChunk>* chunks = nullptr) {
    auto deadline = SteadyClock::now() + timeout;
    while (SteadyClock::now() < deadline) {
      Heartbeat();
      auto m = socket_->Receive(100ms);
      if (!m.ok() || !m->has_value() || (*m)->size() != 1) continue;
      auto env = federation::Decode((**m)[0]);
      if (!env.ok()) continue;
      if (env->body_case() == v1::Envelope::kError) {
        std::cout << "[replay] coordinator said " << env->error().code() << ": "
                  << env->error().message() << "\n";
      }
      if (env->body_case() == v1::Envelope::kPayloadChunk && chunks) {
        chunks->push_back(env->payload_chunk());
      }
      if (env->body_case() == want) return *env;
    }
    return std::nullopt;
  }
  // RoundTask of `round` and its global model (the PayloadChunk stream that follows it).
  std::optional<std::pair<v1::RoundTask, Bytes>> AwaitTask(uint64_t round,
                                                           std::chrono::milliseconds timeout) {
    auto deadline = SteadyClock::now() + timeout;
    while (SteadyClock::now() < deadline) {
      auto env = Await(
          v1::Envelope::kRoundTask,
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
      if (!env) return std::nullopt;
      if (env->round_task().round() != round) continue;
      v1::RoundTask task = env->round_task();
      federation::PayloadAssembler model("model/" + std::to_string(round), task.model_bytes(),
                                         uint64_t{1} << 30);
      while (!model.complete()) {
        auto c = Await(
            v1::Envelope::kPayloadChunk,
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
        if (!c) return std::nullopt;
        auto added = model.Add(c->payload_chunk());
        if (!added.ok()) {
          ADD_FAILURE() << added.status().ToString();
          return std::nullopt;
        }
      }
      return std::make_pair(task, model.Take());
    }
    return std::nullopt;
  }

 private:
  std::optional<transport::ClientSocket> socket_;
  SteadyClock::time_point last_sent_;
};

// What the aggregator answered on the data plane: an Error code, or an UpdateStatus.
struct Reply {
  std::string error;  // Error.code, or empty
  std::optional<v1::UpdateStatus> status;
  std::string Describe() const {
    if (status) {
      return std::string("UpdateStatus{round ") + std::to_string(status->round()) +
             (status->accepted() ? ", accepted" : ", rejected: " + status->reason()) + "}";
    }
    return "Error{" + error + "}";
  }
};

void SendStream(transport::ClientSocket& data, const v1::UpdateStart& start,
                const std::vector<v1::UpdateChunk>& chunks) {
  v1::Envelope s;
  *s.mutable_update_start() = start;
  Bytes frame = federation::Encode(std::move(s));
  ASSERT_TRUE(data.Send({ByteSpan(frame)}).ok());
  for (const auto& c : chunks) {
    v1::Envelope e;
    *e.mutable_update_chunk() = c;
    Bytes f = federation::Encode(std::move(e));
    ASSERT_TRUE(data.Send({ByteSpan(f)}).ok());
  }
}

// Collects `n` replies from the aggregator (heartbeating the coordinator meanwhile), or as
// many as arrive before the deadline.
std::vector<Reply> Collect(transport::ClientSocket& data, ControlLink& control, size_t n,
                           std::chrono::milliseconds timeout) {
  std::vector<Reply> out;
  auto deadline = SteadyClock::now() + timeout;
  while (out.size() < n && SteadyClock::now() < deadline) {
    control.Heartbeat();
    auto m = data.Receive(100ms);
    if (!m.ok() || !m->has_value() || (*m)->size() != 1) continue;
    auto env = federation::Decode((**m)[0]);
    if (!env.ok()) continue;
    Reply r;
    if (env->body_case() == v1::Envelope::kError)
      r.error = env->error().code();
    else if (env->body_case() == v1::Envelope::kUpdateStatus)
      r.status = env->update_status();
    else
      continue;
    out.push_back(std::move(r));
  }
  return out;
}

TEST(FederationReplayTest, UpdateSealedForRoundOneIsRejectedInRoundTwo) {
  if (!std::filesystem::exists(kBreastCancerCsv)) GTEST_SKIP() << "needs python3-sklearn";
  FederationHarness h("replay", {.hospitals = 2, .rounds = 2, .min_participants = 2});
  h.AddSite(kMallory, /*enrolled=*/true, /*data_site=*/0);
  ASSERT_FALSE(::testing::Test::HasFailure());
  h.StartAll();

  zmq::context_t ctx(1);
  auto identity = transport::CurveKeyPair::Load(h.SiteKey(kMallory));
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  auto coordinator_key = transport::LoadPublicKey(h.Path("keys/coordinator.pub"));
  ASSERT_TRUE(coordinator_key.ok()) << coordinator_key.status().ToString();
  auto policy = attestation::LoadPolicyFile(h.SitePolicy(kMallory));
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  auto verify_options = federation::VerifyOptionsForPolicy(*policy);
  ASSERT_TRUE(verify_options.ok());

  {
    ControlLink control(ctx, *identity, *coordinator_key, h.coordinator_endpoint());
    ASSERT_TRUE(control.ok());
    v1::Envelope join;
    join.mutable_join()->set_participant_id(kMallory);
    join.mutable_join()->set_software_version("itest mallory");
    ASSERT_TRUE(control.Send(std::move(join)).ok());
    ASSERT_TRUE(control.Await(v1::Envelope::kJoinAck, 30s)) << "mallory was not admitted";

    // ---- Round 1: honest.
    auto task1 = control.AwaitTask(1, 60s);
    ASSERT_TRUE(task1) << "no round 1 task";
    auto idle = [&] {
      control.Heartbeat();
      return true;
    };
    auto session =
        participant::AggregatorSession::Connect(ctx, *identity, task1->first.aggregator_endpoint(),
                                                task1->first.aggregator_curve_key(), {});
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    auto agg = session->Attest(*policy, *verify_options, SystemClock::Get(), idle);
    ASSERT_TRUE(agg.ok()) << agg.status().ToString();
    auto global = model::ParseSafetensors(task1->second);
    ASSERT_TRUE(global.ok());
    auto delta = model::Delta(*global, *global);  // a well-formed (zero) delta
    ASSERT_TRUE(delta.ok());
    crypto::StreamBinding binding{h.federation_id(), 1, kMallory};
    auto sealed = participant::SealUpdate(*delta, 50, 0.5, agg->hpke_public_key, binding);
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    auto status = session->Submit(*sealed, idle);
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    ASSERT_TRUE(status->accepted()) << "round 1 update refused: " << status->reason();
    v1::Envelope report;
    report.mutable_task_report()->set_round(1);
    report.mutable_task_report()->set_submitted(true);
    report.mutable_task_report()->set_update_digest(ToString(sealed->digest));
    report.mutable_task_report()->set_verified_measurement(agg->measurement_hex);
    report.mutable_task_report()->set_verified_platform(agg->platform);
    ASSERT_TRUE(control.Send(std::move(report)).ok());
    auto outcome1 = control.Await(v1::Envelope::kRoundOutcome, 60s);
    ASSERT_TRUE(outcome1) << "no round 1 outcome";
    auto receipt1 = federation::ParseReceipt(AsBytes(outcome1->round_outcome().receipt()));
    ASSERT_TRUE(receipt1.ok());
    EXPECT_TRUE(federation::CheckReceiptIncludes(*receipt1, kMallory, sealed->digest).ok())
        << "round 1 should include mallory's honest update";

    // ---- Round 2: replay the round-1 frames to the same aggregator.
    auto task2 = control.AwaitTask(2, 60s);
    ASSERT_TRUE(task2) << "no round 2 task";
    ASSERT_EQ(task2->first.aggregator_curve_key(), task1->first.aggregator_curve_key())
        << "another aggregator serves round 2; the replay would not test the round binding";
    auto data = transport::ClientSocket::Connect(
        ctx, *identity, task2->first.aggregator_curve_key(), task2->first.aggregator_endpoint());
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    ASSERT_TRUE(data->WaitConnected(10s).ok());
    const size_t n = sealed->chunks.size();

    // (a) Verbatim: UpdateStart says round 1.
    ASSERT_NO_FATAL_FAILURE(SendStream(*data, sealed->start, sealed->chunks));
    auto verbatim = Collect(*data, control, 1 + n, 15s);
    ASSERT_EQ(verbatim.size(), 1 + n);
    EXPECT_EQ(verbatim[0].error, "round.wrong_round") << verbatim[0].Describe();
    for (size_t i = 1; i < verbatim.size(); ++i) {
      EXPECT_EQ(verbatim[i].error, "update.no_stream") << verbatim[i].Describe();
    }

    // (b1) UpdateStart.round rewritten to 2; the chunks still say round 1.
    v1::UpdateStart start2 = sealed->start;
    start2.set_round(2);
    ASSERT_NO_FATAL_FAILURE(SendStream(*data, start2, sealed->chunks));
    auto start_only = Collect(*data, control, 1, 15s);
    ASSERT_EQ(start_only.size(), 1u);
    ASSERT_TRUE(start_only[0].status) << start_only[0].Describe();
    EXPECT_FALSE(start_only[0].status->accepted());
    EXPECT_EQ(start_only[0].status->reason(), "round.wrong_round");

    // (b2) Every round field rewritten to 2: only the AAD sealed into each chunk says 1.
    std::vector<v1::UpdateChunk> chunks2 = sealed->chunks;
    for (auto& c : chunks2) c.set_round(2);
    ASSERT_NO_FATAL_FAILURE(SendStream(*data, start2, chunks2));
    auto rewritten = Collect(*data, control, 1, 15s);
    ASSERT_EQ(rewritten.size(), 1u);
    ASSERT_TRUE(rewritten[0].status) << rewritten[0].Describe();
    EXPECT_FALSE(rewritten[0].status->accepted());
    EXPECT_EQ(rewritten[0].status->reason(), "update.open_failed");
    // Nothing more: the rest of the rewritten stream is dropped without an acceptance.
    for (const auto& r : Collect(*data, control, 1, 1s)) {
      EXPECT_FALSE(r.status && r.status->accepted()) << r.Describe();
    }

    v1::Envelope report2;
    report2.mutable_task_report()->set_round(2);
    report2.mutable_task_report()->set_submitted(false);
    ASSERT_TRUE(control.Send(std::move(report2)).ok());
    auto outcome2 = control.Await(v1::Envelope::kRoundOutcome, 60s);
    EXPECT_TRUE(outcome2) << "no round 2 outcome";
    std::cout << "[replay] round 2 replays: verbatim -> " << verbatim[0].Describe()
              << "; start rewritten -> " << start_only[0].Describe()
              << "; all round fields rewritten -> " << rewritten[0].Describe() << "\n";
  }

  ASSERT_TRUE(h.WaitForCommitted(2, 30s));
  EXPECT_EQ(h.WaitExit("coordinator", 30s), 0);
  auto rounds = h.Rounds();
  ASSERT_EQ(rounds.size(), 2u);
  const std::vector<std::string> all = {"hospital-1", "hospital-2", kMallory};
  const std::vector<std::string> honest = {"hospital-1", "hospital-2"};
  EXPECT_EQ(rounds[0].receipt_participants, all);
  EXPECT_EQ(rounds[1].receipt_participants, honest) << "round 2's receipt lists mallory";
  bool rejection_logged = false;
  for (const auto& r : rounds[1].metrics["rejected"]) {
    rejection_logged |= r["participant"] == kMallory && r["reason"] == "update.open_failed";
  }
  EXPECT_TRUE(rejection_logged) << rounds[1].metrics;
  EXPECT_EQ(h.VerifyLog().exit_code, 0);
  std::cout << "[replay] round 1 receipt: " << JoinIds(rounds[0].receipt_participants)
            << "; round 2 receipt: " << JoinIds(rounds[1].receipt_participants) << "\n";
}

}  // namespace
}  // namespace fedtee::testsupport
