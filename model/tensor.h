// Model parameters: an ordered list of named float32 tensors (row-major, shapes as in
// PyTorch, e.g. a linear layer's weight is [out, in]).
//
// ModelParams is what local training produces, what a participant sends (as a delta or as
// new weights) and what the aggregator averages, so it offers flat views (Flatten /
// Unflatten) and layout comparison (SameLayout) besides lookup by name.
//
// Invariants kept by ModelParams: names match [A-Za-z0-9._/-]+ and are unique, every
// tensor's data holds exactly numel() values, dimensions are >= 0.
//
// Thread-safety: values; concurrent const access is safe, writes need external locking.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fedtee::model {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;  // row-major; [] is a scalar (numel 1)
  std::vector<float> data;     // numel() values

  // Product of the shape (1 for a scalar). Does not look at data.size().
  size_t numel() const;
};

// True iff `name` is a non-empty string over [A-Za-z0-9._/-].
bool IsValidTensorName(std::string_view name);

class ModelParams {
 public:
  ModelParams() = default;

  // Appends a tensor. INVALID_ARGUMENT "model.bad_name" (name outside the alphabet),
  // "model.duplicate_name", "model.bad_shape" (negative dimension, or data.size() != numel).
  // On error the params are unchanged.
  Status Add(Tensor tensor);

  const std::vector<Tensor>& tensors() const { return tensors_; }
  size_t size() const { return tensors_.size(); }
  bool empty() const { return tensors_.empty(); }
  const Tensor& operator[](size_t i) const { return tensors_[i]; }
  // Writable values of tensor i (the shape stays fixed).
  std::span<float> mutable_data(size_t i) { return tensors_[i].data; }

  // Lookup by name: nullptr when absent.
  const Tensor* Find(std::string_view name) const;
  std::span<float> MutableData(std::string_view name);  // empty span when absent
  // NOT_FOUND "model.tensor_not_found" when absent.
  Result<const Tensor*> Get(std::string_view name) const;

  // Sum of numel() over all tensors.
  size_t total_params() const;
  // Same names, in the same order, with the same shapes.
  bool SameLayout(const ModelParams& other) const;
  // Human-readable first difference in layout ("" when SameLayout), for error messages.
  std::string LayoutDifference(const ModelParams& other) const;

  // All values concatenated in tensor order.
  std::vector<float> Flatten() const;
  // Copies `flat` back into the tensors, in tensor order. INVALID_ARGUMENT
  // "model.size_mismatch" unless flat.size() == total_params(); params unchanged then.
  Status Unflatten(std::span<const float> flat);

  // CORRUPTION "model.non_finite" naming the first tensor and flat index within it that
  // holds a NaN or an infinity.
  Status CheckFinite() const;

  // Copy with every value set to `value` (same layout).
  ModelParams Filled(float value) const;

 private:
  std::vector<Tensor> tensors_;
};

// after - before, tensor by tensor. INVALID_ARGUMENT "model.layout_mismatch" unless
// after.SameLayout(before).
Result<ModelParams> Delta(const ModelParams& after, const ModelParams& before);
// params += scale * delta. INVALID_ARGUMENT "model.layout_mismatch"; params unchanged then.
Status AddScaled(ModelParams& params, const ModelParams& delta, float scale);
// Euclidean norm over all values (accumulated in double).
double L2Norm(const ModelParams& params);

}  // namespace fedtee::model
