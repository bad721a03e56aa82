// The safetensors file format (https://github.com/huggingface/safetensors), float32 only,
// so a fedtee model opens in PyTorch (`safetensors.torch.load_file`) or NumPy.
//
// Byte layout:
//   u64 little-endian N | N bytes of JSON header | data buffer
// The header is a JSON object: one entry per tensor,
//   "name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}
// with offsets relative to the start of the data buffer, plus an optional
//   "__metadata__": {"key": "value", ...}   (string values only).
// The writer pads the header with spaces so the data buffer starts 8-byte aligned, lays the
// tensors out back to back in ModelParams order and writes values little-endian.
//
// The parser is strict: it accepts exactly the files the format allows for F32 and
// rejects anything else with CORRUPTION and a named reason, never a crash:
//   safetensors.truncated              fewer than 8 bytes, or N larger than what follows
//   safetensors.header_too_large       N above kMaxSafetensorsHeaderBytes
//   safetensors.bad_json               the header is not JSON (or not UTF-8)
//   safetensors.bad_header             not a JSON object, or empty
//   safetensors.bad_entry              an entry is not {dtype, shape, data_offsets}
//   safetensors.bad_dtype              a dtype other than "F32"
//   safetensors.bad_name               a name outside [A-Za-z0-9._/-]+
//   safetensors.duplicate_name         a name appears twice in the header
//   safetensors.bad_metadata           __metadata__ is not an object of strings
//   safetensors.bad_offsets            begin > end, or not integers
//   safetensors.offset_out_of_range    an end beyond the data buffer
//   safetensors.overlap                two tensors share bytes
//   safetensors.not_contiguous         gaps between tensors or bytes after the last one
//   safetensors.shape_mismatch         4 * product(shape) != end - begin
// Tensors come back ordered by their begin offset (the writer's order).
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "model/tensor.h"

namespace fedtee::model {

// Largest accepted JSON header (the reference implementation's limit).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

using SafetensorsMetadata = std::map<std::string, std::string>;

// Serialises `params` (and optional string metadata) to safetensors bytes.
Bytes SerializeSafetensors(const ModelParams& params, const SafetensorsMetadata& metadata = {});

// Parses safetensors bytes (see the list of errors above). When `metadata` is not null it
// receives the __metadata__ map (cleared first; empty when absent).
Result<ModelParams> ParseSafetensors(ByteSpan bytes, SafetensorsMetadata* metadata = nullptr);

// Writes the file atomically (base/file.h WriteFileAtomic): IO_ERROR "file.write".
Status SaveSafetensors(const std::filesystem::path& path, const ModelParams& params,
                       const SafetensorsMetadata& metadata = {});
// Reads and parses a file: "file.not_found" / "file.read" or the parse errors above,
// wrapped with the path.
Result<ModelParams> LoadSafetensors(const std::filesystem::path& path,
                                    SafetensorsMetadata* metadata = nullptr);

}  // namespace fedtee::model
