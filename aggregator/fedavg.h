// Aggregation math inside the enclave, without I/O: the Strategy interface the service
// drives (strategies/strategy.h), FedAvg, and MakeStrategy, which builds every strategy
// this build knows from RoundOpen's name and parameters (docs/strategies.md):
//   fedavg, fedavgm, fedadam, fedyogi, fedadagrad  (streaming, O(model) memory)
//   median, trimmed_mean, krum                      (keep every update, bounded memory)
// each optionally with update-norm clipping (fixed or adaptive) and central differential
// privacy (Gaussian noise in the enclave, RDP accounting).
//
// FedAvg memory: two doubles per model value (the exact, order-independent accumulator of
// strategies/exact_sum.h) plus one float staging buffer per in-flight update (bounded by
// max_in_flight), not O(participants). The same updates give a bit-identical aggregate in
// any commit order.
//
// Reasons: those of strategies/strategy.h, plus for FedAvg:
//   update.out_of_range  OUT_OF_RANGE  num_examples * |value| beyond 2^36
//   update.too_many_updates OUT_OF_RANGE more than 65536 updates in one round
// Thread-safety: not thread-safe; calls on one object are serialised by the caller.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aggregator/strategies/composed.h"
#include "aggregator/strategies/strategy.h"
#include "base/status.h"

namespace fedtee::aggregator {

struct FedAvgOptions {
  // Most updates staged at once; Stage beyond it fails with "update.busy". 0 = unbounded
  // (the service always sets a bound, e.g. the round's participant count).
  size_t max_in_flight = 0;
};

// FedAvg (McMahan et al. 2017): new = global + sum_i(n_i * delta_i) / sum_i(n_i), summed
// exactly (strategies/exact_sum.h) so arrival order never changes a bit.
class FedAvg final : public Strategy {
 public:
  explicit FedAvg(FedAvgOptions options = {});
  ~FedAvg() override;

  std::string name() const override { return "fedavg"; }
  std::map<std::string, double> params() const override { return {}; }

  void Reset(std::vector<float> global) override { impl_->Reset(std::move(global)); }
  size_t num_params() const override { return impl_->num_params(); }

  Result<StageId> Stage(uint64_t num_examples) override { return impl_->Stage(num_examples); }
  Status Append(StageId id, std::span<const float> values) override {
    return impl_->Append(id, values);
  }
  Status Commit(StageId id) override { return impl_->Commit(id); }
  void Abort(StageId id) override { impl_->Abort(id); }

  size_t committed_updates() const override { return impl_->committed_updates(); }
  uint64_t committed_examples() const override { return impl_->committed_examples(); }
  size_t in_flight() const override { return impl_->in_flight(); }

  Result<std::vector<float>> Finalize() const override { return impl_->Finalize(); }

  // Changes the in-flight bound (applies to later Stage calls).
  void set_max_in_flight(size_t n) { impl_->set_max_in_flight(n); }

 private:
  std::unique_ptr<ComposedStrategy> impl_;
};

// What MakeStrategy may use beyond the round's name and parameters.
struct StrategyContext {
  // The previous round's strategy in this process (may be null): a strategy of the same
  // name and parameters continues its state (optimiser moments, adaptive clip norm).
  const Strategy* previous = nullptr;
  // RoundOpen.round (0 = unknown): the privacy accountant counts at least this many rounds.
  uint64_t round = 0;
};

// Makes the strategy named in RoundOpen. INVALID_ARGUMENT "round.unknown_strategy" for a
// name this build does not know ("" means "fedavg"), "round.bad_strategy_params" naming
// a parameter the strategy does not take or a value out of its range (a receipt must not
// claim what was not applied). Parameters and defaults: docs/strategies.md.
Result<std::unique_ptr<Strategy>> MakeStrategy(const std::string& name,
                                               const std::map<std::string, double>& params,
                                               size_t max_in_flight,
                                               const StrategyContext& context = {});

}  // namespace fedtee::aggregator
