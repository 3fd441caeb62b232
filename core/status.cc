// Converts in-flight exceptions to absl::Status.
#include "core/status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "c10/util/Exception.h"

namespace stlab {

absl::Status StatusFromCurrentException(absl::string_view context) {
  try {
    throw;
  } catch (const c10::Error& e) {
    return absl::InternalError(
        absl::StrCat(context, ": ", e.what_without_backtrace()));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(context, ": ", e.what()));
  } catch (...) {
    return absl::InternalError(
        absl::StrCat(context, ": unknown exception (not derived from std::exception)"));
  }
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(context, ": ", status.message()));
}

}  // namespace stlab
