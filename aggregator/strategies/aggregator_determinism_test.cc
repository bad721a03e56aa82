// The same set of updates gives a bit-identical aggregate whatever order they are committed
// in: every permutation for small n, random ones for larger n, for every strategy (and
// with clipping), on values chosen to make floating-point sums order-sensitive.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "aggregator/fedavg.h"
#include "aggregator/strategies/exact_sum.h"

namespace fedtee::aggregator {
namespace {

struct Update {
  uint64_t n;
  std::vector<float> d;
};

// Magnitudes spread over many binades, so that a plain double sum depends on order.
std::vector<Update> Updates(size_t count, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> mant(-1, 1);
  std::uniform_int_distribution<int> exp(-30, 12);
  std::uniform_int_distribution<uint64_t> ex(1, 5000);
  std::vector<Update> out(count);
  for (auto& u : out) {
    u.n = ex(rng);
    u.d.resize(dim);
    for (float& x : u.d) x = std::ldexp(mant(rng), exp(rng));
  }
  out[count / 2].d[0] = -0.0f;  // signed zeros must not leak through either
  return out;
}

std::vector<uint8_t> RunOrder(const std::string& name, const std::map<std::string, double>& p,
                         const std::vector<Update>& ups, const std::vector<size_t>& order) {
  auto s = MakeStrategy(name, p, 0);
  EXPECT_TRUE(s.ok());
  std::vector<float> global(ups[0].d.size(), 0.5f);
  (*s)->Reset(global);
  for (size_t i : order) {
    auto id = (*s)->Stage(ups[i].n);
    EXPECT_TRUE(id.ok());
    // Chunk boundaries vary with the order too.
    const size_t cut = (i * 7) % (ups[i].d.size() + 1);
    std::span<const float> all(ups[i].d);
    EXPECT_TRUE((*s)->Append(*id, all.first(cut)).ok());
    EXPECT_TRUE((*s)->Append(*id, all.subspan(cut)).ok());
    EXPECT_TRUE((*s)->Commit(*id).ok());
  }
  auto out = (*s)->Finalize();
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  std::vector<uint8_t> bytes(out->size() * 4);
  std::memcpy(bytes.data(), out->data(), bytes.size());
  return bytes;
}

const std::vector<std::pair<std::string, std::map<std::string, double>>>& Configs() {
  static const std::vector<std::pair<std::string, std::map<std::string, double>>> c = {
      {"fedavg", {}},
      {"fedavg", {{"clip_norm", 5.0}}},
      {"fedavgm", {}},
      {"fedadam", {}},
      {"fedyogi", {}},
      {"fedadagrad", {}},
      {"median", {}},
      {"trimmed_mean", {{"beta", 0.2}}},
      {"krum", {{"f", 1}, {"m", 2}}},
  };
  return c;
}

TEST(DeterminismTest, EveryPermutationOfFiveUpdatesGivesTheSameBytes) {
  const auto ups = Updates(5, 97, 11);
  for (const auto& [name, p] : Configs()) {
    std::vector<size_t> order(ups.size());
    std::iota(order.begin(), order.end(), size_t{0});
    const auto want = RunOrder(name, p, ups, order);
    int perms = 0;
    while (std::next_permutation(order.begin(), order.end())) {
      ASSERT_EQ(RunOrder(name, p, ups, order), want) << name << " permutation " << perms;
      ++perms;
    }
    EXPECT_EQ(perms, 119);
  }
}

TEST(DeterminismTest, RandomPermutationsOfManyUpdatesGiveTheSameBytes) {
  const auto ups = Updates(24, 301, 5);
  std::mt19937 rng(9);
  for (const auto& [name, p] : Configs()) {
    std::vector<size_t> order(ups.size());
    std::iota(order.begin(), order.end(), size_t{0});
    const auto want = RunOrder(name, p, ups, order);
    for (int k = 0; k < 30; ++k) {
      std::shuffle(order.begin(), order.end(), rng);
      ASSERT_EQ(RunOrder(name, p, ups, order), want) << name << " shuffle " << k;
    }
  }
}

TEST(ExactSumTest, SumIsExactWhereDoubleSummationIsNot) {
  // 2^30 + 2^-40 - 2^30 in any order: exactly 2^-40 (a naive double sum gives 0 or it).
  std::vector<std::vector<float>> terms = {{0x1p30f}, {0x1p-40f}, {-0x1p30f}};
  std::vector<size_t> order = {0, 1, 2};
  do {
    ExactWeightedSum s;
    s.Reset(1);
    for (size_t i : order) ASSERT_TRUE(s.Add(terms[i], 1.0).ok());
    double out;
    s.Sum({&out, 1});
    EXPECT_EQ(out, 0x1p-40);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(ExactSumTest, RefusesTermsBeyondItsRangeAndLeavesTheSumUnchanged) {
  ExactWeightedSum s;
  s.Reset(2);
  ASSERT_TRUE(s.Add(std::vector<float>{1.0f, 2.0f}, 3.0).ok());
  EXPECT_EQ(s.Add(std::vector<float>{1.0f, 7e10f}, 1.0).reason(), "update.out_of_range");
  EXPECT_EQ(s.Add(std::vector<float>{1.0f, 1e6f}, 1e5).reason(), "update.out_of_range");
  double out[2];
  s.Sum(out);
  EXPECT_EQ(out[0], 3.0);
  EXPECT_EQ(out[1], 6.0);
  EXPECT_EQ(s.count(), 1u);
}

}  // namespace
}  // namespace fedtee::aggregator
