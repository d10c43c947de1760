#include "tests/differential/generator.h"

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "session/base64.h"
#include "session/binary_codec.h"
#include "session/byte_io.h"

namespace tgsession {
namespace differential {

// --- Rng --------------------------------------------------------------------

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Rng::Below(uint64_t n) { return Next() % n; }

template <typename T>
T Rng::AnyInt() {
  switch (Below(8)) {
    case 0:
      return static_cast<T>(static_cast<int>(Below(5)) - 2);
    case 1:
      return Below(2) ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
    case 2:
      return static_cast<T>(Below(1u << 16));
    default:
      return static_cast<T>(Next());  // modulo 2^bits
  }
}

int64_t Rng::AnyI64() { return AnyInt<int64_t>(); }
int32_t Rng::AnyI32() { return AnyInt<int32_t>(); }

std::string Rng::Bytes(size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(Next());
  return out;
}

// --- WriteWire ---------------------------------------------------------------

namespace {

class Out {
 public:
  explicit Out(Encoded* e) : e_(e) {}
  void U8(uint8_t v) { e_->bytes.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) {
    char b[2];
    byte_io::PutU16LE(reinterpret_cast<uint8_t*>(b), v);
    e_->bytes.append(b, 2);
  }
  void I32(int32_t v) {
    char b[4];
    byte_io::PutI32LE(reinterpret_cast<uint8_t*>(b), v);
    e_->bytes.append(b, 4);
  }
  void I64(int64_t v) {
    char b[8];
    byte_io::PutI64LE(reinterpret_cast<uint8_t*>(b), v);
    e_->bytes.append(b, 8);
  }
  void Raw(absl::string_view s) { e_->bytes.append(s.data(), s.size()); }
  // A count or length field, remembered for mutations.
  void Count8(size_t n) {
    e_->fields.emplace_back(e_->bytes.size(), 1);
    U8(static_cast<uint8_t>(n));
  }
  void Count16(size_t n) {
    e_->fields.emplace_back(e_->bytes.size(), 2);
    U16(static_cast<uint16_t>(n));
  }

 private:
  Encoded* e_;
};

}  // namespace

Encoded WriteWire(const WireSession& w) {
  Encoded e;
  Out o(&e);
  if (w.version >= 2) o.U8(static_cast<uint8_t>(w.version));
  o.I32(w.home_dc_id);
  o.Count8(w.dcs.size());
  for (const WireSession::Dc& d : w.dcs) {
    o.I32(d.dc_id);
    o.U8(d.has_key);
    if (d.has_key == 1) o.Raw(d.key);
    o.I64(d.first_salt);
    o.I32(d.time_offset);
    o.Count8(d.addr.size());
    o.Raw(d.addr);
    if (w.version >= 3) o.U8(d.flags);
  }
  if (w.version >= 2) {
    o.I32(w.pts);
    o.I32(w.qts);
    o.I32(w.date);
    o.I32(w.seq);
    o.Count16(w.channels.size());
    for (const ChannelPts& c : w.channels) {
      o.I64(c.channel_id);
      o.I32(c.pts);
    }
    o.Count16(w.peers.size());
    for (const WireSession::Peer& p : w.peers) {
      o.I64(p.id);
      o.I64(p.access_hash);
      o.U8(p.type);
      if (w.version >= 6) o.U8(p.kind);
      if (w.version >= 8) o.U8(p.community);
    }
    if (w.version >= 4) {
      o.Count16(w.min_peers.size());
      for (const CachedMinPeer& m : w.min_peers) {
        o.I64(m.user_id);
        o.I64(m.peer_id);
        o.I32(m.msg_id);
      }
    }
    if (w.version >= 7) {
      o.U8(w.has_token);
      if (w.has_token == 1) {
        o.Count16(w.token.size());
        o.Raw(w.token);
      }
    }
  }
  o.Raw(w.trailing);
  return e;
}

// --- seeds -------------------------------------------------------------------

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());  // readdir order is not stable
  return names;
}

std::string StringField(const rapidjson::Value& o, const char* name) {
  if (!o.IsObject()) return "";
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

Seeds LoadSeeds(const std::string& vectors_dir, const std::string& regression_dir) {
  Seeds s;
  // Regression inputs first: a campaign of any size checks every one.
  for (const char* kind : {"binary", "native", "compact", "encode"}) {
    const std::string dir = absl::StrCat(regression_dir, "/", kind);
    std::vector<std::string>& to = kind[0] == 'b'   ? s.binary
                                   : kind[0] == 'n' ? s.native
                                   : kind[0] == 'c' ? s.compact
                                                    : s.encode;
    for (const std::string& n : FilesIn(dir)) to.push_back(ReadFile(dir + "/" + n));
  }
  const std::string fero = vectors_dir + "/ferogram";
  for (const std::string& n : FilesIn(fero + "/binary")) {
    if (absl::EndsWith(n, ".bin")) s.binary.push_back(ReadFile(fero + "/binary/" + n));
    if (absl::EndsWith(n, ".txt")) s.native.push_back(ReadFile(fero + "/binary/" + n));
  }
  for (const std::string& n : FilesIn(fero + "/malformed")) {
    if (absl::EndsWith(n, ".bin")) s.binary.push_back(ReadFile(fero + "/malformed/" + n));
  }
  for (const std::string& n : FilesIn(fero + "/string_session")) {
    if (absl::EndsWith(n, ".txt")) s.compact.push_back(ReadFile(fero + "/string_session/" + n));
  }
  rapidjson::Document probes;
  const std::string text = ReadFile(fero + "/malformed/probes.json");
  probes.Parse(text.data(), text.size());
  if (!probes.HasParseError() && probes.IsArray()) {
    for (const rapidjson::Value& p : probes.GetArray()) {
      const std::string api = StringField(p, "api");
      auto in = p.FindMember("input");
      if (in == p.MemberEnd()) continue;
      const rapidjson::Value& input = in->value;
      if (absl::StrContains(api, "from_bytes") || absl::StrContains(api, "BinaryFileBackend::load")) {
        for (const char* f : {"hex", "written_hex"}) {
          const std::string hex = StringField(input, f);
          if (!hex.empty()) s.binary.push_back(absl::HexStringToBytes(hex));
        }
        const std::string base = StringField(input, "base_file");
        if (!base.empty())
          s.binary.push_back(ReadFile(fero + "/" + base) + absl::HexStringToBytes(StringField(input, "hex_suffix")));
      }
      const std::string str = StringField(input, "string");
      if (!str.empty() || input.HasMember("string")) {
        // Every probe string goes to both string decoders.
        s.native.push_back(str);
        s.compact.push_back(str);
      }
    }
  }
  return s;
}

// --- generation ----------------------------------------------------------------
//
// One draw per statement where the order matters: the order in which a
// call's arguments (or an operator's operands) are evaluated is unspecified,
// and g++ and clang differ, which would give a seed different inputs in the
// ASan build than in the plain one.

namespace {

constexpr size_t kPoolSize = 512;

// UTF-8 of code point `cp`.
std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | cp >> 6));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | cp >> 12));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | cp >> 18));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

// Unicode White_Space (what Rust's str::trim removes) and characters that
// look like it but are not (U+180E, U+200B, U+FEFF, the ASCII separators
// U+001C..U+001F).
constexpr uint32_t kSpaces[] = {0x20,   0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x85,   0xA0,   0x1680, 0x2000,
                                0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
                                0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x180E, 0x200B, 0xFEFF, 0x1C,   0x1F};

// Byte sequences that are not UTF-8: a lone continuation byte, overlong
// forms, surrogates, code points past U+10FFFF, cut sequences, 0xFF.
const char* const kBadUtf8[] = {
    "\x80",     "\xC0\xAF",     "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
    "\xE2\x82", "\xF0\x9F\x98", "\xFF",     "\xFE",         "\xC3"};

std::string Ipv6Text(const uint16_t g[8]) {
  // Not canonical on purpose (no "::"): the address text is only bytes to
  // the binary codec.
  std::string s;
  for (int i = 0; i < 8; ++i) absl::StrAppend(&s, i ? ":" : "", absl::Hex(g[i]));
  return s;
}

}  // namespace

InputGenerator::InputGenerator(uint64_t seed, const Seeds& seeds) : rng_(seed) {
  for (const std::string& b : seeds.binary) pool_.push_back(Encoded{b, {}});
}

void InputGenerator::Remember(Encoded e) {
  if (pool_.size() < kPoolSize) {
    pool_.push_back(std::move(e));
  } else {
    pool_[rng_.Below(pool_.size())] = std::move(e);
  }
}

std::string InputGenerator::RandomAddress(bool allow_non_utf8) {
  const uint16_t port = rng_.OneIn(4) ? static_cast<uint16_t>(rng_.Next()) : 443;
  std::string a;
  switch (rng_.Below(12)) {
    case 0:
    case 1:
    case 2:
    case 3:
      for (int i = 0; i < 4; ++i) absl::StrAppend(&a, i ? "." : "", rng_.Below(256));
      absl::StrAppend(&a, ":", port);
      break;
    case 4:
    case 5: {
      uint16_t g[8];
      for (uint16_t& x : g) x = rng_.OneIn(3) ? 0 : static_cast<uint16_t>(rng_.Next());
      a = absl::StrCat("[", Ipv6Text(g), "]:", port);
      break;
    }
    case 6:
      a = absl::StrCat("[2001:b28:f23d:f00", rng_.Below(10), "::a]:", port);
      break;
    case 7:
      a = absl::StrCat("dc", rng_.Below(10), ".example.org:", port);
      break;
    case 8:
      if (rng_.OneIn(2)) {
        const size_t n = 250 + rng_.Below(6);
        a.assign(n, static_cast<char>('a' + rng_.Below(26)));
      }
      break;
    case 9:
      a = absl::StrCat(Utf8(0xE9), "t", Utf8(0x4E2D), Utf8(0x1F600), ":", port);  // valid UTF-8, not ASCII
      break;
    default: {
      const size_t n = rng_.Below(48);
      for (size_t i = 0; i < n; ++i) a.push_back(static_cast<char>(0x20 + rng_.Below(95)));
    }
  }
  if (allow_non_utf8 && rng_.OneIn(6)) {
    const size_t at = rng_.Below(a.size() + 1);
    a.insert(at, kBadUtf8[rng_.Below(sizeof kBadUtf8 / sizeof kBadUtf8[0])]);
  }
  return a;
}

Session InputGenerator::NextSession() {
  Session s;
  s.home_dc_id = rng_.OneIn(3) ? rng_.AnyI32() : static_cast<int32_t>(1 + rng_.Below(5));
  const size_t dcs = rng_.OneIn(10) ? rng_.Below(40) : rng_.Below(7);
  for (size_t i = 0; i < dcs; ++i) {
    DcEntry e;
    e.dc_id = rng_.OneIn(4) ? rng_.AnyI32() : static_cast<int32_t>(1 + rng_.Below(5));
    e.addr = RandomAddress(false);
    if (rng_.OneIn(2)) {
      const std::string key = rng_.Bytes(AuthKey::kSize);
      e.auth_key = AuthKey::FromRawUnchecked(reinterpret_cast<const uint8_t*>(key.data()));
    }
    e.first_salt = rng_.AnyI64();
    e.time_offset = rng_.AnyI32();
    // Known flags mostly; any bits sometimes (ferogram keeps unknown bits).
    e.flags = DcFlags(static_cast<uint8_t>(rng_.OneIn(3) ? rng_.Next() : rng_.Next() & DcFlags::kKnownMask));
    s.dcs.push_back(std::move(e));
  }
  UpdatesState& u = s.updates_state;
  u.pts = rng_.AnyI32();
  u.qts = rng_.AnyI32();
  u.date = rng_.AnyI32();
  u.seq = rng_.AnyI32();
  const auto count = [&](size_t usual, size_t rare) { return rng_.OneIn(20) ? rng_.Below(rare) : rng_.Below(usual); };
  std::vector<ChannelPts> ch(count(6, 400));
  for (ChannelPts& c : ch) c = {rng_.OneIn(8) ? ch[0].channel_id : rng_.AnyI64(), rng_.AnyI32()};  // duplicates too
  u.mutable_channels().Assign(std::move(ch));
  std::vector<CachedPeer> peers(count(12, 2000));
  for (CachedPeer& p : peers) {
    p.id = rng_.OneIn(10) ? peers[0].id : rng_.AnyI64();
    p.access_hash = rng_.AnyI64();
    p.type = static_cast<PeerType>(rng_.Below(3));
    // A kind and the community flag on any peer type: ferogram keeps both.
    const uint64_t kind = rng_.Below(5);
    p.channel_kind = kind < 3 ? OptionalChannelKind(static_cast<ChannelKind>(kind)) : OptionalChannelKind();
    p.is_community = rng_.OneIn(4);
  }
  s.peers.Assign(std::move(peers));
  std::vector<CachedMinPeer> mins(count(5, 300));
  for (CachedMinPeer& m : mins) m = {rng_.AnyI64(), rng_.AnyI64(), rng_.AnyI32()};
  s.min_peers.Assign(std::move(mins));
  switch (rng_.Below(4)) {
    case 0:
      break;
    case 1:
      s.future_auth_token.emplace(absl::string_view());
      break;
    default:
      s.future_auth_token.emplace(absl::string_view(rng_.Bytes(rng_.OneIn(20) ? rng_.Below(3000) : rng_.Below(64))));
  }
  return s;
}

WireSession InputGenerator::WireFrom(const Session& s, int version) {
  WireSession w;
  w.version = version;
  w.home_dc_id = s.home_dc_id;
  for (const DcEntry& e : s.dcs) {
    WireSession::Dc d;
    d.dc_id = e.dc_id;
    d.has_key = e.auth_key ? 1 : 0;
    if (e.auth_key) d.key.assign(reinterpret_cast<const char*>(e.auth_key->data()), AuthKey::kSize);
    d.first_salt = e.first_salt;
    d.time_offset = e.time_offset;
    d.addr = e.addr.str();
    d.flags = e.flags.bits;
    w.dcs.push_back(std::move(d));
  }
  const UpdatesState& u = s.updates_state;
  w.pts = u.pts;
  w.qts = u.qts;
  w.date = u.date;
  w.seq = u.seq;
  w.channels.assign(u.channels().begin(), u.channels().end());
  for (const CachedPeer& p : s.peers) {
    w.peers.push_back({p.id, p.access_hash, static_cast<uint8_t>(p.type), p.channel_kind.byte(),
                       static_cast<uint8_t>(p.is_community ? 1 : 0)});
  }
  w.min_peers.assign(s.min_peers.begin(), s.min_peers.end());
  if (s.future_auth_token) {
    w.has_token = 1;
    w.token.assign(reinterpret_cast<const char*>(s.future_auth_token->data()), s.future_auth_token->size());
  }
  return w;
}

void InputGenerator::AddLenience(WireSession* w) {
  const auto odd = [&](uint8_t lo, uint8_t hi) { return static_cast<uint8_t>(lo + rng_.Below(hi - lo + 1u)); };
  for (WireSession::Dc& d : w->dcs) {
    if (rng_.OneIn(5)) d.has_key = odd(2, 255);
    if (rng_.OneIn(5)) d.addr = RandomAddress(true);
  }
  for (WireSession::Peer& p : w->peers) {
    if (rng_.OneIn(6)) p.type = odd(3, 255);
    if (rng_.OneIn(6)) p.kind = odd(3, 254);
    if (rng_.OneIn(6)) p.community = odd(2, 255);
  }
  if (rng_.OneIn(4)) w->has_token = odd(2, 255);  // then the token bytes are gone
}

Encoded InputGenerator::FreshBinary() {
  const uint64_t r = rng_.Below(100);
  if (r < 10) {
    // A v1 file, half of them for home DC 2..8: the first byte then looks
    // like a version byte.
    Session s = NextSession();
    if (rng_.OneIn(2)) {
      s.home_dc_id = static_cast<int32_t>(2 + rng_.Below(7));
      if (rng_.OneIn(8)) s.home_dc_id += 0x100;  // first byte 2..8, but not v1's home DC
    }
    WireSession w = WireFrom(s, 1);
    if (rng_.OneIn(4)) AddLenience(&w);
    if (rng_.OneIn(5)) w.trailing = rng_.Bytes(1 + rng_.Below(16));
    return WriteWire(w);
  }
  if (r < 14) {
    // Our v9, intact or not, and v1 files whose first bytes are v9's magic.
    EncodeOptions o;
    o.policy = VersionPolicy::kExtended;
    absl::StatusOr<std::string> v9 = EncodeBinary(NextSession(), o);
    Encoded e{v9.ok() ? *v9 : std::string("\x09tgs", 4), {}};
    if (rng_.OneIn(3)) e = Mutate(std::move(e));
    return e;
  }
  int version = 8;
  const uint64_t v = rng_.Below(100);
  if (v < 40) version = static_cast<int>(1 + rng_.Below(7));
  WireSession w = WireFrom(NextSession(), version);
  if (rng_.OneIn(3)) AddLenience(&w);
  if (rng_.OneIn(8)) w.trailing = rng_.Bytes(1 + rng_.Below(40));
  if (rng_.OneIn(60)) w.trailing = rng_.Bytes(4090 + rng_.Below(20));  // around DecodeLimits::max_trailing_bytes
  return WriteWire(w);
}

Encoded InputGenerator::Mutate(Encoded e) {
  std::string& b = e.bytes;
  const int steps = 1 + static_cast<int>(rng_.Below(3));
  for (int step = 0; step < steps; ++step) {
    const size_t n = b.size();
    switch (rng_.Below(11)) {
      case 0:  // bit flips
        for (int k = static_cast<int>(1 + rng_.Below(4)); k > 0 && n > 0; --k) {
          b[rng_.Below(n)] ^= static_cast<char>(1u << rng_.Below(8));
        }
        break;
      case 1:  // an interesting byte value
        if (n > 0) {
          static constexpr uint8_t kValues[] = {0, 1, 2, 3, 7, 8, 9, 0x7F, 0x80, 0xFE, 0xFF};
          b[rng_.Below(n)] = static_cast<char>(kValues[rng_.Below(sizeof kValues)]);
        }
        break;
      case 2:  // truncation
        if (n > 0) b.resize(rng_.Below(n));
        break;
      case 3: {  // insertion
        const size_t at = rng_.Below(n + 1);
        b.insert(at, rng_.Bytes(1 + rng_.Below(16)));
        break;
      }
      case 4:  // deletion
        if (n > 0) {
          const size_t at = rng_.Below(n);
          b.erase(at, 1 + rng_.Below(std::min<size_t>(n - at, 32)));
        }
        break;
      case 5:  // version byte
        if (n > 0) {
          static constexpr uint8_t kVersions[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x80, 0xFF};
          b[0] = static_cast<char>(kVersions[rng_.Below(sizeof kVersions)]);
        }
        break;
      case 6:
      case 7:  // a count or length field
        if (!e.fields.empty()) {
          const auto [at, width] = e.fields[rng_.Below(e.fields.size())];
          if (at + width <= n) {
            const uint32_t max = width == 1 ? 0xFF : 0xFFFF;
            uint32_t cur = static_cast<uint8_t>(b[at]);
            if (width == 2) cur |= static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8;
            static constexpr int kDeltas[] = {-2, -1, 1, 2};
            uint32_t to = 0;
            switch (rng_.Below(4)) {
              case 0:
                to = (cur + static_cast<uint32_t>(kDeltas[rng_.Below(4)])) & max;
                break;
              case 1:
                to = rng_.OneIn(2) ? 0 : max;
                break;
              default:
                to = static_cast<uint32_t>(rng_.Next()) & max;
            }
            b[at] = static_cast<char>(to);
            if (width == 2) b[at + 1] = static_cast<char>(to >> 8);
          }
        } else if (n > 0) {
          b[rng_.Below(n)] = static_cast<char>(rng_.Next());
        }
        break;
      case 8:  // trailing bytes, rarely past the limit
        b += rng_.Bytes(rng_.OneIn(10) ? 4000 + rng_.Below(200) : 1 + rng_.Below(24));
        break;
      case 9:  // a duplicated range
        if (n > 0) {
          const size_t at = rng_.Below(n);
          const std::string chunk = b.substr(at, 1 + rng_.Below(std::min<size_t>(n - at, 64)));
          b.insert(rng_.Below(n + 1), chunk);
        }
        break;
      default: {  // splice with another input
        if (pool_.empty()) break;
        const Encoded& other = pool_[rng_.Below(pool_.size())];
        const size_t cut = rng_.Below(n + 1);
        const size_t from = rng_.Below(other.bytes.size() + 1);
        b = b.substr(0, cut) + other.bytes.substr(from);
      }
    }
  }
  // Field offsets no longer hold after a change of length.
  return e;
}

std::string InputGenerator::NextBinary() {
  Encoded e;
  if (rng_.Below(100) < 55 || pool_.empty()) {
    e = FreshBinary();
  } else {
    e = Mutate(pool_[rng_.Below(pool_.size())]);
  }
  std::string out = e.bytes;
  Remember(std::move(e));
  return out;
}

std::string InputGenerator::MutateText(std::string t) {
  const auto space = [&] { return Utf8(kSpaces[rng_.Below(sizeof kSpaces / sizeof kSpaces[0])]); };
  const size_t n = t.size();
  switch (rng_.Below(12)) {
    case 0:
      return space() + t;
    case 1:
      t += space();
      if (rng_.OneIn(2)) t += space();
      return t;
    case 2:
      t = space() + t;
      return t + space();
    case 3: {  // whitespace inside
      const size_t at = rng_.Below(n + 1);
      t.insert(at, space());
      return t;
    }
    case 4:  // padding
      return t + (rng_.OneIn(2) ? "=" : "==");
    case 5: {  // another alphabet's symbol or a stray character
      static const char* const kOdd[] = {"+", "/", "=", ".", "*", "\xC3\xA9", "\xE2\x80\x8B", "\x80", "\xFF", "\0"};
      const std::string c(kOdd[rng_.Below(sizeof kOdd / sizeof kOdd[0])]);
      if (n > 0 && rng_.OneIn(2)) {
        t.replace(rng_.Below(n), 1, c.empty() ? std::string(1, '\0') : c);
      } else {
        t.insert(rng_.Below(n + 1), c.empty() ? std::string(1, '\0') : c);
      }
      return t;
    }
    case 6:  // a shorter text: lengths 4k+1 are impossible, others change the last symbol's bits
      t.resize(n - std::min<size_t>(n, 1 + rng_.Below(3)));
      return t;
    case 7:  // another last symbol (its unused bits may not be zero)
      if (n > 0) {
        static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        t[n - 1] = kAlphabet[rng_.Below(64)];
      }
      return t;
    case 8:
      if (rng_.OneIn(2)) return "";
      t = space();
      return t + space();
    case 9: {  // a symbol anywhere changed
      static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      if (n > 0) t[rng_.Below(n)] = kAlphabet[rng_.Below(64)];
      return t;
    }
    case 10:  // the standard alphabet throughout
      for (char& c : t) c = c == '-' ? '+' : c == '_' ? '/' : c;
      return t;
    default:
      return t + std::string(1, "ABCD"[rng_.Below(4)]);
  }
}

std::string InputGenerator::NextNative() {
  std::string text;
  if (rng_.OneIn(25)) {
    text = NextCompact();  // a compact string where a native one is expected
  } else {
    const Encoded e = rng_.Below(100) < 70 || pool_.empty() ? FreshBinary() : Mutate(pool_[rng_.Below(pool_.size())]);
    text = Base64Encode(e.bytes, kBase64UrlNoPad);
  }
  if (rng_.OneIn(2)) text = MutateText(std::move(text));
  return text;
}

std::string InputGenerator::CompactBytes() {
  const bool v1 = rng_.OneIn(2);
  std::string b;
  b.push_back(static_cast<char>(v1 ? 1 : 2));
  b.push_back(static_cast<char>(rng_.OneIn(2) ? 1 + rng_.Below(5) : rng_.Next()));
  uint8_t ip[16] = {};
  bool v6 = rng_.OneIn(2);
  if (!v6) {
    for (int i = 0; i < 4; ++i) ip[i] = static_cast<uint8_t>(rng_.Next());
  } else {
    // Addresses whose text form has a rule of its own: all zero, loopback,
    // IPv4-mapped and -compatible, NAT64, zero runs of every length and
    // position (ties: the first is compressed), a single zero group.
    uint16_t g[8] = {};
    switch (rng_.Below(9)) {
      case 0:
        break;
      case 1:
        g[7] = 1;
        break;
      case 2:
        g[5] = 0xFFFF;
        g[6] = static_cast<uint16_t>(rng_.Next());
        g[7] = static_cast<uint16_t>(rng_.Next());
        break;
      case 3:
        g[6] = static_cast<uint16_t>(rng_.Next());
        g[7] = static_cast<uint16_t>(rng_.Next());
        break;
      case 4:
        g[0] = 0x64;
        g[1] = 0xFF9B;
        g[6] = static_cast<uint16_t>(rng_.Next());
        g[7] = static_cast<uint16_t>(rng_.Next());
        break;
      case 5:
        g[0] = static_cast<uint16_t>(rng_.Next());
        break;
      default:
        for (uint16_t& x : g)
          x = rng_.OneIn(2) ? 0 : static_cast<uint16_t>(rng_.OneIn(2) ? rng_.Below(16) : rng_.Next());
    }
    for (int i = 0; i < 8; ++i) {
      ip[2 * i] = static_cast<uint8_t>(g[i] >> 8);
      ip[2 * i + 1] = static_cast<uint8_t>(g[i]);
    }
  }
  b.push_back(static_cast<char>(v6 ? 6 : 4));
  b.append(reinterpret_cast<const char*>(ip), v6 ? 16 : 4);
  const auto be = [&](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) b.push_back(static_cast<char>(v >> (8 * i)));
  };
  be(rng_.OneIn(3) ? 443 : rng_.Next(), 2);
  be(static_cast<uint64_t>(rng_.AnyI64()), 8);
  if (v1) {
    be(static_cast<uint64_t>(rng_.AnyI64()), 8);
    be(static_cast<uint32_t>(rng_.AnyI32()), 4);
    be(static_cast<uint32_t>(rng_.AnyI32()), 4);
  }
  b += rng_.Bytes(AuthKey::kSize);
  return b;
}

std::string InputGenerator::NextCompact() {
  std::string b = CompactBytes();
  const uint64_t r = rng_.Below(100);
  if (r < 12) {
    b += rng_.Bytes(1 + rng_.Below(32));
  } else if (r < 14) {
    b += rng_.Bytes(4090 + rng_.Below(20));  // around DecodeLimits::max_trailing_bytes
  } else if (r < 40) {
    switch (rng_.Below(5)) {
      case 0: {
        static constexpr uint8_t kVersions[] = {0, 1, 2, 3, 8, 0xFF};
        b[0] = static_cast<char>(kVersions[rng_.Below(sizeof kVersions)]);
        break;
      }
      case 1: {
        static constexpr uint8_t kTypes[] = {0, 4, 5, 6, 16, 0xFF};
        b[2] = static_cast<char>(kTypes[rng_.Below(sizeof kTypes)]);
        break;
      }
      default:
        b = Mutate(Encoded{b, {}}).bytes;
    }
  }
  std::string text = Base64Encode(b, kBase64UrlNoPad);
  if (rng_.Below(100) < 15) text = MutateText(std::move(text));
  return text;
}

std::vector<Session> BoundarySessions() {
  std::vector<Session> out;
  const auto base = [] {
    Session s;
    s.home_dc_id = 2;
    s.dcs.push_back(DcEntry::FromParts(2, "149.154.167.51", 443, DcFlags()));
    return s;
  };
  for (size_t n : {size_t{255}, size_t{256}}) {
    Session s = base();
    for (size_t i = 1; i < n; ++i)
      s.dcs.push_back(DcEntry::FromParts(static_cast<int32_t>(i), "10.0.0.1", 443, DcFlags()));
    out.push_back(std::move(s));
  }
  for (size_t n : {size_t{65535}, size_t{65536}}) {
    Session p = base(), c = base(), m = base();
    std::vector<CachedPeer> peers;
    std::vector<ChannelPts> ch;
    std::vector<CachedMinPeer> mins;
    for (size_t i = 0; i < n; ++i) {
      const int64_t id = static_cast<int64_t>(1000 + i);
      peers.push_back(i % 3 == 0   ? CachedPeer::User(id, id)
                      : i % 3 == 1 ? CachedPeer::Chat(id)
                                   : CachedPeer::Channel(id, -id, ChannelKind::kMegagroup));
      ch.push_back({id, static_cast<int32_t>(i)});
      mins.push_back({id, -id, static_cast<int32_t>(i)});
    }
    p.peers.Assign(std::move(peers));
    c.updates_state.mutable_channels().Assign(std::move(ch));
    m.min_peers.Assign(std::move(mins));
    out.push_back(std::move(p));
    out.push_back(std::move(c));
    out.push_back(std::move(m));
  }
  for (size_t n : {size_t{255}, size_t{256}}) {
    Session s = base();
    s.dcs[0].addr = std::string(n, 'a');
    out.push_back(std::move(s));
  }
  for (size_t n : {size_t{65535}, size_t{65536}}) {
    Session s = base();
    std::string token(n, '\0');
    for (size_t i = 0; i < n; ++i) token[i] = static_cast<char>(i % 251);
    s.future_auth_token.emplace(absl::string_view(token));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace differential
}  // namespace tgsession
