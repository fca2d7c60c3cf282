// Calling any ATen operator by schema name. JS values are boxed to IValues guided by the
// operator's own schema (so a JS number becomes a tensor handle, an int or a double as the
// argument's type says), the op runs through the c10 dispatcher (autograd included), and the
// returned IValues are unboxed back to JS values (tensors become new handles).
#include "ops.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/function_schema.h>
#include <ATen/core/jit_type.h>

#include <sstream>

#include "errors.h"
#include "handles.h"

namespace t2v {
namespace {

std::vector<c10::OperatorHandle>& registry() {
  static std::vector<c10::OperatorHandle> ops;
  return ops;
}

[[noreturn]] void badArg(const c10::Argument& a, const std::string& expected, const Napi::Value& v) {
  std::string got = v.IsNumber() ? "number" : v.IsString() ? "string" : v.IsBoolean() ? "boolean"
                    : v.IsArray() ? "array" : v.IsNull() ? "null" : v.IsUndefined() ? "undefined" : "object";
  throw std::invalid_argument("argument '" + a.name() + "' expects " + expected + ", got " + got);
}

int64_t toInt(const c10::Argument& a, const Napi::Value& v) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  if (!v.IsNumber()) badArg(a, "an integer", v);
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) badArg(a, "an integer (got a fraction)", v);
  return static_cast<int64_t>(d);
}

at::Tensor toTensor(const c10::Argument& a, const Napi::Value& v) {
  if (!v.IsNumber()) badArg(a, "a tensor", v);
  return handles().get(v.As<Napi::Number>().Int64Value());
}

c10::IValue box(const c10::Argument& a, const c10::TypePtr& type, const Napi::Value& v);

c10::IValue boxList(const c10::Argument& a, const c10::ListTypePtr& lt, const Napi::Value& v) {
  const auto& elem = lt->getElementType();
  // A single number where a fixed-size int list is expected repeats it, as PyTorch does
  // (e.g. `int[3] padding=1`).
  if (!v.IsArray()) {
    if (elem->kind() == c10::TypeKind::IntType && v.IsNumber()) {
      int n = a.N() ? *a.N() : 1;
      return c10::IValue(std::vector<int64_t>(n, toInt(a, v)));
    }
    badArg(a, "an array", v);
  }
  auto arr = v.As<Napi::Array>();
  uint32_t n = arr.Length();
  switch (elem->kind()) {
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType: {
      std::vector<int64_t> out(n);
      for (uint32_t i = 0; i < n; ++i) out[i] = toInt(a, arr.Get(i));
      return c10::IValue(out);
    }
    case c10::TypeKind::FloatType: {
      std::vector<double> out(n);
      for (uint32_t i = 0; i < n; ++i) {
        Napi::Value e = arr.Get(i);
        if (!e.IsNumber()) badArg(a, "an array of numbers", e);
        out[i] = e.As<Napi::Number>().DoubleValue();
      }
      return c10::IValue(out);
    }
    case c10::TypeKind::NumberType: {  // Scalar[]: each element boxed as a Scalar would be
      c10::impl::GenericList out(c10::NumberType::get());
      out.reserve(n);
      for (uint32_t i = 0; i < n; ++i) out.push_back(box(a, elem, arr.Get(i)));
      return c10::IValue(out);
    }
    case c10::TypeKind::BoolType: {
      c10::List<bool> out;
      for (uint32_t i = 0; i < n; ++i) out.push_back(arr.Get(i).ToBoolean().Value());
      return c10::IValue(out);
    }
    case c10::TypeKind::TensorType: {
      c10::List<at::Tensor> out;
      out.reserve(n);
      for (uint32_t i = 0; i < n; ++i) out.push_back(toTensor(a, arr.Get(i)));
      return c10::IValue(out);
    }
    case c10::TypeKind::OptionalType: {
      c10::List<c10::optional<at::Tensor>> out;
      for (uint32_t i = 0; i < n; ++i) {
        Napi::Value e = arr.Get(i);
        if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
        else out.push_back(toTensor(a, e));
      }
      return c10::IValue(out);
    }
    default:
      throw std::invalid_argument("argument '" + a.name() + "' has unsupported list type " + lt->str());
  }
}

c10::IValue box(const c10::Argument& a, const c10::TypePtr& type, const Napi::Value& v) {
  switch (type->kind()) {
    case c10::TypeKind::TensorType:
      return c10::IValue(toTensor(a, v));
    case c10::TypeKind::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return box(a, type->castRaw<c10::OptionalType>()->getElementType(), v);
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType:
      return c10::IValue(toInt(a, v));
    case c10::TypeKind::FloatType:
      if (!v.IsNumber()) badArg(a, "a number", v);
      return c10::IValue(v.As<Napi::Number>().DoubleValue());
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) badArg(a, "a boolean", v);
      return c10::IValue(v.As<Napi::Boolean>().Value());
    case c10::TypeKind::NumberType: {  // Scalar: integral JS numbers stay integral
      if (v.IsBoolean()) return c10::IValue(v.As<Napi::Boolean>().Value());
      if (!v.IsNumber()) badArg(a, "a number", v);
      double d = v.As<Napi::Number>().DoubleValue();
      if (std::isfinite(d) && d == static_cast<double>(static_cast<int64_t>(d)) && std::abs(d) < 9007199254740992.0 &&
          !(d == 0.0 && std::signbit(d)))  // -0 stays a double
        return c10::IValue(static_cast<int64_t>(d));
      return c10::IValue(d);
    }
    case c10::TypeKind::StringType:
      if (!v.IsString()) badArg(a, "a string", v);
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case c10::TypeKind::DeviceObjType:
      if (!v.IsString()) badArg(a, "a device string such as 'cpu' or 'cuda:0'", v);
      return c10::IValue(c10::Device(v.As<Napi::String>().Utf8Value()));
    case c10::TypeKind::ListType:
      return boxList(a, type->cast<c10::ListType>(), v);
    case c10::TypeKind::GeneratorType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      throw std::invalid_argument("argument '" + a.name() + "': explicit generators are not supported; use manualSeed()");
    default:
      throw std::invalid_argument("argument '" + a.name() + "' has unsupported type " + type->str());
  }
}

Napi::Value unbox(const Napi::Env& env, const c10::IValue& v) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return env.Null();
    return Napi::Number::New(env, handles().add(t));
  }
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      at::Tensor t = list.get(i);
      arr.Set(i, t.defined() ? Napi::Value(Napi::Number::New(env, handles().add(t))) : env.Null());
    }
    return arr;
  }
  if (v.isIntList()) {
    auto list = v.toIntVector();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) arr.Set(i, Napi::Number::New(env, static_cast<double>(list[i])));
    return arr;
  }
  if (v.isDoubleList()) {
    auto list = v.toDoubleVector();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) arr.Set(i, Napi::Number::New(env, list[i]));
    return arr;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    auto arr = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) arr.Set(i, unbox(env, elems[i]));
    return arr;
  }
  if (v.isList()) {
    auto list = v.toListRef();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) arr.Set(i, unbox(env, list[i]));
    return arr;
  }
  throw std::runtime_error("cannot return a value of type " + v.tagKind() + " to JavaScript");
}

std::string describeArgs(const c10::FunctionSchema& s, const Napi::Array& args) {
  std::ostringstream os;
  const auto& params = s.arguments();
  uint32_t n = std::min<uint32_t>(args.Length(), params.size());
  bool first = true;
  for (uint32_t i = 0; i < n; ++i) {
    Napi::Value v = args.Get(i);
    if (v.IsUndefined()) continue;
    if (!first) os << ", ";
    first = false;
    os << params[i].name() << "=";
    auto kind = params[i].type()->kind();
    auto elem = kind == c10::TypeKind::OptionalType ? params[i].type()->castRaw<c10::OptionalType>()->getElementType()->kind() : kind;
    try {
      if (elem == c10::TypeKind::TensorType && v.IsNumber()) {
        os << describe(handles().get(v.As<Napi::Number>().Int64Value()));
        continue;
      }
      if (elem == c10::TypeKind::ListType && v.IsArray() &&
          params[i].type()->str().find("Tensor") != std::string::npos) {
        auto arr = v.As<Napi::Array>();
        os << "[";
        for (uint32_t j = 0; j < arr.Length(); ++j) {
          Napi::Value e = arr.Get(j);
          os << (j ? ", " : "") << (e.IsNumber() ? describe(handles().get(e.As<Napi::Number>().Int64Value())) : "None");
        }
        os << "]";
        continue;
      }
    } catch (...) {
      os << "<disposed tensor>";
      continue;
    }
    os << v.ToString().Utf8Value();
  }
  return os.str();
}

}  // namespace

Napi::Value ResolveOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  return guard(env, "resolveOp " + name + (overload.empty() ? "" : "." + overload), [&]() -> Napi::Value {
    auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name.c_str(), overload.c_str());
    registry().push_back(handle);
    return Napi::Number::New(env, static_cast<double>(registry().size() - 1));
  });
}

Napi::Value CallOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t id = info[0].As<Napi::Number>().Int64Value();
  if (id < 0 || static_cast<size_t>(id) >= registry().size()) throw Napi::Error::New(env, "callOp: unknown op id");
  const c10::OperatorHandle& op = registry()[id];
  const c10::FunctionSchema& schema = op.schema();
  Napi::Array args = info[1].As<Napi::Array>();
  auto opName = [&]() {
    const auto& n = schema.operator_name();
    return n.name + (n.overload_name.empty() ? "" : "." + n.overload_name);
  };
  return guard(
      env, opName(),
      [&]() -> Napi::Value {
        const auto& params = schema.arguments();
        uint32_t given = args.Length();
        if (given > params.size()) {
          throw std::invalid_argument("takes " + std::to_string(params.size()) + " arguments, got " + std::to_string(given));
        }
        torch::jit::Stack stack;
        stack.reserve(params.size());
        for (size_t i = 0; i < params.size(); ++i) {
          Napi::Value v = i < given ? args.Get(i) : env.Undefined();
          if (v.IsUndefined()) {
            if (params[i].default_value()) {
              stack.push_back(*params[i].default_value());
              continue;
            }
            if (params[i].type()->kind() == c10::TypeKind::OptionalType) {
              stack.emplace_back();
              continue;
            }
            throw std::invalid_argument("missing argument '" + params[i].name() + "'");
          }
          stack.push_back(box(params[i], params[i].type(), v));
        }
        op.callBoxed(&stack);
        if (stack.empty()) return env.Undefined();
        if (stack.size() == 1) return unbox(env, stack[0]);
        auto arr = Napi::Array::New(env, stack.size());
        for (size_t i = 0; i < stack.size(); ++i) arr.Set(i, unbox(env, stack[i]));
        return arr;
      },
      [&]() { return describeArgs(schema, args); });
}

static Napi::Object schemaToJs(const Napi::Env& env, const c10::FunctionSchema& s) {
  auto o = Napi::Object::New(env);
  o.Set("name", s.operator_name().name);
  o.Set("overload", s.operator_name().overload_name);
  auto args = Napi::Array::New(env, s.arguments().size());
  for (size_t i = 0; i < s.arguments().size(); ++i) {
    const auto& a = s.arguments()[i];
    auto ao = Napi::Object::New(env);
    ao.Set("name", a.name());
    ao.Set("type", a.real_type()->annotation_str());
    ao.Set("kwargOnly", a.kwarg_only());
    ao.Set("mutable", a.alias_info() != nullptr && a.alias_info()->isWrite());
    if (a.N()) ao.Set("n", *a.N());
    if (a.default_value()) {
      std::ostringstream ds;
      ds << *a.default_value();
      ao.Set("default", ds.str());
    }
    args.Set(i, ao);
  }
  o.Set("args", args);
  auto rets = Napi::Array::New(env, s.returns().size());
  for (size_t i = 0; i < s.returns().size(); ++i) {
    auto ro = Napi::Object::New(env);
    ro.Set("name", s.returns()[i].name());
    ro.Set("type", s.returns()[i].real_type()->annotation_str());
    rets.Set(i, ro);
  }
  o.Set("returns", rets);
  std::ostringstream full;
  full << s;
  o.Set("schema", full.str());
  return o;
}

Napi::Value ListOps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, "listOps", [&]() -> Napi::Value {
    auto names = c10::Dispatcher::singleton().getAllOpNames();
    auto arr = Napi::Array::New(env);
    uint32_t k = 0;
    for (const auto& n : names) {
      auto h = c10::Dispatcher::singleton().findSchema(n);
      if (!h || !h->hasSchema()) continue;
      arr.Set(k++, schemaToJs(env, h->schema()));
    }
    return arr;
  });
}

}  // namespace t2v
