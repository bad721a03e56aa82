#include "model/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "base/file.h"

namespace fedtee::model {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors IO copies float32 values as little-endian bytes");

constexpr std::string_view kMetadataKey = "__metadata__";

Status Corrupt(const char* reason, std::string message) {
  return Status::Corruption(reason, std::move(message));
}

struct Entry {
  std::string name;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

Result<uint64_t> ToOffset(const nlohmann::json& v, const std::string& name) {
  if (!v.is_number_unsigned()) {
    return Corrupt("safetensors.bad_offsets",
                   "tensor '" + name + "': offsets must be unsigned integers");
  }
  return v.get<uint64_t>();
}

Result<Entry> ParseEntry(const std::string& name, const nlohmann::json& value) {
  if (!IsValidTensorName(name)) {
    return Corrupt("safetensors.bad_name", "tensor name '" + name + "' is not [A-Za-z0-9._/-]+");
  }
  if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
      !value.contains("data_offsets") || value.size() != 3) {
    return Corrupt("safetensors.bad_entry",
                   "tensor '" + name + "' must have exactly dtype, shape and data_offsets");
  }
  const auto& dtype = value["dtype"];
  if (!dtype.is_string() || dtype.get<std::string>() != "F32") {
    return Corrupt("safetensors.bad_dtype",
                   "tensor '" + name + "' has dtype " + dtype.dump() + "; only F32 is supported");
  }
  Entry e;
  e.name = name;
  const auto& shape = value["shape"];
  if (!shape.is_array()) {
    return Corrupt("safetensors.bad_entry", "tensor '" + name + "': shape must be an array");
  }
  // numel is bounded by the file size, so stop as soon as the product gets absurd.
  uint64_t numel = 1;
  for (const auto& d : shape) {
    if (!d.is_number_unsigned() || d.get<uint64_t>() > (uint64_t{1} << 62)) {
      return Corrupt("safetensors.bad_entry",
                     "tensor '" + name + "': dimensions must be non-negative integers");
    }
    uint64_t dim = d.get<uint64_t>();
    if (dim != 0 && numel > (uint64_t{1} << 62) / dim) {
      return Corrupt("safetensors.shape_mismatch", "tensor '" + name + "': shape too large");
    }
    numel *= dim;
    e.shape.push_back(static_cast<int64_t>(dim));
  }
  const auto& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2) {
    return Corrupt("safetensors.bad_offsets",
                   "tensor '" + name + "': data_offsets must be [begin, end]");
  }
  FEDTEE_ASSIGN_OR_RETURN(e.begin, ToOffset(offsets[0], name));
  FEDTEE_ASSIGN_OR_RETURN(e.end, ToOffset(offsets[1], name));
  if (e.begin > e.end) {
    return Corrupt("safetensors.bad_offsets", "tensor '" + name + "': begin " +
                                                  std::to_string(e.begin) + " > end " +
                                                  std::to_string(e.end));
  }
  if (numel > (e.end - e.begin) / sizeof(float) || numel * sizeof(float) != e.end - e.begin) {
    return Corrupt("safetensors.shape_mismatch", "tensor '" + name + "': shape holds " +
                                                     std::to_string(numel) +
                                                     " values but the offsets span " +
                                                     std::to_string(e.end - e.begin) + " bytes");
  }
  return e;
}

// Parses the JSON header, refusing duplicate keys at the top level (nlohmann would
// silently keep the last).
Result<nlohmann::json> ParseHeaderJson(std::string_view text) {
  if (text.empty() || text.front() != '{') {
    return Corrupt("safetensors.bad_header", "the header must be a JSON object");
  }
  std::set<std::string> seen;
  std::string duplicate;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1) {
      std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  nlohmann::json header = nlohmann::json::parse(text.begin(), text.end(), callback,
                                                /*allow_exceptions=*/false);
  if (header.is_discarded()) return Corrupt("safetensors.bad_json", "the header is not valid JSON");
  if (!duplicate.empty()) {
    return Corrupt("safetensors.duplicate_name", "tensor '" + duplicate + "' appears twice");
  }
  if (!header.is_object())
    return Corrupt("safetensors.bad_header", "the header must be a JSON object");
  return header;
}

Status ParseMetadata(const nlohmann::json& value, SafetensorsMetadata* metadata) {
  if (!value.is_object()) {
    return Corrupt("safetensors.bad_metadata", "__metadata__ must be an object");
  }
  for (const auto& [k, v] : value.items()) {
    if (!v.is_string()) {
      return Corrupt("safetensors.bad_metadata",
                     "__metadata__ value of '" + k + "' is not a string");
    }
    if (metadata) (*metadata)[k] = v.get<std::string>();
  }
  return Status::Ok();
}

}  // namespace

Bytes SerializeSafetensors(const ModelParams& params, const SafetensorsMetadata& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header[std::string(kMetadataKey)] = std::move(meta);
  }
  uint64_t offset = 0;
  for (const Tensor& t : params.tensors()) {
    uint64_t bytes = t.data.size() * sizeof(float);
    header[t.name] = {
        {"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  // Pad so that 8 + N is a multiple of 8 (N itself then is too).
  text.append((8 - text.size() % 8) % 8, ' ');

  Bytes out;
  out.reserve(8 + text.size() + offset);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  size_t data_start = out.size();
  out.resize(data_start + offset);
  uint8_t* dst = out.data() + data_start;
  for (const Tensor& t : params.tensors()) {
    if (t.data.empty()) continue;  // memcpy from a null pointer is undefined even for 0 bytes
    std::memcpy(dst, t.data.data(), t.data.size() * sizeof(float));
    dst += t.data.size() * sizeof(float);
  }
  return out;
}

Result<ModelParams> ParseSafetensors(ByteSpan bytes, SafetensorsMetadata* metadata) {
  if (metadata) metadata->clear();
  if (bytes.size() < 8) {
    return Corrupt("safetensors.truncated",
                   "file of " + std::to_string(bytes.size()) + " bytes has no header length");
  }
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t{bytes[i]} << (8 * i);
  if (n > kMaxSafetensorsHeaderBytes) {
    return Corrupt("safetensors.header_too_large", "header length " + std::to_string(n) +
                                                       " exceeds " +
                                                       std::to_string(kMaxSafetensorsHeaderBytes));
  }
  if (n > bytes.size() - 8) {
    return Corrupt("safetensors.truncated", "header length " + std::to_string(n) + " but only " +
                                                std::to_string(bytes.size() - 8) + " bytes follow");
  }
  std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), n);
  FEDTEE_ASSIGN_OR_RETURN(nlohmann::json header, ParseHeaderJson(text));
  ByteSpan data = bytes.subspan(8 + n);

  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey) {
      FEDTEE_RETURN_IF_ERROR(ParseMetadata(value, metadata));
      continue;
    }
    FEDTEE_ASSIGN_OR_RETURN(Entry e, ParseEntry(key, value));
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  for (const Entry& e : entries) {
    if (e.end > data.size()) {
      return Corrupt("safetensors.offset_out_of_range",
                     "tensor '" + e.name + "' ends at " + std::to_string(e.end) +
                         " beyond the data buffer of " + std::to_string(data.size()) + " bytes");
    }
    if (e.begin < expected) {
      return Corrupt("safetensors.overlap", "tensor '" + e.name + "' starts at " +
                                                std::to_string(e.begin) +
                                                " inside the previous tensor");
    }
    if (e.begin > expected) {
      return Corrupt("safetensors.not_contiguous",
                     "gap before tensor '" + e.name + "' at " + std::to_string(expected));
    }
    expected = e.end;
  }
  if (expected != data.size()) {
    return Corrupt("safetensors.not_contiguous",
                   std::to_string(data.size() - expected) + " bytes after the last tensor");
  }

  ModelParams params;
  for (Entry& e : entries) {
    Tensor t;
    t.name = std::move(e.name);
    t.shape = std::move(e.shape);
    t.data.resize((e.end - e.begin) / sizeof(float));
    if (!t.data.empty()) std::memcpy(t.data.data(), data.data() + e.begin, e.end - e.begin);
    Status s = params.Add(std::move(t));
    if (!s.ok()) return Corrupt("safetensors.bad_entry", s.message());
  }
  return params;
}

Status SaveSafetensors(const std::filesystem::path& path, const ModelParams& params,
                       const SafetensorsMetadata& metadata) {
  Bytes bytes = SerializeSafetensors(params, metadata);
  return WriteFileAtomic(path, bytes).Wrap("saving " + path.string());
}

Result<ModelParams> LoadSafetensors(const std::filesystem::path& path,
                                    SafetensorsMetadata* metadata) {
  Result<Bytes> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status().Wrap("loading " + path.string());
  Result<ModelParams> params = ParseSafetensors(*bytes, metadata);
  if (!params.ok()) return params.status().Wrap("loading " + path.string());
  return params;
}

}  // namespace fedtee::model
