// execNode(path: string, args: string[]): replaces this process with `path args…` (execv), keeping
// its PID, so signals sent to it and its exit status stay the caller's. bin/convkit.js uses it to
// restart node with a V8 flag that cannot be set once V8 runs; Node 20 has no process.execve.
// Returns only on failure, by throwing.
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#if !defined(_WIN32)
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#endif

#include "common/args.h"
#include "common/registry.h"

namespace convkit {
namespace {

std::string ArgString(const Napi::Env& env, const Napi::Value& v, const char* what) {
  if (!v.IsString()) ThrowType(env, std::string("execNode expects ") + what + " to be a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.empty() || s.find('\0') != std::string::npos) ThrowType(env, std::string("execNode: ") + what + " must not be empty or contain a NUL character");
  return s;
}

Napi::Value ExecNodeB(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[1].IsArray()) ThrowType(env, "execNode expects (path: string, args: string[])");
  const std::string path = ArgString(env, info[0], "path");
  const Napi::Array list = info[1].As<Napi::Array>();
  std::vector<std::string> args;
  args.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) args.push_back(ArgString(env, list.Get(i), "every argument"));
#if defined(_WIN32)
  ThrowRange(env, "execNode is not available on Windows");
#else
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Node marks the standard streams close-on-exec once it has opened them, and blocks signals its
  // own threads handle: the new node must start with the caller's stdio and a clear signal mask.
  int fd_flags[3];
  for (int fd = 0; fd < 3; fd++) {
    fd_flags[fd] = fcntl(fd, F_GETFD);
    if (fd_flags[fd] >= 0) fcntl(fd, F_SETFD, fd_flags[fd] & ~FD_CLOEXEC);
  }
  sigset_t none, old_mask;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, &old_mask);
  execv(path.c_str(), argv.data());
  const int err = errno;
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  for (int fd = 0; fd < 3; fd++)
    if (fd_flags[fd] >= 0) fcntl(fd, F_SETFD, fd_flags[fd]);
  ThrowRange(env, std::string("execNode: cannot run ") + path + ": " + std::strerror(err));
#endif
  return env.Undefined();
}

}  // namespace

CONVKIT_EXPORT("execNode", ExecNodeB);

}  // namespace convkit
