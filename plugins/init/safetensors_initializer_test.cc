#include "plugins/init/safetensors_initializer.h"

#include <filesystem>
#include <string>
#include <vector>

#include "ATen/ATen.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/init/safetensors_file.h"
#include "plugins/init/tiny_net_for_tests.h"
#include "plugins/init/weights_file.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"
#include "torch/utils.h"

namespace stlab::init {
namespace {

using ::stlab::init::testing::TinyNetImpl;
using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// One tensor of a hand-built file: its header fields and raw bytes.
struct Stored {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

std::string RawBytes(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return std::string(static_cast<const char*>(c.data_ptr()), c.nbytes());
}

Stored Tensor(const std::string& name, const at::Tensor& t, const std::string& dtype = "F32") {
  return {name, dtype, t.sizes().vec(), RawBytes(t)};
}

// The file format written out by hand: length, JSON header, data.
std::string Safetensors(const std::vector<Stored>& tensors) {
  std::vector<std::string> entries = {R"("__metadata__": {"format": "pt"})"};
  std::string data;
  for (const Stored& t : tensors) {
    entries.push_back(absl::StrCat("\"", t.name, "\": {\"dtype\": \"", t.dtype, "\", \"shape\": [",
                                   absl::StrJoin(t.shape, ", "), "], \"data_offsets\": [",
                                   data.size(), ", ", data.size() + t.bytes.size(), "]}"));
    data += t.bytes;
  }
  const std::string header = absl::StrCat("{", absl::StrJoin(entries, ", "), "}");
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return out + header + data;
}

std::filesystem::path Write(const std::string& name, const std::string& bytes) {
  return ::stlab::testing::WriteFile(FreshTestDir() / name, bytes);
}

// Every tensor of `module` with distinct values, as it would be exported.
std::vector<Stored> Export(torch::nn::Module& module, double offset) {
  std::vector<Stored> out;
  double next = offset;
  for (const auto& item : module.named_parameters()) {
    out.push_back(Tensor(item.key(),
                         (at::arange(item.value().numel()) * 0.25 + next).reshape(item.value().sizes())
                             .to(at::kFloat)));
    next += 100;
  }
  for (const auto& item : module.named_buffers()) {
    const bool counter = item.value().scalar_type() == at::kLong;
    const at::Tensor values = (at::arange(item.value().numel()) + next).reshape(item.value().sizes());
    out.push_back(Tensor(item.key(), values.to(counter ? at::kLong : at::kFloat),
                         counter ? "I64" : "F32"));
    next += 100;
  }
  return out;
}

at::Tensor ValueOf(const std::vector<Stored>& stored, const std::string& name) {
  for (const Stored& s : stored) {
    if (s.name != name) continue;
    const at::ScalarType type = s.dtype == "I64" ? at::kLong : at::kFloat;
    return at::from_blob(const_cast<char*>(s.bytes.data()), s.shape, type).clone();
  }
  ADD_FAILURE() << "no " << name;
  return {};
}

SafetensorsInitializer Init(const std::filesystem::path& path, bool strict = true,
                            std::vector<std::string> ignore = ClassifierHeadPrefixes(),
                            const std::string& key_map = "torchvision") {
  return SafetensorsInitializer(path, key_map, strict, std::move(ignore));
}

TEST(SafetensorsInitializerTest, LoadsExactValuesAndIgnoresTheClassifier) {
  TinyNetImpl reference;
  std::vector<Stored> stored = Export(reference, 1.0);
  stored.push_back(Tensor("fc.weight", at::ones({10, 2})));
  stored.push_back(Tensor("features.8.0.weight", at::ones({3})));
  const auto path = Write("tiny.safetensors", Safetensors(stored));
  for (const std::string key_map : {"torchvision", "timm_resnet"}) {
    TinyNetImpl net;
    ASSERT_THAT(Init(path, true, ClassifierHeadPrefixes(), key_map).Initialize(net, 0), IsOk());
    for (const auto& item : net.named_parameters()) {
      EXPECT_TRUE(at::equal(item.value(), ValueOf(stored, item.key()))) << item.key();
    }
    for (const auto& item : net.named_buffers()) {
      EXPECT_TRUE(at::equal(item.value(), ValueOf(stored, item.key()))) << item.key();
    }
  }
}

TEST(SafetensorsInitializerTest, ConvertsHalfAndBfloat16ToTheModulesDtype) {
  TinyNetImpl net;
  std::vector<Stored> stored = Export(net, 1.0);
  // Values exact in each 16-bit format (bfloat16 keeps 8 significant bits).
  const at::Tensor conv = (at::arange(108) * 0.25 + 1).reshape({4, 3, 3, 3});
  const at::Tensor gamma = at::tensor({0.5, 1.25, -2.0, 3.5});
  for (Stored& s : stored) {
    if (s.name == "conv1.weight") s = Tensor(s.name, conv.to(at::kHalf), "F16");
    if (s.name == "bn1.weight") s = Tensor(s.name, gamma.to(at::kBFloat16), "BF16");
    if (s.name == "bn1.bias") s = Tensor(s.name, at::zeros({4}, at::kDouble), "F64");
  }
  const auto path = Write("mixed.safetensors", Safetensors(stored));
  ASSERT_THAT(Init(path).Initialize(net, 0), IsOk());
  EXPECT_EQ(net.conv1->weight.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(net.conv1->weight, conv.to(at::kFloat)));
  EXPECT_TRUE(at::equal(net.bn1->weight, gamma.to(at::kFloat)));
  EXPECT_EQ(net.bn1->bias.abs().sum().item<double>(), 0.0);
}

TEST(SafetensorsInitializerTest, MissingBatchCounterIsNotMissing) {
  TinyNetImpl net;
  std::vector<Stored> stored;
  for (const Stored& s : Export(net, 1.0)) {
    if (s.name.find("num_batches_tracked") == std::string::npos) stored.push_back(s);
  }
  ASSERT_THAT(Init(Write("old.safetensors", Safetensors(stored))).Initialize(net, 0), IsOk());
}

TEST(SafetensorsInitializerTest, StrictErrorListsEveryProblemByName) {
  TinyNetImpl net;
  std::vector<Stored> stored;
  for (const Stored& s : Export(net, 1.0)) {
    if (s.name == "bn1.bias" || s.name == "layer1.1.running_var") continue;
    stored.push_back(s.name == "conv1.weight" ? Tensor(s.name, at::ones({4, 3, 5, 5})) : s);
  }
  stored.push_back(Tensor("layer2.0.weight", at::ones({1})));
  stored.push_back(Tensor("fc.bias", at::ones({1})));
  const auto path = Write("bad.safetensors", Safetensors(stored));
  const at::Tensor before = net.bn1->weight.clone();
  EXPECT_THAT(Init(path).Initialize(net, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path.string()), HasSubstr("torchvision names"),
                             HasSubstr("2 missing: bn1.bias, layer1.1.running_var"),
                             HasSubstr("1 unexpected: layer2.0.weight"),
                             HasSubstr("1 of another shape: conv1.weight ([4, 3, 5, 5] in the "
                                       "file, [4, 3, 3, 3] in the module)"))));
  EXPECT_TRUE(at::equal(net.bn1->weight, before));
  EXPECT_THAT(Init(path, true, {}).Initialize(net, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("2 unexpected: fc.bias, layer2.0.weight")));
}

TEST(SafetensorsInitializerTest, PartialLoadCopiesWhatFitsAndFailsWhenNothingDoes) {
  TinyNetImpl net;
  const at::Tensor conv_before = net.conv1->weight.clone();
  const auto partial = Write("partial.safetensors",
                             Safetensors({Tensor("bn1.weight", at::full({4}, 3.0)),
                                          Tensor("conv1.weight", at::ones({1, 1})),
                                          Tensor("other", at::ones({2}))}));
  ASSERT_THAT(Init(partial, false).Initialize(net, 0), IsOk());
  EXPECT_TRUE(at::equal(net.bn1->weight, at::full({4}, 3.0)));
  EXPECT_TRUE(at::equal(net.conv1->weight, conv_before));
  const auto none = Write("none.safetensors", Safetensors({Tensor("other", at::ones({2}))}));
  EXPECT_THAT(Init(none, false).Initialize(net, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("has nothing that fits the module"),
                             HasSubstr("1 unexpected: other"))));
}

TEST(SafetensorsFileTest, TruncatedFileNamesTheTensor) {
  const std::string bytes = Safetensors({Tensor("a", at::ones({2})), Tensor("b", at::ones({3}))});
  EXPECT_THAT(ParseSafetensors(bytes.substr(0, bytes.size() - 4), "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("f: tensor 'b'"), HasSubstr("truncated"))));
  EXPECT_THAT(ParseSafetensors(bytes.substr(0, 20), "f"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("header length")));
  EXPECT_THAT(ParseSafetensors(bytes.substr(0, 5), "f"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too short")));
}

std::string WithHeader(const std::string& header, const std::string& data = "") {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return out + header + data;
}

TEST(SafetensorsFileTest, BadHeadersAreErrors) {
  EXPECT_THAT(ParseSafetensors(WithHeader("[1, 2]"), "f"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(ParseSafetensors(WithHeader(R"({"a": {"dtype": "F32", "shape": [1], )"), "f"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("f: ")));
  EXPECT_THAT(
      ParseSafetensors(WithHeader(R"({"a": {"dtype": "I8", "shape": [2], "data_offsets": [0, 2]}})",
                                  "xy"),
                       "f"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("tensor 'a': dtype I8 is not supported")));
  EXPECT_THAT(
      ParseSafetensors(
          WithHeader(R"({"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}})",
                     std::string(12, '\0')),
          "f"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("tensor 'a': F32 [2, 2] needs 16 bytes but data_offsets [0, 12] hold 12")));
  EXPECT_THAT(ParseSafetensors(WithHeader(R"({"a": {"dtype": "F32", "data_offsets": [0, 0]}})"),
                               "f"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tensor 'a': no shape")));
  EXPECT_THAT(
      ParseSafetensors(
          WithHeader(R"({"a": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]},)"
                     R"( "a": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}})",
                     std::string(4, '\0')),
          "f"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a' appears twice")));
  // Seen through tests/fuzz/safetensors_fuzzer: an empty tensor whose other sizes
  // overflow LibTorch's strides threw c10::Error out of ParseSafetensors.
  EXPECT_THAT(ParseSafetensors(WithHeader(R"({"a": {"dtype": "F32", "shape": )"
                                          R"([0, 4611686018427387904, 4611686018427387904], )"
                                          R"("data_offsets": [0, 0]}})"),
                               "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tensor 'a': shape is too large")));
}

TEST(SafetensorsInitializerTest, OriginIsTheAbsolutePathAndTheFilesDigest) {
  const std::string bytes = Safetensors({Tensor("weight", at::ones({2}))});
  const auto path = Write("w.safetensors", bytes);
  const std::filesystem::path relative = std::filesystem::relative(path);
  auto init = Init(relative);
  EXPECT_EQ(init.Origin(), "safetensors " + path.lexically_normal().string());
  struct OneWeight : torch::nn::Module {
    OneWeight() { register_parameter("weight", at::zeros({2})); }
  } module;
  ASSERT_THAT(init.Initialize(module, 0), IsOk());
  EXPECT_EQ(init.Origin(), "safetensors " + path.lexically_normal().string() + " sha256:" +
                               Sha256Hex(bytes).substr(0, 12));
}

}  // namespace
}  // namespace stlab::init
