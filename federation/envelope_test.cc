#include <gtest/gtest.h>

#include "federation/envelope.h"
#include "federation/payload_stream.h"

namespace fedtee::federation {
namespace {

TEST(EnvelopeTest, RoundTripStampsVersion) {
  v1::Envelope env;
  env.mutable_join()->set_participant_id("hospital-a");
  auto back = Decode(Encode(env));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->protocol_major(), kProtocolMajor);
  EXPECT_EQ(back->join().participant_id(), "hospital-a");
  EXPECT_EQ(BodyName(*back), "join");
}

TEST(EnvelopeTest, RefusesOtherMajorVersion) {
  v1::Envelope env;
  env.mutable_heartbeat()->set_sent_at_ms(1);
  env.set_protocol_major(2);
  std::string raw = env.SerializeAsString();
  auto r = Decode(AsBytes(raw));
  EXPECT_EQ(r.status().reason(), "protocol.version");
}

TEST(EnvelopeTest, RefusesGarbageAndEmptyBodies) {
  Bytes garbage = {0xff, 0xff, 0xff, 0x01, 0x02};
  EXPECT_EQ(Decode(garbage).status().reason(), "protocol.malformed");
  v1::Envelope empty;
  empty.set_protocol_major(1);
  std::string raw = empty.SerializeAsString();
  EXPECT_EQ(Decode(AsBytes(raw)).status().reason(), "protocol.malformed");
}

TEST(PayloadStreamTest, SplitsAndReassembles) {
  Bytes payload(10000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
  std::vector<Bytes> frames;
  ASSERT_TRUE(SendPayload("model/1", payload, 3000, [&](Bytes f) {
                frames.push_back(std::move(f));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(frames.size(), 4u);
  PayloadAssembler a("model/1", payload.size(), 1 << 20);
  for (size_t i = 0; i < frames.size(); ++i) {
    auto env = Decode(frames[i]);
    ASSERT_TRUE(env.ok());
    auto done = a.Add(env->payload_chunk());
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_EQ(*done, i + 1 == frames.size());
  }
  EXPECT_EQ(a.Take(), payload);
}

TEST(PayloadStreamTest, NamedRefusals) {
  v1::PayloadChunk c;
  c.set_stream("model/1");
  c.set_index(1);
  c.set_data("abc");
  PayloadAssembler gap("model/1", 6, 100);
  EXPECT_EQ(gap.Add(c).status().reason(), "payload.out_of_order");
  c.set_index(0);
  c.set_stream("model/2");
  EXPECT_EQ(gap.Add(c).status().reason(), "payload.wrong_stream");
  c.set_stream("model/1");
  PayloadAssembler small("model/1", 2, 100);
  EXPECT_EQ(small.Add(c).status().reason(), "payload.too_large");
  c.set_final(true);
  PayloadAssembler mismatch("model/1", 6, 100);
  EXPECT_EQ(mismatch.Add(c).status().reason(), "payload.size_mismatch");
  PayloadAssembler ok("model/1", 3, 100);
  ASSERT_TRUE(*ok.Add(c));
  c.set_index(1);
  EXPECT_EQ(ok.Add(c).status().reason(), "payload.after_final");
}

}  // namespace
}  // namespace fedtee::federation
