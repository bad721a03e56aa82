// Local training and evaluation of the models a participant trains: multinomial logistic
// regression and a small multi-layer perceptron, in Eigen.
//
// Models (parameter names and shapes follow PyTorch's nn.Linear state_dict, [out, in]):
//   kLogisticRegression  logits = x W^T + b
//                        "linear.weight" [C, F], "linear.bias" [C]
//   kMlp, hidden {H1}    "fc1.weight" [H1, F], "fc1.bias" [H1], "fc2.weight" [C, H1], "fc2.bias"
//   [C] kMlp, hidden {H1,H2} adds a third layer: fc1 [H1, F], fc2 [H2, H1], fc3 [C, H2]
// with ReLU between layers and a softmax over C = num_classes outputs (binary problems use
// C = 2). So a trained model loads into `torch.nn.Linear` layers of the same names.
//
// Training is minibatch SGD on the mean softmax cross-entropy plus
//   l2/2 * sum ||W||^2 over weight matrices (not biases), and
//   fedprox_mu/2 * ||w - w_global||^2 over every parameter (FedProx, Li et al. 2020),
// with a constant learning rate. Each epoch visits the examples in a fresh order shuffled
// from the seed; the last batch of an epoch may be smaller.
//
// Determinism: the same (spec, global params, data, options) give bit-identical results
// on the same build and machine. Eigen's products are single-threaded here (no OpenMP).
//
// Thread-safety: free functions without shared state; distinct calls may run in parallel.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "model/dataset.h"
#include "model/tensor.h"

namespace fedtee::model {

enum class ModelKind { kLogisticRegression, kMlp };

struct ModelSpec {
  ModelKind kind = ModelKind::kLogisticRegression;
  int num_features = 0;          // F >= 1
  int num_classes = 2;           // C >= 2
  std::vector<int> hidden = {};  // MLP: 1 or 2 hidden layer widths (each >= 1); LR: empty
};

// INVALID_ARGUMENT "model.bad_spec" naming what is wrong.
Status ValidateSpec(const ModelSpec& spec);

// Fresh parameters for `spec` from `seed`: He-normal weights (std sqrt(2/fan_in)) for layers
// followed by a ReLU, Xavier-uniform (limit sqrt(6/(fan_in+fan_out))) for the output layer,
// zero biases. Returns an empty ModelParams if ValidateSpec(spec) fails.
ModelParams InitParams(const ModelSpec& spec, uint64_t seed);

struct TrainOptions {
  int epochs = 1;              // passes over the local data, >= 1
  int batch_size = 32;         // examples per SGD step, >= 1
  float learning_rate = 0.1f;  // SGD step size, > 0
  float l2 = 0;                // weight decay on weight matrices, >= 0
  float fedprox_mu = 0;        // FedProx proximal term mu/2*||w - w_global||^2, >= 0 (0 = FedAvg)
  uint64_t seed = 0;           // seeds the shuffling
};

struct TrainResult {
  ModelParams params;        // the locally trained parameters (same layout as global)
  int64_t num_examples = 0;  // local training examples (the FedAvg weight)
  double train_loss = 0;     // mean cross-entropy of `params` over the local data
  int64_t steps = 0;         // SGD steps taken
};

// Trains from `global` on `data`. Errors (INVALID_ARGUMENT unless noted):
//   model.bad_spec, model.bad_options (a field outside its range), model.layout_mismatch
//   (global does not match the spec), model.feature_mismatch, model.bad_label (a label
//   >= spec.num_classes), model.empty_dataset, CORRUPTION model.non_finite (global holds
//   NaN/inf), FAILED_PRECONDITION model.diverged (training produced NaN/inf: lower the
//   learning rate or standardise the features).
Result<TrainResult> TrainLocal(const ModelSpec& spec, const ModelParams& global,
                               const Dataset& data, const TrainOptions& options);

// The precision at which EvalResult::recall_at_precision is measured.
inline constexpr double kRecallAtPrecisionTarget = 0.9;

struct EvalResult {
  double loss = 0;      // mean softmax cross-entropy
  double accuracy = 0;  // share of examples whose argmax class is the label
  int64_t n = 0;        // examples evaluated
  // Binary problems only (num_classes == 2; positive class 1, score = P(class 1));
  // NaN otherwise, or when undefined (no positives / no negatives in the data).
  bool has_binary_metrics = false;
  double pr_auc = 0;               // average precision (area under the PR curve, step-wise)
  double roc_auc = 0;              // area under the ROC curve (ties count half)
  double recall_at_precision = 0;  // best recall with precision >= kRecallAtPrecisionTarget
  double precision = 0, recall = 0, f1 = 0;  // of the argmax decision (P(class 1) > 0.5)
};

// Evaluates `params` on `data`, in row chunks (memory O(chunk), not O(n)). Errors as
// TrainLocal's (bad_spec, layout_mismatch, feature_mismatch, bad_label, empty_dataset).
Result<EvalResult> Evaluate(const ModelSpec& spec, const ModelParams& params, const Dataset& data);

}  // namespace fedtee::model
