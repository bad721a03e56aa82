// federation.toml [strategy]: every strategy name of the aggregator's catalogue is
// accepted with its parameters, and an unknown parameter or a value out of range is
// config.invalid naming it.
#include <gtest/gtest.h>

#include "coordinator/config.h"

namespace fedtee::coordinator {
namespace {

std::string Config(const std::string& strategy_table) {
  return R"(
federation_id = "finance-demo"
identity = "k.key"
roster = "roster.toml"
policy = "policy.toml"
[model]
num_features = 20
[strategy]
)" + strategy_table;
}

TEST(StrategyConfigTest, AcceptsTheCatalogueWithItsParameters) {
  for (const char* t : {
           "name = \"fedavg\"",
           "name = \"fedavg\"\nclip_norm = 1.0\nnoise_multiplier = 1.1\ndp_delta = 1e-5",
           "name = \"fedavg\"\nclip_norm = 1.0\nclip_quantile = 0.5\nclip_lr = 0.2",
           "name = \"fedavgm\"\nserver_lr = 1.0\nmomentum = 0.9",
           "name = \"fedadam\"\nserver_lr = 0.1\nbeta1 = 0.9\nbeta2 = 0.99\ntau = 0.001",
           "name = \"fedyogi\"\ntau = 0.001",
           "name = \"fedadagrad\"\nbeta1 = 0.0",
           "name = \"median\"\nmax_updates = 64",
           "name = \"trimmed_mean\"\nbeta = 0.2",
           "name = \"krum\"\nf = 1\nm = 3",
       }) {
    auto c = ParseFederationConfig(Config(t), "/x");
    EXPECT_TRUE(c.ok()) << t << ": " << c.status().ToString();
  }
}

TEST(StrategyConfigTest, NamesTheBadParameter) {
  struct Bad {
    const char* table;
    const char* key;
  };
  for (const Bad& b : {
           Bad{"name = \"fedavg\"\nserver_lr = 1.0", "strategy.server_lr"},
           Bad{"name = \"fedadam\"\nmomentum = 0.9", "strategy.momentum"},
           Bad{"name = \"fedadagrad\"\nbeta2 = 0.9", "strategy.beta2"},
           Bad{"name = \"fedadam\"\nbeta1 = 1.0", "strategy.beta1"},
           Bad{"name = \"trimmed_mean\"\nbeta = 0.5", "strategy.beta"},
           Bad{"name = \"krum\"\nf = 1.5", "strategy.f"},
           Bad{"name = \"median\"\nmax_updates = 0", "strategy.max_updates"},
           Bad{"name = \"median\"\nclip_norm = 1\nnoise_multiplier = 1", "strategy.noise_multiplier"},
           Bad{"name = \"fedavg\"\nnoise_multiplier = 1", "strategy.noise_multiplier"},
           Bad{"name = \"fedavg\"\nclip_quantile = 0.5", "strategy.clip_quantile"},
           Bad{"name = \"bulyan\"", "strategy.name"},
       }) {
    auto c = ParseFederationConfig(Config(b.table), "/x");
    ASSERT_FALSE(c.ok()) << b.table;
    EXPECT_EQ(c.status().reason(), "config.invalid");
    EXPECT_NE(c.status().message().find(b.key), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace fedtee::coordinator
