#include "participant/local_data.h"

#include "model/split.h"

namespace fedtee::participant {

Result<LocalData> LoadLocalData(const DataConfig& config) {
  FEDTEE_ASSIGN_OR_RETURN(model::Dataset all,
                          LoadExamples(config.csv, config.format, config.label));
  if (!config.scaler.empty()) {
    FEDTEE_ASSIGN_OR_RETURN(ScalerFile scaler, LoadScalerFile(config.scaler));
    if (scaler.standardizer.mean.size() != all.num_features()) {
      return Status::InvalidArgument(
          "data.feature_mismatch",
          config.scaler.string() + " has " + std::to_string(scaler.standardizer.mean.size()) +
              " features, " + config.csv.string() + " has " + std::to_string(all.num_features()));
    }
    FEDTEE_RETURN_IF_ERROR(scaler.standardizer.Apply(&all));
  }
  LocalData out;
  if (config.eval_fraction <= 0) {
    out.train = std::move(all);
    out.eval.num_classes = out.train.num_classes;
    out.eval.class_names = out.train.class_names;
    out.eval.feature_names = out.train.feature_names;
    out.eval.x.resize(0, out.train.num_features());
    return out;
  }
  auto split = model::TrainTestSplit(all, config.eval_fraction, config.seed);
  if (!split.ok()) {
    return split.status().Wrap("splitting " + config.csv.string() + " into train and eval");
  }
  out.train = std::move(split->train);
  out.eval = std::move(split->test);
  return out;
}

}  // namespace fedtee::participant
