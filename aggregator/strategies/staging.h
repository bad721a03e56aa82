// Staging buffers for in-flight updates: one float buffer per update between Stage and
// Commit/Abort, with the checks every strategy applies to incoming values (finite, no more
// values than the model, a positive example count, at most max_in_flight at once).
// Memory: num_params floats per staged update. Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "aggregator/strategies/strategy.h"
#include "base/status.h"

namespace fedtee::aggregator {

class StagingArea {
 public:
  // One complete staged update, handed over by Take.
  struct Update {
    uint64_t num_examples = 0;
    std::vector<float> values;  // exactly num_params values, all finite
  };

  // `max_in_flight` 0 = unbounded.
  explicit StagingArea(size_t max_in_flight) : max_in_flight_(max_in_flight) {}
  ~StagingArea();
  StagingArea(const StagingArea&) = delete;
  StagingArea& operator=(const StagingArea&) = delete;

  // Wipes every staged update; later stages hold `num_params` values.
  void Reset(size_t num_params);
  void set_max_in_flight(size_t n) { max_in_flight_ = n; }

  // "update.bad_example_count", "update.busy".
  Result<StageId> Stage(uint64_t num_examples);
  // "update.no_stage", "update.wrong_shape", "update.non_finite" (the stage is aborted).
  Status Append(StageId id, std::span<const float> values);
  // Removes the stage and hands its values over. "update.no_stage"; "update.wrong_shape"
  // when it holds fewer than num_params values (the stage is aborted).
  Result<Update> Take(StageId id);
  // Wipes and drops a stage; unknown ids are ignored.
  void Abort(StageId id);

  size_t in_flight() const { return stages_.size(); }

 private:
  size_t max_in_flight_;
  size_t num_params_ = 0;
  StageId next_id_ = 1;
  std::map<StageId, Update> stages_;
};

}  // namespace fedtee::aggregator
