// Plugin loading end to end, with real shared libraries: one good plugin and one
// deliberately broken plugin per failure the loader must tell apart.
#include "registry/plugin_loader.h"

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "core/augmentation.h"
#include "registry/plugin_api.h"
#include "torch/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

namespace fs = std::filesystem;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

fs::path TestPlugin(const std::string& name) {
  return fs::path(STLAB_TEST_PLUGIN_DIR) / ("libstlab_test_" + name + ".so");
}

TEST(PluginLoaderTest, LoadsAGoodPluginAndItsComponentsWork) {
  Registries registries;
  PluginLoader loader(registries);
  ASSERT_THAT(loader.Load(TestPlugin("good")), IsOk());
  ASSERT_EQ(registries.loaded_plugins().size(), 1u);
  EXPECT_EQ(registries.loaded_plugins()[0].name, "test_good");
  EXPECT_EQ(registries.loaded_plugins()[0].version, "9.9.9");
  auto info = registries.augmentations().Find("test_noop");
  ASSERT_THAT(info, IsOk());
  EXPECT_THAT((*info)->origin, HasSubstr("plugin 'test_good' 9.9.9"));
  auto made = registries.augmentations().Create("test_noop", {{"level", int64_t{2}}});
  ASSERT_THAT(made, IsOk());
  Sample sample;
  Rng rng(0);
  EXPECT_THAT((*made)->Apply(sample, rng), IsOk());
  // Loading the same file again is a no-op, not a duplicate.
  EXPECT_THAT(loader.Load(TestPlugin("good")), IsOk());
}

TEST(PluginLoaderTest, MissingFile) {
  Registries registries;
  EXPECT_THAT(PluginLoader(registries).Load("/nonexistent/libx.so"),
              StatusIs(absl::StatusCode::kNotFound,
                       "plugin library '/nonexistent/libx.so' does not exist"));
}

TEST(PluginLoaderTest, NotASharedLibrary) {
  const fs::path fake = stlab::testing::WriteFile(
      stlab::testing::FreshTestDir() / "libfake.so", "this is text, not ELF\n");
  Registries registries;
  EXPECT_THAT(PluginLoader(registries).Load(fake),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("libfake.so"),
                             HasSubstr("is not a loadable shared library"))));
}

// Issue 20, defect 2: dlopen maps a truncated library, and the first touch of a
// page past its end raised SIGBUS in the host.
TEST(PluginLoaderTest, TruncatedLibraryIsAnErrorNotASignal) {
  const fs::path dir = stlab::testing::FreshTestDir();
  std::ifstream in(TestPlugin("good"), std::ios::binary);
  const std::string image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(image.size(), 4096u);
  auto copy = [&](const std::string& name, size_t bytes) {
    return stlab::testing::WriteFile(dir / name, image.substr(0, bytes));
  };
  Registries registries;
  PluginLoader loader(registries);
  EXPECT_THAT(loader.Load(copy("libhalf.so", image.size() / 2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("libhalf.so"), HasSubstr("is truncated: segment"),
                             HasSubstr(absl::StrCat("the file has ", image.size() / 2, " bytes")))));
  EXPECT_THAT(loader.Load(copy("libtail.so", image.size() - 16)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is truncated: the section header table")));
  EXPECT_THAT(loader.Load(copy("libheader.so", 40)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too short for an ELF header")));
  std::string foreign = image;
  foreign[18] = 0x28;  // e_machine = EM_ARM.
  EXPECT_THAT(loader.Load(stlab::testing::WriteFile(dir / "libarm.so", foreign)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("built for another machine")));
  EXPECT_TRUE(registries.loaded_plugins().empty());
  EXPECT_THAT(loader.Load(copy("libwhole.so", image.size())), IsOk());
}

TEST(PluginLoaderTest, NoEntryPoint) {
  Registries registries;
  EXPECT_THAT(PluginLoader(registries).Load(fs::path(STLAB_TEST_PLUGIN_DIR) /
                                            "libstlab_test_no_entry.so"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("has no entry point 'stlab_plugin_descriptor'"),
                             HasSubstr("STLAB_PLUGIN"))));
}

TEST(PluginLoaderTest, ApiVersionMismatch) {
  Registries registries;
  PluginLoader loader(registries);
  EXPECT_THAT(loader.Load(TestPlugin("bad_api")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(absl::StrCat("was built for plugin API v",
                                                    kPluginApiVersion + 41)),
                             HasSubstr(absl::StrCat("this stlab (", kStlabVersion, ") uses v",
                                                    kPluginApiVersion)))));
  EXPECT_TRUE(registries.loaded_plugins().empty());
  // A failed library is not remembered as loaded: asking again fails again.
  EXPECT_THAT(loader.Load(TestPlugin("bad_api")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("plugin API v", kPluginApiVersion + 41))));
}

TEST(PluginLoaderTest, TorchAndAbiMismatch) {
  Registries registries;
  EXPECT_THAT(PluginLoader(registries).Load(TestPlugin("torch_mismatch")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("built against LibTorch 1.13.0 with _GLIBCXX_USE_CXX11_ABI=0"),
                             HasSubstr("this stlab uses LibTorch " TORCH_VERSION))));
}

TEST(PluginLoaderTest, ThrowingRegistrationKeepsNothing) {
  Registries registries;
  EXPECT_THAT(PluginLoader(registries).Load(TestPlugin("throwing")),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("registration of plugin 'test_throwing'"),
                             HasSubstr("registration exploded"))));
  EXPECT_FALSE(registries.augmentations().Contains("test_half_registered"));
  EXPECT_TRUE(registries.loaded_plugins().empty());
}

TEST(PluginLoaderTest, DuplicateAcrossPluginsNamesBothOrigins) {
  Registries registries;
  PluginLoader loader(registries);
  ASSERT_THAT(loader.Load(TestPlugin("good")), IsOk());
  EXPECT_THAT(loader.Load(TestPlugin("duplicate")),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr("augmentation 'test_noop' is registered twice"),
                             HasSubstr("plugin 'test_good'"), HasSubstr("plugin 'test_duplicate'"))));
}

TEST(PluginLoaderTest, FolderLoadingReportsEveryFailureAndKeepsTheGoodOnes) {
  Registries registries;
  absl::Status s = PluginLoader(registries).LoadFolders({STLAB_TEST_PLUGIN_DIR}, true);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                          AllOf(HasSubstr(absl::StrCat("plugin API v", kPluginApiVersion + 41)),
                                HasSubstr("LibTorch 1.13.0"),
                                HasSubstr("registration exploded"), HasSubstr("no entry point"))));
  EXPECT_TRUE(registries.augmentations().Contains("test_noop"));
  EXPECT_THAT(PluginLoader(registries).LoadFolders({"/nonexistent_dir"}, true),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("does not exist")));
  EXPECT_THAT(PluginLoader(registries).LoadFolders({"/nonexistent_dir"}, false), IsOk());
}

TEST(PluginLoaderTest, UnknownNameListsLoadedPlugins) {
  Registries registries;
  ASSERT_THAT(PluginLoader(registries).Load(TestPlugin("good")), IsOk());
  EXPECT_THAT(registries.augmentations().Find("test_nop"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("did you mean 'test_noop'?"),
                             HasSubstr("loaded plugins: test_good ("))));
}

TEST(PluginLoaderTest, DefaultFoldersIncludeEnvironmentThenInstallTree) {
  setenv(kPluginPathEnv, "/a:/b", 1);
  const auto folders = DefaultPluginFolders();
  unsetenv(kPluginPathEnv);
  ASSERT_EQ(folders.size(), 3u);
  EXPECT_EQ(folders[0], fs::path("/a"));
  EXPECT_EQ(folders[1], fs::path("/b"));
  EXPECT_EQ(folders[2].filename(), "plugins");
}

}  // namespace
}  // namespace stlab
