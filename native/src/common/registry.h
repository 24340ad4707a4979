// Static registration of the addon's exported functions: each bindings/*.cc file declares its
// functions with CONVKIT_EXPORT and addon.cc exports whatever registered, so families never edit a
// shared list.
#pragma once
#include <napi.h>
#include <vector>

namespace convkit {

using BindingFn = Napi::Value (*)(const Napi::CallbackInfo&);

struct Binding {
  const char* name;
  BindingFn fn;
};

std::vector<Binding>& bindings();

struct Registrar {
  Registrar(const char* name, BindingFn fn) { bindings().push_back({name, fn}); }
};

}  // namespace convkit

#define CONVKIT_CONCAT_INNER(a, b) a##b
#define CONVKIT_CONCAT(a, b) CONVKIT_CONCAT_INNER(a, b)
// CONVKIT_EXPORT("conv2d", Conv2d) exports `Napi::Value Conv2d(const Napi::CallbackInfo&)` as addon.conv2d.
#define CONVKIT_EXPORT(js_name, fn) \
  static ::convkit::Registrar CONVKIT_CONCAT(convkit_registrar_, __LINE__)(js_name, fn)
