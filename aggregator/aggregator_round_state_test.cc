#include <gtest/gtest.h>

#include "aggregator/round_state.h"

namespace fedtee::aggregator {
namespace {

// Valid Z85 CURVE public keys (40 characters of the Z85 alphabet).
const char kKeyA[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const char kKeyB[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const char kKeyC[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

v1::RoundOpen Open(uint64_t round, uint64_t committed, std::string head = "h0") {
  v1::RoundOpen o;
  o.set_federation_id("fed");
  o.set_round(round);
  auto* a = o.add_participants();
  a->set_participant_id("alice");
  a->set_curve_public_key(kKeyA);
  auto* b = o.add_participants();
  b->set_participant_id("bob");
  b->set_curve_public_key(kKeyB);
  o.set_min_participants(2);
  o.set_strategy("fedavg");
  o.set_model_bytes(100);
  o.set_model_sha256(std::string(32, 'x'));
  o.set_last_committed_round(committed);
  o.set_log_head(head);
  o.set_max_examples_per_update(1000);
  return o;
}

TEST(RoundStateTest, OpensAndTracksParticipants) {
  RoundState r;
  ASSERT_TRUE(r.Open(Open(1, 0)).ok());
  EXPECT_EQ(r.phase(), RoundPhase::kAwaitingModel);
  EXPECT_EQ(r.CheckUpdateStart("fed", 1, "alice").reason(), "round.not_ready");
  r.MarkCollecting();
  EXPECT_TRUE(r.CheckUpdateStart("fed", 1, "alice").ok());
  EXPECT_EQ(r.CheckUpdateStart("fed", 2, "alice").reason(), "round.wrong_round");
  EXPECT_EQ(r.CheckUpdateStart("other", 1, "alice").reason(), "update.wrong_federation");
  EXPECT_EQ(r.CheckUpdateStart("fed", 1, "carol").reason(), "auth.not_in_round");

  r.MarkInFlight("alice");
  EXPECT_EQ(r.CheckUpdateStart("fed", 1, "alice").reason(), "update.duplicate");
  r.MarkRejected("alice", "update.non_finite");
  EXPECT_TRUE(r.CheckUpdateStart("fed", 1, "alice").ok());  // may try again
  r.MarkAccepted("alice", Bytes(32, 1), 10);
  EXPECT_EQ(r.CheckUpdateStart("fed", 1, "alice").reason(), "update.duplicate");
  r.MarkAccepted("bob", Bytes(32, 2), 5);
  auto acc = r.Accepted();
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_EQ(acc[0]->id, "alice");
  EXPECT_EQ(acc[1]->id, "bob");

  EXPECT_NE(r.FindAuthenticated("alice", kKeyA), nullptr);
  EXPECT_EQ(r.FindAuthenticated("alice", kKeyB), nullptr);  // key of another participant
  EXPECT_EQ(r.Allowlist().size(), 2u);
  EXPECT_EQ(r.Allowlist().at(kKeyB), "bob");
}

TEST(RoundStateTest, RollbackIsRefused) {
  RoundState r;
  ASSERT_TRUE(r.Open(Open(5, 4, "head4")).ok());
  // The coordinator may retry round 5 while nothing of it was released...
  EXPECT_TRUE(r.Open(Open(5, 4, "head4")).ok());
  // ...but not once its aggregate went out (two aggregates of one round over different sets
  // would reveal the difference).
  r.MarkFinalized();
  EXPECT_EQ(r.Open(Open(5, 4, "head4")).reason(), "round.rollback");
  // An older round, a committed round going backwards, a forked log.
  EXPECT_EQ(r.Open(Open(3, 2, "head2")).reason(), "round.rollback");
  EXPECT_EQ(r.Open(Open(6, 3, "head3")).reason(), "round.rollback");
  EXPECT_EQ(r.Open(Open(6, 4, "forked")).reason(), "round.rollback");
  EXPECT_EQ(r.Open(Open(7, 7, "head7")).reason(), "round.rollback");
  EXPECT_EQ(r.config().round, 5u);  // unchanged by refusals
  // A retry of round 5 as round 6 with the same committed state is fine, and so is progress.
  EXPECT_TRUE(r.Open(Open(6, 4, "head4")).ok());
  EXPECT_TRUE(r.Open(Open(8, 7, "head7")).ok());
}

TEST(RoundStateTest, RejectsMalformedOpens) {
  RoundState r;
  auto o = Open(1, 0);
  o.set_round(0);
  EXPECT_EQ(r.Open(o).reason(), "round.invalid");
  o = Open(1, 0);
  o.set_model_sha256("short");
  EXPECT_EQ(r.Open(o).reason(), "round.invalid");
  o = Open(1, 0);
  o.set_min_participants(3);
  EXPECT_EQ(r.Open(o).reason(), "round.bad_min_participants");
  o = Open(1, 0);
  o.set_min_participants(0);
  EXPECT_EQ(r.Open(o).reason(), "round.bad_min_participants");
  o = Open(1, 0);
  o.mutable_participants(1)->set_curve_public_key(kKeyA);
  EXPECT_EQ(r.Open(o).reason(), "round.bad_participants");
  o = Open(1, 0);
  o.mutable_participants(1)->set_curve_public_key("not a key");
  EXPECT_EQ(r.Open(o).reason(), "round.bad_participants");
  o = Open(1, 0);
  o.mutable_participants(1)->set_participant_id("bad id!");
  EXPECT_EQ(r.Open(o).reason(), "round.bad_participants");
  EXPECT_FALSE(r.has_round());

  ASSERT_TRUE(r.Open(Open(1, 0)).ok());
  o = Open(2, 0);
  o.set_federation_id("another");
  EXPECT_EQ(r.Open(o).reason(), "round.wrong_federation");
  o = Open(2, 0);
  auto* c = o.add_participants();
  c->set_participant_id("carol");
  c->set_curve_public_key(kKeyC);
  ASSERT_TRUE(r.Open(o).ok());
  EXPECT_EQ(r.Allowlist().size(), 3u);
}

TEST(RoundStateTest, UnsetExampleBoundGetsTheDefault) {
  RoundState r;
  auto o = Open(1, 0);
  o.set_max_examples_per_update(0);
  ASSERT_TRUE(r.Open(o).ok());
  EXPECT_EQ(r.config().max_examples_per_update, kDefaultMaxExamplesPerUpdate);
}

}  // namespace
}  // namespace fedtee::aggregator
