// Cost of one full training step (forward, losses, backward, SGD update) of the
// task models (benchmarks/benchmark_models.h) on synthetic batches of 8 at 128 and
// 256 px. The GFLOP/s counter counts the forward's conv/matmul FLOPs once with
// LibTorch's profiler and takes a step as 3x that (backward = 2x forward, the usual
// convention; torch.utils.flop_counter counts the peers the same way). One untimed
// step runs first, so a single timed iteration (slow models) is a warm one.
#include <cstdint>
#include <memory>

#include "benchmark/benchmark.h"
#include "benchmarks/benchmark_models.h"
#include "torch/optim/sgd.h"

namespace stlab::benchmarks {
namespace {

void TrainSteps(benchmark::State& state, const ModelShape& shape) {
  const Batch batch = SyntheticBatch(state.range(0));
  std::shared_ptr<TaskModel> model = BuildModel(shape);
  model->train();
  const double step_flops = 3.0 * ForwardFlops(*model, batch);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  const auto step = [&] {
    sgd.zero_grad();
    at::Tensor loss = at::zeros({});
    for (const auto& [name, term] : model->Loss(batch)) loss = loss + term;
    loss.backward();
    sgd.step();
    return loss;
  };
  step();  // Untimed: allocations and the optimizer state of the first step.
  for (auto _ : state) benchmark::DoNotOptimize(step());
  const auto steps = static_cast<double>(state.iterations());
  state.counters["images_per_s"] =
      benchmark::Counter(steps * kBatch, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(steps * step_flops * 1e-9, benchmark::Counter::kIsRate);
  state.counters["GFLOP_per_step"] = step_flops * 1e-9;
}

void BM_TinyRetinaNetTrainStep(benchmark::State& state) { TrainSteps(state, kTinyRetinaNet); }
void BM_ResNet18FpnRetinaNetTrainStep(benchmark::State& state) {
  TrainSteps(state, kResNet18FpnRetinaNet);
}
void BM_TinySemanticFpnTrainStep(benchmark::State& state) { TrainSteps(state, kTinySemanticFpn); }

BENCHMARK(BM_TinyRetinaNetTrainStep)->ArgName("px")->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ResNet18FpnRetinaNetTrainStep)->ArgName("px")->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TinySemanticFpnTrainStep)->ArgName("px")->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace stlab::benchmarks
