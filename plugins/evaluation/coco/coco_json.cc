// COCO JSON reading and writing (see coco_json.h): simdjson's On-Demand parser
// (no DOM is built: results files hold millions of numbers) and zlib for gzip.
#include "plugins/evaluation/coco/coco_json.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "core/atomic_file.h"
#include "core/file_bytes.h"
#include "core/status.h"
#include "simdjson.h"

namespace stlab::coco {
namespace {

namespace od = simdjson::ondemand;

// A file's bytes (gunzipped when they start with the gzip magic) followed by
// simdjson's padding, so the parser reads them in place.
struct JsonText {
  std::string bytes;
  size_t size = 0;
};

// Inflates one or more concatenated gzip members.
absl::StatusOr<std::string> Gunzip(std::string_view in, const std::filesystem::path& path) {
  const auto corrupt = [&path](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": bad gzip data: ", what));
  };
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return corrupt("cannot initialise zlib");
  const std::unique_ptr<z_stream, int (*)(z_stream*)> end(&stream, inflateEnd);
  // The trailer holds the uncompressed size modulo 2^32: a good first guess, but
  // only a guess in a damaged file, so it is capped at what deflate can expand the
  // input to (1032-fold): four bytes must not allocate 4 GB before inflating any.
  constexpr size_t kMaxDeflateRatio = 1032;
  uint32_t size_hint = 0;
  if (in.size() >= 4) std::memcpy(&size_hint, in.data() + in.size() - 4, 4);
  const size_t guess = std::min<size_t>(size_hint, in.size() * kMaxDeflateRatio);
  std::string out(std::max<size_t>(guess, in.size()) + simdjson::SIMDJSON_PADDING, '\0');
  size_t consumed = 0;
  size_t produced = 0;
  while (true) {
    if (produced == out.size()) out.resize(out.size() * 2);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
    stream.avail_in = static_cast<uInt>(std::min<size_t>(in.size() - consumed, UINT_MAX));
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    stream.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, UINT_MAX));
    const uInt avail_in = stream.avail_in;
    const uInt avail_out = stream.avail_out;
    const int ret = inflate(&stream, Z_NO_FLUSH);
    consumed += avail_in - stream.avail_in;
    produced += avail_out - stream.avail_out;
    if (ret == Z_STREAM_END) {
      if (consumed == in.size()) break;
      if (in.size() - consumed < 2 || static_cast<uint8_t>(in[consumed]) != 0x1f ||
          static_cast<uint8_t>(in[consumed + 1]) != 0x8b) {
        return corrupt("trailing bytes after the gzip stream");
      }
      inflateReset(&stream);
    } else if (ret == Z_BUF_ERROR) {
      if (consumed == in.size()) return corrupt("truncated");
    } else if (ret != Z_OK) {
      return corrupt(stream.msg != nullptr ? stream.msg : "inflate failed");
    }
  }
  out.resize(produced);
  return out;
}

absl::StatusOr<JsonText> ReadJsonText(const std::filesystem::path& path) {
  JsonText text;
  STLAB_ASSIGN_OR_RETURN(text.bytes,
                         ReadFileBytes(path, "COCO JSON file", simdjson::SIMDJSON_PADDING));
  if (text.bytes.size() >= 2 && static_cast<uint8_t>(text.bytes[0]) == 0x1f &&
      static_cast<uint8_t>(text.bytes[1]) == 0x8b) {
    STLAB_ASSIGN_OR_RETURN(text.bytes, Gunzip(text.bytes, path));
  }
  text.size = text.bytes.size();
  text.bytes.resize(text.size + simdjson::SIMDJSON_PADDING, '\0');
  return text;
}

// Where a value sits, for error messages: "<file>: <array>[<index>].<key>".
class Where {
 public:
  Where(const std::filesystem::path& path, absl::string_view array, size_t index)
      : path_(path), array_(array), index_(index) {}

  absl::Status Error(absl::string_view key, absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(path_.string(), ": ", array_, "[", index_, "]",
                                                   key.empty() ? "" : ".", key, ": ", problem));
  }

 private:
  const std::filesystem::path& path_;
  absl::string_view array_;
  size_t index_;
};

absl::Status JsonError(const std::filesystem::path& path, simdjson::error_code error) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.string(), ": invalid JSON: ", simdjson::error_message(error)));
}

// For a failed get_object()/get_array(): the wrong type, or broken JSON.
absl::Status KindError(const std::filesystem::path& path, simdjson::error_code error,
                       absl::string_view expected) {
  if (error != simdjson::INCORRECT_TYPE) return JsonError(path, error);
  return absl::InvalidArgumentError(absl::StrCat(path.string(), ": expected ", expected));
}

// Calls `read(key, value)` for each field of the object `entry`; the fields
// `read` does not consume are skipped.
template <typename Read>
absl::Status ForEachField(od::value entry, const Where& where, Read&& read) {
  od::object object;
  if (const auto error = entry.get_object().get(object)) {
    return error == simdjson::INCORRECT_TYPE
               ? where.Error("", "expected a JSON object")
               : where.Error("", absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
  }
  for (auto result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(result).get(field)) {
      return where.Error("", absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
    }
    if (auto error = field.unescaped_key().get(key)) {
      return where.Error("", absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
    }
    STLAB_RETURN_IF_ERROR(read(absl::string_view(key.data(), key.size()), field.value()));
  }
  return absl::OkStatus();
}

// Calls `read(value)` for each element of the JSON list `key` of `path`.
template <typename Read>
absl::Status ForEachElement(od::value list, const std::filesystem::path& path,
                            absl::string_view key, Read&& read) {
  od::array array;
  if (const auto error = list.get_array().get(array)) {
    return KindError(path, error, absl::StrCat("\"", key, "\" to be a JSON list"));
  }
  for (auto result : array) {
    od::value value;
    if (const auto error = std::move(result).get(value)) return JsonError(path, error);
    STLAB_RETURN_IF_ERROR(read(value));
  }
  return absl::OkStatus();
}

// Typed readers; each reports a wrong type as "<where>.<key>: expected ...".
absl::Status ReadInt(const Where& where, absl::string_view key, od::value value, int64_t& out) {
  if (value.get_int64().get(out) != simdjson::SUCCESS) {
    return where.Error(key, "expected an integer");
  }
  return absl::OkStatus();
}

absl::Status ReadNumber(const Where& where, absl::string_view key, od::value value, double& out) {
  if (value.get_double().get(out) != simdjson::SUCCESS) {
    return where.Error(key, "expected a number");
  }
  return absl::OkStatus();
}

// An integer (non-zero meaning true, as in Python) or a boolean.
absl::Status ReadFlag(const Where& where, absl::string_view key, od::value value, bool& out) {
  od::json_type type;
  int64_t number = 0;
  if (value.type().get(type) == simdjson::SUCCESS && type == od::json_type::boolean &&
      value.get_bool().get(out) == simdjson::SUCCESS) {
    return absl::OkStatus();
  }
  if (value.get_int64().get(number) != simdjson::SUCCESS) {
    return where.Error(key, "expected an integer or a boolean");
  }
  out = number != 0;
  return absl::OkStatus();
}

absl::Status ReadString(const Where& where, absl::string_view key, od::value value,
                        std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return where.Error(key, "expected a string");
  }
  out = text;
  return absl::OkStatus();
}

absl::Status ReadBox(const Where& where, absl::string_view key, od::value value, Box& out) {
  od::array array;
  std::array<double, 4> v;
  size_t n = 0;
  if (value.get_array().get(array) == simdjson::SUCCESS) {
    for (auto element : array) {
      if (n == 4 || element.get_double().get(v[n]) != simdjson::SUCCESS) {
        n = 5;
        break;
      }
      ++n;
    }
  }
  if (n != 4) return where.Error(key, "expected 4 numbers [x, y, width, height]");
  if (v[2] < 0 || v[3] < 0) return where.Error(key, "negative width or height");
  out = Box{v[0], v[1], v[2], v[3]};
  return absl::OkStatus();
}

// Fails naming the first key of `keys` that `seen` lacks.
template <size_t N>
absl::Status RequireKeys(const Where& where, const std::array<absl::string_view, N>& keys,
                         const std::array<bool, N>& seen) {
  for (size_t i = 0; i < N; ++i) {
    if (!seen[i]) return where.Error(keys[i], "missing key");
  }
  return absl::OkStatus();
}

// Starts parsing `text`; the document must outlive what is read from it.
absl::Status Iterate(od::parser& parser, const JsonText& text, const std::filesystem::path& path,
                     od::document& doc) {
  const auto error = parser.iterate(text.bytes.data(), text.size, text.bytes.size()).get(doc);
  return error ? JsonError(path, error) : absl::OkStatus();
}

// Fails unless the whole document was read.
absl::Status CheckAtEnd(od::document& doc, const std::filesystem::path& path) {
  const char* location;
  const auto error = doc.current_location().get(location);
  if (error == simdjson::OUT_OF_BOUNDS) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(path.string(), ": invalid JSON: content after the top-level value"));
}

absl::Status ReadImage(od::value entry, const Where& where, Image& image) {
  constexpr std::array<absl::string_view, 1> kKeys = {"id"};
  std::array<bool, 1> seen{};
  STLAB_RETURN_IF_ERROR(ForEachField(entry, where, [&](absl::string_view key, od::value value) {
    if (key == "id") {
      seen[0] = true;
      return ReadInt(where, key, value, image.id);
    }
    if (key == "width") return ReadInt(where, key, value, image.width);
    if (key == "height") return ReadInt(where, key, value, image.height);
    if (key == "file_name") return ReadString(where, key, value, image.file_name);
    return absl::OkStatus();
  }));
  return RequireKeys(where, kKeys, seen);
}

absl::Status ReadCategory(od::value entry, const Where& where, Category& category) {
  constexpr std::array<absl::string_view, 1> kKeys = {"id"};
  std::array<bool, 1> seen{};
  STLAB_RETURN_IF_ERROR(ForEachField(entry, where, [&](absl::string_view key, od::value value) {
    if (key == "id") {
      seen[0] = true;
      return ReadInt(where, key, value, category.id);
    }
    if (key == "name") return ReadString(where, key, value, category.name);
    return absl::OkStatus();
  }));
  return RequireKeys(where, kKeys, seen);
}

absl::Status ReadAnnotation(od::value entry, const Where& where, Annotation& ann) {
  constexpr std::array<absl::string_view, 6> kKeys = {"id",   "image_id", "category_id",
                                                      "bbox", "area",     "iscrowd"};
  std::array<bool, 6> seen{};
  STLAB_RETURN_IF_ERROR(ForEachField(entry, where, [&](absl::string_view key, od::value value) {
    if (key == "id") {
      seen[0] = true;
      return ReadInt(where, key, value, ann.id);
    }
    if (key == "image_id") {
      seen[1] = true;
      return ReadInt(where, key, value, ann.image_id);
    }
    if (key == "category_id") {
      seen[2] = true;
      return ReadInt(where, key, value, ann.category_id);
    }
    if (key == "bbox") {
      seen[3] = true;
      return ReadBox(where, key, value, ann.bbox);
    }
    if (key == "area") {
      seen[4] = true;
      return ReadNumber(where, key, value, ann.area);
    }
    if (key == "iscrowd") {
      seen[5] = true;
      return ReadFlag(where, key, value, ann.iscrowd);
    }
    if (key == "ignore") return ReadFlag(where, key, value, ann.ignore);
    return absl::OkStatus();
  }));
  STLAB_RETURN_IF_ERROR(RequireKeys(where, kKeys, seen));
  if (ann.area < 0) return where.Error("area", "negative area");
  return absl::OkStatus();
}

absl::Status ReadDetection(od::value entry, const Where& where, Detection& det) {
  constexpr std::array<absl::string_view, 4> kKeys = {"image_id", "category_id", "bbox", "score"};
  std::array<bool, 4> seen{};
  STLAB_RETURN_IF_ERROR(ForEachField(entry, where, [&](absl::string_view key, od::value value) {
    if (key == "image_id") {
      seen[0] = true;
      return ReadInt(where, key, value, det.image_id);
    }
    if (key == "category_id") {
      seen[1] = true;
      return ReadInt(where, key, value, det.category_id);
    }
    if (key == "bbox") {
      seen[2] = true;
      return ReadBox(where, key, value, det.bbox);
    }
    if (key == "score") {
      seen[3] = true;
      return ReadNumber(where, key, value, det.score);
    }
    return absl::OkStatus();
  }));
  return RequireKeys(where, kKeys, seen);
}

void AppendNumber(std::string& out, double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

}  // namespace

absl::StatusOr<GroundTruth> LoadGroundTruth(const std::filesystem::path& path) {
  STLAB_ASSIGN_OR_RETURN(const JsonText text, ReadJsonText(path));
  od::parser parser;
  od::document doc;
  STLAB_RETURN_IF_ERROR(Iterate(parser, text, path, doc));
  od::object top;
  if (const auto error = doc.get_object().get(top)) {
    return KindError(path, error, "a JSON object (COCO instances)");
  }
  GroundTruth gt;
  constexpr std::array<absl::string_view, 3> kKeys = {"images", "categories", "annotations"};
  std::array<bool, 3> seen{};
  for (auto result : top) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(result).get(field)) return JsonError(path, error);
    if (auto error = field.unescaped_key().get(key)) return JsonError(path, error);
    const absl::string_view name(key.data(), key.size());
    if (key == "images") {
      seen[0] = true;
      STLAB_RETURN_IF_ERROR(ForEachElement(field.value(), path, name, [&](od::value entry) {
        const Where where(path, name, gt.images.size());
        return ReadImage(entry, where, gt.images.emplace_back());
      }));
    } else if (key == "categories") {
      seen[1] = true;
      STLAB_RETURN_IF_ERROR(ForEachElement(field.value(), path, name, [&](od::value entry) {
        const Where where(path, name, gt.categories.size());
        return ReadCategory(entry, where, gt.categories.emplace_back());
      }));
    } else if (key == "annotations") {
      seen[2] = true;
      STLAB_RETURN_IF_ERROR(ForEachElement(field.value(), path, name, [&](od::value entry) {
        const Where where(path, name, gt.annotations.size());
        return ReadAnnotation(entry, where, gt.annotations.emplace_back());
      }));
    }
  }
  for (size_t i = 0; i < kKeys.size(); ++i) {
    if (!seen[i]) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), ": missing key \"", kKeys[i], "\""));
    }
  }
  STLAB_RETURN_IF_ERROR(CheckAtEnd(doc, path));
  return gt;
}

absl::StatusOr<std::vector<Detection>> LoadDetections(const std::filesystem::path& path,
                                                      const GroundTruth& ground_truth) {
  STLAB_ASSIGN_OR_RETURN(const JsonText text, ReadJsonText(path));
  od::parser parser;
  od::document doc;
  STLAB_RETURN_IF_ERROR(Iterate(parser, text, path, doc));
  od::array entries;
  if (const auto error = doc.get_array().get(entries)) {
    return KindError(path, error, "a JSON list of detections (COCO results)");
  }
  std::vector<int64_t> image_ids;
  image_ids.reserve(ground_truth.images.size());
  for (const Image& image : ground_truth.images) image_ids.push_back(image.id);
  std::sort(image_ids.begin(), image_ids.end());

  std::vector<Detection> detections;
  for (auto result : entries) {
    od::value entry;
    if (auto error = std::move(result).get(entry)) return JsonError(path, error);
    const Where where(path, "", detections.size());
    Detection& det = detections.emplace_back();
    STLAB_RETURN_IF_ERROR(ReadDetection(entry, where, det));
    if (!std::binary_search(image_ids.begin(), image_ids.end(), det.image_id)) {
      return where.Error("image_id", absl::StrCat("image id ", det.image_id,
                                                  " is not in the ground truth (results do not "
                                                  "correspond to the COCO set)"));
    }
  }
  STLAB_RETURN_IF_ERROR(CheckAtEnd(doc, path));
  return detections;
}

absl::Status WriteDetections(const std::filesystem::path& path,
                             std::span<const Detection> detections) {
  std::string json = "[";
  json.reserve(detections.size() * 96 + 4);
  for (size_t i = 0; i < detections.size(); ++i) {
    const Detection& det = detections[i];
    absl::StrAppend(&json, i == 0 ? "\n" : ",\n", "{\"image_id\":", det.image_id,
                    ",\"category_id\":", det.category_id, ",\"bbox\":[");
    for (const double v : {det.bbox.x, det.bbox.y, det.bbox.width, det.bbox.height}) {
      AppendNumber(json, v);
      json += ',';
    }
    json.back() = ']';
    json += ",\"score\":";
    AppendNumber(json, det.score);
    json += '}';
  }
  json += "\n]\n";
  return WriteFileAtomically(path, json);
}

absl::Status WriteStats(const std::filesystem::path& path, const Stats& stats) {
  std::string json = "{";
  for (int i = 0; i < kNumStats; ++i) {
    absl::StrAppend(&json, i == 0 ? "\n" : ",\n", "  \"");
    json.append(kStatSpecs[i].name);
    json += "\": ";
    AppendNumber(json, stats[i]);
  }
  json += "\n}\n";
  return WriteFileAtomically(path, json);
}

std::string FormatSummary(const Stats& stats) {
  std::string text;
  char line[128];
  for (int i = 0; i < kNumStats; ++i) {
    const StatSpec& spec = kStatSpecs[i];
    char iou[16];
    if (spec.iou_index < 0) {
      std::snprintf(iou, sizeof(iou), "%0.2f:%0.2f", kIouThresholds.front(), kIouThresholds.back());
    } else {
      std::snprintf(iou, sizeof(iou), "%0.2f", kIouThresholds[spec.iou_index]);
    }
    const std::string area(kAreaRangeLabels[spec.area_index]);
    std::snprintf(line, sizeof(line), " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f\n",
                  spec.is_precision ? "Average Precision" : "Average Recall",
                  spec.is_precision ? "(AP)" : "(AR)", iou, area.c_str(),
                  kMaxDets[spec.max_dets_index], stats[i]);
    text += line;
  }
  return text;
}

}  // namespace stlab::coco
