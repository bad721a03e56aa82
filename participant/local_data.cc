#include "participant/local_data.h"

#include <vector>

#include "base/file.h"
#include "model/split.h"
#include "participant/scaler_file.h"

namespace fedtee::participant {
namespace {

// Cells of the first CSV record of `text` (RFC 4180 quoting; a quoted cell may hold commas,
// doubled quotes and line breaks). Spaces around unquoted cells are trimmed, like libcsv.
std::vector<std::string> FirstRecord(const std::string& text) {
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

}  // namespace

Result<int> FindColumn(const std::filesystem::path& csv, const std::string& name) {
  // The header is at the start; 1 MiB holds any sane header row.
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(csv));
  std::vector<std::string> header = FirstRecord(text.substr(0, size_t{1} << 20));
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return Status::InvalidArgument("data.no_label_column",
                                 csv.string() + " has no column named '" + name +
                                     "' in its header row (set data.label / --data-label)");
}

Result<model::Dataset> LoadExamples(const std::filesystem::path& csv, const std::string& format,
                                    const std::string& label) {
  if (format == "sklearn") {
    auto d = model::LoadSklearnCsv(csv);
    if (!d.ok()) return d.status().Wrap(csv.string());
    return d;
  }
  if (format != "csv") {
    return Status::InvalidArgument("config.bad_value", "data format '" + format +
                                                           "' (csv or sklearn)");
  }
  FEDTEE_ASSIGN_OR_RETURN(int column, FindColumn(csv, label));
  auto d = model::LoadCsv(csv, column, /*has_header=*/true);
  if (!d.ok()) return d.status().Wrap(csv.string());
  return d;
}

Result<LocalData> LoadLocalData(const DataConfig& config) {
  FEDTEE_ASSIGN_OR_RETURN(model::Dataset all,
                          LoadExamples(config.csv, config.format, config.label));
  if (!config.scaler.empty()) {
    FEDTEE_ASSIGN_OR_RETURN(ScalerFile scaler, LoadScalerFile(config.scaler));
    if (scaler.standardizer.mean.size() != all.num_features()) {
      return Status::InvalidArgument(
          "data.feature_mismatch",
          config.scaler.string() + " has " + std::to_string(scaler.standardizer.mean.size()) +
              " features, " + config.csv.string() + " has " +
              std::to_string(all.num_features()));
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

Status ConformToModel(model::Dataset& data, int num_features, int num_classes) {
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
