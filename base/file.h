// Files on disk: whole-file reads and crash-safe writes.
//
// WriteFileAtomic writes to a temporary file in the same directory, fsyncs it, renames it
// over the target and fsyncs the directory, so after a crash the target holds either the old
// or the new content, never a mix. Thread-safe for distinct paths.
#pragma once

#include <filesystem>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace fedtee {

// Reads the whole file. NOT_FOUND "file.not_found" when absent, IO_ERROR "file.read" otherwise.
// Refuses files larger than `max_bytes` with OUT_OF_RANGE "file.too_large".
Result<Bytes> ReadFile(const std::filesystem::path& path, size_t max_bytes = size_t{1} << 32);
Result<std::string> ReadTextFile(const std::filesystem::path& path,
                                 size_t max_bytes = size_t{1} << 30);

// Atomically replaces `path` with `data` (see above). `mode` is applied to the new file
// (0600 for secrets). IO_ERROR "file.write" names the failing step.
Status WriteFileAtomic(const std::filesystem::path& path, ByteSpan data, unsigned mode = 0644);
inline Status WriteFileAtomic(const std::filesystem::path& path, std::string_view text,
                              unsigned mode = 0644) {
  return WriteFileAtomic(path, AsBytes(text), mode);
}

}  // namespace fedtee
