// The Strategy interface: what the aggregator's service knows of the aggregation math
// (pure policy, Flower style: no sockets, files or clocks behind it).
//
// A round goes: Reset(global) once; for each incoming update Stage(num_examples), Append its
// delta values piece by piece as chunks open, then Commit (fold it into the aggregate) or
// Abort (drop it without a trace); Finalize() computes the new model. Staging keeps each
// in-flight update in its own buffer until Commit, so an update that fails a check halfway
// never touches the aggregate.
//
// Reasons every implementation uses (Status::reason(), stable; also sent to peers as
// UpdateStatus.reason):
//   update.busy          UNAVAILABLE       max_in_flight updates are staged already
//   update.non_finite    INVALID_ARGUMENT  a NaN or an infinity in the values
//   update.wrong_shape   INVALID_ARGUMENT  more values than the model has, or Commit before all
//   update.bad_example_count INVALID_ARGUMENT  num_examples == 0
//   update.no_stage      FAILED_PRECONDITION  an unknown or finished StageId
//   round.no_model       FAILED_PRECONDITION  Stage/Finalize before Reset
//   round.too_few_updates FAILED_PRECONDITION Finalize with no committed update
//   aggregate.non_finite INTERNAL          the new model overflowed float32
// and the strategy-specific ones listed in docs/strategies.md (update.out_of_range,
// update.memory_bound, round.krum_too_few...). A failed Append or Commit aborts its stage.
//
// Thread-safety: not thread-safe; the caller serialises every call on one object (one
// thread, or several under one lock). No method calls back into the caller.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace fedtee::aggregator {

// Names one staged update within a round. Ids are never reused within a strategy object.
using StageId = uint64_t;

class Strategy {
 public:
  virtual ~Strategy() = default;

  // The strategy's name as written in RoundOpen.strategy and the receipt ("fedavg").
  virtual std::string name() const = 0;
  // The parameters it applies, as signed in the receipt: the ones given, their defaults,
  // and what the round reports (e.g. dp_epsilon). Empty for plain FedAvg.
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
  // ("update.wrong_shape", and the stage is aborted). The staging buffer is wiped and freed
  // (or, for strategies that keep every update, moved into their store). O(num_params).
  virtual Status Commit(StageId id) = 0;
  // Drops the staged update (wipes its buffer). Unknown ids are ignored.
  virtual void Abort(StageId id) = 0;

  // Updates committed in this round, and the sum of their example counts.
  virtual size_t committed_updates() const = 0;
  virtual uint64_t committed_examples() const = 0;
  // Updates staged and neither committed nor aborted.
  virtual size_t in_flight() const = 0;

  // The new model's values (flat, tensor order). Does not change what a later call returns:
  // a repeated call gives the same result. "round.too_few_updates" when nothing was
  // committed.
  virtual Result<std::vector<float>> Finalize() const = 0;
};

// Overwrites a buffer with zeros in a way the compiler keeps (plaintext updates are
// secrets of their participant), then frees it.
void WipeFloats(std::vector<float>& v);
void WipeDoubles(std::vector<double>& v);

}  // namespace fedtee::aggregator
