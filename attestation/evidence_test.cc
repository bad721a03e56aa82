#include "attestation/evidence.h"

#include <gtest/gtest.h>

#include "attestation/errors.h"
#include "proto/evidence.pb.h"

namespace fedtee::attestation {
namespace {

TEST(EvidenceTest, RoundTrip) {
  Evidence e;
  e.platform = Platform::kTdx;
  e.report = ToBytes("report");
  e.signature = ToBytes("sig");
  e.certificates = {ToBytes("c1"), ToBytes("c2")};
  e.aux = ToBytes("aux");
  e.collateral = ToBytes("{}");
  auto back = ParseEvidence(SerializeEvidence(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->platform, Platform::kTdx);
  EXPECT_EQ(back->report, e.report);
  EXPECT_EQ(back->signature, e.signature);
  EXPECT_EQ(back->certificates, e.certificates);
  EXPECT_EQ(back->aux, e.aux);
  EXPECT_EQ(back->collateral, e.collateral);
}

TEST(EvidenceTest, PlatformNames) {
  for (Platform p : {Platform::kSim, Platform::kSevSnp, Platform::kTdx}) {
    EXPECT_EQ(ParsePlatform(PlatformName(p)).value(), p);
  }
  EXPECT_EQ(PlatformName(Platform::kSevSnp), "sev-snp");
  auto bad = ParsePlatform("sgx");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().reason(), errors::kUnknownBackend);
}

TEST(EvidenceTest, UnknownBackendIsNamed) {
  fedtee::v1::Evidence pb;
  pb.set_platform("sgx");
  pb.set_report("r");
  auto r = ParseEvidence(AsBytes(pb.SerializeAsString()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), errors::kUnknownBackend);
  EXPECT_NE(r.status().message().find("sgx"), std::string::npos);
}

TEST(EvidenceTest, UnparsableEnvelopeIsMalformed) {
  const Bytes cases[] = {
      {},                      // empty
      {0x0a, 0x10, 'x'},       // field 1 claims 16 bytes, has 1
      {0xff, 0xff, 0xff},      // invalid tag / varint
      {0x12, 0x02, 'a', 'b'},  // a report but no platform
  };
  for (const Bytes& b : cases) {
    auto r = ParseEvidence(b);
    ASSERT_FALSE(r.ok()) << HexEncode(b);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << HexEncode(b);
    EXPECT_EQ(r.status().reason(), errors::kMalformedEvidence) << HexEncode(b);
  }
}

}  // namespace
}  // namespace fedtee::attestation
