#pragma once
#include <napi.h>

namespace t2v {
Napi::Value ResolveOp(const Napi::CallbackInfo& info);  // (name, overload) -> op id
Napi::Value CallOp(const Napi::CallbackInfo& info);     // (op id, args[]) -> result
Napi::Value ListOps(const Napi::CallbackInfo& info);    // every registered schema, for the generator
}  // namespace t2v
