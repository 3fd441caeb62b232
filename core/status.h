// Status helpers: the project's error-propagation macros and the bridge from C++
// exceptions (LibTorch's c10::Error among them) to absl::Status.
#ifndef STLAB_CORE_STATUS_H_
#define STLAB_CORE_STATUS_H_

#include <exception>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/export.h"

#define STLAB_STATUS_CONCAT_INNER_(a, b) a##b
#define STLAB_STATUS_CONCAT_(a, b) STLAB_STATUS_CONCAT_INNER_(a, b)

/// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define STLAB_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::absl::Status stlab_status_ = (expr);           \
    if (!stlab_status_.ok()) return stlab_status_;   \
  } while (false)

/// `STLAB_ASSIGN_OR_RETURN(auto x, Foo());` assigns the value of an
/// absl::StatusOr to `lhs`, or returns its error from the enclosing function.
#define STLAB_ASSIGN_OR_RETURN(lhs, rexpr)                                    \
  STLAB_ASSIGN_OR_RETURN_IMPL_(                                               \
      STLAB_STATUS_CONCAT_(stlab_statusor_, __LINE__), lhs, rexpr)

#define STLAB_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

namespace stlab {

/// Turns the exception currently being handled into a Status whose message
/// starts with `context`. For c10::Error the message omits LibTorch's C++
/// backtrace. Call only inside a `catch` block.
STLAB_API absl::Status StatusFromCurrentException(absl::string_view context);

/// Runs `fn` (returning absl::Status or absl::StatusOr<T>) and converts any
/// exception it throws into an error Status prefixed with `context`. Used at
/// plugin and API boundaries, where LibTorch may throw.
template <typename Fn>
auto CallAndCatch(absl::string_view context, Fn&& fn) -> decltype(fn()) {
  try {
    return std::forward<Fn>(fn)();
  } catch (...) {
    return StatusFromCurrentException(context);
  }
}

/// Prepends `context` to a non-OK status's message, keeping its code.
STLAB_API absl::Status Annotate(const absl::Status& status,
                                absl::string_view context);

}  // namespace stlab

#endif  // STLAB_CORE_STATUS_H_
