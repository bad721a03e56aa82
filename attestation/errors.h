// Stable names of everything that makes evidence unacceptable. Verify errors travel as the
// reason() of a non-OK Status; policy violations are listed in a ValidationReport. CLIs and
// tests match on these names; never reuse or rename one.
#pragma once

namespace fedtee::attestation::errors {

// verify: the evidence is not authentic (Status codes in brackets).
inline constexpr char kUnknownBackend[] = "attestation.unknown_backend";          // INVALID_ARGUMENT
inline constexpr char kMalformedEvidence[] = "attestation.malformed_evidence";    // CORRUPTION
inline constexpr char kReservedNonzero[] = "attestation.reserved_nonzero";        // CORRUPTION
inline constexpr char kUnsupportedVersion[] = "attestation.unsupported_version";  // CORRUPTION
inline constexpr char kBadSignature[] = "attestation.bad_signature";              // UNAUTHENTICATED
inline constexpr char kMissingCertificate[] = "attestation.missing_certificate";  // NOT_FOUND
inline constexpr char kMalformedCertificate[] = "attestation.malformed_certificate";  // CORRUPTION
inline constexpr char kChainBroken[] = "attestation.chain_broken";          // UNAUTHENTICATED
inline constexpr char kUntrustedRoot[] = "attestation.untrusted_root";      // UNAUTHENTICATED
inline constexpr char kCertExpired[] = "attestation.cert_expired";          // UNAUTHENTICATED
inline constexpr char kCertNotYetValid[] = "attestation.cert_not_yet_valid";  // UNAUTHENTICATED
inline constexpr char kCertRevoked[] = "attestation.cert_revoked";          // UNAUTHENTICATED
inline constexpr char kTcbMismatch[] = "attestation.tcb_mismatch";          // UNAUTHENTICATED
inline constexpr char kChipIdMismatch[] = "attestation.chip_id_mismatch";   // UNAUTHENTICATED
inline constexpr char kCollateralInvalid[] = "attestation.collateral_invalid";  // UNAUTHENTICATED
inline constexpr char kCollateralExpired[] = "attestation.collateral_expired";  // UNAUTHENTICATED
inline constexpr char kQeIdentityMismatch[] = "attestation.qe_identity_mismatch";
inline constexpr char kDeviceError[] = "attestation.device_error";  // IO_ERROR (attester side)
inline constexpr char kFmspcMismatch[] = "attestation.fmspc_mismatch";  // UNAUTHENTICATED (TDX)
inline constexpr char kMissingCollateral[] = "attestation.missing_collateral";  // NOT_FOUND (TDX)

// validate: authentic, but the policy does not accept it (PERMISSION_DENIED).
inline constexpr char kPolicyRejected[] = "policy.rejected";  // the Status reason of Validate
inline constexpr char kPlatformNotAllowed[] = "policy.platform_not_allowed";
inline constexpr char kSimulationNotAllowed[] = "policy.simulation_not_allowed";
inline constexpr char kMeasurementNotAllowed[] = "policy.measurement_not_allowed";
inline constexpr char kTcbTooLow[] = "policy.tcb_too_low";
inline constexpr char kDebugEnabled[] = "policy.debug_enabled";
inline constexpr char kReportDataMismatch[] = "policy.report_data_mismatch";
inline constexpr char kEvidenceStale[] = "policy.evidence_stale";
inline constexpr char kEvidenceFromFuture[] = "policy.evidence_from_future";
inline constexpr char kChallengeReplayed[] = "policy.challenge_replayed";
inline constexpr char kMigrationAgentNotAllowed[] = "policy.migration_agent_not_allowed";
inline constexpr char kVmplNotAllowed[] = "policy.vmpl_not_allowed";
inline constexpr char kRtmrNotAllowed[] = "policy.rtmr_not_allowed";
inline constexpr char kTcbStatusNotAllowed[] = "policy.tcb_status_not_allowed";

// policy file problems (INVALID_ARGUMENT).
inline constexpr char kBadPolicy[] = "policy.invalid_file";

}  // namespace fedtee::attestation::errors
