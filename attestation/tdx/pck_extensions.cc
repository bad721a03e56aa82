#include "attestation/tdx/pck_extensions.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <memory>
#include <string>

#include "attestation/errors.h"

namespace fedtee::attestation::tdx {
namespace {

struct SeqFree {
  void operator()(ASN1_SEQUENCE_ANY* s) const { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
};
using SeqPtr = std::unique_ptr<ASN1_SEQUENCE_ANY, SeqFree>;

Status Malformed(const std::string& what) {
  return Status::Corruption(errors::kMalformedCertificate,
                            "PCK certificate SGX extensions: " + what);
}

SeqPtr ParseSequence(const unsigned char* p, long len) {
  const unsigned char* end = p + len;
  SeqPtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, len));
  if (seq && p != end) seq.reset();
  return seq;
}

// The DER of an ASN1_TYPE holding a SEQUENCE, parsed.
SeqPtr InnerSequence(const ASN1_TYPE* t) {
  if (t == nullptr || t->type != V_ASN1_SEQUENCE) return nullptr;
  return ParseSequence(ASN1_STRING_get0_data(t->value.sequence),
                       ASN1_STRING_length(t->value.sequence));
}

std::string OidText(const ASN1_TYPE* t) {
  if (t == nullptr || t->type != V_ASN1_OBJECT) return "";
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), t->value.object, 1);
  return n > 0 && n < static_cast<int>(sizeof(buf)) ? std::string(buf, n) : "";
}

// Each {OID, value} pair of a SEQUENCE, handed to `fn(oid, value)`.
template <typename Fn>
Status ForEachPair(const ASN1_SEQUENCE_ANY* seq, Fn fn) {
  for (int i = 0; i < sk_ASN1_TYPE_num(seq); ++i) {
    SeqPtr pair = InnerSequence(sk_ASN1_TYPE_value(seq, i));
    if (!pair || sk_ASN1_TYPE_num(pair.get()) != 2) return Malformed("entry is not {OID, value}");
    FEDTEE_RETURN_IF_ERROR(
        fn(OidText(sk_ASN1_TYPE_value(pair.get(), 0)), sk_ASN1_TYPE_value(pair.get(), 1)));
  }
  return Status::Ok();
}

Result<Bytes> OctetString(const ASN1_TYPE* v, size_t want, const char* name) {
  if (v->type != V_ASN1_OCTET_STRING ||
      ASN1_STRING_length(v->value.octet_string) != static_cast<int>(want)) {
    return Malformed(std::string(name) + " is not an OCTET STRING of " + std::to_string(want) +
                     " bytes");
  }
  const unsigned char* d = ASN1_STRING_get0_data(v->value.octet_string);
  return Bytes(d, d + want);
}

Result<int64_t> Integer(const ASN1_TYPE* v, int64_t max, const std::string& name) {
  int64_t out = 0;
  if (v->type != V_ASN1_INTEGER || ASN1_INTEGER_get_int64(&out, v->value.integer) != 1 || out < 0 ||
      out > max) {
    return Malformed(name + " is not an INTEGER in 0.." + std::to_string(max));
  }
  return out;
}

}  // namespace

Result<PckInfo> ReadPckInfo(const X509* pck) {
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> oid(OBJ_txt2obj(kOidSgxExtensions, 1),
                                                                ASN1_OBJECT_free);
  int idx = oid ? X509_get_ext_by_OBJ(pck, oid.get(), -1) : -1;
  if (idx < 0) return Malformed("extension 1.2.840.113741.1.13.1 is absent");
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(pck, idx));
  SeqPtr top = ParseSequence(ASN1_STRING_get0_data(data), ASN1_STRING_length(data));
  if (!top) return Malformed("not a SEQUENCE");

  PckInfo info;
  const std::string base = kOidSgxExtensions;
  int components_seen = 0;
  bool have_pcesvn = false;
  Status s = ForEachPair(top.get(), [&](const std::string& name, const ASN1_TYPE* v) -> Status {
    if (name == base + ".1") {
      FEDTEE_ASSIGN_OR_RETURN(info.ppid, OctetString(v, 16, "PPID"));
    } else if (name == base + ".3") {
      FEDTEE_ASSIGN_OR_RETURN(info.pce_id, OctetString(v, 2, "PCE-ID"));
    } else if (name == base + ".4") {
      FEDTEE_ASSIGN_OR_RETURN(info.fmspc, OctetString(v, 6, "FMSPC"));
    } else if (name == base + ".2") {
      SeqPtr tcb = InnerSequence(v);
      if (!tcb) return Malformed("TCB is not a SEQUENCE");
      return ForEachPair(tcb.get(), [&](const std::string& n, const ASN1_TYPE* c) -> Status {
        const std::string prefix = base + ".2.";
        if (n.rfind(prefix, 0) != 0) return Status::Ok();
        int k = std::atoi(n.c_str() + prefix.size());
        if (k >= 1 && k <= 16) {
          FEDTEE_ASSIGN_OR_RETURN(int64_t svn,
                                  Integer(c, 255, "TCB component " + std::to_string(k)));
          info.sgx_tcb_components[k - 1] = static_cast<uint8_t>(svn);
          ++components_seen;
        } else if (k == 17) {
          FEDTEE_ASSIGN_OR_RETURN(int64_t svn, Integer(c, 65535, "PCESVN"));
          info.pcesvn = static_cast<uint16_t>(svn);
          have_pcesvn = true;
        } else if (k == 18) {
          FEDTEE_ASSIGN_OR_RETURN(info.cpusvn, OctetString(c, 16, "CPUSVN"));
        }
        return Status::Ok();
      });
    }
    return Status::Ok();
  });
  FEDTEE_RETURN_IF_ERROR(s);
  if (components_seen != 16 || !have_pcesvn) return Malformed("TCB lacks components or PCESVN");
  if (info.fmspc.empty()) return Malformed("FMSPC is absent");
  if (info.pce_id.empty()) return Malformed("PCE-ID is absent");
  return info;
}

}  // namespace fedtee::attestation::tdx
