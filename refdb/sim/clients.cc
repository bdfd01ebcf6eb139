#include "refdb/sim/clients.h"

#include <utility>

#include "common/check.h"

namespace refdb::sim {
namespace {

std::string OpName(const ClientOp& op) {
  if (op.is_read) return "get";
  return op.command.kind == CommandKind::kCas ? "cas" : "put";
}

checker::Json InvokeValue(const ClientOp& op) {
  if (op.is_read) return nullptr;
  if (op.command.kind == CommandKind::kCas) {
    return checker::Json::array({op.command.expected, op.command.value});
  }
  return op.command.value;
}

}  // namespace

Clients::Clients(const ClientOptions& options)
    : options_(options), pending_(options.clients), ops_per_slot_(options.keys) {
  history_.source = "refdb-sim";
}

// Keys rotate: after kOpsPerKey operations a slot moves on to a fresh key ("k1.0", "k1.1", ...),
// as Jepsen's independent workloads do, so that every key's history stays small enough for the
// linearizability search even in long runs with many unknown outcomes.
std::string Clients::PickKey(common::Rng& rng) {
  const size_t slot = rng.Uniform(options_.keys);
  const uint64_t generation = ops_per_slot_[slot]++ / kOpsPerKey;
  return "k" + std::to_string(slot) + "." + std::to_string(generation);
}

KvCommand Clients::PickWrite(uint64_t op_id, common::Rng& rng) {
  KvCommand command{.op_id = op_id, .key = PickKey(rng)};
  command.value = "v" + std::to_string(op_id);
  const std::vector<std::string>& written = written_[command.key];
  if (!written.empty() && rng.Chance(1, 3)) {
    command.kind = CommandKind::kCas;
    // Mostly the latest value written, so that many compares succeed.
    const size_t back = rng.Chance(3, 4) ? 0 : rng.Uniform(written.size());
    command.expected = written[written.size() - 1 - back];
  }
  return command;
}

ClientOp Clients::Start(size_t client, NodeId node, uint64_t tick, common::Rng& rng) {
  CHECK(is_idle(client)) << "client " << client << " already has an operation";
  const uint64_t op_id = next_op_id_++;
  ClientOp op{.client = client, .is_read = rng.Chance(2, 5)};
  if (op.is_read) {
    op.command = {.kind = CommandKind::kGet, .op_id = op_id, .key = PickKey(rng)};
    op.read_context = std::to_string(op_id) + " " + op.command.key;
  } else {
    op.command = PickWrite(op_id, rng);
    written_[op.command.key].push_back(op.command.value);
  }
  pending_[client] = Pending{.op = op, .node = node, .deadline = tick + options_.timeout_ticks};
  Record(client, checker::EventType::kInvoke, OpName(op), InvokeValue(op), tick);
  history_.events.back().key = op.command.key;
  return op;
}

void Clients::Record(size_t client, checker::EventType type, const std::string& f,
                     checker::Json value, uint64_t tick) {
  checker::Event event;
  event.index = static_cast<int64_t>(history_.events.size());
  event.time_ns = static_cast<int64_t>(tick) * 1'000'000;
  event.process = checker::Process::Client(static_cast<int64_t>(client));
  event.type = type;
  event.f = f;
  event.value = std::move(value);
  history_.events.push_back(std::move(event));
}

void Clients::Complete(size_t client, checker::EventType type, checker::Json value, uint64_t tick) {
  const ClientOp& op = pending_[client]->op;
  Record(client, type, OpName(op), std::move(value), tick);
  history_.events.back().key = op.command.key;
  pending_[client].reset();
}

void Clients::Refused(size_t client, uint64_t tick) {
  Complete(client, checker::EventType::kFail, nullptr, tick);
}

void Clients::Proposed(size_t client, uint64_t index, uint64_t /*term*/) {
  CHECK(pending_[client].has_value()) << "client " << client << " proposed nothing";
  pending_[client]->index = index;
}

void Clients::OnApplied(NodeId node, const raft::Entry& entry,
                        const std::optional<ApplyResult>& result, uint64_t tick) {
  for (size_t c = 0; c < pending_.size(); ++c) {
    const std::optional<Pending>& p = pending_[c];
    if (!p || p->op.is_read || p->node != node || p->index != entry.index) continue;
    if (!result || result->op_id != p->op.command.op_id) {
      Complete(c, checker::EventType::kFail, nullptr, tick);  // another entry won the index
      return;
    }
    const bool is_cas = p->op.command.kind == CommandKind::kCas;
    checker::Json value = is_cas ? checker::Json(result->ok) : checker::Json(p->op.command.value);
    if (is_cas && result->ok) value = InvokeValue(p->op);
    max_acked_index_ = std::max(max_acked_index_, entry.index);
    Complete(c, checker::EventType::kOk, std::move(value), tick);
    return;
  }
}

void Clients::OnRead(NodeId node, const std::string& context,
                     const std::optional<std::string>& value, uint64_t tick) {
  for (size_t c = 0; c < pending_.size(); ++c) {
    const std::optional<Pending>& p = pending_[c];
    if (!p || !p->op.is_read || p->node != node || p->op.read_context != context) continue;
    Complete(c, checker::EventType::kOk, value ? checker::Json(*value) : checker::Json(nullptr),
             tick);
    return;
  }
}

void Clients::OnCrash(NodeId node, uint64_t tick) {
  for (size_t c = 0; c < pending_.size(); ++c) {
    if (pending_[c] && pending_[c]->node == node) {
      Complete(c, checker::EventType::kInfo, nullptr, tick);
    }
  }
}

void Clients::ExpireDeadlines(uint64_t tick) {
  for (size_t c = 0; c < pending_.size(); ++c) {
    if (pending_[c] && pending_[c]->deadline <= tick) {
      Complete(c, checker::EventType::kInfo, nullptr, tick);
    }
  }
}

size_t Clients::pending_count() const {
  size_t count = 0;
  for (const std::optional<Pending>& p : pending_) count += p.has_value() ? 1 : 0;
  return count;
}

std::string Clients::DescribeLast() const {
  if (history_.events.empty()) return "";
  const checker::Event& e = history_.events.back();
  std::string text = "c" + e.process.ToString() + " " +
                     std::string(checker::EventTypeName(e.type)) + " " + e.f + " " +
                     e.key.get<std::string>();
  if (!e.value.is_null()) text += " " + e.value.dump();
  return text;
}

}  // namespace refdb::sim
