// Propagating absl::Status and absl::StatusOr, for code that uses the library
// (target //session:status_macros) as much as for the library itself.
// Abseil 20220623 ships no such macros.
//
//   absl::Status Start(const std::string& path) {
//     TGS_ASSIGN_OR_RETURN(std::unique_ptr<BinaryFileBackend> store, BinaryFileBackend::Open(path));
//     TGS_ASSIGN_OR_RETURN(Session session, store->LoadOrNew());
//     TGS_RETURN_IF_ERROR(store->Save(session));
//     return store->Close();
//   }
#ifndef TGSESSION_SESSION_STATUS_MACROS_H_
#define TGSESSION_SESSION_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TGS_STATUS_CONCAT_INNER_(a, b) a##b
#define TGS_STATUS_CONCAT_(a, b) TGS_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define TGS_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::absl::Status tgs_status_ = (expr);           \
    if (!tgs_status_.ok()) return tgs_status_;     \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status from
// the enclosing function, otherwise moves the value into `lhs`, which may be a
// declaration (`TGS_ASSIGN_OR_RETURN(auto x, F())`).
#define TGS_ASSIGN_OR_RETURN(lhs, rexpr) \
  TGS_ASSIGN_OR_RETURN_IMPL_(TGS_STATUS_CONCAT_(tgs_statusor_, __LINE__), lhs, rexpr)

#define TGS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#endif  // TGSESSION_SESSION_STATUS_MACROS_H_
