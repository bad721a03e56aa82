#include "transport/curve_identity.h"

#include <sys/stat.h>
#include <zmq.h>

#include <array>
#include <cstring>
#include <optional>
#include <sstream>

#include "base/file.h"

namespace fedtee::transport {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

constexpr size_t kMaxKeyFileBytes = 64 * 1024;

// Returns the quoted value of the first line `name = "value"` (leading spaces allowed),
// or nullopt. Lines starting with '#' are comments.
std::optional<std::string> FindKeyLine(const std::string& text, std::string_view name) {
  std::istringstream in(text);
  std::string line;
  std::optional<std::string> found;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] == '#') continue;
    if (line.compare(i, name.size(), name) != 0) continue;
    i += name.size();
    i = line.find_first_not_of(" \t", i);
    if (i == std::string::npos || line[i] != '=') continue;
    size_t open = line.find('"', i);
    size_t close = open == std::string::npos ? open : line.find('"', open + 1);
    if (close == std::string::npos) continue;
    found = line.substr(open + 1, close - open - 1);
    break;
  }
  WipeString(line);
  return found;
}

std::string KeyFileText(const CurveKeyPair& pair, bool with_secret) {
  std::string out;
  if (with_secret) {
    out += "#   ****  fedtee CURVE secret key: keep this file private (mode 0600)  ****\n";
  } else {
    out += "#   ****  fedtee CURVE public key: share this file freely  ****\n";
  }
  out += "#   Made by `fedtee identity new`; ZeroMQ zcert layout.\n";
  out += "curve\n";
  out += "    public-key = \"" + pair.public_z85 + "\"\n";
  if (with_secret) {
    out += "    secret-key = \"";
    out.append(pair.secret_z85.view());
    out += "\"\n";
  }
  return out;
}

}  // namespace

Status ValidateZ85Key(std::string_view z85) {
  if (z85.size() != kZ85KeyLength) {
    return Status::InvalidArgument(
        "curve.bad_key", "a Z85 CURVE key has 40 characters, got " + std::to_string(z85.size()));
  }
  for (char c : z85) {
    if (kZ85Alphabet.find(c) == std::string_view::npos) {
      return Status::InvalidArgument("curve.bad_key", "a character outside the Z85 alphabet");
    }
  }
  std::array<char, kZ85KeyLength + 1> text{};
  std::memcpy(text.data(), z85.data(), kZ85KeyLength);
  std::array<uint8_t, 32> raw{};
  bool ok = zmq_z85_decode(raw.data(), text.data()) != nullptr;
  explicit_bzero(text.data(), text.size());
  explicit_bzero(raw.data(), raw.size());
  if (!ok) return Status::InvalidArgument("curve.bad_key", "not valid Z85");
  return Status::Ok();
}

Result<std::string> PublicKeyFromSecret(const SecretString& secret_z85) {
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(secret_z85.view()));
  std::array<char, kZ85KeyLength + 1> pub{};
  if (zmq_curve_public(pub.data(), secret_z85.c_str()) != 0) {
    if (errno == ENOTSUP) {
      return Status::Internal("curve.unsupported", "libzmq was built without CURVE");
    }
    return Status::InvalidArgument("curve.bad_key", "cannot derive a public key");
  }
  return std::string(pub.data(), kZ85KeyLength);
}

Result<CurveKeyPair> CurveKeyPair::Generate() {
  std::array<char, kZ85KeyLength + 1> pub{};
  std::array<char, kZ85KeyLength + 1> sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) {
    return Status::Internal("curve.unsupported",
                            std::string("zmq_curve_keypair: ") + zmq_strerror(errno));
  }
  CurveKeyPair pair;
  pair.public_z85.assign(pub.data(), kZ85KeyLength);
  pair.secret_z85 = SecretString(std::string(sec.data(), kZ85KeyLength));
  explicit_bzero(sec.data(), sec.size());
  return pair;
}

Status CurveKeyPair::Save(const std::filesystem::path& secret_file,
                          const std::filesystem::path& public_file) const {
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(public_z85).Wrap("public key"));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(secret_z85.view()).Wrap("secret key"));
  FEDTEE_ASSIGN_OR_RETURN(std::string derived, PublicKeyFromSecret(secret_z85));
  if (derived != public_z85) {
    return Status::InvalidArgument("curve.key_mismatch",
                                   "the secret key does not belong to public key " + public_z85);
  }
  std::string secret_text = KeyFileText(*this, /*with_secret=*/true);
  Status s = WriteFileAtomic(secret_file, secret_text, 0600);
  WipeString(secret_text);
  FEDTEE_RETURN_IF_ERROR(s.Wrap("writing " + secret_file.string()));
  return WriteFileAtomic(public_file, KeyFileText(*this, /*with_secret=*/false), 0644)
      .Wrap("writing " + public_file.string());
}

Result<CurveKeyPair> CurveKeyPair::Load(const std::filesystem::path& secret_file) {
  struct stat st;
  if (::stat(secret_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    return Status::PermissionDenied(
        "curve.secret_file_mode",
        secret_file.string() + " is readable by group or others; run chmod 600 on it");
  }
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(secret_file, kMaxKeyFileBytes));
  std::optional<std::string> pub = FindKeyLine(text, "public-key");
  std::optional<std::string> sec = FindKeyLine(text, "secret-key");
  WipeString(text);
  if (!pub || !sec) {
    if (sec) WipeString(*sec);
    return Status::InvalidArgument(
        "curve.bad_file", secret_file.string() + " lacks a public-key or secret-key line");
  }
  CurveKeyPair pair;
  pair.public_z85 = *pub;
  pair.secret_z85 = SecretString(std::move(*sec));
  WipeString(*sec);
  const std::string where = "in " + secret_file.string();
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(pair.public_z85).Wrap("public key " + where));
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(pair.secret_z85.view()).Wrap("secret key " + where));
  FEDTEE_ASSIGN_OR_RETURN(std::string derived, PublicKeyFromSecret(pair.secret_z85));
  if (derived != pair.public_z85) {
    return Status::InvalidArgument("curve.key_mismatch",
                                   "the secret key " + where + " does not match its public key");
  }
  return pair;
}

Result<std::string> LoadPublicKey(const std::filesystem::path& public_file) {
  FEDTEE_ASSIGN_OR_RETURN(std::string text, ReadTextFile(public_file, kMaxKeyFileBytes));
  std::optional<std::string> pub = FindKeyLine(text, "public-key");
  WipeString(text);  // the caller may have handed us a secret file
  if (!pub) {
    return Status::InvalidArgument("curve.bad_file",
                                   public_file.string() + " lacks a public-key line");
  }
  FEDTEE_RETURN_IF_ERROR(ValidateZ85Key(*pub).Wrap("public key in " + public_file.string()));
  return *pub;
}

}  // namespace fedtee::transport
