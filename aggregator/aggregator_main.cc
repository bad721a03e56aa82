// fedtee-aggregator: the attested aggregator (docs/protocol.md). Flags, the TOML config
// file (flags override it), the attestation backend, logging, metrics and signals; the
// work itself is aggregator::Service.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "aggregator/config.h"
#include "aggregator/keys.h"
#include "aggregator/service.h"
#include "attestation/sim/sim_attester.h"
#include "attestation/sim/sim_ca.h"
#include "attestation/snp/snp_report.h"
#include "attestation/tdx/tdx_quote.h"
#include "attestation/tsm/tsm_attester.h"
#include "attestation/tsm/tsm_device.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "cli/exit_codes.h"
#include "federation/runtime.h"
#include "transport/curve_identity.h"

namespace fedtee::aggregator {
namespace {

constexpr char kProcess[] = "aggregator";

// A Z85 key given inline, or the path of a key file (CurveKeyPair::Save's public file).
Result<std::string> ResolveCoordinatorKey(const std::string& value) {
  if (value.size() == transport::kZ85KeyLength && transport::ValidateZ85Key(value).ok()) {
    return value;
  }
  auto key = transport::LoadPublicKey(value);
  if (!key.ok()) {
    return key.status().Wrap("--coordinator-key is neither a Z85 key nor a readable key file");
  }
  return key;
}

Result<std::unique_ptr<attestation::Attester>> MakeAttester(const Config& c) {
  if (c.attestation == "auto") {
    if (!attestation::tsm::TsmAvailable()) {
      return Status::FailedPrecondition(
          "attestation.no_tee",
          std::string("no TEE found (") + attestation::tsm::kDefaultTsmRoot +
              " is absent). To run WITHOUT hardware protection for development, pass "
              "--attestation sim --sim-ca DIR explicitly");
    }
    FEDTEE_ASSIGN_OR_RETURN(auto tsm, attestation::tsm::TsmAttester::Create(
                                          std::make_unique<attestation::tsm::ConfigfsTsmDevice>()));
    spdlog::info("attestation backend: {} through configfs-tsm ({})",
                 attestation::PlatformName(tsm->platform()), attestation::tsm::kDefaultTsmRoot);
    return std::unique_ptr<attestation::Attester>(std::move(tsm));
  }
  if (c.attestation != "sim") {
    return Status::InvalidArgument(
        "attestation.unknown_backend",
        "--attestation must be 'sim' or 'auto', not '" + c.attestation + "'");
  }
  if (c.sim_ca.empty()) {
    return Status::InvalidArgument("config.missing",
                                   "--attestation sim needs --sim-ca DIR (from `fedtee sim-ca "
                                   "init DIR`)");
  }
  FEDTEE_ASSIGN_OR_RETURN(attestation::sim::SimCa ca, attestation::sim::SimCa::Load(c.sim_ca));
  FEDTEE_ASSIGN_OR_RETURN(Bytes measurement, attestation::sim::MeasureSelf());
  spdlog::warn("**************************************************************************");
  spdlog::warn("* attestation backend 'sim': SIMULATED TEE, NO HARDWARE PROTECTION.       *");
  spdlog::warn("* The host can read every key and every update this process holds.       *");
  spdlog::warn("* Use it for development and tests only.                                  *");
  spdlog::warn("**************************************************************************");
  return std::unique_ptr<attestation::Attester>(new attestation::sim::SimAttester(
      std::move(ca), std::move(measurement), c.sim_tcb_svn, /*debug=*/false, SystemClock::Get()));
}

// Produces one piece of evidence before serving (so a broken TEE device stops the start,
// not the first round) and logs the measurement it carries.
Status SelfTest(attestation::Attester& attester, const EnclaveKeys& keys) {
  const Bytes zeros(32, 0);
  auto evidence = attester.Attest(keys.ReportDataFor(zeros));
  if (!evidence.ok()) return evidence.status().Wrap("attestation self-test");
  Bytes measurement;
  switch (evidence->platform) {
    case attestation::Platform::kSim: {
      FEDTEE_ASSIGN_OR_RETURN(measurement, attestation::sim::MeasureSelf());
      break;
    }
    case attestation::Platform::kSevSnp: {
      FEDTEE_ASSIGN_OR_RETURN(auto report, attestation::snp::ParseSnpReport(evidence->report));
      measurement = report.measurement;
      break;
    }
    case attestation::Platform::kTdx: {
      FEDTEE_ASSIGN_OR_RETURN(auto quote, attestation::tdx::ParseTdxQuote(evidence->report));
      measurement = quote.report.mrtd;
      break;
    }
  }
  spdlog::info("attestation self-test passed; platform {}, measurement {}",
               attestation::PlatformName(evidence->platform), HexEncode(measurement));
  return Status::Ok();
}

int Fail(const Status& s) {
  spdlog::error("{}", s.ToString());
  return cli::ExitCodeFor(s);
}

int Main(int argc, char** argv) {
  Config c;
  CLI::App app{
      "fedtee-aggregator: the attested aggregator of a fedtee federation. It makes its HPKE,\n"
      "CURVE and receipt-signing keys in memory, proves them with TEE evidence, opens and\n"
      "checks sealed updates, aggregates them (FedAvg) and signs a receipt per round."};
  app.footer(cli::kExitCodeHelp);
  app.add_option("--config", c.config_file,
                 "TOML file with any of the options below (keys in snake_case, e.g. "
                 "coordinator_key; relative paths are from the file's directory); flags "
                 "given on the command line override it");
  app.add_option("--coordinator", c.coordinator,
                 "the coordinator's aggregator endpoint, tcp://host:port (required)");
  app.add_option("--coordinator-key", c.coordinator_key,
                 "the coordinator's CURVE public key (Z85, 40 characters) or a file holding "
                 "it; pinned (required)");
  app.add_option("--listen", c.listen, "data-plane endpoint to bind (port 0 picks a free port)")
      ->capture_default_str();
  app.add_option("--advertise", c.advertise,
                 "data-plane endpoint told to the coordinator and participants "
                 "(default: the bound endpoint)");
  app.add_option("--attestation", c.attestation,
                 "attestation backend: auto (the TEE via configfs-tsm; refuses to start "
                 "without one) or sim (simulated, NO hardware protection)")
      ->capture_default_str();
  app.add_option("--sim-ca", c.sim_ca,
                 "directory of the simulated CA (`fedtee sim-ca init DIR`), for --attestation "
                 "sim");
  app.add_option("--sim-tcb-svn", c.sim_tcb_svn, "TCB SVN the simulated platform reports")
      ->capture_default_str();
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--metrics-json", c.metrics_json,
                 "append one JSON line per update verdict and per round to FILE");
  app.add_option("--max-message-bytes", c.max_message_bytes,
                 "largest frame accepted on either socket")
      ->capture_default_str();
  app.add_option("--chunk-bytes", c.chunk_bytes,
                 "data bytes per chunk of the aggregate sent to the coordinator")
      ->capture_default_str();
  app.add_option("--max-model-bytes", c.max_model_bytes, "largest global model accepted")
      ->capture_default_str();
  app.add_option("--max-in-flight", c.max_in_flight,
                 "most update streams staged at once, each holding a model-sized buffer "
                 "(0: the round's participant count)")
      ->capture_default_str();
  app.add_option("--ingest-threads", c.ingest_threads,
                 "worker threads opening update streams in parallel (0: the number of cores, "
                 "at most 8)")
      ->capture_default_str();
  app.add_option("--stream-timeout-ms", c.stream_timeout_ms,
                 "reject an update stream idle for this long")
      ->capture_default_str();
  app.add_option("--heartbeat-ms", c.heartbeat_ms, "interval of heartbeats to the coordinator")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  if (!c.config_file.empty()) {
    auto flag_given = [&app](const std::string& flag) { return app.count(flag) > 0; };
    if (Status s = LoadConfigFile(c.config_file, flag_given, c); !s.ok()) {
      std::cerr << "fedtee-aggregator: " << s.ToString() << "\n";
      return s.code() == StatusCode::kNotFound ? cli::kExitNotFound : cli::kExitUsage;
    }
  }
  if (Status s = federation::SetupLogging(c.log_level, kProcess); !s.ok()) {
    std::cerr << "fedtee-aggregator: " << s.ToString() << "\n";
    return cli::kExitUsage;
  }
  if (c.coordinator.empty() || c.coordinator_key.empty()) {
    return Fail(Status::InvalidArgument(
        "config.missing", "--coordinator and --coordinator-key are required (flag or config)"));
  }
  if (c.heartbeat_ms == 0 || c.stream_timeout_ms == 0) {
    return Fail(Status::InvalidArgument("config.bad_value",
                                        "--heartbeat-ms and --stream-timeout-ms must be > 0"));
  }
  federation::InstallStopHandlers();

  auto coordinator_key = ResolveCoordinatorKey(c.coordinator_key);
  if (!coordinator_key.ok()) return Fail(coordinator_key.status());

  auto attester = MakeAttester(c);
  if (!attester.ok()) return Fail(attester.status());

  federation::MetricsWriter metrics;
  if (Status s = metrics.Open(c.metrics_json, kProcess); !s.ok()) return Fail(s);

  auto keys = EnclaveKeys::Generate();
  if (!keys.ok()) return Fail(keys.status());
  spdlog::info("fresh keys made in memory (never stored): HPKE {}, CURVE {}, receipt {}",
               HexEncode((*keys)->hpke_public_key()), (*keys)->curve_public_z85(),
               HexEncode((*keys)->receipt_public_key()));

  ServiceOptions o;
  o.coordinator_endpoint = c.coordinator;
  o.coordinator_key = *coordinator_key;
  o.listen = c.listen;
  o.advertise = c.advertise;
  o.max_message_bytes = c.max_message_bytes;
  o.chunk_bytes = c.chunk_bytes;
  o.max_model_bytes = c.max_model_bytes;
  o.max_in_flight = c.max_in_flight;
  o.ingest_threads = c.ingest_threads;
  o.stream_idle_timeout = std::chrono::milliseconds(c.stream_timeout_ms);
  o.heartbeat_interval = std::chrono::milliseconds(c.heartbeat_ms);
  if (Status st = SelfTest(**attester, **keys); !st.ok()) return Fail(st);

  auto service =
      Service::Create(std::move(o), std::move(keys).value(), std::move(attester).value(), &metrics);
  if (!service.ok()) return Fail(service.status());

  Status s = (*service)->Run([] { return federation::StopRequested(); });
  if (!s.ok()) return Fail(s);
  return cli::kExitOk;
}

}  // namespace
}  // namespace fedtee::aggregator

int main(int argc, char** argv) { return fedtee::aggregator::Main(argc, argv); }
