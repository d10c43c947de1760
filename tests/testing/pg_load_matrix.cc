#include "tests/testing/pg_load_matrix.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "backends/postgres_backend.h"
#include "session/status_macros.h"
#include "tests/testing/pg_load.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/pgbouncer.h"
#include "tools/bench/client_workload.h"

namespace tgsession {
namespace testing {
namespace {

// The client workload (tools/bench/client_workload.h) on one session.
absl::Status ClientCost(const std::string& label, const std::string& conninfo, PostgresOptions o, int updates) {
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(conninfo, o));
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresBackend> b, store->OpenSession(absl::StrCat("client-", label)));
  TGS_RETURN_IF_ERROR(b->Save(NewSessionWithDefaults()));
  TGS_ASSIGN_OR_RETURN(std::vector<double> us, bench::RunClientWorkload(b.get(), updates, /*batched=*/true));
  std::printf("| %s | %.0f us | %.0f us | %.0f us |\n", label.c_str(), bench::Quantile(us, 0.5),
              bench::Quantile(us, 0.99), bench::Quantile(us, 1.0));
  std::fflush(stdout);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunPgLoadMatrix(const PgLoadMatrixOptions& options) {
  PgTestServer::Options so;
  so.tls = false;
  so.extra_conf = "max_connections = 300\n";
  TGS_ASSIGN_OR_RETURN(std::unique_ptr<PgTestServer> server, PgTestServer::Start(so));
  std::unique_ptr<PgBouncerTestProcess> bouncer;
  if (options.pgbouncer) {
    PgBouncerTestProcess::Options bo;
    bo.pool_size = 32;
    TGS_ASSIGN_OR_RETURN(bouncer, PgBouncerTestProcess::Start(*server, bo));
  }
  std::printf("%s, %u CPUs, PostgreSQL from %s (fsync on, synchronous_commit on), %s per configuration\n\n",
              "server and clients on this machine", std::thread::hardware_concurrency(), "Debian",
              absl::FormatDuration(options.duration).c_str());

  std::printf("Each process: one store with the default pool of 4 connections, 16 threads, 2 sessions a thread.\n\n"
              "| via | processes x threads | peers a call | group commit | commit | upserts/s | call p50 | "
              "call p99 |\n|---|---|---|---|---|---|---|---|\n");
  int n = 0;
  const auto run = [&](bool via_bouncer, int processes, int batch, bool group, bool durable) -> absl::Status {
    PgLoadConfig c;
    c.prefix = absl::StrCat("m", n++);
    c.conninfo = via_bouncer ? bouncer->Conninfo("tgs") : server->Conninfo("tgs");
    c.processes = processes;
    c.threads = 16;
    c.sessions_per_thread = 2;
    c.batch = batch;
    c.duration = options.duration;
    c.options.transaction_pooling = via_bouncer;
    c.options.granular_commit =
        durable ? PostgresOptions::GranularCommit::kDurable : PostgresOptions::GranularCommit::kAsync;
    if (group) c.options.group_commit_window = absl::Milliseconds(2);
    TGS_ASSIGN_OR_RETURN(PgLoadResult r, RunPgLoad(c));
    TGS_ASSIGN_OR_RETURN(const int64_t stored, CountLoadPeers(server->Conninfo("tgs"), c.prefix));
    if (stored != r.upserts) {
      return absl::DataLossError(absl::StrCat(c.prefix, ": ", r.upserts, " upserts acknowledged, ", stored, " stored"));
    }
    std::printf("| %s | %d x 16 | %d | %s | %s | %.0f | %.2f ms | %.2f ms |\n", via_bouncer ? "PgBouncer" : "direct",
                processes, batch, group ? "2 ms" : "off", durable ? "durable" : "async (default)",
                r.upserts_per_second(), r.p50_us / 1000, r.p99_us / 1000);
    std::fflush(stdout);
    return absl::OkStatus();
  };
  for (const bool via : {false, true}) {
    if (via && !options.pgbouncer) continue;
    for (const int processes : {1, 4}) {
      for (const int batch : {1, 50}) {
        for (const bool group : {false, true}) TGS_RETURN_IF_ERROR(run(via, processes, batch, group, true));
      }
    }
  }
  for (const int processes : {1, 4}) TGS_RETURN_IF_ERROR(run(false, processes, 1, false, false));

  if (options.client_updates > 0) {
    std::printf("\nA client: one session, 200 updates a second, each 3 peers + pts as one ApplyChanges (%d calls)\n\n"
                "| commit | p50 | p99 | max |\n|---|---|---|---|\n",
                options.client_updates);
    PostgresOptions async_o, durable_o, pooled_o;
    durable_o.granular_commit = PostgresOptions::GranularCommit::kDurable;
    pooled_o.transaction_pooling = true;
    TGS_RETURN_IF_ERROR(ClientCost("async (default), direct", server->Conninfo("tgs"), async_o, options.client_updates));
    TGS_RETURN_IF_ERROR(ClientCost("durable, direct", server->Conninfo("tgs"), durable_o, options.client_updates));
    if (options.pgbouncer) {
      TGS_RETURN_IF_ERROR(
          ClientCost("async (default), PgBouncer", bouncer->Conninfo("tgs"), pooled_o, options.client_updates));
    }
  }
  return absl::OkStatus();
}

}  // namespace testing
}  // namespace tgsession
