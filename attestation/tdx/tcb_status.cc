#include "attestation/tdx/tcb_status.h"

#include <cstdio>

#include "attestation/errors.h"

namespace fedtee::attestation::tdx {
namespace {

Status Mismatch(const std::string& what) {
  return Status::Unauthenticated(errors::kQeIdentityMismatch, what);
}

void AddAdvisories(const std::vector<std::string>& ids, std::vector<std::string>& out) {
  for (const auto& id : ids) {
    bool seen = false;
    for (const auto& o : out) seen = seen || o == id;
    if (!seen) out.push_back(id);
  }
}

// Rule 4: the platform status after a module or QE status is taken into account.
std::string Converge(const std::string& platform, const std::string& other) {
  if (platform == "Revoked" || other == "Revoked") return "Revoked";
  if (other != "OutOfDate") return platform;
  if (platform == "UpToDate" || platform == "SWHardeningNeeded") return "OutOfDate";
  if (platform == "ConfigurationNeeded" || platform == "ConfigurationAndSWHardeningNeeded") {
    return "OutOfDateConfigurationNeeded";
  }
  return platform;
}

const IsvLevel* FirstIsvLevel(const std::vector<IsvLevel>& levels, uint16_t isvsvn) {
  for (const auto& l : levels) {
    if (l.isvsvn <= isvsvn) return &l;
  }
  return nullptr;
}

bool PlatformLevelMatches(const TcbLevel& level, const PckInfo& pck, const Bytes& tee_tcb_svn) {
  for (size_t i = 0; i < 16; ++i) {
    if (pck.sgx_tcb_components[i] < level.sgx_components[i]) return false;
  }
  if (pck.pcesvn < level.pcesvn) return false;
  const size_t first = tee_tcb_svn[1] != 0 ? 2 : 0;
  for (size_t i = first; i < 16; ++i) {
    if (tee_tcb_svn[i] < level.tdx_components[i]) return false;
  }
  return true;
}

}  // namespace

Result<TcbVerdict> QeStatus(const QeIdentity& id, const QeReport& qe) {
  if (qe.mrsigner != id.mrsigner) {
    return Mismatch("QE MRSIGNER " + HexEncode(qe.mrsigner) + " is not the identity's " +
                    HexEncode(id.mrsigner));
  }
  if (qe.isvprodid != id.isvprodid) {
    return Mismatch("QE ISVPRODID " + std::to_string(qe.isvprodid) + " is not " +
                    std::to_string(id.isvprodid));
  }
  if ((qe.miscselect & id.miscselect_mask) != id.miscselect) {
    return Mismatch("QE MISCSELECT does not match the identity");
  }
  for (size_t i = 0; i < 16; ++i) {
    if ((qe.attributes[i] & id.attributes_mask[i]) != id.attributes[i]) {
      return Mismatch("QE ATTRIBUTES do not match the identity");
    }
  }
  const IsvLevel* level = FirstIsvLevel(id.levels, qe.isvsvn);
  if (level == nullptr) return TcbVerdict{"Revoked", {}};
  return TcbVerdict{level->status, level->advisory_ids};
}

Result<TcbVerdict> EvaluateTdxTcb(const TcbInfo& info, const PckInfo& pck, const TdReport& report,
                                  const TcbVerdict& qe) {
  const Bytes& svn = report.tee_tcb_svn;
  TcbVerdict verdict{"TcbNotSupported", {}};
  for (const auto& level : info.levels) {
    if (PlatformLevelMatches(level, pck, svn)) {
      verdict = {level.status, level.advisory_ids};
      break;
    }
  }

  // Rule 2: the TDX module identity.
  const TdxModuleIdentity* module = &info.tdx_module;
  if (svn[1] != 0 && !info.tdx_module_identities.empty()) {
    char id[8];
    std::snprintf(id, sizeof(id), "TDX_%02X", svn[1]);
    module = nullptr;
    for (const auto& m : info.tdx_module_identities) {
      if (m.id == id) module = &m;
    }
    if (module == nullptr) return Mismatch(std::string("TCB info has no identity ") + id);
  }
  if (report.mrsignerseam != module->mrsigner) {
    return Mismatch("MRSIGNERSEAM " + HexEncode(report.mrsignerseam) +
                    " is not the TDX module identity's");
  }
  if ((report.seam_attributes & module->attributes_mask) != module->attributes) {
    return Mismatch("SEAM attributes do not match the TDX module identity");
  }
  if (!module->levels.empty()) {
    const IsvLevel* level = FirstIsvLevel(module->levels, svn[0]);
    const std::string module_status = level ? level->status : "Revoked";
    verdict.status = Converge(verdict.status, module_status);
    if (level) AddAdvisories(level->advisory_ids, verdict.advisory_ids);
  }

  verdict.status = Converge(verdict.status, qe.status);
  AddAdvisories(qe.advisory_ids, verdict.advisory_ids);
  return verdict;
}

}  // namespace fedtee::attestation::tdx
