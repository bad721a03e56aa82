#include "model/tensor.h"

#include <Eigen/Core>
#include <cmath>
#include <string>

namespace fedtee::model {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '/' || c == '-';
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

using FloatMap = Eigen::Map<Eigen::ArrayXf>;
using ConstFloatMap = Eigen::Map<const Eigen::ArrayXf>;

}  // namespace

size_t Tensor::numel() const {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d < 0 ? 0 : d);
  return n;
}

bool IsValidTensorName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

Status ModelParams::Add(Tensor tensor) {
  if (!IsValidTensorName(tensor.name)) {
    return Status::InvalidArgument("model.bad_name",
                                   "tensor name '" + tensor.name + "' is not [A-Za-z0-9._/-]+");
  }
  if (Find(tensor.name) != nullptr) {
    return Status::InvalidArgument("model.duplicate_name",
                                   "tensor '" + tensor.name + "' is already present");
  }
  for (int64_t d : tensor.shape) {
    if (d < 0) {
      return Status::InvalidArgument(
          "model.bad_shape",
          "tensor '" + tensor.name + "' has a negative dimension " + ShapeString(tensor.shape));
    }
  }
  if (tensor.data.size() != tensor.numel()) {
    return Status::InvalidArgument(
        "model.bad_shape", "tensor '" + tensor.name + "' of shape " + ShapeString(tensor.shape) +
                               " holds " + std::to_string(tensor.data.size()) + " values");
  }
  tensors_.push_back(std::move(tensor));
  return Status::Ok();
}

const Tensor* ModelParams::Find(std::string_view name) const {
  for (const Tensor& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::span<float> ModelParams::MutableData(std::string_view name) {
  for (Tensor& t : tensors_) {
    if (t.name == name) return t.data;
  }
  return {};
}

Result<const Tensor*> ModelParams::Get(std::string_view name) const {
  const Tensor* t = Find(name);
  if (t == nullptr) {
    return Status::NotFound("model.tensor_not_found",
                            "no tensor named '" + std::string(name) + "'");
  }
  return t;
}

size_t ModelParams::total_params() const {
  size_t n = 0;
  for (const Tensor& t : tensors_) n += t.data.size();
  return n;
}

bool ModelParams::SameLayout(const ModelParams& other) const {
  return LayoutDifference(other).empty();
}

std::string ModelParams::LayoutDifference(const ModelParams& other) const {
  if (tensors_.size() != other.tensors_.size()) {
    return std::to_string(tensors_.size()) + " tensors vs " + std::to_string(other.tensors_.size());
  }
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const Tensor& a = tensors_[i];
    const Tensor& b = other.tensors_[i];
    if (a.name != b.name) {
      return "tensor " + std::to_string(i) + " is '" + a.name + "' vs '" + b.name + "'";
    }
    if (a.shape != b.shape) {
      return "tensor '" + a.name + "' has shape " + ShapeString(a.shape) + " vs " +
             ShapeString(b.shape);
    }
  }
  return "";
}

std::vector<float> ModelParams::Flatten() const {
  std::vector<float> flat;
  flat.reserve(total_params());
  for (const Tensor& t : tensors_) flat.insert(flat.end(), t.data.begin(), t.data.end());
  return flat;
}

Status ModelParams::Unflatten(std::span<const float> flat) {
  if (flat.size() != total_params()) {
    return Status::InvalidArgument("model.size_mismatch",
                                   "flat vector has " + std::to_string(flat.size()) +
                                       " values, the model " + std::to_string(total_params()));
  }
  size_t offset = 0;
  for (Tensor& t : tensors_) {
    std::copy(flat.begin() + offset, flat.begin() + offset + t.data.size(), t.data.begin());
    offset += t.data.size();
  }
  return Status::Ok();
}

Status ModelParams::CheckFinite() const {
  for (const Tensor& t : tensors_) {
    ConstFloatMap values(t.data.data(), static_cast<Eigen::Index>(t.data.size()));
    if (values.isFinite().all()) continue;
    for (size_t i = 0; i < t.data.size(); ++i) {
      if (!std::isfinite(t.data[i])) {
        return Status::Corruption("model.non_finite", "tensor '" + t.name + "' index " +
                                                          std::to_string(i) + " is " +
                                                          std::to_string(t.data[i]));
      }
    }
  }
  return Status::Ok();
}

ModelParams ModelParams::Filled(float value) const {
  ModelParams out = *this;
  for (Tensor& t : out.tensors_) std::fill(t.data.begin(), t.data.end(), value);
  return out;
}

Result<ModelParams> Delta(const ModelParams& after, const ModelParams& before) {
  std::string diff = after.LayoutDifference(before);
  if (!diff.empty()) return Status::InvalidArgument("model.layout_mismatch", diff);
  ModelParams out = after;
  for (size_t i = 0; i < out.size(); ++i) {
    std::span<float> d = out.mutable_data(i);
    FloatMap(d.data(), static_cast<Eigen::Index>(d.size())) -=
        ConstFloatMap(before[i].data.data(), static_cast<Eigen::Index>(d.size()));
  }
  return out;
}

Status AddScaled(ModelParams& params, const ModelParams& delta, float scale) {
  std::string diff = params.LayoutDifference(delta);
  if (!diff.empty()) return Status::InvalidArgument("model.layout_mismatch", diff);
  for (size_t i = 0; i < params.size(); ++i) {
    std::span<float> p = params.mutable_data(i);
    FloatMap(p.data(), static_cast<Eigen::Index>(p.size())) +=
        scale * ConstFloatMap(delta[i].data.data(), static_cast<Eigen::Index>(p.size()));
  }
  return Status::Ok();
}

double L2Norm(const ModelParams& params) {
  double sum = 0;
  for (const Tensor& t : params.tensors()) {
    for (float v : t.data) sum += static_cast<double>(v) * v;
  }
  return std::sqrt(sum);
}

}  // namespace fedtee::model
