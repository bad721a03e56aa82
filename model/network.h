// The forward and backward passes behind TrainLocal and Evaluate: a stack of dense layers
// with ReLU between them and softmax cross-entropy on top, vectorised over a batch.
// Exposed for the gradient-check tests and for callers that want probabilities.
//
// Preconditions (checked by CheckCompatible, assumed by the rest): the spec is valid,
// params has InitParams(spec)'s layout, x has spec.num_features columns and labels are in
// [0, num_classes). Thread-safety: pure functions.
#pragma once

#include <Eigen/Core>

#include "base/status.h"
#include "model/tensor.h"
#include "model/trainer.h"

namespace fedtee::model {

// Extra terms of the training objective.
struct Regularization {
  float l2 = 0;                         // l2/2 * sum ||W||^2 over weight matrices
  float fedprox_mu = 0;                 // mu/2 * ||w - anchor||^2 over all parameters
  const ModelParams* anchor = nullptr;  // the global model; required when fedprox_mu > 0
};

// The layer names of `spec` in order: {"linear"} or {"fc1", "fc2"[, "fc3"]}.
std::vector<std::string> LayerNames(const ModelSpec& spec);

// Checks the preconditions above: model.bad_spec, model.layout_mismatch,
// model.feature_mismatch, model.bad_label, model.empty_dataset.
Status CheckCompatible(const ModelSpec& spec, const ModelParams& params, const Dataset& data);

// Mean cross-entropy over the rows of x plus the regularisation terms. When `grad` is not
// null it receives the gradient of that objective (reshaped to params' layout if needed).
// Accumulates the loss in double.
double LossAndGradient(const ModelSpec& spec, const ModelParams& params,
                       const Eigen::Ref<const Eigen::MatrixXf>& x,
                       const Eigen::Ref<const Eigen::VectorXi>& y, const Regularization& reg,
                       ModelParams* grad);

// Class probabilities, one row per row of x (rows sum to 1).
Eigen::MatrixXf PredictProba(const ModelSpec& spec, const ModelParams& params,
                             const Eigen::Ref<const Eigen::MatrixXf>& x);

}  // namespace fedtee::model
