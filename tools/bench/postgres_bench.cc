// PostgresBackend load figures (docs/postgres.md): starts its own server and
// PgBouncer (as the tests do: run as root, Debian's postgresql and
// pgbouncer) and prints the tables of tests/testing/pg_load_matrix.h.
//
//   bazel run -c opt //tools/bench:postgres_bench -- [--seconds=10] [--no-pgbouncer]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "tests/testing/pg_load_matrix.h"

int main(int argc, char** argv) {
  tgsession::testing::PgLoadMatrixOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    int seconds = 0;
    if (absl::StartsWith(a, "--seconds=") && absl::SimpleAtoi(a.substr(10), &seconds) && seconds > 0) {
      o.duration = absl::Seconds(seconds);
    } else if (a == "--no-pgbouncer") {
      o.pgbouncer = false;
    } else {
      std::fprintf(stderr, "usage: postgres_bench [--seconds=N] [--no-pgbouncer]\n");
      return 2;
    }
  }
  const absl::Status s = tgsession::testing::RunPgLoadMatrix(o);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
