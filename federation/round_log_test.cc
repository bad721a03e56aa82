#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/signature.h"
#include "federation/receipt.h"
#include "federation/round_log.h"

namespace fedtee::federation {
namespace {

class RoundLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fedtee_round_log_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    key_ = std::make_unique<crypto::SigningKey>(std::move(crypto::SigningKey::Generate()).value());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  RoundLogEntry Make(uint64_t round, const std::string& prev) {
    v1::Receipt r;
    r.set_federation_id("f");
    r.set_round(round);
    r.set_previous_log_head(prev);
    auto* e = r.add_entries();
    e->set_participant_id("zeta");
    e->set_update_digest(std::string(32, 'z'));
    e = r.add_entries();
    e->set_participant_id("alpha");
    e->set_update_digest(std::string(32, 'a'));
    RoundLogEntry entry;
    entry.round = round;
    entry.receipt = SerializeReceipt(r);
    entry.signature = *key_->Sign(entry.receipt);
    entry.receipt_public_key = key_->public_key();
    entry.prev_head = prev;
    entry.head = ComputeHead(prev, entry.receipt, entry.signature);
    entry.metrics_json = R"({"eval_accuracy":0.9})";
    return entry;
  }

  std::filesystem::path dir_;
  std::unique_ptr<crypto::SigningKey> key_;
};

TEST_F(RoundLogTest, AppendReadVerify) {
  auto path = dir_ / "round_log.jsonl";
  std::string head = kGenesisHead;
  for (uint64_t r = 1; r <= 3; ++r) {
    RoundLogEntry e = Make(r, head);
    ASSERT_TRUE(AppendRoundLog(path, e).ok());
    head = e.head;
  }
  auto entries = ReadRoundLog(path);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_TRUE(VerifyRoundLog(*entries).ok());
  EXPECT_EQ(entries->back().head, head);
  // Receipts list entries sorted by participant id.
  auto r = ParseReceipt(entries->front().receipt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries(0).participant_id(), "alpha");
  EXPECT_TRUE(CheckReceiptIncludes(*r, "zeta", AsBytes(std::string(32, 'z'))).ok());
  EXPECT_EQ(CheckReceiptIncludes(*r, "zeta", AsBytes(std::string(32, 'x'))).reason(),
            "receipt.update_missing");
  EXPECT_EQ(CheckReceiptIncludes(*r, "omega", AsBytes(std::string(32, 'z'))).reason(),
            "receipt.update_missing");
}

TEST_F(RoundLogTest, DetectsTamperingDroppingAndReordering) {
  std::vector<RoundLogEntry> log;
  std::string head = kGenesisHead;
  for (uint64_t r = 1; r <= 3; ++r) {
    log.push_back(Make(r, head));
    head = log.back().head;
  }
  ASSERT_TRUE(VerifyRoundLog(log).ok());

  auto dropped = log;
  dropped.erase(dropped.begin() + 1);
  EXPECT_EQ(VerifyRoundLog(dropped).reason(), "log.broken_chain");

  auto swapped = log;
  std::swap(swapped[1], swapped[2]);
  EXPECT_EQ(VerifyRoundLog(swapped).reason(), "log.broken_chain");

  auto tampered = log;
  tampered[1].receipt.back() ^= 1;
  EXPECT_FALSE(VerifyRoundLog(tampered).ok());

  auto resigned = log;  // someone recomputes heads but cannot sign
  resigned[2].signature[0] ^= 1;
  resigned[2].head = ComputeHead(resigned[2].prev_head, resigned[2].receipt, resigned[2].signature);
  EXPECT_EQ(VerifyRoundLog(resigned).reason(), "receipt.bad_signature");
}

TEST_F(RoundLogTest, ReceiptSignatureBoundToKey) {
  RoundLogEntry e = Make(1, kGenesisHead);
  EXPECT_TRUE(VerifyReceipt(e.receipt, e.signature, e.receipt_public_key).ok());
  auto other = crypto::SigningKey::Generate();
  EXPECT_EQ(VerifyReceipt(e.receipt, e.signature, other->public_key()).status().reason(),
            "receipt.bad_signature");
}

}  // namespace
}  // namespace fedtee::federation
