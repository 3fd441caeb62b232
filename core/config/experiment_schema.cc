// The experiment config schema: the one declaration of the engine's sections,
// their parameters and their component slots.
#include "core/config/config_schema.h"

namespace stlab {

const ConfigSchema& ExperimentSchema() {
  static const ConfigSchema* const kSchema = new ConfigSchema{{
      {"run",
       "identity and reproducibility of a run",
       {
           ParamSpec::String("name", "experiment", "run name, used for the output folder"),
           ParamSpec::Int("seed", 0, "seed from which every random stream is derived").Min(0),
           ParamSpec::String("output_dir", "runs",
                             "folder for run outputs, relative to the working directory"),
       },
       {}},
      {"model",
       "the network: backbone, optional neck, task head, and its initialization",
       {},
       {
           {"backbone", {"backbone"}, true, false, "feature extractor"},
           {"neck", {"neck"}, false, false, "multi-scale feature fusion (FPN)"},
           {"head", {"detection_head", "segmentation_head"}, true, false,
            "task head; its kind sets the task"},
           {"init", {"initializer"}, false, false, "where the starting weights come from"},
       }},
      {"data",
       "datasets by role",
       {},
       {
           {"train", {"dataset"}, true, false, "human-labeled training data"},
           {"val", {"dataset"}, false, false, "held-out evaluation data"},
           {"unlabeled", {"dataset"}, false, false, "images for the teacher to pseudo-label"},
       }},
      {"augment",
       "training augmentation, applied in order",
       {},
       {{"pipeline", {"augmentation"}, false, true, "operations applied in order"}}},
      {"self_training",
       "teacher pseudo-labels, student loss combination",
       {},
       {
           {"pseudo_labeler", {"pseudo_labeler"}, true, false,
            "turns teacher predictions into labels"},
           {"loss_combiner", {"loss_combiner"}, true, false,
            "weighs human-label and pseudo-label losses"},
       }},
      {"eval", "evaluation", {}, {{"evaluator", {"evaluator"}, true, false, "metric"}}},
  }};
  return *kSchema;
}

}  // namespace stlab
