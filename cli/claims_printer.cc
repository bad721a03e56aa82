#include "cli/claims_printer.h"

#include "base/clock.h"

namespace fedtee::cli {
namespace {

std::string Tcb(const attestation::SnpTcb& t) {
  return "bootloader=" + std::to_string(t.bootloader) + " tee=" + std::to_string(t.tee) +
         " snp=" + std::to_string(t.snp) + " microcode=" + std::to_string(t.microcode) +
         (t.fmc ? " fmc=" + std::to_string(t.fmc) : "");
}

}  // namespace

void PrintClaims(std::ostream& out, const attestation::Claims& c) {
  out << "platform: " << attestation::PlatformName(c.platform)
      << (c.hardware_backed ? "" : " (SIMULATED: no hardware protection)") << "\n";
  out << "measurement: " << HexEncode(c.measurement) << "\n";
  out << "debug: " << (c.debug ? "yes" : "no") << "\n";
  out << "report_data: " << HexEncode(c.report_data) << "\n";
  if (c.issued_at) out << "issued_at: " << FormatRfc3339(*c.issued_at) << "\n";
  if (c.sim) {
    out << "tcb_svn: " << c.sim->tcb_svn << "\n";
    out << "platform_id: " << c.sim->platform_id << "\n";
    out << "notice: " << c.sim->notice << "\n";
  }
  if (c.snp) {
    const auto& s = *c.snp;
    out << "snp.version: " << s.version << "\n";
    out << "snp.product: " << s.product << "\n";
    out << "snp.guest_policy: 0x" << std::hex << s.guest_policy << std::dec << "\n";
    out << "snp.vmpl: " << s.vmpl << "\n";
    out << "snp.reported_tcb: " << Tcb(s.reported_tcb) << "\n";
    out << "snp.chip_id: " << HexEncode(s.chip_id) << "\n";
    out << "snp.host_data: " << HexEncode(s.host_data) << "\n";
  }
  if (c.tdx) {
    const auto& t = *c.tdx;
    out << "tdx.quote_version: " << t.quote_version << "\n";
    out << "tdx.mrtd: " << HexEncode(t.mrtd) << "\n";
    for (int i = 0; i < 4; ++i) out << "tdx.rtmr" << i << ": " << HexEncode(t.rtmr[i]) << "\n";
    out << "tdx.tee_tcb_svn: " << HexEncode(t.tee_tcb_svn) << "\n";
    out << "tdx.td_attributes: 0x" << std::hex << t.td_attributes << std::dec << "\n";
    out << "tdx.fmspc: " << HexEncode(t.fmspc) << "\n";
    out << "tdx.tcb_status: " << t.tcb_status << "\n";
    if (!t.advisory_ids.empty()) {
      out << "tdx.advisory_ids:";
      for (const auto& a : t.advisory_ids) out << " " << a;
      out << "\n";
    }
  }
}

}  // namespace fedtee::cli
