// fedtee model evaluate | inspect: look at a model file (safetensors) the federation made.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "model/safetensors.h"
#include "model/trainer.h"
#include "participant/data_files.h"

namespace fedtee::cli {
namespace {

// The metadata key under which the coordinator records what the tensors mean.
constexpr char kSpecKey[] = "fedtee.model_spec";

// The spec implied by the tensor names and shapes of model/trainer.h ("linear.*" for
// logistic regression, "fc1.*", "fc2.*"[, "fc3.*"] for an MLP), for model files without
// the metadata. INVALID_ARGUMENT "model.bad_spec" when the layout is not one of those.
Result<model::ModelSpec> SpecFromLayout(const model::ModelParams& params) {
  auto dims = [&](const char* name) -> std::vector<int64_t> {
    const model::Tensor* t = params.Find(name);
    return t ? t->shape : std::vector<int64_t>{};
  };
  model::ModelSpec spec;
  if (auto w = dims("linear.weight"); w.size() == 2) {
    spec.kind = model::ModelKind::kLogisticRegression;
    spec.num_classes = static_cast<int>(w[0]);
    spec.num_features = static_cast<int>(w[1]);
  } else if (auto fc1 = dims("fc1.weight"); fc1.size() == 2) {
    spec.kind = model::ModelKind::kMlp;
    spec.num_features = static_cast<int>(fc1[1]);
    std::vector<int64_t> last = dims("fc2.weight");
    spec.hidden.push_back(static_cast<int>(fc1[0]));
    if (auto fc3 = dims("fc3.weight"); fc3.size() == 2 && last.size() == 2) {
      spec.hidden.push_back(static_cast<int>(last[0]));
      last = fc3;
    }
    if (last.size() != 2) return Status::InvalidArgument("model.bad_spec", "no fc2.weight");
    spec.num_classes = static_cast<int>(last[0]);
  } else {
    return Status::InvalidArgument("model.bad_spec",
                                   "neither linear.weight nor fc1.weight: not a fedtee model");
  }
  FEDTEE_RETURN_IF_ERROR(model::ValidateSpec(spec));
  return spec;
}

// Parses {"kind": "logistic_regression"|"mlp", "num_features": F, "num_classes": C,
// "hidden": [..]}; without that metadata, falls back to SpecFromLayout (with a note on
// stderr). INVALID_ARGUMENT "model.bad_spec" naming what is wrong.
Result<model::ModelSpec> SpecFromMetadata(const model::SafetensorsMetadata& meta,
                                          const model::ModelParams& params) {
  auto it = meta.find(kSpecKey);
  if (it == meta.end()) {
    auto spec = SpecFromLayout(params);
    if (!spec.ok()) {
      return spec.status().Wrap(std::string("no \"") + kSpecKey + "\" metadata");
    }
    std::cerr << "note: no \"" << kSpecKey
              << "\" metadata; model spec taken from the tensor names and shapes\n";
    return spec;
  }
  nlohmann::json j = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("model.bad_spec", std::string(kSpecKey) + ": " + why);
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  model::ModelSpec spec;
  if (!j.contains("kind") || !j["kind"].is_string()) return bad("missing \"kind\"");
  const std::string kind = j["kind"].get<std::string>();
  if (kind == "logistic_regression") {
    spec.kind = model::ModelKind::kLogisticRegression;
  } else if (kind == "mlp") {
    spec.kind = model::ModelKind::kMlp;
  } else {
    return bad("unknown kind \"" + kind + "\"");
  }
  for (const char* key : {"num_features", "num_classes"}) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) {
      return bad(std::string("missing or negative \"") + key + "\"");
    }
  }
  spec.num_features = j["num_features"].get<int>();
  spec.num_classes = j["num_classes"].get<int>();
  if (j.contains("hidden")) {
    if (!j["hidden"].is_array()) return bad("\"hidden\" must be an array");
    for (const auto& h : j["hidden"]) {
      if (!h.is_number_unsigned()) return bad("\"hidden\" holds a non-positive width");
      spec.hidden.push_back(h.get<int>());
    }
  }
  FEDTEE_RETURN_IF_ERROR(model::ValidateSpec(spec));
  return spec;
}

struct ModelArgs {
  std::string model_path;
  std::string csv;
  std::string format = "csv";
  std::string label = "label";
  std::string scaler;
};

void PrintMetric(const char* name, double v) {
  if (std::isnan(v)) {
    std::cout << name << ": n/a\n";
  } else {
    std::printf("%s: %.6f\n", name, v);
    std::fflush(stdout);
  }
}

int Evaluate(const ModelArgs& a) {
  model::SafetensorsMetadata meta;
  auto params = model::LoadSafetensors(a.model_path, &meta);
  if (!params.ok()) return Fail("model evaluate: reading " + a.model_path, params.status());
  auto spec = SpecFromMetadata(meta, *params);
  if (!spec.ok()) return Fail("model evaluate: " + a.model_path, spec.status());
  auto data = participant::LoadExamples(a.csv, a.format, a.label);
  if (!data.ok()) return Fail("model evaluate: reading " + a.csv, data.status());
  if (!a.scaler.empty()) {
    auto scaler = participant::LoadScalerFile(a.scaler);
    if (!scaler.ok()) return Fail("model evaluate: scaler", scaler.status());
    Status s = scaler->standardizer.Apply(&*data);
    if (!s.ok()) return Fail("model evaluate: applying " + a.scaler, s);
  }
  Status s = participant::ConformToModel(*data, spec->num_features, spec->num_classes);
  if (!s.ok()) return Fail("model evaluate: " + a.csv + " does not fit the model", s);
  auto ev = model::Evaluate(*spec, *params, *data);
  if (!ev.ok()) return Fail("model evaluate", ev.status());
  std::cout << "examples: " << ev->n << "\n";
  PrintMetric("accuracy", ev->accuracy);
  PrintMetric("loss", ev->loss);
  if (ev->has_binary_metrics) {
    PrintMetric("pr_auc", ev->pr_auc);
    PrintMetric("roc_auc", ev->roc_auc);
    PrintMetric("precision", ev->precision);
    PrintMetric("recall", ev->recall);
    PrintMetric("f1", ev->f1);
    PrintMetric("recall_at_precision_0.9", ev->recall_at_precision);
  }
  return kExitOk;
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

int Inspect(const ModelArgs& a) {
  model::SafetensorsMetadata meta;
  auto params = model::LoadSafetensors(a.model_path, &meta);
  if (!params.ok()) return Fail("model inspect: reading " + a.model_path, params.status());
  std::cout << a.model_path << ": " << params->size() << " tensors, " << params->total_params()
            << " float32 values\n";
  for (const model::Tensor& t : params->tensors()) {
    std::cout << "  " << t.name << "  shape " << ShapeText(t.shape) << "  numel " << t.numel()
              << "\n";
  }
  std::cout << "metadata:" << (meta.empty() ? " (none)" : "") << "\n";
  for (const auto& [k, v] : meta) std::cout << "  " << k << ": " << v << "\n";
  if (meta.count(kSpecKey)) {
    auto spec = SpecFromMetadata(meta, *params);
    if (!spec.ok()) return Fail("model inspect: " + a.model_path, spec.status());
  }
  return kExitOk;
}

}  // namespace

void AddModelCommands(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("model", "Evaluate or inspect a model file (safetensors)");
  cmd->require_subcommand(1);
  auto args = std::make_shared<ModelArgs>();

  auto* evaluate = cmd->add_subcommand(
      "evaluate",
      "Evaluate a fedtee model on a labelled CSV. The model kind and sizes come from the\n"
      "file's \"fedtee.model_spec\" metadata (or, without it, from the tensor names and\n"
      "shapes: linear.* = logistic regression, fc1.* fc2.* [fc3.*] = MLP). Prints examples, "
      "accuracy and loss, and for\n"
      "binary tasks pr_auc, roc_auc, precision, recall and f1 (positive class 1).");
  evaluate->add_option("--model", args->model_path, "Model file (safetensors)")->required();
  evaluate->add_option("--csv", args->csv, "Labelled examples (CSV)")->required();
  evaluate
      ->add_option("--format", args->format,
                   "csv (header row, label in the --label column) or sklearn")
      ->check(CLI::IsMember({"csv", "sklearn"}))
      ->capture_default_str();
  evaluate->add_option("--label", args->label, "Label column name")->capture_default_str();
  evaluate->add_option("--scaler", args->scaler,
                       "Feature mean/std JSON to standardise with (fedtee data split)");
  evaluate->callback([args, exit_code] { *exit_code = Evaluate(*args); });

  auto* inspect = cmd->add_subcommand(
      "inspect", "List a model file's tensors (name, shape, numel) and its metadata");
  inspect->add_option("--model", args->model_path, "Model file (safetensors)")->required();
  inspect->callback([args, exit_code] { *exit_code = Inspect(*args); });
}

}  // namespace fedtee::cli
