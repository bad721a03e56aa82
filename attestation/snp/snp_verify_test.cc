// The SEV-SNP verifier against fake AMD chains the test makes itself (testing/fake_amd.h):
// every byte of a signed report flipped in turn, every certificate swapped or damaged, each
// refused with its named error; and the SNP policy checks. Fixed clock.
#include <gtest/gtest.h>

#include <string>

#include "attestation/errors.h"
#include "attestation/platform_validators.h"
#include "attestation/snp/cert_table.h"
#include "attestation/snp/snp_report.h"
#include "attestation/snp/vcek.h"
#include "attestation/verify.h"
#include "base/clock.h"
#include "testing/fake_amd.h"

namespace fedtee::attestation {
namespace {

using fakes::FakeAmd;
using snp::SnpProduct;

constexpr int64_t kNow = 1735689600;  // 2025-01-01

const FakeAmd& Milan() {
  static const FakeAmd* amd = new FakeAmd(FakeAmd::Create({}).value());
  return *amd;
}

fakes::FakeAmdOptions OtherOptions() {
  fakes::FakeAmdOptions o;
  o.tag = "other";
  return o;
}

const FakeAmd& OtherMilan() {  // same product, another (untrusted) vendor
  static const FakeAmd* amd = new FakeAmd(FakeAmd::Create(OtherOptions()).value());
  return *amd;
}

const FakeAmd& ImpostorMilan() {  // same names as Milan(), other keys
  static const FakeAmd* amd = new FakeAmd(FakeAmd::Create({}).value());
  return *amd;
}

// Verifies with `roots` pinned (empty: fedtee's built-in AMD roots).
Result<Claims> VerifyWithRoots(const Evidence& e, int64_t at, std::vector<Bytes> roots) {
  FakeClock clock(at);
  VerifyOptions options;
  options.clock = &clock;
  options.trusted_roots_der = std::move(roots);
  return Verify(e, options);
}

// Verifies with `amd`'s ARK pinned.
Result<Claims> VerifyWith(const FakeAmd& amd, const Evidence& e, int64_t at = kNow) {
  return VerifyWithRoots(e, at, {amd.ark_der()});
}

Evidence EvidenceFor(const FakeAmd& amd, Bytes report) {
  Evidence e;
  e.platform = Platform::kSevSnp;
  e.report = std::move(report);
  e.certificates = {amd.vcek_der(), amd.ask_der()};
  return e;
}

TEST(SnpFakeChainTest, SignedReportVerifies) {
  auto claims = VerifyWith(Milan(), EvidenceFor(Milan(), Milan().MakeSignedReport().value()));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->snp->product, "Milan");
  EXPECT_EQ(claims->snp->reported_tcb.snp, 8);
  EXPECT_FALSE(claims->debug);
  EXPECT_EQ(claims->snp->chip_id, Milan().chip_id());
}

// The reason each byte of a version-2 report is refused with when flipped (XOR 0x80).
std::string ExpectedReason(size_t off) {
  auto in = [off](size_t lo, size_t hi) { return off >= lo && off < hi; };
  if (in(0x000, 0x004) || in(0x034, 0x038)) return errors::kUnsupportedVersion;
  if (in(0x048, 0x050) || in(0x188, 0x1A0) || off == 0x1EB || off == 0x1EF || in(0x1F8, 0x2A0) ||
      in(0x330, 0x4A0)) {
    return errors::kReservedNonzero;
  }
  return errors::kBadSignature;  // signed fields and the r, s components
}

TEST(SnpFakeChainTest, EveryFlippedReportByteIsRefusedWithItsName) {
  const Bytes report = Milan().MakeSignedReport().value();
  int refused = 0;
  for (size_t off = 0; off < snp::kReportSize; ++off) {
    Evidence e = EvidenceFor(Milan(), report);
    e.report[off] ^= 0x80;
    auto claims = VerifyWith(Milan(), e);
    ASSERT_FALSE(claims.ok()) << "flipped byte 0x" << std::hex << off << " was accepted";
    EXPECT_EQ(claims.status().reason(), ExpectedReason(off))
        << "byte 0x" << std::hex << off << ": " << claims.status().ToString();
    ++refused;
  }
  EXPECT_EQ(refused, 1184);
}

struct ChainCase {
  std::string name;
  // Builds the evidence and roots for the case.
  std::function<void(Evidence&, std::vector<Bytes>& roots, int64_t& at)> mutate;
  std::string reason;
};

class SnpChainTest : public ::testing::TestWithParam<ChainCase> {};

TEST_P(SnpChainTest, IsRefusedWithItsName) {
  const ChainCase& c = GetParam();
  Evidence e = EvidenceFor(Milan(), Milan().MakeSignedReport().value());
  std::vector<Bytes> roots = {Milan().ark_der()};
  int64_t at = kNow;
  c.mutate(e, roots, at);
  auto claims = VerifyWithRoots(e, at, roots);
  ASSERT_FALSE(claims.ok()) << c.name << " was accepted";
  EXPECT_EQ(claims.status().reason(), c.reason) << c.name << ": " << claims.status().ToString();
}

SnpTcb Bumped(SnpTcb t) {
  t.microcode += 1;
  return t;
}

INSTANTIATE_TEST_SUITE_P(EachCertificate, SnpChainTest,
                         ::testing::Values(ChainCase{"no_vcek",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates.clear();
                                                     },
                                                     errors::kMissingCertificate},
                                           ChainCase{
                                               "vcek_signature_byte",
                                               [](Evidence& e, auto&, auto&) {
                                                 e.certificates[0][e.certificates[0].size() - 5] ^=
                                                     1;
                                               },
                                               errors::kChainBroken},
                                           ChainCase{"vcek_garbage",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[0] = Bytes(64, 0x30);
                                                     },
                                                     errors::kMalformedCertificate},
                                           ChainCase{"no_ask",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates.pop_back();
                                                     },
                                                     errors::kUntrustedRoot},
                                           ChainCase{
                                               "ask_signature_byte",
                                               [](Evidence& e, auto&, auto&) {
                                                 e.certificates[1][e.certificates[1].size() - 5] ^=
                                                     1;
                                               },
                                               errors::kChainBroken},
                                           ChainCase{"ask_from_other_vendor",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[1] = OtherMilan().ask_der();
                                                     },
                                                     errors::kUntrustedRoot},
                                           ChainCase{"vcek_from_other_vendor",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[0] = OtherMilan().vcek_der();
                                                     },
                                                     errors::kUntrustedRoot},
                                           ChainCase{"impostor_ask_same_name",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[1] =
                                                           ImpostorMilan().ask_der();
                                                     },
                                                     errors::kChainBroken},
                                           ChainCase{"impostor_vcek_same_name",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[0] =
                                                           ImpostorMilan().vcek_der();
                                                     },
                                                     errors::kChainBroken},
                                           ChainCase{
                                               "other_root_pinned",
                                               [](Evidence&, std::vector<Bytes>& roots, auto&) {
                                                 roots = {OtherMilan().ark_der()};
                                               },
                                               errors::kUntrustedRoot},
                                           ChainCase{"builtin_amd_roots_only",
                                                     [](Evidence&, std::vector<Bytes>& roots,
                                                        auto&) { roots.clear(); },
                                                     errors::kUntrustedRoot},
                                           ChainCase{"whole_chain_from_other_vendor",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates = {OtherMilan().vcek_der(),
                                                                         OtherMilan().ask_der()};
                                                     },
                                                     errors::kUntrustedRoot},
                                           ChainCase{"clock_after_expiry",
                                                     [](Evidence&, auto&, int64_t& at) {
                                                       at = 2600000000;
                                                     },
                                                     errors::kCertExpired},
                                           ChainCase{"clock_before_issue",
                                                     [](Evidence&, auto&, int64_t& at) {
                                                       at = 1500000000;
                                                     },
                                                     errors::kCertNotYetValid},
                                           ChainCase{"expired_ask",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[1] =
                                                           Milan()
                                                               .IssueAsk(1577836800, 1700000000)
                                                               .value();
                                                     },
                                                     errors::kCertExpired},
                                           ChainCase{"vcek_for_another_tcb",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[0] =
                                                           Milan()
                                                               .IssueVcek(
                                                                   Bumped(Milan().options().tcb),
                                                                   Milan().options().hw_id)
                                                               .value();
                                                     },
                                                     errors::kTcbMismatch},
                                           ChainCase{
                                               "vcek_for_another_chip",
                                               [](Evidence& e, auto&, auto&) {
                                                 e.certificates[0] =
                                                     Milan()
                                                         .IssueVcek(Milan().options().tcb,
                                                                    Bytes(64, 0x11))
                                                         .value();
                                               },
                                               errors::kChipIdMismatch},
                                           ChainCase{"vcek_without_hwid",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[0] =
                                                           Milan()
                                                               .IssueVcek(Milan().options().tcb,
                                                                          Milan().options().hw_id,
                                                                          snp::kOidHwId)
                                                               .value();
                                                     },
                                                     errors::kMalformedCertificate},
                                           ChainCase{"vcek_without_ucode_spl",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.certificates[0] =
                                                           Milan()
                                                               .IssueVcek(Milan().options().tcb,
                                                                          Milan().options().hw_id,
                                                                          snp::kOidUcodeSpl)
                                                               .value();
                                                     },
                                                     errors::kMalformedCertificate},
                                           ChainCase{"vlek_signed_report",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.report[0x48] = 1 << 2;
                                                       ASSERT_TRUE(Milan().Sign(e.report).ok());
                                                     },
                                                     errors::kUnsupportedVersion},
                                           ChainCase{"chip_id_zero_without_mask",
                                                     [](Evidence& e, auto&, auto&) {
                                                       std::fill(e.report.begin() + 0x1A0,
                                                                 e.report.begin() + 0x1E0, 0);
                                                       ASSERT_TRUE(Milan().Sign(e.report).ok());
                                                     },
                                                     errors::kChipIdMismatch},
                                           ChainCase{"reported_tcb_above_vcek",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.report[0x187] += 1;  // microcode SPL
                                                       ASSERT_TRUE(Milan().Sign(e.report).ok());
                                                     },
                                                     errors::kTcbMismatch},
                                           ChainCase{"signed_by_other_key",
                                                     [](Evidence& e, auto&, auto&) {
                                                       ASSERT_TRUE(
                                                           OtherMilan().Sign(e.report).ok());
                                                     },
                                                     errors::kBadSignature},
                                           ChainCase{"bad_certificate_table",
                                                     [](Evidence& e, auto&, auto&) {
                                                       e.aux = Bytes(30, 0x01);
                                                     },
                                                     errors::kMalformedEvidence}),
                         [](const auto& info) { return info.param.name; });

TEST(SnpFakeChainTest, CertificatesFromTheAuxblobTable) {
  Evidence e = EvidenceFor(Milan(), Milan().MakeSignedReport().value());
  e.certificates.clear();
  e.aux = snp::BuildCertTable({{snp::kVcekGuid, Milan().vcek_der()},
                               {snp::kAskGuid, Milan().ask_der()},
                               {snp::kArkGuid, Milan().ark_der()}});
  auto claims = VerifyWith(Milan(), e);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
}

TEST(SnpFakeChainTest, AuxblobArkIsNotTrustedUnlessPinned) {
  Evidence e = EvidenceFor(Milan(), Milan().MakeSignedReport().value());
  e.certificates.clear();
  e.aux = snp::BuildCertTable({{snp::kVcekGuid, Milan().vcek_der()},
                               {snp::kAskGuid, Milan().ask_der()},
                               {snp::kArkGuid, Milan().ark_der()}});
  auto claims = VerifyWithRoots(e, kNow, {OtherMilan().ark_der()});
  EXPECT_EQ(claims.status().reason(), errors::kUntrustedRoot) << claims.status().ToString();
}

TEST(SnpFakeChainTest, MaskedChipIdSkipsTheHwIdCheck) {
  Bytes report = Milan().MakeSignedReport().value();
  report[0x48] = 0x02;  // MASK_CHIP_KEY
  std::fill(report.begin() + 0x1A0, report.begin() + 0x1E0, 0);
  ASSERT_TRUE(Milan().Sign(report).ok());
  auto claims = VerifyWith(Milan(), EvidenceFor(Milan(), report));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
}

TEST(SnpFakeChainTest, VersionThreeReportVerifies) {
  Bytes report = Milan().MakeSignedReport().value();
  report[0] = 3;
  report[0x188] = 0x19;  // family
  report[0x189] = 0x01;  // model
  ASSERT_TRUE(Milan().Sign(report).ok());
  auto claims = VerifyWith(Milan(), EvidenceFor(Milan(), report));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->snp->version, 3u);
}

TEST(SnpFakeChainTest, DebugPolicyBitIsClaimed) {
  Bytes report = Milan().MakeSignedReport().value();
  report[0x0A] |= 0x08;  // policy bit 19
  ASSERT_TRUE(Milan().Sign(report).ok());
  auto claims = VerifyWith(Milan(), EvidenceFor(Milan(), report));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_TRUE(claims->debug);
}

TEST(SnpFakeChainTest, TurinLayoutAndEightByteHwId) {
  fakes::FakeAmdOptions options;
  options.product = SnpProduct::kTurin;
  options.tcb = {.bootloader = 1, .tee = 2, .snp = 3, .microcode = 4, .fmc = 5};
  auto turin = FakeAmd::Create(options).value();
  auto claims = VerifyWith(turin, EvidenceFor(turin, turin.MakeSignedReport().value()));
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->snp->product, "Turin");
  EXPECT_EQ(claims->snp->reported_tcb.fmc, 5);
  EXPECT_EQ(claims->snp->reported_tcb.snp, 3);

  Evidence e = EvidenceFor(turin, turin.MakeSignedReport().value());
  SnpTcb other = turin.options().tcb;
  other.fmc = 6;
  e.certificates[0] = turin.IssueVcek(other, turin.options().hw_id).value();
  EXPECT_EQ(VerifyWith(turin, e).status().reason(), errors::kTcbMismatch);
}

// ---- ValidateSnpClaims ---------------------------------------------------------------------

SnpClaims GoodClaims() {
  SnpClaims c;
  c.guest_policy = 0x30000;
  c.vmpl = 0;
  c.reported_tcb = {.bootloader = 3, .tee = 0, .snp = 8, .microcode = 115};
  return c;
}

TEST(ValidateSnpClaimsTest, DefaultPolicyAcceptsVmplZeroWithoutMigrationAgent) {
  EXPECT_TRUE(ValidateSnpClaims(GoodClaims(), SnpPolicy{}).empty());
}

TEST(ValidateSnpClaimsTest, ListsEveryViolation) {
  SnpClaims c = GoodClaims();
  c.guest_policy |= 1 << 18;
  c.vmpl = 2;
  SnpPolicy p;
  p.min_tcb = {.bootloader = 4, .tee = 0, .snp = 9, .microcode = 115};
  auto v = ValidateSnpClaims(c, p);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].kind, errors::kTcbTooLow);
  EXPECT_EQ(v[1].kind, errors::kTcbTooLow);
  EXPECT_EQ(v[2].kind, errors::kMigrationAgentNotAllowed);
  EXPECT_EQ(v[3].kind, errors::kVmplNotAllowed);
}

TEST(ValidateSnpClaimsTest, AllowedVmplAndMigrationAgentWhenPolicySaysSo) {
  SnpClaims c = GoodClaims();
  c.guest_policy |= 1 << 18;
  c.vmpl = 2;
  SnpPolicy p;
  p.forbid_migration_agent = false;
  p.allowed_vmpl = {0, 2};
  EXPECT_TRUE(ValidateSnpClaims(c, p).empty());
}

}  // namespace
}  // namespace fedtee::attestation
