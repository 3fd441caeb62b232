// Optimizer and schedule from [train].
#include "core/engine/optimization.h"

#include <utility>
#include <vector>

#include "core/engine/param_groups.h"
#include "core/status.h"
#include "torch/optim/adamw.h"
#include "torch/optim/sgd.h"

namespace stlab {

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const Params& train,
                                                       const torch::nn::Module& model) {
  ParamGroups groups = SplitForWeightDecay(model);
  const double weight_decay = train.GetFloat("weight_decay");
  const double lr = train.GetFloat("lr");
  if (train.GetString("optimizer") == "adamw") {
    auto options = torch::optim::AdamWOptions(lr).betas(
        {train.GetFloat("beta1"), train.GetFloat("beta2")});
    std::vector<torch::optim::OptimizerParamGroup> param_groups;
    param_groups.emplace_back(groups.decay,
                              std::make_unique<torch::optim::AdamWOptions>(
                                  torch::optim::AdamWOptions(options).weight_decay(weight_decay)));
    param_groups.emplace_back(groups.no_decay,
                              std::make_unique<torch::optim::AdamWOptions>(
                                  torch::optim::AdamWOptions(options).weight_decay(0.0)));
    return std::make_unique<torch::optim::AdamW>(std::move(param_groups), options);
  }
  auto options = torch::optim::SGDOptions(lr)
                     .momentum(train.GetFloat("momentum"))
                     .nesterov(train.GetBool("nesterov"));
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  param_groups.emplace_back(groups.decay, std::make_unique<torch::optim::SGDOptions>(
                                              torch::optim::SGDOptions(options).weight_decay(weight_decay)));
  param_groups.emplace_back(groups.no_decay, std::make_unique<torch::optim::SGDOptions>(
                                                 torch::optim::SGDOptions(options).weight_decay(0.0)));
  return std::make_unique<torch::optim::SGD>(std::move(param_groups), options);
}

absl::StatusOr<LrScheduleOptions> ScheduleOf(const Params& train) {
  LrScheduleOptions schedule;
  schedule.base_lr = train.GetFloat("lr");
  schedule.total_iterations = train.GetInt("iterations");
  schedule.warmup_iterations = train.GetInt("warmup_iterations");
  schedule.warmup_factor = train.GetFloat("warmup_factor");
  STLAB_ASSIGN_OR_RETURN(schedule.decay, ParseLrDecay(train.GetString("schedule")));
  schedule.final_factor = train.GetFloat("final_lr_factor");
  schedule.steps = train.GetIntList("steps");
  schedule.gamma = train.GetFloat("gamma");
  STLAB_RETURN_IF_ERROR(Annotate(ValidateLrSchedule(schedule), "[train]"));
  return schedule;
}

}  // namespace stlab
