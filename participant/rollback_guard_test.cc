#include "participant/rollback_guard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"

namespace fedtee::participant {
namespace {

class RollbackGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fedtee_rollback_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path state() const { return dir_ / "site.secret.state.json"; }
  std::filesystem::path dir_;
};

const std::string kHead3(64, '3');
const std::string kHead4(64, '4');

TEST_F(RollbackGuardTest, FreshStateAcceptsAnyClaim) {
  auto g = RollbackGuard::Open(state());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->highest_round(), 0u);
  EXPECT_TRUE(g->CheckClaim(0, "").ok());
  EXPECT_TRUE(g->CheckClaim(9, kHead3).ok());
}

TEST_F(RollbackGuardTest, RefusesACoordinatorThatWentBackwardsAcrossRestarts) {
  {
    auto g = RollbackGuard::Open(state()).value();
    ASSERT_TRUE(g.Record(3, kHead3, "fed").ok());
    ASSERT_TRUE(g.Record(4, kHead4, "fed").ok());
    ASSERT_TRUE(g.Record(2, "older", "fed").ok());  // lower rounds are ignored
    EXPECT_EQ(g.highest_round(), 4u);
  }
  auto g = RollbackGuard::Open(state()).value();  // persisted
  EXPECT_EQ(g.highest_round(), 4u);
  EXPECT_EQ(g.highest_head(), kHead4);
  EXPECT_TRUE(g.CheckClaim(4, kHead4).ok());
  EXPECT_TRUE(g.CheckClaim(5, "").ok());
  Status back = g.CheckClaim(3, kHead3);
  EXPECT_EQ(back.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(back.reason(), "coordinator.rollback");
  EXPECT_NE(back.message().find("round 4"), std::string::npos) << back.ToString();
  EXPECT_EQ(g.CheckClaim(4, kHead3).reason(), "coordinator.fork");
  EXPECT_EQ(g.Record(4, kHead3, "fed").reason(), "coordinator.fork");
}

TEST_F(RollbackGuardTest, MalformedStateIsRefusedNotIgnored) {
  ASSERT_TRUE(WriteFileAtomic(state(), std::string_view("{\"round\": \"x\"}")).ok());
  EXPECT_EQ(RollbackGuard::Open(state()).status().reason(), "state.malformed");
  ASSERT_TRUE(WriteFileAtomic(state(), std::string_view("not json")).ok());
  EXPECT_EQ(RollbackGuard::Open(state()).status().reason(), "state.malformed");
}

}  // namespace
}  // namespace fedtee::participant
