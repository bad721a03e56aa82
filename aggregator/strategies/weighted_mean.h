// FedAvg's rule (McMahan et al. 2017): delta = sum_i(w_i * delta_i) / sum_i(w_i), with
// w_i the update's example count, or 1 for every update when `uniform` (used under
// differential privacy, where each update's influence must be bounded by the clip norm).
// Streaming: O(model) memory (exact_sum.h), whatever the number of updates.
#pragma once

#include "aggregator/strategies/exact_sum.h"
#include "aggregator/strategies/rule.h"

namespace fedtee::aggregator {

class WeightedMeanRule final : public AggregationRule {
 public:
  explicit WeightedMeanRule(bool uniform = false) : uniform_(uniform) {}

  void Reset(size_t num_params) override;
  // Errors: those of ExactWeightedSum::Add ("update.out_of_range", "update.too_many_updates").
  Status Add(std::vector<float>& values, uint64_t num_examples) override;
  size_t count() const override { return sum_.count(); }
  Result<std::vector<double>> Aggregate() const override;
  bool is_uniform_mean() const override { return uniform_; }
  std::map<std::string, double> params() const override;

 private:
  bool uniform_;
  ExactWeightedSum sum_;
  uint64_t total_weight_ = 0;  // exact: sum of example counts (or of ones)
};

}  // namespace fedtee::aggregator
