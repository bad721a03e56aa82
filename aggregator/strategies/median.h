// Coordinate-wise median (Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards
// Optimal Statistical Rates"): delta[j] = median_i(delta_i[j]), unweighted (an example count
// is a claim of the sender, so it gets no say here); for an even count, the mean of the two
// middle values, in double. Keeps every update: memory max_updates x model (update_store.h).
#pragma once

#include "aggregator/strategies/rule.h"
#include "aggregator/strategies/update_store.h"

namespace fedtee::aggregator {

class MedianRule final : public AggregationRule {
 public:
  explicit MedianRule(size_t max_updates) : store_(max_updates) {}

  void Reset(size_t num_params) override { store_.Reset(num_params); }
  Status CanStage(size_t in_flight) const override { return store_.CanStage(in_flight); }
  Status Add(std::vector<float>& values, uint64_t num_examples) override {
    return store_.Add(values, num_examples);
  }
  size_t count() const override { return store_.count(); }
  Result<std::vector<double>> Aggregate() const override;
  bool is_uniform_mean() const override { return false; }
  std::map<std::string, double> params() const override {
    return {{"max_updates", static_cast<double>(store_.max_updates())}};
  }

 private:
  UpdateStore store_;
};

}  // namespace fedtee::aggregator
