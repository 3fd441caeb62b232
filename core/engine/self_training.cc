// The self-training pipeline.
#include "core/engine/self_training.h"

#include <chrono>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/atomic_file.h"
#include "core/data/subset.h"
#include "core/engine/components.h"
#include "core/engine/score_calibration.h"
#include "core/engine/metrics_log.h"
#include "core/engine/provenance.h"
#include "core/engine/pseudo_labels.h"
#include "core/engine/teacher_tta.h"
#include "core/logging.h"
#include "core/pseudo_labeler.h"
#include "core/sha256.h"
#include "core/status.h"

namespace stlab {
namespace {

std::string UtcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

// self_training.score_calibration fitted on the teacher's predictions over the
// pool: the map the labeling applies to each prediction (none: unset) and its
// description for the logs and the summary's provenance.
struct PoolCalibration {
  PredictionMap map;
  std::string text = "none";
};

absl::StatusOr<PoolCalibration> FitPoolCalibration(const ValidatedConfig& config,
                                                   TaskModel& teacher,
                                                   std::shared_ptr<const Dataset> train,
                                                   const Dataset& unlabeled,
                                                   const TeacherTtaOptions& tta,
                                                   const TestTimeResize& resize) {
  const Params& self_training = config.Section("self_training");
  const std::string kind = self_training.GetString("score_calibration");
  if (kind == "none") return PoolCalibration{};
  const Task task = kind == "label_prior" ? Task::kDetection : Task::kSegmentation;
  if (teacher.task() != task) {
    return absl::InvalidArgumentError(absl::StrCat(
        "self_training.score_calibration = \"", kind, "\" calibrates ",
        task == Task::kDetection ? "detection scores; for segmentation use \"class_portion\""
                                 : "segmentation probabilities; for detection use \"label_prior\""));
  }
  const int64_t batch_size = config.Section("eval").GetInt("batch_size");
  const DatasetInfo& info = train->Info();
  LogInfo(absl::StrCat("score calibration (", kind, "): the teacher over ", unlabeled.Size(),
                       " pool images"));
  PoolCalibration fitted;
  if (task == Task::kDetection) {
    STLAB_ASSIGN_OR_RETURN(std::vector<int64_t> labeled_indices,
                           LabeledIndices(config, train->Size()));
    const auto num_classes = static_cast<int64_t>(info.class_names.size());
    const SubsetView labeled(train, std::move(labeled_indices));
    STLAB_ASSIGN_OR_RETURN(
        const std::vector<double> boxes_per_image,
        BoxesPerImageByClass(labeled, num_classes, self_training.GetInt("label_prior_images")));
    STLAB_ASSIGN_OR_RETURN(const std::vector<Detections> pool,
                           DetectPool(teacher, unlabeled, batch_size, tta, resize));
    auto prior = std::make_shared<const LabelPriorCalibration>(
        LabelPriorCalibration::Fit(boxes_per_image, pool));
    fitted.text = absl::StrCat("label_prior: ", prior->Describe(info.class_names));
    fitted.map = [prior](const Prediction& raw) {
      Prediction calibrated = raw;
      calibrated.detections = prior->Apply(raw.detections);
      return calibrated;
    };
  } else {
    auto portion = std::make_shared<ClassPortionCalibration>(
        static_cast<int64_t>(info.mask_class_names.size()),
        self_training.GetFloat("class_portion"));
    STLAB_RETURN_IF_ERROR(ForEachTeacherPrediction(
        teacher, unlabeled, batch_size, tta, resize,
        [&portion](int64_t, const Sample&, Prediction& prediction) {
          portion->Add(prediction.class_probs);
          return absl::OkStatus();
        }));
    portion->Finish();
    fitted.text = absl::StrCat("class_portion ", self_training.GetFloat("class_portion"), ": ",
                               portion->Describe(info.mask_class_names));
    fitted.map = [portion = std::shared_ptr<const ClassPortionCalibration>(portion)](
                     const Prediction& raw) {
      Prediction calibrated = raw;
      calibrated.class_probs = portion->Apply(raw.class_probs);
      return calibrated;
    };
  }
  LogInfo(absl::StrCat("score calibration, each class's cut: ", fitted.text));
  return fitted;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Dataset>> BuildUnlabeledPool(
    const ValidatedConfig& config, const Registries& registries,
    std::shared_ptr<const Dataset> train) {
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  if (config.Section("self_training").GetString("unlabeled_pool") == "data.unlabeled") {
    STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> unlabeled,
                           BuildDataset(config, registries, "data.unlabeled", seed));
    if (unlabeled == nullptr) {
      return absl::InvalidArgumentError(
          "self-training needs [data.unlabeled], or self_training.unlabeled_pool = "
          "\"rest_of_train\"");
    }
    return unlabeled;
  }
  const Params& data = config.Section("data");
  STLAB_ASSIGN_OR_RETURN(const std::vector<int64_t> labeled,
                         LabeledIndices(config, train->Size()));
  std::vector<int64_t> rest = ComplementOf(labeled, train->Size());
  if (rest.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "self_training.unlabeled_pool = \"rest_of_train\" leaves no image: data.train_fraction = ",
        data.GetFloat("train_fraction"), " labels all ", train->Size(), " images of data.train"));
  }
  return std::make_shared<SubsetView>(std::move(train), std::move(rest));
}

absl::StatusOr<std::filesystem::path> WritePseudoLabelsFor(
    const ValidatedConfig& config, const Registries& registries,
    const std::filesystem::path& checkpoint, const PseudoLabelFiles& files) {
  std::error_code error;
  if (std::filesystem::exists(files.labels(), error)) return files.labels();
  UseConfiguredThreads(config);
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> train,
                         BuildDataset(config, registries, "data.train", seed));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> unlabeled,
                         BuildUnlabeledPool(config, registries, train));
  const ComponentConfig* labeler_config = config.Component("self_training.pseudo_labeler");
  if (labeler_config == nullptr) {
    return absl::InvalidArgumentError("pseudo-labeling needs [self_training.pseudo_labeler]");
  }
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<PseudoLabeler> labeler,
                         registries.pseudo_labelers().Create(labeler_config->type,
                                                             labeler_config->values));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<TaskModel> teacher,
                         LoadTrainedModel(config, registries, train->Info(), seed, checkpoint));
  STLAB_ASSIGN_OR_RETURN(const TeacherTtaOptions tta,
                         TeacherTtaOptionsFrom(config.Section("self_training")));
  STLAB_ASSIGN_OR_RETURN(const TestTimeResize resize, TestTimeResizeFrom(config.Section("eval")));
  LogInfo(absl::StrCat("pseudo-labeling ", unlabeled->Size(), " images with ", checkpoint.string(),
                       tta.Enabled() ? absl::StrCat(" (test-time augmentation: ", tta.Describe(), ")")
                                     : ""));
  const DatasetInfo& info = train->Info();
  PseudoLabelQuality quality(teacher->task(),
                             static_cast<int64_t>(teacher->task() == Task::kDetection
                                                      ? info.class_names.size()
                                                      : info.mask_class_names.size()));
  const int64_t batch_size = config.Section("eval").GetInt("batch_size");
  STLAB_ASSIGN_OR_RETURN(const PoolCalibration calibration,
                         FitPoolCalibration(config, *teacher, train, *unlabeled, tta, resize));
  STLAB_ASSIGN_OR_RETURN(PseudoLabelSet set,
                         PseudoLabel(*teacher, *unlabeled, *labeler, batch_size, tta, &quality,
                                     resize, calibration.map));
  if (quality.images() > 0) {
    LogInfo(absl::StrCat("pseudo-label quality against the hidden labels of ", quality.images(),
                         " images: ", MetricsJson(quality.Headline())));
  }
  STLAB_ASSIGN_OR_RETURN(const std::string teacher_sha256, Sha256HexOfFile(checkpoint));
  set.provenance["teacher"] = std::filesystem::absolute(checkpoint).string();
  set.provenance["teacher_sha256"] = teacher_sha256;
  set.provenance["pseudo_labeler"] = ComponentText(*labeler_config);
  if (auto it = labeler_config->values.find("threshold"); it != labeler_config->values.end()) {
    set.provenance["threshold"] = FormatParamValue(it->second);
  }
  set.provenance["score_calibration"] = calibration.text;
  set.provenance["teacher_tta"] = tta.Describe();
  set.provenance["resize"] = resize.Describe();
  set.provenance["created"] = UtcNow();
  STLAB_RETURN_IF_ERROR(WriteFileAtomically(
      files.summary(), PseudoLabelSummaryJson(set, unlabeled->Size(), info, &quality)));
  STLAB_RETURN_IF_ERROR(ExportPseudoLabels(set, *unlabeled, train->Info(),
                                           config.Section("self_training").GetInt("audit_images"),
                                           files));
  STLAB_RETURN_IF_ERROR(WritePseudoLabels(files.labels(), set));
  return files.labels();
}

absl::StatusOr<TrainResult> TrainStudent(const ValidatedConfig& config,
                                         const Registries& registries,
                                         const std::filesystem::path& labels_path,
                                         const TrainOptions& options) {
  STLAB_ASSIGN_OR_RETURN(PseudoLabelSet set, ReadPseudoLabels(labels_path));
  if (set.indices.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the pseudo-labeler kept no image (", labels_path.string(),
        "); lower its threshold or train the teacher longer"));
  }
  const uint64_t seed = static_cast<uint64_t>(config.Section("run").GetInt("seed"));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> train,
                         BuildDataset(config, registries, "data.train", seed));
  STLAB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> unlabeled,
                         BuildUnlabeledPool(config, registries, train));
  TrainOptions student_options = options;
  student_options.iterations = config.Section("self_training").GetInt("student_iterations");
  student_options.pseudo_labeled =
      std::make_shared<PseudoLabeledDataset>(unlabeled, std::move(set), train->Info());
  return Train(config, registries, student_options);
}

absl::StatusOr<SelfTrainingResult> SelfTrain(const ValidatedConfig& config,
                                             const Registries& registries,
                                             const TrainOptions& options) {
  const SelfTrainingFiles files(RunDirOf(config));
  const Params& self_training = config.Section("self_training");
  if (config.Component("self_training.pseudo_labeler") == nullptr ||
      config.Component("self_training.loss_combiner") == nullptr) {
    return absl::InvalidArgumentError(
        "self-training needs [self_training.pseudo_labeler] and [self_training.loss_combiner]");
  }
  SelfTrainingResult result;
  std::filesystem::path teacher_weights = self_training.GetString("teacher_checkpoint");
  if (teacher_weights.empty()) {
    LogInfo("self-training: teacher on the human labels");
    TrainOptions teacher_options = options;
    teacher_options.run_dir = files.teacher();
    teacher_options.pseudo_labeled = nullptr;
    STLAB_ASSIGN_OR_RETURN(TrainResult teacher, Train(config, registries, teacher_options));
    result.teacher = teacher.metrics;
    teacher_weights = RunFiles(files.teacher()).final_model();
  }
  const int rounds = static_cast<int>(self_training.GetInt("rounds"));
  for (int round = 1; round <= rounds; ++round) {
    LogInfo(absl::StrCat("self-training round ", round, ": pseudo labels"));
    std::error_code error;
    std::filesystem::create_directories(files.round(round), error);
    STLAB_ASSIGN_OR_RETURN(const std::filesystem::path labels_path,
                           WritePseudoLabelsFor(config, registries, teacher_weights,
                                                files.pseudo_labels(round)));
    LogInfo(absl::StrCat("self-training round ", round, ": student"));
    TrainOptions student_options = options;
    student_options.run_dir = files.student(round);
    STLAB_ASSIGN_OR_RETURN(TrainResult student,
                           TrainStudent(config, registries, labels_path, student_options));
    result.students.push_back(student.metrics);
    teacher_weights = RunFiles(files.student(round)).final_model();
  }
  std::vector<std::string> students;
  for (const Metrics& m : result.students) students.push_back(MetricsJson(m));
  STLAB_RETURN_IF_ERROR(WriteFileAtomically(
      files.result(), absl::StrCat("{\"teacher\": ", MetricsJson(result.teacher), ", \"students\": [",
                                   absl::StrJoin(students, ", "), "]}\n")));
  return result;
}

}  // namespace stlab
