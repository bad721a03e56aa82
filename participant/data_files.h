// The data files a site and the `fedtee data` / `fedtee model` commands share:
//
// 1. Labelled examples (LoadExamples): format "sklearn" (scikit-learn's bundled CSVs such as
//    breast_cancer.csv, label last) or "csv" (a header row; the label in a named column).
//
// 2. The scaler file: per-feature mean and standard deviation, as JSON, so that every site
//    (and `fedtee model evaluate`) standardises features the same way.
//
//      {"format": "fedtee.scaler.v1",
//       "feature_names": ["x0", ...],      // informative; checked for count only
//       "mean": [..], "std": [..],          // one float per feature; std > 0
//       "note": "..."}                      // free text: where the statistics came from
//
//    `fedtee data split` writes it (statistics of the pooled training part: a demo shortcut
//    standing for a normalisation the sites agree on); fedtee-participant and
//    `fedtee model evaluate` read it.
//
// Header-only (inline), so the `fedtee` CLI can use it without linking the participant
// library. Errors: the loaders' CORRUPTION "dataset.*" reasons (model/dataset.h), INVALID_ARGUMENT
// "data.no_label_column" (format csv: no column with that name), "data.feature_mismatch",
// "data.class_mismatch", CORRUPTION "scaler.malformed" naming what is wrong; file errors
// pass through. Each is wrapped with the file name.
// Thread-safety: free functions without shared state.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/status.h"
#include "model/dataset.h"
#include "model/standardizer.h"

namespace fedtee::participant {

struct ScalerFile {
  std::vector<std::string> feature_names;
  model::Standardizer standardizer;  // mean and scale (= std)
  std::string note;
};

// JSON text of `scaler` (one line and a newline).
std::string ScalerToJson(const ScalerFile& scaler);
// Parses JSON text; CORRUPTION "scaler.malformed".
Result<ScalerFile> ScalerFromJson(const std::string& text);
// Writes atomically (mode 0644). IO_ERROR "file.write".
Status SaveScalerFile(const std::filesystem::path& path, const ScalerFile& scaler);
// Reads and parses; errors wrapped with the path.
Result<ScalerFile> LoadScalerFile(const std::filesystem::path& path);

// Index of the column named `name` in the header row of `csv` (0-based), read with a small
// RFC 4180 reader of the first record. INVALID_ARGUMENT "data.no_label_column".
Result<int> FindColumn(const std::filesystem::path& csv, const std::string& name);

// Reads examples: format "sklearn" (model::LoadSklearnCsv) or "csv" (header row; the column
// named `label` holds the labels). INVALID_ARGUMENT "config.bad_value" for another format.
Result<model::Dataset> LoadExamples(const std::filesystem::path& csv, const std::string& format,
                                    const std::string& label);

// Makes `data` fit a model of `num_features` features and `num_classes` classes: a site may
// hold only some of the classes (non-IID), so num_classes is raised to the model's.
// INVALID_ARGUMENT data.feature_mismatch / data.class_mismatch otherwise.
Status ConformToModel(model::Dataset& data, int num_features, int num_classes);

// ---- implementation ----

namespace internal {

inline constexpr char kScalerFormat[] = "fedtee.scaler.v1";

inline Status BadScaler(const std::string& why) {
  return Status::Corruption("scaler.malformed", why);
}

}  // namespace internal

inline std::string ScalerToJson(const ScalerFile& scaler) {
  nlohmann::json j;
  j["format"] = internal::kScalerFormat;
  j["feature_names"] = scaler.feature_names;
  const auto& st = scaler.standardizer;
  j["mean"] = std::vector<float>(st.mean.data(), st.mean.data() + st.mean.size());
  j["std"] = std::vector<float>(st.scale.data(), st.scale.data() + st.scale.size());
  j["note"] = scaler.note;
  return j.dump() + "\n";
}

inline Result<ScalerFile> ScalerFromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return internal::BadScaler("not a JSON object");
  if (!j.contains("format") || j["format"] != internal::kScalerFormat) {
    return internal::BadScaler(std::string("\"format\" must be \"") + internal::kScalerFormat +
                               "\"");
  }
  auto floats = [&](const char* key) -> Result<std::vector<float>> {
    if (!j.contains(key) || !j[key].is_array()) {
      return internal::BadScaler(std::string("\"") + key + "\" must be an array of numbers");
    }
    std::vector<float> out;
    for (const auto& v : j[key]) {
      if (!v.is_number())
        return internal::BadScaler(std::string("\"") + key + "\" holds a non-number");
      float f = v.get<float>();
      if (!std::isfinite(f))
        return internal::BadScaler(std::string("\"") + key + "\" holds a non-finite");
      out.push_back(f);
    }
    return out;
  };
  FEDTEE_ASSIGN_OR_RETURN(std::vector<float> mean, floats("mean"));
  FEDTEE_ASSIGN_OR_RETURN(std::vector<float> sd, floats("std"));
  if (mean.empty() || mean.size() != sd.size()) {
    return internal::BadScaler("\"mean\" and \"std\" must be non-empty and of equal length");
  }
  ScalerFile out;
  if (j.contains("feature_names")) {
    if (!j["feature_names"].is_array())
      return internal::BadScaler("\"feature_names\" must be an array");
    for (const auto& n : j["feature_names"]) {
      if (!n.is_string()) return internal::BadScaler("\"feature_names\" holds a non-string");
      out.feature_names.push_back(n.get<std::string>());
    }
    if (out.feature_names.size() != mean.size()) {
      return internal::BadScaler("\"feature_names\" has " +
                                 std::to_string(out.feature_names.size()) + " names for " +
                                 std::to_string(mean.size()) + " features");
    }
  }
  if (j.contains("note") && j["note"].is_string()) out.note = j["note"].get<std::string>();
  const Eigen::Index n = static_cast<Eigen::Index>(mean.size());
  out.standardizer.mean.resize(n);
  out.standardizer.scale.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(sd[i] > 0)) return internal::BadScaler("\"std\"[" + std::to_string(i) + "] is not > 0");
    out.standardizer.mean[i] = mean[i];
    out.standardizer.scale[i] = sd[i];
  }
  return out;
}

inline Status SaveScalerFile(const std::filesystem::path& path, const ScalerFile& scaler) {
  return WriteFileAtomic(path, ScalerToJson(scaler), 0644);
}

inline Result<ScalerFile> LoadScalerFile(const std::filesystem::path& path) {
  auto text = ReadTextFile(path, size_t{64} << 20);
  if (!text.ok()) return text.status().Wrap("reading scaler " + path.string());
  auto s = ScalerFromJson(*text);
  if (!s.ok()) return s.status().Wrap(path.string());
  return s;
}

namespace internal {

// Cells of the first CSV record of `text` (RFC 4180 quoting; a quoted cell may hold commas,
// doubled quotes and line breaks). Spaces around unquoted cells are trimmed, like libcsv.
inline std::vector<std::string> FirstRecord(const std::string& text) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false, was_quoted = false;
  auto finish = [&] {
    if (!was_quoted) {
      size_t b = cell.find_first_not_of(" \t");
      size_t e = cell.find_last_not_of(" \t");
      cell = b == std::string::npos ? "" : cell.substr(b, e - b + 1);
    }
    cells.push_back(cell);
    cell.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch == '"') {
      quoted = true;
      was_quoted = true;
      cell.clear();
    } else if (ch == ',') {
      finish();
    } else if (ch == '\n' || ch == '\r') {
      if (cells.empty() && cell.empty()) continue;  // leading blank lines
      break;
    } else {
      cell += ch;
    }
  }
  finish();
  return cells;
}

}  // namespace internal

inline Result<int> FindColumn(const std::filesystem::path& csv, const std::string& name) {
  // The header is at the start; 1 MiB holds any sane header row.
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(csv));
  std::vector<std::string> header = internal::FirstRecord(text.substr(0, size_t{1} << 20));
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return Status::InvalidArgument("data.no_label_column",
                                 csv.string() + " has no column named '" + name +
                                     "' in its header row");
}

inline Result<model::Dataset> LoadExamples(const std::filesystem::path& csv,
                                           const std::string& format, const std::string& label) {
  if (format == "sklearn") {
    auto d = model::LoadSklearnCsv(csv);
    if (!d.ok()) return d.status().Wrap(csv.string());
    return d;
  }
  if (format != "csv") {
    return Status::InvalidArgument("config.bad_value",
                                   "data format '" + format + "' (csv or sklearn)");
  }
  FEDTEE_ASSIGN_OR_RETURN(int column, FindColumn(csv, label));
  auto d = model::LoadCsv(csv, column, /*has_header=*/true);
  if (!d.ok()) return d.status().Wrap(csv.string());
  return d;
}

inline Status ConformToModel(model::Dataset& data, int num_features, int num_classes) {
  if (data.num_features() != num_features) {
    return Status::InvalidArgument("data.feature_mismatch",
                                   "the model expects " + std::to_string(num_features) +
                                       " features, the local data has " +
                                       std::to_string(data.num_features()));
  }
  if (data.num_classes > num_classes) {
    return Status::InvalidArgument("data.class_mismatch",
                                   "the local data has labels up to " +
                                       std::to_string(data.num_classes - 1) + ", the model " +
                                       std::to_string(num_classes) + " classes");
  }
  while (data.num_classes < num_classes) {
    data.class_names.push_back(std::to_string(data.num_classes));
    ++data.num_classes;
  }
  return Status::Ok();
}

}  // namespace fedtee::participant
