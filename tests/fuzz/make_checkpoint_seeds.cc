// Writes the seed corpus of checkpoint_fuzzer into the folder given as the only
// argument: checkpoints of CheckpointFuzzModel as SaveCheckpoint writes them, with
// and without optimizer state and run state.
#include <cstdio>
#include <filesystem>

#include "core/checkpoint.h"
#include "tests/fuzz/checkpoint_fuzz_model.h"
#include "torch/optim/sgd.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_checkpoint_seeds FOLDER\n");
    return 2;
  }
  const std::filesystem::path folder = argv[1];
  std::filesystem::create_directories(folder);
  torch::manual_seed(0);
  stlab::fuzz::CheckpointFuzzModel model;
  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  // One step, so that the optimizer has momentum buffers to save.
  model.norm->forward(model.linear->forward(torch::ones({4, 3}))).sum().backward();
  optimizer.step();

  stlab::RunState state;
  state.iteration = 7;
  state.scalars["loss_combiner/mean"] = 0.5;
  state.text["config_sha256"] = "0123456789abcdef";
  state.tensors["ema/linear.weight"] = model.linear->weight.detach().clone();
  stlab::StoreTorchGeneratorState(state);

  const struct {
    const char* name;
    const torch::optim::Optimizer* optimizer;
    stlab::RunState state;
  } seeds[] = {{"full.pt", &optimizer, state}, {"no_optimizer.pt", nullptr, state},
               {"bare.pt", nullptr, stlab::RunState{}}};
  for (const auto& seed : seeds) {
    if (absl::Status s = stlab::SaveCheckpoint(folder / seed.name, model, seed.optimizer, seed.state);
        !s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  return 0;
}
