// The scaler file: per-feature mean and standard deviation, as JSON, so that every site
// (and `fedtee model evaluate`) standardises features the same way.
//
//   {"format": "fedtee.scaler.v1",
//    "feature_names": ["x0", ...],      // informative; checked for count only
//    "mean": [..], "std": [..],          // one float per feature; std > 0
//    "note": "..."}                      // free text: where the statistics came from
//
// `fedtee data split` writes it (statistics of the pooled training part: a demo shortcut
// standing for a normalisation the sites agree on); fedtee-participant and
// `fedtee model evaluate` read it.
//
// Errors: CORRUPTION "scaler.malformed" naming what is wrong; file errors pass through.
// Thread-safety: free functions without shared state.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/standardizer.h"

namespace fedtee::participant {

struct ScalerFile {
  std::vector<std::string> feature_names;
  model::Standardizer standardizer;  // mean and scale (= std)
  std::string note;
};

// JSON text of `scaler` (pretty-printed, trailing newline).
std::string ScalerToJson(const ScalerFile& scaler);
// Parses JSON text; CORRUPTION "scaler.malformed".
Result<ScalerFile> ScalerFromJson(const std::string& text);

// Writes atomically (mode 0644). IO_ERROR "file.write".
Status SaveScalerFile(const std::filesystem::path& path, const ScalerFile& scaler);
// Reads and parses; errors wrapped with the path.
Result<ScalerFile> LoadScalerFile(const std::filesystem::path& path);

}  // namespace fedtee::participant
