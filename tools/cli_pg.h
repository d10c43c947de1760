// `tgsession pg ...`: administration of a PostgreSQL session store
// (PostgresStore), under the CLI's rules (cli_messages.h): one line per
// message, the connection string never echoed (the store is named
// postgres:DB@HOST:PORT), JSON through session/json_writer.h, and
// destructive commands only with --yes.
//
//   tgsession pg list    [--json] postgres:CONNSTRING/
//   tgsession pg stats   [--json] postgres:CONNSTRING/
//   tgsession pg release --yes [--note TEXT] postgres:CONNSTRING/NAME
//   tgsession pg delete  --yes postgres:CONNSTRING/NAME
//   tgsession pg migrate [--dry-run] postgres:CONNSTRING/
//
// Only `migrate` changes the schema; the others refuse an older one.
#ifndef TGSESSION_TOOLS_CLI_PG_H_
#define TGSESSION_TOOLS_CLI_PG_H_

#include <ostream>
#include <string>
#include <vector>

#include "backends/postgres_backend.h"
#include "tools/cli_messages.h"

namespace tgsession {
namespace cli {

// Runs `tgsession pg args...` (args excludes "pg"); returns the exit status
// (0 done, 1 failed, 2 usage).
int RunPg(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage lines of `pg`.
const char* PgUsage();

// The session list of `pg list` and `inspect postgres:CONNSTRING/`.
int PrintPgList(PostgresStore& store, bool json, std::ostream& out, MessageSink& err);

}  // namespace cli
}  // namespace tgsession

#endif  // TGSESSION_TOOLS_CLI_PG_H_
