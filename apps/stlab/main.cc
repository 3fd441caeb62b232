// The stlab command-line tool: parses the command line against the command table
// (apps/stlab/command.h) and runs the command.
#include <iostream>
#include <string>
#include <vector>

#include "apps/stlab/command.h"
#include "core/logging.h"
#include "core/malloc_tuning.h"

int main(int argc, char** argv) {
  stlab::RetainFreedTensorMemory();
  const stlab::cli::CommandTable& table = stlab::cli::CommandTable::Instance();
  const std::vector<std::string> args(argv + 1, argv + argc);
  const stlab::cli::ParsedCommandLine parsed = stlab::cli::ParseCommandLine(args, table);
  if (!parsed.error.empty()) {
    if (parsed.command != nullptr) return stlab::cli::UsageError(*parsed.command, parsed.error);
    std::cerr << "error: " << parsed.error << "\n\n" << stlab::cli::GeneralUsage(table);
    return 2;
  }
  if (parsed.command == nullptr) {  // `stlab --help`, `stlab help`.
    std::cout << stlab::cli::GeneralUsage(table);
    return 0;
  }
  const stlab::cli::Command& command = *parsed.command;
  if (parsed.help) {
    std::cout << stlab::cli::CommandUsage(command);
    return 0;
  }
  if (absl::Status s = stlab::ConfigureLogging(parsed.invocation.common.log_level, std::nullopt);
      !s.ok()) {
    return stlab::cli::UsageError(command, std::string(s.message()));
  }
  return command.run(parsed.invocation);
}
