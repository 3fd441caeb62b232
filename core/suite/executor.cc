// Local child processes and the stage scheduler.
#include "core/suite/executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/logging.h"
#include "core/status.h"
#include "core/suite/stage_runner.h"

extern char** environ;

namespace stlab {
namespace {

namespace fs = std::filesystem;

// The last non-empty line of a log, to say why a stage failed.
std::string LastLine(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!absl::StripAsciiWhitespace(line).empty()) last = line;
  }
  return last;
}

}  // namespace

LocalProcessExecutor::LocalProcessExecutor(fs::path program, std::vector<std::string> args,
                                           int workers, int threads_per_stage)
    : program_(std::move(program)),
      args_(std::move(args)),
      workers_(std::max(1, workers)),
      threads_per_stage_(std::max(1, threads_per_stage)) {}

LocalProcessExecutor::~LocalProcessExecutor() {
  for (const auto& [pid, child] : running_) kill(pid, SIGTERM);
  for (const auto& [pid, child] : running_) waitpid(pid, nullptr, 0);
}

absl::Status LocalProcessExecutor::Launch(const std::string& id, const fs::path& dir) {
  const StageFiles files(dir);
  const int log_fd = open(files.log().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open ", files.log().string(), ": ", std::strerror(errno)));
  }
  // Everything the child needs is built before fork(): after it, only
  // async-signal-safe calls.
  std::vector<std::string> argv_text = {program_.string()};
  argv_text.insert(argv_text.end(), args_.begin(), args_.end());
  for (const char* word : {"suite", "stage"}) argv_text.emplace_back(word);
  argv_text.push_back(dir.string());
  std::vector<std::string> env_text;
  const std::string threads = std::to_string(threads_per_stage_);
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "OMP_NUM_THREADS=") && !absl::StartsWith(*e, "MKL_NUM_THREADS=")) {
      env_text.emplace_back(*e);
    }
  }
  env_text.push_back("OMP_NUM_THREADS=" + threads);
  env_text.push_back("MKL_NUM_THREADS=" + threads);
  std::vector<char*> argv, envp;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::UnavailableError(absl::StrCat("fork failed: ", std::strerror(errno)));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);  // The parent died before prctl.
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    static const char message[] = "stlab suite: cannot execute the stage program\n";
    (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
    _exit(127);
  }
  close(log_fd);
  running_[pid] = Child{id, files.log()};
  return absl::OkStatus();
}

absl::StatusOr<StageOutcome> LocalProcessExecutor::WaitAny() {
  if (running_.empty()) return absl::FailedPreconditionError("no stage is running");
  while (true) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("waitpid failed: ", std::strerror(errno)));
    }
    auto it = running_.find(pid);
    if (it == running_.end()) continue;  // Not ours.
    StageOutcome outcome;
    outcome.id = it->second.id;
    outcome.log = it->second.log;
    running_.erase(it);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      outcome.ok = true;
    } else {
      const std::string how = WIFSIGNALED(status)
                                  ? absl::StrCat("killed by signal ", WTERMSIG(status))
                                  : absl::StrCat("exit code ", WEXITSTATUS(status));
      outcome.error = absl::StrCat(how, ": ", LastLine(outcome.log));
    }
    return outcome;
  }
}

absl::StatusOr<SuiteRunSummary> RunSuitePlan(const SuitePlan& plan, StageExecutor& executor,
                                             const std::function<void(const std::string&)>& on_event) {
  enum class State { kPending, kRunning, kDone, kFailed, kBlocked };
  std::map<std::string, State> state;
  SuiteRunSummary summary;
  auto tell = [&on_event](const std::string& event) {
    if (on_event) on_event(event);
  };
  for (const Stage& stage : plan.stages) {
    const std::filesystem::path dir = plan.StageDir(stage.id);
    const bool done = StageDone(dir);
    if (!done && StageMarked(dir)) {
      // A finished stage whose marker or outputs broke: its folder cannot be
      // trusted to resume from, so it starts over.
      std::error_code error;
      std::filesystem::remove_all(dir, error);
      if (error) {
        return absl::InternalError(absl::StrCat("cannot clear the broken stage folder '",
                                                dir.string(), "': ", error.message()));
      }
      LogWarning(absl::StrCat("stage ", stage.id, " is computed again from scratch"));
    }
    state[stage.id] = done ? State::kDone : State::kPending;
    if (done) ++summary.reused;
  }
  // Stages with more stages waiting on them start first (pre-training before the
  // trainings that do not need it), so that the graph's long chains start early.
  std::map<std::string, int> waiting;
  for (auto it = plan.stages.rbegin(); it != plan.stages.rend(); ++it) {
    for (const std::string& up : it->depends_on) waiting[up] += 1 + waiting[it->id];
  }
  std::vector<const Stage*> order;
  for (const Stage& stage : plan.stages) order.push_back(&stage);
  std::stable_sort(order.begin(), order.end(), [&waiting](const Stage* a, const Stage* b) {
    return waiting[a->id] > waiting[b->id];
  });
  int running = 0;
  while (true) {
    for (const Stage* next : order) {
      const Stage& stage = *next;
      if (state[stage.id] != State::kPending) continue;
      bool ready = true;
      for (const std::string& up : stage.depends_on) {
        if (state[up] == State::kFailed || state[up] == State::kBlocked) {
          state[stage.id] = State::kBlocked;
          summary.blocked.push_back(stage.id);
          tell(absl::StrCat("blocked ", stage.id, " (needs ", up, ")"));
          ready = false;
          break;
        }
        if (state[up] != State::kDone) ready = false;
      }
      if (!ready || running >= executor.capacity()) continue;
      STLAB_RETURN_IF_ERROR(WriteStageRecipe(plan, stage));
      STLAB_RETURN_IF_ERROR(executor.Launch(stage.id, plan.StageDir(stage.id)));
      state[stage.id] = State::kRunning;
      ++running;
      tell(absl::StrCat("started ", stage.id));
    }
    if (running == 0) {
      // What is still pending waits on a stage that failed.
      for (const Stage& stage : plan.stages) {
        if (state[stage.id] == State::kPending) summary.blocked.push_back(stage.id);
      }
      break;
    }
    STLAB_ASSIGN_OR_RETURN(StageOutcome outcome, executor.WaitAny());
    --running;
    if (outcome.ok && StageDone(plan.StageDir(outcome.id))) {
      state[outcome.id] = State::kDone;
      ++summary.ran;
      tell(absl::StrCat("done ", outcome.id));
    } else {
      if (outcome.ok) outcome.error = "ended without its done marker";
      state[outcome.id] = State::kFailed;
      tell(absl::StrCat("failed ", outcome.id, ": ", outcome.error, " (log: ", outcome.log.string(), ")"));
      summary.failed.push_back(std::move(outcome));
    }
  }
  return summary;
}

}  // namespace stlab
