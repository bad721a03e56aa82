// Ranking and threshold metrics for binary classifiers, the ones that matter when the
// positive class is rare (fraud): accuracy alone says little when 98.5 % are negatives.
//
// Inputs: scores (higher = more likely positive) and labels (1 = positive, anything else
// negative), of equal length. Ties in scores are handled as one threshold, as
// scikit-learn's average_precision_score / roc_auc_score do, so the results match them.
// Undefined values (no positives; no negatives for ROC AUC) are NaN.
//
// Thread-safety: pure functions.
#pragma once

#include <span>

namespace fedtee::model {

struct BinaryMetrics {
  double pr_auc = 0;               // average precision: sum_k (R_k - R_{k-1}) P_k
  double roc_auc = 0;              // area under the ROC curve (trapezoids, ties count half)
  double recall_at_precision = 0;  // highest recall at any threshold with precision >= target
  double precision = 0;            // at `threshold` (predict positive when score > threshold)
  double recall = 0;
  double f1 = 0;
};

// Computes all of the above. precision (and f1) are 0 when nothing is predicted positive;
// recall_at_precision is 0 when no threshold reaches the target.
BinaryMetrics ComputeBinaryMetrics(std::span<const float> scores, std::span<const int> labels,
                                   double threshold = 0.5, double target_precision = 0.9);

}  // namespace fedtee::model
