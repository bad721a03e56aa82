#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "aggregator/config.h"

namespace fedtee::aggregator {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fedtee_agg_config_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& text) {
    auto p = dir_ / "aggregator.toml";
    std::ofstream(p) << text;
    return p.string();
  }
  Status Load(const std::string& path, Config& c, std::set<std::string> flags = {}) {
    return LoadConfigFile(
        path, [&flags](const std::string& f) { return flags.count(f) > 0; }, c);
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, ReadsEveryKindOfValueAndResolvesPaths) {
  Config c;
  auto path = Write(R"(
coordinator = "tcp://10.0.0.1:7001"
coordinator_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
listen = "tcp://0.0.0.0:7100"
attestation = "sim"
sim_ca = "ca"
metrics_json = "/var/log/m.jsonl"
chunk_bytes = 4096
sim_tcb_svn = 7
)");
  ASSERT_TRUE(Load(path, c).ok());
  EXPECT_EQ(c.coordinator, "tcp://10.0.0.1:7001");
  EXPECT_EQ(c.coordinator_key, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
  EXPECT_EQ(c.listen, "tcp://0.0.0.0:7100");
  EXPECT_EQ(c.attestation, "sim");
  EXPECT_EQ(c.sim_ca, (dir_ / "ca").string());
  EXPECT_EQ(c.metrics_json, "/var/log/m.jsonl");
  EXPECT_EQ(c.chunk_bytes, 4096u);
  EXPECT_EQ(c.sim_tcb_svn, 7u);
  EXPECT_EQ(c.max_message_bytes, uint64_t{16} << 20);  // default kept
}

TEST_F(ConfigTest, FlagsOverrideTheFile) {
  Config c;
  c.listen = "tcp://127.0.0.1:9";  // as parsed from --listen
  auto path = Write("listen = \"tcp://0.0.0.0:7100\"\ncoordinator_key = \"keys/coord.pub\"\n");
  ASSERT_TRUE(Load(path, c, {"--listen"}).ok());
  EXPECT_EQ(c.listen, "tcp://127.0.0.1:9");
  EXPECT_EQ(c.coordinator_key, (dir_ / "keys/coord.pub").string());  // a key file
}

TEST_F(ConfigTest, RefusesTyposWrongTypesAndBadFiles) {
  Config c;
  EXPECT_EQ(Load(Write("listne = \"x\"\n"), c).reason(), "config.unknown_key");
  EXPECT_EQ(Load(Write("chunk_bytes = \"big\"\n"), c).reason(), "config.bad_value");
  EXPECT_EQ(Load(Write("chunk_bytes = -1\n"), c).reason(), "config.bad_value");
  EXPECT_EQ(Load(Write("sim_tcb_svn = 99999999999\n"), c).reason(), "config.bad_value");
  EXPECT_EQ(Load(Write("listen = \n"), c).reason(), "config.parse");
  EXPECT_EQ(Load((dir_ / "absent.toml").string(), c).reason(), "file.not_found");
}

}  // namespace
}  // namespace fedtee::aggregator
