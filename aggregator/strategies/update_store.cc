#include "aggregator/strategies/update_store.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <bit>
#include <string>

#include "aggregator/strategies/strategy.h"

namespace fedtee::aggregator {

uint32_t FloatOrderKey(float x) {
  const uint32_t b = std::bit_cast<uint32_t>(x);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

void WipeFloatsRaw(float* p, size_t n) { OPENSSL_cleanse(p, n * sizeof(float)); }

UpdateStore::~UpdateStore() {
  for (Kept& k : kept_) WipeFloats(k.values);
}

void UpdateStore::Reset(size_t num_params) {
  for (Kept& k : kept_) WipeFloats(k.values);
  kept_.clear();
  num_params_ = num_params;
}

Status UpdateStore::CanStage(size_t in_flight) const {
  if (kept_.size() + in_flight >= max_updates_) {
    return Status::OutOfRange(
        "update.memory_bound",
        "this strategy keeps every update and is bounded to " + std::to_string(max_updates_) +
            " updates of " + std::to_string(num_params_) + " values (max_updates)");
  }
  return Status::Ok();
}

Status UpdateStore::Add(std::vector<float>& values, uint64_t num_examples) {
  if (values.size() != num_params_) {
    return Status::InvalidArgument("update.wrong_shape", "the update holds " +
                                                             std::to_string(values.size()) +
                                                             " values, the model " +
                                                             std::to_string(num_params_));
  }
  if (kept_.size() >= max_updates_) return CanStage(0);
  kept_.push_back(Kept{num_examples, std::move(values)});
  values.clear();
  return Status::Ok();
}

std::vector<const UpdateStore::Kept*> UpdateStore::Ordered() const {
  std::vector<const Kept*> out;
  out.reserve(kept_.size());
  for (const Kept& k : kept_) out.push_back(&k);
  std::sort(out.begin(), out.end(), [](const Kept* a, const Kept* b) {
    for (size_t i = 0; i < a->values.size(); ++i) {
      const uint32_t ka = FloatOrderKey(a->values[i]);
      const uint32_t kb = FloatOrderKey(b->values[i]);
      if (ka != kb) return ka < kb;
    }
    return a->num_examples < b->num_examples;
  });
  return out;
}

}  // namespace fedtee::aggregator
