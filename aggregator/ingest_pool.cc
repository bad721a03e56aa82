#include "aggregator/ingest_pool.h"

#include <algorithm>
#include <utility>

namespace fedtee::aggregator {

size_t DefaultIngestThreads() {
  const size_t cores = std::thread::hardware_concurrency();
  return std::clamp<size_t>(cores, 1, 8);
}

IngestPool::IngestPool(size_t threads, size_t max_queued)
    : max_queued_(std::max<size_t>(1, max_queued)) {
  threads = std::max<size_t>(1, threads);
  for (size_t i = 0; i < threads; ++i) lanes_.push_back(std::make_unique<Lane>());
  for (auto& lane : lanes_) {
    Lane* l = lane.get();
    l->thread = std::thread([this, l] { Work(*l); });
  }
}

IngestPool::~IngestPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  for (auto& lane : lanes_) lane->wake.notify_all();
  for (auto& lane : lanes_) lane->thread.join();
}

size_t IngestPool::AssignLane() {
  std::lock_guard lock(mu_);
  size_t best = 0;
  for (size_t i = 1; i < lanes_.size(); ++i) {
    if (lanes_[i]->streams < lanes_[best]->streams) best = i;
  }
  ++lanes_[best]->streams;
  return best;
}

void IngestPool::ReleaseLane(size_t lane) {
  std::lock_guard lock(mu_);
  Lane& l = *lanes_[lane % lanes_.size()];
  if (l.streams > 0) --l.streams;
}

void IngestPool::Post(size_t lane, std::function<void()> task) {
  std::unique_lock lock(mu_);
  Lane& l = *lanes_[lane % lanes_.size()];
  idle_or_space_.wait(lock, [&] { return l.queue.size() < max_queued_; });
  l.queue.push_back(std::move(task));
  l.wake.notify_one();
}

void IngestPool::Drain() {
  std::unique_lock lock(mu_);
  idle_or_space_.wait(lock, [&] {
    return std::all_of(lanes_.begin(), lanes_.end(),
                       [](const auto& l) { return l->queue.empty() && !l->running; });
  });
}

void IngestPool::Work(Lane& lane) {
  std::unique_lock lock(mu_);
  for (;;) {
    lane.wake.wait(lock, [&] { return stopping_ || !lane.queue.empty(); });
    if (lane.queue.empty()) return;  // stopping, and nothing left to run
    std::function<void()> task = std::move(lane.queue.front());
    lane.queue.pop_front();
    lane.running = true;
    idle_or_space_.notify_all();  // room in the lane for a blocked Post
    lock.unlock();
    task();
    task = nullptr;  // what the task holds (a stream) is released before Drain returns
    lock.lock();
    lane.running = false;
    idle_or_space_.notify_all();
  }
}

// ---------------------------------------------------------------------------------------

std::string SharedStrategy::name() const {
  std::lock_guard lock(mu_);
  return inner_.name();
}
std::map<std::string, double> SharedStrategy::params() const {
  std::lock_guard lock(mu_);
  return inner_.params();
}
void SharedStrategy::Reset(std::vector<float> global) {
  std::lock_guard lock(mu_);
  inner_.Reset(std::move(global));
}
size_t SharedStrategy::num_params() const {
  std::lock_guard lock(mu_);
  return inner_.num_params();
}
Result<StageId> SharedStrategy::Stage(uint64_t num_examples) {
  std::lock_guard lock(mu_);
  return inner_.Stage(num_examples);
}
Status SharedStrategy::Append(StageId id, std::span<const float> values) {
  std::lock_guard lock(mu_);
  return inner_.Append(id, values);
}
Status SharedStrategy::Commit(StageId id) {
  std::lock_guard lock(mu_);
  return inner_.Commit(id);
}
void SharedStrategy::Abort(StageId id) {
  std::lock_guard lock(mu_);
  inner_.Abort(id);
}
size_t SharedStrategy::committed_updates() const {
  std::lock_guard lock(mu_);
  return inner_.committed_updates();
}
uint64_t SharedStrategy::committed_examples() const {
  std::lock_guard lock(mu_);
  return inner_.committed_examples();
}
size_t SharedStrategy::in_flight() const {
  std::lock_guard lock(mu_);
  return inner_.in_flight();
}
Result<std::vector<float>> SharedStrategy::Finalize() const {
  std::lock_guard lock(mu_);
  return inner_.Finalize();
}

}  // namespace fedtee::aggregator
