// Tests for crypto/signature.h, including RFC 8032 §7.1 test vectors.
#include "crypto/signature.h"

#include <gtest/gtest.h>

#include "crypto/hpke.h"

namespace fedtee::crypto {
namespace {

Bytes H(std::string_view hex) { return *HexDecode(hex); }

// RFC 8032 §7.1, Ed25519 TEST 1 (empty message) and TEST 2 (one byte 0x72).
struct Rfc8032Vector {
  const char *secret, *public_key, *message, *signature;
};
constexpr Rfc8032Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
     "1cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
     "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(Signature, Rfc8032Vectors) {
  for (const auto& v : kRfc8032) {
    auto key = SigningKey::FromPrivateBytes(H(v.secret));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(HexEncode(key->public_key()), v.public_key);
    auto sig = key->Sign(H(v.message));
    ASSERT_TRUE(sig.ok());
    EXPECT_EQ(HexEncode(*sig), v.signature);
    EXPECT_TRUE(VerifySignature(H(v.public_key), H(v.message), H(v.signature)).ok());
  }
}

TEST(Signature, SignVerifyAndRejectTampering) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  Bytes msg = ToBytes("receipt: federation f, round 3, model digest ...");
  auto sig = key->Sign(msg);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), kEd25519SignatureSize);
  EXPECT_TRUE(VerifySignature(key->public_key(), msg, *sig).ok());

  Bytes bad_msg = msg;
  bad_msg[0] ^= 1;
  Status s = VerifySignature(key->public_key(), bad_msg, *sig);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(s.reason(), "signature.invalid");
  for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    Bytes bad_sig = *sig;
    bad_sig[i] ^= 0x40;
    EXPECT_EQ(VerifySignature(key->public_key(), msg, bad_sig).reason(), "signature.invalid");
  }
  EXPECT_EQ(VerifySignature(key->public_key(), msg, Bytes(63)).reason(), "signature.invalid");
  EXPECT_EQ(VerifySignature(key->public_key(), msg, {}).reason(), "signature.invalid");
  auto other = SigningKey::Generate();
  EXPECT_EQ(VerifySignature(other->public_key(), msg, *sig).reason(), "signature.invalid");
  EXPECT_EQ(VerifySignature(Bytes(31), msg, *sig).reason(), "signature.bad_key");
}

TEST(Signature, PemRoundTrip) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  auto back = SigningKey::FromPrivatePem(key->PrivatePem());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->public_key(), key->public_key());
  auto pub = Ed25519PublicFromPem(key->PublicPem());
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, key->public_key());
  auto sig = back->Sign(AsBytes("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifySignature(*pub, AsBytes("m"), *sig).ok());
  // Ed25519 is deterministic: the reloaded key signs identically.
  EXPECT_EQ(*sig, *key->Sign(AsBytes("m")));
}

TEST(Signature, PemRejectsOtherKeyTypesAndGarbage) {
  auto x = X25519KeyPair::Generate();
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(SigningKey::FromPrivatePem(x->PrivatePem()).status().reason(), "signature.bad_key");
  EXPECT_EQ(Ed25519PublicFromPem(x->PublicPem()).status().reason(), "signature.bad_key");
  EXPECT_EQ(SigningKey::FromPrivatePem("junk").status().reason(), "signature.bad_key");
  EXPECT_EQ(Ed25519PublicFromPem("").status().reason(), "signature.bad_key");
  auto key = SigningKey::Generate();
  EXPECT_EQ(X25519KeyPair::FromPrivatePem(key->PrivatePem()).status().reason(), "hpke.bad_key");
  EXPECT_EQ(X25519PublicFromPem(key->PublicPem()).status().reason(), "hpke.bad_key");
}

TEST(Signature, CopiesShareTheKey) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  SigningKey copy = *key;
  auto sig = copy.Sign(AsBytes("x"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(VerifySignature(key->public_key(), AsBytes("x"), *sig).ok());
}

}  // namespace
}  // namespace fedtee::crypto
