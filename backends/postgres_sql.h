// The PostgreSQL store's SQL: the schema migrations and every statement the
// store and its backends run, in one place so the schema and the statements
// that depend on it are read together. Internal to //backends:postgres.
#ifndef TGSESSION_BACKENDS_POSTGRES_SQL_H_
#define TGSESSION_BACKENDS_POSTGRES_SQL_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "backends/postgres_backend.h"

namespace tgsession {
namespace postgres_sql {

// pg_advisory_xact_lock key that serializes schema migrations ("tgsmigr1").
inline constexpr int64_t kMigrationLockKey = 0x7467736d69677231;

// Schema migrations: kMigrations[v - 1] takes the schema from version v - 1
// to v. Each runs in the migration transaction; never edit a published one,
// append a new one (and bump PostgresStore::kSchemaVersion).
inline constexpr const char* kMigrations[] = {
    // Version 1.
    R"sql(
CREATE SEQUENCE tgs_ord_seq AS bigint;
COMMENT ON SEQUENCE tgs_ord_seq IS
  'tgsession: positions of rows in their lists (load order = first-write order)';

CREATE TABLE tgs_sessions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name              text NOT NULL UNIQUE,
  has_session       boolean NOT NULL DEFAULT false,
  home_dc_id        integer NOT NULL DEFAULT 0,
  pts               integer NOT NULL DEFAULT 0,
  qts               integer NOT NULL DEFAULT 0,
  update_date       integer NOT NULL DEFAULT 0,
  seq               integer NOT NULL DEFAULT 0,
  future_auth_token bytea,
  generation        bigint NOT NULL DEFAULT 0,
  lease_owner       text,
  lease_epoch       bigint NOT NULL DEFAULT 0,
  lease_expires     timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tgs_sessions_lease_epoch_key UNIQUE (id, lease_epoch)
);
COMMENT ON TABLE tgs_sessions IS
  'tgsession: one Telegram client session per name, and its ownership lease';
COMMENT ON CONSTRAINT tgs_sessions_lease_epoch_key ON tgs_sessions IS
  'makes lease_epoch a key column: writers hold FOR KEY SHARE on the row, so a lease takeover waits for writes in flight';

CREATE TABLE tgs_dcs (
  session_id  bigint NOT NULL REFERENCES tgs_sessions (id) ON DELETE CASCADE,
  ord         bigint NOT NULL DEFAULT nextval('tgs_ord_seq'),
  dc_id       integer NOT NULL,
  flags       smallint NOT NULL,
  addr        bytea NOT NULL,
  auth_key    bytea,
  first_salt  bigint NOT NULL,
  time_offset integer NOT NULL,
  PRIMARY KEY (session_id, ord)
);

CREATE TABLE tgs_channel_pts (
  session_id bigint NOT NULL REFERENCES tgs_sessions (id) ON DELETE CASCADE,
  ord        bigint NOT NULL DEFAULT nextval('tgs_ord_seq'),
  channel_id bigint NOT NULL,
  pts        integer NOT NULL,
  PRIMARY KEY (session_id, channel_id)
);

CREATE TABLE tgs_peers (
  session_id   bigint NOT NULL REFERENCES tgs_sessions (id) ON DELETE CASCADE,
  ord          bigint NOT NULL DEFAULT nextval('tgs_ord_seq'),
  peer_id      bigint NOT NULL,
  access_hash  bigint NOT NULL,
  peer_type    smallint NOT NULL,
  channel_kind smallint,
  is_community boolean NOT NULL,
  PRIMARY KEY (session_id, peer_id)
);

CREATE TABLE tgs_min_peers (
  session_id bigint NOT NULL REFERENCES tgs_sessions (id) ON DELETE CASCADE,
  ord        bigint NOT NULL DEFAULT nextval('tgs_ord_seq'),
  user_id    bigint NOT NULL,
  peer_id    bigint NOT NULL,
  msg_id     integer NOT NULL,
  PRIMARY KEY (session_id, user_id)
);
)sql",
    // Version 2: since when a lease is held, and why it was last forced
    // free (pg release), for List and for the fenced holder's error.
    R"sql(
ALTER TABLE tgs_sessions ADD COLUMN lease_acquired_at timestamptz, ADD COLUMN lease_note text;
COMMENT ON COLUMN tgs_sessions.lease_note IS
  'tgsession: why the lease was last forced free by an operator (tgsession pg release)';
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == PostgresStore::kSchemaVersion,
              "one migration per schema version");

inline constexpr char kCreateVersionTable[] = R"sql(
CREATE TABLE IF NOT EXISTS tgs_schema_version (
  id          integer PRIMARY KEY CHECK (id = 1),
  version     integer NOT NULL,
  migrated_at timestamptz NOT NULL DEFAULT now()
))sql";

// --- statements ------------------------------------------------------------------
//
// Every write names $1 session id, $2 owner, $3 epoch (the fence).

inline constexpr char kFenceWhere[] = "id = $1 AND lease_owner = $2 AND lease_epoch = $3";

// The session row, locked against takeovers (not against lease renewal or
// other writers' FOR KEY SHARE) until the transaction ends.
inline constexpr char kLockSession[] =
    "SELECT has_session FROM tgs_sessions WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 FOR KEY SHARE";

inline constexpr char kDeleteChildren[] =
    "WITH d AS (DELETE FROM tgs_dcs WHERE session_id = $1), "
    "c AS (DELETE FROM tgs_channel_pts WHERE session_id = $1), "
    "p AS (DELETE FROM tgs_peers WHERE session_id = $1) "
    "DELETE FROM tgs_min_peers WHERE session_id = $1";

inline constexpr char kInsertDc[] =
    "INSERT INTO tgs_dcs (session_id, dc_id, flags, addr, auth_key, first_salt, time_offset) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

inline constexpr char kSaveSessionRow[] =
    "UPDATE tgs_sessions SET has_session = true, home_dc_id = $4, pts = $5, qts = $6, update_date = $7, seq = $8, "
    "future_auth_token = $9, generation = generation + 1, updated_at = now() "
    "WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3";

inline constexpr char kClearSessionRow[] =
    "UPDATE tgs_sessions SET has_session = false, home_dc_id = 0, pts = 0, qts = 0, update_date = 0, seq = 0, "
    "future_auth_token = NULL, generation = generation + 1, updated_at = now() "
    "WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3";

// Single-statement upserts: the CTE `s` is the fence (no row when the lease
// is not ours: nothing is written); `m` marks the session as started when a
// granular operation comes first.
inline constexpr char kFencedCte[] =
    "WITH s AS (SELECT id FROM tgs_sessions WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 "
    "FOR KEY SHARE), "
    "m AS (UPDATE tgs_sessions SET has_session = true WHERE id = (SELECT id FROM s) AND NOT has_session) ";

inline std::string UpsertPeerSql() {
  return absl::StrCat(kFencedCte,
                      "INSERT INTO tgs_peers (session_id, peer_id, access_hash, peer_type, channel_kind, is_community) "
                      "SELECT id, $4, $5, $6, $7, $8 FROM s "
                      "ON CONFLICT (session_id, peer_id) DO UPDATE SET access_hash = EXCLUDED.access_hash, "
                      "peer_type = EXCLUDED.peer_type, channel_kind = EXCLUDED.channel_kind, "
                      "is_community = EXCLUDED.is_community");
}

inline std::string UpsertChannelSql() {
  return absl::StrCat(kFencedCte,
                      "INSERT INTO tgs_channel_pts (session_id, channel_id, pts) SELECT id, $4, $5 FROM s "
                      "ON CONFLICT (session_id, channel_id) DO UPDATE SET pts = EXCLUDED.pts");
}

// After the session row is locked: replaces the entry Session::UpsertDc
// replaces (same dc_id, same IPV6 and MEDIA_ONLY bits = flags & 3, first in
// order), keeping its position, or appends.
inline constexpr char kUpsertDc[] =
    "WITH t AS (SELECT ord FROM tgs_dcs WHERE session_id = $1 AND dc_id = $2 AND (flags & 3) = ($3 & 3) "
    "ORDER BY ord LIMIT 1), "
    "u AS (UPDATE tgs_dcs d SET flags = $3, addr = $4, auth_key = $5, first_salt = $6, time_offset = $7 "
    "FROM t WHERE d.session_id = $1 AND d.ord = t.ord) "
    "INSERT INTO tgs_dcs (session_id, dc_id, flags, addr, auth_key, first_salt, time_offset) "
    "SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM t)";

inline constexpr char kAcquireLease[] =
    "UPDATE tgs_sessions SET lease_owner = $2, lease_epoch = lease_epoch + 1, "
    "lease_expires = clock_timestamp() + $3::float8 * interval '1 millisecond', "
    "lease_acquired_at = clock_timestamp(), lease_note = NULL "
    "WHERE name = $1 AND (lease_owner IS NULL OR lease_expires IS NULL OR lease_expires <= clock_timestamp()) "
    "RETURNING id, lease_epoch";

inline constexpr char kLeaseHolder[] =
    "SELECT lease_owner, lease_epoch, "
    "(EXTRACT(EPOCH FROM (lease_expires - clock_timestamp())) * 1000)::bigint, "
    "(EXTRACT(EPOCH FROM lease_acquired_at) * 1000000)::bigint "
    "FROM tgs_sessions WHERE name = $1";

// Rows are locked in id order, as a group commit locks its sessions' rows:
// two transactions that lock the same rows in the same order cannot
// deadlock (a group of batches and a renewal did, in opposite orders).
inline constexpr char kRenewLeases[] =
    "UPDATE tgs_sessions t SET lease_expires = clock_timestamp() + $2::float8 * interval '1 millisecond' "
    "FROM (SELECT id FROM tgs_sessions WHERE lease_owner = $1 AND (id, lease_epoch) IN "
    "(SELECT * FROM unnest($3::bigint[], $4::bigint[])) ORDER BY id FOR NO KEY UPDATE) l "
    "WHERE t.id = l.id RETURNING t.id";

inline constexpr char kReleaseLease[] =
    "UPDATE tgs_sessions SET lease_owner = NULL, lease_expires = NULL, lease_acquired_at = NULL "
    "WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3";

// A write of the session row (a new row version, so the commit has WAL to
// flush) that changes nothing: Flush's durable commit.
inline constexpr char kTouchSession[] =
    "UPDATE tgs_sessions SET has_session = has_session WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3";

// An operator frees a lease: the epoch moves on (a key column, so this waits
// for the holder's writes in flight, and its later writes match nothing).
inline constexpr char kForceRelease[] =
    "UPDATE tgs_sessions t SET lease_owner = NULL, lease_expires = NULL, lease_acquired_at = NULL, "
    "lease_epoch = t.lease_epoch + 1, lease_note = $2 "
    "FROM (SELECT id, lease_owner, lease_epoch FROM tgs_sessions WHERE name = $1 FOR UPDATE) old "
    "WHERE t.id = old.id AND old.lease_owner IS NOT NULL "
    "RETURNING old.lease_owner, old.lease_epoch, t.lease_epoch";

// A batch in one statement. `s` fences (no row when the lease is not ours:
// nothing is written) and sets the counters that $4 and $8 say are set; the
// lists arrive as arrays, in order, each id once (LastPerKey), and take
// their positions in that order. channel_kind -1 is NULL.
inline constexpr char kApplyBatch[] =
    "WITH s AS (UPDATE tgs_sessions SET has_session = true, "
    "pts = CASE WHEN $4 THEN $5 ELSE pts END, update_date = CASE WHEN $4 THEN $6 ELSE update_date END, "
    "seq = CASE WHEN $4 THEN $7 ELSE seq END, qts = CASE WHEN $8 THEN $9 ELSE qts END "
    "WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 RETURNING id), "
    "p AS (INSERT INTO tgs_peers (session_id, peer_id, access_hash, peer_type, channel_kind, is_community) "
    "SELECT s.id, t.peer_id, t.access_hash, t.peer_type, NULLIF(t.channel_kind, -1), t.is_community "
    "FROM s, unnest($10::bigint[], $11::bigint[], $12::smallint[], $13::smallint[], $14::boolean[]) "
    "WITH ORDINALITY AS t(peer_id, access_hash, peer_type, channel_kind, is_community, n) ORDER BY t.n "
    "ON CONFLICT (session_id, peer_id) DO UPDATE SET access_hash = EXCLUDED.access_hash, "
    "peer_type = EXCLUDED.peer_type, channel_kind = EXCLUDED.channel_kind, is_community = EXCLUDED.is_community), "
    "m AS (INSERT INTO tgs_min_peers (session_id, user_id, peer_id, msg_id) "
    "SELECT s.id, t.user_id, t.peer_id, t.msg_id FROM s, unnest($15::bigint[], $16::bigint[], $17::integer[]) "
    "WITH ORDINALITY AS t(user_id, peer_id, msg_id, n) ORDER BY t.n "
    "ON CONFLICT (session_id, user_id) DO UPDATE SET peer_id = EXCLUDED.peer_id, msg_id = EXCLUDED.msg_id), "
    "c AS (INSERT INTO tgs_channel_pts (session_id, channel_id, pts) "
    "SELECT s.id, t.channel_id, t.pts FROM s, unnest($18::bigint[], $19::integer[]) "
    "WITH ORDINALITY AS t(channel_id, pts, n) ORDER BY t.n "
    "ON CONFLICT (session_id, channel_id) DO UPDATE SET pts = EXCLUDED.pts) "
    "SELECT id FROM s";

// Replaces a session's channel list (a batch holding a whole update state),
// in order, inside the batch's transaction after kLockSession.
inline constexpr char kReplaceChannels[] =
    "INSERT INTO tgs_channel_pts (session_id, channel_id, pts) "
    "SELECT $1, t.channel_id, t.pts FROM unnest($2::bigint[], $3::integer[]) WITH ORDINALITY AS t(channel_id, pts, n) "
    "ORDER BY t.n";

}  // namespace postgres_sql
}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_POSTGRES_SQL_H_
