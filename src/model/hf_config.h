#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "model/model_spec.h"

namespace ws {

// Builds a ModelSpec from a Hugging Face config.json. Handles dense/GQA attention, MLA (DeepSeek V2/V3,
// Kimi K2), MoE with routed and shared experts, leading dense layers and interleaved MoE layers (DeepSeek,
// GLM-4.x MoE, Qwen2/3-MoE, Mixtral, Llama 4, gpt-oss), sliding-window and chunked attention layers, tied
// embeddings, multi-token-prediction modules, and nested `text_config` (Llama 4).
// Throws InputError naming `file` and the missing or invalid key.
ModelSpec parse_hf_config(const nlohmann::json& config, const std::string& file);

// `path` is a config.json or a folder holding one. The model's name is the folder name.
ModelSpec load_hf_config(const std::string& path);

}  // namespace ws
