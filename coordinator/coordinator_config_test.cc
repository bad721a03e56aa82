#include <gtest/gtest.h>

#include "coordinator/config.h"

namespace fedtee::coordinator {
namespace {

constexpr char kGood[] = R"(
federation_id = "healthcare-demo"
identity = "keys/coordinator.key"
roster = "roster.toml"
policy = "policy.toml"
rounds = 12
min_participants = 2
participants_per_round = 3
[model]
kind = "mlp"
num_features = 30
num_classes = 2
hidden = [16]
[train]
learning_rate = 0.05
batch_size = 16
[strategy]
name = "fedavg"
)";

TEST(FederationConfigTest, ParsesAndResolvesPaths) {
  auto c = ParseFederationConfig(kGood, "/etc/fedtee");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->federation_id, "healthcare-demo");
  EXPECT_EQ(c->rounds, 12u);
  EXPECT_EQ(c->identity, "/etc/fedtee/keys/coordinator.key");
  EXPECT_EQ(c->checkpoint_dir, "/etc/fedtee/state");
  EXPECT_EQ(c->model.hidden, std::vector<uint32_t>{16});
  EXPECT_FLOAT_EQ(c->train.learning_rate, 0.05f);
  EXPECT_EQ(c->train.batch_size, 16u);
}

struct BadCase {
  const char* name;
  std::string edit_from, edit_to;
  const char* key_in_message;
};

TEST(FederationConfigTest, NamedErrors) {
  const BadCase cases[] = {
      {"typo key", "rounds = 12", "roundz = 12", "roundz"},
      {"wrong type", "rounds = 12", "rounds = \"twelve\"", "rounds"},
      {"negative", "rounds = 12", "rounds = -1", "rounds"},
      {"min above per round", "min_participants = 2", "min_participants = 5",
       "participants_per_round"},
      {"bad kind", "kind = \"mlp\"", "kind = \"transformer\"", "model.kind"},
      {"bad strategy", "name = \"fedavg\"", "name = \"magic\"", "strategy.name"},
      {"missing id", "federation_id = \"healthcare-demo\"", "", "federation_id"},
      {"unknown model key", "hidden = [16]", "hidden = [16]\ndropout = 1", "model.dropout"},
      {"syntax", "rounds = 12", "rounds = = 12", "line"},
  };
  for (const auto& bc : cases) {
    std::string text = kGood;
    auto pos = text.find(bc.edit_from);
    ASSERT_NE(pos, std::string::npos) << bc.name;
    text.replace(pos, bc.edit_from.size(), bc.edit_to);
    auto c = ParseFederationConfig(text, "/x");
    ASSERT_FALSE(c.ok()) << bc.name;
    EXPECT_EQ(c.status().reason(), "config.invalid") << bc.name;
    EXPECT_NE(c.status().message().find(bc.key_in_message), std::string::npos)
        << bc.name << ": " << c.status().message();
  }
}

}  // namespace
}  // namespace fedtee::coordinator
