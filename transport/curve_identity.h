// CURVE identities (CurveZMQ, RFC 26): a Curve25519 key pair in Z85 text, made with libzmq,
// saved to and loaded from small text files in the style of ZeroMQ's zcert:
//
//   #   ****  fedtee CURVE secret key: keep this file private (mode 0600)  ****
//   curve
//       public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
//       secret-key = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
//
// The public file has the same layout without the secret-key line and is world-readable.
// Public keys are not secret and may be logged; secret keys never are.
//
// Errors (reason strings are stable):
//   INVALID_ARGUMENT "curve.bad_key"          not 40 Z85 characters, or zmq_z85_decode fails
//   INVALID_ARGUMENT "curve.bad_file"         a key file without the expected key lines
//   INVALID_ARGUMENT "curve.key_mismatch"     the secret key does not give the stored public key
//   PERMISSION_DENIED "curve.secret_file_mode" a secret file readable by group or others
//   NOT_FOUND "file.not_found", IO_ERROR "file.*"  from base/file.h
//   INTERNAL "curve.unsupported"              libzmq built without CURVE
//
// Thread-safety: all functions are reentrant; a CurveKeyPair is a value.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "transport/secret_string.h"

namespace fedtee::transport {

// Length of a Z85-encoded 32-byte CURVE key.
inline constexpr size_t kZ85KeyLength = 40;

// Returns OK if `z85` is a well-formed Z85 CURVE key (40 characters of the Z85 alphabet that
// decode to 32 bytes), INVALID_ARGUMENT "curve.bad_key" otherwise. The message names the
// problem but never echoes the key (it may be a secret).
Status ValidateZ85Key(std::string_view z85);

struct CurveKeyPair {
  std::string public_z85;   // 40-character Z85 public key; safe to log and share
  SecretString secret_z85;  // 40-character Z85 secret key; wiped on destruction

  // Makes a fresh key pair with zmq_curve_keypair (libsodium's randomness).
  static Result<CurveKeyPair> Generate();

  // Reads a secret file written by Save, checks that it is not readable by group or
  // others, validates both keys and that the secret key derives the public key.
  static Result<CurveKeyPair> Load(const std::filesystem::path& secret_file);

  // Writes the secret file (mode 0600) and the public file (mode 0644), each atomically.
  // The parent directories must exist. On error either file may be missing, never torn.
  Status Save(const std::filesystem::path& secret_file,
              const std::filesystem::path& public_file) const;
};

// Reads the public key from a public file written by CurveKeyPair::Save (a secret file is
// accepted too; only its public-key line is read).
Result<std::string> LoadPublicKey(const std::filesystem::path& public_file);

// Derives the Z85 public key from a Z85 secret key (zmq_curve_public).
Result<std::string> PublicKeyFromSecret(const SecretString& secret_z85);

}  // namespace fedtee::transport
