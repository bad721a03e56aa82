// fedtee hpke keygen | seal | open
#include <iostream>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/io.h"
#include "crypto/hpke.h"

namespace fedtee::cli {

int Fail(const std::string& context, const Status& status) {
  std::cerr << "fedtee: " << context << ": " << status.ToString() << "\n";
  return ExitCodeFor(status);
}

namespace {

struct HpkeArgs {
  std::string private_path, public_path, info, aad;
};

int Keygen(const HpkeArgs& a) {
  auto kp = crypto::X25519KeyPair::Generate();
  if (!kp.ok()) return Fail("hpke keygen", kp.status());
  Status s = WriteFileAtomic(a.private_path, kp->PrivatePem(), 0600);
  if (!s.ok()) return Fail("writing " + a.private_path, s);
  s = WriteFileAtomic(a.public_path, kp->PublicPem(), 0644);
  if (!s.ok()) return Fail("writing " + a.public_path, s);
  std::cerr << "wrote " << a.private_path << " (X25519 private key, PKCS#8 PEM, mode 0600) and "
            << a.public_path << " (public key, SubjectPublicKeyInfo PEM)\n";
  return kExitOk;
}

int Seal(const HpkeArgs& a) {
  auto pem = ReadTextFile(a.public_path);
  if (!pem.ok()) return Fail("reading public key " + a.public_path, pem.status());
  auto pk = crypto::X25519PublicFromPem(*pem);
  if (!pk.ok()) return Fail("parsing public key " + a.public_path, pk.status());
  Bytes pt = ReadAllStdin();
  auto sealed = crypto::SealBase(crypto::HpkeSuite{}, *pk, AsBytes(a.info), AsBytes(a.aad), pt);
  if (!sealed.ok()) return Fail("hpke seal", sealed.status());
  if (!WriteAllStdout(*sealed)) return Fail("hpke seal", Status::IOError("io", "stdout"));
  return kExitOk;
}

int Open(const HpkeArgs& a) {
  auto pem = ReadTextFile(a.private_path);
  if (!pem.ok()) return Fail("reading private key " + a.private_path, pem.status());
  auto kp = crypto::X25519KeyPair::FromPrivatePem(*pem);
  if (!kp.ok()) return Fail("parsing private key " + a.private_path, kp.status());
  Bytes in = ReadAllStdin();
  auto pt = crypto::OpenBase(crypto::HpkeSuite{}, *kp, AsBytes(a.info), AsBytes(a.aad), in);
  if (!pt.ok()) {
    Fail("hpke open (wrong key, info or aad, or the ciphertext was altered or cut)", pt.status());
    return kExitAuthFailed;  // whatever is wrong with the ciphertext, nothing was opened
  }
  if (!WriteAllStdout(*pt)) return Fail("hpke open", Status::IOError("io", "stdout"));
  return kExitOk;
}

}  // namespace

void AddHpkeCommands(CLI::App& app, int* exit_code) {
  auto* hpke = app.add_subcommand(
      "hpke", "RFC 9180 HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM");
  hpke->require_subcommand(1);
  auto args = std::make_shared<HpkeArgs>();

  auto* keygen = hpke->add_subcommand("keygen", "Make an X25519 key pair (PEM files)");
  keygen->add_option("--out-private", args->private_path, "Private key file (PKCS#8 PEM, 0600)")
      ->required();
  keygen->add_option("--out-public", args->public_path, "Public key file (SPKI PEM)")->required();
  keygen->callback([args, exit_code] { *exit_code = Keygen(*args); });

  auto* seal = hpke->add_subcommand(
      "seal", "Seal stdin to a public key; writes enc || ciphertext (SealBase) to stdout");
  seal->add_option("--public", args->public_path, "Recipient public key (PEM)")->required();
  seal->add_option("--info", args->info, "HPKE info string (default empty)");
  seal->add_option("--aad", args->aad, "Additional authenticated data (default empty)");
  seal->callback([args, exit_code] { *exit_code = Seal(*args); });

  auto* open = hpke->add_subcommand(
      "open", "Open enc || ciphertext from stdin with a private key; plaintext to stdout");
  open->add_option("--private", args->private_path, "Recipient private key (PEM)")->required();
  open->add_option("--info", args->info, "HPKE info string used when sealing");
  open->add_option("--aad", args->aad, "Additional authenticated data used when sealing");
  open->callback([args, exit_code] { *exit_code = Open(*args); });
}

}  // namespace fedtee::cli
