// fedtee-participant: one data owner's process in a federation (participant/README.md).
//
//   fedtee-participant --config site.toml [--<key> VALUE ...]
//
// Every site.toml key is also a flag (participant/site_config.h); flags override the file.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <memory>

#include "attestation/policy.h"
#include "cli/exit_codes.h"
#include "federation/attested_aggregator.h"
#include "federation/runtime.h"
#include "participant/client.h"
#include "participant/local_data.h"
#include "participant/rollback_guard.h"
#include "participant/site_config.h"
#include "transport/curve_identity.h"

namespace {

using fedtee::Status;
using namespace fedtee::participant;

int Fail(const std::string& context, const Status& status) {
  std::cerr << "fedtee-participant: " << context << ": " << status.ToString() << "\n";
  if (spdlog::default_logger_raw() != nullptr) {
    spdlog::error("{}: {}", context, status.ToString());
  }
  return fedtee::cli::ExitCodeFor(status);
}

std::string ClassBalance(const fedtee::model::Dataset& d) {
  std::string out;
  auto counts = d.ClassCounts();
  for (size_t c = 0; c < counts.size(); ++c) {
    out += (out.empty() ? "" : ", ") + std::to_string(c) + ": " + std::to_string(counts[c]);
  }
  return out;
}

int RunParticipant(const std::string& config_path,
                   const std::map<std::string, std::string>& overrides) {
  SiteConfig config;
  if (!config_path.empty()) {
    Status s = LoadSiteConfigFile(config_path, config);
    if (!s.ok()) return Fail("site config", s);
  }
  for (const auto& [key, value] : overrides) {
    Status s = SetSiteConfigValue(config, key, value);
    if (!s.ok()) return Fail("flag " + key, s);
  }
  Status s = FinalizeSiteConfig(config);
  if (!s.ok()) return Fail("site config", s);

  s = fedtee::federation::SetupLogging(config.log_level, "participant " + config.participant_id);
  if (!s.ok()) return Fail("logging", s);
  fedtee::federation::InstallStopHandlers();
  fedtee::federation::MetricsWriter metrics;
  s = metrics.Open(config.metrics_json, "participant");
  if (!s.ok()) return Fail("metrics", s);

  auto identity = fedtee::transport::CurveKeyPair::Load(config.identity);
  if (!identity.ok()) return Fail("identity " + config.identity.string(), identity.status());
  auto coordinator_key = ResolveCoordinatorKey(config);
  if (!coordinator_key.ok()) return Fail("coordinator key", coordinator_key.status());
  auto policy = fedtee::attestation::LoadPolicyFile(config.policy);
  if (!policy.ok()) return Fail("policy " + config.policy.string(), policy.status());
  auto verify_options = fedtee::federation::VerifyOptionsForPolicy(*policy);
  if (!verify_options.ok()) {
    return Fail("policy trusted roots " + config.policy.string(), verify_options.status());
  }
  auto data = LoadLocalData(config.data);
  if (!data.ok()) return Fail("local data", data.status());
  auto guard = RollbackGuard::Open(config.state_file);
  if (!guard.ok()) return Fail("state file", guard.status());

  spdlog::info(
      "participant '{}' (CURVE key {}): {} training and {} held-out examples from {} "
      "(classes {}), {} features{}",
      config.participant_id, identity->public_z85, data->train.size(), data->eval.size(),
      config.data.csv.string(), ClassBalance(data->train), data->train.num_features(),
      config.data.scaler.empty() ? "" : ", standardised with " + config.data.scaler.string());
  spdlog::info(
      "attestation policy {}: {} allowed measurement(s); rollback state {} (highest "
      "verified round {})",
      config.policy.string(), policy->allowed_measurements.size(), config.state_file.string(),
      guard->highest_round());

  ClientSetup setup;
  setup.config = config;
  setup.coordinator_key = *coordinator_key;
  setup.identity = std::move(identity).value();
  setup.policy = std::move(policy).value();
  setup.verify_options = std::move(verify_options).value();
  setup.data = std::move(data).value();
  setup.guard = std::make_unique<RollbackGuard>(std::move(guard).value());
  setup.metrics = &metrics;
  ParticipantClient client(std::move(setup));
  s = client.Run();
  if (!s.ok()) {
    if (s.reason() == "coordinator.rollback" || s.reason() == "coordinator.fork") {
      return Fail("REFUSING the coordinator (rollback detected)", s);
    }
    return Fail("participant", s);
  }
  spdlog::info("done after {} round(s)", client.rounds_completed());
  return fedtee::cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "fedtee-participant: one data owner in a fedtee federation. Verifies the aggregator's "
      "attestation evidence against this site's own policy, trains on local data, seals the "
      "model delta to the attested aggregator key and checks the signed round receipts."};
  app.footer(std::string("Every site.toml key is also a flag; flags override the file.\n") +
             fedtee::cli::kExitCodeHelp);
  app.set_version_flag("--version", "fedtee-participant 0.1.0");
  std::string config_path;
  app.add_option("--config", config_path, "Site configuration (TOML)");
  std::map<std::string, std::string> values;
  std::vector<std::pair<std::string, CLI::Option*>> options;
  for (const SiteConfigKey& k : SiteConfigKeys()) {
    options.emplace_back(k.key, app.add_option(k.flag, values[k.key], k.help));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return fedtee::cli::kExitOk;
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return fedtee::cli::kExitOk;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return fedtee::cli::kExitUsage;
  }
  std::map<std::string, std::string> overrides;
  for (const auto& [key, opt] : options) {
    if (opt->count() > 0) overrides[key] = values[key];
  }
  return RunParticipant(config_path, overrides);
}
