// Enrollment: the roster of participants a federation admits, as a TOML file:
//
//   # fedtee roster
//   [[participant]]
//   id = "hospital-a"                    # [A-Za-z0-9._-]{1,64}
//   public_key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"   # Z85 CURVE public key
//   organisation = "St. Example"         # optional, informational
//
// Ids and keys are both unique: one key is one participant. The coordinator feeds the roster
// to its ZapAuthenticator (AllowlistMap) so that only enrolled keys connect, and checks that
// the id claimed inside a message equals the authenticated peer id.
//
// Errors (stable reasons):
//   INVALID_ARGUMENT "roster.parse"          not TOML, or a field of the wrong type (with line)
//   INVALID_ARGUMENT "roster.missing_field"  an entry without id or public_key
//   INVALID_ARGUMENT "roster.bad_id"         an id outside [A-Za-z0-9._-]{1,64}
//   INVALID_ARGUMENT "curve.bad_key"         a public_key that is not a Z85 CURVE key
//   INVALID_ARGUMENT "roster.duplicate"      a second entry with the same id or key
//   NOT_FOUND "roster.unknown_id"            Remove of an id not in the roster
//   NOT_FOUND "file.not_found", IO_ERROR "file.*"  from base/file.h
//
// Thread-safety: a value type; const methods may run concurrently, writes need exclusion.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fedtee::transport {

struct RosterEntry {
  std::string id;            // participant id, [A-Za-z0-9._-]{1,64}
  std::string public_key;    // Z85 CURVE public key (40 characters)
  std::string organisation;  // optional, informational; "" when absent
};

// OK if `id` is a valid participant id, INVALID_ARGUMENT "roster.bad_id" otherwise.
Status ValidateParticipantId(std::string_view id);

class Roster {
 public:
  Roster() = default;

  // Reads and parses a roster file. Errors name the file and, for parse errors, the line.
  static Result<Roster> Load(const std::filesystem::path& path);
  // Parses roster TOML text. Every entry is validated; the first problem is returned.
  static Result<Roster> Parse(std::string_view toml_text);

  // Adds an entry after validating it. On error the roster is unchanged.
  Status Add(RosterEntry entry);
  // Removes the entry with this id (NOT_FOUND "roster.unknown_id" if absent).
  Status Remove(std::string_view id);
  // Writes the roster atomically (base/file.h) in the format above, entries in id order.
  Status Save(const std::filesystem::path& path) const;
  // The TOML text Save writes.
  std::string ToToml() const;

  // The participant id enrolled with this Z85 key, if any.
  std::optional<std::string> IdForKey(std::string_view public_z85) const;
  // The entry for this id, or nullptr. The pointer is valid until the roster is modified.
  const RosterEntry* Find(std::string_view id) const;
  // Entries in id order.
  const std::vector<RosterEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // Z85 key -> participant id, ready for ZapAuthenticator::SetAllowed.
  std::map<std::string, std::string> AllowlistMap() const;

 private:
  std::vector<RosterEntry> entries_;  // sorted by id
};

}  // namespace fedtee::transport
