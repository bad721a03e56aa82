#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/status.h"

namespace fedtee {
namespace {

TEST(StatusTest, WrapKeepsCodeAndReason) {
  Status s = Status::Corruption("hpke.bad_tag", "tag mismatch").Wrap("opening chunk 3");
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.reason(), "hpke.bad_tag");
  EXPECT_EQ(s.ToString(), "CORRUPTION hpke.bad_tag: opening chunk 3: tag mismatch");
  EXPECT_TRUE(Status::Ok().Wrap("x").ok());
}

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidArgument("odd", "odd value");
  return v / 2;
}
Result<int> Quarter(int v) {
  FEDTEE_ASSIGN_OR_RETURN(int h, Half(v));
  return Half(h);
}

TEST(ResultTest, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().reason(), "odd");
  EXPECT_EQ(Quarter(5).status().reason(), "odd");
}

TEST(HexTest, RoundTripAndErrors) {
  Bytes b = {0x00, 0x7f, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "007fabff");
  EXPECT_EQ(*HexDecode("007FABff"), b);
  EXPECT_EQ(HexDecode("abc").status().reason(), "hex.invalid");
  EXPECT_EQ(HexDecode("zz").status().reason(), "hex.invalid");
}

TEST(FileTest, AtomicWriteReplacesAndSetsMode) {
  auto dir = std::filesystem::temp_directory_path() / ("fedtee_base_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "state.json";
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("one"), 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("two"), 0600).ok());
  EXPECT_EQ(*ReadTextFile(path), "two");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  size_t entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) entries += e.is_regular_file();
  EXPECT_EQ(entries, 1u) << "temporary files left behind";
  EXPECT_EQ(ReadFile(dir / "absent").status().reason(), "file.not_found");
  EXPECT_EQ(ReadFile(path, 2).status().reason(), "file.too_large");
  std::filesystem::remove_all(dir);
}

TEST(ClockTest, Rfc3339) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2025-06-20T12:00:00Z"), 1750420800);
  EXPECT_EQ(*ParseRfc3339("2025-06-20T14:00:00+02:00"), 1750420800);
  EXPECT_EQ(*ParseRfc3339("2025-06-20T12:00:00.123Z"), 1750420800);
  EXPECT_EQ(FormatRfc3339(1750420800), "2025-06-20T12:00:00Z");
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339("2025-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2025-06-20T12:00:00").ok());
}

}  // namespace
}  // namespace fedtee
