// A whole federation on loopback for cross-process tests: one workspace in a TempDir with
// CURVE identities, a roster, a simulated TEE CA, attestation policies pinning the measured
// fedtee-aggregator, a seeded non-IID split of the Wisconsin breast cancer data set,
// federation.toml and one site.toml per participant; then real fedtee-coordinator,
// fedtee-aggregator and fedtee-participant processes with their logs in the workspace.
//
// Typical use:
//   FederationHarness h("converge", {.rounds = 6});
//   h.SetFederation("min_participants", "3");          // any key, before the start
//   h.WritePolicy(h.SitePolicy("hospital-3"), {kOtherMeasurement});
//   h.StartAll();
//   ASSERT_TRUE(h.WaitForCommitted(6, 120s));
//   auto rc = h.WaitExit("coordinator", 30s);
//
// Every wait polls with a deadline and returns false / nullopt when it passes; nothing here
// sleeps for correctness. Configuration is written when the first process starts (and again
// by WriteConfigs). On destruction every process still running gets SIGTERM, then SIGKILL;
// when the current test failed, the tail of every log is printed. Set FEDTEE_KEEP_TEST_DIRS
// to keep the workspace. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/subprocess.h"

namespace fedtee::testsupport {

using namespace std::chrono_literals;

// The CSV that Debian's python3-sklearn ships; tests skip when it is absent.
inline constexpr char kBreastCancerCsv[] =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";
// A well-formed SHA-384 measurement that no binary has.
inline const std::string kOtherMeasurement(96, '0');

// A free TCP port on 127.0.0.1 (bound to port 0, read back, closed).
int FreeLoopbackPort();

// Each line of a JSON-lines file that parses (absent file: none).
std::vector<nlohmann::json> ReadJsonLines(const std::filesystem::path& path);

struct FederationOptions {
  int hospitals = 3;  // hospital-1..N, each with its own share of the data
  uint32_t rounds = 3;
  uint32_t min_participants = 2;
  std::string federation_id;  // default "itest-<name>"
};

// One committed round as the round log records it.
struct RoundRecord {
  uint64_t round = 0;
  std::vector<std::string> receipt_participants;  // ids listed in the signed receipt, sorted
  nlohmann::json metrics;                         // the coordinator's metrics of the round
};

class FederationHarness {
 public:
  // Builds the workspace (aborts the test with a fatal failure message if a CLI step
  // fails; check HasFatalFailure() after construction in the test, or use ASSERT_NO_FATAL).
  FederationHarness(const std::string& name, FederationOptions options = {});
  ~FederationHarness();
  FederationHarness(const FederationHarness&) = delete;
  FederationHarness& operator=(const FederationHarness&) = delete;

  // --- workspace and configuration (before the processes start) ---
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path Path(const std::string& relative) const { return dir_ / relative; }
  const std::string& measurement() const { return measurement_; }
  const std::string& federation_id() const { return federation_id_; }
  std::vector<std::string> hospitals() const;
  std::string coordinator_endpoint() const;  // participants' control endpoint
  std::filesystem::path CoordinatorPolicy() const { return Path("coordinator-policy.toml"); }
  std::filesystem::path SitePolicy(const std::string& id) const;
  std::filesystem::path SiteKey(const std::string& id) const;  // CURVE secret file
  std::filesystem::path StatePath(const std::string& rel) const { return Path("state/" + rel); }

  // Sets a top-level federation.toml key to a TOML literal ("6", "\"fedavg\"").
  void SetFederation(const std::string& key, const std::string& toml_value);
  // Sets a site.toml key (top level) of participant `id` to a TOML literal.
  void SetSite(const std::string& id, const std::string& key, const std::string& toml_value);
  // (Re)writes an attestation policy file allowing exactly `measurements` on platform sim.
  void WritePolicy(const std::filesystem::path& path, const std::vector<std::string>& measurements);
  // Makes a CURVE identity for `id`, enrolls it in the roster when `enrolled`, and (when
  // `data_site` > 0) writes a site.toml reading data/site-<data_site>.csv so that it can be
  // started with StartParticipant. Hospitals are added by the constructor.
  void AddSite(const std::string& id, bool enrolled, int data_site);
  // Writes federation.toml and every site.toml from the current settings.
  void WriteConfigs();

  // --- processes (logs in logs/<log_name>.log) ---
  Subprocess& StartCoordinator(const std::string& log_name = "coordinator");
  Subprocess& StartAggregator();
  Subprocess& StartParticipant(const std::string& id);
  // The coordinator, the aggregator and every hospital.
  void StartAll();
  Subprocess& process(const std::string& name);  // "coordinator", "aggregator" or a site id
  bool has_process(const std::string& name) const { return procs_.count(name) != 0; }
  // Waits for `name` to exit; its exit code (128+signal) or nullopt after `timeout`.
  std::optional<int> WaitExit(const std::string& name, std::chrono::milliseconds timeout);
  void Signal(const std::string& name, int sig);
  std::filesystem::path LogPath(const std::string& name) { return process(name).log_path(); }
  std::string Log(const std::string& name) { return process(name).Log(); }
  std::filesystem::path MetricsPath(const std::string& name) const;

  // --- waiting (polls every 50 ms until the deadline) ---
  // True once `needle` appears in the log of process `name`.
  bool WaitForLog(const std::string& name, const std::string& needle,
                  std::chrono::milliseconds timeout);
  // True once state.json's last_committed_round >= `round`; false at the deadline or as soon
  // as the coordinator exited without reaching it.
  bool WaitForCommitted(uint64_t round, std::chrono::milliseconds timeout);
  uint64_t LastCommittedRound() const;       // 0 when there is no state.json yet
  std::string CommittedModelSha256() const;  // state.json's model_sha256 ("" when none)

  // --- results ---
  std::vector<RoundRecord> Rounds() const;  // the round log, receipts parsed
  RunResult VerifyLog() const;              // fedtee log verify state/round_log.jsonl
  // `fedtee model evaluate` of `model` (default: the final model) on the held-out test set;
  // the accuracy, or -1 when the command failed.
  double TestAccuracy(const std::filesystem::path& model = {}) const;
  // Number of (non-overlapping) occurrences of `needle` in the log of `name`.
  size_t CountInLog(const std::string& name, const std::string& needle);

 private:
  struct Site {
    int data_site = 0;
    std::vector<std::pair<std::string, std::string>> keys;  // top-level site.toml keys
  };
  void Cli(const std::vector<std::string>& args);
  Subprocess& Launch(const std::string& name, std::vector<std::string> argv,
                     const std::string& log_name);

  TempDir dir_;
  FederationOptions options_;
  std::string federation_id_;
  std::string measurement_;
  int port_ = 0, aggregator_port_ = 0;
  bool configs_written_ = false;
  std::vector<std::pair<std::string, std::string>> federation_keys_;
  std::map<std::string, Site> sites_;
  std::map<std::string, std::unique_ptr<Subprocess>> procs_;
  std::vector<std::unique_ptr<Subprocess>> retired_;  // replaced processes (exited)
};

// Joins ids with ", " for summaries.
std::string JoinIds(const std::vector<std::string>& ids);

}  // namespace fedtee::testsupport
