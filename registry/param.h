// Declared parameters of a registered component: the one declaration from which
// config validation, defaults and `stlab plugins show` are all generated.
#ifndef STLAB_REGISTRY_PARAM_H_
#define STLAB_REGISTRY_PARAM_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "core/export.h"

namespace stlab {

enum class ParamType { kBool, kInt, kFloat, kString, kIntList, kFloatList, kStringList };

/// Human-readable type name, as used in error messages and docs ("int", "list of float").
STLAB_API const char* ParamTypeName(ParamType type);

/// Alternatives are in the order of ParamType, so `value.index()` is its type.
using ParamValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>,
                                std::vector<double>, std::vector<std::string>>;

inline ParamType TypeOf(const ParamValue& value) { return static_cast<ParamType>(value.index()); }

/// Renders a value the way it would be written in TOML (strings quoted, lists bracketed).
STLAB_API std::string FormatParamValue(const ParamValue& value);

/// One declared parameter. Build with the static constructors and refine with the
/// fluent setters:
///   ParamSpec::Float("p", 0.5, "probability of flipping").Range(0.0, 1.0)
///   ParamSpec::RequiredInt("num_classes", "foreground classes").Min(1)
/// For list types, Min/Max bound every element.
class STLAB_API ParamSpec {
 public:
  static ParamSpec Bool(std::string name, bool default_value, std::string doc);
  static ParamSpec Int(std::string name, int64_t default_value, std::string doc);
  static ParamSpec Float(std::string name, double default_value, std::string doc);
  static ParamSpec String(std::string name, std::string default_value, std::string doc);
  static ParamSpec IntList(std::string name, std::vector<int64_t> default_value, std::string doc);
  static ParamSpec FloatList(std::string name, std::vector<double> default_value, std::string doc);
  static ParamSpec StringList(std::string name, std::vector<std::string> default_value,
                              std::string doc);
  /// A parameter without a default: a config must set it.
  static ParamSpec Required(std::string name, ParamType type, std::string doc);
  static ParamSpec RequiredInt(std::string name, std::string doc) {
    return Required(std::move(name), ParamType::kInt, std::move(doc));
  }

  ParamSpec& Min(double min);
  /// An exclusive lower bound: values must be > `bound` (a scale, a learning rate,
  /// an epsilon: 0 is not allowed, anything above is).
  ParamSpec& Above(double bound);
  ParamSpec& Max(double max);
  ParamSpec& Range(double min, double max) { return Min(min).Max(max); }
  /// Allowed values of a string (or every element of a string list), or of an int
  /// (as decimal strings: {"18", "34"}).
  ParamSpec& OneOf(std::vector<std::string> choices);
  /// Exact list length.
  ParamSpec& Length(int64_t length);
  /// A string that names one entry of a folder (a run or suite name): not empty,
  /// no '/', not "." or "..", so that it cannot point outside or at its folder.
  ParamSpec& FileName();

  const std::string& name() const { return name_; }
  ParamType type() const { return type_; }
  const std::string& doc() const { return doc_; }
  const std::optional<ParamValue>& default_value() const { return default_value_; }
  const std::optional<double>& min() const { return min_; }
  /// Whether min() itself is excluded (Above()).
  bool min_exclusive() const { return min_exclusive_; }
  const std::optional<double>& max() const { return max_; }
  const std::vector<std::string>& choices() const { return choices_; }
  const std::optional<int64_t>& length() const { return length_; }
  bool file_name() const { return file_name_; }

  /// Returns `value` if it fits this parameter, after widening ints to floats
  /// where a float is declared. The error says what was expected, e.g.
  /// "must be float in [0, 1], got 1.5" or "must be int, got string".
  absl::StatusOr<ParamValue> Accept(ParamValue value) const;

  /// "float in [0, 1]", "string, one of {bilinear, nearest}", "list of 2 int >= 1".
  std::string DescribeConstraint() const;

 private:
  ParamSpec(std::string name, ParamType type, std::optional<ParamValue> default_value,
            std::string doc);
  absl::Status CheckConstraints(const ParamValue& value) const;

  std::string name_;
  ParamType type_;
  std::optional<ParamValue> default_value_;
  std::string doc_;
  std::optional<double> min_;
  std::optional<double> max_;
  std::vector<std::string> choices_;
  std::optional<int64_t> length_;
  bool file_name_ = false;
  // NOTE: after file_name_, in what was padding, so that the members above keep
  // their offsets for plugins built against API v3 before it.
  bool min_exclusive_ = false;
};

using ParamSpecs = std::vector<ParamSpec>;

/// Validated parameter values of one component instance: every declared parameter
/// is present (set by the config or defaulted). A getter called with a name that
/// was not declared, or with the wrong type, is a plugin bug and throws
/// std::logic_error, which the registry turns into a Status at the plugin boundary.
class STLAB_API Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, ParamValue> values) : values_(std::move(values)) {}

  bool GetBool(const std::string& name) const;
  int64_t GetInt(const std::string& name) const;
  double GetFloat(const std::string& name) const;
  const std::string& GetString(const std::string& name) const;
  const std::vector<int64_t>& GetIntList(const std::string& name) const;
  const std::vector<double>& GetFloatList(const std::string& name) const;
  const std::vector<std::string>& GetStringList(const std::string& name) const;

  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  template <typename T>
  const T& Get(const std::string& name, ParamType expected) const;

  std::map<std::string, ParamValue> values_;
};

/// Fills defaults for unset parameters and checks every value; for code that builds
/// components without a config file (tests, benchmarks). Unknown names are errors.
STLAB_API absl::StatusOr<Params> ResolveParams(const ParamSpecs& specs,
                                               std::map<std::string, ParamValue> values);

}  // namespace stlab

#endif  // STLAB_REGISTRY_PARAM_H_
