// The backend conformance suite on the example custom backend: what a
// backend written against SessionBackend alone gets from the defaults
// (granular operations and batches as load-mutate-save).
#define TGS_EXAMPLE_NO_MAIN
#include "backends/example_custom_backend.cc"  // NOLINT: the example is one file on purpose

#include "gtest/gtest.h"
#include "tests/testing/backend_conformance.h"

namespace tgsession {
namespace testing {
namespace {

// The example's backend over a key-value store of its own.
class OwningKeyValueBackend : public KeyValueBackend {
 public:
  explicit OwningKeyValueBackend(std::unique_ptr<FakeKeyValueStore> store)
      : KeyValueBackend(store.get(), "tgsession:test"), store_(std::move(store)) {}

 private:
  std::unique_ptr<FakeKeyValueStore> store_;
};

INSTANTIATE_TEST_SUITE_P(ExampleCustom, BackendConformanceTest,
                         ::testing::Values(BackendFactory{
                             "example_key_value",
                             [](const std::string&) -> std::unique_ptr<SessionBackend> {
                               return std::make_unique<OwningKeyValueBackend>(std::make_unique<FakeKeyValueStore>());
                             },
                             /*persistent=*/false}),
                         BackendFactoryName);

}  // namespace
}  // namespace testing
}  // namespace tgsession
