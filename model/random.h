// Seeded random numbers for model/: shuffles, initialisation, data splits and the
// synthetic fraud generator.
//
// Every sampler here is written out on top of std::mt19937_64 (whose output sequence the
// C++ standard fixes) instead of using std::*_distribution, whose algorithms differ between
// standard libraries. So a given seed gives the same numbers with libstdc++ and libc++; the
// only remaining platform dependence is the last-ulp behaviour of libm's log/exp/sin/cos/pow
// (glibc is correctly rounded for the ones used here on x86-64).
//
// Thread-safety: an Rng is a value; use one per thread.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>

namespace fedtee::model {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Derives an independent-looking seed for a sub-stream (SplitMix64 of seed and stream).
  static uint64_t DeriveSeed(uint64_t seed, uint64_t stream);

  uint64_t NextU64() { return engine_(); }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe to take the log of.
  double UniformOpen0() { return 1.0 - Uniform(); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Unbiased uniform integer in [0, n); n must be > 0.
  uint64_t UniformInt(uint64_t n);
  bool Bernoulli(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller; the second value is cached).
  double Normal();
  double Normal(double mean, double stddev) { return mean + stddev * Normal(); }
  // Gamma(shape, 1) by Marsaglia & Tsang (2000); for shape < 1 uses the boost
  // Gamma(shape) = Gamma(shape + 1) * U^(1/shape). shape must be > 0.
  double Gamma(double shape);
  // Poisson(lambda) by inversion (Knuth); meant for small lambda (< 30).
  int Poisson(double lambda);
  // Index drawn with probability proportional to weights (non-negative, not all zero).
  size_t Categorical(std::span<const double> weights);

  // Fisher-Yates shuffle.
  template <typename T>
  void Shuffle(std::span<T> v) {
    for (size_t i = v.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(UniformInt(i));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace fedtee::model
