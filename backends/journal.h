// The change journal kept beside a binary session file.
//
// ferogram rewrites the whole session file for every cached peer, so a
// call costs in proportion to the session. BinaryFileBackend instead
// appends each granular change (a peer, a DC, a pts) to `<file>.journal` and
// folds the journal into a new snapshot only past a size threshold. The
// snapshot itself stays a plain ferogram file.
//
// Layout (little-endian):
//   header (32 bytes): "TGSJ", u32 format version (1), u64 snapshot size,
//                      u32 CRC-32C and a u64 hash of the snapshot, u32
//                      CRC-32C of the previous 28 header bytes
//   records:           u32 payload length, u32 masked CRC-32C of the
//                      payload, payload
//   payload:           u8 op, then the op's fields (see Op)
//
// A batch (SessionBackend::ApplyChanges) is one record, op 6: u32 count and
// 19-byte peers, u32 count and 20-byte min peers, u32 count and update-state
// changes (each as op 4 encodes it, without the op byte). One record, one
// CRC: a crash leaves the whole batch or none of it. Ops 5 and 6 were added
// after the first release of this format; journals written before replay
// unchanged, and an older tgsession refuses a journal holding them
// ("unknown op") instead of misreading it.
//
// The header binds the journal to one snapshot's bytes: after a crash between
// writing a new snapshot and removing the journal, the old journal no longer
// matches and is ignored (a compaction's changes are in the new snapshot; a
// Save() replaced them). When a new snapshot is byte-identical to the old
// one, the journal would still match, so BinaryFileBackend handles that case
// by truncating the journal instead of rewriting the snapshot.
//
// A record whose length or CRC does not check out is a torn tail from a
// crash mid-append when it can be one: the file ends inside it or right
// after it, or only zeros follow from some byte inside it on (a power loss
// can persist the new size without all of the data). Replay stops there and
// the tail is cut off. A bad record followed by anything else, or one that
// checks out but cannot be decoded, is corruption (kDataLoss).
#ifndef TGSESSION_BACKENDS_JOURNAL_H_
#define TGSESSION_BACKENDS_JOURNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backends/changes.h"
#include "session/secret.h"
#include "session/session.h"

namespace tgsession {
namespace journal {

constexpr size_t kHeaderSize = 32;
constexpr size_t kRecordOverhead = 8;
// Largest payload accepted on replay ("All" with many channel pts is the
// largest op); anything bigger is a corrupt length field.
constexpr size_t kMaxPayload = 64u << 20;

struct Header {
  uint64_t snapshot_size = 0;
  uint32_t snapshot_crc = 0;
  uint64_t snapshot_hash64 = 0;
  friend bool operator==(const Header& a, const Header& b) {
    return a.snapshot_size == b.snapshot_size && a.snapshot_crc == b.snapshot_crc &&
           a.snapshot_hash64 == b.snapshot_hash64;
  }
};

std::string EncodeHeader(const Header& h);
// kDataLoss if the bytes are not a journal header.
absl::StatusOr<Header> DecodeHeader(absl::string_view bytes);
// The header for a given snapshot's bytes.
Header HeaderFor(absl::string_view snapshot);

// One granular change, referring to the caller's values (an Op is built and
// appended within one call; nothing is copied, and no auth key is duplicated).
struct Op {
  enum class Type : uint8_t {
    kCachePeer = 1,
    kSetHomeDc = 2,
    kUpsertDc = 3,
    kUpdateState = 4,
    kCacheMinPeer = 5,
    kBatch = 6,
  };
  Type type = Type::kCachePeer;
  const CachedPeer* peer = nullptr;           // kCachePeer
  int32_t home_dc_id = 0;                     // kSetHomeDc
  const DcEntry* dc = nullptr;                // kUpsertDc
  const UpdateStateChange* change = nullptr;  // kUpdateState
  const CachedMinPeer* min_peer = nullptr;    // kCacheMinPeer
  const SessionChanges* changes = nullptr;    // kBatch

  static Op CachePeer(const CachedPeer& p);
  static Op SetHomeDc(int32_t dc_id);
  static Op UpsertDc(const DcEntry& e);
  static Op UpdateState(const UpdateStateChange& c);
  static Op CacheMinPeer(const CachedMinPeer& m);
  static Op Batch(const SessionChanges& c);

  // Whether the change carries an auth key or says where the account lives
  // (kUpsertDc, kSetHomeDc): what BinaryFileBackend syncs at once.
  bool is_key_write() const { return type == Type::kUpsertDc || type == Type::kSetHomeDc; }

  // Applies the change to `s` exactly as the corresponding Session method.
  void ApplyTo(Session& s) const;
};

// Seals record payloads of an encrypted journal (see backends/encryption.h);
// `offset` is the record's position in the journal file, bound into the
// authentication so records cannot be moved.
class RecordCipher {
 public:
  virtual ~RecordCipher() = default;
  virtual std::string Seal(absl::string_view payload, uint64_t offset) const = 0;
  virtual absl::StatusOr<SecretString> Open(absl::string_view sealed, uint64_t offset) const = 0;
};

// The payload size of `op`'s record (without the 8-byte frame and before
// sealing), for checking it against kMaxPayload before encoding a big batch.
size_t PayloadSize(const Op& op);

// Appends the framed record for `op` to `out`; `offset` is where the record
// will start in the journal file (used when `cipher` seals the payload).
// Fails only for values that do not fit the record format (kOutOfRange: a DC
// address over 65535 bytes, a payload over kMaxPayload).
absl::Status AppendRecord(const Op& op, std::string* out, const RecordCipher* cipher = nullptr,
                          uint64_t offset = 0);

struct ReplayResult {
  size_t records = 0;       // records applied
  size_t valid_bytes = 0;   // header + applied records
  size_t torn_bytes = 0;    // bytes after the last good record
};

// Applies every record after the header of `journal` to `s`. The header must
// already have been checked by the caller. Payloads are unsealed with
// `cipher` when given; a record that checks out but does not unseal fails
// the replay (kPermissionDenied).
absl::StatusOr<ReplayResult> Replay(absl::string_view journal, Session* s, const RecordCipher* cipher = nullptr);

}  // namespace journal
}  // namespace tgsession

#endif  // TGSESSION_BACKENDS_JOURNAL_H_
