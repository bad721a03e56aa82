// Hand-made edge cases for every strategy, the wrappers (clipping, DP noise), the memory
// bound, Krum's n > 2f + 2, parameter checks and state carried across rounds.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "aggregator/fedavg.h"
#include "aggregator/strategies/catalog.h"
#include "aggregator/strategies/clipping.h"
#include "aggregator/strategies/gaussian_noise.h"
#include "aggregator/strategies/rdp_accountant.h"

namespace fedtee::aggregator {
namespace {

std::unique_ptr<Strategy> Make(const std::string& name, std::map<std::string, double> p = {},
                               StrategyContext ctx = {}) {
  auto s = MakeStrategy(name, p, 0, ctx);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Status Add(Strategy& s, uint64_t n, const std::vector<float>& delta) {
  auto id = s.Stage(n);
  if (!id.ok()) return id.status();
  FEDTEE_RETURN_IF_ERROR(s.Append(*id, delta));
  return s.Commit(*id);
}

std::vector<float> Final(const Strategy& s) {
  auto out = s.Finalize();
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::vector<float>{};
}

TEST(StrategyEdgeTest, IdenticalUpdatesGiveThatUpdateForEveryRule) {
  for (const char* name : {"fedavg", "median", "trimmed_mean", "krum"}) {
    auto s = Make(name);
    s->Reset({1.0f, -2.0f});
    for (uint64_t n : {1u, 5u, 9u, 2u, 7u}) ASSERT_TRUE(Add(*s, n, {0.25f, 0.5f}).ok());
    EXPECT_EQ(Final(*s), (std::vector<float>{1.25f, -1.5f})) << name;
  }
}

TEST(StrategyEdgeTest, OneParticipantWithAllTheWeight) {
  // FedAvg follows the weight; the robust rules ignore example counts.
  auto f = Make("fedavg");
  auto m = Make("median");
  for (auto* s : {f.get(), m.get()}) {
    s->Reset({0.0f});
    ASSERT_TRUE(Add(*s, 1u << 20, {1.0f}).ok());
    ASSERT_TRUE(Add(*s, 1, {-3.0f}).ok());
    ASSERT_TRUE(Add(*s, 1, {-5.0f}).ok());
  }
  EXPECT_FLOAT_EQ(Final(*f)[0], static_cast<float>((1048576.0 - 8) / 1048578.0));
  EXPECT_FLOAT_EQ(Final(*m)[0], -3.0f);
}

TEST(StrategyEdgeTest, RobustRulesIgnoreOutliers) {
  // Seven honest updates near 1, two attackers far away (and one huge sign-flip).
  std::vector<std::vector<float>> honest = {{1.0f, 1.0f}, {1.1f, 0.9f}, {0.9f, 1.1f},
                                            {1.05f, 1.0f}, {0.95f, 1.0f}, {1.0f, 1.05f},
                                            {1.0f, 0.95f}};
  for (const char* name : {"median", "trimmed_mean", "krum"}) {
    std::map<std::string, double> p;
    if (std::string(name) == "trimmed_mean") p = {{"beta", 0.25}};
    if (std::string(name) == "krum") p = {{"f", 2}, {"m", 3}};
    auto s = Make(name, p);
    s->Reset({0.0f, 0.0f});
    for (const auto& h : honest) ASSERT_TRUE(Add(*s, 10, h).ok());
    ASSERT_TRUE(Add(*s, 1000, {-1000.0f, 5000.0f}).ok());
    ASSERT_TRUE(Add(*s, 1000, {-900.0f, -4000.0f}).ok());
    auto out = Final(*s);
    EXPECT_NEAR(out[0], 1.0f, 0.11f) << name;
    EXPECT_NEAR(out[1], 1.0f, 0.11f) << name;
  }
  auto avg = Make("fedavg");
  avg->Reset({0.0f, 0.0f});
  for (const auto& h : honest) ASSERT_TRUE(Add(*avg, 10, h).ok());
  ASSERT_TRUE(Add(*avg, 1000, {-1000.0f, 5000.0f}).ok());
  EXPECT_LT(Final(*avg)[0], -900.0f);  // FedAvg is not robust
}

TEST(StrategyEdgeTest, KrumPicksTheClusterAndNeedsNAbove2fPlus2) {
  auto s = Make("krum", {{"f", 1}});
  s->Reset({0.0f});
  ASSERT_TRUE(Add(*s, 1, {1.0f}).ok());
  ASSERT_TRUE(Add(*s, 1, {1.1f}).ok());
  ASSERT_TRUE(Add(*s, 1, {0.9f}).ok());
  EXPECT_EQ(s->Finalize().status().reason(), "round.krum_too_few");  // n = 3 <= 2f + 2
  ASSERT_TRUE(Add(*s, 1, {100.0f}).ok());
  EXPECT_EQ(s->Finalize().status().reason(), "round.krum_too_few");  // n = 4
  ASSERT_TRUE(Add(*s, 1, {1.05f}).ok());
  // n = 5 > 4: scores sum the 2 closest squared distances; 1.05 has 0.0025 + 0.0025.
  EXPECT_FLOAT_EQ(Final(*s)[0], 1.05f);
  auto multi = Make("krum", {{"f", 1}, {"m", 5}});
  multi->Reset({0.0f});
  for (float v : {1.0f, 1.1f, 0.9f, 100.0f, 1.05f}) ASSERT_TRUE(Add(*multi, 1, {v}).ok());
  EXPECT_EQ(multi->Finalize().status().reason(), "round.krum_too_few");  // m > n - f
}

TEST(StrategyEdgeTest, RobustRulesBoundTheirMemory) {
  auto s = Make("median", {{"max_updates", 3}});
  s->Reset(std::vector<float>(1000, 0.0f));
  std::vector<float> d(1000, 1.0f);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Add(*s, 1, d).ok());
  EXPECT_EQ(s->Stage(1).status().reason(), "update.memory_bound");
  // Staged ones count too: with 2 kept and 1 in flight, a fourth stage is refused.
  auto t = Make("trimmed_mean", {{"max_updates", 3}});
  t->Reset({0.0f});
  ASSERT_TRUE(Add(*t, 1, {1.0f}).ok());
  ASSERT_TRUE(Add(*t, 1, {1.0f}).ok());
  ASSERT_TRUE(t->Stage(1).ok());
  EXPECT_EQ(t->Stage(1).status().reason(), "update.memory_bound");
}

TEST(StrategyEdgeTest, TrimmedMeanDropsBetaAtEachEnd) {
  auto s = Make("trimmed_mean", {{"beta", 0.2}});
  s->Reset({0.0f});
  for (float v : {-100.0f, 1.0f, 2.0f, 3.0f, 100.0f}) ASSERT_TRUE(Add(*s, 1, {v}).ok());
  EXPECT_FLOAT_EQ(Final(*s)[0], 2.0f);  // k = floor(0.2 * 5) = 1
}

TEST(StrategyEdgeTest, MedianOfEvenCountIsTheMidpoint) {
  auto s = Make("median");
  s->Reset({0.0f});
  for (float v : {4.0f, 1.0f, 3.0f, 2.0f}) ASSERT_TRUE(Add(*s, 1, {v}).ok());
  EXPECT_FLOAT_EQ(Final(*s)[0], 2.5f);
}

TEST(ClippingTest, EveryCommittedUpdateIsWithinTheClipNorm) {
  // With one update the aggregate delta is that update after clipping.
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0, 10);
  for (int trial = 0; trial < 50; ++trial) {
    auto s = Make("fedavg", {{"clip_norm", 0.75}});
    const size_t d = 1 + trial * 7;
    s->Reset(std::vector<float>(d, 0.0f));
    std::vector<float> u(d);
    for (float& x : u) x = g(rng);
    ASSERT_TRUE(Add(*s, 3, u).ok());
    auto out = Final(*s);
    EXPECT_LE(L2Norm(out), 0.75);
    EXPECT_GT(L2Norm(out), 0.75 * (1 - 1e-6));
  }
  // An update within the bound is not touched.
  auto s = Make("fedavg", {{"clip_norm", 10}});
  s->Reset({0.0f, 0.0f});
  ASSERT_TRUE(Add(*s, 1, {3.0f, 4.0f}).ok());
  EXPECT_EQ(Final(*s), (std::vector<float>{3.0f, 4.0f}));
}

TEST(ClippingTest, AdaptiveClipNormMovesGeometricallyTowardTheQuantile) {
  // All updates below C: b = 1, C' = C exp(-0.2 (1 - 0.5)).
  auto s = Make("fedavg", {{"clip_norm", 1.0}, {"clip_quantile", 0.5}});
  s->Reset({0.0f});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Add(*s, 1, {0.1f}).ok());
  Final(*s);
  auto& c = dynamic_cast<ComposedStrategy&>(*s);
  EXPECT_DOUBLE_EQ(c.next_state()->clip_norm, std::exp(-0.1));
  // The next round continues from it; with all updates above C it grows again.
  auto next = Make("fedavg", {{"clip_norm", 1.0}, {"clip_quantile", 0.5}}, {s.get(), 2});
  auto& n = dynamic_cast<ComposedStrategy&>(*next);
  EXPECT_DOUBLE_EQ(n.clip_norm(), std::exp(-0.1));
  next->Reset({0.0f});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Add(*next, 1, {5.0f}).ok());
  EXPECT_FLOAT_EQ(Final(*next)[0], static_cast<float>(std::exp(-0.1)));  // clipped to C
  EXPECT_DOUBLE_EQ(n.next_state()->clip_norm, std::exp(-0.1) * std::exp(0.1));
}

TEST(DpTest, NoiseHasTheRightStandardDeviation) {
  // z = 2, C = 0.5, n = 4: std = 0.25 per coordinate, over 20000 coordinates.
  std::map<std::string, double> p = {{"clip_norm", 0.5}, {"noise_multiplier", 2.0}};
  auto built = BuildStrategy("fedavg", p, 0);
  ASSERT_TRUE(built.ok());
  const size_t d = 20000;
  (*built)->Reset(std::vector<float>(d, 0.0f));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Add(**built, 1, std::vector<float>(d, 0.0f)).ok());
  auto out = Final(**built);
  double sum = 0, sq = 0;
  for (float x : out) {
    sum += x;
    sq += double(x) * x;
  }
  const double mean = sum / d, sd = std::sqrt(sq / d - mean * mean);
  EXPECT_NEAR(mean, 0.0, 4 * 0.25 / std::sqrt(d));
  EXPECT_NEAR(sd, 0.25, 0.25 * 0.03);  // ~6 standard errors of the sd estimate
  // A repeated Finalize returns the same draw.
  EXPECT_EQ(Final(**built), out);
  EXPECT_GT((*built)->params().at("dp_epsilon"), 0.0);
}

TEST(DpTest, SeededNoiseIsReproducibleAndNormal) {
  auto a = GaussianNoise::FromSeed(7);
  auto b = GaussianNoise::FromSeed(7);
  double s = 0, s2 = 0, s4 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = a->Normal();
    ASSERT_EQ(x, b->Normal());
    s += x;
    s2 += x * x;
    s4 += x * x * x * x;
  }
  EXPECT_NEAR(s / n, 0, 0.01);
  EXPECT_NEAR(s2 / n, 1, 0.01);
  EXPECT_NEAR(s4 / n, 3, 0.06);  // kurtosis of a normal
}

TEST(DpTest, ParameterChecks) {
  auto bad = [](const std::string& name, std::map<std::string, double> p) {
    return MakeStrategy(name, p, 0).status().reason();
  };
  EXPECT_EQ(bad("fedavg", {{"noise_multiplier", 1}}), "round.bad_strategy_params");  // no clip
  EXPECT_EQ(bad("median", {{"noise_multiplier", 1}, {"clip_norm", 1}}),
            "round.bad_strategy_params");
  EXPECT_EQ(bad("fedavg", {{"clip_quantile", 0.5}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("fedavg", {{"clip_norm", 1}, {"clip_quantile", 0.5}, {"noise_multiplier", 1}}),
            "round.bad_strategy_params");  // needs count noise
  EXPECT_EQ(bad("fedadam", {{"beta1", 1.0}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("fedadam", {{"momentum", 0.9}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("fedadagrad", {{"beta2", 0.9}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("trimmed_mean", {{"beta", 0.5}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("krum", {{"f", 1.5}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("krum", {{"m", 0}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("median", {{"max_updates", 0}}), "round.bad_strategy_params");
  EXPECT_EQ(bad("fedavg", {{"dp_delta", 0}}), "round.bad_strategy_params");
  auto msg = MakeStrategy("fedyogi", {{"lr", 1}}, 0).status().message();
  EXPECT_NE(msg.find("'lr'"), std::string::npos);
  for (const auto& n : StrategyNames()) EXPECT_TRUE(MakeStrategy(n, {}, 0).ok()) << n;
}

TEST(DpTest, ReceiptParamsCarryDefaultsAndEpsilon) {
  auto s = Make("fedadam");
  EXPECT_EQ(s->params(), (std::map<std::string, double>{
                             {"server_lr", 0.1}, {"beta1", 0.9}, {"beta2", 0.99}, {"tau", 1e-3}}));
  auto d = Make("fedavg", {{"clip_norm", 1}, {"noise_multiplier", 1.1}}, {nullptr, 3});
  auto p = d->params();
  EXPECT_EQ(p.at("uniform_weights"), 1.0);
  EXPECT_DOUBLE_EQ(p.at("dp_epsilon"), EpsilonAfter(3, 1.1, 1.0, 1e-5).epsilon);
}

TEST(AccountantTest, MonotoneAndBelowTheSimpleBound) {
  double prev = 0;
  for (uint64_t t = 1; t <= 50; t += 7) {
    const double e = EpsilonAfter(t, 1.0, 1.0, 1e-5).epsilon;
    EXPECT_GT(e, prev);
    prev = e;
  }
  EXPECT_LT(EpsilonAfter(10, 2.0, 1.0, 1e-5).epsilon, EpsilonAfter(10, 1.0, 1.0, 1e-5).epsilon);
  // Subsampling amplifies privacy.
  EXPECT_LT(EpsilonAfter(10, 1.0, 0.1, 1e-5).epsilon, EpsilonAfter(10, 1.0, 1.0, 1e-5).epsilon);
  // q -> 1 meets the full-participation formula at integer orders.
  EXPECT_NEAR(GaussianRdp(8, 1.3, 0.999999999), GaussianRdp(8, 1.3, 1.0), 1e-6);
}

TEST(StateTest, OptimiserStateCarriesAcrossRoundsOnlyForTheSameConfiguration) {
  auto r1 = Make("fedavgm", {{"momentum", 0.5}}, {nullptr, 1});
  r1->Reset({0.0f});
  ASSERT_TRUE(Add(*r1, 1, {1.0f}).ok());
  EXPECT_FLOAT_EQ(Final(*r1)[0], 1.0f);  // v = 1
  auto r2 = Make("fedavgm", {{"momentum", 0.5}}, {r1.get(), 2});
  r2->Reset({1.0f});
  ASSERT_TRUE(Add(*r2, 1, {1.0f}).ok());
  EXPECT_FLOAT_EQ(Final(*r2)[0], 2.5f);  // v = 0.5 + 1
  // Another configuration starts afresh.
  auto other = Make("fedavgm", {{"momentum", 0.6}}, {r2.get(), 3});
  other->Reset({2.5f});
  ASSERT_TRUE(Add(*other, 1, {1.0f}).ok());
  EXPECT_FLOAT_EQ(Final(*other)[0], 3.5f);
  // A round never finalized does not advance the state.
  auto r3 = Make("fedavgm", {{"momentum", 0.5}}, {r2.get(), 3});
  r3->Reset({2.5f});
  auto r3b = Make("fedavgm", {{"momentum", 0.5}}, {r3.get(), 3});
  r3b->Reset({2.5f});
  ASSERT_TRUE(Add(*r3b, 1, {0.0f}).ok());
  EXPECT_FLOAT_EQ(Final(*r3b)[0], 2.5f + 0.75f);  // v = 0.5 * 1.5
}

}  // namespace
}  // namespace fedtee::aggregator
