#include "coordinator/model_init.h"

#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "model/trainer.h"

namespace fedtee::coordinator {

Result<Bytes> InitialModelBytes(const FederationConfig& config) {
  model::ModelSpec spec;
  spec.kind = config.model.kind == "mlp" ? model::ModelKind::kMlp
                                         : model::ModelKind::kLogisticRegression;
  spec.num_features = static_cast<int>(config.model.num_features);
  spec.num_classes = static_cast<int>(config.model.num_classes);
  for (uint32_t h : config.model.hidden) spec.hidden.push_back(static_cast<int>(h));
  model::ModelParams params = model::InitParams(spec, config.model.init_seed);
  nlohmann::json j = {{"kind", config.model.kind},
                      {"num_features", config.model.num_features},
                      {"num_classes", config.model.num_classes},
                      {"hidden", config.model.hidden}};
  model::SafetensorsMetadata meta = {{"fedtee.model_spec", j.dump()},
                                     {"fedtee.federation_id", config.federation_id}};
  return model::SerializeSafetensors(params, meta);
}

}  // namespace fedtee::coordinator
