// An exact, order-independent weighted sum of float32 vectors: the accumulator behind
// FedAvg and the server optimisers (docs/strategies.md, "Determinism").
//
// Each term t = fl(weight * v) (one double product, a deterministic function of the term
// alone) is split into an integer part and a fraction rounded to a multiple of 2^-51, and
// added to two double accumulators per coordinate: `hi` holds integers and `lo` a fraction
// in [-1/2, 1/2] (a carry moves to `hi` after every term). Both additions are exact, so
// hi + lo is exactly the sum of the rounded terms, whatever order they came in, and Sum()
// returns it correctly rounded to double (fl(hi + lo) rounds the exact value, whichever of
// the two equal-valued representations the carries left). The only rounding is per term:
// |error| <= 2^-52 absolute per term, below a float32 ulp of anything larger than 1e-8.
//
// Range: |weight * v| <= kMaxTerm (2^36) for every value and at most kMaxTerms (2^16)
// terms, so |sum| <= 2^52 and every addition stays exact. Memory: 16 bytes per coordinate.
// The inner loop is branch-free double arithmetic, vectorised explicitly (4 lanes).
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "base/status.h"

namespace fedtee::aggregator {

class ExactWeightedSum {
 public:
  static constexpr double kMaxTerm = 68719476736.0;  // 2^36
  static constexpr size_t kMaxTerms = size_t{1} << 16;

  ExactWeightedSum() = default;
  ~ExactWeightedSum();
  ExactWeightedSum(const ExactWeightedSum&) = delete;
  ExactWeightedSum& operator=(const ExactWeightedSum&) = delete;

  // Zeroes the sum over `num_params` coordinates.
  void Reset(size_t num_params);
  size_t num_params() const { return hi_.size(); }
  size_t count() const { return count_; }

  // Adds weight * values (values.size() == num_params(), finite; weight > 0). Refusals leave
  // the sum unchanged: OUT_OF_RANGE "update.out_of_range" when weight * |v| > kMaxTerm for
  // some value, RESOURCE "update.too_many_updates" beyond kMaxTerms terms.
  Status Add(std::span<const float> values, double weight);

  // The exact sum of the rounded terms, rounded once to double, per coordinate.
  void Sum(std::span<double> out) const;

 private:
  std::vector<double> hi_;
  std::vector<double> lo_;
  size_t count_ = 0;
};

}  // namespace fedtee::aggregator
