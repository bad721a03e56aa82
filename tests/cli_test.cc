// The fedtee CLI as users script it: outputs, files and exit codes (cli/exit_codes.h).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/subprocess.h"

namespace fedtee::testsupport {
namespace {

const std::string kFedtee = Bin("fedtee");

class CliTest : public ::testing::Test {
 protected:
  TempDir dir_{"cli"};
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  RunResult F(std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), kFedtee);
    return ::fedtee::testsupport::Run(args, in);
  }
};

TEST_F(CliTest, HpkeRoundTripAndEveryRefusal) {
  ASSERT_EQ(F({"hpke", "keygen", "--out-private", P("k.pem"), "--out-public", P("p.pem")}).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(stat(P("k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(ReadAll(P("k.pem")).find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(ReadAll(P("p.pem")).find("BEGIN PUBLIC KEY"), std::string::npos);
  // Public PEM is standard SubjectPublicKeyInfo: openssl reads it.
  auto ossl = ::fedtee::testsupport::Run({"/usr/bin/openssl", "pkey", "-pubin", "-in", P("p.pem"), "-noout", "-text"});
  EXPECT_EQ(ossl.exit_code, 0) << ossl.err;
  EXPECT_NE(ossl.out.find("X25519"), std::string::npos);

  const std::string msg = "update bytes \x01\x02\x03 of hospital A";
  auto sealed = F({"hpke", "seal", "--public", P("p.pem"), "--info", "I", "--aad", "A"}, msg);
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  EXPECT_EQ(sealed.out.size(), 32 + msg.size() + 16);  // enc || ct || tag
  auto opened = F({"hpke", "open", "--private", P("k.pem"), "--info", "I", "--aad", "A"}, sealed.out);
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_EQ(opened.out, msg);

  ASSERT_EQ(F({"hpke", "keygen", "--out-private", P("k2.pem"), "--out-public", P("p2.pem")}).exit_code, 0);
  std::string tampered = sealed.out;
  tampered[40] ^= 1;
  struct Case {
    const char* name;
    std::vector<std::string> args;
    std::string input;
    int exit_code;
  } cases[] = {
      {"wrong aad", {"hpke", "open", "--private", P("k.pem"), "--info", "I", "--aad", "B"}, sealed.out, 5},
      {"wrong info", {"hpke", "open", "--private", P("k.pem"), "--info", "J", "--aad", "A"}, sealed.out, 5},
      {"wrong key", {"hpke", "open", "--private", P("k2.pem"), "--info", "I", "--aad", "A"}, sealed.out, 5},
      {"tampered", {"hpke", "open", "--private", P("k.pem"), "--info", "I", "--aad", "A"}, tampered, 5},
      {"truncated", {"hpke", "open", "--private", P("k.pem"), "--info", "I", "--aad", "A"}, sealed.out.substr(0, 20), 5},
      {"missing key file", {"hpke", "open", "--private", P("absent.pem"), "--info", "I"}, sealed.out, 6},
      {"not a key", {"hpke", "seal", "--public", P("k.pem")}, "x", 2},
      {"missing flag", {"hpke", "seal"}, "x", 2},
      {"unknown subcommand", {"hpke", "frobnicate"}, "", 2},
  };
  for (const auto& c : cases) {
    auto r = F(c.args, c.input);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.name << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.name << " printed plaintext on failure";
    EXPECT_FALSE(r.err.empty()) << c.name << " failed silently";
  }
}

TEST_F(CliTest, SimEvidenceVerifyVerdictsAndExitCodes) {
  ASSERT_EQ(F({"sim-ca", "init", P("simca")}).exit_code, 0);
  EXPECT_NE(F({"sim-ca", "init", P("simca")}).exit_code, 0) << "overwrote an existing CA";
  EXPECT_EQ(F({"sim-ca", "init", P("simca"), "--keep-existing"}).exit_code, 0);
  auto m = F({"measure", kFedtee});
  ASSERT_EQ(m.exit_code, 0);
  std::string measurement = m.out.substr(0, m.out.find('\n'));
  ASSERT_EQ(measurement.size(), 96u);
  WriteAll(P("policy.toml"), "platforms = [\"sim\"]\nallowed_measurements = [\"" + measurement +
                                 "\"]\ntrusted_roots = [\"simca/root.pem\"]\n");
  const std::string rd(128, 'a'), other_rd(128, 'b');
  ASSERT_EQ(F({"evidence", "make", "--ca", P("simca"), "--report-data", rd, "--out", P("ev.bin")}).exit_code, 0);
  // A binary with one byte more has another measurement.
  WriteAll(P("altered"), ReadAll(kFedtee) + "x");
  ASSERT_EQ(F({"evidence", "make", "--ca", P("simca"), "--report-data", rd, "--measure",
               P("altered"), "--out", P("altered.bin")}).exit_code, 0);
  std::string ev = ReadAll(P("ev.bin"));
  std::string bad = ev;
  bad[bad.size() / 2] ^= 0x20;
  WriteAll(P("tampered.bin"), bad);
  WriteAll(P("garbage.bin"), "not evidence at all");

  auto ok = F({"evidence", "verify", "--policy", P("policy.toml"), "--evidence", P("ev.bin"), "--report-data", rd});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("verdict: ACCEPTED"), std::string::npos);
  EXPECT_NE(ok.out.find("measurement: " + measurement), std::string::npos);
  EXPECT_NE(ok.out.find("SIMULATED"), std::string::npos);

  struct Case {
    const char* name;
    std::vector<std::string> args;
    int exit_code;
    const char* expect;
  } cases[] = {
      {"other challenge", {"--evidence", P("ev.bin"), "--policy", P("policy.toml"), "--report-data", other_rd}, 4, "policy.report_data_mismatch"},
      {"altered binary", {"--evidence", P("altered.bin"), "--policy", P("policy.toml"), "--report-data", rd}, 4, "policy.measurement_not_allowed"},
      {"tampered evidence", {"--evidence", P("tampered.bin"), "--policy", P("policy.toml"), "--report-data", rd}, 3, "NOT AUTHENTIC"},
      {"garbage evidence", {"--evidence", P("garbage.bin"), "--policy", P("policy.toml"), "--report-data", rd}, 3, "NOT AUTHENTIC"},
      {"no root pinned", {"--evidence", P("ev.bin")}, 3, "attestation.untrusted_root"},
      {"policy without report data", {"--evidence", P("ev.bin"), "--policy", P("policy.toml")}, 2, ""},
      {"short report data", {"--evidence", P("ev.bin"), "--policy", P("policy.toml"), "--report-data", "abcd"}, 2, ""},
      {"unknown platform", {"--evidence", P("ev.bin"), "--platform", "sgx1"}, 2, ""},
      {"bad time", {"--evidence", P("ev.bin"), "--at", "yesterday"}, 2, ""},
      {"missing file", {"--evidence", P("absent.bin")}, 6, ""},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"evidence", "verify"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = F(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.name << "\n" << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(c.expect), std::string::npos) << c.name << "\n" << r.out << r.err;
  }
  // Authenticity only, with the root given on the command line.
  auto authentic = F({"evidence", "verify", "--evidence", P("ev.bin"), "--certs", P("simca/root.pem")});
  EXPECT_EQ(authentic.exit_code, 0) << authentic.err;
  EXPECT_NE(authentic.out.find("verdict: AUTHENTIC"), std::string::npos);
}

TEST_F(CliTest, IdentityAndRoster) {
  auto id = F({"identity", "new", "--out", P("hospital-a")});
  ASSERT_EQ(id.exit_code, 0) << id.err;
  std::string key = id.out.substr(0, id.out.find('\n'));
  EXPECT_EQ(key.size(), 40u);
  struct stat st {};
  ASSERT_EQ(stat(P("hospital-a.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(F({"roster", "add", "--roster", P("roster.toml"), "--id", "hospital-a",
               "--public-file", P("hospital-a.pub")}).exit_code, 0);
  EXPECT_NE(ReadAll(P("roster.toml")).find(key), std::string::npos);
  // The same id twice, a bad id and a bad key are refused and the roster is unchanged.
  std::string before = ReadAll(P("roster.toml"));
  EXPECT_NE(F({"roster", "add", "--roster", P("roster.toml"), "--id", "hospital-a", "--public-file", P("hospital-a.pub")}).exit_code, 0);
  EXPECT_EQ(F({"roster", "add", "--roster", P("roster.toml"), "--id", "bad id!", "--public-key", key}).exit_code, 2);
  EXPECT_EQ(F({"roster", "add", "--roster", P("roster.toml"), "--id", "b", "--public-key", "short"}).exit_code, 2);
  EXPECT_EQ(ReadAll(P("roster.toml")), before);
  // Secrets never reach standard output or error.
  std::string secret = ReadAll(P("hospital-a.key"));
  auto pos = secret.find("secret-key");
  ASSERT_NE(pos, std::string::npos);
  std::string secret_value = secret.substr(secret.find('"', pos) + 1, 40);
  EXPECT_EQ((id.out + id.err).find(secret_value), std::string::npos);
}

TEST_F(CliTest, HelpListsTheCommandsAndExitCodes) {
  auto r = F({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"hpke", "sim-ca", "evidence", "measure", "identity", "roster", "log",
                           "Exit codes"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace fedtee::testsupport
