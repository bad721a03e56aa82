// Exit codes shared by every fedtee executable, so scripts can tell failures apart.
// Documented in `fedtee --help` and README.md; never renumber.
#pragma once

#include "base/status.h"

namespace fedtee::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,            // anything not listed below (I/O, internal)
  kExitUsage = 2,            // bad flags, unreadable or malformed input files, bad hex
  kExitBadEvidence = 3,      // evidence is not authentic (verify failed)
  kExitPolicyViolation = 4,  // evidence is authentic but the policy refuses it
  kExitAuthFailed = 5,       // decryption or signature check failed (wrong key, info, aad, tamper)
  kExitNotFound = 6,         // a named file does not exist
  kExitUnavailable = 7,      // a peer could not be reached or a deadline passed
};

// Maps a Status to an exit code by its kind.
inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kNotFound: return kExitNotFound;
    case StatusCode::kUnauthenticated: return kExitAuthFailed;
    case StatusCode::kPermissionDenied: return kExitPolicyViolation;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded: return kExitUnavailable;
    default: return kExitError;
  }
}

inline constexpr char kExitCodeHelp[] =
    "Exit codes: 0 ok, 1 error, 2 usage or malformed input, 3 evidence not authentic,\n"
    "4 policy violation, 5 decryption/signature failed, 6 file not found, 7 peer unavailable.";

}  // namespace fedtee::cli
