// Precompiled header for libstlab, the CLI and the tests: the heavy, stable
// headers (LibTorch's module and tensor headers, Abseil status).
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ATen/core/Tensor.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "torch/nn/module.h"
