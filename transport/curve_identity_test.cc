#include "transport/curve_identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"

namespace fedtee::transport {
namespace {

namespace fs = std::filesystem;

class CurveIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fedtee_curve_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CurveIdentityTest, GenerateGivesValidDistinctKeys) {
  auto a = CurveKeyPair::Generate();
  auto b = CurveKeyPair::Generate();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->public_z85.size(), kZ85KeyLength);
  EXPECT_EQ(a->secret_z85.size(), kZ85KeyLength);
  EXPECT_TRUE(ValidateZ85Key(a->public_z85).ok());
  EXPECT_TRUE(ValidateZ85Key(a->secret_z85.view()).ok());
  EXPECT_NE(a->public_z85, b->public_z85);
  auto derived = PublicKeyFromSecret(a->secret_z85);
  ASSERT_TRUE(derived.ok());
  EXPECT_EQ(*derived, a->public_z85);
}

TEST_F(CurveIdentityTest, SaveLoadRoundTripAndSecretFileMode) {
  auto pair = CurveKeyPair::Generate();
  ASSERT_TRUE(pair.ok());
  const fs::path sec = dir_ / "id.key_secret";
  const fs::path pub = dir_ / "id.key";
  ASSERT_TRUE(pair->Save(sec, pub).ok());

  struct stat st;
  ASSERT_EQ(::stat(sec.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(pub.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  auto loaded = CurveKeyPair::Load(sec);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_z85, pair->public_z85);
  EXPECT_EQ(loaded->secret_z85.view(), pair->secret_z85.view());

  auto public_only = LoadPublicKey(pub);
  ASSERT_TRUE(public_only.ok()) << public_only.status().ToString();
  EXPECT_EQ(*public_only, pair->public_z85);

  // The public file never holds the secret; the secret file has a comment header.
  auto pub_text = ReadTextFile(pub);
  ASSERT_TRUE(pub_text.ok());
  EXPECT_EQ(pub_text->find(std::string(pair->secret_z85.view())), std::string::npos);
  EXPECT_EQ(pub_text->find("secret-key"), std::string::npos);
  auto sec_text = ReadTextFile(sec);
  ASSERT_TRUE(sec_text.ok());
  EXPECT_EQ(sec_text->rfind("#", 0), 0u);
  EXPECT_NE(sec_text->find("public-key = \"" + pair->public_z85 + "\""), std::string::npos);
}

TEST_F(CurveIdentityTest, LoadRefusesGroupReadableSecretFile) {
  auto pair = CurveKeyPair::Generate();
  ASSERT_TRUE(pair.ok());
  const fs::path sec = dir_ / "s";
  ASSERT_TRUE(pair->Save(sec, dir_ / "p").ok());
  ASSERT_EQ(::chmod(sec.c_str(), 0640), 0);
  auto loaded = CurveKeyPair::Load(sec);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().reason(), "curve.secret_file_mode");
}

TEST_F(CurveIdentityTest, LoadDetectsMismatchedKeys) {
  auto a = CurveKeyPair::Generate();
  auto b = CurveKeyPair::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  const fs::path sec = dir_ / "s";
  std::string text = "curve\n    public-key = \"" + a->public_z85 + "\"\n    secret-key = \"" +
                     std::string(b->secret_z85.view()) + "\"\n";
  ASSERT_TRUE(WriteFileAtomic(sec, text, 0600).ok());
  auto loaded = CurveKeyPair::Load(sec);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().reason(), "curve.key_mismatch");

  CurveKeyPair mixed{a->public_z85, b->secret_z85};
  EXPECT_EQ(mixed.Save(dir_ / "x", dir_ / "y").reason(), "curve.key_mismatch");
}

TEST_F(CurveIdentityTest, MalformedFilesAndKeysAreNamed) {
  const fs::path sec = dir_ / "s";
  ASSERT_TRUE(WriteFileAtomic(sec, std::string_view("curve\n"), 0600).ok());
  EXPECT_EQ(CurveKeyPair::Load(sec).status().reason(), "curve.bad_file");
  EXPECT_EQ(LoadPublicKey(sec).status().reason(), "curve.bad_file");
  EXPECT_EQ(CurveKeyPair::Load(dir_ / "absent").status().reason(), "file.not_found");

  ASSERT_TRUE(
      WriteFileAtomic(sec, std::string_view("curve\n public-key = \"short\"\n"), 0600).ok());
  EXPECT_EQ(LoadPublicKey(sec).status().reason(), "curve.bad_key");

  EXPECT_EQ(ValidateZ85Key("").reason(), "curve.bad_key");
  EXPECT_EQ(ValidateZ85Key(std::string(39, 'a')).reason(), "curve.bad_key");
  EXPECT_EQ(ValidateZ85Key(std::string(40, '"')).reason(), "curve.bad_key");
  EXPECT_EQ(ValidateZ85Key(std::string(40, ' ')).reason(), "curve.bad_key");
  EXPECT_TRUE(ValidateZ85Key(std::string(40, 'a')).ok());
}

TEST(SecretStringTest, MoveLeavesSourceEmpty) {
  SecretString a(std::string(40, 'k'));
  SecretString b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the wipe
  EXPECT_EQ(b.view(), std::string(40, 'k'));
  std::string s = "secret material that is long enough to live on the heap";
  WipeString(s);
  EXPECT_TRUE(s.empty());
}

}  // namespace
}  // namespace fedtee::transport
