// fedtee-coordinator: runs a federation's rounds from federation.toml.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/exit_codes.h"
#include "coordinator/config.h"
#include "coordinator/coordinator.h"
#include "federation/runtime.h"

int main(int argc, char** argv) {
  using namespace fedtee;
  CLI::App app{
      "fedtee-coordinator: the control plane of a fedtee federation. Attests the aggregator, "
      "runs training rounds, checks signed receipts and commits each round (model, "
      "hash-chained round log, state) atomically. It never sees a participant's update."};
  app.footer(cli::kExitCodeHelp);
  std::string config_path, log_level = "info", metrics_path;
  std::optional<uint32_t> rounds, min_participants, per_round, round_timeout;
  std::optional<std::string> listen, aggregator_listen, checkpoint_dir;
  app.add_option("--config", config_path, "federation.toml")->required();
  app.add_option("--rounds", rounds, "Override: total rounds");
  app.add_option("--min-participants", min_participants, "Override: min_participants");
  app.add_option("--participants-per-round", per_round, "Override: participants_per_round");
  app.add_option("--round-timeout", round_timeout, "Override: round_timeout_seconds");
  app.add_option("--listen", listen, "Override: participants endpoint tcp://host:port");
  app.add_option("--aggregator-listen", aggregator_listen,
                 "Override: aggregator endpoint tcp://host:port");
  app.add_option("--checkpoint-dir", checkpoint_dir, "Override: checkpoint_dir");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off");
  app.add_option("--metrics-json", metrics_path, "Append one JSON line per event to FILE");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  Status s = federation::SetupLogging(log_level, "coordinator");
  if (!s.ok()) {
    std::cerr << "fedtee-coordinator: " << s.ToString() << "\n";
    return cli::kExitUsage;
  }
  auto config = coordinator::LoadFederationConfig(config_path);
  if (!config.ok()) {
    spdlog::error("{}", config.status().ToString());
    return cli::ExitCodeFor(config.status());
  }
  if (rounds) config->rounds = *rounds;
  if (min_participants) config->min_participants = *min_participants;
  if (per_round) config->participants_per_round = *per_round;
  if (round_timeout) config->round_timeout_seconds = *round_timeout;
  if (listen) config->listen = *listen;
  if (aggregator_listen) config->aggregator_listen = *aggregator_listen;
  if (checkpoint_dir) config->checkpoint_dir = *checkpoint_dir;
  s = coordinator::ValidateFederationConfig(*config);
  if (!s.ok()) {
    spdlog::error("{}", s.ToString());
    return cli::kExitUsage;
  }
  federation::MetricsWriter metrics;
  s = metrics.Open(metrics_path, "coordinator");
  if (!s.ok()) {
    spdlog::error("{}", s.ToString());
    return cli::kExitUsage;
  }
  federation::InstallStopHandlers();
  auto coord = coordinator::Coordinator::Create(*config, &metrics);
  if (!coord.ok()) {
    spdlog::error("cannot start: {}", coord.status().ToString());
    return cli::ExitCodeFor(coord.status());
  }
  s = (*coord)->Run();
  if (!s.ok()) {
    if (s.reason() == "coordinator.stopped") {
      spdlog::info("{}", s.message());
      return cli::kExitOk;
    }
    spdlog::error("{}", s.ToString());
    return cli::ExitCodeFor(s);
  }
  return cli::kExitOk;
}
