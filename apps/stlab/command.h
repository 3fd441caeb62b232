// The stlab commands as a table: each command declares its name, arguments,
// summary, its own flags and its run function in its own file (STLAB_COMMAND), and
// the usage texts, `--help` and flag checking are generated from the declarations.
// Adding a command is one file plus one line in apps/CMakeLists.txt.
#ifndef STLAB_APPS_STLAB_COMMAND_H_
#define STLAB_APPS_STLAB_COMMAND_H_

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>


namespace stlab::cli {

/// Options every command takes.
struct CommonOptions {
  std::vector<std::filesystem::path> plugin_paths;  ///< --plugin_path
  std::vector<std::string> overrides;               ///< --set key=value, in order
  std::string log_level = "info";                   ///< --log_level
};

/// A flag of one command: `--name VALUE` or `--name=VALUE`.
struct FlagSpec {
  std::string name;   ///< "checkpoint"
  std::string value;  ///< What it takes, for the usage text: "PATH".
  std::string help;
};

struct Command;

/// One command line, parsed for its command.
struct Invocation {
  const Command* command = nullptr;          ///< The command it runs.
  std::vector<std::string> args;             ///< Positional arguments after the command word.
  std::map<std::string, std::string> flags;  ///< The command's own flags, by name.
  CommonOptions common;

  /// The value of flag `name`, or "" when it was not given.
  std::string Flag(const std::string& name) const;
};

struct Command {
  std::string name;       ///< "train"
  std::string arguments;  ///< For the usage line: "CONFIG", "plan|run|report SUITE".
  std::string summary;    ///< One or two sentences.
  std::vector<FlagSpec> flags;
  /// Runs the command; returns the exit code: 0 success, 1 failure, 2 usage error
  /// (UsageError()).
  std::function<int(const Invocation&)> run;
};

/// The commands of this executable, filled by STLAB_COMMAND before main() and read
/// only afterwards.
class CommandTable {
 public:
  static CommandTable& Instance();
  /// Adds `command`; returns true (for STLAB_COMMAND's initializer).
  bool Add(Command command);
  /// By name.
  const std::vector<Command>& commands() const { return commands_; }
  const Command* Find(const std::string& name) const;

 private:
  std::vector<Command> commands_;
};

/// `stlab --help`: every command with its arguments and summary, and the flags all
/// commands take.
std::string GeneralUsage(const CommandTable& table);
/// `stlab COMMAND --help`: the command's usage line, summary and flags.
std::string CommandUsage(const Command& command);

/// Prints "error: <message>" and the command's usage to stderr; returns 2.
int UsageError(const Command& command, const std::string& message);
/// UsageError() of the invocation's command.
int UsageError(const Invocation& invocation, const std::string& message);

/// What a command line asks for.
struct ParsedCommandLine {
  const Command* command = nullptr;  ///< Null: no command, or an unknown one.
  bool help = false;                 ///< --help / -h / `stlab help`.
  Invocation invocation;
  /// A usage error ("" when none): an unknown command, a flag the command does not
  /// declare (with the closest known name), a flag without its value.
  std::string error;
};

/// Splits `argv` (without the program name) into the command, its positional
/// arguments, its own flags and the common flags (anywhere on the line).
ParsedCommandLine ParseCommandLine(const std::vector<std::string>& argv,
                                   const CommandTable& table);

}  // namespace stlab::cli

/// Registers a command from its own file:
///   STLAB_COMMAND({"train", "CONFIG", "train the config's run", {}, RunTrain});
#define STLAB_COMMAND(...) STLAB_COMMAND_AT_LINE(__LINE__, __VA_ARGS__)
#define STLAB_COMMAND_AT_LINE(line, ...) STLAB_COMMAND_NAMED(line, __VA_ARGS__)
#define STLAB_COMMAND_NAMED(line, ...)                                                    \
  namespace {                                                                            \
  [[maybe_unused]] const bool kStlabCommandRegistered##line =                            \
      ::stlab::cli::CommandTable::Instance().Add(::stlab::cli::Command __VA_ARGS__);      \
  }

#endif  // STLAB_APPS_STLAB_COMMAND_H_
