// The experiment config schema: the one declaration of the engine's sections,
// their parameters and their component slots.
#include "core/config/config_schema.h"

#include "absl/strings/str_cat.h"
#include "core/config/validated_config.h"

namespace stlab {

const ConfigSchema& ExperimentSchema() {
  static const ConfigSchema* const kSchema = new ConfigSchema{{
      {"run",
       "identity and reproducibility of a run",
       {
           ParamSpec::String("name", "experiment",
                             "run name: the run's folder inside output_dir")
               .FileName(),
           ParamSpec::Int("seed", 0, "seed from which every random stream is derived").Min(0),
           ParamSpec::String("output_dir", "runs",
                             "folder for run outputs, relative to the working directory"),
       },
       {}},
      {"model",
       "the network: backbone, optional neck, task head, and its initialization",
       {
           ParamSpec::String("memory_format", "auto",
                             "layout of convolution weights and images: channels_last, "
                             "contiguous, or auto (channels_last unless a convolution reads "
                             ">= 256 channels; the faster one on CPU, same results up to "
                             "rounding)")
               .OneOf({"auto", "channels_last", "contiguous"}),
       },
       {
           {"backbone", {"backbone"}, true, false, "feature extractor"},
           {"neck", {"neck"}, false, false, "multi-scale feature fusion (FPN)"},
           // NOTE: not required by the schema because `stlab pretrain` trains the
           // backbone alone; train, eval and self-train refuse a model without a head.
           {"head", {"detection_head", "segmentation_head"}, false, false,
            "task head; its kind sets the task (needed by all but `stlab pretrain`)"},
           {"init", {"initializer"}, false, false, "where the starting weights come from"},
       }},
      {"data",
       "datasets by role",
       {
           ParamSpec::Float("train_fraction", 1.0,
                            "fraction of data.train used as labeled data (nested, seeded subset)")
               .Range(0.0, 1.0),
           ParamSpec::Int("subset_seed", 0,
                          "seed of the labeled subset (independent of run.seed, so that runs "
                          "with different seeds share one subset)")
               .Min(0),
       },
       {
           {"train", {"dataset"}, true, false, "human-labeled training data"},
           {"val", {"dataset"}, false, false, "held-out evaluation data"},
           {"unlabeled", {"dataset"}, false, false, "images for the teacher to pseudo-label"},
       }},
      {"train",
       "optimization: iterations, optimizer, learning-rate schedule, checkpoints",
       {
           ParamSpec::Int("iterations", 1000, "optimizer steps").Min(1),
           ParamSpec::Int("batch_size", 8, "images per step").Min(1),
           ParamSpec::String("optimizer", "sgd", "sgd (with momentum) or adamw")
               .OneOf({"sgd", "adamw"}),
           ParamSpec::Float("lr", 0.01, "base learning rate").Min(0.0),
           ParamSpec::Float("momentum", 0.9, "sgd momentum").Range(0.0, 1.0),
           ParamSpec::Bool("nesterov", false, "sgd: Nesterov momentum"),
           ParamSpec::Float("beta1", 0.9, "adamw beta1").Range(0.0, 1.0),
           ParamSpec::Float("beta2", 0.999, "adamw beta2").Range(0.0, 1.0),
           ParamSpec::Float("weight_decay", 1e-4,
                            "decoupled for adamw, L2 for sgd; never on biases and norms")
               .Min(0.0),
           ParamSpec::String("schedule", "cosine", "decay after warmup")
               .OneOf({"constant", "cosine", "step"}),
           ParamSpec::Int("warmup_iterations", 0, "linear warmup steps").Min(0),
           ParamSpec::Float("warmup_factor", 0.001, "warmup starts at lr * this").Range(0.0, 1.0),
           ParamSpec::Float("final_lr_factor", 0.0, "cosine: final lr = lr * this").Range(0.0, 1.0),
           ParamSpec::IntList("steps", std::vector<int64_t>{}, "step schedule: iterations where lr *= gamma"),
           ParamSpec::Float("gamma", 0.1, "step schedule factor").Min(0.0),
           ParamSpec::Float("grad_clip_norm", 0.0, "clip the global gradient norm (0 = off)")
               .Min(0.0),
           ParamSpec::Float("ema_decay", 0.0,
                            "exponential moving average of weights, evaluated instead of the "
                            "raw weights (0 = off; e.g. 0.9998)")
               .Range(0.0, 1.0),
           ParamSpec::Int("checkpoint_every", 500, "iterations between checkpoints").Min(1),
           ParamSpec::Int("eval_every", 0, "iterations between evaluations (0 = only at the end)")
               .Min(0),
           ParamSpec::Int("log_every", 20, "iterations between metric lines").Min(1),
           ParamSpec::Int("num_workers", 2, "data-loading threads (results do not depend on it)")
               .Min(0),
           ParamSpec::Int("num_threads", 0,
                          "LibTorch intra-op threads of training, evaluation and "
                          "pseudo-labeling (0 = its default)")
               .Min(0),
       },
       {}},
      {"augment",
       "training augmentation, applied in order",
       {},
       {{"pipeline", {"augmentation"}, false, true, "operations applied in order"}}},
      {"self_training",
       "teacher pseudo-labels, student loss combination",
       {
           ParamSpec::String("teacher_checkpoint", "",
                             "weights of the teacher; empty: `stlab self-train` first trains "
                             "one from this config on the human labels"),
           ParamSpec::String("unlabeled_pool", "data.unlabeled",
                             "images the teacher pseudo-labels: data.unlabeled, or "
                             "rest_of_train (the images of data.train outside the labeled "
                             "subset, their labels hidden from training and used only to "
                             "measure the pseudo labels: the semi-supervised protocol of "
                             "STAC and Unbiased Teacher)")
               .OneOf({"data.unlabeled", "rest_of_train"}),
           ParamSpec::Float("pseudo_fraction", 0.5,
                            "share of each student batch drawn from pseudo-labeled images")
               .Range(0.0, 1.0),
           ParamSpec::Int("rounds", 1,
                          "teacher -> student rounds; each student teaches the next round")
               .Range(1, 10),
           ParamSpec::Int("student_iterations", 0,
                          "iterations of each student, its schedule stretched to them (0 = "
                          "train.iterations); a student gives part of each batch to pseudo labels, "
                          "so matching the teacher's passes over the human labels takes "
                          "train.iterations / (1 - pseudo_fraction)")
               .Min(0),
           ParamSpec::Int("audit_images", 8,
                          "pseudo-labeled images drawn with their labels as PNGs for auditing")
               .Min(0),
           ParamSpec::Bool("teacher_flip", false,
                           "teacher test-time augmentation: also run the teacher on the "
                           "mirrored image"),
           ParamSpec::FloatList("teacher_scales", {1.0},
                                "teacher test-time augmentation: image scales the teacher sees "
                                "(predictions mapped back and merged); [1.0] = the image as it is")
               .Range(0.1, 4.0),
           ParamSpec::Float("teacher_tta_nms_iou", 0.5,
                            "detection TTA: IoU above which a merged box of the same class "
                            "suppresses a lower-scored one")
               .Range(0.0, 1.0),
           ParamSpec::Int("teacher_tta_max_detections", 0,
                          "detection TTA: most boxes per image after merging (0 = as many as "
                          "the view with the most boxes)")
               .Min(0),
           ParamSpec::String("score_calibration", "none",
                             "a pass over the whole pool before labeling that gives each class "
                             "its own cut and maps the class's scores (monotonically) so that "
                             "the cut is 0.5, for a labeler thresholding at 0.5. none: the "
                             "teacher's scores as they are; label_prior (detection): the cut "
                             "keeps as many boxes of the class per image as the human labels "
                             "have; class_portion (segmentation): the cut keeps the most "
                             "confident class_portion of the pixels the teacher assigns to the "
                             "class (CBST's class-balanced thresholds)")
               .OneOf({"none", "label_prior", "class_portion"}),
           ParamSpec::Float("class_portion", 0.5,
                            "score_calibration = class_portion: share of each class's pixels "
                            "kept")
               .Above(0.0)
               .Max(1.0),
           ParamSpec::Int("label_prior_images", 2000,
                          "score_calibration = label_prior: human-labeled images (evenly "
                          "spaced over the labeled subset) that the boxes per image of each "
                          "class are counted on")
               .Min(1),
       },
       {
           {"pseudo_labeler", {"pseudo_labeler"}, true, false,
            "turns teacher predictions into labels"},
           {"loss_combiner", {"loss_combiner"}, true, false,
            "weighs human-label and pseudo-label losses"},
       }},
      {"pretrain",
       "`stlab pretrain`: the backbone of [model.backbone] alone, on data.train with "
       "[train]'s optimization and [augment.pipeline]",
       {},
       {{"method", {"pretrain_method"}, true, false,
         "what is trained on top of the backbone, and its loss (supervised, simclr, or a "
         "plugin's)"}}},
      {"eval",
       "evaluation",
       {ParamSpec::Int("batch_size", 8, "images per forward pass").Min(1),
        ParamSpec::String("resize", "none",
                          "test-time size (evaluation, `stlab eval`, pseudo-labeling): none (each "
                          "image as it is), or longest_side / shortest_side scaled to resize_to "
                          "px, the aspect ratio kept; predictions are mapped back to the image's "
                          "own size (boxes scaled, masks resized before mIoU)")
            .OneOf({"none", "longest_side", "shortest_side"}),
        ParamSpec::Int("resize_to", 0, "the resized side's length in px (with resize)").Min(0),
        ParamSpec::Int("size_divisor", 0,
                       "test-time inputs are also padded to a multiple of this (0: the model's "
                       "largest stride alone)")
            .Min(0)},
       {{"evaluator", {"evaluator"}, true, false, "metric"}}},
  },
  // What training would reject only once it starts.
  {
      {"train.warmup_iterations",
       [](const ValidatedConfig& c) -> std::optional<std::string> {
         const Params& train = c.Section("train");
         if (train.GetInt("warmup_iterations") <= train.GetInt("iterations")) return std::nullopt;
         return absl::StrCat("must be at most train.iterations (", train.GetInt("iterations"),
                             "), got ", train.GetInt("warmup_iterations"));
       }},
      {"data.train_fraction",
       [](const ValidatedConfig& c) -> std::optional<std::string> {
         if (c.Section("data").GetFloat("train_fraction") > 0.0) return std::nullopt;
         return std::string("must be above 0: the labeled fraction of data.train");
       }},
      {"eval.resize_to",
       [](const ValidatedConfig& c) -> std::optional<std::string> {
         const Params& eval = c.Section("eval");
         if (eval.GetString("resize") == "none" || eval.GetInt("resize_to") >= 1) {
           return std::nullopt;
         }
         return absl::StrCat("must be at least 1 with eval.resize = \"", eval.GetString("resize"),
                             "\"");
       }},
      {"train.batch_size",
       [](const ValidatedConfig& c) -> std::optional<std::string> {
         if (c.Component("self_training.pseudo_labeler") == nullptr ||
             c.Section("train").GetInt("batch_size") >= 2) {
           return std::nullopt;
         }
         return std::string(
             "must be at least 2 with [self_training]: a student's batch holds human and "
             "pseudo-labeled images");
       }},
  }};
  return *kSchema;
}

}  // namespace stlab
