#include "transport/chunker.h"

#include <gtest/gtest.h>

namespace fedtee::transport {
namespace {

Bytes Pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + 7);
  return b;
}

TEST(ChunkerTest, SplitCoversPayload) {
  Bytes p = Pattern(10);
  auto chunks = SplitChunks(p, 4);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), 4u);
  EXPECT_EQ(chunks[2].size(), 2u);
  EXPECT_EQ(chunks[1].data(), p.data() + 4);  // views, no copies
  EXPECT_EQ(SplitChunks(p, 10).size(), 1u);
  EXPECT_EQ(SplitChunks(p, 100).size(), 1u);
  auto empty = SplitChunks(ByteSpan(), 4);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty[0].empty());
}

TEST(ChunkerTest, ReassemblesInOrderStreams) {
  Bytes p = Pattern(1000);
  ChunkAssembler a;
  auto chunks = SplitChunks(p, 64);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const bool final = i + 1 == chunks.size();
    auto r = a.Accept(7, i, final, chunks[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!final) {
      EXPECT_FALSE(r->has_value());
      // An interleaved second stream does not disturb the first.
      ASSERT_TRUE(a.Accept(8, i, false, chunks[i]).ok());
    } else {
      ASSERT_TRUE(r->has_value());
      EXPECT_EQ(**r, p);
    }
  }
  EXPECT_EQ(a.open_streams(), 1u);  // stream 8 never finished
  a.Abort(8);
  EXPECT_EQ(a.open_streams(), 0u);
  auto empty = a.Accept(9, 0, true, ByteSpan());
  ASSERT_TRUE(empty.ok() && empty->has_value());
  EXPECT_TRUE((*empty)->empty());
}

TEST(ChunkerTest, GapsDuplicatesAndReorderingAreRejected) {
  Bytes c = Pattern(8);
  struct Case {
    const char* name;
    std::vector<uint64_t> indices;  // the last one must fail
  };
  const std::vector<Case> cases = {
      {"does not start at 0", {1}},
      {"gap", {0, 1, 3}},
      {"duplicate", {0, 1, 1}},
      {"reordered", {0, 2}},
      {"backwards", {0, 1, 2, 0}},
  };
  for (const Case& tc : cases) {
    ChunkAssembler a;
    for (size_t i = 0; i + 1 < tc.indices.size(); ++i) {
      ASSERT_TRUE(a.Accept(1, tc.indices[i], false, c).ok()) << tc.name;
    }
    auto r = a.Accept(1, tc.indices.back(), false, c);
    ASSERT_FALSE(r.ok()) << tc.name;
    EXPECT_EQ(r.status().reason(), "transport.chunk_out_of_order") << tc.name;
    EXPECT_EQ(a.open_streams(), 0u) << tc.name << ": the stream is dropped";
  }
  // A chunk after the final one: the stream is gone, index 1 is not a start.
  ChunkAssembler a;
  ASSERT_TRUE(a.Accept(1, 0, true, c).ok());
  EXPECT_EQ(a.Accept(1, 1, true, c).status().reason(), "transport.chunk_out_of_order");
}

TEST(ChunkerTest, LimitsAreEnforced) {
  ChunkAssembler a(ChunkAssemblerOptions{.max_total_bytes = 20, .max_open_streams = 2});
  Bytes c = Pattern(8);
  ASSERT_TRUE(a.Accept(1, 0, false, c).ok());
  ASSERT_TRUE(a.Accept(1, 1, false, c).ok());
  EXPECT_EQ(a.buffered_bytes(), 16u);
  auto r = a.Accept(1, 2, false, c);
  EXPECT_EQ(r.status().reason(), "transport.too_large");
  EXPECT_EQ(a.open_streams(), 0u);

  ASSERT_TRUE(a.Accept(1, 0, false, c).ok());
  ASSERT_TRUE(a.Accept(2, 0, false, c).ok());
  EXPECT_EQ(a.Accept(3, 0, false, c).status().reason(), "transport.too_many_streams");
  auto exact = a.Accept(4, 0, true, Pattern(0));
  EXPECT_EQ(exact.status().reason(), "transport.too_many_streams");
}

}  // namespace
}  // namespace fedtee::transport
