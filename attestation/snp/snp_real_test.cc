// The SEV-SNP verifier against real recorded evidence (../shared/testdata/attestation/
// sev-snp: a Milan report, its VCEK and AMD's ASK/ARK chains), and each mutation of it
// refused with its named error. Skips, saying so, when the shared test data is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "attestation/errors.h"
#include "attestation/snp/cert_table.h"
#include "attestation/verify.h"
#include "base/clock.h"
#include "base/file.h"

namespace fedtee::attestation {
namespace {

const std::filesystem::path kDir =
    std::filesystem::path(FEDTEE_SHARED_TESTDATA) / "attestation" / "sev-snp";
// Inside the VCEK's validity (2022-09-24 .. 2029-09-24).
constexpr int64_t kPinnedTime = 1717200000;  // 2024-06-01T00:00:00Z

class SnpRealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDir / "milan_report.bin")) {
      GTEST_SKIP() << "shared SEV-SNP test data not found at " << kDir
                   << " (it lives beside the project, never in it)";
    }
    report_ = ReadFile(kDir / "milan_report.bin").value();
    vcek_ = ReadFile(kDir / "milan_vcek.der").value();
    milan_chain_ = ReadFile(kDir / "milan_ask_ark.pem").value();
    genoa_chain_ = ReadFile(kDir / "genoa_ask_ark.pem").value();
  }

  Evidence MakeEvidence() const {
    Evidence e;
    e.platform = Platform::kSevSnp;
    e.report = report_;
    e.certificates = {vcek_};
    return e;
  }

  Result<Claims> Run(const Evidence& e, int64_t at = kPinnedTime,
                     std::vector<Bytes> roots = {}) const {
    FakeClock clock(at);
    VerifyOptions options;
    options.clock = &clock;
    options.trusted_roots_der = std::move(roots);
    return Verify(e, options);
  }

  Bytes report_, vcek_, milan_chain_, genoa_chain_;
};

TEST_F(SnpRealTest, RecordedMilanReportVerifiesWithBuiltInRoots) {
  auto claims = Run(MakeEvidence());
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  ASSERT_TRUE(claims->snp.has_value());
  const SnpClaims& snp = *claims->snp;
  std::cout << "platform      " << PlatformName(claims->platform) << " (" << snp.product << ")\n"
            << "version       " << snp.version << "\n"
            << "measurement   " << HexEncode(claims->measurement) << "\n"
            << "report_data   " << HexEncode(claims->report_data) << "\n"
            << "guest policy  0x" << std::hex << snp.guest_policy << std::dec << "\n"
            << "debug         " << claims->debug << "\n"
            << "vmpl          " << snp.vmpl << "\n"
            << "reported tcb  bl=" << int{snp.reported_tcb.bootloader}
            << " tee=" << int{snp.reported_tcb.tee} << " snp=" << int{snp.reported_tcb.snp}
            << " ucode=" << int{snp.reported_tcb.microcode} << "\n"
            << "chip id       " << HexEncode(snp.chip_id) << "\n";
  EXPECT_EQ(claims->platform, Platform::kSevSnp);
  EXPECT_TRUE(claims->hardware_backed);
  EXPECT_EQ(snp.product, "Milan");
  EXPECT_EQ(snp.version, 2u);
  EXPECT_EQ(claims->measurement.size(), 48u);
  EXPECT_EQ(claims->report_data[0], 1);
  EXPECT_EQ(claims->report_data[4], 5);
  EXPECT_EQ(claims->report_data[5], 0);
  EXPECT_TRUE(claims->debug);  // guest policy 0xb0000 has bit 19 set
  EXPECT_EQ(snp.reported_tcb.bootloader, 2);
  EXPECT_EQ(snp.reported_tcb.snp, 5);
  EXPECT_EQ(snp.reported_tcb.microcode, 0x44);
}

TEST_F(SnpRealTest, VerifiesWithTheMilanArkPinnedExplicitly) {
  Evidence e = MakeEvidence();
  e.certificates.push_back(milan_chain_);             // ASK + ARK carried in the evidence
  auto claims = Run(e, kPinnedTime, {milan_chain_});  // ASK and ARK; only the ARK anchors
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
}

TEST_F(SnpRealTest, VcekFromTheAuxblobCertificateTable) {
  Evidence e = MakeEvidence();
  e.certificates.clear();
  e.aux = snp::BuildCertTable({{snp::kVcekGuid, vcek_}});
  auto claims = Run(e);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
}

TEST_F(SnpRealTest, VcekFromTheOperator) {
  Evidence e = MakeEvidence();
  e.certificates.clear();
  FakeClock clock(kPinnedTime);
  VerifyOptions options;
  options.clock = &clock;
  options.extra_certs_der = {milan_chain_, vcek_};
  auto claims = Verify(e, options);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
}

struct Mutation {
  const char* name;
  size_t offset;  // byte of the report to flip
  const char* reason;
};

class SnpRealMutationTest : public SnpRealTest, public ::testing::WithParamInterface<Mutation> {};

TEST_P(SnpRealMutationTest, IsRefusedWithItsName) {
  const Mutation& m = GetParam();
  Evidence e = MakeEvidence();
  e.report[m.offset] ^= 0x01;
  auto claims = Run(e);
  ASSERT_FALSE(claims.ok()) << m.name << " was accepted";
  EXPECT_EQ(claims.status().reason(), m.reason) << m.name << ": " << claims.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    EachField, SnpRealMutationTest,
    ::testing::Values(Mutation{"version", 0x001, errors::kUnsupportedVersion},
                      Mutation{"guest_svn", 0x004, errors::kBadSignature},
                      Mutation{"policy", 0x008, errors::kBadSignature},
                      Mutation{"family_id", 0x010, errors::kBadSignature},
                      Mutation{"image_id", 0x020, errors::kBadSignature},
                      Mutation{"vmpl", 0x030, errors::kBadSignature},
                      Mutation{"signature_algo", 0x034, errors::kUnsupportedVersion},
                      Mutation{"current_tcb", 0x038, errors::kBadSignature},
                      Mutation{"platform_info", 0x040, errors::kBadSignature},
                      Mutation{"author_key_en", 0x048, errors::kBadSignature},
                      Mutation{"reserved_0x4c", 0x04C, errors::kReservedNonzero},
                      Mutation{"report_data", 0x050, errors::kBadSignature},
                      Mutation{"report_data_last", 0x08F, errors::kBadSignature},
                      Mutation{"measurement", 0x090, errors::kBadSignature},
                      Mutation{"measurement_last", 0x0BF, errors::kBadSignature},
                      Mutation{"host_data", 0x0C0, errors::kBadSignature},
                      Mutation{"id_key_digest", 0x0E0, errors::kBadSignature},
                      Mutation{"author_key_digest", 0x110, errors::kBadSignature},
                      Mutation{"report_id", 0x140, errors::kBadSignature},
                      Mutation{"report_id_ma", 0x160, errors::kBadSignature},
                      Mutation{"reported_tcb", 0x180, errors::kBadSignature},
                      Mutation{"reserved_0x188", 0x188, errors::kReservedNonzero},
                      Mutation{"reserved_0x19f", 0x19F, errors::kReservedNonzero},
                      Mutation{"chip_id", 0x1A0, errors::kBadSignature},
                      Mutation{"committed_tcb", 0x1E0, errors::kBadSignature},
                      Mutation{"current_build", 0x1E8, errors::kBadSignature},
                      Mutation{"reserved_0x1eb", 0x1EB, errors::kReservedNonzero},
                      Mutation{"reserved_0x1ef", 0x1EF, errors::kReservedNonzero},
                      Mutation{"launch_tcb", 0x1F0, errors::kBadSignature},
                      Mutation{"reserved_0x1f8", 0x1F8, errors::kReservedNonzero},
                      Mutation{"reserved_0x29f", 0x29F, errors::kReservedNonzero},
                      Mutation{"signature_r", 0x2A0, errors::kBadSignature},
                      Mutation{"signature_r_last", 0x2C7, errors::kBadSignature},
                      Mutation{"signature_s", 0x2E8, errors::kBadSignature},
                      Mutation{"signature_s_last", 0x30F, errors::kBadSignature},
                      Mutation{"signature_reserved", 0x330, errors::kReservedNonzero},
                      Mutation{"signature_reserved_last", 0x49F, errors::kReservedNonzero}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(SnpRealTest, TruncatedReportIsMalformed) {
  Evidence e = MakeEvidence();
  e.report.pop_back();
  EXPECT_EQ(Run(e).status().reason(), errors::kMalformedEvidence);
}

TEST_F(SnpRealTest, MissingVcekIsNamed) {
  Evidence e = MakeEvidence();
  e.certificates.clear();
  EXPECT_EQ(Run(e).status().reason(), errors::kMissingCertificate);
}

TEST_F(SnpRealTest, VcekWithAFlippedSignatureByteBreaksTheChain) {
  Evidence e = MakeEvidence();
  e.certificates[0][e.certificates[0].size() - 10] ^= 0x01;
  EXPECT_EQ(Run(e).status().reason(), errors::kChainBroken) << Run(e).status().ToString();
}

TEST_F(SnpRealTest, GarbageVcekIsMalformed) {
  Evidence e = MakeEvidence();
  e.certificates[0] = Bytes(100, 0x30);
  EXPECT_EQ(Run(e).status().reason(), errors::kMalformedCertificate);
}

TEST_F(SnpRealTest, MilanVcekAgainstOnlyTheGenoaRootIsUntrusted) {
  auto claims = Run(MakeEvidence(), kPinnedTime, {genoa_chain_});
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().reason(), errors::kUntrustedRoot) << claims.status().ToString();
}

TEST_F(SnpRealTest, MilanVcekThroughTheGenoaAskIsRefused) {
  // The operator offers the wrong product's ASK/ARK and pins Genoa only.
  Evidence e = MakeEvidence();
  e.certificates.push_back(genoa_chain_);
  auto claims = Run(e, kPinnedTime, {genoa_chain_});
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().reason(), errors::kUntrustedRoot) << claims.status().ToString();
}

TEST_F(SnpRealTest, ClockAfterTheVcekExpiresIsRefused) {
  auto claims = Run(MakeEvidence(), 1893456000);  // 2030-01-01
  EXPECT_EQ(claims.status().reason(), errors::kCertExpired) << claims.status().ToString();
}

TEST_F(SnpRealTest, ClockBeforeTheVcekIsIssuedIsRefused) {
  auto claims = Run(MakeEvidence(), 1640995200);  // 2022-01-01
  EXPECT_EQ(claims.status().reason(), errors::kCertNotYetValid) << claims.status().ToString();
}

}  // namespace
}  // namespace fedtee::attestation
