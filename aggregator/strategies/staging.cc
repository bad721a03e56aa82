#include "aggregator/strategies/staging.h"

#include <openssl/crypto.h>

#include <cmath>
#include <string>
#include <utility>

namespace fedtee::aggregator {

void WipeFloats(std::vector<float>& v) {
  if (!v.empty()) OPENSSL_cleanse(v.data(), v.size() * sizeof(float));
  v.clear();
  v.shrink_to_fit();
}

void WipeDoubles(std::vector<double>& v) {
  if (!v.empty()) OPENSSL_cleanse(v.data(), v.size() * sizeof(double));
  v.clear();
  v.shrink_to_fit();
}

StagingArea::~StagingArea() {
  for (auto& [id, s] : stages_) WipeFloats(s.values);
}

void StagingArea::Reset(size_t num_params) {
  for (auto& [id, s] : stages_) WipeFloats(s.values);
  stages_.clear();
  num_params_ = num_params;
}

Result<StageId> StagingArea::Stage(uint64_t num_examples) {
  if (num_examples == 0) {
    return Status::InvalidArgument("update.bad_example_count",
                                   "an update must be trained on at least one example");
  }
  if (max_in_flight_ != 0 && stages_.size() >= max_in_flight_) {
    return Status::Unavailable("update.busy", "already " + std::to_string(stages_.size()) +
                                                  " updates in flight; try again later");
  }
  StageId id = next_id_++;
  Update& s = stages_[id];
  s.num_examples = num_examples;
  s.values.reserve(num_params_);
  return id;
}

Status StagingArea::Append(StageId id, std::span<const float> values) {
  auto it = stages_.find(id);
  if (it == stages_.end()) {
    return Status::FailedPrecondition("update.no_stage", "no staged update with this id");
  }
  Update& s = it->second;
  if (values.size() > num_params_ - s.values.size()) {
    Abort(id);
    return Status::InvalidArgument(
        "update.wrong_shape",
        "the update holds more values than the model's " + std::to_string(num_params_));
  }
  // Branch-free scan (vectorisable); the position is looked up only on failure.
  bool finite = true;
  for (float x : values) finite &= std::isfinite(x);
  if (!finite) {
    size_t at = s.values.size();
    for (size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) {
        at += i;
        break;
      }
    }
    Abort(id);
    return Status::InvalidArgument("update.non_finite",
                                   "value " + std::to_string(at) + " is NaN or infinite");
  }
  s.values.insert(s.values.end(), values.begin(), values.end());
  return Status::Ok();
}

Result<StagingArea::Update> StagingArea::Take(StageId id) {
  auto it = stages_.find(id);
  if (it == stages_.end()) {
    return Status::FailedPrecondition("update.no_stage", "no staged update with this id");
  }
  if (it->second.values.size() != num_params_) {
    const size_t got = it->second.values.size();
    Abort(id);
    return Status::InvalidArgument("update.wrong_shape", "the update holds " + std::to_string(got) +
                                                             " values, the model " +
                                                             std::to_string(num_params_));
  }
  Update out = std::move(it->second);
  stages_.erase(it);
  return out;
}

void StagingArea::Abort(StageId id) {
  auto it = stages_.find(id);
  if (it == stages_.end()) return;
  WipeFloats(it->second.values);
  stages_.erase(it);
}

}  // namespace fedtee::aggregator
