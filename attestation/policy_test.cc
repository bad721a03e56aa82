#include "attestation/policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "attestation/errors.h"
#include "attestation/sim/sim_ca.h"
#include "base/file.h"

namespace fedtee::attestation {
namespace {

const std::string kM1(96, 'a');
const std::string kM2(96, 'B');
const std::string kRtmr(96, '0');

std::string FullPolicy() {
  return R"(
platforms = ["sim", "sev-snp", "tdx"]
allowed_measurements = [")" + kM1 + R"(", ")" + kM2 + R"("]
forbid_debug = false
max_evidence_age_seconds = 120
max_clock_skew_seconds = 5
trusted_roots = ["simca/root.pem", "/etc/fedtee/ark.pem"]

[sim]
min_tcb_svn = 2

[sev-snp]
min_tcb = { bootloader = 3, tee = 0, snp = 8, microcode = 115, fmc = 1 }
forbid_migration_agent = false
allowed_vmpl = [0, 1]

[tdx]
allowed_rtmr0 = [")" + kRtmr + R"("]
allowed_rtmr2 = []
allowed_tcb_status = ["UpToDate", "SWHardeningNeeded"]
)";
}

TEST(PolicyTest, ParsesEveryField) {
  auto p = ParsePolicyToml(FullPolicy(), "/srv/policy");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->platforms,
            (std::vector<Platform>{Platform::kSim, Platform::kSevSnp, Platform::kTdx}));
  ASSERT_EQ(p->allowed_measurements.size(), 2u);
  EXPECT_EQ(p->allowed_measurements[0], Bytes(48, 0xaa));
  EXPECT_EQ(p->allowed_measurements[1], Bytes(48, 0xbb));
  EXPECT_FALSE(p->forbid_debug);
  EXPECT_EQ(p->max_evidence_age_seconds, 120);
  EXPECT_EQ(p->max_clock_skew_seconds, 5);
  EXPECT_EQ(p->trusted_roots,
            (std::vector<std::filesystem::path>{"/srv/policy/simca/root.pem",
                                                "/etc/fedtee/ark.pem"}));
  EXPECT_EQ(p->sim.min_tcb_svn, 2u);
  EXPECT_EQ(p->snp.min_tcb.bootloader, 3);
  EXPECT_EQ(p->snp.min_tcb.snp, 8);
  EXPECT_EQ(p->snp.min_tcb.microcode, 115);
  EXPECT_EQ(p->snp.min_tcb.fmc, 1);
  EXPECT_FALSE(p->snp.forbid_migration_agent);
  EXPECT_EQ(p->snp.allowed_vmpl, (std::vector<uint32_t>{0, 1}));
  ASSERT_EQ(p->tdx.allowed_rtmr[0].size(), 1u);
  EXPECT_EQ(p->tdx.allowed_rtmr[0][0], Bytes(48, 0));
  EXPECT_TRUE(p->tdx.allowed_rtmr[1].empty());
  EXPECT_EQ(p->tdx.allowed_tcb_status,
            (std::vector<std::string>{"UpToDate", "SWHardeningNeeded"}));
}

TEST(PolicyTest, DefaultsAreSafe) {
  auto p = ParsePolicyToml("platforms = [\"tdx\"]\nallowed_measurements = [\"" + kM1 + "\"]\n",
                           "/");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->forbid_debug);
  EXPECT_EQ(p->max_evidence_age_seconds, 300);
  EXPECT_EQ(p->max_clock_skew_seconds, 30);
  EXPECT_TRUE(p->snp.forbid_migration_agent);
  EXPECT_EQ(p->tdx.allowed_tcb_status, (std::vector<std::string>{"UpToDate"}));
}

// Each malformed policy is refused as policy.invalid_file and the message names the key.
TEST(PolicyTest, ErrorsNameTheKey) {
  const std::string head = "platforms = [\"sim\"]\ntrusted_roots = [\"r.pem\"]\n";
  const std::string ok_m = "allowed_measurements = [\"" + kM1 + "\"]\n";
  struct Case {
    std::string name;
    std::string toml;
    std::string key;  // must appear in the message
  } cases[] = {
      {"unknown top-level key", head + ok_m + "forbid_debugg = true\n", "forbid_debugg"},
      {"unknown section key", head + ok_m + "[sim]\nmin_tcb = 1\n", "sim.min_tcb"},
      {"unknown snp tcb key", head + ok_m + "[sev-snp]\nmin_tcb = { bootlader = 1 }\n",
       "sev-snp.min_tcb.bootlader"},
      {"unknown section", head + ok_m + "[sgx]\n", "sgx"},
      {"bad hex", head + "allowed_measurements = [\"" + std::string(95, 'a') + "g\"]\n",
       "allowed_measurements[0]"},
      {"odd hex", head + "allowed_measurements = [\"" + std::string(95, 'a') + "\"]\n",
       "allowed_measurements[0]"},
      {"wrong length", head + "allowed_measurements = [\"" + std::string(64, 'a') + "\"]\n",
       "allowed_measurements[0]"},
      {"wrong rtmr length",
       head + ok_m + "[tdx]\nallowed_rtmr1 = [\"" + std::string(94, '1') + "\"]\n",
       "tdx.allowed_rtmr1[0]"},
      {"wrong type bool", head + ok_m + "forbid_debug = \"yes\"\n", "forbid_debug"},
      {"wrong type int", head + ok_m + "max_evidence_age_seconds = 1.5\n",
       "max_evidence_age_seconds"},
      {"negative", head + ok_m + "max_clock_skew_seconds = -1\n", "max_clock_skew_seconds"},
      {"not an array", head + "allowed_measurements = \"" + kM1 + "\"\n",
       "allowed_measurements"},
      {"number in string array", head + ok_m + "[tdx]\nallowed_tcb_status = [1]\n",
       "tdx.allowed_tcb_status[0]"},
      {"unknown tcb status", head + ok_m + "[tdx]\nallowed_tcb_status = [\"Uptodate\"]\n",
       "tdx.allowed_tcb_status"},
      {"vmpl out of range", head + ok_m + "[sev-snp]\nallowed_vmpl = [4]\n",
       "sev-snp.allowed_vmpl[0]"},
      {"tcb byte out of range", head + ok_m + "[sev-snp]\nmin_tcb = { snp = 256 }\n",
       "sev-snp.min_tcb.snp"},
      {"unknown platform", "platforms = [\"sgx\"]\n" + ok_m, "platforms"},
      {"no platform", ok_m, "platforms"},
      {"empty platforms", "platforms = []\n" + ok_m, "platforms"},
      {"no measurement", head, "allowed_measurements"},
      {"sim without a root", "platforms = [\"sim\"]\n" + ok_m, "trusted_roots"},
      {"section not a table", head + ok_m + "sim = 3\n", "sim"},
      {"not toml", "platforms = [\n", "not valid TOML"},
  };
  for (const Case& c : cases) {
    auto p = ParsePolicyToml(c.toml, "/base");
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(p.status().reason(), errors::kBadPolicy) << c.name;
    EXPECT_NE(p.status().message().find(c.key), std::string::npos)
        << c.name << ": " << p.status().message();
  }
}

TEST(PolicyTest, LoadFileResolvesRootsNextToIt) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("fedtee-policy-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  FakeClock clock(1750000000);
  ASSERT_TRUE(sim::SimCa::Init(dir / "simca", clock).ok());
  ASSERT_TRUE(WriteFileAtomic(dir / "policy.toml",
                              "platforms = [\"sim\"]\nallowed_measurements = [\"" + kM1 +
                                  "\"]\ntrusted_roots = [\"simca/root.pem\"]\n")
                  .ok());
  auto p = LoadPolicyFile(dir / "policy.toml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto roots = LoadTrustedRoots(*p);
  ASSERT_TRUE(roots.ok()) << roots.status().ToString();
  ASSERT_EQ(roots->size(), 1u);
  EXPECT_EQ((*roots)[0], sim::SimCa::Load(dir / "simca")->root_cert_der());

  EXPECT_EQ(LoadPolicyFile(dir / "missing.toml").status().code(), StatusCode::kNotFound);
  p->trusted_roots = {dir / "policy.toml"};  // not a certificate
  EXPECT_EQ(LoadTrustedRoots(*p).status().reason(), errors::kMalformedCertificate);
  fs::remove_all(dir);
}

// The full example in docs/attestation.md is a valid policy.
TEST(PolicyTest, DocumentedExampleParses) {
  auto doc = ReadTextFile(std::filesystem::path(FEDTEE_SOURCE_DIR) / "docs/attestation.md");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const std::string open = "```toml\n";
  size_t begin = doc->find(open);
  ASSERT_NE(begin, std::string::npos);
  begin += open.size();
  size_t end = doc->find("```", begin);
  ASSERT_NE(end, std::string::npos);
  auto p = ParsePolicyToml(doc->substr(begin, end - begin), "/etc/fedtee");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->platforms, std::vector<Platform>{Platform::kSim});
  EXPECT_EQ(p->allowed_measurements.size(), 1u);
  EXPECT_EQ(p->sim.min_tcb_svn, 1u);
  EXPECT_EQ(p->snp.min_tcb.microcode, 115);
}

}  // namespace
}  // namespace fedtee::attestation
