#include "attestation/tdx/tcb_info.h"

#include <nlohmann/json.hpp>

#include "attestation/errors.h"
#include "base/clock.h"

namespace fedtee::attestation::tdx {
namespace {

using nlohmann::json;

// Thrown inside this file only, turned into a Status at the two entry points.
struct ShapeError {
  std::string what;
};

const json& At(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) throw ShapeError{std::string("missing \"") + key + "\""};
  return *it;
}

std::string Str(const json& j, const char* key) {
  const json& v = At(j, key);
  if (!v.is_string()) throw ShapeError{std::string("\"") + key + "\" is not a string"};
  return v.get<std::string>();
}

int64_t Int(const json& j, const char* key, int64_t max) {
  const json& v = At(j, key);
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > max) {
    throw ShapeError{std::string("\"") + key + "\" is not an integer in range"};
  }
  return v.get<int64_t>();
}

Bytes Hex(const json& j, const char* key, size_t want) {
  auto b = HexDecode(Str(j, key));
  if (!b.ok() || (want != 0 && b->size() != want)) {
    throw ShapeError{std::string("\"") + key + "\" is not " + std::to_string(want) + " hex bytes"};
  }
  return std::move(b).value();
}

uint64_t HexBytesAsLeU64(const json& j, const char* key) {
  Bytes b = Hex(j, key, 8);
  // Attributes are written as the field's bytes in memory order (little-endian field).
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= uint64_t{b[i]} << (8 * i);
  return v;
}

int64_t Date(const json& j, const char* key) {
  auto t = ParseRfc3339(Str(j, key));
  if (!t.ok()) throw ShapeError{std::string("\"") + key + "\" is not an RFC 3339 time"};
  return *t;
}

std::vector<std::string> Advisories(const json& level) {
  std::vector<std::string> ids;
  auto it = level.find("advisoryIDs");
  if (it == level.end()) return ids;
  if (!it->is_array()) throw ShapeError{"\"advisoryIDs\" is not an array"};
  for (const json& id : *it) {
    if (!id.is_string()) throw ShapeError{"an advisory id is not a string"};
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

std::array<uint8_t, 16> Components(const json& tcb, const char* key) {
  const json& list = At(tcb, key);
  if (!list.is_array() || list.size() != 16) {
    throw ShapeError{std::string("\"") + key + "\" is not a list of 16 components"};
  }
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < 16; ++i) out[i] = static_cast<uint8_t>(Int(list[i], "svn", 255));
  return out;
}

std::vector<IsvLevel> IsvLevels(const json& j) {
  std::vector<IsvLevel> levels;
  const json& list = At(j, "tcbLevels");
  if (!list.is_array()) throw ShapeError{"\"tcbLevels\" is not an array"};
  for (const json& l : list) {
    levels.push_back({static_cast<uint16_t>(Int(At(l, "tcb"), "isvsvn", 65535)),
                      Str(l, "tcbStatus"), Advisories(l)});
  }
  return levels;
}

TdxModuleIdentity Module(const json& j, bool with_levels) {
  TdxModuleIdentity m;
  if (with_levels) m.id = Str(j, "id");
  m.mrsigner = Hex(j, "mrsigner", 48);
  m.attributes = HexBytesAsLeU64(j, "attributes");
  m.attributes_mask = HexBytesAsLeU64(j, "attributesMask");
  if (with_levels) m.levels = IsvLevels(j);
  return m;
}

Status Invalid(const std::string& doc, const std::string& what) {
  return Status::Unauthenticated(errors::kCollateralInvalid, "TDX " + doc + ": " + what);
}

}  // namespace

Result<TcbInfo> ParseTcbInfo(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("TCB info", "not a JSON object");
  try {
    TcbInfo t;
    t.id = Str(j, "id");
    t.version = static_cast<int>(Int(j, "version", 1000));
    t.issue_date = Date(j, "issueDate");
    t.next_update = Date(j, "nextUpdate");
    t.fmspc = Hex(j, "fmspc", 6);
    t.pce_id = Hex(j, "pceId", 2);
    t.tdx_module = Module(At(j, "tdxModule"), false);
    if (auto it = j.find("tdxModuleIdentities"); it != j.end()) {
      if (!it->is_array()) throw ShapeError{"\"tdxModuleIdentities\" is not an array"};
      for (const json& m : *it) t.tdx_module_identities.push_back(Module(m, true));
    }
    const json& levels = At(j, "tcbLevels");
    if (!levels.is_array()) throw ShapeError{"\"tcbLevels\" is not an array"};
    for (const json& l : levels) {
      const json& tcb = At(l, "tcb");
      TcbLevel level;
      level.sgx_components = Components(tcb, "sgxtcbcomponents");
      level.pcesvn = static_cast<uint16_t>(Int(tcb, "pcesvn", 65535));
      level.tdx_components = Components(tcb, "tdxtcbcomponents");
      level.status = Str(l, "tcbStatus");
      level.advisory_ids = Advisories(l);
      t.levels.push_back(std::move(level));
    }
    return t;
  } catch (const ShapeError& e) {
    return Invalid("TCB info", e.what);
  } catch (const json::exception& e) {
    return Invalid("TCB info", e.what());
  }
}

Result<QeIdentity> ParseQeIdentity(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("QE identity", "not a JSON object");
  try {
    QeIdentity q;
    q.id = Str(j, "id");
    q.version = static_cast<int>(Int(j, "version", 1000));
    q.issue_date = Date(j, "issueDate");
    q.next_update = Date(j, "nextUpdate");
    auto u32 = [&](const char* key) {
      Bytes b = Hex(j, key, 4);
      // Written as a number, most significant byte first.
      return uint32_t{b[3]} | uint32_t{b[2]} << 8 | uint32_t{b[1]} << 16 | uint32_t{b[0]} << 24;
    };
    q.miscselect = u32("miscselect");
    q.miscselect_mask = u32("miscselectMask");
    q.attributes = Hex(j, "attributes", 16);
    q.attributes_mask = Hex(j, "attributesMask", 16);
    q.mrsigner = Hex(j, "mrsigner", 32);
    q.isvprodid = static_cast<uint16_t>(Int(j, "isvprodid", 65535));
    q.levels = IsvLevels(j);
    return q;
  } catch (const ShapeError& e) {
    return Invalid("QE identity", e.what);
  } catch (const json::exception& e) {
    return Invalid("QE identity", e.what());
  }
}

}  // namespace fedtee::attestation::tdx
