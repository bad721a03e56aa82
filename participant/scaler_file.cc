#include "participant/scaler_file.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/file.h"

namespace fedtee::participant {
namespace {

constexpr char kFormat[] = "fedtee.scaler.v1";

Status Malformed(const std::string& why) {
  return Status::Corruption("scaler.malformed", why);
}

}  // namespace

std::string ScalerToJson(const ScalerFile& scaler) {
  nlohmann::json j;
  j["format"] = kFormat;
  j["feature_names"] = scaler.feature_names;
  const auto& st = scaler.standardizer;
  j["mean"] = std::vector<float>(st.mean.data(), st.mean.data() + st.mean.size());
  j["std"] = std::vector<float>(st.scale.data(), st.scale.data() + st.scale.size());
  j["note"] = scaler.note;
  return j.dump(2) + "\n";
}

Result<ScalerFile> ScalerFromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Malformed("not a JSON object");
  if (!j.contains("format") || j["format"] != kFormat) {
    return Malformed(std::string("\"format\" must be \"") + kFormat + "\"");
  }
  auto floats = [&](const char* key) -> Result<std::vector<float>> {
    if (!j.contains(key) || !j[key].is_array()) {
      return Malformed(std::string("\"") + key + "\" must be an array of numbers");
    }
    std::vector<float> out;
    for (const auto& v : j[key]) {
      if (!v.is_number()) return Malformed(std::string("\"") + key + "\" holds a non-number");
      float f = v.get<float>();
      if (!std::isfinite(f)) return Malformed(std::string("\"") + key + "\" holds a non-finite");
      out.push_back(f);
    }
    return out;
  };
  FEDTEE_ASSIGN_OR_RETURN(std::vector<float> mean, floats("mean"));
  FEDTEE_ASSIGN_OR_RETURN(std::vector<float> sd, floats("std"));
  if (mean.empty() || mean.size() != sd.size()) {
    return Malformed("\"mean\" and \"std\" must be non-empty and of equal length");
  }
  ScalerFile out;
  if (j.contains("feature_names")) {
    if (!j["feature_names"].is_array()) return Malformed("\"feature_names\" must be an array");
    for (const auto& n : j["feature_names"]) {
      if (!n.is_string()) return Malformed("\"feature_names\" holds a non-string");
      out.feature_names.push_back(n.get<std::string>());
    }
    if (out.feature_names.size() != mean.size()) {
      return Malformed("\"feature_names\" has " + std::to_string(out.feature_names.size()) +
                       " names for " + std::to_string(mean.size()) + " features");
    }
  }
  if (j.contains("note") && j["note"].is_string()) out.note = j["note"].get<std::string>();
  const Eigen::Index n = static_cast<Eigen::Index>(mean.size());
  out.standardizer.mean.resize(n);
  out.standardizer.scale.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(sd[i] > 0)) return Malformed("\"std\"[" + std::to_string(i) + "] is not > 0");
    out.standardizer.mean[i] = mean[i];
    out.standardizer.scale[i] = sd[i];
  }
  return out;
}

Status SaveScalerFile(const std::filesystem::path& path, const ScalerFile& scaler) {
  return WriteFileAtomic(path, ScalerToJson(scaler), 0644);
}

Result<ScalerFile> LoadScalerFile(const std::filesystem::path& path) {
  auto text = ReadTextFile(path, size_t{64} << 20);
  if (!text.ok()) return text.status().Wrap("reading scaler " + path.string());
  auto s = ScalerFromJson(*text);
  if (!s.ok()) return s.status().Wrap(path.string());
  return s;
}

}  // namespace fedtee::participant
