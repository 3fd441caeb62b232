// `stlab augment-preview CONFIG --output_dir DIR [--images N] [--seed S]`: applies
// the config's [augment] pipeline to the first N images of data.train and writes
// each as a PNG, original | augmented side by side with boxes and masks drawn, so
// a researcher can see what a policy does.
#include <iostream>
#include <optional>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/stlab/commands.h"
#include "apps/stlab/plugin_host.h"
#include "core/atomic_file.h"
#include "core/data/drawing.h"
#include "core/engine/components.h"
#include "core/rng.h"
#include "core/status.h"

ABSL_DECLARE_FLAG(std::string, output_dir);
ABSL_FLAG(int64_t, images, 8, "augment-preview: how many images of data.train to render");
ABSL_FLAG(std::optional<int64_t>, seed, std::nullopt,
          "augment-preview: seed of the augmentations' random draws (default: run.seed)");

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

}  // namespace

int RunAugmentPreviewCommand(const std::vector<std::string>& args, const CommonOptions& options) {
  const std::string output_dir = absl::GetFlag(FLAGS_output_dir);
  const int64_t images = absl::GetFlag(FLAGS_images);
  if (args.size() != 1 || output_dir.empty() || images < 1) {
    std::cerr << "usage: stlab augment-preview CONFIG --output_dir DIR [--images N >= 1] "
                 "[--seed S] [--set key=value]...\n";
    return 2;
  }
  Registries registries;
  absl::StatusOr<ValidatedConfig> config = LoadConfig(args[0], options, registries);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  const std::optional<int64_t> seed = absl::GetFlag(FLAGS_seed);
  absl::StatusOr<std::vector<std::filesystem::path>> written = RenderPreviews(
      *config, registries, images,
      static_cast<uint64_t>(seed.value_or(config->Section("run").GetInt("seed"))), output_dir);
  if (!written.ok()) {
    std::cerr << "error: " << written.status().message() << "\n";
    return 1;
  }
  for (const std::filesystem::path& path : *written) std::cout << path.string() << "\n";
  return 0;
}

}  // namespace stlab::cli
