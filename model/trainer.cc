#include "model/trainer.h"

#include <Eigen/Core>
#include <cmath>
#include <numeric>
#include <string>

#include "model/network.h"
#include "model/random.h"

namespace fedtee::model {
namespace {

Status BadSpec(std::string m) { return Status::InvalidArgument("model.bad_spec", std::move(m)); }
Status BadOptions(std::string m) {
  return Status::InvalidArgument("model.bad_options", std::move(m));
}

Status ValidateOptions(const TrainOptions& o) {
  if (o.epochs < 1) return BadOptions("epochs must be >= 1");
  if (o.batch_size < 1) return BadOptions("batch_size must be >= 1");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate)) {
    return BadOptions("learning_rate must be a positive number");
  }
  if (!(o.l2 >= 0) || !std::isfinite(o.l2)) return BadOptions("l2 must be >= 0");
  if (!(o.fedprox_mu >= 0) || !std::isfinite(o.fedprox_mu)) {
    return BadOptions("fedprox_mu must be >= 0");
  }
  return Status::Ok();
}

// Mean cross-entropy of params over all of data, in chunks.
double MeanLoss(const ModelSpec& spec, const ModelParams& params, const Dataset& data) {
  constexpr Eigen::Index kChunk = 4096;
  double total = 0;
  for (Eigen::Index start = 0; start < data.size(); start += kChunk) {
    const Eigen::Index len = std::min(kChunk, data.size() - start);
    total += LossAndGradient(spec, params, data.x.middleRows(start, len),
                             data.y.segment(start, len), {}, nullptr) *
             static_cast<double>(len);
  }
  return total / static_cast<double>(data.size());
}

}  // namespace

Status ValidateSpec(const ModelSpec& spec) {
  if (spec.num_features < 1) return BadSpec("num_features must be >= 1");
  if (spec.num_classes < 2) return BadSpec("num_classes must be >= 2 (binary problems use 2)");
  switch (spec.kind) {
    case ModelKind::kLogisticRegression:
      if (!spec.hidden.empty()) return BadSpec("logistic regression takes no hidden layers");
      return Status::Ok();
    case ModelKind::kMlp:
      if (spec.hidden.empty() || spec.hidden.size() > 2) {
        return BadSpec("an MLP has 1 or 2 hidden layers, got " +
                       std::to_string(spec.hidden.size()));
      }
      for (int h : spec.hidden) {
        if (h < 1) return BadSpec("hidden layer widths must be >= 1");
      }
      return Status::Ok();
  }
  return BadSpec("unknown model kind");
}

ModelParams InitParams(const ModelSpec& spec, uint64_t seed) {
  ModelParams params;
  if (!ValidateSpec(spec).ok()) return params;
  std::vector<int> widths = {spec.num_features};
  if (spec.kind == ModelKind::kMlp)
    widths.insert(widths.end(), spec.hidden.begin(), spec.hidden.end());
  widths.push_back(spec.num_classes);
  const std::vector<std::string> names = LayerNames(spec);
  Rng rng(seed);
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    const int fan_in = widths[l], fan_out = widths[l + 1];
    const bool output_layer = l + 2 == widths.size();
    Tensor w{names[l] + ".weight", {fan_out, fan_in}, {}};
    w.data.resize(static_cast<size_t>(fan_out) * fan_in);
    if (output_layer) {  // Xavier / Glorot uniform
      const double limit = std::sqrt(6.0 / (fan_in + fan_out));
      for (float& v : w.data) v = static_cast<float>(rng.Uniform(-limit, limit));
    } else {  // He / Kaiming normal, for the ReLU that follows
      const double stddev = std::sqrt(2.0 / fan_in);
      for (float& v : w.data) v = static_cast<float>(rng.Normal(0.0, stddev));
    }
    Tensor b{names[l] + ".bias", {fan_out}, std::vector<float>(fan_out, 0.0f)};
    // Names come from LayerNames and shapes from the spec: Add cannot fail here.
    (void)params.Add(std::move(w));
    (void)params.Add(std::move(b));
  }
  return params;
}

Result<TrainResult> TrainLocal(const ModelSpec& spec, const ModelParams& global,
                               const Dataset& data, const TrainOptions& options) {
  FEDTEE_RETURN_IF_ERROR(ValidateOptions(options));
  FEDTEE_RETURN_IF_ERROR(CheckCompatible(spec, global, data));
  FEDTEE_RETURN_IF_ERROR(global.CheckFinite().Wrap("global model"));

  TrainResult result;
  result.params = global;
  result.num_examples = data.size();
  ModelParams grad = global.Filled(0.0f);
  const Regularization reg{options.l2, options.fedprox_mu, &global};

  Rng rng(options.seed);
  std::vector<Eigen::Index> order(static_cast<size_t>(data.size()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  Eigen::MatrixXf xb;
  Eigen::VectorXi yb;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    rng.Shuffle(std::span<Eigen::Index>(order));
    for (size_t start = 0; start < order.size(); start += options.batch_size) {
      const size_t len = std::min<size_t>(options.batch_size, order.size() - start);
      const std::span<const Eigen::Index> batch(order.data() + start, len);
      xb = data.x(batch, Eigen::all);
      yb = data.y(batch);
      LossAndGradient(spec, result.params, xb, yb, reg, &grad);
      for (size_t i = 0; i < grad.size(); ++i) {
        std::span<float> p = result.params.mutable_data(i);
        const Eigen::Index n = static_cast<Eigen::Index>(p.size());
        Eigen::Map<Eigen::ArrayXf>(p.data(), n) -=
            options.learning_rate * Eigen::Map<const Eigen::ArrayXf>(grad[i].data.data(), n);
      }
      ++result.steps;
    }
  }
  Status finite = result.params.CheckFinite();
  if (!finite.ok()) {
    return Status::FailedPrecondition("model.diverged",
                                      "training produced " + finite.message() +
                                          "; lower the learning rate or standardise the features");
  }
  result.train_loss = MeanLoss(spec, result.params, data);
  return result;
}

}  // namespace fedtee::model
