// The one error path: every binding entry runs inside guard(), which turns any C++ exception
// (c10::Error, std::exception) into a JS Error whose message names the op and its inputs.
#pragma once
#include <c10/util/Exception.h>
#include <napi.h>
#include <functional>
#include <string>

namespace t2v {

// The first line of a c10 message without the backtrace / "Exception raised from" tail.
inline std::string cleanMessage(const std::string& raw) {
  std::string m = raw;
  auto cut = m.find("\nException raised from");
  if (cut != std::string::npos) m = m.substr(0, cut);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

template <typename F>
Napi::Value guard(const Napi::Env& env, const std::string& what, F&& body,
                  const std::function<std::string()>& context = {}) {
  std::string msg;
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    msg = cleanMessage(e.what_without_backtrace());
  } catch (const std::exception& e) {
    msg = cleanMessage(e.what());
  } catch (...) {
    msg = "unknown C++ exception";
  }
  std::string ctx;
  if (context) {
    try {
      ctx = context();
    } catch (...) {
      ctx = "";
    }
  }
  throw Napi::Error::New(env, what + (ctx.empty() ? "" : "(" + ctx + ")") + ": " + msg);
}

}  // namespace t2v
