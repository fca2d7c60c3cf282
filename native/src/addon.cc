// The native core of t2vlab: tensor handles, copies to and from typed arrays, autograd,
// grad mode, RNG, threads and devices. Every entry point runs through guard() (errors.h).
// Operators are called by schema name in ops.cc; collectives live in dist.cc.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <napi.h>
#include <torch/version.h>

#include <cstring>
#include <sstream>

#include "dist.h"
#include "errors.h"
#include "handles.h"
#include "ops.h"

namespace t2v {

HandleTable& handles() {
  static HandleTable table;
  return table;
}

const char* dtypeName(c10::ScalarType s) {
  switch (s) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(s);
  }
}

c10::ScalarType dtypeFromCode(int64_t code) {
  if (code < 0 || code >= static_cast<int64_t>(c10::ScalarType::NumOptions))
    throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  return static_cast<c10::ScalarType>(code);
}
int64_t dtypeCode(c10::ScalarType s) { return static_cast<int64_t>(s); }

std::string describe(const at::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream os;
  os << dtypeName(t.scalar_type()) << "[";
  for (int64_t i = 0; i < t.dim(); ++i) os << (i ? ", " : "") << t.size(i);
  os << "] " << t.device();
  return os.str();
}

namespace {

const at::Tensor& arg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) throw std::invalid_argument("expected a tensor handle");
  return handles().get(info[i].As<Napi::Number>().Int64Value());
}
Napi::Value newHandle(const Napi::Env& env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  return Napi::Number::New(env, handles().add(std::move(t)));
}
std::vector<int64_t> intList(const Napi::Value& v) {
  if (!v.IsArray()) throw std::invalid_argument("expected an array of integers for the shape");
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    double d = arr.Get(i).As<Napi::Number>().DoubleValue();
    if (d < 0 || d != static_cast<double>(static_cast<int64_t>(d)))
      throw std::invalid_argument("shape entries must be non-negative integers");
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}
std::string ctx1(const Napi::CallbackInfo& info) {
  try {
    return describe(arg(info, 0));
  } catch (...) {
    return "";
  }
}

// fromBuffer(typedArray, dtypeCode, shape, device?) -> handle. Copies the bytes.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "fromBuffer", [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) throw std::invalid_argument("expected a typed array");
    auto ta = info[0].As<Napi::TypedArray>();
    auto dtype = dtypeFromCode(info[1].As<Napi::Number>().Int64Value());
    auto shape = intList(info[2]);
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t nbytes = t.numel() * t.element_size();
    if (ta.ByteLength() != nbytes) {
      throw std::invalid_argument("buffer has " + std::to_string(ta.ByteLength()) + " bytes but " + dtypeName(dtype) +
                                  " shape needs " + std::to_string(nbytes));
    }
    if (nbytes) std::memcpy(t.data_ptr(), static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), nbytes);
    if (info.Length() > 3 && info[3].IsString()) {
      std::string dev = info[3].As<Napi::String>().Utf8Value();
      if (dev != "cpu") t = t.to(c10::Device(dev));
    }
    return newHandle(env, std::move(t));
  });
}

// toBuffer(handle) -> ArrayBuffer with the tensor's bytes (contiguous, on the CPU).
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "toBuffer", [&]() -> Napi::Value {
    at::Tensor t = arg(info, 0).detach().to(at::kCPU).contiguous();
    size_t nbytes = t.numel() * t.element_size();
    auto buf = Napi::ArrayBuffer::New(env, nbytes);
    if (nbytes) std::memcpy(buf.Data(), t.data_ptr(), nbytes);
    return buf;
  }, [&]() { return ctx1(info); });
}

// item(handle) -> number (the single element as a double).
Napi::Value Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "item", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0);
    if (t.numel() != 1) throw std::invalid_argument("item() needs a tensor with exactly one element");
    return Napi::Number::New(env, t.item<double>());
  }, [&]() { return ctx1(info); });
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "free", [&]() -> Napi::Value {
    handles().release(info[0].As<Napi::Number>().Int64Value());
    return env.Undefined();
  });
}

Napi::Value LiveCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(handles().live()));
}

// meta(handle) -> [dtypeCode, shape[], device, requiresGrad, isContiguous, isLeaf]
Napi::Value Meta(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "meta", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0);
    auto out = Napi::Array::New(env, 6);
    out.Set(0u, Napi::Number::New(env, static_cast<double>(dtypeCode(t.scalar_type()))));
    auto shape = Napi::Array::New(env, t.dim());
    for (int64_t i = 0; i < t.dim(); ++i) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(t.size(i))));
    out.Set(1u, shape);
    out.Set(2u, Napi::String::New(env, t.device().str()));
    out.Set(3u, Napi::Boolean::New(env, t.requires_grad()));
    out.Set(4u, Napi::Boolean::New(env, t.is_contiguous()));
    out.Set(5u, Napi::Boolean::New(env, t.is_leaf()));
    return out;
  });
}

// shape(handle) -> number[] (the hot query, without the rest of meta)
Napi::Value Shape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "shape", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0);
    auto shape = Napi::Array::New(env, t.dim());
    for (int64_t i = 0; i < t.dim(); ++i) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(t.size(i))));
    return shape;
  });
}

Napi::Value DType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "dtype", [&]() -> Napi::Value {
    return Napi::Number::New(env, static_cast<double>(dtypeCode(arg(info, 0).scalar_type())));
  });
}

// ---- autograd ---------------------------------------------------------------------------

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "requiresGrad_", [&]() -> Napi::Value {
    at::Tensor t = arg(info, 0);
    t.requires_grad_(info[1].As<Napi::Boolean>().Value());
    return env.Undefined();
  }, [&]() { return ctx1(info); });
}

// backward(handle, gradHandle|null, retainGraph, createGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "backward", [&]() -> Napi::Value {
    const at::Tensor& t = arg(info, 0);
    at::Tensor g;
    if (info.Length() > 1 && info[1].IsNumber()) g = arg(info, 1);
    c10::optional<bool> retain;
    if (info.Length() > 2 && info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
    bool create = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
    if (!g.defined() && t.numel() != 1)
      throw std::invalid_argument("backward() without a gradient needs a scalar output; pass the gradient for a tensor of " +
                                  std::to_string(t.numel()) + " elements");
    t.backward(g, retain, create);
    return env.Undefined();
  }, [&]() { return ctx1(info); });
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "grad", [&]() -> Napi::Value { return newHandle(env, arg(info, 0).grad()); },
               [&]() { return ctx1(info); });
}

// setGrad(handle, gradHandle|null): null clears the gradient (PyTorch's set_to_none zeroing).
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "setGrad", [&]() -> Napi::Value {
    at::Tensor t = arg(info, 0);
    if (info.Length() > 1 && info[1].IsNumber()) {
      const at::Tensor& g = arg(info, 1);
      // PyTorch's checks on assigning .grad: same size, dtype and device as the tensor.
      if (!g.sizes().equals(t.sizes()) || g.scalar_type() != t.scalar_type() || g.device() != t.device())
        throw std::invalid_argument("assigned grad " + describe(g) + " does not match the tensor " + describe(t) +
                                    " (it needs the same shape, dtype and device)");
      t.mutable_grad() = g;
    }
    else t.mutable_grad().reset();
    return env.Undefined();
  }, [&]() { return ctx1(info); });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return Napi::Boolean::New(info.Env(), prev);
}
Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

// ---- RNG, threads, devices --------------------------------------------------------------

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "manualSeed", [&]() -> Napi::Value {
    double s = info[0].As<Napi::Number>().DoubleValue();
    if (s < 0 || s != static_cast<double>(static_cast<uint64_t>(s))) throw std::invalid_argument("seed must be a non-negative integer");
    at::manual_seed(static_cast<uint64_t>(s));
    return env.Undefined();
  });
}

// getRngState() -> handle of a uint8 tensor with the CPU generator's full state.
Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "getRngState", [&]() -> Napi::Value {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return newHandle(env, gen.get_state());
  });
}
Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "setRngState", [&]() -> Napi::Value {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(arg(info, 0));
    return env.Undefined();
  }, [&]() { return ctx1(info); });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "setNumThreads", [&]() -> Napi::Value {
    int n = info[0].As<Napi::Number>().Int32Value();
    if (n < 1) throw std::invalid_argument("thread count must be >= 1");
    at::set_num_threads(n);
    return env.Undefined();
  });
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}
Napi::Value CudaAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::hasCUDA());
}
Napi::Value Version(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("torch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                      std::to_string(TORCH_VERSION_PATCH));
  o.Set("config", at::show_config());
  o.Set("parallel", at::get_parallel_info());
  return o;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer));
  exports.Set("toBuffer", Napi::Function::New(env, ToBuffer));
  exports.Set("item", Napi::Function::New(env, Item));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("liveCount", Napi::Function::New(env, LiveCount));
  exports.Set("meta", Napi::Function::New(env, Meta));
  exports.Set("shape", Napi::Function::New(env, Shape));
  exports.Set("dtype", Napi::Function::New(env, DType));
  exports.Set("setRequiresGrad", Napi::Function::New(env, SetRequiresGrad));
  exports.Set("backward", Napi::Function::New(env, Backward));
  exports.Set("grad", Napi::Function::New(env, Grad));
  exports.Set("setGrad", Napi::Function::New(env, SetGrad));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("getRngState", Napi::Function::New(env, GetRngState));
  exports.Set("setRngState", Napi::Function::New(env, SetRngState));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("cudaAvailable", Napi::Function::New(env, CudaAvailable));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("resolveOp", Napi::Function::New(env, ResolveOp));
  exports.Set("callOp", Napi::Function::New(env, CallOp));
  exports.Set("listOps", Napi::Function::New(env, ListOps));
  InitDist(env, exports);
  return exports;
}

}  // namespace t2v

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return t2v::Init(env, exports); }
NODE_API_MODULE(t2v_native, InitAll)
