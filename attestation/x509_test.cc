#include "attestation/x509.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "attestation/errors.h"

namespace fedtee::attestation::x509 {
namespace {

constexpr int64_t kNow = 1750000000;  // 2025-06-15
constexpr int64_t kDay = 86400;

struct Ca {
  KeyPtr key;
  CertPtr cert;
};

Ca MakeRoot(const std::string& cn, int64_t nb = kNow - 365 * kDay,
            int64_t na = kNow + 3650 * kDay) {
  Ca ca;
  ca.key = GenerateEcP384Key().value();
  ca.cert = MakeSelfSignedCert(ca.key.get(), {.common_name = cn, .not_before = nb,
                                              .not_after = na, .is_ca = true})
                .value();
  return ca;
}

Ca Issue(const Ca& issuer, const std::string& cn, bool is_ca = false,
         int64_t nb = kNow - kDay, int64_t na = kNow + 365 * kDay) {
  Ca out;
  out.key = GenerateEcP384Key().value();
  out.cert = IssueCert(out.key.get(),
                       {.common_name = cn, .not_before = nb, .not_after = na, .is_ca = is_ca},
                       issuer.cert.get(), issuer.key.get())
                 .value();
  return out;
}

TEST(X509Test, PemAndDerRoundTrip) {
  Ca root = MakeRoot("root");
  Ca leaf = Issue(root, "leaf");
  std::string pem = CertToPem(root.cert.get()) + "junk between\n" + CertToPem(leaf.cert.get());
  auto certs = ParseCertificates(AsBytes(pem));
  ASSERT_TRUE(certs.ok()) << certs.status().ToString();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ(SubjectCommonName((*certs)[1].get()), "leaf");

  Bytes der = CertToDer(root.cert.get());
  Bytes leaf_der = CertToDer(leaf.cert.get());
  Append(der, leaf_der);
  auto from_der = ParseCertificates(der);
  ASSERT_TRUE(from_der.ok());
  ASSERT_EQ(from_der->size(), 2u);
  EXPECT_EQ(CertToDer((*from_der)[1].get()), leaf_der);
  EXPECT_EQ(NotAfter(leaf.cert.get()).value(), kNow + 365 * kDay);
  EXPECT_FALSE(ParseCertificate(der).ok());  // two, not one
}

TEST(X509Test, GarbageIsMalformed) {
  for (const std::string& bad : {std::string(), std::string("hello"),
                                 std::string("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                             "-----END CERTIFICATE-----\n")}) {
    auto r = ParseCertificates(AsBytes(bad));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), errors::kMalformedCertificate);
  }
  Ca root = MakeRoot("root");
  Bytes der = CertToDer(root.cert.get());
  der.push_back(0x30);  // trailing garbage
  EXPECT_EQ(ParseCertificates(der).status().reason(), errors::kMalformedCertificate);
}

TEST(X509Test, ChainVerdicts) {
  Ca root = MakeRoot("root");
  Ca inter = Issue(root, "intermediate", /*is_ca=*/true);
  Ca leaf = Issue(inter, "leaf");
  Ca other_root = MakeRoot("other root");
  Ca impostor = MakeRoot("root");  // same name, other key
  Ca forged = Issue(impostor, "forged leaf");
  Ca expired = Issue(root, "expired", false, kNow - 10 * kDay, kNow - kDay);
  Ca future = Issue(root, "future", false, kNow + kDay, kNow + 10 * kDay);

  struct Case {
    std::string name;
    CertPtr leaf;
    std::vector<CertPtr> inter;
    std::vector<CertPtr> roots;
    std::string want;  // "" = OK
  } cases[] = {
      {"ok via intermediate", leaf.cert, {inter.cert}, {root.cert}, ""},
      {"expired", expired.cert, {}, {root.cert}, errors::kCertExpired},
      {"not yet valid", future.cert, {}, {root.cert}, errors::kCertNotYetValid},
      {"missing intermediate", leaf.cert, {}, {root.cert}, errors::kUntrustedRoot},
      {"other root", leaf.cert, {inter.cert}, {other_root.cert}, errors::kUntrustedRoot},
      {"no roots", leaf.cert, {inter.cert}, {}, errors::kUntrustedRoot},
      {"impostor issuer", forged.cert, {}, {root.cert}, errors::kChainBroken},
      {"self-signed leaf", other_root.cert, {}, {root.cert}, errors::kUntrustedRoot},
  };
  for (const Case& c : cases) {
    Status s = VerifyChain(c.leaf, c.inter, c.roots, kNow);
    EXPECT_EQ(s.reason(), c.want) << c.name << ": " << s.ToString();
  }
  // The message names the certificate at fault.
  Status s = VerifyChain(expired.cert, {}, {root.cert}, kNow);
  EXPECT_NE(s.message().find("expired"), std::string::npos) << s.message();
  // Validity is judged at the given time, not now.
  EXPECT_TRUE(VerifyChain(expired.cert, {}, {root.cert}, kNow - 5 * kDay).ok());
}

TEST(X509Test, Revocation) {
  Ca root = MakeRoot("root");
  Ca inter = Issue(root, "intermediate", /*is_ca=*/true);
  Ca leaf = Issue(inter, "leaf");
  Ca other = Issue(inter, "other leaf");
  const uint64_t leaf_serial = SerialNumber(leaf.cert.get()).value();
  const uint64_t inter_serial = SerialNumber(inter.cert.get()).value();
  auto crl = [](const Ca& ca, std::vector<uint64_t> serials, int64_t from = kNow - kDay,
                int64_t to = kNow + kDay) {
    return MakeCrl(ca.cert.get(), ca.key.get(), serials, from, to).value();
  };
  struct Case {
    std::string name;
    CertPtr leaf;
    std::vector<CrlPtr> crls;
    std::string want;
  } cases[] = {
      {"leaf revoked", leaf.cert, {crl(inter, {leaf_serial})}, errors::kCertRevoked},
      {"another leaf revoked", other.cert, {crl(inter, {leaf_serial})}, ""},
      {"intermediate revoked by the root", leaf.cert, {crl(root, {inter_serial})},
       errors::kCertRevoked},
      {"both CRLs, nothing revoked", leaf.cert, {crl(root, {}), crl(inter, {})}, ""},
      {"CRL expired", leaf.cert, {crl(inter, {}, kNow - 10 * kDay, kNow - kDay)},
       errors::kCollateralExpired},
      {"CRL signed by the wrong key", leaf.cert,
       {MakeCrl(inter.cert.get(), other.key.get(), {}, kNow - kDay, kNow + kDay).value()},
       errors::kCollateralInvalid},
  };
  for (const Case& c : cases) {
    Status s = VerifyChain(c.leaf, {inter.cert}, {root.cert}, kNow, c.crls);
    EXPECT_EQ(s.reason(), c.want) << c.name << ": " << s.ToString();
  }
  // Garbage is not a CRL.
  EXPECT_EQ(ParseCrls(AsBytes("junk")).status().reason(), errors::kMalformedCertificate);
}

TEST(X509Test, SignAndVerify) {
  KeyPtr key = GenerateEcP384Key().value();
  Bytes data = ToBytes("report bytes");
  Bytes sig = Sign(key.get(), EVP_sha384(), data).value();
  EXPECT_TRUE(VerifySignature(key.get(), EVP_sha384(), data, sig).ok());
  data[0] ^= 1;
  EXPECT_EQ(VerifySignature(key.get(), EVP_sha384(), data, sig).reason(), errors::kBadSignature);
  EXPECT_EQ(VerifySignature(key.get(), EVP_sha384(), data, {}).reason(), errors::kBadSignature);

  std::string pem = PrivateKeyToPem(key.get()).value();
  KeyPtr back = ParsePrivateKeyPem(AsBytes(pem)).value();
  EXPECT_EQ(PublicKeyToDer(back.get()), PublicKeyToDer(key.get()));
  EXPECT_EQ(ParsePrivateKeyPem(AsBytes("nope")).status().reason(), "attestation.malformed_key");
}

}  // namespace
}  // namespace fedtee::attestation::x509
