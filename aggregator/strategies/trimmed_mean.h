// Coordinate-wise trimmed mean (Yin et al. 2018): for each coordinate, sort the n values,
// drop k = floor(beta * n) at each end and average the n - 2k left, unweighted, summing in
// sorted order in double. beta in [0, 0.5); default 0.1. Keeps every update: memory
// max_updates x model (update_store.h).
#pragma once

#include "aggregator/strategies/rule.h"
#include "aggregator/strategies/update_store.h"

namespace fedtee::aggregator {

class TrimmedMeanRule final : public AggregationRule {
 public:
  TrimmedMeanRule(double beta, size_t max_updates) : beta_(beta), store_(max_updates) {}

  void Reset(size_t num_params) override { store_.Reset(num_params); }
  Status CanStage(size_t in_flight) const override { return store_.CanStage(in_flight); }
  Status Add(std::vector<float>& values, uint64_t num_examples) override {
    return store_.Add(values, num_examples);
  }
  size_t count() const override { return store_.count(); }
  Result<std::vector<double>> Aggregate() const override;
  bool is_uniform_mean() const override { return false; }
  std::map<std::string, double> params() const override {
    return {{"beta", beta_}, {"max_updates", static_cast<double>(store_.max_updates())}};
  }
  // Values trimmed at each end for n updates.
  static size_t Trimmed(double beta, size_t n);

 private:
  double beta_;
  UpdateStore store_;
};

}  // namespace fedtee::aggregator
