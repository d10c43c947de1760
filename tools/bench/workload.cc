// Deterministic workloads for regression checks by instruction count.
//
// Wall-clock benchmarks are noisy on shared machines; the number of
// instructions a fixed workload executes is not (valgrind's callgrind counts
// them exactly). tools/bench/compare.sh runs each workload below under
// callgrind, counting only inside RunWorkload, and prints the ratio against
// tools/bench/baseline_instructions.txt.
//
//   workload --list
//   workload NAME
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "backends/memory_backend.h"
#include "session/binary_codec.h"
#include "session/json.h"
#include "session/string_codec.h"
#include "tools/bench/bench_util.h"

namespace tgsession {
namespace bench {
namespace {

struct Workload {
  const char* name;
  void (*setup)();
  void (*run)();
};

Session* g_session = nullptr;
std::string* g_bytes = nullptr;
std::string* g_text = nullptr;
InMemoryBackend* g_memory = nullptr;
volatile size_t g_sink = 0;

void SetupSession(size_t n) {
  g_session = new Session(SyntheticSession(n));
  g_bytes = new std::string(*EncodeBinary(*g_session));
  g_text = new std::string(*EncodeNativeString(*g_session));
}

const Workload kWorkloads[] = {
    {"decode_binary_1000", [] { SetupSession(1000); },
     [] {
       for (int i = 0; i < 20; ++i) g_sink += DecodeBinary(*g_bytes)->peers.size();
     }},
    {"encode_binary_1000", [] { SetupSession(1000); },
     [] {
       for (int i = 0; i < 20; ++i) g_sink += EncodeBinary(*g_session)->size();
     }},
    {"decode_binary_65535", [] { SetupSession(65535); }, [] { g_sink += DecodeBinary(*g_bytes)->peers.size(); }},
    {"encode_binary_65535", [] { SetupSession(65535); }, [] { g_sink += EncodeBinary(*g_session)->size(); }},
    {"decode_native_65535", [] { SetupSession(65535); }, [] { g_sink += DecodeNativeString(*g_text)->peers.size(); }},
    {"encode_native_65535", [] { SetupSession(65535); }, [] { g_sink += EncodeNativeString(*g_session)->size(); }},
    {"json_roundtrip_1000", [] { SetupSession(1000); },
     [] {
       JsonWriteOptions o;
       o.reveal_secrets = true;
       g_sink += SessionFromJson(SessionToJson(*g_session, o))->peers.size();
     }},
    {"memory_cache_peer_10000",
     [] {
       SetupSession(10000);
       g_memory = new InMemoryBackend(*g_session);
       (void)g_memory->CachePeer(CachedPeer::User(1, 1));  // builds the index outside the measurement
     },
     [] {
       for (int i = 0; i < 10000; ++i) g_sink += g_memory->CachePeer(CachedPeer::User(500000000 + i, i)).ok();
     }},
};

}  // namespace

// Not static and not inlined: callgrind's --toggle-collect names it.
__attribute__((noinline)) void RunWorkload(const Workload& w) { w.run(); }

int Main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const Workload& w : kWorkloads) std::printf("%s\n", w.name);
    return 0;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: workload --list | workload NAME\n");
    return 2;
  }
  for (const Workload& w : kWorkloads) {
    if (std::strcmp(argv[1], w.name) == 0) {
      w.setup();
      RunWorkload(w);
      return 0;
    }
  }
  std::fprintf(stderr, "unknown workload %s\n", argv[1]);
  return 2;
}

}  // namespace bench
}  // namespace tgsession

int main(int argc, char** argv) { return tgsession::bench::Main(argc, argv); }
