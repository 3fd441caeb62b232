// `stlab suite plan|run|report SUITE`: experiment suites over a cached stage graph;
// `stlab suite stage DIR`: one stage, as the executors run it.
#include <chrono>
#include <iomanip>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "apps/stlab/command.h"
#include "apps/stlab/plugin_host.h"
#include "core/config/config_document.h"
#include "core/config/config_schema.h"
#include "core/logging.h"
#include "core/suite/executor.h"
#include "core/suite/report.h"
#include "core/suite/stage_plan.h"
#include "core/suite/stage_runner.h"
#include "core/suite/suite_results.h"
#include "core/suite/suite_spec.h"

namespace stlab::cli {
namespace {

namespace fs = std::filesystem;

// The suite and its plan, with the plugins its experiment names loaded.
struct LoadedSuite {
  SuiteSpec spec;
  SuitePlan plan;
};

absl::StatusOr<LoadedSuite> LoadSuite(const std::string& file, const CommonOptions& options,
                                      Registries& registries) {
  absl::StatusOr<SuiteSpec> spec = LoadSuiteSpec(file, options.overrides);
  if (!spec.ok()) return spec.status();
  std::vector<fs::path> plugin_paths = options.plugin_paths;
  absl::StatusOr<ConfigDocument> experiment = ConfigDocument::Load(spec->experiment);
  if (!experiment.ok()) return experiment.status();
  for (const fs::path& p : experiment->PluginPaths()) plugin_paths.push_back(p);
  if (absl::Status s = LoadPlugins(registries, plugin_paths); !s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(file, ": plugin loading failed:\n", s.message()));
  }
  absl::StatusOr<SuitePlan> plan = PlanSuite(*spec, registries);
  if (!plan.ok()) return plan.status();
  return LoadedSuite{*std::move(spec), *std::move(plan)};
}

int Report(const LoadedSuite& suite, const SuiteRunSummary* summary) {
  const std::vector<SuiteRunResult> results = CollectSuiteResults(suite.plan, summary);
  absl::StatusOr<std::string> table =
      WriteSuiteReport(suite.spec.name, results, suite.spec.report, suite.spec.report_dir());
  if (!table.ok()) {
    std::cerr << "error: " << table.status().message() << "\n";
    return 1;
  }
  std::cout << *table << "\nreport: " << suite.spec.report_dir().string()
            << "/{results.csv, results.md, claims.json, report.html}\n";
  return 0;
}

std::string Clock(std::chrono::steady_clock::time_point start) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  std::ostringstream out;
  out << "[" << std::setw(2) << std::setfill('0') << seconds / 60 << ":" << std::setw(2)
      << seconds % 60 << "] ";
  return out.str();
}

int RunSuite(const LoadedSuite& suite, const CommonOptions& options) {
  // Stage logs keep everything (info), whatever the suite's console shows.
  std::vector<std::string> args = {"--log_level=info"};
  if (!options.plugin_paths.empty()) {
    std::vector<std::string> paths;
    for (const fs::path& p : options.plugin_paths) paths.push_back(fs::absolute(p).string());
    args.push_back(absl::StrCat("--plugin_path=", absl::StrJoin(paths, ",")));
  }
  LocalProcessExecutor executor(fs::read_symlink("/proc/self/exe"), args, suite.spec.workers,
                                suite.spec.threads_per_worker);
  std::cout << "suite " << suite.spec.name << ": " << suite.plan.runs.size() << " runs, "
            << suite.plan.stages.size() << " stages, " << suite.spec.workers << " worker(s) x "
            << suite.spec.threads_per_worker << " thread(s); cache " << suite.plan.cache_dir.string()
            << "\n";
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<SuiteRunSummary> summary =
      RunSuitePlan(suite.plan, executor, [&start](const std::string& event) {
        std::cout << Clock(start) << event << std::endl;
      });
  if (!summary.ok()) {
    std::cerr << "error: " << summary.status().message() << "\n";
    return 1;
  }
  std::cout << Clock(start) << summary->ran << " stage(s) run, " << summary->reused
            << " reused from the cache, " << summary->failed.size() << " failed, "
            << summary->blocked.size() << " blocked\n\n";
  const int report = Report(suite, &*summary);
  for (const StageOutcome& failed : summary->failed) {
    std::cerr << "failed: " << failed.id << ": " << failed.error << "\n  log: " << failed.log.string()
              << "\n";
  }
  return report != 0 || !summary->failed.empty() ? 1 : 0;
}

int RunStageCommand(const fs::path& dir, const CommonOptions& options) {
  absl::StatusOr<StageRecipeFile> recipe = ReadStageRecipe(dir);
  if (!recipe.ok()) {
    std::cerr << "error: " << recipe.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<ConfigDocument> document =
      LoadStageConfig(recipe->layers, recipe->overrides, recipe->unset);
  if (!document.ok()) {
    std::cerr << "error: stage " << recipe->id << ": " << document.status().message() << "\n";
    return 1;
  }
  Registries registries;
  std::vector<fs::path> plugin_paths = options.plugin_paths;
  for (const fs::path& p : document->PluginPaths()) plugin_paths.push_back(p);
  if (absl::Status s = LoadPlugins(registries, plugin_paths); !s.ok()) {
    std::cerr << "error: plugin loading failed:\n" << s.message() << "\n";
    return 1;
  }
  absl::StatusOr<ValidatedConfig> config = ValidateConfig(*document, ExperimentSchema(), registries);
  if (!config.ok()) {
    std::cerr << "error: stage " << recipe->id << ": " << config.status().message() << "\n";
    return 1;
  }
  LogInfo(absl::StrCat("stage ", recipe->id, " (", StageKindName(recipe->kind), ") in ", dir.string()));
  absl::StatusOr<Metrics> metrics = RunStage(*recipe, *config, registries, dir);
  if (!metrics.ok()) {
    LogError(absl::StrCat("stage ", recipe->id, ": ", metrics.status().message()));
    return 1;
  }
  for (const auto& [name, value] : *metrics) std::cout << name << " " << value << "\n";
  return 0;
}

int RunSuiteCommand(const Invocation& invocation) {
  const std::vector<std::string>& args = invocation.args;
  const CommonOptions& options = invocation.common;
  if (args.size() != 2) {
    return UsageError(invocation, "expected an action (plan, run, report or stage) and a file");
  }
  const std::string& action = args[0];
  if (action == "stage") return RunStageCommand(args[1], options);
  if (action != "plan" && action != "run" && action != "report") {
    return UsageError(invocation, absl::StrCat("unknown suite action '", action, "'"));
  }
  Registries registries;
  absl::StatusOr<LoadedSuite> suite = LoadSuite(args[1], options, registries);
  if (!suite.ok()) {
    std::cerr << suite.status().message() << "\n";
    return 1;
  }
  if (action == "plan") {
    std::cout << "suite " << suite->spec.name << " (" << suite->spec.file.string() << ")\n"
              << DescribePlan(suite->plan);
    return 0;
  }
  if (action == "run") return RunSuite(*suite, options);
  return Report(*suite, nullptr);
}

}  // namespace

STLAB_COMMAND({"suite", "plan|run|report SUITE | stage DIR",
               "an experiment suite: plan prints its runs and stages, run computes what is not "
               "done (cached, parallel, resumable) and reports, report writes the report of what "
               "is done; stage runs one stage (as the executors do); --set suite.workers=N and "
               "other suite keys override the file",
               {},
               RunSuiteCommand});

}  // namespace stlab::cli
