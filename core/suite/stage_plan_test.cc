#include "core/suite/stage_plan.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/backbone.h"
#include "core/config/config_schema.h"
#include "core/dataset.h"
#include "core/evaluator.h"
#include "core/head.h"
#include "core/loss_combiner.h"
#include "core/pseudo_labeler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/registries.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_files.h"

namespace stlab {
namespace {

using ::stlab::testing::FreshTestDir;
using ::stlab::testing::IsOk;
using ::stlab::testing::StatusIs;
using ::stlab::testing::WriteFile;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Ne;
using ::testing::SizeIs;

// Components the planner validates against; none is ever built.
template <typename Interface, typename Context>
void AddUnbuilt(Registry<Interface, Context>& registry, const std::string& name,
                ParamSpecs params = {}) {
  ASSERT_THAT(registry.Add({name, "never built", std::move(params)},
                           [](const Params&, const Context&)
                               -> absl::StatusOr<std::shared_ptr<Interface>> {
                             return absl::UnimplementedError("not built in planning");
                           }),
              IsOk());
}

constexpr char kExperiment[] = R"(
[run]
name = "planned"
[model.backbone]
type = "backbone"
[model.head]
type = "head"
[data.train]
type = "data"
[data.val]
type = "data"
split = "val"
[data.unlabeled]
type = "data"
split = "unlabeled"
[eval.evaluator]
type = "evaluator"
[self_training.pseudo_labeler]
type = "labeler"
[self_training.loss_combiner]
type = "combiner"
)";

// The stages of one self-training run.
struct RunStages {
  std::string train;
  std::string train_evaluation;
  std::string pseudo_label;
  std::string student;
  std::string evaluation;
};

class StagePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddUnbuilt(registries_.backbones(), "backbone");
    AddUnbuilt(registries_.detection_heads(), "head");
    AddUnbuilt(registries_.datasets(), "data", {ParamSpec::String("split", "train", "split")});
    AddUnbuilt(registries_.evaluators(), "evaluator");
    AddUnbuilt(registries_.pseudo_labelers(), "labeler",
               {ParamSpec::Float("threshold", 0.5, "kept score").Range(0, 1)});
    AddUnbuilt(registries_.loss_combiners(), "combiner",
               {ParamSpec::Float("alpha", 1.0, "weight").Min(0)});
    dir_ = FreshTestDir();
    WriteFile(dir_ / "experiment.toml", kExperiment);
  }

  // Plans a suite of the experiment without and with self-training, every run with
  // `set` added; `cache` names its cache folder.
  absl::StatusOr<SuitePlan> Plan(const std::vector<std::string>& set = {},
                                 const std::string& cache = "cache") {
    std::string set_list;
    for (const std::string& entry : set) absl::StrAppend(&set_list, "'", entry, "', ");
    const auto file = WriteFile(
        dir_ / absl::StrCat("suite", ++suites_, ".toml"),
        absl::StrCat("[suite]\nname = \"planned\"\nexperiment = \"experiment.toml\"\n",
                     "cache_dir = \"", (dir_ / cache).string(), "\"\nset = [", set_list, "]\n",
                     "[axes.self_training]\nvalues = [false, true]\n",
                     "[report]\nmetric = \"AP\"\ncolumns = \"self_training\"\n"));
    STLAB_ASSIGN_OR_RETURN(SuiteSpec spec, LoadSuiteSpec(file));
    return PlanSuite(spec, registries_);
  }

  static RunStages StagesOf(const SuitePlan& plan) {
    RunStages stages;
    const PlannedRun& run = plan.runs.at(1);  // With self-training.
    stages.train = run.train_stage;
    stages.train_evaluation = run.train_evaluation;
    stages.student = run.student_stages.at(0);
    stages.pseudo_label = plan.Find(stages.student)->inputs.at("pseudo_labels");
    stages.evaluation = run.evaluation;
    return stages;
  }

  RunStages MustPlan(const std::vector<std::string>& set = {}) {
    absl::StatusOr<SuitePlan> plan = Plan(set);
    EXPECT_THAT(plan, IsOk());
    return plan.ok() ? StagesOf(*plan) : RunStages();
  }

  Registries registries_;
  std::filesystem::path dir_;
  int suites_ = 0;
};

TEST_F(StagePlanTest, ABaselineAndATeacherAreOneStage) {
  absl::StatusOr<SuitePlan> plan = Plan();
  ASSERT_THAT(plan, IsOk());
  ASSERT_THAT(plan->runs, SizeIs(2));
  EXPECT_THAT(plan->runs[0].train_stage, Eq(plan->runs[1].train_stage));
  EXPECT_THAT(plan->runs[0].evaluation, Eq(plan->runs[1].train_evaluation));
  // train, its evaluation, pseudo labels, student, its evaluation.
  EXPECT_THAT(plan->stages, SizeIs(5));
  const RunStages stages = StagesOf(*plan);
  EXPECT_THAT(plan->Find(stages.pseudo_label)->inputs.at("teacher"), Eq(stages.train));
  EXPECT_THAT(plan->Find(stages.evaluation)->inputs.at("model"), Eq(stages.student));
}

TEST_F(StagePlanTest, HashesDoNotDependOnWhereTheCacheIs) {
  absl::StatusOr<SuitePlan> here = Plan({}, "cache_a");
  absl::StatusOr<SuitePlan> there = Plan({}, "cache_b");
  ASSERT_THAT(here, IsOk());
  ASSERT_THAT(there, IsOk());
  ASSERT_THAT(here->stages.size(), Eq(there->stages.size()));
  for (size_t i = 0; i < here->stages.size(); ++i) {
    EXPECT_THAT(here->stages[i].id, Eq(there->stages[i].id));
  }
}

TEST_F(StagePlanTest, EvaluationSettingsChangeOnlyTheEvaluations) {
  const RunStages base = MustPlan();
  const RunStages other = MustPlan({"data.val.split=\"test\""});
  EXPECT_THAT(other.train, Eq(base.train));
  EXPECT_THAT(other.pseudo_label, Eq(base.pseudo_label));
  EXPECT_THAT(other.student, Eq(base.student));
  EXPECT_THAT(other.train_evaluation, Ne(base.train_evaluation));
  EXPECT_THAT(other.evaluation, Ne(base.evaluation));
}

TEST_F(StagePlanTest, ATrainingSettingChangesEveryStage) {
  const RunStages base = MustPlan();
  const RunStages other = MustPlan({"run.seed=7"});
  EXPECT_THAT(other.train, Ne(base.train));
  EXPECT_THAT(other.pseudo_label, Ne(base.pseudo_label));  // Through its teacher.
  EXPECT_THAT(other.student, Ne(base.student));
  EXPECT_THAT(other.evaluation, Ne(base.evaluation));
}

// Every parameter of [self_training] enters the hash of exactly the stages that read
// it: the pseudo-labeling stage (and, through it, the student), or the student
// alone, never the training stage. A parameter added to the schema without a place
// in the stage table (KeysOf in stage_plan.cc) fails here.
TEST_F(StagePlanTest, EverySelfTrainingParameterChangesTheStagesThatReadIt) {
  const RunStages base = MustPlan();
  // A value other than the default, and whether pseudo-labeling reads it.
  const std::map<std::string, std::pair<std::string, bool>> changes = {
      {"unlabeled_pool", {"\"rest_of_train\"", true}},
      {"pseudo_fraction", {"0.25", false}},
      {"student_iterations", {"7", false}},
      {"audit_images", {"2", true}},
      {"teacher_flip", {"true", true}},
      {"teacher_scales", {"[1.0, 0.5]", true}},
      {"teacher_tta_nms_iou", {"0.6", true}},
      {"teacher_tta_max_detections", {"50", true}},
      {"score_calibration", {"\"label_prior\"", true}},
      {"label_prior_images", {"100", true}},
      {"class_portion", {"0.3", true}},
      {"pseudo_labeler.threshold", {"0.7", true}},
      {"loss_combiner.alpha", {"2.0", false}},
  };
  std::vector<std::string> covered;
  for (const auto& [key, change] : changes) covered.push_back(key.substr(0, key.find('.')));
  for (const SectionSpec& section : ExperimentSchema().sections) {
    if (section.name != "self_training") continue;
    for (const ParamSpec& param : section.params) {
      // teacher_checkpoint is refused in suites (below); rounds adds stages (below).
      if (param.name() == "teacher_checkpoint" || param.name() == "rounds") continue;
      EXPECT_THAT(std::count(covered.begin(), covered.end(), param.name()), Eq(1))
          << "self_training." << param.name() << " has no case in this test";
    }
  }
  for (const auto& [key, change] : changes) {
    const auto& [value, labeling_reads] = change;
    const RunStages other = MustPlan({absl::StrCat("self_training.", key, "=", value)});
    EXPECT_THAT(other.train, Eq(base.train)) << key;
    EXPECT_THAT(other.train_evaluation, Eq(base.train_evaluation)) << key;
    if (labeling_reads) {
      EXPECT_THAT(other.pseudo_label, Ne(base.pseudo_label)) << key;
    } else {
      EXPECT_THAT(other.pseudo_label, Eq(base.pseudo_label)) << key;
    }
    EXPECT_THAT(other.student, Ne(base.student)) << key;
    EXPECT_THAT(other.evaluation, Ne(base.evaluation)) << key;
  }
}

TEST_F(StagePlanTest, MoreRoundsReuseTheFirstRoundsStages) {
  absl::StatusOr<SuitePlan> one = Plan();
  absl::StatusOr<SuitePlan> two = Plan({"self_training.rounds=2"});
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(two, IsOk());
  ASSERT_THAT(two->runs[1].student_stages, SizeIs(2));
  EXPECT_THAT(two->runs[1].student_stages[0], Eq(one->runs[1].student_stages[0]));
  const Stage* second_labels = two->Find(two->Find(two->runs[1].student_stages[1])->inputs.at("pseudo_labels"));
  EXPECT_THAT(second_labels->inputs.at("teacher"), Eq(two->runs[1].student_stages[0]));
}

TEST_F(StagePlanTest, ATeacherCheckpointIsRefusedInASuite) {
  EXPECT_THAT(Plan({"self_training.teacher_checkpoint=\"teacher.pt\""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("self_training.teacher_checkpoint is for `stlab self-train`")));
}

TEST_F(StagePlanTest, ASuiteWithoutValidationDataIsRefused) {
  WriteFile(dir_ / "experiment.toml",
            std::string(kExperiment).replace(std::string(kExperiment).find("[data.val]"),
                                             std::string("[data.val]\ntype = \"data\"\nsplit = \"val\"\n").size(),
                                             ""));
  EXPECT_THAT(Plan(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no [data.val]")));
}

}  // namespace
}  // namespace stlab
