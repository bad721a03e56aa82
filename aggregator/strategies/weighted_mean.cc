#include "aggregator/strategies/weighted_mean.h"

#include "aggregator/strategies/strategy.h"

namespace fedtee::aggregator {

void WeightedMeanRule::Reset(size_t num_params) {
  sum_.Reset(num_params);
  total_weight_ = 0;
}

Status WeightedMeanRule::Add(std::vector<float>& values, uint64_t num_examples) {
  const uint64_t w = uniform_ ? 1 : num_examples;
  FEDTEE_RETURN_IF_ERROR(sum_.Add(values, static_cast<double>(w)));
  total_weight_ += w;
  WipeFloats(values);
  return Status::Ok();
}

Result<std::vector<double>> WeightedMeanRule::Aggregate() const {
  if (sum_.count() == 0 || total_weight_ == 0) {
    return Status::FailedPrecondition("round.too_few_updates", "no update was committed");
  }
  std::vector<double> out(sum_.num_params());
  sum_.Sum(out);
  const double total = static_cast<double>(total_weight_);
  for (double& x : out) x /= total;
  return out;
}

std::map<std::string, double> WeightedMeanRule::params() const {
  if (!uniform_) return {};
  return {{"uniform_weights", 1.0}};
}

}  // namespace fedtee::aggregator
