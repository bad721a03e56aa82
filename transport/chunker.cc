#include "transport/chunker.h"

#include <cassert>
#include <string>

namespace fedtee::transport {

std::vector<ByteSpan> SplitChunks(ByteSpan payload, size_t chunk_bytes) {
  assert(chunk_bytes > 0);
  if (chunk_bytes == 0) chunk_bytes = 1;
  std::vector<ByteSpan> chunks;
  if (payload.empty()) {
    chunks.push_back(payload);
    return chunks;
  }
  chunks.reserve((payload.size() + chunk_bytes - 1) / chunk_bytes);
  for (size_t off = 0; off < payload.size(); off += chunk_bytes) {
    chunks.push_back(payload.subspan(off, std::min(chunk_bytes, payload.size() - off)));
  }
  return chunks;
}

Result<std::optional<Bytes>> ChunkAssembler::Accept(uint64_t stream_id, uint64_t index,
                                                    bool final, ByteSpan chunk) {
  auto it = streams_.find(stream_id);
  const uint64_t expected = it == streams_.end() ? 0 : it->second.next_index;
  if (index != expected) {
    if (it != streams_.end()) streams_.erase(it);
    return Status::Corruption("transport.chunk_out_of_order",
                              "stream " + std::to_string(stream_id) + ": chunk " +
                                  std::to_string(index) + " arrived, expected " +
                                  std::to_string(expected));
  }
  if (it == streams_.end()) {
    if (streams_.size() >= options_.max_open_streams) {
      return Status::OutOfRange("transport.too_many_streams",
                                std::to_string(streams_.size()) + " streams already open");
    }
    it = streams_.emplace(stream_id, Stream{}).first;
  }
  Stream& s = it->second;
  if (chunk.size() > options_.max_total_bytes - s.data.size()) {
    streams_.erase(it);
    return Status::OutOfRange("transport.too_large",
                              "stream " + std::to_string(stream_id) + " exceeds " +
                                  std::to_string(options_.max_total_bytes) + " bytes");
  }
  Append(s.data, chunk);
  s.next_index++;
  if (!final) return std::optional<Bytes>();
  Bytes payload = std::move(s.data);
  streams_.erase(it);
  return std::optional<Bytes>(std::move(payload));
}

size_t ChunkAssembler::buffered_bytes() const {
  size_t n = 0;
  for (const auto& [id, s] : streams_) n += s.data.size();
  return n;
}

}  // namespace fedtee::transport
