// A site's local examples: loaded from its CSV, standardised with the shared scaler (when
// one is configured), and split once into a training part and a held-out part on which the
// site evaluates every round's global model. The data never leaves this process.
//
// Errors: the loader's CORRUPTION "dataset.*" reasons (model/dataset.h), INVALID_ARGUMENT
// "data.no_label_column" (format csv: no column with the configured name),
// "data.feature_mismatch" (scaler or model expects another feature count),
// "data.class_mismatch" (labels outside the model's classes), and the split's
// "dataset.bad_split". Each is wrapped with the file name.
// Thread-safety: free functions without shared state.
#pragma once

#include <filesystem>
#include <string>

#include "base/status.h"
#include "model/dataset.h"
#include "participant/site_config.h"

namespace fedtee::participant {

struct LocalData {
  model::Dataset train;  // used for local training
  model::Dataset eval;   // held out: evaluates the global model (empty if eval_fraction 0)
};

// Reads examples: format "sklearn" (model::LoadSklearnCsv) or "csv" (header row; the
// column named `label` holds the labels).
Result<model::Dataset> LoadExamples(const std::filesystem::path& csv, const std::string& format,
                                    const std::string& label);

// Index of the column named `name` in the header row of `csv` (0-based), read with a
// small RFC 4180 reader of the first record. INVALID_ARGUMENT "data.no_label_column".
Result<int> FindColumn(const std::filesystem::path& csv, const std::string& name);

// Loads `config.csv`, applies the scaler if `config.scaler` is set, and splits
// (stratified, seeded by `config.seed`) off `config.eval_fraction` of the examples.
Result<LocalData> LoadLocalData(const DataConfig& config);

// Makes `data` fit a model of `num_features` features and `num_classes` classes: a site
// may hold only some of the classes (non-IID), so num_classes is raised to the model's.
// INVALID_ARGUMENT data.feature_mismatch / data.class_mismatch otherwise.
Status ConformToModel(model::Dataset& data, int num_features, int num_classes);

}  // namespace fedtee::participant
