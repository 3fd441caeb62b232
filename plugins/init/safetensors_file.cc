// The safetensors header parsed with simdjson's On-Demand API, every entry checked
// against the data buffer before any tensor is built.
#include "plugins/init/safetensors_file.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "ATen/ATen.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "simdjson.h"

namespace stlab::init {
namespace {

namespace od = simdjson::ondemand;

struct DtypeEntry {
  const char* name;
  at::ScalarType type;
  uint64_t element_size;
};

// The dtypes accepted, by their safetensors names.
constexpr DtypeEntry kDtypes[] = {
    {"F32", at::kFloat, 4},     {"F16", at::kHalf, 2}, {"BF16", at::kBFloat16, 2},
    {"F64", at::kDouble, 8},    {"I64", at::kLong, 8},
};

// The safetensors reference implementation refuses headers above 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

const DtypeEntry* FindDtype(const std::string& name) {
  for (const DtypeEntry& entry : kDtypes) {
    if (name == entry.name) return &entry;
  }
  return nullptr;
}

std::string DtypeNames() {
  std::vector<const char*> names;
  for (const DtypeEntry& entry : kDtypes) names.push_back(entry.name);
  return absl::StrJoin(names, ", ");
}

// One header entry before it is checked against the buffer.
struct Entry {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint64_t> offsets;
  bool has_dtype = false, has_shape = false;
};

absl::Status ReadEntry(od::object object, Entry& entry) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) != simdjson::SUCCESS ||
        field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("invalid JSON");
    }
    if (key == "dtype") {
      std::string_view dtype;
      if (field.value().get_string().get(dtype) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError("dtype is not a string");
      }
      entry.dtype = std::string(dtype);
      entry.has_dtype = true;
    } else if (key == "shape" || key == "data_offsets") {
      const bool is_shape = key == "shape";
      od::array array;
      if (field.value().get_array().get(array) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError(absl::StrCat(std::string(key), " is not a list"));
      }
      for (auto element : array) {
        uint64_t value = 0;
        if (element.get_uint64().get(value) != simdjson::SUCCESS ||
            value > static_cast<uint64_t>(INT64_MAX)) {
          return absl::InvalidArgumentError(
              absl::StrCat(std::string(key), " holds something other than a non-negative integer"));
        }
        if (is_shape) {
          entry.shape.push_back(static_cast<int64_t>(value));
        } else {
          entry.offsets.push_back(value);
        }
      }
      if (is_shape) entry.has_shape = true;
    }
  }
  if (!entry.has_dtype) return absl::InvalidArgumentError("no dtype");
  if (!entry.has_shape) return absl::InvalidArgumentError("no shape");
  if (entry.offsets.size() != 2) {
    return absl::InvalidArgumentError("data_offsets is not a list of two integers");
  }
  return absl::OkStatus();
}

// Builds the tensor of `entry` from `data` (the buffer after the header).
absl::StatusOr<at::Tensor> MakeTensor(const Entry& entry, absl::string_view data) {
  const DtypeEntry* dtype = FindDtype(entry.dtype);
  if (dtype == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("dtype ", entry.dtype, " is not supported (", DtypeNames(), ")"));
  }
  const uint64_t begin = entry.offsets[0], end = entry.offsets[1];
  const std::string offsets = absl::StrCat("data_offsets [", begin, ", ", end, "]");
  if (begin > end) return absl::InvalidArgumentError(absl::StrCat(offsets, " are reversed"));
  if (end > data.size()) {
    return absl::InvalidArgumentError(absl::StrCat(offsets, " run past the end of the data (",
                                                   data.size(), " bytes): truncated file?"));
  }
  // LibTorch's strides are products of the sizes with zeros taken as ones, and
  // must fit in int64_t even for an empty tensor (at::empty throws otherwise).
  uint64_t extent = dtype->element_size;
  for (int64_t d : entry.shape) {
    const uint64_t side = std::max<uint64_t>(static_cast<uint64_t>(d), 1);
    if (extent > static_cast<uint64_t>(INT64_MAX) / side) {
      return absl::InvalidArgumentError("shape is too large");
    }
    extent *= side;
  }
  uint64_t bytes = dtype->element_size;
  for (int64_t d : entry.shape) {
    if (d != 0 && bytes > UINT64_MAX / static_cast<uint64_t>(d)) {
      return absl::InvalidArgumentError("shape is too large");
    }
    bytes *= static_cast<uint64_t>(d);
  }
  if (bytes != end - begin) {
    return absl::InvalidArgumentError(absl::StrCat(
        entry.dtype, " [", absl::StrJoin(entry.shape, ", "), "] needs ", bytes, " bytes but ",
        offsets, " hold ", end - begin));
  }
  at::Tensor tensor = at::empty(entry.shape, at::TensorOptions().dtype(dtype->type));
  if (bytes > 0) std::memcpy(tensor.data_ptr(), data.data() + begin, bytes);
  return tensor;
}

}  // namespace

absl::StatusOr<NamedTensors> ParseSafetensors(absl::string_view bytes, absl::string_view where) {
  auto error = [&](absl::string_view message) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", message));
  };
  if (bytes.size() < 8) {
    return error(absl::StrCat("the file is ", bytes.size(),
                              " bytes, too short for the 8-byte header length"));
  }
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) {
    header_size = (header_size << 8) | static_cast<unsigned char>(bytes[i]);
  }
  if (header_size > kMaxHeaderBytes || header_size > bytes.size() - 8) {
    return error(absl::StrCat("the header length ", header_size, " runs past the end of the file (",
                              bytes.size(), " bytes): truncated, or not a safetensors file?"));
  }
  const simdjson::padded_string header(bytes.data() + 8, header_size);
  const absl::string_view data = bytes.substr(8 + header_size);

  od::parser parser;
  od::document document;
  od::object root;
  if (parser.iterate(header).get(document) != simdjson::SUCCESS ||
      document.get_object().get(root) != simdjson::SUCCESS) {
    return error("the header is not a JSON object");
  }
  NamedTensors tensors;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) != simdjson::SUCCESS ||
        field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return error("the header is not valid JSON");
    }
    const std::string name(key);
    if (name == "__metadata__") continue;
    od::object object;
    Entry entry;
    absl::Status status = field.value().get_object().get(object) == simdjson::SUCCESS
                              ? ReadEntry(object, entry)
                              : absl::InvalidArgumentError("not a JSON object");
    at::Tensor tensor;
    if (status.ok()) {
      absl::StatusOr<at::Tensor> made = MakeTensor(entry, data);
      status = made.status();
      if (made.ok()) tensor = *std::move(made);
    }
    if (!status.ok()) return error(absl::StrCat("tensor '", name, "': ", status.message()));
    if (!tensors.emplace(name, tensor).second) {
      return error(absl::StrCat("tensor '", name, "' appears twice in the header"));
    }
  }
  return tensors;
}

}  // namespace stlab::init
