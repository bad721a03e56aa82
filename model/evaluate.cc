// Evaluate(), declared in model/trainer.h.
#include <Eigen/Core>
#include <limits>
#include <vector>

#include "model/metrics.h"
#include "model/network.h"
#include "model/trainer.h"

namespace fedtee::model {

Result<EvalResult> Evaluate(const ModelSpec& spec, const ModelParams& params, const Dataset& data) {
  FEDTEE_RETURN_IF_ERROR(CheckCompatible(spec, params, data));
  constexpr Eigen::Index kChunk = 4096;
  const Eigen::Index n = data.size();
  const bool binary = spec.num_classes == 2;
  std::vector<float> scores;
  if (binary) scores.reserve(static_cast<size_t>(n));
  double loss = 0;
  int64_t correct = 0;
  for (Eigen::Index start = 0; start < n; start += kChunk) {
    const Eigen::Index len = std::min(kChunk, n - start);
    const auto y = data.y.segment(start, len);
    const Eigen::MatrixXf probs = PredictProba(spec, params, data.x.middleRows(start, len));
    for (Eigen::Index i = 0; i < len; ++i) {
      Eigen::Index predicted;
      probs.row(i).maxCoeff(&predicted);
      correct += predicted == y[i];
      // Clamp so that a confidently wrong prediction costs a large finite loss, not inf.
      loss -= std::log(std::max(probs(i, y[i]), std::numeric_limits<float>::min()));
      if (binary) scores.push_back(probs(i, 1));
    }
  }
  EvalResult r;
  r.n = n;
  r.loss = loss / static_cast<double>(n);
  r.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  r.pr_auc = r.roc_auc = r.recall_at_precision = r.precision = r.recall = r.f1 = kNaN;
  if (binary) {
    const BinaryMetrics m =
        ComputeBinaryMetrics(scores, std::span<const int>(data.y.data(), static_cast<size_t>(n)),
                             0.5, kRecallAtPrecisionTarget);
    r.has_binary_metrics = true;
    r.pr_auc = m.pr_auc;
    r.roc_auc = m.roc_auc;
    r.recall_at_precision = m.recall_at_precision;
    r.precision = m.precision;
    r.recall = m.recall;
    r.f1 = m.f1;
  }
  return r;
}

}  // namespace fedtee::model
