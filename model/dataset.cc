#include "model/dataset.h"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "base/file.h"

namespace fedtee::model {
namespace {

// A CSV file as rows of cells, split by libcsv.
using CsvRows = std::vector<std::vector<std::string>>;

struct CsvCollector {
  CsvRows rows;
  std::vector<std::string> current;
};

void OnField(void* s, size_t len, void* data) {
  auto* c = static_cast<CsvCollector*>(data);
  c->current.emplace_back(s ? static_cast<const char*>(s) : "", s ? len : 0);
}

void OnRowEnd(int /*terminator*/, void* data) {
  auto* c = static_cast<CsvCollector*>(data);
  c->rows.push_back(std::move(c->current));
  c->current.clear();
}

Result<CsvRows> ReadCsvRows(const std::filesystem::path& path) {
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return Status::Internal("dataset.csv_init", "libcsv initialisation failed");
  }
  CsvCollector collector;
  size_t parsed = csv_parse(&parser, text.data(), text.size(), OnField, OnRowEnd, &collector);
  int fini = parsed == text.size() ? csv_fini(&parser, OnField, OnRowEnd, &collector) : -1;
  int error = csv_error(&parser);
  csv_free(&parser);
  if (parsed != text.size() || fini != 0) {
    return Status::Corruption("dataset.csv_syntax", path.string() + ": " + csv_strerror(error) +
                                                        " near record " +
                                                        std::to_string(collector.rows.size() + 1));
  }
  return std::move(collector.rows);
}

std::string Where(const std::filesystem::path& path, size_t record, size_t column) {
  return path.string() + " record " + std::to_string(record) + " column " + std::to_string(column);
}

// Parses a finite float; accepts a leading '+', which std::from_chars does not.
bool ParseFloat(std::string_view cell, float* out) {
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  if (cell.empty()) return false;
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), *out);
  return ec == std::errc() && ptr == cell.data() + cell.size() && std::isfinite(*out);
}

bool ParseInt(std::string_view cell, int64_t* out) {
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  if (cell.empty()) return false;
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), *out);
  return ec == std::errc() && ptr == cell.data() + cell.size();
}

std::vector<std::string> DefaultFeatureNames(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("x" + std::to_string(i));
  return names;
}

// Reads rows[first..] into x (features: every column but `label_col`) and the raw label
// cells. Each row must have `columns` cells.
Status ReadFeatures(const std::filesystem::path& path, const CsvRows& rows, size_t first,
                    size_t columns, size_t label_col, Dataset* data,
                    std::vector<std::string>* labels) {
  const size_t n = rows.size() - first;
  const size_t f = columns - 1;
  std::vector<float> values(n * f);
  labels->clear();
  labels->reserve(n);
  for (size_t r = 0; r < n; ++r) {
    const auto& row = rows[first + r];
    if (row.size() != columns) {
      return Status::Corruption("dataset.column_count",
                                path.string() + " record " + std::to_string(first + r + 1) +
                                    " has " + std::to_string(row.size()) + " cells, expected " +
                                    std::to_string(columns));
    }
    size_t k = 0;
    for (size_t c = 0; c < columns; ++c) {
      if (c == label_col) continue;
      if (!ParseFloat(row[c], &values[r * f + k])) {
        return Status::Corruption("dataset.non_numeric", Where(path, first + r + 1, c + 1) + ": '" +
                                                             row[c] + "' is not a finite number");
      }
      ++k;
    }
    labels->push_back(row[label_col]);
  }
  data->x = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(f));
  return Status::Ok();
}

}  // namespace

std::vector<int64_t> Dataset::ClassCounts() const {
  std::vector<int64_t> counts(std::max(num_classes, 0), 0);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] >= 0 && y[i] < num_classes) ++counts[y[i]];
  }
  return counts;
}

Status Dataset::Validate() const {
  auto bad = [](std::string m) { return Status::InvalidArgument("dataset.inconsistent", m); };
  if (y.size() != x.rows())
    return bad("x has " + std::to_string(x.rows()) + " rows, y " + std::to_string(y.size()));
  if (num_classes < 1) return bad("num_classes must be >= 1");
  if (static_cast<int>(class_names.size()) != num_classes)
    return bad("class_names size differs from num_classes");
  if (static_cast<Eigen::Index>(feature_names.size()) != x.cols())
    return bad("feature_names size differs from x.cols()");
  if (y.size() > 0 && (y.minCoeff() < 0 || y.maxCoeff() >= num_classes))
    return bad("a label is outside [0, num_classes)");
  return Status::Ok();
}

Dataset Subset(const Dataset& data, std::span<const int64_t> indices) {
  Dataset out;
  std::vector<Eigen::Index> idx(indices.begin(), indices.end());
  out.x = data.x(idx, Eigen::all);
  out.y = data.y(idx);
  out.num_classes = data.num_classes;
  out.feature_names = data.feature_names;
  out.class_names = data.class_names;
  return out;
}

Result<Dataset> LoadSklearnCsv(const std::filesystem::path& path) {
  FEDTEE_ASSIGN_OR_RETURN(CsvRows rows, ReadCsvRows(path));
  if (rows.empty()) return Status::Corruption("dataset.empty", path.string() + " is empty");
  const auto& header = rows[0];
  int64_t n_samples = 0, n_features = 0;
  if (header.size() < 4 || !ParseInt(header[0], &n_samples) || !ParseInt(header[1], &n_features) ||
      n_samples < 0 || n_features < 1) {
    return Status::Corruption("dataset.bad_header",
                              path.string() +
                                  ": first line must be "
                                  "'n_samples,n_features,class names...' with at "
                                  "least two classes");
  }
  Dataset data;
  data.class_names.assign(header.begin() + 2, header.end());
  data.num_classes = static_cast<int>(data.class_names.size());
  data.feature_names = DefaultFeatureNames(static_cast<int>(n_features));
  if (static_cast<int64_t>(rows.size()) - 1 != n_samples) {
    return Status::Corruption("dataset.row_count", path.string() + " announces " +
                                                       std::to_string(n_samples) + " rows, has " +
                                                       std::to_string(rows.size() - 1));
  }
  if (n_samples == 0) return Status::Corruption("dataset.empty", path.string() + " has no rows");
  const size_t columns = static_cast<size_t>(n_features) + 1;
  std::vector<std::string> labels;
  FEDTEE_RETURN_IF_ERROR(ReadFeatures(path, rows, 1, columns, columns - 1, &data, &labels));
  data.y.resize(static_cast<Eigen::Index>(labels.size()));
  for (size_t i = 0; i < labels.size(); ++i) {
    int64_t label = -1;
    if (!ParseInt(labels[i], &label) || label < 0 || label >= data.num_classes) {
      return Status::Corruption("dataset.bad_label", Where(path, i + 2, columns) + ": label '" +
                                                         labels[i] + "' is not an integer in [0, " +
                                                         std::to_string(data.num_classes) + ")");
    }
    data.y[static_cast<Eigen::Index>(i)] = static_cast<int>(label);
  }
  return data;
}

Result<Dataset> LoadCsv(const std::filesystem::path& path, int label_column, bool has_header) {
  FEDTEE_ASSIGN_OR_RETURN(CsvRows rows, ReadCsvRows(path));
  const size_t first = has_header ? 1 : 0;
  if (rows.size() <= first) {
    return Status::Corruption("dataset.empty", path.string() + " has no data rows");
  }
  const size_t columns = rows[0].size();
  const int64_t label_col =
      label_column < 0 ? static_cast<int64_t>(columns) + label_column : label_column;
  if (columns < 2 || label_col < 0 || label_col >= static_cast<int64_t>(columns)) {
    return Status::Corruption("dataset.bad_header",
                              path.string() + " has " + std::to_string(columns) +
                                  " columns; need a label column " + std::to_string(label_column) +
                                  " and at least one feature");
  }
  Dataset data;
  if (has_header) {
    for (size_t c = 0; c < columns; ++c) {
      if (static_cast<int64_t>(c) != label_col) data.feature_names.push_back(rows[0][c]);
    }
  } else {
    data.feature_names = DefaultFeatureNames(static_cast<int>(columns) - 1);
  }
  std::vector<std::string> labels;
  FEDTEE_RETURN_IF_ERROR(
      ReadFeatures(path, rows, first, columns, static_cast<size_t>(label_col), &data, &labels));
  const Eigen::Index n = static_cast<Eigen::Index>(labels.size());
  data.y.resize(n);
  constexpr int64_t kMaxIntegerClasses = 1000;
  bool integer_labels = true;
  int64_t max_label = 0;
  for (const std::string& cell : labels) {
    int64_t v;
    if (!ParseInt(cell, &v) || v < 0 || v >= kMaxIntegerClasses) {
      integer_labels = false;
      break;
    }
    max_label = std::max(max_label, v);
  }
  if (integer_labels) {
    data.num_classes = static_cast<int>(max_label) + 1;
    for (int c = 0; c < data.num_classes; ++c) data.class_names.push_back(std::to_string(c));
    for (Eigen::Index i = 0; i < n; ++i) {
      int64_t v;
      ParseInt(labels[i], &v);
      data.y[i] = static_cast<int>(v);
    }
  } else {
    std::set<std::string> names(labels.begin(), labels.end());
    data.class_names.assign(names.begin(), names.end());
    data.num_classes = static_cast<int>(names.size());
    std::map<std::string, int> index;
    for (int c = 0; c < data.num_classes; ++c) index[data.class_names[c]] = c;
    for (Eigen::Index i = 0; i < n; ++i) data.y[i] = index[labels[i]];
  }
  return data;
}

namespace {

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos && !s.empty() && s.front() != ' ' &&
      s.back() != ' ') {
    return s;
  }
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace

// Header row (feature names, then "label") and one row per example; labels are class
// indices. Floats in their shortest form that reads back as the same float32.
std::string DatasetToCsv(const Dataset& d) {
  std::string out;
  for (const std::string& name : d.feature_names) out += CsvCell(name) + ",";
  out += "label\n";
  char buf[64];
  for (int64_t i = 0; i < d.size(); ++i) {
    for (int j = 0; j < d.num_features(); ++j) {
      // Shortest text that reads back as the same float32 ("20.29", not "20.2900009").
      auto res = std::to_chars(buf, buf + sizeof buf, d.x(i, j));
      out.append(buf, res.ptr);
      out += ',';
    }
    out += std::to_string(d.y[i]) + "\n";
  }
  return out;
}

}  // namespace fedtee::model
