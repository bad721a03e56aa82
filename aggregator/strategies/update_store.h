// Keeps every update of a round, for the rules that need them all at the end (coordinate-
// wise median, trimmed mean, Krum). Memory is O(updates x model), so it is bounded: at most
// max_updates updates of num_params floats each (max_updates * num_params * 4 bytes), and
// one more is refused with RESOURCE_EXHAUSTED-like OUT_OF_RANGE "update.memory_bound".
//
// Ordered() gives the updates in a total order of their content (values' bits compared as
// a sign-magnitude total order, then the example count): the order robust rules reduce in,
// so their result does not depend on arrival order (docs/strategies.md, "Determinism").
// Thread-safety: not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace fedtee::aggregator {

// A key on float bits that orders -inf < ... < -0.0 < +0.0 < ... < +inf (IEEE totalOrder
// for non-NaN values): equal keys mean bit-identical floats.
uint32_t FloatOrderKey(float x);
// Zeroes n floats in a way the compiler keeps.
void WipeFloatsRaw(float* p, size_t n);

class UpdateStore {
 public:
  struct Kept {
    uint64_t num_examples = 0;
    std::vector<float> values;
  };

  // `max_updates` >= 1.
  explicit UpdateStore(size_t max_updates) : max_updates_(max_updates) {}
  ~UpdateStore();
  UpdateStore(const UpdateStore&) = delete;
  UpdateStore& operator=(const UpdateStore&) = delete;

  void Reset(size_t num_params);
  // "update.memory_bound" when count() + in_flight reaches max_updates.
  Status CanStage(size_t in_flight) const;
  // Keeps the buffer (moved out of `values`). "update.memory_bound" beyond max_updates,
  // "update.wrong_shape" for a wrong size.
  Status Add(std::vector<float>& values, uint64_t num_examples);

  size_t count() const { return kept_.size(); }
  size_t num_params() const { return num_params_; }
  size_t max_updates() const { return max_updates_; }
  // The kept updates in the content order described above.
  std::vector<const Kept*> Ordered() const;
  // Calls fn(coordinate, sorted) for every coordinate in increasing order, with the
  // count() values of that coordinate sorted by FloatOrderKey (a total order, so the span's
  // bits do not depend on arrival order). Works in cache-sized blocks of coordinates.
  template <typename Fn>
  void ForEachSortedColumn(Fn&& fn) const;

 private:
  size_t max_updates_;
  size_t num_params_ = 0;
  std::vector<Kept> kept_;
};

template <typename Fn>
void UpdateStore::ForEachSortedColumn(Fn&& fn) const {
  const size_t n = kept_.size();
  constexpr size_t kBlock = 256;
  std::vector<float> cols(n * kBlock);
  for (size_t start = 0; start < num_params_; start += kBlock) {
    const size_t width = std::min(kBlock, num_params_ - start);
    for (size_t u = 0; u < n; ++u) {
      const float* v = kept_[u].values.data() + start;
      for (size_t j = 0; j < width; ++j) cols[j * n + u] = v[j];
    }
    for (size_t j = 0; j < width; ++j) {
      std::span<float> col(cols.data() + j * n, n);
      std::sort(col.begin(), col.end(),
                [](float a, float b) { return FloatOrderKey(a) < FloatOrderKey(b); });
      fn(start + j, std::span<const float>(col));
    }
  }
  if (!cols.empty()) WipeFloatsRaw(cols.data(), cols.size());
}

}  // namespace fedtee::aggregator
