// An aggregation rule: turns the round's complete, checked (and possibly clipped) deltas
// into one delta, in double. FedAvg's weighted mean folds each update as it comes (O(model)
// memory); the robust rules (median, trimmed mean, Krum) keep every update until the end
// and bound that memory explicitly (update_store.h).
//
// Every rule is deterministic: the same set of updates gives the same bits whatever order
// they were added in (docs/strategies.md, "Determinism").
// Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace fedtee::aggregator {

class AggregationRule {
 public:
  virtual ~AggregationRule() = default;

  // Drops every update; later updates hold `num_params` values.
  virtual void Reset(size_t num_params) = 0;
  // Whether a further update could be taken while `in_flight` others are staged: the rule's
  // memory bound ("update.memory_bound"). OK by default.
  virtual Status CanStage(size_t in_flight) const { return Status::Ok(); }
  // Takes one update (num_params finite values, num_examples > 0). The rule folds it and
  // wipes `values`, or keeps the buffer. On error the rule is unchanged and `values` is
  // left to the caller (who wipes it).
  virtual Status Add(std::vector<float>& values, uint64_t num_examples) = 0;
  // Updates taken since Reset.
  virtual size_t count() const = 0;
  // The round's aggregated delta. FAILED_PRECONDITION "round.too_few_updates" when count()
  // is 0, or a rule's own refusal (e.g. "round.krum_too_few").
  virtual Result<std::vector<double>> Aggregate() const = 0;
  // True when the aggregate is a mean of the updates with equal weights, so that Gaussian
  // noise of std z * C / n makes it a Gaussian mechanism of sensitivity C / n (dp.h).
  virtual bool is_uniform_mean() const = 0;
  // The rule's parameters with their defaults, for the receipt.
  virtual std::map<std::string, double> params() const = 0;
};

}  // namespace fedtee::aggregator
