// Policy TOML parsing (format: docs/attestation.md, "Policy file"). Strict: unknown keys,
// wrong types, bad hex and wrong lengths are errors naming the key, so a typo can never
// silently weaken a policy.
#include "attestation/policy.h"

#include <toml++/toml.h>

#include <limits>
#include <set>
#include <sstream>
#include <string>

#include "attestation/errors.h"
#include "attestation/x509.h"
#include "base/file.h"

namespace fedtee::attestation {
namespace {

constexpr size_t kMeasurementBytes = 48;
constexpr size_t kRtmrBytes = 48;

const std::set<std::string>& KnownTdxTcbStatuses() {
  static const std::set<std::string> kStatuses = {
      "UpToDate",  "SWHardeningNeeded",           "ConfigurationNeeded",
      "OutOfDate", "ConfigurationAndSWHardeningNeeded", "OutOfDateConfigurationNeeded",
      "Revoked"};
  return kStatuses;
}

Status Bad(const std::string& key, const toml::node* node, const std::string& what) {
  std::string where;
  if (node != nullptr && node->source().begin.line > 0) {
    where = " (line " + std::to_string(node->source().begin.line) + ")";
  }
  return Status::InvalidArgument(errors::kBadPolicy, "`" + key + "`" + where + ": " + what);
}

// Refuses any key of `table` not in `allowed`; `prefix` names the section for messages.
Status CheckKeys(const toml::table& table, const std::set<std::string>& allowed,
                 const std::string& prefix) {
  for (auto&& [key, node] : table) {
    std::string k(key.str());
    if (!allowed.count(k)) {
      std::string known;
      for (const std::string& a : allowed) known += (known.empty() ? "" : ", ") + a;
      return Bad(prefix + k, &node, "unknown key (known here: " + known + ")");
    }
  }
  return Status::Ok();
}

Result<bool> GetBool(const toml::node& node, const std::string& key) {
  if (auto v = node.value_exact<bool>()) return *v;
  return Bad(key, &node, "must be true or false");
}

Result<int64_t> GetInt(const toml::node& node, const std::string& key, int64_t min,
                       int64_t max) {
  auto v = node.value_exact<int64_t>();
  if (!v) return Bad(key, &node, "must be an integer");
  if (*v < min || *v > max) {
    return Bad(key, &node,
               std::to_string(*v) + " is outside " + std::to_string(min) + ".." +
                   std::to_string(max));
  }
  return *v;
}

Result<const toml::array*> GetArray(const toml::node& node, const std::string& key) {
  const toml::array* arr = node.as_array();
  if (arr == nullptr) return Bad(key, &node, "must be an array");
  return arr;
}

Result<std::vector<std::string>> GetStrings(const toml::node& node, const std::string& key) {
  FEDTEE_ASSIGN_OR_RETURN(const toml::array* arr, GetArray(node, key));
  std::vector<std::string> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    auto s = (*arr)[i].value_exact<std::string>();
    if (!s) return Bad(key + "[" + std::to_string(i) + "]", &(*arr)[i], "must be a string");
    out.push_back(*s);
  }
  return out;
}

// An array of hex strings, each decoding to exactly `size` bytes.
Result<std::vector<Bytes>> GetHexList(const toml::node& node, const std::string& key,
                                      size_t size) {
  FEDTEE_ASSIGN_OR_RETURN(std::vector<std::string> items, GetStrings(node, key));
  FEDTEE_ASSIGN_OR_RETURN(const toml::array* arr, GetArray(node, key));
  std::vector<Bytes> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    auto bytes = HexDecode(items[i]);
    if (!bytes.ok()) return Bad(item_key, &(*arr)[i], "is not hex: " + bytes.status().message());
    if (bytes->size() != size) {
      return Bad(item_key, &(*arr)[i],
                 "must be " + std::to_string(size) + " bytes (" + std::to_string(2 * size) +
                     " hex digits), got " + std::to_string(bytes->size()) + " bytes");
    }
    out.push_back(std::move(*bytes));
  }
  return out;
}

Result<const toml::table*> GetTable(const toml::node& node, const std::string& key) {
  const toml::table* t = node.as_table();
  if (t == nullptr) return Bad(key, &node, "must be a table");
  return t;
}

Status ParseSim(const toml::table& t, SimPolicy& out) {
  FEDTEE_RETURN_IF_ERROR(CheckKeys(t, {"min_tcb_svn"}, "sim."));
  if (const toml::node* n = t.get("min_tcb_svn")) {
    FEDTEE_ASSIGN_OR_RETURN(int64_t v, GetInt(*n, "sim.min_tcb_svn", 0,
                                              std::numeric_limits<uint32_t>::max()));
    out.min_tcb_svn = static_cast<uint32_t>(v);
  }
  return Status::Ok();
}

Status ParseSnpTcb(const toml::node& node, SnpTcb& out) {
  const std::string key = "sev-snp.min_tcb";
  FEDTEE_ASSIGN_OR_RETURN(const toml::table* t, GetTable(node, key));
  FEDTEE_RETURN_IF_ERROR(
      CheckKeys(*t, {"bootloader", "tee", "snp", "microcode", "fmc"}, key + "."));
  const std::pair<const char*, uint8_t*> fields[] = {{"bootloader", &out.bootloader},
                                                     {"tee", &out.tee},
                                                     {"snp", &out.snp},
                                                     {"microcode", &out.microcode},
                                                     {"fmc", &out.fmc}};
  for (const auto& [name, dst] : fields) {
    if (const toml::node* n = t->get(name)) {
      FEDTEE_ASSIGN_OR_RETURN(int64_t v, GetInt(*n, key + "." + name, 0, 255));
      *dst = static_cast<uint8_t>(v);
    }
  }
  return Status::Ok();
}

Status ParseSnp(const toml::table& t, SnpPolicy& out) {
  FEDTEE_RETURN_IF_ERROR(
      CheckKeys(t, {"min_tcb", "forbid_migration_agent", "allowed_vmpl"}, "sev-snp."));
  if (const toml::node* n = t.get("min_tcb")) FEDTEE_RETURN_IF_ERROR(ParseSnpTcb(*n, out.min_tcb));
  if (const toml::node* n = t.get("forbid_migration_agent")) {
    FEDTEE_ASSIGN_OR_RETURN(out.forbid_migration_agent,
                            GetBool(*n, "sev-snp.forbid_migration_agent"));
  }
  if (const toml::node* n = t.get("allowed_vmpl")) {
    FEDTEE_ASSIGN_OR_RETURN(const toml::array* arr, GetArray(*n, "sev-snp.allowed_vmpl"));
    out.allowed_vmpl.clear();
    for (size_t i = 0; i < arr->size(); ++i) {
      FEDTEE_ASSIGN_OR_RETURN(
          int64_t v, GetInt((*arr)[i], "sev-snp.allowed_vmpl[" + std::to_string(i) + "]", 0, 3));
      out.allowed_vmpl.push_back(static_cast<uint32_t>(v));
    }
  }
  return Status::Ok();
}

Status ParseTdx(const toml::table& t, TdxPolicy& out) {
  FEDTEE_RETURN_IF_ERROR(CheckKeys(t,
                                   {"allowed_rtmr0", "allowed_rtmr1", "allowed_rtmr2",
                                    "allowed_rtmr3", "allowed_tcb_status"},
                                   "tdx."));
  for (int i = 0; i < 4; ++i) {
    const std::string name = "allowed_rtmr" + std::to_string(i);
    if (const toml::node* n = t.get(name)) {
      FEDTEE_ASSIGN_OR_RETURN(out.allowed_rtmr[i], GetHexList(*n, "tdx." + name, kRtmrBytes));
    }
  }
  if (const toml::node* n = t.get("allowed_tcb_status")) {
    FEDTEE_ASSIGN_OR_RETURN(out.allowed_tcb_status, GetStrings(*n, "tdx.allowed_tcb_status"));
    for (const std::string& s : out.allowed_tcb_status) {
      if (!KnownTdxTcbStatuses().count(s)) {
        return Bad("tdx.allowed_tcb_status", n, "unknown TCB status \"" + s + "\"");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Policy> ParsePolicyToml(std::string_view text, const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "not valid TOML (line " << e.source().begin.line << "): " << e.description();
    return Status::InvalidArgument(errors::kBadPolicy, msg.str());
  }
  FEDTEE_RETURN_IF_ERROR(CheckKeys(root,
                                   {"platforms", "allowed_measurements", "forbid_debug",
                                    "max_evidence_age_seconds", "max_clock_skew_seconds",
                                    "trusted_roots", "sim", "sev-snp", "tdx"},
                                   ""));
  Policy policy;
  if (const toml::node* n = root.get("platforms")) {
    FEDTEE_ASSIGN_OR_RETURN(std::vector<std::string> names, GetStrings(*n, "platforms"));
    for (const std::string& name : names) {
      auto p = ParsePlatform(name);
      if (!p.ok()) {
        return Bad("platforms", n, "unknown platform \"" + name + "\" (sim, sev-snp, tdx)");
      }
      policy.platforms.push_back(*p);
    }
  }
  if (const toml::node* n = root.get("allowed_measurements")) {
    FEDTEE_ASSIGN_OR_RETURN(policy.allowed_measurements,
                            GetHexList(*n, "allowed_measurements", kMeasurementBytes));
  }
  if (const toml::node* n = root.get("forbid_debug")) {
    FEDTEE_ASSIGN_OR_RETURN(policy.forbid_debug, GetBool(*n, "forbid_debug"));
  }
  constexpr int64_t kMaxSeconds = int64_t{10} * 365 * 86400;
  if (const toml::node* n = root.get("max_evidence_age_seconds")) {
    FEDTEE_ASSIGN_OR_RETURN(policy.max_evidence_age_seconds,
                            GetInt(*n, "max_evidence_age_seconds", 0, kMaxSeconds));
  }
  if (const toml::node* n = root.get("max_clock_skew_seconds")) {
    FEDTEE_ASSIGN_OR_RETURN(policy.max_clock_skew_seconds,
                            GetInt(*n, "max_clock_skew_seconds", 0, kMaxSeconds));
  }
  if (const toml::node* n = root.get("trusted_roots")) {
    FEDTEE_ASSIGN_OR_RETURN(std::vector<std::string> paths, GetStrings(*n, "trusted_roots"));
    for (const std::string& p : paths) {
      if (p.empty()) return Bad("trusted_roots", n, "an empty path");
      std::filesystem::path path(p);
      policy.trusted_roots.push_back(path.is_absolute() ? path : base_dir / path);
    }
  }
  if (const toml::node* n = root.get("sim")) {
    FEDTEE_ASSIGN_OR_RETURN(const toml::table* t, GetTable(*n, "sim"));
    FEDTEE_RETURN_IF_ERROR(ParseSim(*t, policy.sim));
  }
  if (const toml::node* n = root.get("sev-snp")) {
    FEDTEE_ASSIGN_OR_RETURN(const toml::table* t, GetTable(*n, "sev-snp"));
    FEDTEE_RETURN_IF_ERROR(ParseSnp(*t, policy.snp));
  }
  if (const toml::node* n = root.get("tdx")) {
    FEDTEE_ASSIGN_OR_RETURN(const toml::table* t, GetTable(*n, "tdx"));
    FEDTEE_RETURN_IF_ERROR(ParseTdx(*t, policy.tdx));
  }

  // A policy that can accept nothing is a mistake, not a safe default: say so.
  if (policy.platforms.empty()) {
    return Bad("platforms", nullptr,
               "missing or empty: this policy would accept no evidence; name at least one "
               "of \"sim\", \"sev-snp\", \"tdx\"");
  }
  if (policy.allowed_measurements.empty()) {
    return Bad("allowed_measurements", nullptr,
               "missing or empty: this policy would accept no workload; list the 96-hex-digit "
               "measurement(s) of the aggregator you trust");
  }
  for (Platform p : policy.platforms) {
    if (p == Platform::kSim && policy.trusted_roots.empty()) {
      return Bad("trusted_roots", nullptr,
                 "platforms includes \"sim\" but no trusted root is given; list the simulated "
                 "CA's root.pem");
    }
  }
  return policy;
}

Result<Policy> LoadPolicyFile(const std::filesystem::path& path) {
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, size_t{1} << 20));
  auto policy = ParsePolicyToml(text, path.parent_path());
  if (!policy.ok()) return policy.status().Wrap(path.string());
  return policy;
}

Result<std::vector<Bytes>> LoadTrustedRoots(const Policy& policy) {
  std::vector<Bytes> out;
  for (const std::filesystem::path& path : policy.trusted_roots) {
    FEDTEE_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> certs, x509::LoadCertificates(path));
    for (const x509::CertPtr& cert : certs) out.push_back(x509::CertToDer(cert.get()));
  }
  return out;
}

}  // namespace fedtee::attestation
