// The two signed JSON documents of TDX collateral, parsed: TCB info (Intel PCS
// /tdx/certification/v4/tcb, "tcbInfo" version 3, id "TDX") and QE identity (/qe/identity,
// "enclaveIdentity" version 2, id "TD_QE"). Only the fields fedtee uses are kept. Signatures
// over these documents are checked by the caller (tdx_verify.cc) before they are trusted.
// Thread-safety: pure functions over values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee::attestation::tdx {

struct TcbLevel {
  std::array<uint8_t, 16> sgx_components{};  // sgxtcbcomponents[i].svn
  uint16_t pcesvn = 0;
  std::array<uint8_t, 16> tdx_components{};  // tdxtcbcomponents[i].svn
  std::string status;                        // "UpToDate", "OutOfDate", ...
  std::vector<std::string> advisory_ids;
};

// A level keyed by one ISV SVN (TDX module identities, QE identity).
struct IsvLevel {
  uint16_t isvsvn = 0;
  std::string status;
  std::vector<std::string> advisory_ids;
};

struct TdxModuleIdentity {
  std::string id;  // "TDX_01", ... ; "" for the default tdxModule entry
  Bytes mrsigner;  // 48
  uint64_t attributes = 0, attributes_mask = 0;  // over SEAM attributes
  std::vector<IsvLevel> levels;                  // empty for the default entry
};

struct TcbInfo {
  std::string id;                           // "TDX"
  int version = 0;                          // 3
  int64_t issue_date = 0, next_update = 0;  // Unix seconds
  Bytes fmspc;                              // 6
  Bytes pce_id;                             // 2
  TdxModuleIdentity tdx_module;             // the default identity
  std::vector<TdxModuleIdentity> tdx_module_identities;
  std::vector<TcbLevel> levels;  // in document order (highest first)
};

struct QeIdentity {
  std::string id;   // "TD_QE"
  int version = 0;  // 2
  int64_t issue_date = 0, next_update = 0;
  uint32_t miscselect = 0, miscselect_mask = 0;
  Bytes attributes, attributes_mask;  // 16 each
  Bytes mrsigner;                     // 32
  uint16_t isvprodid = 0;
  std::vector<IsvLevel> levels;
};

// UNAUTHENTICATED attestation.collateral_invalid on JSON that is not shaped as documented
// (missing field, wrong type, bad hex or date, a component list not of 16).
Result<TcbInfo> ParseTcbInfo(std::string_view json);
Result<QeIdentity> ParseQeIdentity(std::string_view json);

}  // namespace fedtee::attestation::tdx
