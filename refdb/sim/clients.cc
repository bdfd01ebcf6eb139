#include "refdb/sim/clients.h"

#include <algorithm>
#include <utility>

#include "common/check.h"

namespace refdb::sim {
namespace {

std::string OpName(const ClientOp& op) {
  if (op.is_read) return "get";
  return op.command.has_cas() ? "cas" : "put";
}

checker::Json InvokeValue(const ClientOp& op) {
  if (op.is_read) return nullptr;
  if (op.command.has_cas())
    return checker::Json::array({op.expected, op.command.cas().new_value()});
  return op.command.put().value();
}

}  // namespace

Clients::Clients(const ClientOptions& options)
    : options_(options),
      pending_(options.clients),
      sequences_(options.clients),
      client_ids_(options.clients),
      next_client_id_(options.clients + 1),
      ops_per_slot_(options.keys) {
  for (size_t c = 0; c < client_ids_.size(); ++c) client_ids_[c] = c + 1;
  history_.source = "refdb-sim";
}

bool Clients::wants_retry(size_t client) const {
  return pending_[client].has_value() && pending_[client]->wants_retry;
}

// Keys rotate: after kOpsPerKey operations a slot moves on to a fresh key ("k1.0", "k1.1", ...),
// as Jepsen's independent workloads do, so that every key's history stays small enough for the
// linearizability search even in long runs with many unknown outcomes.
std::string Clients::PickKey(common::Rng& rng) {
  const size_t slot = rng.Uniform(options_.keys);
  const uint64_t generation = ops_per_slot_[slot]++ / kOpsPerKey;
  return "k" + std::to_string(slot) + "." + std::to_string(generation);
}

void Clients::PickWrite(ClientOp& op, common::Rng& rng) {
  op.key = PickKey(rng);
  const std::string value = "v" + std::to_string(op.op_id);
  kvpb::WriteId& id = *op.command.mutable_write_id();
  id.set_client_id(client_ids_[op.client]);
  id.set_sequence(++sequences_[op.client]);
  const std::vector<std::string>& written = written_[op.key];
  if (!written.empty() && rng.Chance(1, 3)) {
    // Mostly the latest value written, so that many compares succeed.
    const size_t back = rng.Chance(3, 4) ? 0 : rng.Uniform(written.size());
    op.expected = written[written.size() - 1 - back];
    kvpb::CompareAndSwapRequest& cas = *op.command.mutable_cas();
    cas.set_key(op.key);
    cas.set_expected_value(op.expected);
    cas.set_new_value(value);
  } else {
    kvpb::PutRequest& put = *op.command.mutable_put();
    put.set_key(op.key);
    put.set_value(value);
  }
  written_[op.key].push_back(value);
}

ClientOp Clients::Start(size_t client, NodeId node, uint64_t tick, common::Rng& rng) {
  CHECK(is_idle(client)) << "client " << client << " already has an operation";
  ClientOp op{.client = client, .op_id = next_op_id_++, .is_read = rng.Chance(2, 5)};
  if (op.is_read) {
    op.key = PickKey(rng);
  } else {
    PickWrite(op, rng);
  }
  pending_[client] = Pending{.op = op, .node = node, .deadline = tick + options_.timeout_ticks};
  Record(client, checker::EventType::kInvoke, OpName(op), InvokeValue(op), tick);
  history_.events.back().key = op.key;
  return op;
}

ClientOp Clients::Retry(size_t client, NodeId node, uint64_t tick) {
  CHECK(wants_retry(client)) << "client " << client << " has nothing to retry";
  Pending& p = *pending_[client];
  ++p.op.attempt;
  p.node = node;
  p.deadline = tick + options_.timeout_ticks;
  p.wants_retry = false;
  return p.op;
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
  history_.events.back().key = op.key;
  pending_[client].reset();
}

bool Clients::IsCurrent(const ClientOp& op) const {
  const std::optional<Pending>& p = pending_[op.client];
  return p && p->op.op_id == op.op_id && p->op.attempt == op.attempt && !p->wants_retry;
}

void Clients::AttemptUnknown(size_t client, uint64_t tick) {
  Pending& p = *pending_[client];
  if (p.op.is_read || p.op.attempt >= kMaxAttempts) {
    Complete(client, checker::EventType::kInfo, nullptr, tick);
    return;
  }
  p.maybe_applied = true;
  p.wants_retry = true;
}

void Clients::OnWriteReply(const ClientOp& op, const server::WriteReply& reply,
                           uint64_t applied_index, uint64_t tick) {
  const std::optional<Pending>& p = pending_[op.client];
  if (!p || p->op.op_id != op.op_id) return;  // the operation already ended
  // An ok answers the operation whichever attempt it came from (they share one WriteId);
  // anything else speaks only for the attempt in progress.
  if (reply.code == server::ReplyCode::kOk) {
    checker::Json value = InvokeValue(op);
    if (op.command.has_cas() && !reply.result.cas().succeeded()) value = false;
    max_acked_index_ = std::max(max_acked_index_, applied_index);
    Complete(op.client, checker::EventType::kOk, std::move(value), tick);
    return;
  }
  if (!IsCurrent(op)) return;
  if (reply.code == server::ReplyCode::kSessionExpired) {
    // This attempt was refused, not applied; the session is gone, so the write ends here: a
    // definite failure unless an earlier attempt may have been applied.
    client_ids_[op.client] = next_client_id_++;
    sequences_[op.client] = 0;
    Complete(op.client, p->maybe_applied ? checker::EventType::kInfo : checker::EventType::kFail,
             nullptr, tick);
    return;
  }
  if (reply.code == server::ReplyCode::kUnknown || p->maybe_applied) {
    AttemptUnknown(op.client, tick);
  } else {
    Complete(op.client, checker::EventType::kFail, nullptr, tick);
  }
}

void Clients::OnReadReply(const ClientOp& op, const server::ReadReply& reply, uint64_t tick) {
  if (!IsCurrent(op)) return;
  if (reply.code != server::ReplyCode::kOk) {
    Complete(op.client, checker::EventType::kFail, nullptr, tick);  // a read has no effect
    return;
  }
  checker::Json value =
      reply.response.found() ? checker::Json(reply.response.value()) : checker::Json(nullptr);
  Complete(op.client, checker::EventType::kOk, std::move(value), tick);
}

void Clients::OnCrash(NodeId node, uint64_t tick) {
  for (size_t c = 0; c < pending_.size(); ++c) {
    const std::optional<Pending>& p = pending_[c];
    if (p && !p->wants_retry && p->node == node) AttemptUnknown(c, tick);
  }
}

void Clients::ExpireDeadlines(uint64_t tick) {
  for (size_t c = 0; c < pending_.size(); ++c) {
    const std::optional<Pending>& p = pending_[c];
    if (p && !p->wants_retry && p->deadline <= tick) AttemptUnknown(c, tick);
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
