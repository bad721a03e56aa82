// Krum and Multi-Krum (Blanchard et al. 2017, "Machine Learning with Adversaries: Byzantine
// Tolerant Gradient Descent"). With n updates of which at most f are Byzantine, each update
// i gets score(i) = the sum of its n - f - 2 smallest squared distances ||d_i - d_j||^2 to
// the others; Krum returns the update of lowest score (m = 1), Multi-Krum the unweighted
// mean of the m lowest-scored. Needs n > 2f + 2 (FAILED_PRECONDITION "round.krum_too_few",
// also when m > n - f). Defaults f = 1, m = 1. Keeps every update: memory max_updates x
// model, plus O(n^2) distances (update_store.h).
//
// Determinism: distances are sums in index order over a content-ordered list, scores sum
// each row's sorted distances, ties in score are broken by that content order, and the
// selected updates are averaged in it.
#pragma once

#include "aggregator/strategies/rule.h"
#include "aggregator/strategies/update_store.h"

namespace fedtee::aggregator {

class KrumRule final : public AggregationRule {
 public:
  KrumRule(size_t f, size_t m, size_t max_updates) : f_(f), m_(m), store_(max_updates) {}

  void Reset(size_t num_params) override { store_.Reset(num_params); }
  Status CanStage(size_t in_flight) const override { return store_.CanStage(in_flight); }
  Status Add(std::vector<float>& values, uint64_t num_examples) override {
    return store_.Add(values, num_examples);
  }
  size_t count() const override { return store_.count(); }
  Result<std::vector<double>> Aggregate() const override;
  bool is_uniform_mean() const override { return false; }
  std::map<std::string, double> params() const override {
    return {{"f", static_cast<double>(f_)},
            {"m", static_cast<double>(m_)},
            {"max_updates", static_cast<double>(store_.max_updates())}};
  }

 private:
  size_t f_;
  size_t m_;
  UpdateStore store_;
};

}  // namespace fedtee::aggregator
