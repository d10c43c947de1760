// The SQLite we link is the one BUILD.sqlite generates from Debian's source
// package, with our compile options and Debian's patches: not a system
// library that happens to be installed. Runs natively and in WebAssembly.
#include <sqlite3.h>

#include <cstring>
#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace {

TEST(Sqlite3Test, IsThePinnedBuild) {
  EXPECT_EQ(SQLITE_VERSION_NUMBER, 3040001);
  EXPECT_EQ(sqlite3_libversion_number(), SQLITE_VERSION_NUMBER);
  EXPECT_STREQ(sqlite3_sourceid(), SQLITE_SOURCE_ID);
  for (const char* option : {"DEFAULT_MEMSTATUS=0", "SECURE_DELETE", "TEMP_STORE=3", "OMIT_LOAD_EXTENSION",
                             "OMIT_SHARED_CACHE", "OMIT_DEPRECATED", "LIKE_DOESNT_MATCH_BLOBS"}) {
    EXPECT_TRUE(sqlite3_compileoption_used(option)) << option;
  }
#ifdef __EMSCRIPTEN__
  // The WebAssembly options (BUILD.sqlite: _WASM_OPTIONS).
  for (const char* option : {"THREADSAFE=0", "MAX_MMAP_SIZE=0", "OMIT_JSON", "OMIT_UTF16"}) {
    EXPECT_TRUE(sqlite3_compileoption_used(option)) << option;
  }
#else
  EXPECT_TRUE(sqlite3_compileoption_used("THREADSAFE=1"));
#endif
  // Debian's libsqlite3 has these; ours does not.
  EXPECT_FALSE(sqlite3_compileoption_used("ENABLE_LOAD_EXTENSION"));
  EXPECT_FALSE(sqlite3_compileoption_used("ENABLE_FTS3"));
}

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

std::unique_ptr<sqlite3, Closer> OpenMemory() {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
  return std::unique_ptr<sqlite3, Closer>(db);
}

// Debian's CVE-2025-6965 patch (42-CVE-2025-6965.patch): more aggregate
// terms than SQLITE_LIMIT_COLUMN is an error instead of an overflow of an
// i16 index. Without the patch the query below runs.
TEST(Sqlite3Test, DebianSecurityPatchIsApplied) {
  auto db = OpenMemory();
  ASSERT_EQ(sqlite3_exec(db.get(), "CREATE TABLE t(c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12)", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_limit(db.get(), SQLITE_LIMIT_COLUMN, 8);
  sqlite3_stmt* st = nullptr;
  const int rc = sqlite3_prepare_v2(db.get(), "SELECT c1+c2+c3+c4+c5+c6+c7+c8+c9+c10+c11+c12, count(*) FROM t",
                                    -1, &st, nullptr);
  sqlite3_finalize(st);
  EXPECT_EQ(rc, SQLITE_ERROR);
  EXPECT_STREQ(sqlite3_errmsg(db.get()), "more than 8 aggregate terms");
}

// What the session-file converters rely on: a database image serialized
// from memory and opened again from bytes, without any file.
TEST(Sqlite3Test, SerializeAndDeserialize) {
  auto db = OpenMemory();
  ASSERT_EQ(sqlite3_exec(db.get(), "CREATE TABLE t(x); INSERT INTO t VALUES ('kept')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(db.get(), "main", &size, 0);
  ASSERT_NE(image, nullptr);
  ASSERT_GT(size, 0);
  EXPECT_EQ(std::memcmp(image, "SQLite format 3", 16), 0);

  auto copy = OpenMemory();
  ASSERT_EQ(sqlite3_deserialize(copy.get(), "main", image, size, size,
                                SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(copy.get(), "SELECT x FROM t", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))), "kept");
  sqlite3_finalize(st);
}

}  // namespace
