// Aggregation math inside the enclave, without I/O: the Strategy interface the service
// drives, and FedAvg (weighted by example count) as its first implementation.
//
// A round goes: Reset(global) once; for each incoming update Stage(num_examples), Append its
// delta values piece by piece as chunks open, then Commit (fold it into the aggregate) or
// Abort (drop it without a trace); Finalize() computes the new model. Staging keeps each
// in-flight update in its own buffer until Commit, so an update that fails a check halfway
// never touches the aggregate. FedAvg memory: one double sum of the model's size plus one
// float staging buffer per in-flight update (bounded by max_in_flight), not O(participants).
//
// Reasons (Status::reason(), stable; also sent to peers as UpdateStatus.reason):
//   update.busy          UNAVAILABLE       max_in_flight updates are staged already
//   update.non_finite    INVALID_ARGUMENT  a NaN or an infinity in the values
//   update.wrong_shape   INVALID_ARGUMENT  more values than the model has, or Commit before all
//   update.bad_example_count INVALID_ARGUMENT  num_examples == 0
//   update.no_stage      FAILED_PRECONDITION  an unknown or finished StageId
//   round.no_model       FAILED_PRECONDITION  Stage/Finalize before Reset
//   round.too_few_updates FAILED_PRECONDITION Finalize with no committed update
//   aggregate.non_finite INTERNAL          the new model overflowed float32
// A failed Append aborts its stage (the id is then unknown).
//
// Thread-safety: not thread-safe; one strategy belongs to one service thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace fedtee::aggregator {

// Names one staged update within a round. Ids are never reused within a strategy object.
using StageId = uint64_t;

// The strategy interface (pure policy, Flower style): what the service knows of the math.
class Strategy {
 public:
  virtual ~Strategy() = default;

  // The strategy's name as written in RoundOpen.strategy and the receipt ("fedavg").
  virtual std::string name() const = 0;
  // The parameters it applies, as signed in the receipt (empty for FedAvg).
  virtual std::map<std::string, double> params() const = 0;

  // Starts a round from the global model's values (flat, tensor order). Drops every
  // committed and staged update of the previous round.
  virtual void Reset(std::vector<float> global) = 0;
  // Number of values of the current global model (0 before Reset).
  virtual size_t num_params() const = 0;

  // Opens a staging buffer for one update trained on `num_examples` examples.
  virtual Result<StageId> Stage(uint64_t num_examples) = 0;
  // Appends the next values of the staged update's delta. On error the stage is aborted.
  virtual Status Append(StageId id, std::span<const float> values) = 0;
  // Folds the staged update into the aggregate; it must hold exactly num_params() values
  // ("update.wrong_shape", and the stage is aborted). The staging buffer is wiped and freed.
  virtual Status Commit(StageId id) = 0;
  // Drops the staged update (wipes its buffer). Unknown ids are ignored.
  virtual void Abort(StageId id) = 0;

  // Updates committed in this round, and the sum of their example counts.
  virtual size_t committed_updates() const = 0;
  virtual uint64_t committed_examples() const = 0;
  // Updates staged and neither committed nor aborted.
  virtual size_t in_flight() const = 0;

  // The new model's values (flat, tensor order). Does not change the state, so a repeated
  // call gives the same result. "round.too_few_updates" when nothing was committed.
  virtual Result<std::vector<float>> Finalize() const = 0;
};

struct FedAvgOptions {
  // Most updates staged at once; Stage beyond it fails with "update.busy". 0 = unbounded
  // (the service always sets a bound, e.g. the round's participant count).
  size_t max_in_flight = 0;
};

// FedAvg: new = global + sum_i(n_i * delta_i) / sum_i(n_i), accumulated in double.
class FedAvg final : public Strategy {
 public:
  explicit FedAvg(FedAvgOptions options = {});
  ~FedAvg() override;

  std::string name() const override { return "fedavg"; }
  std::map<std::string, double> params() const override { return {}; }

  void Reset(std::vector<float> global) override;
  size_t num_params() const override { return global_.size(); }

  Result<StageId> Stage(uint64_t num_examples) override;
  Status Append(StageId id, std::span<const float> values) override;
  Status Commit(StageId id) override;
  void Abort(StageId id) override;

  size_t committed_updates() const override { return committed_; }
  uint64_t committed_examples() const override { return total_examples_; }
  size_t in_flight() const override { return stages_.size(); }

  Result<std::vector<float>> Finalize() const override;

  // Changes the in-flight bound (applies to later Stage calls).
  void set_max_in_flight(size_t n) { options_.max_in_flight = n; }

 private:
  struct Staged {
    uint64_t num_examples = 0;
    std::vector<float> values;  // reserved to num_params at Stage
  };

  FedAvgOptions options_;
  bool has_model_ = false;
  std::vector<float> global_;
  std::vector<double> sum_;  // sum_i n_i * delta_i
  uint64_t total_examples_ = 0;
  size_t committed_ = 0;
  StageId next_id_ = 1;
  std::map<StageId, Staged> stages_;
};

// Makes the strategy named in RoundOpen. INVALID_ARGUMENT "round.unknown_strategy" for a
// name this build does not know ("" means "fedavg"), "round.bad_strategy_params" for
// parameters the strategy does not take (a receipt must not claim what was not applied).
Result<std::unique_ptr<Strategy>> MakeStrategy(const std::string& name,
                                               const std::map<std::string, double>& params,
                                               size_t max_in_flight);

// Overwrites a float buffer with zeros in a way the compiler keeps (plaintext updates are
// secrets of their participant), then frees it.
void WipeFloats(std::vector<float>& v);

}  // namespace fedtee::aggregator
