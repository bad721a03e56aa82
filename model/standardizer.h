// Feature standardisation: x' = (x - mean) / scale, per feature.
//
// Fit on training data only and apply the same Standardizer to validation and test data,
// or test statistics leak into training. scale is the population standard deviation
// (like scikit-learn's StandardScaler); a constant feature gets scale 1 so it maps to 0.
// Statistics are accumulated in double.
//
// Thread-safety: a value; Apply/Transform are const.
#pragma once

#include <Eigen/Core>

#include "base/status.h"
#include "model/dataset.h"

namespace fedtee::model {

struct Standardizer {
  Eigen::RowVectorXf mean;   // per-feature mean of the fitted data
  Eigen::RowVectorXf scale;  // per-feature standard deviation (1 where it is 0)

  // INVALID_ARGUMENT "dataset.empty" for a data set with no rows.
  static Result<Standardizer> Fit(const Dataset& train);

  // Standardises data->x in place. INVALID_ARGUMENT "dataset.feature_mismatch" when the
  // number of features differs from the fitted one (data unchanged then).
  Status Apply(Dataset* data) const;
  // Returns a standardised copy; same errors as Apply.
  Result<Dataset> Transform(const Dataset& data) const;
};

}  // namespace fedtee::model
