#include "model/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace fedtee::model {
namespace {

TEST(BinaryMetricsTest, MatchesScikitLearnOnHandExample) {
  // sklearn.metrics.average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.8333...
  // and roc_auc_score(...) = 0.75 (the examples in scikit-learn's documentation).
  std::vector<float> scores = {0.1f, 0.4f, 0.35f, 0.8f};
  std::vector<int> labels = {0, 0, 1, 1};
  BinaryMetrics m = ComputeBinaryMetrics(scores, labels, 0.5, 0.9);
  EXPECT_NEAR(m.pr_auc, 5.0 / 6.0, 1e-12);
  EXPECT_NEAR(m.roc_auc, 0.75, 1e-12);
  // Thresholds from the top: 0.8 -> P=1 R=0.5; 0.4 -> P=0.5; 0.35 -> P=2/3 R=1.
  EXPECT_NEAR(m.recall_at_precision, 0.5, 1e-12);
  // Decision at 0.5: only 0.8 is predicted positive.
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_NEAR(m.f1, 2.0 / 3.0, 1e-12);
}

TEST(BinaryMetricsTest, TiesFormOneThreshold) {
  // All scores equal: one threshold with precision = prevalence, recall 1.
  std::vector<float> scores = {0.3f, 0.3f, 0.3f, 0.3f};
  std::vector<int> labels = {1, 0, 0, 0};
  BinaryMetrics m = ComputeBinaryMetrics(scores, labels);
  EXPECT_DOUBLE_EQ(m.pr_auc, 0.25);
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.5);
  EXPECT_DOUBLE_EQ(m.recall_at_precision, 0.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.0);  // nothing predicted positive
  EXPECT_DOUBLE_EQ(m.f1, 0.0);
}

TEST(BinaryMetricsTest, PerfectAndUndefined) {
  std::vector<float> scores = {0.9f, 0.8f, 0.2f, 0.1f};
  BinaryMetrics perfect = ComputeBinaryMetrics(scores, std::vector<int>{1, 1, 0, 0});
  EXPECT_DOUBLE_EQ(perfect.pr_auc, 1.0);
  EXPECT_DOUBLE_EQ(perfect.roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(perfect.recall_at_precision, 1.0);
  BinaryMetrics inverted = ComputeBinaryMetrics(scores, std::vector<int>{0, 0, 1, 1});
  EXPECT_DOUBLE_EQ(inverted.roc_auc, 0.0);
  EXPECT_NEAR(inverted.pr_auc, 0.5 * (1.0 / 3.0) + 0.5 * 0.5, 1e-12);
  BinaryMetrics none = ComputeBinaryMetrics(scores, std::vector<int>{0, 0, 0, 0});
  EXPECT_TRUE(std::isnan(none.pr_auc));
  EXPECT_TRUE(std::isnan(none.roc_auc));
  BinaryMetrics all = ComputeBinaryMetrics(scores, std::vector<int>{1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(all.pr_auc, 1.0);
  EXPECT_TRUE(std::isnan(all.roc_auc));
}

TEST(BinaryMetricsTest, AgreesWithScikitLearnWhenAvailable) {
  if (std::system("/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1") != 0) {
    GTEST_SKIP()
        << "/usr/bin/python3 with scikit-learn not available (apt install python3-sklearn)";
  }
  // 200 pseudo-random scores with ties (rounded to 2 decimals) and labels.
  std::vector<float> scores;
  std::vector<int> labels;
  uint32_t s = 12345;
  std::string py_scores, py_labels;
  for (int i = 0; i < 200; ++i) {
    s = s * 1103515245u + 12345u;
    int label = (s >> 16) % 5 == 0;
    s = s * 1103515245u + 12345u;
    float score = std::round(((s >> 8) % 1000) / 1000.0f * 50 + label * 20) / 100.0f;
    scores.push_back(score);
    labels.push_back(label);
    py_scores += std::to_string(score) + ",";
    py_labels += std::to_string(label) + ",";
  }
  BinaryMetrics m = ComputeBinaryMetrics(scores, labels);
  std::string cmd =
      "/usr/bin/python3 -c \"import numpy as np; from sklearn.metrics import "
      "average_precision_score as ap, roc_auc_score as auc; "
      "s=np.array([" +
      py_scores + "],dtype=np.float32); y=np.array([" + py_labels +
      "]); "
      "print(repr(ap(y,s)), repr(auc(y,s)))\"";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  double ap = 0, auc = 0;
  ASSERT_EQ(fscanf(pipe, "%lf %lf", &ap, &auc), 2);
  pclose(pipe);
  EXPECT_NEAR(m.pr_auc, ap, 1e-9);
  EXPECT_NEAR(m.roc_auc, auc, 1e-9);
}

}  // namespace
}  // namespace fedtee::model
