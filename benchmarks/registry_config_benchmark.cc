// Cost of the platform layer: config loading + validation, and creating a
// component through the registry (what every run and suite stage pays).
#include <filesystem>
#include <fstream>

#include "benchmark/benchmark.h"
#include "core/augmentation.h"
#include "core/config/validated_config.h"
#include "registry/registries.h"

namespace stlab {
namespace {

class NoOp : public Augmentation {
 public:
  absl::Status Apply(Sample&, Rng&) const override { return absl::OkStatus(); }
};

void AddComponents(Registries& registries) {
  for (const char* name : {"a", "b", "c", "d", "e", "f", "g", "h"}) {
    absl::Status s = registries.augmentations().Add(
        {name,
         "benchmark component",
         {ParamSpec::Float("probability", 0.5, "p").Range(0.0, 1.0),
          ParamSpec::Int("size", 8, "n").Min(1),
          ParamSpec::FloatList("scale", {0.5, 2.0}, "range").Length(2)}},
        [](const Params&, const NoContext&) -> absl::StatusOr<std::shared_ptr<Augmentation>> {
          return std::make_shared<NoOp>();
        });
    if (!s.ok()) std::abort();
  }
}

void BM_LoadAndValidateConfig(benchmark::State& state) {
  Registries registries;
  AddComponents(registries);
  const auto dir = std::filesystem::temp_directory_path() / "stlab_config_benchmark";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "base.toml") << "[run]\nseed = 1\nname = \"bench\"\n";
  std::ofstream out(dir / "exp.toml");
  out << "base = \"base.toml\"\n";
  for (int i = 0; i < 8; ++i) {
    out << "[[augment.pipeline]]\ntype = \"" << static_cast<char>('a' + i)
        << "\"\nprobability = 0.25\nscale = [0.1, 1.9]\n";
  }
  out.close();
  for (auto _ : state) {
    auto doc = ConfigDocument::Load(dir / "exp.toml", {"run.seed=3"});
    auto config = ValidateConfig(*doc, ExperimentSchema(), registries);
    benchmark::DoNotOptimize(config);
    if (!config.ok()) state.SkipWithError("validation failed");
  }
}
BENCHMARK(BM_LoadAndValidateConfig);

void BM_RegistryCreate(benchmark::State& state) {
  Registries registries;
  AddComponents(registries);
  for (auto _ : state) {
    auto made = registries.augmentations().Create("e", {{"probability", 0.3}});
    benchmark::DoNotOptimize(made);
  }
}
BENCHMARK(BM_RegistryCreate);

}  // namespace
}  // namespace stlab

BENCHMARK_MAIN();
