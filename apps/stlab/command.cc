// The command table, generated usage texts and command-line parsing.
#include "apps/stlab/command.h"

#include <algorithm>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/did_you_mean.h"

namespace stlab::cli {
namespace {

// The flags every command takes, for usage texts.
const std::vector<FlagSpec>& CommonFlags() {
  static const std::vector<FlagSpec>* const kFlags = new std::vector<FlagSpec>{
      {"set", "key.path=value", "override a config value (repeatable, TOML syntax)"},
      {"plugin_path", "DIR,...", "extra plugin folders or library files (also STLAB_PLUGIN_PATH)"},
      {"log_level", "LEVEL", "console log level: trace, debug, info, warn, error"},
      {"help", "", "this command's usage"}};
  return *kFlags;
}

// `text` as lines of at most `width` characters, each after `indent` spaces.
std::string Wrapped(const std::string& text, size_t indent, size_t width = 88) {
  std::string out;
  size_t line = 0;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (line > 0 && indent + line + 1 + word.size() > width) {
      absl::StrAppend(&out, "\n");
      line = 0;
    }
    if (line == 0) {
      absl::StrAppend(&out, std::string(indent, ' '), word);
    } else {
      absl::StrAppend(&out, " ", word);
      ++line;
    }
    line += word.size();
  }
  return absl::StrCat(out, "\n");
}

void AppendFlags(const std::vector<FlagSpec>& flags, std::string& out) {
  constexpr size_t kColumn = 30;
  for (const FlagSpec& flag : flags) {
    const std::string left =
        absl::StrCat("  --", flag.name, flag.value.empty() ? "" : absl::StrCat(" ", flag.value));
    if (left.size() + 2 > kColumn) {
      absl::StrAppend(&out, left, "\n", Wrapped(flag.help, kColumn));
    } else {
      const std::string help = Wrapped(flag.help, kColumn);
      absl::StrAppend(&out, left, help.substr(left.size()));
    }
  }
}

std::string UsageLine(const Command& command) {
  return absl::StrCat("stlab ", command.name, command.arguments.empty() ? "" : " ",
                      command.arguments, " [flags]");
}

}  // namespace

std::string Invocation::Flag(const std::string& name) const {
  auto it = flags.find(name);
  return it == flags.end() ? std::string() : it->second;
}

CommandTable& CommandTable::Instance() {
  static CommandTable* const kTable = new CommandTable();
  return *kTable;
}

bool CommandTable::Add(Command command) {
  auto at = std::lower_bound(commands_.begin(), commands_.end(), command.name,
                             [](const Command& c, const std::string& name) { return c.name < name; });
  commands_.insert(at, std::move(command));
  return true;
}

const Command* CommandTable::Find(const std::string& name) const {
  for (const Command& command : commands_) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::string GeneralUsage(const CommandTable& table) {
  std::string out =
      "stlab: pre-training vs self-training experiments\n\n"
      "usage: stlab COMMAND [args] [flags]   (stlab COMMAND --help: its flags)\n\ncommands:\n";
  for (const Command& command : table.commands()) {
    absl::StrAppend(&out, "  ", command.name, command.arguments.empty() ? "" : " ",
                    command.arguments, "\n", Wrapped(command.summary, 6));
  }
  absl::StrAppend(&out, "\nflags of every command:\n");
  AppendFlags(CommonFlags(), out);
  return out;
}

std::string CommandUsage(const Command& command) {
  std::string out = absl::StrCat("usage: ", UsageLine(command), "\n\n", Wrapped(command.summary, 0));
  if (!command.flags.empty()) {
    absl::StrAppend(&out, "\nflags:\n");
    AppendFlags(command.flags, out);
  }
  absl::StrAppend(&out, "\nflags of every command:\n");
  AppendFlags(CommonFlags(), out);
  return out;
}

int UsageError(const Command& command, const std::string& message) {
  std::cerr << "error: " << message << "\n\n" << CommandUsage(command);
  return 2;
}

int UsageError(const Invocation& invocation, const std::string& message) {
  return UsageError(*invocation.command, message);
}

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& argv,
                                   const CommandTable& table) {
  ParsedCommandLine parsed;
  auto fail = [&parsed](std::string error) {
    parsed.error = std::move(error);
    return parsed;
  };
  // The command word: the first argument that is not a flag or a common flag's value.
  std::vector<std::pair<std::string, std::optional<std::string>>> flags;  // Name, value.
  std::vector<std::string> positional;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      parsed.help = true;
      continue;
    }
    if (arg == "--") {
      positional.insert(positional.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    }
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (!has_value) {
      if (i + 1 >= argv.size()) {
        flags.emplace_back(name, std::nullopt);
        continue;
      }
      value = argv[++i];
    }
    flags.emplace_back(name, value);
  }
  if (!positional.empty() && positional[0] == "help") {
    parsed.help = true;
    positional.erase(positional.begin());
  }
  if (positional.empty()) return parsed.help ? parsed : fail("no command given");
  std::vector<std::string> names;
  for (const Command& command : table.commands()) names.push_back(command.name);
  parsed.command = table.Find(positional[0]);
  if (parsed.command == nullptr) {
    return fail(absl::StrCat("unknown command '", positional[0], "'",
                             DidYouMeanSuffix(positional[0], names)));
  }
  Invocation& invocation = parsed.invocation;
  invocation.command = parsed.command;
  invocation.args.assign(positional.begin() + 1, positional.end());
  for (const auto& [name, given] : flags) {
    if (!given) return fail(absl::StrCat("flag --", name, " needs a value"));
    const std::string& value = *given;
    if (name == "set") {
      invocation.common.overrides.push_back(value);
    } else if (name == "plugin_path") {
      for (absl::string_view path : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        invocation.common.plugin_paths.emplace_back(std::string(path));
      }
    } else if (name == "log_level") {
      invocation.common.log_level = value;
    } else {
      std::vector<std::string> known;
      for (const FlagSpec& flag : parsed.command->flags) known.push_back(flag.name);
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        for (const FlagSpec& flag : CommonFlags()) known.push_back(flag.name);
        return fail(absl::StrCat("stlab ", parsed.command->name, " has no flag --", name,
                                 DidYouMeanSuffix(name, known)));
      }
      if (invocation.flags.contains(name)) {
        return fail(absl::StrCat("flag --", name, " given twice"));
      }
      invocation.flags[name] = value;
    }
  }
  return parsed;
}

}  // namespace stlab::cli
