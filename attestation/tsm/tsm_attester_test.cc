// The tsm attester against a directory that behaves like configfs-tsm
// (testing/fake_tsm.h): SEV-SNP evidence produced through it verifies end to end against a
// fake AMD chain; TDX provider; the generation check; refusals; entries always removed.
#include "attestation/tsm/tsm_attester.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "attestation/errors.h"
#include "attestation/snp/cert_table.h"
#include "attestation/verify.h"
#include "base/clock.h"
#include "testing/fake_amd.h"
#include "testing/fake_tsm.h"

namespace fedtee::attestation::tsm {
namespace {

namespace fs = std::filesystem;
using fakes::FakeAmd;
using fakes::FakeTsm;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("fedtee-tsm-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

const FakeAmd& Amd() {
  static const FakeAmd* amd = new FakeAmd(FakeAmd::Create({}).value());
  return *amd;
}

// The SEV-SNP "firmware": a report binding the requested REPORT_DATA, signed by the VCEK.
Result<Bytes> SnpFirmware(const ReportData& data) {
  Bytes report = Amd().MakeSignedReport().value();
  std::copy(data.begin(), data.end(), report.begin() + 0x50);
  FEDTEE_RETURN_IF_ERROR(Amd().Sign(report));
  return report;
}

ReportData Data(uint8_t seed) {
  ReportData d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(seed + i);
  return d;
}

size_t EntriesLeft(const fs::path& root) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(root), fs::directory_iterator()));
}

TEST(TsmAttesterTest, SevSnpEvidenceVerifiesEndToEnd) {
  TempDir dir;
  Bytes aux =
      snp::BuildCertTable({{snp::kVcekGuid, Amd().vcek_der()}, {snp::kAskGuid, Amd().ask_der()}});
  FakeTsm fake(dir.path(), "sev_guest", SnpFirmware, aux);
  auto attester = TsmAttester::Create(fake.NewDevice());
  ASSERT_TRUE(attester.ok()) << attester.status().ToString();
  EXPECT_EQ((*attester)->platform(), Platform::kSevSnp);

  auto evidence = (*attester)->Attest(Data(7));
  ASSERT_TRUE(evidence.ok()) << evidence.status().ToString();
  EXPECT_EQ(evidence->platform, Platform::kSevSnp);
  EXPECT_EQ(evidence->report.size(), 1184u);
  EXPECT_EQ(evidence->aux, aux);

  FakeClock clock(1735689600);
  VerifyOptions options;
  options.clock = &clock;
  options.trusted_roots_der = {Amd().ark_der()};
  auto claims = Verify(*evidence, options);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->report_data, Data(7));

  EXPECT_EQ(EntriesLeft(dir.path()), 0u);
  EXPECT_EQ(fake.entries_created(), fake.entries_removed());
}

TEST(TsmAttesterTest, TdxProviderGivesTdxEvidence) {
  TempDir dir;
  FakeTsm fake(dir.path(), "tdx_guest", [](const ReportData& d) -> Result<Bytes> {
    Bytes quote(164, 0x44);
    std::copy(d.begin(), d.end(), quote.begin() + 100);
    return quote;
  });
  auto attester = TsmAttester::Create(fake.NewDevice());
  ASSERT_TRUE(attester.ok()) << attester.status().ToString();
  EXPECT_EQ((*attester)->platform(), Platform::kTdx);
  auto evidence = (*attester)->Attest(Data(1));
  ASSERT_TRUE(evidence.ok()) << evidence.status().ToString();
  EXPECT_EQ(evidence->platform, Platform::kTdx);
  EXPECT_EQ(evidence->report.size(), 164u);
  EXPECT_TRUE(evidence->aux.empty());
  EXPECT_EQ(EntriesLeft(dir.path()), 0u);
}

TEST(TsmAttesterTest, ConcurrentWriterIsDetectedAndEntryRemoved) {
  TempDir dir;
  FakeTsm fake(dir.path(), "sev_guest", SnpFirmware);
  auto attester = TsmAttester::Create(fake.NewDevice());
  ASSERT_TRUE(attester.ok());
  fake.SetConcurrentWriter(true);
  auto evidence = (*attester)->Attest(Data(2));
  ASSERT_FALSE(evidence.ok());
  EXPECT_EQ(evidence.status().reason(), errors::kDeviceError);
  EXPECT_EQ(evidence.status().code(), StatusCode::kIOError);
  EXPECT_EQ(EntriesLeft(dir.path()), 0u);

  fake.SetConcurrentWriter(false);
  EXPECT_TRUE((*attester)->Attest(Data(3)).ok());
}

TEST(TsmAttesterTest, UnknownProviderIsRefused) {
  TempDir dir;
  FakeTsm fake(dir.path(), "arm_cca_guest", SnpFirmware);
  auto attester = TsmAttester::Create(fake.NewDevice());
  ASSERT_FALSE(attester.ok());
  EXPECT_EQ(attester.status().reason(), errors::kUnknownBackend);
  EXPECT_EQ(EntriesLeft(dir.path()), 0u);
}

TEST(TsmAttesterTest, FirmwareFailureIsADeviceError) {
  TempDir dir;
  FakeTsm fake(dir.path(), "sev_guest", [](const ReportData&) -> Result<Bytes> {
    return Status::IOError("fake.firmware", "EIO");
  });
  auto attester = TsmAttester::Create(fake.NewDevice());
  ASSERT_TRUE(attester.ok());
  auto evidence = (*attester)->Attest(Data(4));
  ASSERT_FALSE(evidence.ok());
  EXPECT_EQ(evidence.status().reason(), errors::kDeviceError);
  EXPECT_EQ(EntriesLeft(dir.path()), 0u);
}

TEST(TsmAttesterTest, EmptyOutblobIsADeviceError) {
  TempDir dir;
  FakeTsm fake(dir.path(), "tdx_guest", [](const ReportData&) -> Result<Bytes> { return Bytes{}; });
  auto attester = TsmAttester::Create(fake.NewDevice());
  ASSERT_TRUE(attester.ok());
  EXPECT_EQ((*attester)->Attest(Data(5)).status().reason(), errors::kDeviceError);
}

TEST(TsmAttesterTest, MissingConfigfsIsADeviceError) {
  auto attester =
      TsmAttester::Create(std::make_unique<ConfigfsTsmDevice>("/nonexistent/fedtee/tsm/report"));
  ASSERT_FALSE(attester.ok());
  EXPECT_EQ(attester.status().reason(), errors::kDeviceError);
}

TEST(TsmAttesterTest, TsmAvailableTellsWhetherTheRootExists) {
  TempDir dir;
  EXPECT_TRUE(TsmAvailable(dir.path()));
  EXPECT_FALSE(TsmAvailable(dir.path() / "absent"));
}

TEST(TsmAttesterTest, ProviderNames) {
  EXPECT_EQ(PlatformFromProvider("sev_guest\n").value(), Platform::kSevSnp);
  EXPECT_EQ(PlatformFromProvider("tdx_guest").value(), Platform::kTdx);
  EXPECT_EQ(PlatformFromProvider("other").status().reason(), errors::kUnknownBackend);
}

}  // namespace
}  // namespace fedtee::attestation::tsm
