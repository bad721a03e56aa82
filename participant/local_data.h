// A site's local examples: loaded from its CSV (participant/data_files.h), standardised
// with the shared scaler when one is configured, and split once (stratified, seeded) into a
// training part and a held-out part on which the site evaluates every round's global model.
// The data never leaves this process.
//
// Errors: those of data_files.h, and the split's INVALID_ARGUMENT "dataset.bad_split",
// each wrapped with the file name.
// Thread-safety: free functions without shared state.
#pragma once

#include "base/status.h"
#include "model/dataset.h"
#include "participant/data_files.h"
#include "participant/site_config.h"

namespace fedtee::participant {

struct LocalData {
  model::Dataset train;  // used for local training
  model::Dataset eval;   // held out: evaluates the global model (empty if eval_fraction 0)
};

// Loads `config.csv`, applies the scaler if `config.scaler` is set, and splits
// (stratified, seeded by `config.seed`) off `config.eval_fraction` of the examples.
Result<LocalData> LoadLocalData(const DataConfig& config);

}  // namespace fedtee::participant
