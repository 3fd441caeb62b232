// `stlab augment-preview CONFIG --output_dir DIR [--images N] [--seed S]`: applies
// the config's [augment] pipeline to the first N images of data.train and writes
// each as a PNG, original | augmented side by side with boxes and masks drawn, so
// a researcher can see what a policy does.
#include <iostream>
#include <optional>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/stlab/command.h"
#include "apps/stlab/plugin_host.h"
#include "apps/stlab/run_output.h"
#include "core/atomic_file.h"
#include "core/data/drawing.h"
#include "core/engine/components.h"
#include "core/rng.h"
#include "core/status.h"


namespace stlab::cli {
namespace {

// Renders the first `count` images; returns the files written.
absl::StatusOr<std::vector<std::filesystem::path>> RenderPreviews(
    const ValidatedConfig& config, const Registries& registries, int64_t count, uint64_t seed,
    const std::filesystem::path& dir) {
  const uint64_t run_seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> train,
                         BuildDataset(config, registries, "data.train", run_seed));
  if (train == nullptr) return absl::InvalidArgumentError("the config has no [data.train] to preview");
  STLAB_ASSIGN_OR_RETURN(auto augmentations, BuildAugmentations(config, registries));
  if (augmentations.empty()) {
    return absl::InvalidArgumentError("the config's [augment] pipeline is empty: nothing to preview");
  }
  const DrawingNames names{train->Info().class_names, train->Info().mask_class_names};
  std::vector<std::filesystem::path> written;
  for (int64_t index = 0; index < std::min(count, train->Size()); ++index) {
    STLAB_ASSIGN_OR_RETURN(const Sample original, train->Get(index));
    Sample augmented = original;
    Rng rng(DeriveSeed({seed, StageKey("augment_preview"), static_cast<uint64_t>(index)}));
    for (const auto& augmentation : augmentations) {
      STLAB_RETURN_IF_ERROR(CallAndCatch(absl::StrCat("augmenting ", original.source),
                                         [&] { return augmentation->Apply(augmented, rng); }));
    }
    STLAB_ASSIGN_OR_RETURN(const at::Tensor left, DrawSample(original, names));
    STLAB_ASSIGN_OR_RETURN(const at::Tensor right, DrawSample(augmented, names));
    STLAB_ASSIGN_OR_RETURN(const at::Tensor both, SideBySide(left, right));
    STLAB_ASSIGN_OR_RETURN(const std::string png, EncodePng(both));
    const std::filesystem::path path = dir / absl::StrFormat("preview_%06d.png", index);
    STLAB_RETURN_IF_ERROR(WriteFileAtomically(path, png));
    written.push_back(path);
  }
  return written;
}


int RunAugmentPreview(const Invocation& invocation) {
  const std::string output_dir = invocation.Flag("output_dir");
  if (output_dir.empty()) return UsageError(invocation, "--output_dir is required");
  int64_t images = 8;
  if (const std::string text = invocation.Flag("images");
      !text.empty() && (!absl::SimpleAtoi(text, &images) || images < 1)) {
    return UsageError(invocation, absl::StrCat("--images takes an integer >= 1, got '", text, "'"));
  }
  std::optional<int64_t> seed;
  if (const std::string text = invocation.Flag("seed"); !text.empty()) {
    int64_t value = 0;
    if (!absl::SimpleAtoi(text, &value) || value < 0) {
      return UsageError(invocation, absl::StrCat("--seed takes an integer >= 0, got '", text, "'"));
    }
    seed = value;
  }
  Registries registries;
  std::variant<ValidatedConfig, int> loaded = LoadCommandConfig(invocation, registries);
  if (const int* exit_code = std::get_if<int>(&loaded)) return *exit_code;
  const ValidatedConfig& config = std::get<ValidatedConfig>(loaded);
  absl::StatusOr<std::vector<std::filesystem::path>> written = RenderPreviews(
      config, registries, images,
      static_cast<uint64_t>(seed.value_or(config.Section("run").GetInt("seed"))), output_dir);
  if (!written.ok()) {
    std::cerr << "error: " << written.status().message() << "\n";
    return 1;
  }
  for (const std::filesystem::path& path : *written) std::cout << path.string() << "\n";
  return 0;
}

}  // namespace

STLAB_COMMAND({"augment-preview", "CONFIG --output_dir DIR",
               "draw [augment] applied to data.train's first images (original | augmented PNGs)",
               {{"output_dir", "DIR", "folder for the PNGs"},
                {"images", "N", "how many images of data.train to render (default 8)"},
                {"seed", "S", "seed of the augmentations' draws (default: run.seed)"}},
               RunAugmentPreview});

}  // namespace stlab::cli
