#include "attestation/sim/sim_attester.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "attestation/errors.h"
#include "base/file.h"
#include "attestation/sim/sim_test_util.h"
#include "proto/evidence.pb.h"

namespace fedtee::attestation::sim {
namespace {

using namespace testing;  // NOLINT

namespace fs = std::filesystem;

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() /
                 ("fedtee-sim-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(SimAttesterTest, EvidenceSaysItIsSimulated) {
  SimWorld w;
  Evidence e = w.Attest(Rd(0x42));
  EXPECT_EQ(e.platform, Platform::kSim);
  ASSERT_EQ(e.certificates.size(), 1u);
  EXPECT_EQ(e.certificates[0], w.ca.platform_cert_der());
  fedtee::v1::SimReport report;
  ASSERT_TRUE(report.ParseFromArray(e.report.data(), static_cast<int>(e.report.size())));
  EXPECT_EQ(report.notice(), kSimNotice);
  EXPECT_EQ(report.version(), kSimReportVersion);
  EXPECT_EQ(report.issued_at(), kT0);
  EXPECT_EQ(report.report_data(), std::string(64, 0x42));
}

TEST(SimAttesterTest, RefusesAMeasurementOfTheWrongSize) {
  SimWorld w;
  SimAttester attester(w.ca, Bytes(32, 1), 1, false, w.clock);
  EXPECT_EQ(attester.Attest(Rd()).status().reason(), "attestation.bad_measurement");
}

TEST(SimAttesterTest, MeasureSelfIsSha384) {
  auto m = MeasureSelf();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->size(), 48u);
  EXPECT_EQ(MeasureFile("/no/such/file").status().code(), StatusCode::kNotFound);
}

// A changed binary has a different measurement, so a policy pinning the old one refuses it.
TEST(SimAttesterTest, ChangedExecutableHasADifferentMeasurement) {
  fs::path dir = TempDir("measure");
  fs::path copy = dir / "aggregator";
  fs::copy_file("/proc/self/exe", copy);
  Bytes original = MeasureFile(copy).value();
  EXPECT_EQ(original, MeasureSelf().value());
  { std::ofstream(copy, std::ios::app | std::ios::binary) << '\0'; }
  Bytes changed = MeasureFile(copy).value();
  EXPECT_NE(original, changed);
  fs::remove_all(dir);
}

TEST(SimCaTest, InitWritesFilesAndRefusesToOverwrite) {
  fs::path dir = TempDir("ca") / "simca";
  FakeClock clock(kT0);
  ASSERT_TRUE(SimCa::Init(dir, clock).ok());
  for (const char* key : {"root.key", "platform.key"}) {
    auto perms = fs::status(dir / key).permissions();
    EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none) << key;
  }
  EXPECT_TRUE(fs::exists(dir / "root.pem"));
  EXPECT_TRUE(fs::exists(dir / "platform.pem"));
  const Bytes root_before = ReadFile(dir / "root.pem").value();

  Status again = SimCa::Init(dir, clock);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.reason(), "attestation.sim_ca_exists");
  EXPECT_TRUE(SimCa::Init(dir, clock, {.keep_existing = true}).ok());
  EXPECT_EQ(ReadFile(dir / "root.pem").value(), root_before);

  // A loaded CA attests, and its evidence verifies against root.pem.
  auto ca = SimCa::Load(dir);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  Evidence e = SimAttester(*ca, Measurement(), 1, false, clock).Attest(Rd()).value();
  VerifyOptions o;
  o.clock = &clock;
  o.trusted_roots_der = {x509::CertToDer(x509::LoadCertificates(dir / "root.pem")->at(0).get())};
  EXPECT_TRUE(Verify(e, o).ok());

  // A partial CA is refused even with keep_existing.
  fs::remove(dir / "platform.key");
  EXPECT_EQ(SimCa::Init(dir, clock, {.keep_existing = true}).reason(),
            "attestation.sim_ca_exists");
  EXPECT_EQ(SimCa::Load(dir).status().code(), StatusCode::kNotFound);
  fs::remove_all(dir.parent_path());
}

TEST(SimCaTest, LoadRefusesMismatchedFiles) {
  fs::path a = TempDir("ca-a"), b = TempDir("ca-b");
  FakeClock clock(kT0);
  ASSERT_TRUE(SimCa::Init(a / "ca", clock).ok());
  ASSERT_TRUE(SimCa::Init(b / "ca", clock).ok());
  fs::copy_file(b / "ca" / "platform.key", a / "ca" / "platform.key",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(SimCa::Load(a / "ca").status().reason(), "attestation.sim_ca_inconsistent");
  fs::copy_file(b / "ca" / "platform.pem", a / "ca" / "platform.pem",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(SimCa::Load(a / "ca").status().reason(), "attestation.sim_ca_inconsistent");
  fs::remove_all(a);
  fs::remove_all(b);
}

}  // namespace
}  // namespace fedtee::attestation::sim
