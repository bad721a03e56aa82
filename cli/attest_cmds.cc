// fedtee sim-ca init | measure | evidence make | evidence verify
#include <iostream>
#include <memory>

#include "attestation/evidence.h"
#include "attestation/policy.h"
#include "attestation/sim/sim_attester.h"
#include "attestation/sim/sim_ca.h"
#include "attestation/validate.h"
#include "attestation/verify.h"
#include "attestation/x509.h"
#include "base/clock.h"
#include "base/file.h"
#include "cli/claims_printer.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace fedtee::cli {
namespace {

namespace att = ::fedtee::attestation;

Result<att::ReportData> ParseReportData(const std::string& hex) {
  FEDTEE_ASSIGN_OR_RETURN(Bytes b, HexDecode(hex));
  if (b.size() != att::kReportDataSize) {
    return Status::InvalidArgument("report_data.length",
                                   "report data must be 64 bytes (128 hex digits), got " +
                                       std::to_string(b.size()));
  }
  att::ReportData rd;
  std::copy(b.begin(), b.end(), rd.begin());
  return rd;
}

struct MakeArgs {
  std::string ca_dir, report_data, out, measure_path;
  uint32_t tcb_svn = 1;
  bool debug = false;
};

int Make(const MakeArgs& a) {
  auto rd = ParseReportData(a.report_data);
  if (!rd.ok()) return Fail("--report-data", rd.status());
  auto ca = att::sim::SimCa::Load(a.ca_dir);
  if (!ca.ok()) return Fail("loading the simulated CA from " + a.ca_dir, ca.status());
  auto m = a.measure_path.empty() ? att::sim::MeasureSelf() : att::sim::MeasureFile(a.measure_path);
  if (!m.ok()) return Fail("measuring", m.status());
  att::sim::SimAttester attester(*ca, *m, a.tcb_svn, a.debug, SystemClock::Get());
  auto ev = attester.Attest(*rd);
  if (!ev.ok()) return Fail("evidence make", ev.status());
  Status s = WriteFileAtomic(a.out, att::SerializeEvidence(*ev));
  if (!s.ok()) return Fail("writing " + a.out, s);
  std::cerr << "wrote SIMULATED evidence (no hardware protection) to " << a.out
            << "\n  measurement " << HexEncode(*m) << "\n";
  return kExitOk;
}

struct VerifyArgs {
  std::string evidence, policy, report_data, platform, collateral, at;
  std::vector<std::string> certs;
};

int VerifyCmd(const VerifyArgs& a) {
  // Clock: the real one, or pinned with --at for recorded evidence.
  std::unique_ptr<FakeClock> pinned;
  const Clock* clock = &SystemClock::Get();
  if (!a.at.empty()) {
    auto t = ParseRfc3339(a.at);
    if (!t.ok()) return Fail("--at", t.status());
    pinned = std::make_unique<FakeClock>(*t);
    clock = pinned.get();
  }
  auto bytes = ReadFile(a.evidence);
  if (!bytes.ok()) return Fail("reading evidence " + a.evidence, bytes.status());
  att::Evidence ev;
  if (a.platform.empty() || a.platform == "sim") {
    auto parsed = att::ParseEvidence(*bytes);
    if (!parsed.ok()) {
      std::cout << "verdict: NOT AUTHENTIC\n";
      return Fail("parsing evidence " + a.evidence, parsed.status()), kExitBadEvidence;
    }
    ev = std::move(parsed).value();
    if (!a.platform.empty() && ev.platform != att::Platform::kSim) {
      return Fail("--platform", Status::InvalidArgument("usage", "the evidence file is not sim"));
    }
  } else {
    auto p = att::ParsePlatform(a.platform);
    if (!p.ok()) return Fail("--platform", p.status()), kExitUsage;
    ev.platform = *p;
    ev.report = std::move(bytes).value();  // a raw SNP report or TDX quote
  }
  att::VerifyOptions vo;
  vo.clock = clock;
  att::Policy policy;
  bool have_policy = !a.policy.empty();
  if (have_policy) {
    auto p = att::LoadPolicyFile(a.policy);
    if (!p.ok()) return Fail("policy " + a.policy, p.status()), kExitUsage;
    policy = std::move(p).value();
    for (const auto& root : policy.trusted_roots) {
      auto certs = att::x509::LoadCertificates(root);
      if (!certs.ok()) return Fail("policy trusted root " + root.string(), certs.status());
      for (const auto& c : *certs) vo.trusted_roots_der.push_back(att::x509::CertToDer(c.get()));
    }
  }
  for (const auto& path : a.certs) {
    auto certs = att::x509::LoadCertificates(path);
    if (!certs.ok()) return Fail("--certs " + path, certs.status()), kExitUsage;
    for (const auto& c : *certs) {
      Bytes der = att::x509::CertToDer(c.get());
      // A self-signed certificate given by the operator is a root they chose to trust.
      if (att::x509::SubjectName(c.get()) == att::x509::IssuerName(c.get())) {
        vo.trusted_roots_der.push_back(der);
      }
      vo.extra_certs_der.push_back(std::move(der));
    }
  }
  if (!a.collateral.empty()) {
    auto col = ReadFile(a.collateral);
    if (!col.ok()) return Fail("--collateral " + a.collateral, col.status());
    vo.collateral = std::move(col).value();
  }
  auto claims = att::Verify(ev, vo);
  if (!claims.ok()) {
    std::cout << "verdict: NOT AUTHENTIC (" << claims.status().reason() << ")\n";
    Fail("evidence verify", claims.status());
    return claims.status().code() == StatusCode::kUnimplemented ? kExitError : kExitBadEvidence;
  }
  PrintClaims(std::cout, *claims);
  if (!have_policy) {
    std::cout << "verdict: AUTHENTIC (signature chain verified; no --policy, so not validated)\n";
    return kExitOk;
  }
  if (a.report_data.empty()) {
    return Fail("evidence verify",
                Status::InvalidArgument("usage", "--policy needs --report-data HEX (the 64 bytes "
                                                 "you expect the evidence to bind)"));
  }
  auto rd = ParseReportData(a.report_data);
  if (!rd.ok()) return Fail("--report-data", rd.status());
  att::ValidationReport report = att::Validate(*claims, policy, *rd, *clock);
  if (report.ok()) {
    std::cout << "verdict: ACCEPTED by policy " << a.policy << "\n";
    return kExitOk;
  }
  std::cout << "verdict: REJECTED by policy " << a.policy << " (" << report.violations.size()
            << " violation" << (report.violations.size() == 1 ? "" : "s") << ")\n";
  for (const auto& v : report.violations) std::cout << "  " << v.kind << ": " << v.detail << "\n";
  return kExitPolicyViolation;
}

}  // namespace

void AddSimCaCommands(CLI::App& app, int* exit_code) {
  auto* simca = app.add_subcommand(
      "sim-ca", "The simulated TEE vendor (NO hardware protection; for machines without a TEE)");
  simca->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  auto keep = std::make_shared<bool>(false);
  auto* init = simca->add_subcommand(
      "init", "Make the simulated vendor root and a platform key it certifies, in DIR");
  init->add_option("dir", *dir, "Directory for root.pem/root.key/platform.pem/platform.key")
      ->required();
  init->add_flag("--keep-existing", *keep, "Succeed without change when DIR already has a CA");
  init->callback([dir, keep, exit_code] {
    att::sim::SimCaOptions o;
    o.keep_existing = *keep;
    Status s = att::sim::SimCa::Init(*dir, SystemClock::Get(), o);
    if (!s.ok()) {
      *exit_code = Fail("sim-ca init " + *dir, s);
      return;
    }
    std::cerr << "simulated CA in " << *dir << " (root.pem is the trust anchor to put in "
              << "policies; it gives NO hardware protection)\n";
  });
}

void AddMeasureCommand(CLI::App& app, int* exit_code) {
  auto path = std::make_shared<std::string>();
  auto* measure = app.add_subcommand(
      "measure", "Print the sim measurement (SHA-384, hex) of an executable, to pin in a policy");
  measure->add_option("file", *path, "The executable, e.g. build/bin/fedtee-aggregator")
      ->required();
  measure->callback([path, exit_code] {
    auto m = att::sim::MeasureFile(*path);
    if (!m.ok()) {
      *exit_code = Fail("measure " + *path, m.status());
      return;
    }
    std::cout << HexEncode(*m) << "\n";
  });
}

void AddEvidenceCommands(CLI::App& app, int* exit_code) {
  auto* evidence = app.add_subcommand("evidence", "Make, inspect and verify attestation evidence");
  evidence->require_subcommand(1);

  auto m = std::make_shared<MakeArgs>();
  auto* make = evidence->add_subcommand("make", "Produce sim evidence binding 64 bytes of report data");
  make->add_option("--ca", m->ca_dir, "Simulated CA directory (fedtee sim-ca init)")->required();
  make->add_option("--report-data", m->report_data, "128 hex digits to bind")->required();
  make->add_option("--out", m->out, "Evidence file to write")->required();
  make->add_option("--measure", m->measure_path,
                   "Executable whose SHA-384 is the measurement (default: this fedtee binary)");
  make->add_option("--tcb-svn", m->tcb_svn, "Simulated platform SVN (default 1)");
  make->add_flag("--debug", m->debug, "Mark the workload debuggable (policies refuse it)");
  make->callback([m, exit_code] { *exit_code = Make(*m); });

  auto v = std::make_shared<VerifyArgs>();
  auto* verify = evidence->add_subcommand(
      "verify",
      "Verify evidence (authentic?) and, with --policy, validate it (acceptable?). Prints the "
      "claims, the verdict and every violation.");
  verify->add_option("--evidence", v->evidence,
                     "Evidence file: a fedtee evidence file, or with --platform sev-snp|tdx a raw "
                     "SNP report / TDX quote")
      ->required();
  verify->add_option("--platform", v->platform, "sim, sev-snp or tdx (default: from the file)");
  verify->add_option("--policy", v->policy, "Attestation policy (TOML); without it: verify only");
  verify->add_option("--report-data", v->report_data, "Expected report data, 128 hex digits");
  verify->add_option("--certs", v->certs,
                     "Certificates, PEM or DER, one or several per file (VCEK, ASK/ARK bundle, "
                     "root); repeatable");
  verify->add_option("--collateral", v->collateral, "TDX collateral JSON");
  verify->add_option("--at", v->at, "Verify as of this RFC 3339 time (recorded evidence)");
  verify->callback([v, exit_code] { *exit_code = VerifyCmd(*v); });
}

}  // namespace fedtee::cli
