// Parameter declarations, constraint checks and typed access to resolved values.
#include "registry/param.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace stlab {
namespace {

std::string FormatNumber(double v) { return absl::StrFormat("%g", v); }

template <typename T>
std::string JoinList(const std::vector<T>& list, const std::function<std::string(const T&)>& fmt) {
  std::vector<std::string> parts;
  parts.reserve(list.size());
  for (const T& x : list) parts.push_back(fmt(x));
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string QuoteString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

bool IsList(ParamType type) {
  return type == ParamType::kIntList || type == ParamType::kFloatList ||
         type == ParamType::kStringList;
}

}  // namespace

const char* ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kBool: return "bool";
    case ParamType::kInt: return "int";
    case ParamType::kFloat: return "float";
    case ParamType::kString: return "string";
    case ParamType::kIntList: return "list of int";
    case ParamType::kFloatList: return "list of float";
    case ParamType::kStringList: return "list of string";
  }
  return "unknown";
}

std::string FormatParamValue(const ParamValue& value) {
  struct Visitor {
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(int64_t v) const { return absl::StrCat(v); }
    std::string operator()(double v) const {
      if (std::isnan(v)) return "nan";
      if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
      char buffer[32];
      // Shortest text that reads back as exactly `v`.
      std::string s(buffer, std::to_chars(buffer, buffer + sizeof(buffer), v).ptr);
      // Keep floats recognisable as floats in TOML.
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    std::string operator()(const std::string& v) const { return QuoteString(v); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return JoinList<int64_t>(v, [](const int64_t& x) { return absl::StrCat(x); });
    }
    std::string operator()(const std::vector<double>& v) const {
      return JoinList<double>(v, [this](const double& x) { return (*this)(x); });
    }
    std::string operator()(const std::vector<std::string>& v) const {
      return JoinList<std::string>(v, QuoteString);
    }
  };
  return std::visit(Visitor{}, value);
}

ParamSpec::ParamSpec(std::string name, ParamType type, std::optional<ParamValue> default_value,
                     std::string doc)
    : name_(std::move(name)),
      type_(type),
      default_value_(std::move(default_value)),
      doc_(std::move(doc)) {}

ParamSpec ParamSpec::Bool(std::string name, bool default_value, std::string doc) {
  return ParamSpec(std::move(name), ParamType::kBool, default_value, std::move(doc));
}
ParamSpec ParamSpec::Int(std::string name, int64_t default_value, std::string doc) {
  return ParamSpec(std::move(name), ParamType::kInt, default_value, std::move(doc));
}
ParamSpec ParamSpec::Float(std::string name, double default_value, std::string doc) {
  return ParamSpec(std::move(name), ParamType::kFloat, default_value, std::move(doc));
}
ParamSpec ParamSpec::String(std::string name, std::string default_value, std::string doc) {
  return ParamSpec(std::move(name), ParamType::kString, std::move(default_value), std::move(doc));
}
ParamSpec ParamSpec::IntList(std::string name, std::vector<int64_t> default_value,
                             std::string doc) {
  return ParamSpec(std::move(name), ParamType::kIntList, std::move(default_value),
                   std::move(doc));
}
ParamSpec ParamSpec::FloatList(std::string name, std::vector<double> default_value,
                               std::string doc) {
  return ParamSpec(std::move(name), ParamType::kFloatList, std::move(default_value),
                   std::move(doc));
}
ParamSpec ParamSpec::StringList(std::string name, std::vector<std::string> default_value,
                                std::string doc) {
  return ParamSpec(std::move(name), ParamType::kStringList, std::move(default_value),
                   std::move(doc));
}
ParamSpec ParamSpec::Required(std::string name, ParamType type, std::string doc) {
  return ParamSpec(std::move(name), type, std::nullopt, std::move(doc));
}

ParamSpec& ParamSpec::Min(double min) {
  min_ = min;
  min_exclusive_ = false;
  return *this;
}
ParamSpec& ParamSpec::Above(double bound) {
  min_ = bound;
  min_exclusive_ = true;
  return *this;
}
ParamSpec& ParamSpec::Max(double max) {
  max_ = max;
  return *this;
}
ParamSpec& ParamSpec::OneOf(std::vector<std::string> choices) {
  choices_ = std::move(choices);
  return *this;
}
ParamSpec& ParamSpec::FileName() {
  file_name_ = true;
  return *this;
}
ParamSpec& ParamSpec::Length(int64_t length) {
  length_ = length;
  return *this;
}

std::string ParamSpec::DescribeConstraint() const {
  std::string element = IsList(type_) ? ParamTypeName(type_) + 8 : ParamTypeName(type_);
  std::string out = IsList(type_)
                        ? (length_ ? absl::StrCat("list of ", *length_, " ", element)
                                   : std::string(ParamTypeName(type_)))
                        : element;
  if (min_ && max_) {
    absl::StrAppend(&out, " in ", min_exclusive_ ? "(" : "[", FormatNumber(*min_), ", ",
                    FormatNumber(*max_), "]");
  } else if (min_) {
    absl::StrAppend(&out, min_exclusive_ ? " > " : " >= ", FormatNumber(*min_));
  } else if (max_) {
    absl::StrAppend(&out, " <= ", FormatNumber(*max_));
  }
  if (!choices_.empty()) {
    absl::StrAppend(&out, ", one of {", absl::StrJoin(choices_, ", "), "}");
  }
  if (file_name_) absl::StrAppend(&out, ", a file name (not empty, no '/', not . or ..)");
  return out;
}

absl::Status ParamSpec::CheckConstraints(const ParamValue& value) const {
  auto check_number = [&](double v) -> absl::Status {
    if ((min_ && (v < *min_ || (min_exclusive_ && v == *min_))) || (max_ && v > *max_) ||
        v != v) {
      return absl::OutOfRangeError(absl::StrCat("must be ", DescribeConstraint(), ", got ",
                                                FormatNumber(v)));
    }
    return absl::OkStatus();
  };
  auto check_choice = [&](const std::string& v) -> absl::Status {
    if (file_name_ && (v.empty() || v == "." || v == ".." || v.find('/') != std::string::npos ||
                       v.find('\0') != std::string::npos)) {
      return absl::InvalidArgumentError(
          absl::StrCat("must be ", DescribeConstraint(), ", got \"", v, "\""));
    }
    if (choices_.empty()) return absl::OkStatus();
    for (const std::string& c : choices_) {
      if (c == v) return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat("must be one of {", absl::StrJoin(choices_, ", "),
                                                   "}, got \"", v, "\""));
  };
  auto check_length = [&](size_t n) -> absl::Status {
    if (length_ && static_cast<int64_t>(n) != *length_) {
      return absl::InvalidArgumentError(
          absl::StrCat("must have exactly ", *length_, " elements, got ", n));
    }
    return absl::OkStatus();
  };
  switch (type_) {
    case ParamType::kBool: return absl::OkStatus();
    case ParamType::kInt: {
      // Ints may list their allowed values too (OneOf with decimal strings).
      const int64_t v = std::get<int64_t>(value);
      if (absl::Status s = check_number(static_cast<double>(v)); !s.ok()) return s;
      if (!choices_.empty() &&
          std::find(choices_.begin(), choices_.end(), absl::StrCat(v)) == choices_.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "must be one of {", absl::StrJoin(choices_, ", "), "}, got ", v));
      }
      return absl::OkStatus();
    }
    case ParamType::kFloat: return check_number(std::get<double>(value));
    case ParamType::kString: return check_choice(std::get<std::string>(value));
    case ParamType::kIntList: {
      const auto& list = std::get<std::vector<int64_t>>(value);
      if (absl::Status s = check_length(list.size()); !s.ok()) return s;
      for (int64_t v : list) {
        if (absl::Status s = check_number(static_cast<double>(v)); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    case ParamType::kFloatList: {
      const auto& list = std::get<std::vector<double>>(value);
      if (absl::Status s = check_length(list.size()); !s.ok()) return s;
      for (double v : list) {
        if (absl::Status s = check_number(v); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    case ParamType::kStringList: {
      const auto& list = std::get<std::vector<std::string>>(value);
      if (absl::Status s = check_length(list.size()); !s.ok()) return s;
      for (const std::string& v : list) {
        if (absl::Status s = check_choice(v); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ParamValue> ParamSpec::Accept(ParamValue value) const {
  if (type_ == ParamType::kFloat && TypeOf(value) == ParamType::kInt) {
    value = static_cast<double>(std::get<int64_t>(value));
  }
  if (type_ == ParamType::kFloatList && TypeOf(value) == ParamType::kIntList) {
    const auto& ints = std::get<std::vector<int64_t>>(value);
    value = std::vector<double>(ints.begin(), ints.end());
  }
  if (TypeOf(value) != type_) {
    return absl::InvalidArgumentError(absl::StrCat("must be ", ParamTypeName(type_), ", got ",
                                                   ParamTypeName(TypeOf(value))));
  }
  if (absl::Status s = CheckConstraints(value); !s.ok()) return s;
  return value;
}

template <typename T>
const T& Params::Get(const std::string& name, ParamType expected) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    throw std::logic_error(absl::StrCat("parameter '", name,
                                        "' is read by the component but was not declared"));
  }
  const T* value = std::get_if<T>(&it->second);
  if (value == nullptr) {
    throw std::logic_error(absl::StrCat("parameter '", name, "' is read as ",
                                        ParamTypeName(expected), " but declared otherwise"));
  }
  return *value;
}

bool Params::GetBool(const std::string& name) const { return Get<bool>(name, ParamType::kBool); }
int64_t Params::GetInt(const std::string& name) const {
  return Get<int64_t>(name, ParamType::kInt);
}
double Params::GetFloat(const std::string& name) const {
  return Get<double>(name, ParamType::kFloat);
}
const std::string& Params::GetString(const std::string& name) const {
  return Get<std::string>(name, ParamType::kString);
}
const std::vector<int64_t>& Params::GetIntList(const std::string& name) const {
  return Get<std::vector<int64_t>>(name, ParamType::kIntList);
}
const std::vector<double>& Params::GetFloatList(const std::string& name) const {
  return Get<std::vector<double>>(name, ParamType::kFloatList);
}
const std::vector<std::string>& Params::GetStringList(const std::string& name) const {
  return Get<std::vector<std::string>>(name, ParamType::kStringList);
}

absl::StatusOr<Params> ResolveParams(const ParamSpecs& specs,
                                     std::map<std::string, ParamValue> values) {
  std::map<std::string, ParamValue> resolved;
  for (const ParamSpec& spec : specs) {
    auto it = values.find(spec.name());
    if (it == values.end()) {
      if (!spec.default_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("required parameter '", spec.name(), "' is not set"));
      }
      resolved.emplace(spec.name(), *spec.default_value());
      continue;
    }
    absl::StatusOr<ParamValue> value = spec.Accept(std::move(it->second));
    values.erase(it);
    if (!value.ok()) {
      return absl::Status(value.status().code(), absl::StrCat("parameter '", spec.name(), "' ",
                                                              value.status().message()));
    }
    resolved.emplace(spec.name(), *std::move(value));
  }
  if (!values.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown parameter '", values.begin()->first, "'"));
  }
  return Params(std::move(resolved));
}

}  // namespace stlab
