#include "participant/site_config.h"

#include <gtest/gtest.h>

namespace fedtee::participant {
namespace {

constexpr char kKey[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

std::string ValidToml() {
  return std::string(R"(
participant_id = "hospital-1"
coordinator = "tcp://127.0.0.1:7000"
coordinator_key = ")") +
         kKey + R"("
identity = "keys/hospital-1.secret"
policy = "policy.toml"
max_rounds = 3
[data]
csv = "data/site-1.csv"
scaler = "/abs/scaler.json"
eval_fraction = 0.25
seed = 9
)";
}

TEST(SiteConfigTest, ParsesAFullFileAndResolvesRelativePaths) {
  SiteConfig c;
  ASSERT_TRUE(ParseSiteConfigToml(ValidToml(), "/etc/site", c).ok());
  ASSERT_TRUE(FinalizeSiteConfig(c).ok());
  EXPECT_EQ(c.participant_id, "hospital-1");
  EXPECT_EQ(c.coordinator, "tcp://127.0.0.1:7000");
  EXPECT_EQ(c.coordinator_key, kKey);
  EXPECT_EQ(c.identity, "/etc/site/keys/hospital-1.secret");
  EXPECT_EQ(c.policy, "/etc/site/policy.toml");
  EXPECT_EQ(c.data.csv, "/etc/site/data/site-1.csv");
  EXPECT_EQ(c.data.scaler, "/abs/scaler.json");
  EXPECT_EQ(c.data.format, "csv");
  EXPECT_EQ(c.data.label, "label");
  EXPECT_DOUBLE_EQ(c.data.eval_fraction, 0.25);
  EXPECT_EQ(c.data.seed, 9u);
  EXPECT_EQ(c.max_rounds, 3u);
  EXPECT_EQ(c.chunk_bytes, uint64_t{1} << 20);
  EXPECT_EQ(c.state_file, "/etc/site/keys/hospital-1.secret.state.json");
  auto key = ResolveCoordinatorKey(c);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, kKey);
}

TEST(SiteConfigTest, FlagsOverrideTheFile) {
  SiteConfig c;
  ASSERT_TRUE(ParseSiteConfigToml(ValidToml(), "/etc/site", c).ok());
  ASSERT_TRUE(SetSiteConfigValue(c, "max_rounds", "0").ok());
  ASSERT_TRUE(SetSiteConfigValue(c, "data.csv", "other.csv").ok());
  ASSERT_TRUE(SetSiteConfigValue(c, "data.format", "sklearn").ok());
  EXPECT_EQ(c.max_rounds, 0u);
  EXPECT_EQ(c.data.csv, "other.csv");  // flags are taken as given
  EXPECT_EQ(c.data.format, "sklearn");
}

TEST(SiteConfigTest, EveryKeyHasAFlag) {
  for (const SiteConfigKey& k : SiteConfigKeys()) {
    EXPECT_EQ(k.flag.rfind("--", 0), 0u) << k.key;
    EXPECT_EQ(k.flag.find('_'), std::string::npos) << k.flag;
    EXPECT_FALSE(k.help.empty()) << k.key;
  }
  EXPECT_GE(SiteConfigKeys().size(), 20u);
}

struct ErrorCase {
  const char* name;
  std::string toml;
  const char* reason;
  const char* mentions;
};

TEST(SiteConfigTest, ErrorsAreNamed) {
  const ErrorCase cases[] = {
      {"not toml", "participant_id = ", "config.invalid_file", "line 1"},
      {"unknown key", "participant = \"x\"", "config.unknown_key", "participant"},
      {"unknown data key", "[data]\ncvs = \"x\"", "config.unknown_key", "data.cvs"},
      {"unknown table", "[coordinator_settings]\nx = 1", "config.unknown_key",
       "coordinator_settings"},
      {"bad endpoint", "coordinator = \"localhost:7000\"", "config.bad_value", "coordinator"},
      {"bad key", "coordinator_key = \"short\"", "config.bad_value", "coordinator_key"},
      {"bad format", "[data]\nformat = \"parquet\"", "config.bad_value", "data.format"},
      {"fraction range", "[data]\neval_fraction = 1.5", "config.bad_value", "data.eval_fraction"},
      {"negative", "max_rounds = -1", "config.bad_value", "max_rounds"},
      {"wrong type", "max_rounds = \"three\"", "config.bad_value", "max_rounds"},
      {"array value", "policy = [1, 2]", "config.bad_value", "policy"},
      {"chunk too small", "chunk_bytes = 10", "config.bad_value", "chunk_bytes"},
      {"bad level", "log_level = \"loud\"", "config.bad_value", "log_level"},
      {"data not a table", "data = 3", "config.bad_value", "data"},
  };
  for (const ErrorCase& c : cases) {
    SiteConfig config;
    Status s = ParseSiteConfigToml(c.toml, "/tmp", config);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(s.reason(), c.reason) << c.name << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.mentions), std::string::npos) << c.name << ": " << s.ToString();
  }
}

TEST(SiteConfigTest, MissingKeysAreNamedWithTheirFlag) {
  SiteConfig c;
  ASSERT_TRUE(ParseSiteConfigToml("participant_id = \"a\"", "/tmp", c).ok());
  Status s = FinalizeSiteConfig(c);
  EXPECT_EQ(s.reason(), "config.missing_key");
  EXPECT_NE(s.message().find("coordinator"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("--coordinator"), std::string::npos) << s.ToString();

  SiteConfig d;
  ASSERT_TRUE(ParseSiteConfigToml(ValidToml(), "/tmp", d).ok());
  d.data.csv.clear();
  s = FinalizeSiteConfig(d);
  EXPECT_EQ(s.reason(), "config.missing_key");
  EXPECT_NE(s.message().find("--data-csv"), std::string::npos) << s.ToString();
}

TEST(SiteConfigTest, CoordinatorKeyAndKeyFileConflict) {
  SiteConfig d;
  ASSERT_TRUE(ParseSiteConfigToml(ValidToml(), "/tmp", d).ok());
  ASSERT_TRUE(SetSiteConfigValue(d, "coordinator_key_file", "c.pub").ok());
  Status s = FinalizeSiteConfig(d);
  EXPECT_EQ(s.reason(), "config.conflict") << s.ToString();
}

TEST(SiteConfigTest, MissingFileIsNotFound) {
  SiteConfig c;
  Status s = LoadSiteConfigFile("/nonexistent/site.toml", c);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/nonexistent/site.toml"), std::string::npos);
}

}  // namespace
}  // namespace fedtee::participant
