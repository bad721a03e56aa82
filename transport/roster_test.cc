#include "transport/roster.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "transport/curve_identity.h"

namespace fedtee::transport {
namespace {

std::string NewKey() {
  auto k = CurveKeyPair::Generate();
  EXPECT_TRUE(k.ok());
  return k->public_z85;
}

TEST(RosterTest, ParsesEntriesAndLooksUpKeys) {
  const std::string ka = NewKey(), kb = NewKey();
  auto r = Roster::Parse("# enrolled\n[[participant]]\nid = \"hospital-b\"\npublic_key = \"" + kb +
                         "\"\n\n[[participant]]\nid = \"hospital-a\"\npublic_key = \"" + ka +
                         "\"\norganisation = \"St. A\"\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->entries()[0].id, "hospital-a");  // id order
  EXPECT_EQ(r->entries()[0].organisation, "St. A");
  EXPECT_EQ(r->IdForKey(kb), "hospital-b");
  EXPECT_EQ(r->IdForKey(NewKey()), std::nullopt);
  ASSERT_NE(r->Find("hospital-a"), nullptr);
  EXPECT_EQ(r->Find("hospital-a")->public_key, ka);
  EXPECT_EQ(r->Find("nobody"), nullptr);
  auto allow = r->AllowlistMap();
  EXPECT_EQ(allow.at(ka), "hospital-a");
  EXPECT_EQ(allow.at(kb), "hospital-b");
}

TEST(RosterTest, EmptyTextIsEmptyRoster) {
  auto r = Roster::Parse("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

struct BadCase {
  const char* name;
  std::string text;
  const char* reason;
};

TEST(RosterTest, ParseErrorsAreNamed) {
  const std::string k = NewKey();
  const std::string k2 = NewKey();
  const std::vector<BadCase> cases = {
      {"not toml", "[[participant]\nid = 1", "roster.parse"},
      {"participant not tables", "participant = 3\n", "roster.parse"},
      {"id not a string", "[[participant]]\nid = 7\npublic_key = \"" + k + "\"\n", "roster.parse"},
      {"unknown field", "[[participant]]\nid = \"a\"\npublic_key = \"" + k + "\"\nrole = \"x\"\n",
       "roster.parse"},
      {"missing key", "[[participant]]\nid = \"a\"\n", "roster.missing_field"},
      {"missing id", "[[participant]]\npublic_key = \"" + k + "\"\n", "roster.missing_field"},
      {"bad id chars", "[[participant]]\nid = \"a b\"\npublic_key = \"" + k + "\"\n",
       "roster.bad_id"},
      {"empty id", "[[participant]]\nid = \"\"\npublic_key = \"" + k + "\"\n", "roster.bad_id"},
      {"long id", "[[participant]]\nid = \"" + std::string(65, 'x') + "\"\npublic_key = \"" + k +
                      "\"\n",
       "roster.bad_id"},
      {"bad key", "[[participant]]\nid = \"a\"\npublic_key = \"nope\"\n", "curve.bad_key"},
      {"duplicate id",
       "[[participant]]\nid = \"a\"\npublic_key = \"" + k +
           "\"\n[[participant]]\nid = \"a\"\npublic_key = \"" + k2 + "\"\n",
       "roster.duplicate"},
      {"duplicate key",
       "[[participant]]\nid = \"a\"\npublic_key = \"" + k +
           "\"\n[[participant]]\nid = \"b\"\npublic_key = \"" + k + "\"\n",
       "roster.duplicate"},
  };
  for (const BadCase& c : cases) {
    auto r = Roster::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().reason(), c.reason) << c.name << ": " << r.status().ToString();
  }
  // Errors carry the line of the offending entry.
  auto r = Roster::Parse("\n\n[[participant]]\nid = \"a b\"\npublic_key = \"" + k + "\"\n");
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().ToString();
}

TEST(RosterTest, AddRemoveSaveLoadRoundTrip) {
  Roster r;
  const std::string ka = NewKey(), kb = NewKey();
  ASSERT_TRUE(r.Add({"bank-1", ka, "First \"Bank\"\\"}).ok());
  ASSERT_TRUE(r.Add({"bank-2", kb, ""}).ok());
  EXPECT_EQ(r.Add({"bank-1", NewKey(), ""}).reason(), "roster.duplicate");
  EXPECT_EQ(r.Add({"bank-3", ka, ""}).reason(), "roster.duplicate");
  EXPECT_EQ(r.Add({"bank/3", NewKey(), ""}).reason(), "roster.bad_id");
  EXPECT_EQ(r.size(), 2u);

  const auto path = std::filesystem::temp_directory_path() /
                    ("fedtee_roster_" + std::to_string(::getpid()) + ".toml");
  ASSERT_TRUE(r.Save(path).ok());
  auto loaded = Roster::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ(loaded->entries()[0].organisation, "First \"Bank\"\\");
  EXPECT_EQ(loaded->IdForKey(kb), "bank-2");

  EXPECT_TRUE(r.Remove("bank-1").ok());
  EXPECT_EQ(r.Remove("bank-1").reason(), "roster.unknown_id");
  EXPECT_EQ(r.IdForKey(ka), std::nullopt);
  std::filesystem::remove(path);

  auto missing = Roster::Load(path);
  EXPECT_EQ(missing.status().reason(), "file.not_found");
}

}  // namespace
}  // namespace fedtee::transport
