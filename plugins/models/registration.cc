// Parameter declarations and factories of backbones "resnet" and "efficientnet" and
// neck "fpn".
#include "plugins/models/registration.h"

#include <memory>

#include "plugins/models/efficientnet.h"
#include "plugins/models/fpn.h"
#include "plugins/models/resnet.h"
#include "registry/param.h"

namespace stlab::models {

absl::Status RegisterModels(Registries& registries) {
  STLAB_RETURN_IF_ERROR(registries.backbones().Add(
      {"resnet",
       "ResNet v1.5 (torchvision layout, no classifier); outputs c3, c4, c5",
       {ParamSpec::Int("depth", 50, "number of layers").OneOf({"18", "34", "50", "101"}),
        ParamSpec::Float("width_multiplier", 1.0,
                         "scales every stage's channels (rounded, at least 8)")
            .Above(0.0),
        ParamSpec::Float("depth_multiplier", 1.0,
                         "scales the blocks per stage (rounded up, at least 1)")
            .Above(0.0),
        ParamSpec::Float("bn_momentum", 0.1,
                         "batch-norm running-average momentum (PyTorch convention)")
            .Range(0.0, 1.0),
        ParamSpec::Float("bn_epsilon", 1e-5, "batch-norm epsilon").Above(0.0),
        ParamSpec::Bool("freeze_bn", false,
                        "batch norms keep eval-mode statistics and get no gradients")}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<Backbone>> {
        ResNetOptions options = ResNetOptions(p.GetInt("depth"))
                                    .width_multiplier(p.GetFloat("width_multiplier"))
                                    .depth_multiplier(p.GetFloat("depth_multiplier"))
                                    .norm(ResNetNormOptions()
                                              .momentum(p.GetFloat("bn_momentum"))
                                              .epsilon(p.GetFloat("bn_epsilon")))
                                    .freeze_bn(p.GetBool("freeze_bn"));
        STLAB_RETURN_IF_ERROR(CheckResNetOptions(options));
        return std::shared_ptr<Backbone>(ResNet(std::move(options)).ptr());
      }));
  STLAB_RETURN_IF_ERROR(registries.backbones().Add(
      {"efficientnet",
       "EfficientNet B0-B7 (torchvision layout up to features.7, no head conv or classifier); "
       "outputs c2, c3, c4, c5",
       {ParamSpec::String("variant", "b0",
                          "compound-scaling variant: width and depth coefficients of B0..B7")
            .OneOf({"b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"}),
        ParamSpec::Float("width_multiplier", 1.0,
                         "scales the variant's widths (rounded to multiples of 8, at least 8)")
            .Above(0.0),
        ParamSpec::Float("depth_multiplier", 1.0,
                         "scales the variant's blocks per stage (rounded up)")
            .Above(0.0),
        ParamSpec::Float("bn_momentum", 0.01,
                         "batch-norm running-average momentum (PyTorch convention; TF "
                         "reference and torchvision B5-B7; torchvision B0-B4 use 0.1)")
            .Range(0.0, 1.0),
        ParamSpec::Float("bn_epsilon", 1e-3,
                         "batch-norm epsilon (TF reference and torchvision B5-B7; torchvision "
                         "B0-B4 use 1e-5)")
            .Above(0.0),
        ParamSpec::Bool("freeze_bn", false,
                        "batch norms keep eval-mode statistics and get no gradients"),
        ParamSpec::Float("drop_connect_rate", 0.2,
                         "stochastic depth in training: block i of n drops its residual "
                         "branch with probability rate * i / n (torch's generator)")
            .Range(0.0, 1.0)}},
      [](const Params& p, const NoContext&) -> absl::StatusOr<std::shared_ptr<Backbone>> {
        EfficientNetOptions options =
            EfficientNetOptions(p.GetString("variant"))
                .width_multiplier(p.GetFloat("width_multiplier"))
                .depth_multiplier(p.GetFloat("depth_multiplier"))
                .norm(EfficientNetNormOptions()
                          .momentum(p.GetFloat("bn_momentum"))
                          .epsilon(p.GetFloat("bn_epsilon")))
                .freeze_bn(p.GetBool("freeze_bn"))
                .drop_connect_rate(p.GetFloat("drop_connect_rate"));
        STLAB_RETURN_IF_ERROR(CheckEfficientNetOptions(options));
        return std::shared_ptr<Backbone>(EfficientNet(std::move(options)).ptr());
      }));
  return registries.necks().Add(
      {"fpn",
       "Feature pyramid (RetinaNet style): p<min_level>..p<max_level> from the backbone's levels",
       {ParamSpec::Int("out_channels", 256, "channels of every output level").Min(1),
        ParamSpec::Int("min_level", 3, "finest output level, log2(stride)").Range(1, 10),
        ParamSpec::Int("max_level", 7, "coarsest output level, log2(stride)").Range(1, 10),
        ParamSpec::String("p6_from", "c5",
                          "input of the first level above the backbone: its coarsest map (c5) "
                          "or that level's FPN output (p5)")
            .OneOf({"c5", "p5"})}},
      [](const Params& p, const NeckContext& context) -> absl::StatusOr<std::shared_ptr<Neck>> {
        FpnOptions options = FpnOptions(context.inputs)
                                 .out_channels(p.GetInt("out_channels"))
                                 .min_level(p.GetInt("min_level"))
                                 .max_level(p.GetInt("max_level"))
                                 .p6_from(p.GetString("p6_from"));
        STLAB_RETURN_IF_ERROR(CheckFpnOptions(options));
        return std::shared_ptr<Neck>(Fpn(std::move(options)).ptr());
      });
}

}  // namespace stlab::models
