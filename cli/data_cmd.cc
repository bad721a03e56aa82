// fedtee data split: turns one labelled CSV into a held-out test set and non-IID site
// shards for a demo federation, plus the feature scaler the sites share.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "model/dataset.h"
#include "model/random.h"
#include "model/split.h"
#include "model/standardizer.h"
#include "participant/data_files.h"

namespace fedtee::cli {
namespace {

struct SplitArgs {
  std::string input;
  std::string format = "sklearn";
  std::string label = "label";
  int sites = 3;
  double alpha = 0.5;
  double test_fraction = 0.2;
  uint64_t seed = 7;
  std::string out;
};

// A CSV cell: quoted (RFC 4180) only when it needs to be.
// "212 rows; label 0 (malignant): 80 (37.7%), label 1 (benign): 132 (62.3%)"
std::string Balance(const model::Dataset& d) {
  std::ostringstream os;
  os << d.size() << " rows";
  std::vector<int64_t> counts = d.ClassCounts();
  for (size_t c = 0; c < counts.size(); ++c) {
    double pct = d.size() > 0 ? 100.0 * static_cast<double>(counts[c]) / d.size() : 0.0;
    os << (c == 0 ? "; " : ", ") << "label " << c;
    if (c < d.class_names.size() && d.class_names[c] != std::to_string(c)) {
      os << " (" << d.class_names[c] << ")";
    }
    os << ": " << counts[c] << " (" << std::fixed << std::setprecision(1) << pct << "%)";
    os.unsetf(std::ios::fixed);
  }
  return os.str();
}

int Split(const SplitArgs& a) {
  auto data = participant::LoadExamples(a.input, a.format, a.label);
  if (!data.ok()) return Fail("data split: reading " + a.input, data.status());
  auto tt = model::TrainTestSplit(*data, a.test_fraction, a.seed);
  if (!tt.ok()) return Fail("data split: held-out test set", tt.status());
  auto sites =
      model::PartitionNonIid(tt->train, a.sites, a.alpha, model::Rng::DeriveSeed(a.seed, 1));
  if (!sites.ok()) return Fail("data split: partitioning across sites", sites.status());
  auto standardizer = model::Standardizer::Fit(tt->train);
  if (!standardizer.ok()) return Fail("data split: scaler", standardizer.status());

  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) {
    return Fail("data split",
                Status::IOError("file.write", "creating " + a.out + ": " + ec.message()));
  }
  const std::filesystem::path out(a.out);
  for (size_t k = 0; k < sites->size(); ++k) {
    std::string name = "site-" + std::to_string(k + 1) + ".csv";
    Status s = WriteFileAtomic(out / name, model::DatasetToCsv((*sites)[k]));
    if (!s.ok()) return Fail("data split: writing " + (out / name).string(), s);
    std::cout << name << ": " << Balance((*sites)[k]) << "\n";
  }
  Status s = WriteFileAtomic(out / "test.csv", model::DatasetToCsv(tt->test));
  if (!s.ok()) return Fail("data split: writing " + (out / "test.csv").string(), s);
  std::cout << "test.csv: " << Balance(tt->test) << "\n";

  participant::ScalerFile scaler;
  scaler.feature_names = tt->train.feature_names;
  scaler.standardizer = *standardizer;
  scaler.note =
      "mean/std of the pooled training part of " + a.input + " (" +
      std::to_string(tt->train.size()) +
      " rows). Demo shortcut: it stands for a normalisation the sites agree on (for example "
      "published reference ranges or a secure aggregate of per-site statistics); real sites "
      "would not pool their rows to compute it.";
  s = participant::SaveScalerFile(out / "scaler.json", scaler);
  if (!s.ok()) return Fail("data split: writing " + (out / "scaler.json").string(), s);
  std::cout << "scaler.json: feature mean/std of the " << tt->train.size()
            << " pooled training rows (demo shortcut)\n";
  std::cout << "wrote " << sites->size() << " site files, test.csv and scaler.json to " << a.out
            << " (split seed " << a.seed << ", Dirichlet alpha " << a.alpha << ")\n";
  return kExitOk;
}

}  // namespace

void AddDataCommands(CLI::App& app, int* exit_code) {
  auto* data = app.add_subcommand("data", "Prepare data sets for a demo federation");
  data->require_subcommand(1);
  auto args = std::make_shared<SplitArgs>();

  auto* split = data->add_subcommand(
      "split",
      "Split a labelled CSV into a stratified held-out test set and non-IID site shards.\n"
      "The test set takes --test-fraction of every class (seeded). The rest is spread over\n"
      "--sites sites with Dirichlet(alpha) label skew per class (Hsu et al. 2019; small alpha:\n"
      "sites dominated by one class, large alpha: close to IID). Writes DIR/site-<k>.csv and\n"
      "DIR/test.csv (a header row of feature names and \"label\", raw feature values) and\n"
      "DIR/scaler.json: the feature mean/std of the POOLED training rows. That scaler is a\n"
      "demo shortcut standing for a normalisation the sites agree on; real sites never pool\n"
      "their data to compute one.");
  split->add_option("--input", args->input, "Labelled CSV to split")->required();
  split
      ->add_option("--format", args->format,
                   "sklearn (scikit-learn's bundled CSVs, label last) or csv (header row, "
                   "label in the --label column)")
      ->check(CLI::IsMember({"sklearn", "csv"}))
      ->capture_default_str();
  split->add_option("--label", args->label, "Label column name for --format csv")
      ->capture_default_str();
  split->add_option("--sites", args->sites, "Number of sites")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  split->add_option("--alpha", args->alpha, "Dirichlet concentration (> 0)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  split->add_option("--test-fraction", args->test_fraction, "Held-out share, in (0, 1)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  split->add_option("--seed", args->seed, "Seed of the split and the partition")
      ->capture_default_str();
  split->add_option("--out", args->out, "Output directory (created if absent)")->required();
  split->callback([args, exit_code] { *exit_code = Split(*args); });
}

}  // namespace fedtee::cli
