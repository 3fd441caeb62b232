// COCO instances reading (see coco_instances.h): zlib's gz* functions read plain
// and gzip files alike; simdjson's On-Demand parser walks the text once without
// building a DOM (instances_train2017.json is 450 MB).
#include "plugins/datasets/coco_instances.h"

#include <zlib.h>

#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/status.h"
#include "simdjson.h"

namespace stlab::datasets {
namespace {

namespace od = simdjson::ondemand;
namespace fs = std::filesystem;

// The file's text (gunzipped if need be) followed by simdjson's padding.
absl::StatusOr<std::string> ReadPaddedText(const fs::path& path, size_t& size) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(path.string(), ": annotation file not found"));
  }
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (file == nullptr) {
    return absl::UnavailableError(absl::StrCat(path.string(), ": cannot open"));
  }
  std::string text;
  char chunk[1 << 16];
  int n;
  while ((n = gzread(file.get(), chunk, sizeof(chunk))) > 0) text.append(chunk, n);
  if (n < 0) {
    int code = 0;
    const char* message = gzerror(file.get(), &code);
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": cannot read (bad gzip data?): ", message));
  }
  size = text.size();
  text.resize(size + simdjson::SIMDJSON_PADDING, '\0');
  return text;
}

// Where a value sits, for error messages: "<file>: <list>[<index>].<key>", or
// "<file>: <list>" for the list itself.
class Where {
 public:
  Where(const fs::path& path, absl::string_view list, std::optional<size_t> index = std::nullopt)
      : path_(path), list_(list), index_(index) {}

  absl::Status Error(absl::string_view key, absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(path_.string(), ": ", list_,
                                                   index_ ? absl::StrCat("[", *index_, "]") : "",
                                                   key.empty() ? "" : ".", key, ": ", problem));
  }
  absl::Status JsonError(absl::string_view key, simdjson::error_code error) const {
    return Error(key, absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
  }

 private:
  const fs::path& path_;
  absl::string_view list_;
  std::optional<size_t> index_;
};

absl::Status JsonError(const fs::path& path, simdjson::error_code error) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.string(), ": invalid JSON: ", simdjson::error_message(error)));
}

// Calls `read(key, value)` for each field of object `value`; what `read` leaves
// unread is skipped.
template <typename Read>
absl::Status ForEachField(od::value value, const Where& where, absl::string_view key, Read&& read) {
  od::object object;
  if (const auto error = value.get_object().get(object)) {
    return error == simdjson::INCORRECT_TYPE ? where.Error(key, "expected a JSON object")
                                             : where.JsonError(key, error);
  }
  for (auto result : object) {
    od::field field;
    std::string_view name;
    if (const auto error = std::move(result).get(field)) return where.JsonError(key, error);
    if (const auto error = field.unescaped_key().get(name)) return where.JsonError(key, error);
    STLAB_RETURN_IF_ERROR(read(absl::string_view(name.data(), name.size()), field.value()));
  }
  return absl::OkStatus();
}

// Calls `read(element)` for each element of list `value`.
template <typename Read>
absl::Status ForEachElement(od::value value, const Where& where, absl::string_view key,
                            Read&& read) {
  od::array array;
  if (const auto error = value.get_array().get(array)) {
    return error == simdjson::INCORRECT_TYPE ? where.Error(key, "expected a JSON list")
                                             : where.JsonError(key, error);
  }
  for (auto result : array) {
    od::value element;
    if (const auto error = std::move(result).get(element)) return where.JsonError(key, error);
    STLAB_RETURN_IF_ERROR(read(element));
  }
  return absl::OkStatus();
}

absl::Status ReadInt(const Where& where, absl::string_view key, od::value value, int64_t& out) {
  return value.get_int64().get(out) == simdjson::SUCCESS ? absl::OkStatus()
                                                         : where.Error(key, "expected an integer");
}

absl::Status ReadNumber(const Where& where, absl::string_view key, od::value value, double& out) {
  return value.get_double().get(out) == simdjson::SUCCESS ? absl::OkStatus()
                                                          : where.Error(key, "expected a number");
}

absl::Status ReadString(const Where& where, absl::string_view key, od::value value,
                        std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS)
    return where.Error(key, "expected a string");
  out = text;
  return absl::OkStatus();
}

// An integer (non-zero = true, as in Python) or a boolean.
absl::Status ReadFlag(const Where& where, absl::string_view key, od::value value, bool& out) {
  od::json_type type;
  if (value.type().get(type) == simdjson::SUCCESS && type == od::json_type::boolean) {
    if (value.get_bool().get(out) == simdjson::SUCCESS) return absl::OkStatus();
  }
  int64_t number = 0;
  if (value.get_int64().get(number) != simdjson::SUCCESS) {
    return where.Error(key, "expected 0, 1 or a boolean");
  }
  out = number != 0;
  return absl::OkStatus();
}

// A list of exactly `n` numbers.
absl::Status ReadNumbers(const Where& where, absl::string_view key, od::value value, size_t n,
                         absl::string_view expected, double* out) {
  od::array array;
  size_t count = 0;
  bool ok = value.get_array().get(array) == simdjson::SUCCESS;
  if (ok) {
    for (auto element : array) {
      if (count == n || element.get_double().get(out[count]) != simdjson::SUCCESS) {
        ok = false;
        break;
      }
      ++count;
    }
  }
  return ok && count == n ? absl::OkStatus() : where.Error(key, expected);
}

absl::Status ReadPolygons(const Where& where, od::value value, std::vector<CocoPolygon>& out) {
  constexpr absl::string_view kKey = "segmentation";
  return ForEachElement(value, where, kKey, [&](od::value part) {
    CocoPolygon& polygon = out.emplace_back();
    STLAB_RETURN_IF_ERROR(ForEachElement(part, where, kKey, [&](od::value coordinate) {
      double v;
      if (coordinate.get_double().get(v) != simdjson::SUCCESS) {
        return where.Error(kKey, "expected polygons: lists of numbers [x0, y0, x1, y1, ...]");
      }
      polygon.push_back(static_cast<float>(v));
      return absl::OkStatus();
    }));
    if (polygon.size() % 2 != 0) {
      return where.Error(kKey, absl::StrCat("polygon ", out.size() - 1, " has an odd number (",
                                            polygon.size(), ") of coordinates"));
    }
    return absl::OkStatus();
  });
}

absl::Status ReadRle(const Where& where, od::value value, CocoRle& rle) {
  constexpr absl::string_view kKey = "segmentation";
  bool has_size = false;
  bool has_counts = false;
  STLAB_RETURN_IF_ERROR(ForEachField(value, where, kKey, [&](absl::string_view key, od::value v) {
    if (key == "size") {
      has_size = true;
      double size[2];
      STLAB_RETURN_IF_ERROR(
          ReadNumbers(where, "segmentation.size", v, 2, "expected [height, width]", size));
      // Masks are cv::Mats (int sizes); a larger size is no image, and converting
      // it to an integer would be undefined.
      constexpr double kMaxSide = std::numeric_limits<int>::max();
      if (!(size[0] >= 0 && size[0] <= kMaxSide && size[1] >= 0 && size[1] <= kMaxSide)) {
        return where.Error("segmentation.size",
                           absl::StrCat("[", size[0], ", ", size[1], "] is not an image size"));
      }
      rle.height = static_cast<int64_t>(size[0]);
      rle.width = static_cast<int64_t>(size[1]);
      return absl::OkStatus();
    }
    if (key != "counts") return absl::OkStatus();
    has_counts = true;
    od::json_type type;
    if (v.type().get(type) == simdjson::SUCCESS && type == od::json_type::string) {
      std::string_view text;
      if (v.get_string().get(text) != simdjson::SUCCESS) {
        return where.Error("segmentation.counts", "expected a string");
      }
      absl::StatusOr<std::vector<uint32_t>> counts = DecodeRleCounts(text);
      if (!counts.ok()) return where.Error("segmentation.counts", counts.status().message());
      rle.counts = *std::move(counts);
      return absl::OkStatus();
    }
    return ForEachElement(v, where, "segmentation.counts", [&](od::value count) {
      int64_t c;
      if (count.get_int64().get(c) != simdjson::SUCCESS || c < 0 || c > UINT32_MAX) {
        return where.Error("segmentation.counts", "expected a string or non-negative integers");
      }
      rle.counts.push_back(static_cast<uint32_t>(c));
      return absl::OkStatus();
    });
  }));
  if (!has_size || !has_counts) {
    return where.Error(kKey, "an RLE needs \"size\": [height, width] and \"counts\"");
  }
  const absl::Status size = CheckRleSize(rle);
  return size.ok() ? size : where.Error(kKey, size.message());
}

absl::Status ReadSegmentation(const Where& where, od::value value, CocoSegmentation& out) {
  od::json_type type;
  if (const auto error = value.type().get(type)) return where.JsonError("segmentation", error);
  if (type == od::json_type::array) {
    return ReadPolygons(where, value, out.emplace<std::vector<CocoPolygon>>());
  }
  if (type == od::json_type::object) return ReadRle(where, value, out.emplace<CocoRle>());
  return where.Error("segmentation", "expected polygons (a list) or an RLE (an object)");
}

// The index of `key` in `keys`, marked in `seen`; keys.size() for other keys.
template <size_t N>
size_t MarkKey(const std::array<absl::string_view, N>& keys, absl::string_view key,
               std::array<bool, N>& seen) {
  for (size_t i = 0; i < N; ++i) {
    if (keys[i] == key) {
      seen[i] = true;
      return i;
    }
  }
  return N;
}

// Fails naming the first of `keys` that was not seen.
template <size_t N>
absl::Status RequireKeys(const Where& where, const std::array<absl::string_view, N>& keys,
                         const std::array<bool, N>& seen) {
  for (size_t i = 0; i < N; ++i) {
    if (!seen[i]) return where.Error(keys[i], "missing key");
  }
  return absl::OkStatus();
}

absl::Status ReadImage(od::value entry, const Where& where, CocoImageEntry& image) {
  constexpr std::array<absl::string_view, 4> kKeys = {"id", "file_name", "width", "height"};
  std::array<bool, 4> seen{};
  STLAB_RETURN_IF_ERROR(ForEachField(entry, where, "", [&](absl::string_view key, od::value v) {
    switch (MarkKey(kKeys, key, seen)) {
      case 0:
        return ReadInt(where, key, v, image.id);
      case 1:
        return ReadString(where, key, v, image.file_name);
      case 2:
        return ReadInt(where, key, v, image.width);
      case 3:
        return ReadInt(where, key, v, image.height);
      default:
        return absl::OkStatus();
    }
  }));
  STLAB_RETURN_IF_ERROR(RequireKeys(where, kKeys, seen));
  if (image.width <= 0 || image.height <= 0) {
    return where.Error("", absl::StrCat("width and height must be positive, got ", image.width,
                                        " x ", image.height));
  }
  return absl::OkStatus();
}

absl::Status ReadCategory(od::value entry, const Where& where, CocoCategoryEntry& category) {
  constexpr std::array<absl::string_view, 2> kKeys = {"id", "name"};
  std::array<bool, 2> seen{};
  STLAB_RETURN_IF_ERROR(ForEachField(entry, where, "", [&](absl::string_view key, od::value v) {
    switch (MarkKey(kKeys, key, seen)) {
      case 0:
        return ReadInt(where, key, v, category.id);
      case 1:
        return ReadString(where, key, v, category.name);
      default:
        return absl::OkStatus();
    }
  }));
  return RequireKeys(where, kKeys, seen);
}

absl::Status ReadAnnotation(od::value entry, const Where& where, bool read_segmentations,
                            CocoAnnotationEntry& ann) {
  constexpr std::array<absl::string_view, 4> kKeys = {"id", "image_id", "category_id", "bbox"};
  std::array<bool, 4> seen{};
  STLAB_RETURN_IF_ERROR(ForEachField(entry, where, "", [&](absl::string_view key, od::value v) {
    switch (MarkKey(kKeys, key, seen)) {
      case 0:
        return ReadInt(where, key, v, ann.id);
      case 1:
        return ReadInt(where, key, v, ann.image_id);
      case 2:
        return ReadInt(where, key, v, ann.category_id);
      case 3:
        return ReadNumbers(where, key, v, 4, "expected 4 numbers [x, y, width, height]",
                           ann.bbox.data());
      default:
        break;
    }
    if (key == "area") return ReadNumber(where, key, v, ann.area);
    if (key == "iscrowd") return ReadFlag(where, key, v, ann.iscrowd);
    if (key == "segmentation" && read_segmentations) {
      return ReadSegmentation(where, v, ann.segmentation);
    }
    return absl::OkStatus();
  }));
  return RequireKeys(where, kKeys, seen);
}

}  // namespace

absl::StatusOr<CocoInstances> ReadCocoInstances(const fs::path& path, bool read_segmentations) {
  size_t size = 0;
  STLAB_ASSIGN_OR_RETURN(const std::string text, ReadPaddedText(path, size));
  od::parser parser;
  od::document doc;
  if (const auto error = parser.iterate(text.data(), size, text.size()).get(doc)) {
    return JsonError(path, error);
  }
  od::object top;
  if (const auto error = doc.get_object().get(top)) {
    if (error != simdjson::INCORRECT_TYPE) return JsonError(path, error);
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": expected a JSON object (COCO instances)"));
  }
  CocoInstances out;
  constexpr std::array<absl::string_view, 3> kKeys = {"images", "categories", "annotations"};
  std::array<bool, 3> seen{};
  for (auto result : top) {
    od::field field;
    std::string_view std_key;
    if (const auto error = std::move(result).get(field)) return JsonError(path, error);
    if (const auto error = field.unescaped_key().get(std_key)) return JsonError(path, error);
    const absl::string_view key(std_key.data(), std_key.size());
    const Where list(path, key);
    switch (MarkKey(kKeys, key, seen)) {
      case 0:
        STLAB_RETURN_IF_ERROR(ForEachElement(field.value(), list, "", [&](od::value entry) {
          const Where where(path, kKeys[0], out.images.size());
          return ReadImage(entry, where, out.images.emplace_back());
        }));
        break;
      case 1:
        STLAB_RETURN_IF_ERROR(ForEachElement(field.value(), list, "", [&](od::value entry) {
          const Where where(path, kKeys[1], out.categories.size());
          return ReadCategory(entry, where, out.categories.emplace_back());
        }));
        break;
      case 2:
        STLAB_RETURN_IF_ERROR(ForEachElement(field.value(), list, "", [&](od::value entry) {
          const Where where(path, kKeys[2], out.annotations.size());
          return ReadAnnotation(entry, where, read_segmentations, out.annotations.emplace_back());
        }));
        break;
      default:
        break;
    }
  }
  for (size_t i = 0; i < kKeys.size(); ++i) {
    if (!seen[i]) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), ": missing key \"", kKeys[i], "\""));
    }
  }
  const char* location;
  if (doc.current_location().get(location) != simdjson::OUT_OF_BOUNDS) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": invalid JSON: content after the top-level object"));
  }
  return out;
}

}  // namespace stlab::datasets
