// Power cuts, simulated (tests/testing/power_loss_file_system.h): the save
// path, the journal in each durability mode, compaction and close are cut
// after every state-changing file-system call of a scripted workload, and at
// random points of random workloads, under every loss model. After each cut
// the session files are reopened and must load, without error, a state the
// mode promises (README, "Durability"):
//   Save(), Flush(), Compact() and a clean close: durable once they return.
//   kEveryOperation: every acknowledged granular change is durable.
//   kGroupCommit (the default): a change is durable once a sync that began
//     after it completed (the background thread's, Flush's, a fold's); the
//     scripted and random workloads hold the thread off (one thread, the
//     same calls every run), GroupCommitLosesAtMostItsWindow runs it.
//   kNone: changes are durable only through Save/Flush/Compact/close.
//   In every mode UpdateDc and SetHomeDc are durable when they return
//   (durable_key_writes, on by default; the workloads run both settings).
//   A batch (ApplyChanges) is one unit: the states allowed after a cut are
//   those before and after each call, never part of a batch.
// and never anything but the state after some acknowledged call or the one
// in flight: no mix, no corrupt file, no resurrected change.
#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backends/binary_file_backend.h"
#include "backends/changes.h"
#include "backends/file_system.h"
#include "gtest/gtest.h"
#include "tests/testing/power_loss_file_system.h"
#include "tests/testing/test_util.h"

namespace tgsession {
namespace testing {
namespace {

using Options = BinaryFileBackend::Options;
using Mode = BinaryFileBackend::Sync;

constexpr PowerLoss kModels[] = {PowerLoss::kDropUnsynced, PowerLoss::kMetadataFirst, PowerLoss::kDataFirst,
                                 PowerLoss::kRandom};

AuthKey Key(uint8_t seed) {
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  return AuthKey(raw);
}

Session BaseSession(int variant) {
  Session s;
  s.home_dc_id = 2;
  DcEntry dc = DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags());
  dc.auth_key = Key(static_cast<uint8_t>(variant));
  dc.first_salt = variant;
  s.dcs.push_back(dc);
  s.dcs.push_back(DcEntry::FromParts(4, "149.154.167.92", 443, DcFlags(DcFlags::kMediaOnly)));
  s.updates_state.pts = 100 + variant;
  s.updates_state.SetChannelPts(5000, variant);
  for (int i = 0; i < 3; ++i) s.CachePeer(CachedPeer::User(1000 * variant + i, i));
  s.CachePeer(CachedPeer::Channel(77, 78, ChannelKind::kMegagroup));
  return s;
}

// --- the steps of a workload ----------------------------------------------

enum class Kind { kOpen, kSave, kGranular, kFlush, kCompact, kClose, kKill, kAwaitBackgroundSync };

struct Step {
  Kind kind;
  std::string what;
  std::function<absl::Status(BinaryFileBackend&)> run;  // kGranular
  std::function<void(Session&)> apply;                   // kGranular
  Session saved;                                         // kSave
  std::optional<Mode> mode;                              // kOpen: other than the workload's
  bool key_write = false;                                // kGranular: UpdateDc, SetHomeDc
};

Step Open() { return Step{Kind::kOpen, "open", nullptr, nullptr, {}, {}}; }
Step OpenAs(Mode m) { return Step{Kind::kOpen, "open in another mode", nullptr, nullptr, {}, m}; }
Step Close() { return Step{Kind::kClose, "close", nullptr, nullptr, {}, {}}; }
// The process dies (SIGKILL): nothing of it runs any more, not even close.
Step Kill() { return Step{Kind::kKill, "kill", nullptr, nullptr, {}, {}}; }
Step Flush() { return Step{Kind::kFlush, "Flush", nullptr, nullptr, {}, {}}; }
Step Compact() { return Step{Kind::kCompact, "Compact", nullptr, nullptr, {}, {}}; }
// Waits (up to 5 s) for the group-commit thread to make every change so far
// durable.
Step AwaitBackgroundSync() {
  return Step{Kind::kAwaitBackgroundSync, "waiting for the background sync", nullptr, nullptr, {}, {}};
}
Step Save(const Session& s) { return Step{Kind::kSave, "Save", nullptr, nullptr, s, {}}; }

Step Peer(int64_t id, int64_t hash) {
  const CachedPeer p = CachedPeer::User(id, hash);
  return Step{Kind::kGranular, absl::StrCat("CachePeer ", id), [p](BinaryFileBackend& b) { return b.CachePeer(p); },
              [p](Session& s) { s.CachePeer(p); }, {}, {}};
}
Step Dc(int32_t id, uint8_t key) {
  DcEntry e = DcEntry::FromParts(id, absl::StrCat("10.0.0.", id), 443, DcFlags());
  e.auth_key = Key(key);
  return Step{Kind::kGranular, absl::StrCat("UpdateDc ", id), [e](BinaryFileBackend& b) { return b.UpdateDc(e); },
              [e](Session& s) { s.UpsertDc(e); }, {}, {}, /*key_write=*/true};
}
Step Home(int32_t id) {
  return Step{Kind::kGranular, absl::StrCat("SetHomeDc ", id), [id](BinaryFileBackend& b) { return b.SetHomeDc(id); },
              [id](Session& s) { s.home_dc_id = id; }, {}, {}, /*key_write=*/true};
}
// An update's peers, a min-peer context, pts and a channel's pts in one
// ApplyChanges: one journal record.
Step Batch(int seed, int peers) {
  auto o = std::make_shared<OwnedSessionChanges>();
  for (int i = 0; i < peers; ++i) o->peers.push_back(CachedPeer::User(50000 + (seed * 7 + i) % 60, seed * 100 + i));
  o->min_peers.push_back({60000 + seed % 5, -100, seed});
  o->updates.push_back(UpdateStateChange::Primary(1000 + seed, 1700000000, seed));
  o->updates.push_back(UpdateStateChange::Channel(5000, seed));
  return Step{Kind::kGranular, absl::StrCat("ApplyChanges of ", peers, " peers"),
              [o](BinaryFileBackend& b) { return b.ApplyChanges(o->view()); },
              [o](Session& s) { o->view().ApplyTo(s); }, {}, {}};
}
Step Pts(int32_t pts) {
  const UpdateStateChange c = UpdateStateChange::Primary(pts, 1700000000 + pts, pts / 2);
  return Step{Kind::kGranular, absl::StrCat("pts ", pts), [c](BinaryFileBackend& b) { return b.ApplyUpdateState(c); },
              [c](Session& s) { s.ApplyUpdateState(c); }, {}, {}};
}
Step ChannelPts(int64_t channel, int32_t pts) {
  const UpdateStateChange c = UpdateStateChange::Channel(channel, pts);
  return Step{Kind::kGranular, absl::StrCat("channel pts ", channel),
              [c](BinaryFileBackend& b) { return b.ApplyUpdateState(c); },
              [c](Session& s) { s.ApplyUpdateState(c); }, {}, {}};
}

// Whether a step that returned OK is durable with `o` (and mode `mode`).
bool Durable(const Step& step, Mode mode, const Options& o) {
  switch (step.kind) {
    case Kind::kOpen:
    case Kind::kKill:
    case Kind::kAwaitBackgroundSync:  // judged by what the thread synced
      return false;
    case Kind::kGranular:
      return mode == Mode::kEveryOperation || (step.key_write && o.durable_key_writes);
    case Kind::kSave:
    case Kind::kFlush:
    case Kind::kCompact:
    case Kind::kClose:
      return true;
  }
  return false;
}

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kEveryOperation:
      return "kEveryOperation";
    case Mode::kGroupCommit:
      return "kGroupCommit";
    case Mode::kNone:
      return "kNone";
  }
  return "?";
}

std::string Describe(const std::optional<Session>& s) { return s ? s->DebugString() : "no session"; }

// --- one run: the workload until the cut, the power loss, the check --------

struct Workload {
  std::string dir, path;
  Options options;  // fs is set per run
  std::vector<Step> steps;
};

// Whether the change a write made (event `w`) is durable by the end of
// `events`: the same file was fsynced after it and its name had been made
// durable (a folder fsync after the rename that named it), or a snapshot
// was renamed into place after it and the folder fsynced after that.
bool DurableAfter(const std::vector<PowerLossFileSystem::Event>& events, const PowerLossFileSystem::Event& w,
                  const std::string& snapshot) {
  int64_t named = 0, synced = 0, dir_synced = 0, snapshot_renamed = 0;
  bool folded = false;
  for (const PowerLossFileSystem::Event& e : events) {
    if (e.op == FsOp::kRename && e.inode == w.inode) named = e.seq;
    if (e.op == FsOp::kDirFsync) dir_synced = e.seq;
    if (e.seq <= w.seq) continue;
    if (e.op == FsOp::kFsync && e.inode == w.inode) synced = e.seq;
    if (e.op == FsOp::kRename && e.name == snapshot) snapshot_renamed = e.seq;
    if (e.op == FsOp::kDirFsync && snapshot_renamed != 0) folded = true;
  }
  return folded || (synced != 0 && (named == 0 || dir_synced > named));
}

// The last write to the journal among `events` with a number in (from, to].
const PowerLossFileSystem::Event* LastJournalWrite(const std::vector<PowerLossFileSystem::Event>& events,
                                                   const std::string& journal, int64_t from, int64_t to) {
  const PowerLossFileSystem::Event* last = nullptr;
  for (const PowerLossFileSystem::Event& e : events) {
    if (e.op == FsOp::kWrite && e.name == journal && e.seq > from && e.seq <= to) last = &e;
  }
  return last;
}

absl::Status AwaitBackgroundSync(PowerLossFileSystem& fs, const std::string& path) {
  const std::string snapshot = BaseName(path), journal = snapshot + ".journal";
  const int64_t now = fs.calls();
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  for (;;) {
    if (fs.dead()) return absl::UnavailableError("the power went before the background sync");
    const std::vector<PowerLossFileSystem::Event> events = fs.events();
    const PowerLossFileSystem::Event* w = LastJournalWrite(events, journal, 0, now);
    if (w == nullptr || DurableAfter(events, *w, snapshot)) return absl::OkStatus();
    if (absl::Now() > deadline) return absl::DeadlineExceededError("no background sync within 5 s of the last change");
    absl::SleepFor(absl::Microseconds(200));
  }
}

// What a workload did before the power went.
struct History {
  // states[i]: the session after the first i steps; the last one may be the
  // state after the step in flight.
  std::vector<std::optional<Session>> states = {std::nullopt};
  size_t floor = 0;  // the earliest state the mode may fall back to
  size_t done = 0;   // steps that returned OK
  std::string in_flight;
  int64_t calls = 0;     // state-changing calls made
  bool cut = false;      // whether a call failed for the cut
  std::string failure;   // a step misbehaved with the power on
  int checks = 0;        // distinct outcomes of the cut checked
};

History RunUntilCut(const Workload& r, PowerLossFileSystem& fs) {
  History h;
  Options o = r.options;
  o.fs = &fs;
  std::unique_ptr<BinaryFileBackend> b;
  // Group-committed changes: (state index after it, calls before, after).
  struct Pending {
    size_t state;
    int64_t from, to;
  };
  std::vector<Pending> group_committed;
  for (const Step& step : r.steps) {
    std::optional<Session> next = h.states.back();
    const int64_t calls_before = fs.calls();
    absl::Status st;
    switch (step.kind) {
      case Kind::kOpen: {
        o.sync = step.mode.value_or(r.options.sync);
        absl::StatusOr<std::unique_ptr<BinaryFileBackend>> opened = BinaryFileBackend::Open(r.path, o);
        st = opened.status();
        if (st.ok()) {
          b = *std::move(opened);
          absl::StatusOr<std::optional<Session>> loaded = b->Load();
          st = loaded.status();
          if (st.ok() && *loaded != h.states.back() && !fs.dead()) {
            h.failure = absl::StrCat("reopened without a power loss, Load() gave ", Describe(*loaded), " instead of ",
                                     Describe(h.states.back()));
            return h;
          }
        }
        break;
      }
      case Kind::kClose:
        b.reset();
        if (fs.dead()) st = absl::UnavailableError("the power went during close");
        break;
      case Kind::kKill:
        fs.Freeze(true);
        b.reset();
        fs.Freeze(false);
        break;
      case Kind::kSave:
        st = b->Save(step.saved);
        next = step.saved;
        break;
      case Kind::kGranular:
        st = step.run(*b);
        if (!next) next = Session();
        step.apply(*next);
        break;
      case Kind::kFlush:
        st = b->Flush();
        break;
      case Kind::kCompact:
        st = b->Compact();
        break;
      case Kind::kAwaitBackgroundSync:
        st = AwaitBackgroundSync(fs, r.path);
        break;
    }
    if (!st.ok()) {
      if (!fs.dead()) {
        h.failure = absl::StrCat(step.what, " failed with the power on: ", st.ToString());
        return h;
      }
      h.in_flight = absl::StrCat(step.what, ": ", st.ToString());
      h.states.push_back(next);  // the step in flight may have reached the disk
      break;
    }
    h.states.push_back(next);
    ++h.done;
    if (Durable(step, o.sync, o)) h.floor = h.states.size() - 1;
    if (step.kind == Kind::kGranular && o.sync == Mode::kGroupCommit) {
      group_committed.push_back(Pending{h.states.size() - 1, calls_before, fs.calls()});
    }
  }
  b.reset();
  h.calls = fs.calls();
  h.cut = fs.dead();
  // A group-committed change is durable once a sync that began after it
  // completed (the background thread's, Flush's, a fold's): every event
  // recorded completed before the cut.
  const std::vector<PowerLossFileSystem::Event> events = fs.events();
  const std::string snapshot = BaseName(r.path), journal = snapshot + ".journal";
  for (const Pending& p : group_committed) {
    const PowerLossFileSystem::Event* w = LastJournalWrite(events, journal, p.from, p.to);
    // Without a journal write the change went into a snapshot, durably.
    if (w == nullptr || DurableAfter(events, *w, snapshot)) h.floor = std::max(h.floor, p.state);
  }
  return h;
}

// Reopens the files a power loss left and checks what loads against the
// history; "" when the mode's promise held.
std::string CheckAfterLoss(const Workload& r, const History& h, const std::string& loss) {
  const auto fail = [&](const std::string& what) {
    return absl::StrCat(what, "\n  ", loss, "\n  ", h.done, " of ", r.steps.size(), " steps acknowledged",
                        h.in_flight.empty() ? "" : "; in flight: ", h.in_flight, "\n  allowed states ", h.floor,
                        "..", h.states.size() - 1);
  };
  // Through the simulator with the power on: the same calls reach the disk,
  // without the real fsyncs that would make thousands of cuts slow.
  PowerLossFileSystem after(PosixFileSystem(), r.dir);
  Options o = r.options;
  o.fs = &after;
  absl::StatusOr<std::unique_ptr<BinaryFileBackend>> reopened = BinaryFileBackend::Open(r.path, o);
  if (!reopened.ok()) {
    return fail(absl::StrCat("reopening after the power loss failed: ", reopened.status().ToString()));
  }
  absl::StatusOr<std::optional<Session>> loaded = (*reopened)->Load();
  if (!loaded.ok()) return fail(absl::StrCat("Load() after the power loss failed: ", loaded.status().ToString()));
  bool allowed = false;
  for (size_t j = h.floor; j < h.states.size() && !allowed; ++j) allowed = h.states[j] == *loaded;
  if (!allowed) {
    std::string also;
    for (size_t j = 0; j < h.floor; ++j) {
      if (h.states[j] == *loaded) also = absl::StrCat(" (it is state ", j, ": an acknowledged change was lost)");
    }
    return fail(absl::StrCat("Load() gave a state the mode does not allow", also, ": ", Describe(*loaded)));
  }
  // The recovered files take new changes, and keep them.
  const CachedPeer extra = CachedPeer::User(987654321, 5);
  absl::Status more = (*reopened)->CachePeer(extra);
  if (more.ok()) more = (*reopened)->Flush();
  if (!more.ok()) return fail(absl::StrCat("the recovered files refuse a new change: ", more.ToString()));
  reopened->reset();
  std::optional<Session> want = *loaded;
  if (!want) want = Session();
  want->CachePeer(extra);
  reopened = BinaryFileBackend::Open(r.path, o);
  loaded = reopened.ok() ? (*reopened)->Load() : reopened.status();
  if (!loaded.ok() || *loaded != want) {
    return fail(absl::StrCat("after recovery a new change did not stick: ",
                             loaded.ok() ? Describe(*loaded) : loaded.status().ToString()));
  }
  return "";
}

struct Loss {
  PowerLoss model;
  uint32_t seed;
};

// Runs `r` on an empty folder with the power cut after `cut_after`
// state-changing calls (-1: after the whole workload), then checks each loss
// in turn on what the cut left. Returns the history and appends failures.
History CutAndCheck(const Workload& r, int64_t cut_after, const std::vector<Loss>& losses,
                    std::vector<std::string>* failures) {
  RemoveFiles(r.dir);
  PowerLossFileSystem fs(PosixFileSystem(), r.dir);
  if (cut_after >= 0) fs.CutAfter(cut_after);
  History h = RunUntilCut(r, fs);
  if (!h.failure.empty()) {
    failures->push_back(h.failure);
    return h;
  }
  std::vector<PowerLossFileSystem::Image> images;
  for (const Loss& l : losses) {
    absl::StatusOr<PowerLossFileSystem::Image> image = fs.Survivors(l.model, l.seed);
    if (!image.ok()) {
      failures->push_back(absl::StrCat("the simulation failed: ", image.status().ToString()));
      return h;
    }
    images.push_back(*std::move(image));
  }
  std::set<std::string> checked;
  for (const PowerLossFileSystem::Image& image : images) {
    // Models often leave the same files (nothing unsynced, say): check each
    // distinct outcome once.
    std::string key;
    for (const PowerLossFileSystem::Image::File& f : image.files) {
      absl::StrAppend(&key, absl::StrJoin(f.names, "+"), ":", f.mode, ":", f.bytes.size(), ":", f.bytes, "|");
    }
    if (!checked.insert(std::move(key)).second) continue;
    ++h.checks;
    absl::Status restored = fs.Restore(image);
    std::string failure = restored.ok() ? CheckAfterLoss(r, h, absl::StrCat("power cut after call ", cut_after, " (",
                                                                            image.description, ")"))
                                        : restored.ToString();
    if (!failure.empty()) failures->push_back(std::move(failure));
  }
  return h;
}

// Cuts `r` after every state-changing call and checks every model, plus a
// loss after the whole workload; reports the first few failures.
void CutEverywhere(const Workload& r, const std::string& label) {
  std::vector<std::string> failures;
  std::vector<Loss> all;
  for (PowerLoss m : kModels) all.push_back(Loss{m, 0});
  const History full = CutAndCheck(r, -1, all, &failures);
  EXPECT_FALSE(full.cut);
  int losses = static_cast<int>(all.size()), checks = full.checks;
  for (int64_t k = 0; k < full.calls; ++k) {
    for (Loss& l : all) l.seed = static_cast<uint32_t>(k * 7919 + 1);
    const History h = CutAndCheck(r, k, all, &failures);
    losses += static_cast<int>(all.size());
    checks += h.checks;
    EXPECT_TRUE(h.cut) << label << ": the cut after call " << k << " never came";
  }
  for (size_t i = 0; i < failures.size() && i < 3; ++i) ADD_FAILURE() << label << ": " << failures[i];
  EXPECT_EQ(failures.size(), 0u) << label;
  std::cout << "[power-loss] " << label << ": cut after each of " << full.calls << " calls and at the end, "
            << losses << " power losses, " << checks << " distinct outcomes checked, " << failures.size()
            << " broken promises\n";
}

class PowerLossBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeRamTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { RemoveRamTempDir(dir_); }
  Workload MakeWorkload(Options o, std::vector<Step> steps) {
    return Workload{dir_, dir_ + "/s.session", o, std::move(steps)};
  }
  std::string dir_;
};

// --- the save path alone ---------------------------------------------------

// Cuts four WriteFileAtomically calls after every state-changing call, under
// every model: the file is the last one written or the one in flight, 0600.
void CutWriteFileAtomically(const std::string& dir, mode_t mask) {
  const std::string path = dir + "/f";
  const std::vector<std::string> versions = {"first", std::string(5000, 'b'), "third", ""};
  // Writes the versions in turn until one fails; returns how many succeeded.
  const auto write_all = [&](PowerLossFileSystem& fs) {
    int acked = 0;
    for (const std::string& v : versions) {
      if (!WriteFileAtomically(&fs, path, v).ok()) break;
      ++acked;
    }
    return acked;
  };
  RemoveFiles(dir);
  int64_t total;
  {
    PowerLossFileSystem fs(PosixFileSystem(), dir);
    ASSERT_EQ(write_all(fs), 4);
    total = fs.calls();
  }
  int cuts = 0;
  for (int64_t k = 0; k <= total; ++k) {
    for (PowerLoss m : kModels) {
      RemoveFiles(dir);
      PowerLossFileSystem fs(PosixFileSystem(), dir);
      fs.CutAfter(k);
      const int acked = write_all(fs);
      std::string survivors;
      ASSERT_TRUE(fs.PowerCut(m, static_cast<uint32_t>(k), &survivors).ok());
      ++cuts;
      const std::string where =
          absl::StrCat("cut after call ", k, ", ", acked, " writes acknowledged (", survivors, ")");
      if (!FileExists(path)) {
        EXPECT_EQ(acked, 0) << "the file vanished: " << where;
        continue;
      }
      const std::string got = ReadFileOrDie(path);
      const bool is_last = acked > 0 && got == versions[acked - 1];
      const bool is_in_flight = acked < 4 && got == versions[acked];
      EXPECT_TRUE(is_last || is_in_flight) << "found " << got.size() << " bytes: " << where;
      struct stat st;
      ASSERT_EQ(::stat(path.c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u) << where;
    }
  }
  std::cout << "[power-loss] WriteFileAtomically, umask " << std::oct << mask << std::dec << ": cut after each of "
            << total << " calls, " << cuts << " power losses\n";
}

TEST_F(PowerLossBackendTest, WriteFileAtomicallyKeepsTheOldFileOrTheNewOne) {
  // Under a umask that takes the owner's write bit, the file is created 0400
  // and only the fchmod makes it 0600: that needs fsync, not fdatasync.
  for (const mode_t mask : {022, 0277}) {
    const mode_t old_mask = ::umask(mask);
    CutWriteFileAtomically(dir_, mask);
    ::umask(old_mask);
  }
}

// --- the backend: scripted workload ----------------------------------------

// Touches every path that writes: the first change of a new session (a
// snapshot), Save, the journal's creation and appends (single changes and
// batches), Flush, a byte-identical
// Save (the journal is emptied instead), close with and without compaction,
// reopen (torn tails cut, stale journals removed), a fold at the size
// threshold and Compact().
std::vector<Step> Script() {
  std::vector<Step> s = {Open(), Home(2), Save(BaseSession(1)), Peer(101, 1), Dc(3, 7), Pts(500), Flush(),
                         Peer(102, 2), Save(BaseSession(1)), Peer(103, 3), Batch(1, 3), ChannelPts(5000, 9), Close(),
                         Open(), Peer(104, 4), Batch(2, 6)};
  for (int i = 0; i < 14; ++i) s.push_back(Peer(200 + i, i));  // past the threshold: a fold
  for (Step x : {ChannelPts(6000, 1), Compact(), Peer(105, 5), Close(), Open(), Save(BaseSession(2)), Peer(106, 6),
                 Close()}) {
    s.push_back(std::move(x));
  }
  return s;
}

Options ScriptOptions(Mode mode) {
  Options o;
  o.sync = mode;
  // One thread only: the background sync is held off, so every run makes the
  // same calls (GroupCommitWindow covers the real thread).
  o.group_commit_window = absl::Hours(1);
  o.compact_min_journal_bytes = 64;  // the threshold is then the snapshot's size
  return o;
}

TEST_F(PowerLossBackendTest, TheScriptTakesEveryPath) {
  // Snapshot writes: the first change, Save, (not the byte-identical Save),
  // close, the fold at the threshold, Compact, close, Save, close.
  for (Mode mode : {Mode::kEveryOperation, Mode::kGroupCommit, Mode::kNone}) {
    RemoveFiles(dir_);
    PowerLossFileSystem fs(PosixFileSystem(), dir_);
    const Workload w = MakeWorkload(ScriptOptions(mode), Script());
    const History h = RunUntilCut(w, fs);
    ASSERT_EQ(h.failure, "");
    ASSERT_EQ(h.done, w.steps.size());
    int snapshots = 0, journal_unlinks = 0, journal_truncates = 0;
    for (const PowerLossFileSystem::Event& e : fs.events()) {
      snapshots += e.op == FsOp::kRename && e.name == "s.session";
      journal_unlinks += e.op == FsOp::kUnlink && e.name == "s.session.journal";
      journal_truncates += e.op == FsOp::kTruncate && e.name == "s.session.journal";
    }
    EXPECT_EQ(snapshots, 8) << ModeName(mode);
    // The five snapshot writes that find a journal remove it, and so does the
    // byte-identical Save, which writes no snapshot.
    EXPECT_EQ(journal_unlinks, 6) << ModeName(mode) << ": the byte-identical Save removes the journal";
    EXPECT_EQ(journal_truncates, 0) << ModeName(mode);
  }
}

TEST_F(PowerLossBackendTest, ScriptEveryOperation) {
  CutEverywhere(MakeWorkload(ScriptOptions(Mode::kEveryOperation), Script()), "kEveryOperation");
}

TEST_F(PowerLossBackendTest, ScriptGroupCommit) {
  CutEverywhere(MakeWorkload(ScriptOptions(Mode::kGroupCommit), Script()), "kGroupCommit");
}

TEST_F(PowerLossBackendTest, ScriptNone) { CutEverywhere(MakeWorkload(ScriptOptions(Mode::kNone), Script()), "kNone"); }

TEST_F(PowerLossBackendTest, ScriptWithoutDurableKeyWrites) {
  // UpdateDc and SetHomeDc then follow the mode like every other change.
  for (Mode mode : {Mode::kGroupCommit, Mode::kNone}) {
    Options o = ScriptOptions(mode);
    o.durable_key_writes = false;
    CutEverywhere(MakeWorkload(o, Script()), absl::StrCat(ModeName(mode), ", durable_key_writes=false"));
  }
}

TEST_F(PowerLossBackendTest, ScriptJournalKeptOnClose) {
  // Close does not fold: the journal must still be durable after it.
  for (Mode mode : {Mode::kEveryOperation, Mode::kGroupCommit, Mode::kNone}) {
    Options o = ScriptOptions(mode);
    o.compact_on_close = false;
    CutEverywhere(MakeWorkload(o, Script()), absl::StrCat(ModeName(mode), ", compact_on_close=false"));
  }
}

TEST_F(PowerLossBackendTest, AJournalLeftUnsyncedByAnotherProcessIsMadeDurable) {
  // A kNone process killed before it synced leaves a journal whose name may
  // not be on disk yet; the next process's first synced append must make the
  // name durable too, or a power loss takes every change in the file.
  Options o = ScriptOptions(Mode::kEveryOperation);
  o.compact_on_close = false;
  const std::vector<Step> steps = {OpenAs(Mode::kNone), Save(BaseSession(1)), Peer(1, 1), Peer(2, 2), Kill(),
                                   Open(), Peer(3, 3), Peer(4, 4), Close()};
  CutEverywhere(MakeWorkload(o, steps), "kNone killed, then kEveryOperation");
  o.sync = Mode::kGroupCommit;
  std::vector<Step> flushed = steps;
  flushed.insert(flushed.end() - 1, Flush());
  CutEverywhere(MakeWorkload(o, flushed), "kNone killed, then kGroupCommit");
}

TEST_F(PowerLossBackendTest, AFoldThatFailsHalfwayIsFinishedByTheNextSync) {
  // A session this small folds at every change (the journal outgrows the
  // snapshot), so the cut lands on each fold's folder fsync, whose failure
  // the change ignores; the Flush, Compact or close that follows must not
  // report the fold's snapshot durable without fsyncing the folder itself.
  for (Mode mode : {Mode::kEveryOperation, Mode::kGroupCommit, Mode::kNone}) {
    Options o = ScriptOptions(mode);
    o.compact_min_journal_bytes = 1;
    CutEverywhere(MakeWorkload(o, {Open(), Save(Session()), Pts(1), Flush(), Pts(2), Compact(), Pts(3), Close(),
                                   Open(), Pts(4), Close()}),
                  absl::StrCat(ModeName(mode), ", folding at every change"));
  }
}

TEST_F(PowerLossBackendTest, ScriptEncrypted) {
  Options o = ScriptOptions(Mode::kEveryOperation);
  o.passphrase = std::make_shared<const SecretString>(std::string("correct horse"));
  o.kdf = KdfParams::Minimum();
  CutEverywhere(MakeWorkload(o, Script()), "encrypted, kEveryOperation");
  o.sync = Mode::kNone;
  CutEverywhere(MakeWorkload(o, Script()), "encrypted, kNone");
}

// --- group commit with its background thread --------------------------------

TEST_F(PowerLossBackendTest, GroupCommitLosesAtMostItsWindow) {
  // The real background thread (2 ms window) races the workload, so calls
  // land differently from run to run; the promise is judged from the syncs
  // that completed before each cut. AwaitBackgroundSync fails the run if the
  // thread does not sync within 5 s.
  int losses = 0, checks = 0;
  std::vector<std::string> failures;
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    std::mt19937 rng(seed);
    Options o = ScriptOptions(Mode::kGroupCommit);
    o.group_commit_window = absl::Milliseconds(2);
    o.compact_min_journal_bytes = 64 + rng() % 600;
    std::vector<Step> steps = {Open(), Save(BaseSession(1))};
    for (int i = 0; i < 30; ++i) {
      const int r = static_cast<int>(rng() % 10);
      if (r < 5) steps.push_back(Peer(rng() % 40, i));
      if (r == 5) steps.push_back(Batch(i, 1 + static_cast<int>(rng() % 20)));
      if (r == 6) steps.push_back(Pts(i));
      if (r == 7) steps.push_back(Dc(1 + rng() % 5, static_cast<uint8_t>(i)));
      if (r >= 8) steps.push_back(AwaitBackgroundSync());
    }
    steps.push_back(Close());
    const Workload w = MakeWorkload(o, steps);
    const History full = CutAndCheck(w, -1, {Loss{PowerLoss::kDropUnsynced, 0}}, &failures);
    for (int i = 0; i < 25; ++i) {
      const int64_t k = static_cast<int64_t>(rng() % (full.calls + 1));
      checks += CutAndCheck(w, k, {Loss{kModels[rng() % 4], static_cast<uint32_t>(rng())}}, &failures).checks;
      ++losses;
    }
    if (!failures.empty()) break;
  }
  for (size_t i = 0; i < failures.size() && i < 3; ++i) ADD_FAILURE() << failures[i];
  EXPECT_EQ(failures.size(), 0u);
  std::cout << "[power-loss] group commit with its background thread: " << losses << " power losses, " << checks
            << " checked\n";
}

// --- the backend: random workloads -----------------------------------------

std::vector<Step> RandomWorkload(std::mt19937& rng, int length) {
  std::vector<Step> s = {Open()};
  int session_variant = 0;
  for (int i = 0; i < length; ++i) {
    const int r = static_cast<int>(rng() % 100);
    if (r < 38) {
      s.push_back(Peer(rng() % 40, i));  // repeats replace earlier entries
    } else if (r < 45) {
      s.push_back(Batch(i, 1 + static_cast<int>(rng() % 30)));
    } else if (r < 52) {
      s.push_back(Dc(1 + rng() % 5, static_cast<uint8_t>(i)));
    } else if (r < 57) {
      s.push_back(Home(1 + rng() % 5));
    } else if (r < 64) {
      s.push_back(Pts(i));
    } else if (r < 69) {
      s.push_back(ChannelPts(rng() % 3, i));
    } else if (r < 77) {
      // Now and then the same bytes as the snapshot on disk.
      if (rng() % 2 == 0) ++session_variant;
      s.push_back(Save(BaseSession(session_variant)));
    } else if (r < 85) {
      s.push_back(Flush());
    } else if (r < 90) {
      s.push_back(Compact());
    } else {
      s.push_back(Close());
      s.push_back(Open());
    }
  }
  s.push_back(Close());
  return s;
}

TEST_F(PowerLossBackendTest, RandomWorkloads) {
  for (Mode mode : {Mode::kEveryOperation, Mode::kGroupCommit, Mode::kNone}) {
    int losses = 0, checks = 0;
    std::vector<std::string> failures;
    for (uint32_t seed = 1; seed <= 12; ++seed) {
      std::mt19937 rng(seed * 1000 + static_cast<uint32_t>(mode));
      Options o = ScriptOptions(mode);
      o.compact_min_journal_bytes = 64 + rng() % 600;
      o.compact_on_close = rng() % 2 == 0;
      o.durable_key_writes = rng() % 2 == 0;
      const Workload w = MakeWorkload(o, RandomWorkload(rng, 40));
      const History full = CutAndCheck(w, -1, {Loss{PowerLoss::kRandom, seed}}, &failures);
      for (int i = 0; i < 20; ++i) {
        const int64_t k = static_cast<int64_t>(rng() % (full.calls + 1));
        const std::vector<Loss> two = {Loss{kModels[rng() % 4], static_cast<uint32_t>(rng())},
                                       Loss{PowerLoss::kRandom, seed}};
        checks += CutAndCheck(w, k, two, &failures).checks;
        losses += 2;
      }
    }
    for (size_t i = 0; i < failures.size() && i < 3; ++i) ADD_FAILURE() << ModeName(mode) << ": " << failures[i];
    EXPECT_EQ(failures.size(), 0u) << ModeName(mode);
    std::cout << "[power-loss] random workloads, " << ModeName(mode) << ": " << losses << " power losses, " << checks
              << " checked\n";
  }
}

}  // namespace
}  // namespace testing
}  // namespace tgsession
