#include "transport/roster.h"

#include <algorithm>
#include <toml++/toml.h>


#include "base/file.h"
#include "transport/curve_identity.h"

namespace fedtee::transport {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxRosterBytes = 16 * 1024 * 1024;

std::string Line(const toml::source_region& src) {
  return "line " + std::to_string(src.begin.line);
}

// Quotes a string as a TOML basic string.
std::string TomlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

Status ValidateParticipantId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) {
    return Status::InvalidArgument("roster.bad_id",
                                   "a participant id has 1 to 64 characters, got " +
                                       std::to_string(id.size()));
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument(
          "roster.bad_id", "participant id \"" + std::string(id) +
                               "\" may only use letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Result<Roster> Roster::Load(const std::filesystem::path& path) {
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, kMaxRosterBytes));
  Result<Roster> r = Parse(text);
  if (!r.ok()) return r.status().Wrap("roster " + path.string());
  return r;
}

Result<Roster> Roster::Parse(std::string_view toml_text) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("roster.parse", Line(e.source()) + ": " +
                                                       std::string(e.description()));
  }
  Roster roster;
  const toml::node* list = doc.get("participant");
  if (list == nullptr) return roster;  // an empty roster admits nobody
  const toml::array* arr = list->as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    return Status::InvalidArgument("roster.parse", Line(list->source()) +
                                                       ": 'participant' must be [[participant]] tables");
  }
  for (const toml::node& node : *arr) {
    const toml::table& t = *node.as_table();
    const std::string where = Line(t.source());
    for (auto&& [k, v] : t) {
      if (k != "id" && k != "public_key" && k != "organisation") {
        return Status::InvalidArgument("roster.parse",
                                       Line(v.source()) + ": unknown field '" +
                                           std::string(k.str()) + "'");
      }
      if (!v.is_string()) {
        return Status::InvalidArgument(
            "roster.parse", Line(v.source()) + ": '" + std::string(k.str()) + "' must be a string");
      }
    }
    RosterEntry e;
    std::optional<std::string> id = t["id"].value<std::string>();
    std::optional<std::string> key = t["public_key"].value<std::string>();
    if (!id || !key) {
      return Status::InvalidArgument("roster.missing_field",
                                     where + ": a participant needs id and public_key");
    }
    e.id = *id;
    e.public_key = *key;
    e.organisation = t["organisation"].value_or(std::string());
    FEDTEE_RETURN_IF_ERROR(roster.Add(std::move(e)).Wrap(where));
  }
  return roster;
}

Status Roster::Add(RosterEntry entry) {
  FEDTEE_RETURN_IF_ERROR(ValidateParticipantId(entry.id));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(entry.public_key).Wrap("participant " + entry.id));
  for (const RosterEntry& e : entries_) {
    if (e.id == entry.id) {
      return Status::InvalidArgument("roster.duplicate",
                                     "participant id \"" + entry.id + "\" is already enrolled");
    }
    if (e.public_key == entry.public_key) {
      return Status::InvalidArgument("roster.duplicate",
                                     "public key " + entry.public_key +
                                         " is already enrolled as \"" + e.id + "\"");
    }
  }
  auto pos = std::lower_bound(entries_.begin(), entries_.end(), entry.id,
                              [](const RosterEntry& e, const std::string& id) { return e.id < id; });
  entries_.insert(pos, std::move(entry));
  return Status::Ok();
}

Status Roster::Remove(std::string_view id) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const RosterEntry& e) { return e.id == id; });
  if (it == entries_.end()) {
    return Status::NotFound("roster.unknown_id",
                            "participant \"" + std::string(id) + "\" is not enrolled");
  }
  entries_.erase(it);
  return Status::Ok();
}

std::string Roster::ToToml() const {
  std::string out = "# fedtee roster: enrolled participants and their CURVE public keys\n";
  for (const RosterEntry& e : entries_) {
    out += "\n[[participant]]\n";
    out += "id = " + TomlQuote(e.id) + "\n";
    out += "public_key = " + TomlQuote(e.public_key) + "\n";
    if (!e.organisation.empty()) out += "organisation = " + TomlQuote(e.organisation) + "\n";
  }
  return out;
}

Status Roster::Save(const std::filesystem::path& path) const {
  return WriteFileAtomic(path, ToToml(), 0644).Wrap("saving roster " + path.string());
}

std::optional<std::string> Roster::IdForKey(std::string_view public_z85) const {
  for (const RosterEntry& e : entries_) {
    if (e.public_key == public_z85) return e.id;
  }
  return std::nullopt;
}

const RosterEntry* Roster::Find(std::string_view id) const {
  for (const RosterEntry& e : entries_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

std::map<std::string, std::string> Roster::AllowlistMap() const {
  std::map<std::string, std::string> m;
  for (const RosterEntry& e : entries_) m.emplace(e.public_key, e.id);
  return m;
}

}  // namespace fedtee::transport
