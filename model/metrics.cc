#include "model/metrics.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace fedtee::model {

BinaryMetrics ComputeBinaryMetrics(std::span<const float> scores, std::span<const int> labels,
                                   double threshold, double target_precision) {
  assert(scores.size() == labels.size());
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const size_t n = scores.size();
  BinaryMetrics m;

  // Threshold metrics of the decision rule.
  double tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < n; ++i) {
    const bool positive = labels[i] == 1;
    const bool predicted = scores[i] > threshold;
    tp += positive && predicted;
    fp += !positive && predicted;
    fn += positive && !predicted;
  }
  const double total_pos = tp + fn;
  const double total_neg = static_cast<double>(n) - total_pos;
  m.precision = tp + fp > 0 ? tp / (tp + fp) : 0.0;
  m.recall = total_pos > 0 ? tp / total_pos : kNaN;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;

  // Ranking metrics: walk the distinct scores from the highest down.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double ctp = 0, cfp = 0;  // cumulative counts at the current threshold
  double prev_recall = 0, prev_fpr = 0, prev_tpr = 0;
  double ap = 0, auc = 0, best_recall = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) {
      (labels[order[j]] == 1 ? ctp : cfp) += 1;
      ++j;
    }
    i = j;
    if (total_pos > 0) {
      const double recall = ctp / total_pos;
      const double precision = ctp / (ctp + cfp);
      ap += (recall - prev_recall) * precision;
      prev_recall = recall;
      if (precision >= target_precision) best_recall = std::max(best_recall, recall);
    }
    if (total_pos > 0 && total_neg > 0) {
      const double tpr = ctp / total_pos, fpr = cfp / total_neg;
      auc += (fpr - prev_fpr) * (tpr + prev_tpr) / 2;
      prev_fpr = fpr;
      prev_tpr = tpr;
    }
  }
  m.pr_auc = total_pos > 0 ? ap : kNaN;
  m.roc_auc = total_pos > 0 && total_neg > 0 ? auc : kNaN;
  m.recall_at_precision = total_pos > 0 ? best_recall : kNaN;
  return m;
}

}  // namespace fedtee::model
