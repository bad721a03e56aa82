// Worker threads that open several participants' update streams at once, so that the
// aggregator's ingest scales with cores up to the machine's AES-GCM speed.
//
// IngestPool runs tasks on `threads` workers, one FIFO queue ("lane") per worker. The
// service gives every update stream a lane when it starts (the least loaded one) and posts
// all of that stream's chunks to it, so a stream's chunks run in arrival order on one
// thread while different streams' chunks run in parallel. Queues are bounded: Post blocks
// while its lane holds `max_queued` tasks, which bounds the ciphertext held in memory to
// about threads x max_queued x chunk size.
//
// SharedStrategy lets the ingests on those threads drive one Strategy: every call runs
// under one mutex, so Stage / Append / Commit / Abort of different streams interleave
// safely and Commit stays the single place where an update folds into the aggregate. The
// aggregate does not depend on which thread commits first as long as the strategy itself is
// order-independent (docs: the strategies' determinism note in aggregator/README.md).
//
// Thread-safety: IngestPool's methods may be called from any thread, but Drain must not be
// called from a worker. SharedStrategy is thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "aggregator/fedavg.h"

namespace fedtee::aggregator {

// Default worker count: the machine's cores, at least 1 and at most 8.
size_t DefaultIngestThreads();

class IngestPool {
 public:
  // Starts `threads` workers (at least 1). `max_queued` (at least 1) bounds each lane.
  explicit IngestPool(size_t threads, size_t max_queued = 4);
  // Runs every task already posted, then joins the workers.
  ~IngestPool();
  IngestPool(const IngestPool&) = delete;
  IngestPool& operator=(const IngestPool&) = delete;

  size_t threads() const { return lanes_.size(); }

  // The lane for a new stream: the one with the fewest streams assigned (lowest index on a
  // tie). Pair with ReleaseLane when the stream ends.
  size_t AssignLane();
  void ReleaseLane(size_t lane);

  // Queues `task` on `lane` (taken modulo threads()); it runs after every task posted to that
  // lane before it. Blocks while the lane is full. `task` must not throw; it is destroyed on
  // the worker right after it ran.
  void Post(size_t lane, std::function<void()> task);

  // Waits until every task posted before the call has run and been destroyed.
  void Drain();

 private:
  struct Lane {
    std::deque<std::function<void()>> queue;
    bool running = false;  // a task of this lane is executing
    size_t streams = 0;    // streams assigned (AssignLane - ReleaseLane)
    std::condition_variable wake;
    std::thread thread;
  };
  void Work(Lane& lane);

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable idle_or_space_;  // a task finished (Drain, Post waiting for room)
  std::vector<std::unique_ptr<Lane>> lanes_;
  bool stopping_ = false;
};

// A Strategy that forwards every call to `inner` under a mutex. `inner` is borrowed and must
// outlive the wrapper.
class SharedStrategy final : public Strategy {
 public:
  explicit SharedStrategy(Strategy& inner) : inner_(inner) {}

  Strategy& inner() { return inner_; }

  std::string name() const override;
  std::map<std::string, double> params() const override;
  void Reset(std::vector<float> global) override;
  size_t num_params() const override;
  Result<StageId> Stage(uint64_t num_examples) override;
  Status Append(StageId id, std::span<const float> values) override;
  Status Commit(StageId id) override;
  void Abort(StageId id) override;
  size_t committed_updates() const override;
  uint64_t committed_examples() const override;
  size_t in_flight() const override;
  Result<std::vector<float>> Finalize() const override;

 private:
  Strategy& inner_;
  mutable std::mutex mu_;
};

}  // namespace fedtee::aggregator
