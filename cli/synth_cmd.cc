// fedtee data synth-fraud: per-bank CSV files of SYNTHETIC card transactions for the finance
// demo (model/synthetic_fraud.h: no Debian package ships real fraud data), a held-out test
// set drawn from every bank's distribution, and the feature scaler the banks share.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "model/standardizer.h"
#include "model/synthetic_fraud.h"
#include "participant/data_files.h"

namespace fedtee::cli {
namespace {

struct SynthArgs {
  int banks = 5;
  int64_t rows = 20000;
  int64_t test_rows = 0;  // held-out rows per bank; 0 = rows / 2
  uint64_t seed = 1;
  std::string out;
};

model::Dataset Concat(const std::vector<model::Dataset>& parts) {
  model::Dataset all = parts.front();
  int64_t n = 0;
  for (const auto& p : parts) n += p.size();
  all.x.resize(n, parts.front().num_features());
  all.y.resize(n);
  int64_t at = 0;
  for (const auto& p : parts) {
    all.x.middleRows(at, p.size()) = p.x;
    all.y.segment(at, p.size()) = p.y;
    at += p.size();
  }
  return all;
}

int Synth(const SynthArgs& a) {
  const std::filesystem::path out(a.out);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return Fail("data synth-fraud: " + a.out, Status::IOError("io.mkdir", ec.message()));
  const auto profiles = model::DefaultBankProfiles(a.banks, a.seed, a.rows);
  std::vector<model::Dataset> train, test;
  for (int b = 0; b < a.banks; ++b) {
    train.push_back(model::MakeSyntheticFraud(profiles[b]));
    model::FraudOptions t = profiles[b];
    t.seed ^= 0x7E57DA7A5E7ull;  // same bank, unseen transactions
    t.num_transactions = a.test_rows > 0 ? a.test_rows : std::max<int64_t>(1, a.rows / 2);
    test.push_back(model::MakeSyntheticFraud(t));
    const auto path = out / ("bank-" + std::to_string(b + 1) + ".csv");
    if (Status s = WriteFileAtomic(path, model::DatasetToCsv(train.back())); !s.ok()) {
      return Fail("data synth-fraud: writing " + path.string(), s);
    }
    const auto counts = train.back().ClassCounts();
    std::cout << path.filename().string() << ": " << train.back().size() << " transactions, "
              << counts[1] << " fraud\n";
  }
  const model::Dataset pooled = Concat(train);
  const model::Dataset held_out = Concat(test);
  if (Status s = WriteFileAtomic(out / "test.csv", model::DatasetToCsv(held_out)); !s.ok()) {
    return Fail("data synth-fraud: writing test.csv", s);
  }
  std::cout << "test.csv: " << held_out.size() << " held-out transactions from every bank, "
            << held_out.ClassCounts()[1] << " fraud\n";
  auto standardizer = model::Standardizer::Fit(pooled);
  if (!standardizer.ok()) return Fail("data synth-fraud: scaler", standardizer.status());
  participant::ScalerFile scaler;
  scaler.feature_names = pooled.feature_names;
  scaler.standardizer = *standardizer;
  scaler.note = "mean/std of the pooled SYNTHETIC training transactions of " +
                std::to_string(a.banks) + " banks (fedtee data synth-fraud, seed " +
                std::to_string(a.seed) + ")";
  if (Status s = participant::SaveScalerFile(out / "scaler.json", scaler); !s.ok()) {
    return Fail("data synth-fraud: writing scaler.json", s);
  }
  std::cout << "SYNTHETIC data (model/synthetic_fraud.h): Debian ships no real fraud data set\n";
  return kExitOk;
}

}  // namespace

void AddSynthCommands(CLI::App& app, int* exit_code) {
  CLI::App* data = nullptr;
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == "data") data = sub;
  }
  if (data == nullptr) data = app.add_subcommand("data", "Prepare data sets for a demo federation");
  auto args = std::make_shared<SynthArgs>();
  auto* cmd = data->add_subcommand(
      "synth-fraud",
      "Write SYNTHETIC card-transaction data for the finance demo (model/synthetic_fraud.h):\n"
      "DIR/bank-<i>.csv per bank (each its own distribution, DefaultBankProfiles), DIR/test.csv\n"
      "(held-out rows of every bank) and DIR/scaler.json (mean/std of the pooled training\n"
      "rows). Not real data: no Debian package ships a fraud data set.");
  cmd->add_option("--banks", args->banks, "Number of banks")->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--rows", args->rows, "Training transactions per bank")
      ->check(CLI::Range(int64_t{10}, int64_t{100000000}))
      ->capture_default_str();
  cmd->add_option("--test-rows", args->test_rows,
                  "Held-out transactions per bank (default: half of --rows)");
  cmd->add_option("--seed", args->seed, "Seed")->capture_default_str();
  cmd->add_option("--out", args->out, "Output folder")->required();
  cmd->callback([args, exit_code] { *exit_code = Synth(*args); });
}

}  // namespace fedtee::cli
