// Data-parallel collectives on PyTorch's own distributed engine (c10d): a TCPStore rendezvous,
// ProcessGroupGloo on CPU (ProcessGroupNCCL when built against a CUDA libtorch that has it).
// JS holds small integer process-group ids; every call goes through guard(), and errors name
// this rank, the world size and the store address so that a dead peer is easy to find.
#include "dist.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#ifdef T2V_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <memory>
#include <vector>

#include "errors.h"
#include "handles.h"

namespace t2v {

namespace {

struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  int rank = 0;
  int world = 1;
  std::string address;
  std::string backend;
  std::chrono::milliseconds timeout{0};
};

std::vector<std::unique_ptr<Group>>& groups() {
  static std::vector<std::unique_ptr<Group>> g;
  return g;
}

Group& groupAt(const Napi::Value& v) {
  int64_t id = v.As<Napi::Number>().Int64Value();
  auto& gs = groups();
  if (id <= 0 || static_cast<size_t>(id) > gs.size() || !gs[id - 1]) {
    throw std::invalid_argument("process group " + std::to_string(id) + " is not live (destroyed?)");
  }
  return *gs[id - 1];
}

std::string where(const Group& g) {
  return "rank " + std::to_string(g.rank) + " of " + std::to_string(g.world) + ", " + g.backend + " via " + g.address;
}

std::vector<at::Tensor> tensorsFrom(const Napi::Value& v) {
  auto arr = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    out.push_back(handles().get(arr.Get(i).As<Napi::Number>().Int64Value()));
  }
  return out;
}

c10d::ReduceOp reduceOpFrom(const std::string& s) {
  if (s == "sum" || s == "avg") return c10d::ReduceOp::SUM;  // avg: sum, then divide (Gloo has no AVG)
  if (s == "max") return c10d::ReduceOp::MAX;
  if (s == "min") return c10d::ReduceOp::MIN;
  if (s == "product") return c10d::ReduceOp::PRODUCT;
  throw std::invalid_argument("unknown reduce op '" + s + "'; valid: sum, avg, max, min, product");
}

// Waits for a collective; a timeout or a failed peer becomes an exception naming this rank.
void finish(const Group& g, const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
  bool ok = false;
  try {
    ok = work->wait(g.timeout);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(what) + " failed on " + where(g) + ": " + cleanMessage(e.what()));
  }
  if (!ok) throw std::runtime_error(std::string(what) + " timed out after " + std::to_string(g.timeout.count()) + " ms on " + where(g));
}

}  // namespace

// init({host, port, rank, worldSize, timeoutMs, backend}) -> group id
Napi::Value DistInit(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guard(env, "dist.init", [&]() -> Napi::Value {
    auto o = info[0].As<Napi::Object>();
    auto g = std::make_unique<Group>();
    std::string host = o.Get("host").As<Napi::String>().Utf8Value();
    int port = o.Get("port").As<Napi::Number>().Int32Value();
    g->rank = o.Get("rank").As<Napi::Number>().Int32Value();
    g->world = o.Get("worldSize").As<Napi::Number>().Int32Value();
    g->timeout = std::chrono::milliseconds(o.Get("timeoutMs").As<Napi::Number>().Int64Value());
    g->backend = o.Get("backend").As<Napi::String>().Utf8Value();
    std::string iface = o.Has("interface") && o.Get("interface").IsString() ? o.Get("interface").As<Napi::String>().Utf8Value() : "";
    g->address = host + ":" + std::to_string(port);
    if (g->world < 1 || g->rank < 0 || g->rank >= g->world) {
      throw std::invalid_argument("rank " + std::to_string(g->rank) + " is outside world size " + std::to_string(g->world));
    }
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(port);
    so.isServer = g->rank == 0;
    so.numWorkers = static_cast<size_t>(g->world);
    so.waitWorkers = true;
    so.timeout = g->timeout;
    try {
      g->store = c10::make_intrusive<c10d::TCPStore>(host, so);
    } catch (const std::exception& e) {
      throw std::runtime_error("rendezvous at " + g->address + " failed for rank " + std::to_string(g->rank) + " of " +
                               std::to_string(g->world) + " (is rank 0 running, the port free and reachable?): " + cleanMessage(e.what()));
    }
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("t2v/" + g->backend, g->store);
    if (g->backend == "gloo") {
      auto opts = c10d::ProcessGroupGloo::Options::create(g->timeout);
      if (!iface.empty()) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
      else opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
      opts->threads = 2;
      g->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, g->rank, g->world, opts);
#ifdef T2V_NCCL
    } else if (g->backend == "nccl") {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = g->timeout;
      g->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, g->rank, g->world, opts);
#endif
    } else {
      throw std::invalid_argument("backend '" + g->backend + "' is not available in this build; available: gloo" +
#ifdef T2V_NCCL
                                  std::string(", nccl")
#else
                                  std::string(" (nccl needs a CUDA libtorch, see README)")
#endif
      );
    }
    auto& gs = groups();
    gs.push_back(std::move(g));
    return Napi::Number::New(env, static_cast<double>(gs.size()));
  });
}

// allReduce(group, [handles], op) — in place.
Napi::Value DistAllReduce(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guard(env, "dist.allReduce", [&]() -> Napi::Value {
    Group& g = groupAt(info[0]);
    auto ts = tensorsFrom(info[1]);
    std::string op = info[2].As<Napi::String>().Utf8Value();
    c10d::AllreduceOptions o;
    o.reduceOp = reduceOpFrom(op);
    o.timeout = g.timeout;
    // One tensor per call (Gloo's allreduce on a list means one tensor per *device*).
    for (auto& t : ts) {
      std::vector<at::Tensor> one{t};
      finish(g, g.pg->allreduce(one, o), "allReduce");
      if (op == "avg") t.div_(g.world);
    }
    return env.Undefined();
  });
}

// broadcast(group, [handles], root) — in place.
Napi::Value DistBroadcast(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guard(env, "dist.broadcast", [&]() -> Napi::Value {
    Group& g = groupAt(info[0]);
    auto ts = tensorsFrom(info[1]);
    c10d::BroadcastOptions o;
    o.rootRank = info[2].As<Napi::Number>().Int32Value();
    o.timeout = g.timeout;
    for (auto& t : ts) {
      std::vector<at::Tensor> one{t};
      finish(g, g.pg->broadcast(one, o), "broadcast");
    }
    return env.Undefined();
  });
}

// allGather(group, handle) -> [handle per rank]
Napi::Value DistAllGather(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guard(env, "dist.allGather", [&]() -> Napi::Value {
    Group& g = groupAt(info[0]);
    at::Tensor t = handles().get(info[1].As<Napi::Number>().Int64Value());
    std::vector<std::vector<at::Tensor>> out(1);
    for (int r = 0; r < g.world; ++r) out[0].push_back(at::empty_like(t));
    std::vector<at::Tensor> in{t};
    c10d::AllgatherOptions o;
    o.timeout = g.timeout;
    finish(g, g.pg->allgather(out, in, o), "allGather");
    auto arr = Napi::Array::New(env, out[0].size());
    for (size_t r = 0; r < out[0].size(); ++r) arr.Set(r, Napi::Number::New(env, handles().add(out[0][r])));
    return arr;
  });
}

Napi::Value DistBarrier(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guard(env, "dist.barrier", [&]() -> Napi::Value {
    Group& g = groupAt(info[0]);
    c10d::BarrierOptions o;
    o.timeout = g.timeout;
    finish(g, g.pg->barrier(o), "barrier");
    return env.Undefined();
  });
}

Napi::Value DistDestroy(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return guard(env, "dist.destroy", [&]() -> Napi::Value {
    groupAt(info[0]);
    groups()[info[0].As<Napi::Number>().Int64Value() - 1].reset();
    return env.Undefined();
  });
}

Napi::Value DistBackends(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto arr = Napi::Array::New(env);
  arr.Set(0u, Napi::String::New(env, "gloo"));
#ifdef T2V_NCCL
  arr.Set(1u, Napi::String::New(env, "nccl"));
#endif
  return arr;
}

void InitDist(Napi::Env env, Napi::Object exports) {
  exports.Set("distInit", Napi::Function::New(env, DistInit));
  exports.Set("distAllReduce", Napi::Function::New(env, DistAllReduce));
  exports.Set("distBroadcast", Napi::Function::New(env, DistBroadcast));
  exports.Set("distAllGather", Napi::Function::New(env, DistAllGather));
  exports.Set("distBarrier", Napi::Function::New(env, DistBarrier));
  exports.Set("distDestroy", Napi::Function::New(env, DistDestroy));
  exports.Set("distBackends", Napi::Function::New(env, DistBackends));
}

}  // namespace t2v
