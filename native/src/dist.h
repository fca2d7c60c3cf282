// c10d process groups for data-parallel training (dist.cc).
#pragma once
#include <napi.h>

namespace t2v {
void InitDist(Napi::Env env, Napi::Object exports);
}
