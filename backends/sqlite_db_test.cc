// The SQLite helper: result-code mapping, file creation mode, binding and
// typed columns, the sticky bind error, and the Transaction guard's promise
// that every transaction ends with COMMIT or ROLLBACK.
#include "backends/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/file_system.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace sqlite {
namespace {

using ::tgsession::testing::MakeTempDir;

std::string TestDir() {
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  return MakeTempDir(absl::StrCat(t->test_suite_name(), "_", t->name()));
}

Db OpenOrDie(const std::string& path, OpenOptions o = {}) {
  absl::StatusOr<Db> db = Db::Open(path, o);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : Db();
}

int64_t CountRows(Db& db, const std::string& table) {
  absl::StatusOr<int64_t> n = db.QueryInt(absl::StrCat("SELECT count(*) FROM ", table));
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : -1;
}

TEST(SqliteCodes, MapToTheMostSpecificStatus) {
  struct Case {
    int rc;
    int sys_errno;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {SQLITE_BUSY, 0, absl::StatusCode::kUnavailable},
      {SQLITE_BUSY_SNAPSHOT, 0, absl::StatusCode::kUnavailable},
      {SQLITE_LOCKED, 0, absl::StatusCode::kUnavailable},
      {SQLITE_IOERR_WRITE, 0, absl::StatusCode::kUnavailable},
      {SQLITE_IOERR_NOMEM, 0, absl::StatusCode::kResourceExhausted},
      {SQLITE_FULL, 0, absl::StatusCode::kResourceExhausted},
      {SQLITE_NOMEM, 0, absl::StatusCode::kResourceExhausted},
      {SQLITE_TOOBIG, 0, absl::StatusCode::kResourceExhausted},
      {SQLITE_CORRUPT, 0, absl::StatusCode::kDataLoss},
      {SQLITE_CORRUPT_INDEX, 0, absl::StatusCode::kDataLoss},
      {SQLITE_NOTADB, 0, absl::StatusCode::kDataLoss},
      {SQLITE_CANTOPEN, ENOENT, absl::StatusCode::kNotFound},
      {SQLITE_CANTOPEN, EACCES, absl::StatusCode::kPermissionDenied},
      {SQLITE_CANTOPEN, EROFS, absl::StatusCode::kPermissionDenied},
      {SQLITE_READONLY, 0, absl::StatusCode::kPermissionDenied},
      {SQLITE_CONSTRAINT_PRIMARYKEY, 0, absl::StatusCode::kAlreadyExists},
      {SQLITE_CONSTRAINT_UNIQUE, 0, absl::StatusCode::kAlreadyExists},
      {SQLITE_CONSTRAINT_TRIGGER, 0, absl::StatusCode::kFailedPrecondition},
      {SQLITE_CONSTRAINT_NOTNULL, 0, absl::StatusCode::kFailedPrecondition},
      {SQLITE_MISMATCH, 0, absl::StatusCode::kInvalidArgument},
      {SQLITE_INTERRUPT, 0, absl::StatusCode::kCancelled},
      {SQLITE_ABORT_ROLLBACK, 0, absl::StatusCode::kAborted},
      {SQLITE_ERROR, 0, absl::StatusCode::kInternal},
      {SQLITE_MISUSE, 0, absl::StatusCode::kInternal},
      {SQLITE_RANGE, 0, absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusCodeForSqlite(c.rc, c.sys_errno), c.code) << SqliteCodeName(c.rc);
  }
  // SQLITE_CANTOPEN's errno maps as the file layer maps it (one mapping).
  for (int err : {ENOENT, ENOTDIR, EACCES, EPERM, EROFS, EISDIR, ELOOP, EMFILE, ENAMETOOLONG}) {
    EXPECT_EQ(StatusCodeForSqlite(SQLITE_CANTOPEN, err), StatusCodeForErrno(err, FsOp::kOpen)) << err;
  }
  EXPECT_EQ(StatusCodeForSqlite(SQLITE_CANTOPEN, 0), absl::StatusCode::kNotFound);
  EXPECT_EQ(SqliteCodeName(SQLITE_CONSTRAINT_PRIMARYKEY), "SQLITE_CONSTRAINT_PRIMARYKEY");
  EXPECT_EQ(SqliteCodeName(SQLITE_BUSY), "SQLITE_BUSY");
  EXPECT_EQ(SqliteCodeName(SQLITE_IOERR_MMAP), "SQLITE_IOERR (extended code 6154)");
  // Never an OK status for a failure, whatever the code.
  EXPECT_EQ(SqliteStatus(SQLITE_OK, "odd", "ctx").code(), absl::StatusCode::kInternal);
  absl::Status s = SqliteStatus(SQLITE_FULL, "database or disk is full", "saving");
  EXPECT_EQ(s.message(), "saving: database or disk is full (SQLITE_FULL)");
}

TEST(SqliteOpenTest, CreatesTheFileWithTheExactModeWhateverTheUmask) {
  const std::string dir = TestDir();
  for (const mode_t mask : {mode_t{0000}, mode_t{0277}}) {
    const mode_t old = ::umask(mask);
    const std::string path = absl::StrCat(dir, "/m", mask, ".db");
    {
      Db db = OpenOrDie(path);
      EXPECT_TRUE(db.created());
      ASSERT_TRUE(db.Exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x)").ok());
      for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
        struct stat st;
        ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << f << " umask " << mask;
      }
    }
    ::umask(old);
    Db again = OpenOrDie(path);
    EXPECT_FALSE(again.created());
  }
}

TEST(SqliteOpenTest, Failures) {
  const std::string dir = TestDir();
  OpenOptions must_exist;
  must_exist.mode = OpenOptions::Mode::kReadWrite;
  EXPECT_EQ(Db::Open(dir + "/missing.db", must_exist).status().code(), absl::StatusCode::kNotFound);
  must_exist.mode = OpenOptions::Mode::kReadOnly;
  EXPECT_EQ(Db::Open(dir + "/missing.db", must_exist).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Db::Open(dir + "/no/dir/x.db").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Db::Open("").status().code(), absl::StatusCode::kInvalidArgument);

  const std::string garbage = dir + "/garbage.db";
  {
    std::ofstream out(garbage, std::ios::binary);
    for (int i = 0; i < 100; ++i) out << "definitely not a database page ";
  }
  absl::StatusOr<Db> db = Db::Open(garbage);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(db.status().message(), "SQLITE_NOTADB")) << db.status();
  EXPECT_TRUE(absl::StrContains(db.status().message(), garbage)) << db.status();
}

// A folder where the database should be: SQLite's open and the file layer's
// open fail with the same code.
TEST(SqliteOpenTest, FailsAsTheFileLayerDoes) {
  const std::string dir = TestDir();
  absl::StatusOr<Db> db = Db::Open(dir);
  ASSERT_FALSE(db.ok());
  const absl::StatusOr<int> fd = PosixFileSystem()->Open(dir, O_RDWR, 0);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument) << db.status();
  EXPECT_EQ(db.status().code(), fd.status().code()) << db.status() << " / " << fd.status();
}

TEST(SqliteOpenTest, ReadOnlyRefusesWrites) {
  const std::string path = TestDir() + "/ro.db";
  {
    Db db = OpenOrDie(path);
    ASSERT_TRUE(db.Exec("CREATE TABLE t (x)").ok());
  }
  OpenOptions ro;
  ro.mode = OpenOptions::Mode::kReadOnly;
  Db db = OpenOrDie(path, ro);
  EXPECT_TRUE(db.ReadOnly());
  absl::Status s = db.Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "SQLITE_READONLY")) << s;
}

TEST(SqliteOpenTest, DefensiveSettings) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  absl::StatusOr<int64_t> trusted = db->QueryInt("PRAGMA trusted_schema");
  ASSERT_TRUE(trusted.ok());
  EXPECT_EQ(*trusted, 0);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x)").ok());
  // Defensive mode: the schema cannot be edited behind SQLite's back.
  ASSERT_TRUE(db->Exec("PRAGMA writable_schema = ON").ok());
  const absl::Status edit = db->Exec("UPDATE sqlite_master SET sql = 'CREATE TABLE t (y)' WHERE name = 't'");
  EXPECT_EQ(edit.code(), absl::StatusCode::kInternal) << edit;  // SQLITE_ERROR
  EXPECT_TRUE(absl::StrContains(edit.message(), "may not be modified")) << edit;
}

TEST(SqliteOpenTest, ValueSizeCapIsEnforcedOnRead) {
  const std::string path = TestDir() + "/big.db";
  {
    Db db = OpenOrDie(path);
    ASSERT_TRUE(db.Exec("CREATE TABLE t (b BLOB); INSERT INTO t VALUES (zeroblob(100000))").ok());
  }
  OpenOptions small;
  small.max_value_bytes = 1000;
  Db db = OpenOrDie(path, small);
  absl::StatusOr<int64_t> n = db.QueryInt("SELECT length(b) FROM t");  // length() needs no value
  ASSERT_TRUE(n.ok()) << n.status();
  absl::StatusOr<Statement> st = db.Prepare("SELECT b FROM t");
  ASSERT_TRUE(st.ok());
  absl::StatusOr<bool> row = st->Step();
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), absl::StatusCode::kResourceExhausted) << row.status();
}

TEST(SqliteStatementTest, BindingAndTypedColumns) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a, b, c, d, e)").ok());
  absl::StatusOr<Statement> ins = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
  ASSERT_TRUE(ins.ok()) << ins.status();
  const std::string text_with_nul("a\0b\xff", 4);  // NUL and invalid UTF-8 kept as bytes
  ins->BindInt(1, INT64_MIN)
      .BindText(2, text_with_nul)
      .BindBlob(3, absl::string_view())
      .BindNull(4)
      .BindBlob(5, absl::string_view("\x01\x02", 2));
  ASSERT_TRUE(ins->Run().ok());

  absl::StatusOr<Statement> sel = db->Prepare("SELECT a, b, c, d, e, typeof(c) FROM t");
  ASSERT_TRUE(sel.ok());
  absl::StatusOr<bool> row = sel->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(sel->ColumnCount(), 6);
  EXPECT_EQ(sel->ColumnName(1), "b");
  EXPECT_EQ(sel->ColumnType(0), ValueType::kInteger);
  EXPECT_EQ(sel->ColumnInt(0), INT64_MIN);
  EXPECT_EQ(sel->ColumnType(1), ValueType::kText);
  EXPECT_EQ(sel->ColumnText(1), text_with_nul);
  // An empty blob stays a blob, not NULL.
  EXPECT_EQ(sel->ColumnType(2), ValueType::kBlob);
  EXPECT_EQ(sel->ColumnBytes(2), 0u);
  EXPECT_EQ(sel->ColumnText(5), "blob");
  EXPECT_EQ(sel->ColumnType(3), ValueType::kNull);
  EXPECT_EQ(sel->ColumnBlob(4), absl::string_view("\x01\x02", 2));
  row = sel->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
  // Finished statements restart.
  row = sel->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(*row);
  EXPECT_EQ(ValueTypeName(ValueType::kFloat), "real");

  // A default (null) string_view is empty text, not NULL.
  absl::StatusOr<Statement> empty = db->Prepare("SELECT typeof(?1), length(?1)");
  ASSERT_TRUE(empty.ok());
  empty->BindText(1, absl::string_view());
  row = empty->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(empty->ColumnText(0), "text");
  EXPECT_EQ(empty->ColumnInt(1), 0);
}

TEST(SqliteStatementTest, FirstBindErrorSticksUntilReset) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a)").ok());
  absl::StatusOr<Statement> ins = db->Prepare("INSERT INTO t VALUES (?1)");
  ASSERT_TRUE(ins.ok());
  ins->BindInt(7, 1).BindInt(1, 5);
  absl::Status s = ins->Run();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "binding parameter 7")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "SQLITE_RANGE")) << s;
  EXPECT_EQ(CountRows(*db, "t"), 0);
  ins->BindInt(1, 5);  // Run() reset the statement and the error
  EXPECT_TRUE(ins->Run().ok());
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

TEST(SqliteStatementTest, ErrorsNameTheStatementButNoValues) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, secret BLOB)").ok());
  absl::StatusOr<Statement> ins = db->Prepare("INSERT INTO t (k, secret) VALUES (?1, ?2)");
  ASSERT_TRUE(ins.ok());
  ins->BindInt(1, 1).BindBlob(2, absl::string_view("TOPSECRETKEY"));
  ASSERT_TRUE(ins->Run().ok());
  ins->BindInt(1, 1).BindBlob(2, absl::string_view("TOPSECRETKEY"));
  absl::Status s = ins->Run();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "UNIQUE constraint failed: t.k")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "INSERT INTO t (k, secret)")) << s;
  EXPECT_FALSE(absl::StrContains(s.message(), "TOPSECRET")) << s;
  EXPECT_EQ(db->Prepare("SELEKT 1").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(db->Prepare("  ").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SqliteDbTest, SchemaQueries) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE \"odd \"\"name\" (a INTEGER, b TEXT)").ok());
  absl::StatusOr<bool> has = db->HasTable("odd \"name");
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*has);
  has = db->HasTable("nope");
  ASSERT_TRUE(has.ok());
  EXPECT_FALSE(*has);
  absl::StatusOr<std::vector<std::string>> cols = db->TableColumns("odd \"name");
  ASSERT_TRUE(cols.ok());
  EXPECT_EQ(*cols, (std::vector<std::string>{"a", "b"}));
  cols = db->TableColumns("nope");
  ASSERT_TRUE(cols.ok());
  EXPECT_TRUE(cols->empty());
  // AUTOINCREMENT makes SQLite add sqlite_sequence, which is not listed.
  ASSERT_TRUE(db->Exec("CREATE TABLE a_first (x INTEGER PRIMARY KEY AUTOINCREMENT)").ok());
  absl::StatusOr<std::vector<std::string>> tables = db->TableNames();
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(*tables, (std::vector<std::string>{"a_first", "odd \"name"}));
  absl::StatusOr<std::string> mode = db->QueryText("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "memory");
  EXPECT_EQ(db->QueryInt("SELECT 1 WHERE 0").status().code(), absl::StatusCode::kNotFound);
}

// --- Transaction ---------------------------------------------------------------

TEST(SqliteTransactionTest, DestructorRollsBack) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a)").ok());
  {
    absl::StatusOr<Transaction> txn = Transaction::Begin(*db, Transaction::Kind::kImmediate);
    ASSERT_TRUE(txn.ok()) << txn.status();
    EXPECT_TRUE(db->InTransaction());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(CountRows(*db, "t"), 0);
  {
    absl::StatusOr<Transaction> txn = Transaction::Begin(*db, Transaction::Kind::kDeferred);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(txn->Commit().ok());
    EXPECT_FALSE(txn->active());
    EXPECT_EQ(txn->Commit().code(), absl::StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

TEST(SqliteTransactionTest, NoNesting) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  absl::StatusOr<Transaction> outer = Transaction::Begin(*db, Transaction::Kind::kImmediate);
  ASSERT_TRUE(outer.ok());
  absl::StatusOr<Transaction> inner = Transaction::Begin(*db, Transaction::Kind::kImmediate);
  EXPECT_EQ(inner.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(db->InTransaction());  // the outer one is untouched
  EXPECT_TRUE(outer->Rollback().ok());
  EXPECT_FALSE(db->InTransaction());
}

TEST(SqliteTransactionTest, FailedCommitRollsBack) {
  // A deferred foreign key is checked at COMMIT; SQLite then keeps the
  // transaction open. The guard must not.
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("PRAGMA foreign_keys = ON;"
                       "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                       "CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);")
                  .ok());
  absl::StatusOr<Transaction> txn = Transaction::Begin(*db, Transaction::Kind::kImmediate);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(db->Exec("INSERT INTO c VALUES (5)").ok());
  absl::Status s = txn->Commit();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "SQLITE_CONSTRAINT_FOREIGNKEY")) << s;
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(CountRows(*db, "c"), 0);
}

TEST(SqliteTransactionTest, DiskFullEndsTheTransaction) {
  const std::string path = TestDir() + "/full.db";
  Db db = OpenOrDie(path);
  ASSERT_TRUE(db.Exec("CREATE TABLE t (b BLOB); PRAGMA max_page_count = 20").ok());
  {
    absl::StatusOr<Transaction> txn = Transaction::Begin(db, Transaction::Kind::kImmediate);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (x'01')").ok());
    absl::Status full = db.Exec("INSERT INTO t VALUES (zeroblob(1000000))");
    EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
    // Whether SQLite rolled the transaction back itself or not, Commit()
    // reports failure or commits only the statements that succeeded; it never
    // leaves the transaction open.
    absl::Status c = txn->Commit();
    EXPECT_FALSE(db.InTransaction()) << c;
  }
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (x'02')").ok());  // usable afterwards
}

TEST(SqliteTransactionTest, RollbackWithARunningReadStatement) {
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a); INSERT INTO t VALUES (1), (2), (3)").ok());
  absl::StatusOr<Statement> sel = db->Prepare("SELECT a FROM t");
  ASSERT_TRUE(sel.ok());
  {
    absl::StatusOr<Transaction> txn = Transaction::Begin(*db, Transaction::Kind::kImmediate);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (4)").ok());
    absl::StatusOr<bool> row = sel->Step();  // left mid-iteration
    ASSERT_TRUE(row.ok() && *row);
  }
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(CountRows(*db, "t"), 3);
}

TEST(SqliteTransactionTest, RollbackWithARunningWriteStatement) {
  // A write statement stopped mid-way (RETURNING hands out rows before it
  // finishes). SQLite 3.40 aborts it on ROLLBACK; older versions refused the
  // ROLLBACK with SQLITE_BUSY, which the guard answers by resetting the
  // connection's statements and trying again.
  absl::StatusOr<Db> db = Db::OpenInMemory();
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a); INSERT INTO t VALUES (1)").ok());
  absl::StatusOr<Statement> ins = db->Prepare("INSERT INTO t SELECT a + 10 FROM t RETURNING a");
  ASSERT_TRUE(ins.ok()) << ins.status();
  {
    absl::StatusOr<Transaction> txn = Transaction::Begin(*db, Transaction::Kind::kImmediate);
    ASSERT_TRUE(txn.ok());
    absl::StatusOr<bool> row = ins->Step();
    ASSERT_TRUE(row.ok() && *row);
  }
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(CountRows(*db, "t"), 1);
  ins->Reset();
  EXPECT_TRUE(ins->Run().ok());  // the statement is usable again
  EXPECT_EQ(CountRows(*db, "t"), 2);
}

TEST(SqliteTransactionTest, BusyIsUnavailable) {
  const std::string path = TestDir() + "/busy.db";
  Db a = OpenOrDie(path);
  ASSERT_TRUE(a.Exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x)").ok());
  OpenOptions impatient;
  impatient.busy_timeout_ms = 0;
  Db b = OpenOrDie(path, impatient);
  absl::StatusOr<Transaction> ta = Transaction::Begin(a, Transaction::Kind::kImmediate);
  ASSERT_TRUE(ta.ok());
  absl::StatusOr<Transaction> tb = Transaction::Begin(b, Transaction::Kind::kImmediate);
  ASSERT_FALSE(tb.ok());
  EXPECT_EQ(tb.status().code(), absl::StatusCode::kUnavailable) << tb.status();
  EXPECT_TRUE(absl::StrContains(tb.status().message(), "SQLITE_BUSY")) << tb.status();
  EXPECT_FALSE(b.InTransaction());
  ASSERT_TRUE(ta->Commit().ok());
  absl::StatusOr<Transaction> retry = Transaction::Begin(b, Transaction::Kind::kImmediate);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->Commit().ok());
}

}  // namespace
}  // namespace sqlite
}  // namespace tgsession
