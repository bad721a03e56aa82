#include "model/network.h"

#include <cmath>
#include <string>

namespace fedtee::model {
namespace {

using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstWeightMap = Eigen::Map<const RowMatrixXf>;
using WeightMap = Eigen::Map<RowMatrixXf>;
using ConstBiasMap = Eigen::Map<const Eigen::RowVectorXf>;
using BiasMap = Eigen::Map<Eigen::RowVectorXf>;
using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

ConstWeightMap Weight(const ModelParams& p, int layer) {
  const Tensor& t = p[2 * layer];
  return ConstWeightMap(t.data.data(), t.shape[0], t.shape[1]);
}
ConstBiasMap Bias(const ModelParams& p, int layer) {
  const Tensor& t = p[2 * layer + 1];
  return ConstBiasMap(t.data.data(), t.shape[0]);
}
int NumLayers(const ModelParams& p) { return static_cast<int>(p.size() / 2); }

// Logits for x; `hidden` (if not null) receives each hidden layer's post-ReLU output.
Eigen::MatrixXf Forward(const ModelParams& params, const Eigen::Ref<const Eigen::MatrixXf>& x,
                        std::vector<Eigen::MatrixXf>* hidden) {
  const int layers = NumLayers(params);
  Eigen::MatrixXf h;
  for (int l = 0; l < layers; ++l) {
    Eigen::MatrixXf z;
    if (l == 0) {
      z.noalias() = x * Weight(params, l).transpose();
    } else {
      z.noalias() = h * Weight(params, l).transpose();
    }
    z.rowwise() += Bias(params, l);
    if (l == layers - 1) return z;
    h = z.cwiseMax(0.0f);
    if (hidden) hidden->push_back(h);
  }
  return h;  // unreachable for a valid layout (at least one layer)
}

// Row-wise softmax of `logits` into `probs`; returns sum over rows of -log p[label].
double SoftmaxCrossEntropy(const Eigen::MatrixXf& logits,
                           const Eigen::Ref<const Eigen::VectorXi>& y, Eigen::MatrixXf* probs) {
  const Eigen::VectorXf max = logits.rowwise().maxCoeff();
  Eigen::MatrixXf e = (logits.colwise() - max).array().exp().matrix();
  const Eigen::VectorXf sum = e.rowwise().sum();
  const Eigen::VectorXf log_sum = sum.array().log();
  double loss = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    // -log softmax(z)[y] = max + log(sum) - z[y]
    loss += static_cast<double>(max[i]) + log_sum[i] - logits(i, y[i]);
  }
  if (probs) *probs = e.array().colwise() / sum.array();
  return loss;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> ExpectedLayout(const ModelSpec& spec) {
  std::vector<int> widths = {spec.num_features};
  if (spec.kind == ModelKind::kMlp)
    widths.insert(widths.end(), spec.hidden.begin(), spec.hidden.end());
  widths.push_back(spec.num_classes);
  std::vector<std::pair<std::string, std::vector<int64_t>>> layout;
  const std::vector<std::string> names = LayerNames(spec);
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    layout.push_back({names[l] + ".weight", {widths[l + 1], widths[l]}});
    layout.push_back({names[l] + ".bias", {widths[l + 1]}});
  }
  return layout;
}

}  // namespace

std::vector<std::string> LayerNames(const ModelSpec& spec) {
  if (spec.kind == ModelKind::kLogisticRegression) return {"linear"};
  std::vector<std::string> names;
  for (size_t l = 0; l <= spec.hidden.size(); ++l) names.push_back("fc" + std::to_string(l + 1));
  return names;
}

Status CheckCompatible(const ModelSpec& spec, const ModelParams& params, const Dataset& data) {
  FEDTEE_RETURN_IF_ERROR(ValidateSpec(spec));
  const auto layout = ExpectedLayout(spec);
  bool same = layout.size() == params.size();
  for (size_t i = 0; same && i < layout.size(); ++i) {
    same = params[i].name == layout[i].first && params[i].shape == layout[i].second;
  }
  if (!same) {
    std::string want;
    for (const auto& [name, shape] : layout) {
      want += " " + name + "[";
      for (size_t d = 0; d < shape.size(); ++d) want += (d ? "," : "") + std::to_string(shape[d]);
      want += "]";
    }
    return Status::InvalidArgument("model.layout_mismatch",
                                   "parameters do not match the model spec; expected" + want);
  }
  if (data.x.cols() != spec.num_features) {
    return Status::InvalidArgument("model.feature_mismatch",
                                   "data has " + std::to_string(data.x.cols()) +
                                       " features, the model " + std::to_string(spec.num_features));
  }
  if (data.size() == 0) return Status::InvalidArgument("model.empty_dataset", "no examples");
  if (data.y.size() != data.x.rows() || data.y.minCoeff() < 0 ||
      data.y.maxCoeff() >= spec.num_classes) {
    return Status::InvalidArgument(
        "model.bad_label",
        "labels must be in [0, " + std::to_string(spec.num_classes) + ") with one per row");
  }
  return Status::Ok();
}

double LossAndGradient(const ModelSpec& spec, const ModelParams& params,
                       const Eigen::Ref<const Eigen::MatrixXf>& x,
                       const Eigen::Ref<const Eigen::VectorXi>& y, const Regularization& reg,
                       ModelParams* grad) {
  const int layers = NumLayers(params);
  const Eigen::Index batch = x.rows();
  std::vector<Eigen::MatrixXf> hidden;
  const Eigen::MatrixXf logits = Forward(params, x, grad ? &hidden : nullptr);
  Eigen::MatrixXf probs;
  double loss =
      SoftmaxCrossEntropy(logits, y, grad ? &probs : nullptr) / static_cast<double>(batch);

  if (grad) {
    if (!grad->SameLayout(params)) *grad = params.Filled(0.0f);
    // d(mean CE)/d logits = (softmax - onehot) / batch.
    Eigen::MatrixXf dz = std::move(probs);
    for (Eigen::Index i = 0; i < batch; ++i) dz(i, y[i]) -= 1.0f;
    dz /= static_cast<float>(batch);
    for (int l = layers - 1; l >= 0; --l) {
      Tensor const& w = params[2 * l];
      WeightMap gw(grad->mutable_data(2 * l).data(), w.shape[0], w.shape[1]);
      BiasMap gb(grad->mutable_data(2 * l + 1).data(), w.shape[0]);
      if (l == 0) {
        gw.noalias() = dz.transpose() * x;
      } else {
        gw.noalias() = dz.transpose() * hidden[l - 1];
      }
      gb = dz.colwise().sum();
      if (l > 0) {
        Eigen::MatrixXf da;
        da.noalias() = dz * Weight(params, l);
        dz = (da.array() * (hidden[l - 1].array() > 0.0f).cast<float>()).matrix();
      }
    }
  }

  if (reg.l2 > 0) {
    for (int l = 0; l < layers; ++l) {
      const Tensor& w = params[2 * l];
      ConstArrayMap wv(w.data.data(), static_cast<Eigen::Index>(w.data.size()));
      loss += 0.5 * reg.l2 * wv.cast<double>().square().sum();
      if (grad) {
        ArrayMap(grad->mutable_data(2 * l).data(), wv.size()) += reg.l2 * wv;
      }
    }
  }
  if (reg.fedprox_mu > 0 && reg.anchor != nullptr) {
    for (size_t i = 0; i < params.size(); ++i) {
      const Eigen::Index n = static_cast<Eigen::Index>(params[i].data.size());
      const Eigen::ArrayXf diff =
          ConstArrayMap(params[i].data.data(), n) - ConstArrayMap((*reg.anchor)[i].data.data(), n);
      loss += 0.5 * reg.fedprox_mu * diff.cast<double>().square().sum();
      if (grad) ArrayMap(grad->mutable_data(i).data(), n) += reg.fedprox_mu * diff;
    }
  }
  return loss;
}

Eigen::MatrixXf PredictProba(const ModelSpec& spec, const ModelParams& params,
                             const Eigen::Ref<const Eigen::MatrixXf>& x) {
  const Eigen::MatrixXf logits = Forward(params, x, nullptr);
  const Eigen::VectorXf max = logits.rowwise().maxCoeff();
  Eigen::MatrixXf e = (logits.colwise() - max).array().exp().matrix();
  const Eigen::VectorXf sum = e.rowwise().sum();
  return e.array().colwise() / sum.array();
}

}  // namespace fedtee::model
