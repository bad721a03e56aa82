// In-memory tabular data sets for classification, and loaders from CSV files.
//
// A Dataset is n examples of num_features float features (rows of x) with integer labels
// y in [0, num_classes). Splits and partitions (model/split.h), standardisation
// (model/standardizer.h) and the synthetic fraud generator (model/synthetic_fraud.h) all
// produce or consume this one type.
//
// CSV files are read with libcsv (RFC 4180 quoting, CRLF or LF line ends, blank lines
// skipped, spaces around unquoted cells trimmed). Errors are CORRUPTION with a named
// reason and the 1-based record (row, counting the header) and column in the message:
//   dataset.csv_syntax     libcsv rejected the text (e.g. an unterminated quote)
//   dataset.bad_header     the first line is not what the format requires
//   dataset.column_count   a row has a different number of cells than expected
//   dataset.non_numeric    a feature cell is not a finite decimal number
//   dataset.bad_label      a label is not an integer in [0, num_classes)
//   dataset.row_count      the number of rows differs from the one the header announces
//   dataset.empty          no data rows
// File errors pass through ("file.not_found", "file.read", "file.too_large").
//
// Thread-safety: loaders are free functions without shared state.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace fedtee::model {

struct Dataset {
  Eigen::MatrixXf x;  // n x num_features, one example per row
  Eigen::VectorXi y;  // n labels in [0, num_classes)
  int num_classes = 0;
  std::vector<std::string> feature_names;  // num_features names
  std::vector<std::string> class_names;    // num_classes names

  int64_t size() const { return x.rows(); }
  int num_features() const { return static_cast<int>(x.cols()); }
  // Examples per class (num_classes counts).
  std::vector<int64_t> ClassCounts() const;
  // INVALID_ARGUMENT "dataset.inconsistent" when x, y, names and labels disagree.
  Status Validate() const;
};

// The examples at `indices` (in that order; repeats allowed), with the same names.
// Indices must be in [0, size()).
Dataset Subset(const Dataset& data, std::span<const int64_t> indices);

// Reads one of scikit-learn's bundled classification CSVs (sklearn/datasets/data/, e.g.
// breast_cancer.csv, iris.csv, wine_data.csv): the first line is
//   n_samples,n_features,class_name_0,class_name_1,...
// then n_samples rows of n_features numbers and an integer label last. Feature names are
// not in these files: they are "x0", "x1", ...
Result<Dataset> LoadSklearnCsv(const std::filesystem::path& path);

// Reads a generic CSV of numeric features with one label column. `label_column` counts
// from 0; negative values count from the end (-1 is the last column). With `has_header`
// the first row names the columns; otherwise features are named "x0", "x1", ....
// Labels that are all integers in [0, 1000) are used as given (num_classes = max + 1,
// class names "0", "1", ...); any other labels are treated as names and numbered in
// sorted order.
Result<Dataset> LoadCsv(const std::filesystem::path& path, int label_column = -1,
                        bool has_header = true);

// The CSV LoadCsv(path, -1, true) reads back: a header row of feature names (quoted when
// they hold a comma, quote, line break or edge space) and "label", then one row per
// example with floats in their shortest form that reads back as the same float32 and the
// class index as the label.
std::string DatasetToCsv(const Dataset& d);

}  // namespace fedtee::model
