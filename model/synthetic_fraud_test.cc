#include "model/synthetic_fraud.h"

#include <gtest/gtest.h>

#include <iostream>

#include "model/split.h"
#include "model/standardizer.h"
#include "model/trainer.h"

namespace fedtee::model {
namespace {

TEST(SyntheticFraudTest, ShapeNamesAndRate) {
  FraudOptions o;
  o.num_transactions = 50000;
  o.fraud_rate = 0.015;
  Dataset d = MakeSyntheticFraud(o);
  EXPECT_TRUE(d.Validate().ok());
  EXPECT_EQ(d.size(), 50000);
  EXPECT_EQ(d.num_features(), 8 + kNumMerchantCategories);
  EXPECT_EQ(d.feature_names, SyntheticFraudFeatureNames());
  EXPECT_EQ(d.feature_names[0], "log_amount");
  EXPECT_EQ(d.feature_names.back(), "cat_cash_withdrawal");
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"legit", "fraud"}));
  const double rate = static_cast<double>(d.ClassCounts()[1]) / d.size();
  EXPECT_NEAR(rate, 0.015, 0.002);
  // One-hot merchant category; binary flags; hour on the unit circle.
  Eigen::VectorXf onehot = d.x.rightCols(kNumMerchantCategories).rowwise().sum();
  EXPECT_TRUE((onehot.array() == 1.0f).all());
  for (int col : {5, 6, 7}) {
    EXPECT_TRUE((d.x.col(col).array() == 0.0f || d.x.col(col).array() == 1.0f).all());
  }
  Eigen::ArrayXf radius = d.x.col(1).array().square() + d.x.col(2).array().square();
  EXPECT_TRUE(((radius - 1.0f).abs() < 1e-5f).all());
  EXPECT_TRUE(d.x.allFinite());
}

TEST(SyntheticFraudTest, FraudLooksDifferentOnAverage) {
  Dataset d = MakeSyntheticFraud({.num_transactions = 40000, .seed = 3});
  auto mean_of = [&](int col, int label) {
    double sum = 0;
    int64_t n = 0;
    for (Eigen::Index i = 0; i < d.size(); ++i) {
      if (d.y[i] == label) sum += d.x(i, col), ++n;
    }
    return sum / n;
  };
  EXPECT_GT(mean_of(0, 1), mean_of(0, 0) + 0.3);  // larger amounts
  EXPECT_GT(mean_of(3, 1), mean_of(3, 0) + 1.0);  // farther from home
  EXPECT_GT(mean_of(4, 1), mean_of(4, 0) + 1.0);  // higher velocity
  EXPECT_LT(mean_of(5, 1), mean_of(5, 0));        // card present less often
  EXPECT_GT(mean_of(6, 1), mean_of(6, 0));        // more often abroad
}

TEST(SyntheticFraudTest, DeterministicAndShiftedPerBank) {
  FraudOptions o{.num_transactions = 2000, .seed = 9};
  Dataset a = MakeSyntheticFraud(o);
  Dataset b = MakeSyntheticFraud(o);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  o.seed = 10;
  EXPECT_NE(MakeSyntheticFraud(o).x, a.x);

  std::vector<FraudOptions> banks = DefaultBankProfiles(5, 1, 20000);
  ASSERT_EQ(banks.size(), 5u);
  std::vector<double> mean_amount;
  for (const FraudOptions& bank : banks) {
    Dataset d = MakeSyntheticFraud(bank);
    mean_amount.push_back(d.x.col(0).mean());
    const double rate = static_cast<double>(d.ClassCounts()[1]) / d.size();
    EXPECT_GT(rate, 0.005);
    EXPECT_LT(rate, 0.03);
  }
  // The wealthy-clients bank (amount_scale 3) spends more than the rural one (0.7).
  EXPECT_GT(mean_amount[3], mean_amount[4] + 1.0);
  EXPECT_NE(banks[0].seed, banks[1].seed);
}

TEST(SyntheticFraudTest, LogisticRegressionFindsMostFraud) {
  Dataset d = MakeSyntheticFraud({.num_transactions = 30000, .fraud_rate = 0.015, .seed = 4});
  Result<TrainTest> split = TrainTestSplit(d, 0.3, 1);
  ASSERT_TRUE(split.ok());
  Result<Standardizer> s = Standardizer::Fit(split->train);
  ASSERT_TRUE(s->Apply(&split->train).ok());
  ASSERT_TRUE(s->Apply(&split->test).ok());
  const ModelSpec spec{ModelKind::kLogisticRegression, d.num_features(), 2};
  Result<TrainResult> t = TrainLocal(spec, InitParams(spec, 1), split->train,
                                     {.epochs = 5, .batch_size = 64, .learning_rate = 0.05f});
  ASSERT_TRUE(t.ok());
  Result<EvalResult> e = Evaluate(spec, t->params, split->test);
  ASSERT_TRUE(e.ok());
  std::cout << "synthetic fraud LR: PR-AUC " << e->pr_auc << ", ROC AUC " << e->roc_auc
            << ", recall@precision0.9 " << e->recall_at_precision << ", accuracy " << e->accuracy
            << "\n";
  // Prevalence is ~0.015, so a PR-AUC far above it means real signal; the camouflaged
  // 15 % of fraud keeps it well below 1.
  EXPECT_GT(e->pr_auc, 0.5);
  EXPECT_LT(e->pr_auc, 0.98);
  EXPECT_GT(e->recall_at_precision, 0.3);
}

}  // namespace
}  // namespace fedtee::model
