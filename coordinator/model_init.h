// The initial global model of a federation, as safetensors bytes whose metadata records the
// model spec ("fedtee.model_spec", JSON) so that users and `fedtee model evaluate` know what
// the tensors mean.
#pragma once

#include "base/bytes.h"
#include "base/status.h"
#include "coordinator/config.h"

namespace fedtee::coordinator {

Result<Bytes> InitialModelBytes(const FederationConfig& config);

}  // namespace fedtee::coordinator
