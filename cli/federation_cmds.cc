// fedtee identity new | roster add | log verify | log show
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "federation/receipt.h"
#include "federation/round_log.h"
#include "transport/curve_identity.h"
#include "transport/roster.h"

namespace fedtee::cli {
namespace {

int IdentityNew(const std::string& prefix) {
  auto kp = transport::CurveKeyPair::Generate();
  if (!kp.ok()) return Fail("identity new", kp.status());
  std::string secret = prefix + ".key", pub = prefix + ".pub";
  Status s = kp->Save(secret, pub);
  if (!s.ok()) return Fail("identity new", s);
  std::cout << kp->public_z85 << "\n";
  std::cerr << "wrote " << secret << " (CURVE secret key, mode 0600) and " << pub
            << " (public key)\n";
  return kExitOk;
}

struct RosterArgs {
  std::string roster, id, public_key, public_file, organisation;
};

int RosterAdd(const RosterArgs& a) {
  transport::Roster roster;
  auto loaded = transport::Roster::Load(a.roster);
  if (loaded.ok()) {
    roster = std::move(loaded).value();
  } else if (loaded.status().code() != StatusCode::kNotFound) {
    return Fail("roster " + a.roster, loaded.status());
  }
  std::string key = a.public_key;
  if (key.empty()) {
    auto k = transport::LoadPublicKey(a.public_file);
    if (!k.ok()) return Fail("--public-file " + a.public_file, k.status());
    key = *k;
  }
  Status s = roster.Add({a.id, key, a.organisation});
  if (!s.ok()) return Fail("roster add", s);
  s = roster.Save(a.roster);
  if (!s.ok()) return Fail("writing " + a.roster, s);
  std::cerr << "enrolled " << a.id << " in " << a.roster << " (" << roster.size()
            << " participants)\n";
  return kExitOk;
}

int LogVerify(const std::string& path, bool show) {
  auto entries = federation::ReadRoundLog(path);
  if (!entries.ok()) return Fail("reading round log " + path, entries.status());
  if (show) {
    for (const auto& e : *entries) {
      auto r = federation::ParseReceipt(e.receipt);
      std::cout << "round " << e.round << " head " << e.head.substr(0, 16) << " platform "
                << e.platform << " measurement " << e.measurement.substr(0, 16) << "...";
      if (r.ok()) {
        std::cout << " model " << HexEncode(AsBytes(r->model_sha256())).substr(0, 16)
                  << " updates:";
        for (const auto& u : r->entries()) {
          std::cout << " " << u.participant_id() << "(" << u.num_examples() << ")";
        }
      }
      std::cout << " metrics " << e.metrics_json << "\n";
    }
  }
  Status s = federation::VerifyRoundLog(*entries);
  if (!s.ok()) {
    std::cout << "round log INVALID: " << s.ToString() << "\n";
    return s.code() == StatusCode::kUnauthenticated ? kExitAuthFailed : kExitBadEvidence;
  }
  std::cout << "round log OK: " << entries->size() << " rounds, hash chain and every receipt "
            << "signature verified; head "
            << (entries->empty() ? federation::kGenesisHead : entries->back().head) << "\n";
  return kExitOk;
}

}  // namespace

void AddFederationCommands(CLI::App& app, int* exit_code) {
  auto* identity = app.add_subcommand("identity", "CURVE identities for ZeroMQ connections");
  identity->require_subcommand(1);
  auto prefix = std::make_shared<std::string>();
  auto* idnew = identity->add_subcommand(
      "new", "Make a CURVE key pair: PREFIX.key (secret, 0600) and PREFIX.pub; prints the "
             "public key");
  idnew->add_option("--out", *prefix, "Path prefix, e.g. keys/hospital-a")->required();
  idnew->callback([prefix, exit_code] { *exit_code = IdentityNew(*prefix); });

  auto* roster = app.add_subcommand("roster", "Enrollment of participants (the coordinator's roster)");
  roster->require_subcommand(1);
  auto ra = std::make_shared<RosterArgs>();
  auto* add = roster->add_subcommand("add", "Enroll a participant id with its CURVE public key");
  add->add_option("--roster", ra->roster, "Roster file (TOML), created when absent")->required();
  add->add_option("--id", ra->id, "Participant id, [A-Za-z0-9._-]{1,64}")->required();
  auto* k = add->add_option("--public-key", ra->public_key, "Z85 public key (40 characters)");
  auto* f = add->add_option("--public-file", ra->public_file, "A .pub file from identity new");
  k->excludes(f);
  add->add_option("--organisation", ra->organisation, "Informational");
  add->callback([ra, exit_code] {
    if (ra->public_key.empty() && ra->public_file.empty()) {
      *exit_code = Fail("roster add", Status::InvalidArgument(
                                          "usage", "give --public-key or --public-file"));
      return;
    }
    *exit_code = RosterAdd(*ra);
  });

  auto* log = app.add_subcommand("log", "The coordinator's hash-chained round log");
  log->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto* verify = log->add_subcommand(
      "verify", "Re-verify the hash chain and every receipt signature of a round log");
  verify->add_option("log", *path, "round_log.jsonl")->required();
  verify->callback([path, exit_code] { *exit_code = LogVerify(*path, false); });
  auto* show = log->add_subcommand("show", "Print every round, then verify the log");
  show->add_option("log", *path, "round_log.jsonl")->required();
  show->callback([path, exit_code] { *exit_code = LogVerify(*path, true); });
}

}  // namespace fedtee::cli
