// Gradient checks of the forward/backward pass against central finite differences.
#include "model/network.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/random.h"

namespace fedtee::model {
namespace {

struct Problem {
  Eigen::MatrixXf x;
  Eigen::VectorXi y;
};

Problem RandomProblem(int n, int features, int classes, uint64_t seed) {
  Rng rng(seed);
  Problem p;
  p.x.resize(n, features);
  p.y.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < features; ++j) p.x(i, j) = static_cast<float>(rng.Normal());
    p.y[i] = static_cast<int>(rng.UniformInt(classes));
  }
  return p;
}

// Compares the analytic gradient with central differences of the objective, parameter by
// parameter. The objective is accumulated in double, but the forward pass is float, so
// the step is 1e-2 and the tolerance 1e-3 absolute + 1 % relative.
void CheckGradient(const ModelSpec& spec, const Regularization& reg_template, uint64_t seed) {
  SCOPED_TRACE(testing::Message() << "hidden layers " << spec.hidden.size() << " l2 "
                                  << reg_template.l2 << " mu " << reg_template.fedprox_mu);
  Problem p = RandomProblem(16, spec.num_features, spec.num_classes, seed);
  ModelParams params = InitParams(spec, seed);
  ASSERT_FALSE(params.empty());
  // Non-zero biases, so their gradients are exercised away from the initial point.
  Rng rng(seed + 1);
  for (size_t t = 0; t < params.size(); ++t) {
    for (float& v : params.mutable_data(t)) v += static_cast<float>(rng.Normal(0, 0.1));
  }
  ModelParams anchor = params;
  for (size_t t = 0; t < anchor.size(); ++t) {
    for (float& v : anchor.mutable_data(t)) v += static_cast<float>(rng.Normal(0, 0.3));
  }
  Regularization reg = reg_template;
  reg.anchor = &anchor;

  ModelParams grad;
  LossAndGradient(spec, params, p.x, p.y, reg, &grad);
  ASSERT_TRUE(grad.SameLayout(params));
  constexpr float kStep = 1e-3f;
  int checked = 0;
  for (size_t t = 0; t < params.size(); ++t) {
    for (size_t i = 0; i < params[t].data.size(); ++i) {
      ModelParams plus = params, minus = params;
      plus.mutable_data(t)[i] += kStep;
      minus.mutable_data(t)[i] -= kStep;
      const double numeric = (LossAndGradient(spec, plus, p.x, p.y, reg, nullptr) -
                              LossAndGradient(spec, minus, p.x, p.y, reg, nullptr)) /
                             (2.0 * kStep);
      const double analytic = grad[t].data[i];
      EXPECT_NEAR(analytic, numeric, 1e-3 + 1e-2 * std::abs(numeric))
          << params[t].name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(params.total_params()));
}

TEST(GradientCheckTest, LogisticRegression) {
  ModelSpec spec{ModelKind::kLogisticRegression, 5, 3};
  CheckGradient(spec, {}, 1);
  CheckGradient(spec, {0.3f, 0.0f}, 2);
  CheckGradient(spec, {0.0f, 0.7f}, 3);
  ModelSpec binary{ModelKind::kLogisticRegression, 4, 2};
  CheckGradient(binary, {0.1f, 0.2f}, 4);
}

TEST(GradientCheckTest, MlpOneHiddenLayer) {
  ModelSpec spec{ModelKind::kMlp, 4, 3, {6}};
  CheckGradient(spec, {}, 5);
  CheckGradient(spec, {0.2f, 0.5f}, 6);
}

TEST(GradientCheckTest, MlpTwoHiddenLayers) {
  ModelSpec spec{ModelKind::kMlp, 3, 2, {5, 4}};
  CheckGradient(spec, {}, 7);
  CheckGradient(spec, {0.1f, 0.3f}, 8);
}

TEST(NetworkTest, ProbabilitiesSumToOneAndLossMatchesThem) {
  ModelSpec spec{ModelKind::kMlp, 4, 3, {8}};
  Problem p = RandomProblem(10, 4, 3, 9);
  ModelParams params = InitParams(spec, 9);
  Eigen::MatrixXf probs = PredictProba(spec, params, p.x);
  ASSERT_EQ(probs.rows(), 10);
  double loss = 0;
  for (int i = 0; i < 10; ++i) {
    EXPECT_NEAR(probs.row(i).sum(), 1.0f, 1e-6);
    loss -= std::log(probs(i, p.y[i]));
  }
  EXPECT_NEAR(LossAndGradient(spec, params, p.x, p.y, {}, nullptr), loss / 10, 1e-5);
}

TEST(NetworkTest, LayerNamesFollowPyTorchConvention) {
  ModelParams lr = InitParams({ModelKind::kLogisticRegression, 30, 2}, 0);
  ASSERT_EQ(lr.size(), 2u);
  EXPECT_EQ(lr[0].name, "linear.weight");
  EXPECT_EQ(lr[0].shape, (std::vector<int64_t>{2, 30}));
  EXPECT_EQ(lr[1].name, "linear.bias");
  ModelParams mlp = InitParams({ModelKind::kMlp, 30, 2, {16, 8}}, 0);
  std::vector<std::string> names;
  for (const Tensor& t : mlp.tensors()) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                             "fc3.weight", "fc3.bias"}));
  EXPECT_EQ(mlp[2].shape, (std::vector<int64_t>{8, 16}));
  EXPECT_EQ(mlp[4].shape, (std::vector<int64_t>{2, 8}));
  EXPECT_TRUE(InitParams({ModelKind::kMlp, 30, 2, {}}, 0).empty());
}

}  // namespace
}  // namespace fedtee::model
