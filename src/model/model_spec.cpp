#include "model/model_spec.h"

namespace ws {

std::string to_string(AttentionKind kind) { return kind == AttentionKind::mla ? "mla" : "gqa"; }

std::string to_string(AttentionScope scope) {
  switch (scope) {
    case AttentionScope::full: return "full";
    case AttentionScope::sliding_window: return "sliding_window";
    case AttentionScope::chunked: return "chunked";
  }
  return "full";
}

}  // namespace ws
