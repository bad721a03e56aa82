#include "model/standardizer.h"

#include <string>

namespace fedtee::model {

Result<Standardizer> Standardizer::Fit(const Dataset& train) {
  if (train.size() == 0) {
    return Status::InvalidArgument("dataset.empty", "cannot fit a standardizer on no rows");
  }
  const Eigen::MatrixXd x = train.x.cast<double>();
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Eigen::RowVectorXd var =
      (x.rowwise() - mean).array().square().colwise().sum() / static_cast<double>(x.rows());
  Standardizer s;
  s.mean = mean.cast<float>();
  s.scale = var.array().sqrt().cast<float>();
  for (Eigen::Index j = 0; j < s.scale.size(); ++j) {
    if (!(s.scale[j] > 0)) s.scale[j] = 1.0f;
  }
  return s;
}

Status Standardizer::Apply(Dataset* data) const {
  if (data->x.cols() != mean.size()) {
    return Status::InvalidArgument("dataset.feature_mismatch", "data has " +
                                                                   std::to_string(data->x.cols()) +
                                                                   " features, the standardizer " +
                                                                   std::to_string(mean.size()));
  }
  data->x = ((data->x.rowwise() - mean).array().rowwise() / scale.array()).matrix();
  return Status::Ok();
}

Result<Dataset> Standardizer::Transform(const Dataset& data) const {
  Dataset out = data;
  FEDTEE_RETURN_IF_ERROR(Apply(&out));
  return out;
}

}  // namespace fedtee::model
