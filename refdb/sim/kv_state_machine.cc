#include "refdb/sim/kv_state_machine.h"

#include <charconv>
#include <vector>

namespace refdb::sim {
namespace {

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

common::Status BadCommand(std::string_view text) {
  return common::Status::InvalidArgument("kv command \"" + std::string(text) + "\": malformed");
}

}  // namespace

std::string EncodeCommand(const KvCommand& command) {
  const std::string head = std::to_string(command.op_id) + " " + command.key;
  switch (command.kind) {
    case CommandKind::kPut:
      return "P " + head + " " + command.value;
    case CommandKind::kCas:
      return "C " + head + " " + command.expected + " " + command.value;
    case CommandKind::kGet:
      return "G " + head;
  }
  return {};
}

common::Result<KvCommand> DecodeCommand(std::string_view text) {
  const std::vector<std::string_view> words = SplitSpaces(text);
  if (words.size() < 3 || words[0].size() != 1) return BadCommand(text);
  KvCommand command;
  const auto [ptr, ec] =
      std::from_chars(words[1].data(), words[1].data() + words[1].size(), command.op_id);
  if (ec != std::errc() || ptr != words[1].data() + words[1].size()) return BadCommand(text);
  command.key = std::string(words[2]);
  const char kind = words[0][0];
  if (kind == 'P' && words.size() == 4) {
    command.kind = CommandKind::kPut;
    command.value = std::string(words[3]);
  } else if (kind == 'C' && words.size() == 5) {
    command.kind = CommandKind::kCas;
    command.expected = std::string(words[3]);
    command.value = std::string(words[4]);
  } else if (kind == 'G' && words.size() == 3) {
    command.kind = CommandKind::kGet;
  } else {
    return BadCommand(text);
  }
  return command;
}

ApplyResult KvStateMachine::Apply(const KvCommand& command) {
  ApplyResult result{.op_id = command.op_id};
  switch (command.kind) {
    case CommandKind::kPut:
      values_[command.key] = command.value;
      break;
    case CommandKind::kCas: {
      auto it = values_.find(command.key);
      result.ok = it != values_.end() && it->second == command.expected;
      if (result.ok) it->second = command.value;
      break;
    }
    case CommandKind::kGet:
      result.value = Get(command.key);
      break;
  }
  return result;
}

std::optional<std::string> KvStateMachine::Get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string KvStateMachine::Serialize() const {
  std::string text;
  for (const auto& [key, value] : values_) text += key + "=" + value + "\n";
  return text;
}

common::Result<KvStateMachine> KvStateMachine::Deserialize(std::string_view text) {
  KvStateMachine machine;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) break;
    const std::string_view line = text.substr(start, end - start);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return common::Status::InvalidArgument("kv snapshot line \"" + std::string(line) +
                                             "\": no '='");
    }
    machine.values_[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    start = end + 1;
  }
  if (start != text.size()) return common::Status::InvalidArgument("kv snapshot: torn last line");
  return machine;
}

}  // namespace refdb::sim
