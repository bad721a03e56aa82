#include "model/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "model/split.h"
#include "model/standardizer.h"

namespace fedtee::model {
namespace {

constexpr const char* kBreastCancer =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

// Standardised breast-cancer train/test split (80/20, stratified, seed 1).
std::optional<TrainTest> BreastCancer() {
  if (!std::filesystem::exists(kBreastCancer)) return std::nullopt;
  Result<Dataset> data = LoadSklearnCsv(kBreastCancer);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  Result<TrainTest> split = TrainTestSplit(*data, 0.2, 1);
  EXPECT_TRUE(split.ok());
  Result<Standardizer> standardizer = Standardizer::Fit(split->train);
  EXPECT_TRUE(standardizer->Apply(&split->train).ok());
  EXPECT_TRUE(standardizer->Apply(&split->test).ok());
  return std::move(split).value();
}

// Two Gaussian blobs per class in 4 dimensions: easy for LR, a sanity set for the rest.
Dataset Blobs(int n, uint64_t seed) {
  Dataset d;
  d.x.resize(n, 4);
  d.y.resize(n);
  d.num_classes = 3;
  d.class_names = {"a", "b", "c"};
  d.feature_names = {"x0", "x1", "x2", "x3"};
  uint64_t s = seed;
  auto next = [&s]() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<float>((s >> 40) % 10000) / 10000.0f - 0.5f;
  };
  for (int i = 0; i < n; ++i) {
    d.y[i] = i % 3;
    for (int j = 0; j < 4; ++j) d.x(i, j) = next() + (j == d.y[i] ? 1.5f : 0.0f);
  }
  return d;
}

bool BitIdentical(const ModelParams& a, const ModelParams& b) {
  std::vector<float> fa = a.Flatten(), fb = b.Flatten();
  return fa.size() == fb.size() &&
         std::memcmp(fa.data(), fb.data(), fa.size() * sizeof(float)) == 0;
}

TEST(TrainLocalTest, SameSeedBitIdenticalDifferentSeedDifferent) {
  Dataset data = Blobs(300, 1);
  for (ModelSpec spec : {ModelSpec{ModelKind::kLogisticRegression, 4, 3},
                         ModelSpec{ModelKind::kMlp, 4, 3, {16, 8}}}) {
    ModelParams global = InitParams(spec, 11);
    EXPECT_TRUE(BitIdentical(global, InitParams(spec, 11)));
    EXPECT_FALSE(BitIdentical(global, InitParams(spec, 12)));
    TrainOptions options{.epochs = 3, .batch_size = 16, .learning_rate = 0.05f, .seed = 5};
    Result<TrainResult> a = TrainLocal(spec, global, data, options);
    Result<TrainResult> b = TrainLocal(spec, global, data, options);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString();
    EXPECT_TRUE(BitIdentical(a->params, b->params));
    EXPECT_EQ(a->train_loss, b->train_loss);
    options.seed = 6;
    Result<TrainResult> c = TrainLocal(spec, global, data, options);
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(BitIdentical(a->params, c->params));
    EXPECT_EQ(a->num_examples, 300);
    EXPECT_EQ(a->steps, 3 * 19);  // ceil(300 / 16) per epoch
    EXPECT_TRUE(a->params.SameLayout(global));
  }
}

TEST(TrainLocalTest, LogisticRegressionOnBreastCancer) {
  auto split = BreastCancer();
  if (!split) GTEST_SKIP() << kBreastCancer << " absent (apt install python3-sklearn)";
  const ModelSpec spec{ModelKind::kLogisticRegression, 30, 2};
  TrainOptions options{
      .epochs = 30, .batch_size = 32, .learning_rate = 0.05f, .l2 = 0.01f, .seed = 1};
  Result<TrainResult> trained = TrainLocal(spec, InitParams(spec, 1), split->train, options);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  Result<EvalResult> test = Evaluate(spec, trained->params, split->test);
  ASSERT_TRUE(test.ok());
  std::cout << "breast_cancer logistic regression: train loss " << trained->train_loss
            << ", test accuracy " << test->accuracy << ", test loss " << test->loss << ", ROC AUC "
            << test->roc_auc << " (n=" << test->n << ")\n";
  RecordProperty("test_accuracy", std::to_string(test->accuracy));
  EXPECT_EQ(test->n, 113);  // round(0.2 * 212) + round(0.2 * 357)
  EXPECT_GE(test->accuracy, 0.95);
  EXPECT_LT(trained->train_loss, 0.1);
  EXPECT_TRUE(test->has_binary_metrics);
  EXPECT_GT(test->roc_auc, 0.98);
}

TEST(TrainLocalTest, MlpOnBreastCancer) {
  auto split = BreastCancer();
  if (!split) GTEST_SKIP() << kBreastCancer << " absent (apt install python3-sklearn)";
  const ModelSpec spec{ModelKind::kMlp, 30, 2, {16}};
  TrainOptions options{
      .epochs = 30, .batch_size = 32, .learning_rate = 0.05f, .l2 = 1e-3f, .seed = 3};
  Result<TrainResult> trained = TrainLocal(spec, InitParams(spec, 2), split->train, options);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  Result<EvalResult> test = Evaluate(spec, trained->params, split->test);
  ASSERT_TRUE(test.ok());
  std::cout << "breast_cancer MLP(16): test accuracy " << test->accuracy << "\n";
  EXPECT_GE(test->accuracy, 0.93);
}

TEST(TrainLocalTest, HugeFedProxMuKeepsParamsNearGlobal) {
  Dataset data = Blobs(300, 2);
  const ModelSpec spec{ModelKind::kMlp, 4, 3, {8}};
  ModelParams global = InitParams(spec, 1);
  TrainOptions options{.epochs = 5, .batch_size = 16, .learning_rate = 0.01f, .seed = 1};
  Result<TrainResult> free = TrainLocal(spec, global, data, options);
  options.fedprox_mu = 100.0f;  // lr * mu = 1: each step pulls all the way back to global
  Result<TrainResult> prox = TrainLocal(spec, global, data, options);
  ASSERT_TRUE(free.ok() && prox.ok());
  const double free_drift = L2Norm(*Delta(free->params, global));
  const double prox_drift = L2Norm(*Delta(prox->params, global));
  EXPECT_GT(free_drift, 0.1);
  EXPECT_LT(prox_drift, 0.05 * free_drift) << "free " << free_drift << " prox " << prox_drift;
  options.fedprox_mu = 1.0f;  // a moderate mu lies in between
  const double mid_drift = L2Norm(*Delta(TrainLocal(spec, global, data, options)->params, global));
  EXPECT_LT(mid_drift, free_drift);
  EXPECT_GT(mid_drift, prox_drift);
}

TEST(TrainLocalTest, ErrorsAreNamed) {
  Dataset data = Blobs(30, 3);
  const ModelSpec spec{ModelKind::kLogisticRegression, 4, 3};
  ModelParams global = InitParams(spec, 1);
  auto reason = [&](const ModelSpec& s, const ModelParams& g, const Dataset& d,
                    const TrainOptions& o) { return TrainLocal(s, g, d, o).status().reason(); };
  EXPECT_EQ(reason({ModelKind::kLogisticRegression, 0, 3}, global, data, {}), "model.bad_spec");
  EXPECT_EQ(reason({ModelKind::kLogisticRegression, 4, 1}, global, data, {}), "model.bad_spec");
  EXPECT_EQ(reason({ModelKind::kMlp, 4, 3, {1, 2, 3}}, global, data, {}), "model.bad_spec");
  EXPECT_EQ(reason(spec, global, data, {.epochs = 0}), "model.bad_options");
  EXPECT_EQ(reason(spec, global, data, {.batch_size = 0}), "model.bad_options");
  EXPECT_EQ(reason(spec, global, data, {.learning_rate = -1}), "model.bad_options");
  EXPECT_EQ(reason(spec, global, data, {.fedprox_mu = -1}), "model.bad_options");
  EXPECT_EQ(reason(spec, InitParams({ModelKind::kMlp, 4, 3, {5}}, 1), data, {}),
            "model.layout_mismatch");
  EXPECT_EQ(reason({ModelKind::kLogisticRegression, 5, 3},
                   InitParams({ModelKind::kLogisticRegression, 5, 3}, 1), data, {}),
            "model.feature_mismatch");
  EXPECT_EQ(reason({ModelKind::kLogisticRegression, 4, 2},
                   InitParams({ModelKind::kLogisticRegression, 4, 2}, 1), data, {}),
            "model.bad_label");
  EXPECT_EQ(reason(spec, global, Subset(data, {}), {}), "model.empty_dataset");
  ModelParams nan = global;
  nan.mutable_data(0)[0] = std::nanf("");
  EXPECT_EQ(reason(spec, nan, data, {}), "model.non_finite");
  Dataset huge = data;
  huge.x *= 1e30f;
  Result<TrainResult> diverged = TrainLocal(spec, global, huge, {.learning_rate = 1e30f});
  EXPECT_EQ(diverged.status().reason(), "model.diverged");
  EXPECT_EQ(diverged.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Evaluate(spec, InitParams({ModelKind::kMlp, 4, 3, {5}}, 1), data).status().reason(),
            "model.layout_mismatch");
}

TEST(EvaluateTest, MulticlassHasNoBinaryMetrics) {
  Dataset data = Blobs(90, 4);
  const ModelSpec spec{ModelKind::kLogisticRegression, 4, 3};
  Result<TrainResult> t = TrainLocal(spec, InitParams(spec, 1), data, {.epochs = 20});
  ASSERT_TRUE(t.ok());
  Result<EvalResult> e = Evaluate(spec, t->params, data);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->n, 90);
  EXPECT_GT(e->accuracy, 0.9);
  EXPECT_NEAR(e->loss, t->train_loss, 1e-4);
  EXPECT_FALSE(e->has_binary_metrics);
  EXPECT_TRUE(std::isnan(e->pr_auc));
}

}  // namespace
}  // namespace fedtee::model
