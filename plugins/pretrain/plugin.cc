// The pretrain plugin: the built-in pre-training methods.
#include <memory>

#include "plugins/pretrain/methods.h"
#include "registry/plugin_api.h"

namespace stlab::pretrain {
namespace {

absl::Status Register(Registries& r) {
  STLAB_RETURN_IF_ERROR(r.pretrain_methods().Add(
      {"supervised",
       "Linear classifier over the pooled coarsest feature, cross-entropy on each image's "
       "label (the paper's ImageNet pre-training)",
       {}},
      [](const Params&, const PretrainContext& context)
          -> absl::StatusOr<std::shared_ptr<PretrainMethod>> {
        return std::make_shared<SupervisedClassification>(context);
      }));
  return r.pretrain_methods().Add(
      {"simclr",
       "Two augmented views per image, Linear-ReLU-Linear projection, NT-Xent over the 2N "
       "views (Chen et al. 2020); labels unused",
       {// NOTE: 0.1 is SimCLR's best temperature with L2-normalized projections
        // (Chen et al. 2020, Table 5).
        ParamSpec::Float("temperature", 0.1, "NT-Xent temperature").Min(1e-4),
        ParamSpec::Int("projection_dim", 128, "output size of the projection MLP").Min(1),
        ParamSpec::Int("projection_hidden", 0,
                       "hidden size of the projection MLP (0 = the backbone's coarsest channel "
                       "count)")
            .Min(0)}},
      [](const Params& p, const PretrainContext& context)
          -> absl::StatusOr<std::shared_ptr<PretrainMethod>> {
        return std::make_shared<Simclr>(context, p.GetFloat("temperature"),
                                        p.GetInt("projection_dim"), p.GetInt("projection_hidden"));
      });
}

}  // namespace
}  // namespace stlab::pretrain

STLAB_PLUGIN("pretrain", "0.1.0", stlab::pretrain::Register)
