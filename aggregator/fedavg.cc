#include "aggregator/fedavg.h"

#include <openssl/crypto.h>

#include <cmath>
#include <utility>

namespace fedtee::aggregator {

void WipeFloats(std::vector<float>& v) {
  if (!v.empty()) OPENSSL_cleanse(v.data(), v.size() * sizeof(float));
  v.clear();
  v.shrink_to_fit();
}

namespace {
void WipeDoubles(std::vector<double>& v) {
  if (!v.empty()) OPENSSL_cleanse(v.data(), v.size() * sizeof(double));
  v.clear();
  v.shrink_to_fit();
}
}  // namespace

FedAvg::FedAvg(FedAvgOptions options) : options_(options) {}

FedAvg::~FedAvg() {
  for (auto& [id, s] : stages_) WipeFloats(s.values);
  WipeDoubles(sum_);
}

void FedAvg::Reset(std::vector<float> global) {
  for (auto& [id, s] : stages_) WipeFloats(s.values);
  stages_.clear();
  WipeDoubles(sum_);
  global_ = std::move(global);
  sum_.assign(global_.size(), 0.0);
  total_examples_ = 0;
  committed_ = 0;
  has_model_ = true;
}

Result<StageId> FedAvg::Stage(uint64_t num_examples) {
  if (!has_model_) {
    return Status::FailedPrecondition("round.no_model", "no global model for this round yet");
  }
  if (num_examples == 0) {
    return Status::InvalidArgument("update.bad_example_count",
                                   "an update must be trained on at least one example");
  }
  if (options_.max_in_flight != 0 && stages_.size() >= options_.max_in_flight) {
    return Status::Unavailable("update.busy", "already " + std::to_string(stages_.size()) +
                                                  " updates in flight; try again later");
  }
  StageId id = next_id_++;
  Staged& s = stages_[id];
  s.num_examples = num_examples;
  s.values.reserve(global_.size());
  return id;
}

Status FedAvg::Append(StageId id, std::span<const float> values) {
  auto it = stages_.find(id);
  if (it == stages_.end()) {
    return Status::FailedPrecondition("update.no_stage", "no staged update with this id");
  }
  Staged& s = it->second;
  if (values.size() > global_.size() - s.values.size()) {
    Abort(id);
    return Status::InvalidArgument(
        "update.wrong_shape",
        "the update holds more values than the model's " + std::to_string(global_.size()));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      const size_t at = s.values.size() + i;
      Abort(id);
      return Status::InvalidArgument("update.non_finite",
                                     "value " + std::to_string(at) + " is NaN or infinite");
    }
  }
  s.values.insert(s.values.end(), values.begin(), values.end());
  return Status::Ok();
}

Status FedAvg::Commit(StageId id) {
  auto it = stages_.find(id);
  if (it == stages_.end()) {
    return Status::FailedPrecondition("update.no_stage", "no staged update with this id");
  }
  Staged& s = it->second;
  if (s.values.size() != global_.size()) {
    const size_t got = s.values.size();
    Abort(id);
    return Status::InvalidArgument("update.wrong_shape", "the update holds " + std::to_string(got) +
                                                             " values, the model " +
                                                             std::to_string(global_.size()));
  }
  const double w = static_cast<double>(s.num_examples);
  const float* v = s.values.data();
  double* sum = sum_.data();
  const size_t n = sum_.size();
  for (size_t i = 0; i < n; ++i) sum[i] += w * static_cast<double>(v[i]);
  total_examples_ += s.num_examples;
  ++committed_;
  WipeFloats(s.values);
  stages_.erase(it);
  return Status::Ok();
}

void FedAvg::Abort(StageId id) {
  auto it = stages_.find(id);
  if (it == stages_.end()) return;
  WipeFloats(it->second.values);
  stages_.erase(it);
}

Result<std::vector<float>> FedAvg::Finalize() const {
  if (!has_model_) {
    return Status::FailedPrecondition("round.no_model", "no global model for this round");
  }
  if (committed_ == 0 || total_examples_ == 0) {
    return Status::FailedPrecondition("round.too_few_updates", "no update was committed");
  }
  const double inv = 1.0 / static_cast<double>(total_examples_);
  std::vector<float> out(global_.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const double x = static_cast<double>(global_[i]) + sum_[i] * inv;
    out[i] = static_cast<float>(x);
    if (!std::isfinite(out[i])) {
      return Status::Internal("aggregate.non_finite",
                              "aggregate value " + std::to_string(i) + " overflows float32");
    }
  }
  return out;
}

Result<std::unique_ptr<Strategy>> MakeStrategy(const std::string& name,
                                               const std::map<std::string, double>& params,
                                               size_t max_in_flight) {
  if (name.empty() || name == "fedavg") {
    if (!params.empty()) {
      return Status::InvalidArgument(
          "round.bad_strategy_params",
          "fedavg takes no parameters, got '" + params.begin()->first + "'");
    }
    return std::unique_ptr<Strategy>(new FedAvg(FedAvgOptions{max_in_flight}));
  }
  return Status::InvalidArgument("round.unknown_strategy",
                                 "strategy '" + name + "' is not supported (supported: fedavg)");
}

}  // namespace fedtee::aggregator
