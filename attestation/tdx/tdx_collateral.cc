#include "attestation/tdx/tdx_collateral.h"

#include <nlohmann/json.hpp>

#include "attestation/errors.h"

namespace fedtee::attestation::tdx {
namespace {

Status Invalid(const std::string& what) {
  return Status::Unauthenticated(errors::kCollateralInvalid, "TDX collateral: " + what);
}

Result<std::string> Field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return Invalid(std::string("field \"") + name + "\" is missing or not a string");
  }
  return it->get<std::string>();
}

Result<Bytes> HexField(const nlohmann::json& j, const char* name, bool allow_pem) {
  FEDTEE_ASSIGN_OR_RETURN(std::string text, Field(j, name));
  if (allow_pem && text.find("-----BEGIN") != std::string::npos) return ToBytes(text);
  auto bytes = HexDecode(text);
  if (!bytes.ok()) return Invalid(std::string("field \"") + name + "\" is not hex");
  return std::move(bytes).value();
}

std::string CrlText(const Bytes& crl) {
  std::string s = ToString(crl);
  return s.find("-----BEGIN") != std::string::npos ? s : HexEncode(crl);
}

}  // namespace

Result<TdxCollateral> ParseCollateral(ByteSpan json) {
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("not a JSON object");
  TdxCollateral c;
  FEDTEE_ASSIGN_OR_RETURN(c.pck_crl_issuer_chain, Field(j, "pck_crl_issuer_chain"));
  FEDTEE_ASSIGN_OR_RETURN(c.root_ca_crl, HexField(j, "root_ca_crl", true));
  FEDTEE_ASSIGN_OR_RETURN(c.pck_crl, HexField(j, "pck_crl", true));
  FEDTEE_ASSIGN_OR_RETURN(c.tcb_info_issuer_chain, Field(j, "tcb_info_issuer_chain"));
  FEDTEE_ASSIGN_OR_RETURN(c.tcb_info, Field(j, "tcb_info"));
  FEDTEE_ASSIGN_OR_RETURN(c.tcb_info_signature, HexField(j, "tcb_info_signature", false));
  FEDTEE_ASSIGN_OR_RETURN(c.qe_identity_issuer_chain, Field(j, "qe_identity_issuer_chain"));
  FEDTEE_ASSIGN_OR_RETURN(c.qe_identity, Field(j, "qe_identity"));
  FEDTEE_ASSIGN_OR_RETURN(c.qe_identity_signature, HexField(j, "qe_identity_signature", false));
  return c;
}

std::string SerializeCollateral(const TdxCollateral& c) {
  nlohmann::json j = {
      {"pck_crl_issuer_chain", c.pck_crl_issuer_chain},
      {"root_ca_crl", CrlText(c.root_ca_crl)},
      {"pck_crl", CrlText(c.pck_crl)},
      {"tcb_info_issuer_chain", c.tcb_info_issuer_chain},
      {"tcb_info", c.tcb_info},
      {"tcb_info_signature", HexEncode(c.tcb_info_signature)},
      {"qe_identity_issuer_chain", c.qe_identity_issuer_chain},
      {"qe_identity", c.qe_identity},
      {"qe_identity_signature", HexEncode(c.qe_identity_signature)},
  };
  return j.dump(1);
}

}  // namespace fedtee::attestation::tdx
