#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "aggregator/fedavg.h"

namespace fedtee::aggregator {
namespace {

// Stages, appends in two pieces and commits one update.
void Add(Strategy& s, uint64_t n, std::vector<float> delta) {
  auto id = s.Stage(n);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const size_t half = delta.size() / 2;
  ASSERT_TRUE(s.Append(*id, std::span<const float>(delta).first(half)).ok());
  ASSERT_TRUE(s.Append(*id, std::span<const float>(delta).subspan(half)).ok());
  Status c = s.Commit(*id);
  ASSERT_TRUE(c.ok()) << c.ToString();
}

TEST(FedAvgTest, WeightedByExampleCountMatchesHandComputation) {
  FedAvg f;
  f.Reset({1.0f, 2.0f, -1.0f});
  Add(f, 10, {1.0f, 0.0f, 2.0f});
  Add(f, 30, {-1.0f, 4.0f, 2.0f});
  // sum n_i delta_i = {10 - 30, 0 + 120, 20 + 60} = {-20, 120, 80}; / 40 = {-0.5, 3, 2}
  auto out = f.Finalize();
  ASSERT_TRUE(out.ok());
  EXPECT_FLOAT_EQ((*out)[0], 0.5f);
  EXPECT_FLOAT_EQ((*out)[1], 5.0f);
  EXPECT_FLOAT_EQ((*out)[2], 1.0f);
  EXPECT_EQ(f.committed_updates(), 2u);
  EXPECT_EQ(f.committed_examples(), 40u);
}

TEST(FedAvgTest, OneParticipantWithAllTheWeightDominates) {
  FedAvg f;
  f.Reset({0.0f, 0.0f});
  Add(f, 1'000'000, {1.0f, -2.0f});
  Add(f, 1, {1000.0f, 1000.0f});
  auto out = f.Finalize();
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR((*out)[0], (1e6 * 1 + 1000) / 1000001.0, 1e-6);
  EXPECT_NEAR((*out)[1], (1e6 * -2 + 1000) / 1000001.0, 1e-6);
}

TEST(FedAvgTest, IdenticalUpdatesGiveThatUpdate) {
  FedAvg f;
  f.Reset({0.5f, -0.25f, 3.0f});
  for (uint64_t n : {3u, 7u, 11u}) Add(f, n, {0.1f, 0.2f, -0.3f});
  auto out = f.Finalize();
  ASSERT_TRUE(out.ok());
  EXPECT_FLOAT_EQ((*out)[0], 0.6f);
  EXPECT_FLOAT_EQ((*out)[1], -0.05f);
  EXPECT_FLOAT_EQ((*out)[2], 2.7f);
}

TEST(FedAvgTest, ArrivalOrderDoesNotChangeTheResult) {
  FedAvg a, b;
  a.Reset({1.0f, 1.0f});
  b.Reset({1.0f, 1.0f});
  Add(a, 5, {0.5f, 0.25f});
  Add(a, 9, {-0.125f, 2.0f});
  Add(b, 9, {-0.125f, 2.0f});
  Add(b, 5, {0.5f, 0.25f});
  EXPECT_EQ(*a.Finalize(), *b.Finalize());
}

TEST(FedAvgTest, AbortedAndFailedUpdatesLeaveNoTrace) {
  FedAvg f;
  f.Reset({1.0f, 1.0f});
  Add(f, 4, {2.0f, 2.0f});
  const std::vector<float> before = *f.Finalize();

  auto aborted = f.Stage(100);
  ASSERT_TRUE(aborted.ok());
  ASSERT_TRUE(f.Append(*aborted, std::vector<float>{50.0f}).ok());
  f.Abort(*aborted);

  auto nan = f.Stage(100);
  ASSERT_TRUE(nan.ok());
  ASSERT_TRUE(f.Append(*nan, std::vector<float>{7.0f}).ok());
  Status s = f.Append(*nan, std::vector<float>{std::numeric_limits<float>::quiet_NaN()});
  EXPECT_EQ(s.reason(), "update.non_finite");
  EXPECT_EQ(f.Commit(*nan).reason(), "update.no_stage");  // aborted by the failure

  auto inf = f.Stage(100);
  Status si = f.Append(*inf, std::vector<float>{1.0f, std::numeric_limits<float>::infinity()});
  EXPECT_EQ(si.reason(), "update.non_finite");

  auto short_update = f.Stage(100);
  ASSERT_TRUE(f.Append(*short_update, std::vector<float>{1.0f}).ok());
  EXPECT_EQ(f.Commit(*short_update).reason(), "update.wrong_shape");

  auto long_update = f.Stage(100);
  EXPECT_EQ(f.Append(*long_update, std::vector<float>{1.0f, 2.0f, 3.0f}).reason(),
            "update.wrong_shape");

  EXPECT_EQ(*f.Finalize(), before);
  EXPECT_EQ(f.committed_updates(), 1u);
  EXPECT_EQ(f.in_flight(), 0u);
}

TEST(FedAvgTest, RefusesZeroExamplesTooManyInFlightAndEmptyRounds) {
  FedAvg f(FedAvgOptions{2});
  EXPECT_EQ(f.Stage(1).status().reason(), "round.no_model");
  f.Reset({0.0f});
  EXPECT_EQ(f.Stage(0).status().reason(), "update.bad_example_count");
  EXPECT_EQ(f.Finalize().status().reason(), "round.too_few_updates");
  auto a = f.Stage(1);
  auto b = f.Stage(1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(f.Stage(1).status().reason(), "update.busy");
  f.Abort(*a);
  EXPECT_TRUE(f.Stage(1).ok());
}

TEST(FedAvgTest, ResetDropsThePreviousRound) {
  FedAvg f;
  f.Reset({0.0f});
  Add(f, 2, {4.0f});
  auto staged = f.Stage(1);
  f.Reset({10.0f});
  EXPECT_EQ(f.committed_updates(), 0u);
  EXPECT_EQ(f.in_flight(), 0u);
  EXPECT_EQ(f.Commit(*staged).reason(), "update.no_stage");
  Add(f, 1, {1.0f});
  EXPECT_FLOAT_EQ((*f.Finalize())[0], 11.0f);
}

TEST(FedAvgTest, AbsurdDeltaIsRefusedOutOfRange) {
  // Beyond the exact accumulator's range (2^36): refused, the aggregate untouched.
  FedAvg f;
  f.Reset({3.0e38f});
  auto id = f.Stage(1);
  ASSERT_TRUE(f.Append(*id, std::vector<float>{3.0e38f}).ok());
  EXPECT_EQ(f.Commit(*id).reason(), "update.out_of_range");
  EXPECT_EQ(f.committed_updates(), 0u);
}

TEST(FedAvgTest, OverflowingAggregateIsAnError) {
  // An optimiser step can still overflow float32.
  auto s = MakeStrategy("fedadam", {{"server_lr", 1e38}}, 1);
  ASSERT_TRUE(s.ok());
  (*s)->Reset({3.0e38f});
  Add(**s, 1, {1.0f});
  EXPECT_EQ((*s)->Finalize().status().reason(), "aggregate.non_finite");
}

TEST(MakeStrategyTest, KnowsTheCatalogue) {
  EXPECT_EQ((*MakeStrategy("fedavg", {}, 1))->name(), "fedavg");
  EXPECT_EQ((*MakeStrategy("", {}, 1))->name(), "fedavg");
  EXPECT_EQ((*MakeStrategy("krum", {}, 1))->name(), "krum");
  EXPECT_EQ(MakeStrategy("bulyan", {}, 1).status().reason(), "round.unknown_strategy");
  EXPECT_EQ(MakeStrategy("fedavg", {{"lr", 1.0}}, 1).status().reason(),
            "round.bad_strategy_params");
}

}  // namespace
}  // namespace fedtee::aggregator
