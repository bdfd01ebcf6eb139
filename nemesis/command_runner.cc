#include "nemesis/command_runner.h"

#include <utility>

#include "common/process/run.h"

namespace nemesis {

using common::process::JoinArgv;

common::Result<CommandOutput> SpawnRunner::Run(const std::vector<std::string>& argv,
                                               const std::string& input) {
  ASSIGN_OR_RETURN(
      common::process::RunOutput ran,
      common::process::Run(
          {.argv = argv, .input = input, .deadline = deadline_, .merge_output = true}));
  return CommandOutput{.exit_code = ran.status.ShellCode(), .output = std::move(ran.out)};
}

common::Result<std::string> RunChecked(CommandRunner& runner, const std::vector<std::string>& argv,
                                       const std::string& input) {
  ASSIGN_OR_RETURN(CommandOutput result, runner.Run(argv, input));
  if (result.exit_code != 0) {
    std::string output = result.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return common::Status::IoError(JoinArgv(argv) + ": exited " + std::to_string(result.exit_code) +
                                   ": " + output);
  }
  return std::move(result.output);
}

}  // namespace nemesis
