#include "federation/payload_stream.h"

#include <algorithm>

#include "federation/envelope.h"

namespace fedtee::federation {

Status SendPayload(const std::string& stream, ByteSpan payload, size_t chunk_bytes,
                   const std::function<Status(Bytes frame)>& send) {
  if (chunk_bytes == 0) return Status::InvalidArgument("payload.chunk_size", "chunk size is 0");
  size_t offset = 0;
  uint64_t index = 0;
  do {
    size_t n = std::min(chunk_bytes, payload.size() - offset);
    v1::Envelope env;
    auto* c = env.mutable_payload_chunk();
    c->set_stream(stream);
    c->set_index(index++);
    c->set_final(offset + n == payload.size());
    c->set_data(payload.data() + offset, n);
    offset += n;
    FEDTEE_RETURN_IF_ERROR(send(Encode(std::move(env))));
  } while (offset < payload.size());
  return Status::Ok();
}

PayloadAssembler::PayloadAssembler(std::string stream, uint64_t expected_bytes,
                                   uint64_t max_bytes)
    : stream_(std::move(stream)), expected_(expected_bytes), max_(max_bytes) {
  data_.reserve(std::min(expected_bytes, max_bytes));
}

Result<bool> PayloadAssembler::Add(const v1::PayloadChunk& chunk) {
  if (chunk.stream() != stream_) {
    return Status::InvalidArgument("payload.wrong_stream",
                                   "chunk of stream '" + chunk.stream() + "', expected '" +
                                       stream_ + "'");
  }
  if (complete_) {
    return Status::OutOfRange("payload.after_final", "chunk after the final one of " + stream_);
  }
  if (chunk.index() != next_index_) {
    return Status::OutOfRange("payload.out_of_order",
                              stream_ + ": chunk " + std::to_string(chunk.index()) +
                                  " arrived, expected " + std::to_string(next_index_));
  }
  uint64_t total = data_.size() + chunk.data().size();
  if (total > max_ || total > expected_) {
    return Status::OutOfRange("payload.too_large",
                              stream_ + " exceeds the announced " + std::to_string(expected_) +
                                  " bytes (limit " + std::to_string(max_) + ")");
  }
  data_.insert(data_.end(), chunk.data().begin(), chunk.data().end());
  ++next_index_;
  if (chunk.final()) {
    if (data_.size() != expected_) {
      return Status::OutOfRange("payload.size_mismatch",
                                stream_ + " ended at " + std::to_string(data_.size()) +
                                    " bytes, announced " + std::to_string(expected_));
    }
    complete_ = true;
  }
  return complete_;
}

}  // namespace fedtee::federation
