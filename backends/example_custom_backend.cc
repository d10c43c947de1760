// Example: a custom SessionBackend written against the interface alone.
//
// A "Redis-like" key-value store is stood in for by a tiny in-process class
// with GET/SET/DEL; swap it for your client library. The backend stores the
// session in the binary format under one key, and inherits correct (if not
// optimal) granular operations and batches from SessionBackend's
// load-mutate-save defaults: a batch is one GET and one SET, so it is as
// atomic as SET. A real Redis backend would override CachePeer with HSET on
// a peers hash, and ApplyChanges with one MULTI/EXEC of HSETs.
//
//   bazel run //backends:example_custom_backend
//
// //backends:example_custom_backend_conformance_test runs the backend
// conformance suite on this class.
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "backends/backend.h"
#include "session/binary_codec.h"
#include "session/secret.h"

namespace {

// Stand-in for a network key-value client.
class FakeKeyValueStore {
 public:
  std::optional<std::string> Get(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = data_.find(key);
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  void Set(const std::string& key, std::string value) {
    std::lock_guard<std::mutex> lock(mu_);
    data_[key] = std::move(value);
  }
  void Del(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    data_.erase(key);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> data_;
};

class KeyValueBackend : public tgsession::SessionBackend {
 public:
  KeyValueBackend(FakeKeyValueStore* store, std::string key) : store_(store), key_(std::move(key)) {}

  absl::Status Save(const tgsession::Session& session) override {
    absl::StatusOr<std::string> bytes = tgsession::EncodeBinary(session);
    if (!bytes.ok()) return bytes.status();
    store_->Set(key_, *std::move(bytes));
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<tgsession::Session>> Load() override {
    std::optional<std::string> bytes = store_->Get(key_);
    if (!bytes) return std::optional<tgsession::Session>();  // no session: not an error
    tgsession::SecretString guard(*std::move(bytes));
    absl::StatusOr<tgsession::Session> s = tgsession::DecodeBinary(guard.view());
    if (!s.ok()) return s.status();  // kDataLoss naming the byte offset
    return std::optional<tgsession::Session>(*std::move(s));
  }

  absl::Status Delete() override {
    store_->Del(key_);
    return absl::OkStatus();
  }

  std::string Name() const override { return "kv:" + key_; }

 private:
  FakeKeyValueStore* store_;
  std::string key_;
};

}  // namespace

#ifndef TGS_EXAMPLE_NO_MAIN
int main() {
  FakeKeyValueStore redis;
  KeyValueBackend backend(&redis, "tgsession:bot-1");
  tgsession::Session s = tgsession::NewSessionWithDefaults();
  if (!backend.Save(s).ok()) return 1;
  // Granular operations work out of the box (load-mutate-save).
  if (!backend.CachePeer(tgsession::CachedPeer::User(777000, 42)).ok()) return 1;
  if (!backend.ApplyUpdateState(tgsession::UpdateStateChange::Primary(100, 1700000000, 1)).ok()) return 1;
  // An update's users and its pts in one call, stored as one unit.
  const tgsession::CachedPeer users[] = {tgsession::CachedPeer::User(1001, 11), tgsession::CachedPeer::User(1002, 12)};
  const tgsession::UpdateStateChange pts[] = {tgsession::UpdateStateChange::Primary(101, 1700000001, 2)};
  tgsession::SessionChanges batch;
  batch.peers = users;
  batch.updates = pts;
  if (!backend.ApplyChanges(batch).ok()) return 1;
  absl::StatusOr<std::optional<tgsession::Session>> loaded = backend.Load();
  if (!loaded.ok() || !loaded->has_value()) return 1;
  std::cout << backend.Name() << ": " << (*loaded)->DebugString() << "\n";
  return (*loaded)->FindPeer(777000) != nullptr && (*loaded)->FindPeer(1002) != nullptr &&
                 (*loaded)->updates_state.pts == 101
             ? 0
             : 1;
}
#endif  // TGS_EXAMPLE_NO_MAIN
