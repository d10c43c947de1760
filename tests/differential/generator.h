// Inputs for the differential campaign, deterministic for a given seed:
// generated sessions of every shape (random counts, every peer kind, keys
// present or absent, odd flag bits, IPv6 and host-name addresses, tokens),
// written in every binary version 1..8 with the lenient bytes ferogram's
// reader accepts, as native strings (with whitespace, padding and symbol
// damage) and compact strings (V1/V2, IPv4/IPv6 edge addresses), and
// mutations of them and of the seeds (bit flips, truncations, insertions,
// version-byte and count-field changes, trailing bytes, splices).
#ifndef TGSESSION_TESTS_DIFFERENTIAL_GENERATOR_H_
#define TGSESSION_TESTS_DIFFERENTIAL_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "session/session.h"

namespace tgsession {
namespace differential {

// SplitMix64: the same sequence on every platform and standard library
// (std:: distributions are not specified bit for bit).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  uint64_t Below(uint64_t n);  // uniform in [0, n), n > 0
  bool OneIn(uint64_t n) { return Below(n) == 0; }
  // Mostly uniform, often an edge value (0, +-1, min, max).
  int64_t AnyI64();
  int32_t AnyI32();
  std::string Bytes(size_t n);

 private:
  template <typename T>
  T AnyInt();
  uint64_t state_;
};

// A binary session as it lies on disk, including values a correct writer
// never produces: has_key / has_token other than 0/1, peer type > 2, channel
// kind > 2, is_community > 1, any address bytes, trailing bytes.
struct WireSession {
  struct Dc {
    int32_t dc_id = 0;
    uint8_t has_key = 0;  // 1: `key` (256 bytes) follows
    std::string key;
    int64_t first_salt = 0;
    int32_t time_offset = 0;
    std::string addr;
    uint8_t flags = 0;
  };
  struct Peer {
    int64_t id = 0, access_hash = 0;
    uint8_t type = 0, kind = 0xFF, community = 0;
  };
  int version = 8;  // 1..8; the fields of later versions are left out
  int32_t home_dc_id = 0;
  std::vector<Dc> dcs;
  int32_t pts = 0, qts = 0, date = 0, seq = 0;
  std::vector<ChannelPts> channels;
  std::vector<Peer> peers;
  std::vector<CachedMinPeer> min_peers;
  uint8_t has_token = 0;  // 1: u16 length and `token` follow
  std::string token;
  std::string trailing;
};

// Bytes plus where their count and length fields are (offset, width), so a
// mutation can change a count without shifting the data.
struct Encoded {
  std::string bytes;
  std::vector<std::pair<size_t, size_t>> fields;
};

// Writes `w` as ferogram's reader expects it (counts as the low bits of the
// sizes, as ferogram's writer casts them).
Encoded WriteWire(const WireSession& w);

// The seeds: every .bin / .txt of the ferogram vectors, the inputs of the
// malformed probes, and our regression inputs (tests/vectors/differential/
// {binary,native,compact}/* as inputs, encode/* as JSON sessions).
struct Seeds {
  std::vector<std::string> binary, native, compact, encode;
};
Seeds LoadSeeds(const std::string& vectors_dir, const std::string& regression_dir);

class InputGenerator {
 public:
  InputGenerator(uint64_t seed, const Seeds& seeds);

  // A session (valid UTF-8 addresses, so it can go through JSON) that fits
  // v8, for the encoders.
  Session NextSession();
  std::string NextBinary();
  std::string NextNative();
  std::string NextCompact();

 private:
  WireSession WireFrom(const Session& s, int version);
  void AddLenience(WireSession* w);
  Encoded FreshBinary();
  Encoded Mutate(Encoded e);
  std::string MutateText(std::string text);
  std::string CompactBytes();
  std::string RandomAddress(bool allow_non_utf8);
  void Remember(Encoded e);

  Rng rng_;
  std::vector<Encoded> pool_;  // seeds and recent inputs, to mutate
};

// Sessions at and just past v8's limits (255 / 256 DCs, 65,535 / 65,536
// peers, channel pts and min peers, 255 / 256-byte address, 65,535 /
// 65,536-byte token).
std::vector<Session> BoundarySessions();

}  // namespace differential
}  // namespace tgsession

#endif  // TGSESSION_TESTS_DIFFERENTIAL_GENERATOR_H_
