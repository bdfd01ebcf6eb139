#include "checker/live_linearizability.h"

#include <algorithm>
#include <utility>

namespace checker {

LiveLinearizability::LiveLinearizability(LiveCheckOptions options)
    : options_(std::move(options)),
      model_(MakeModel(options_.check.model,
                       {.nil_read_is_unknown = options_.check.nil_read_is_unknown})) {
  common::MutexLock lock(mu_);
  if (!options_.check.partition) {
    error_ = Status::InvalidArgument("live checks need partitioning by key");
    return;
  }
  error_ = model_->Initial(options_.check.initial, values_).status();
}

LiveLinearizability::~LiveLinearizability() { Stop(); }

void LiveLinearizability::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void LiveLinearizability::Stop() {
  {
    common::MutexLock lock(mu_);
    stopping_ = true;
  }
  cancel_.store(true);
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void LiveLinearizability::Loop() {
  const auto poll = std::clamp<std::chrono::milliseconds>(
      options_.quiet / 4, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
  common::MutexLock lock(mu_);
  while (!stopping_) {
    wake_.WaitFor(lock, poll, [this]() REQUIRES(mu_) { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    CheckQuiet(Clock::now());
    lock.lock();
  }
}

void LiveLinearizability::Add(const Event& event) {
  if (!event.process.is_client()) return;
  common::MutexLock lock(mu_);
  last_time_ns_ = event.time_ns;
  if (!error_.ok()) return;
  if (event.type == EventType::kInvoke) {
    Invoke(event);
  } else {
    Complete(event);
  }
}

void LiveLinearizability::Invoke(const Event& event) {
  // A second invoke leaves the earlier operation unknown, as PairOperations' allow_reinvoke
  // does (without it the history does not pair, which the end says).
  if (auto it = open_.find(event.process.id); it != open_.end()) {
    Operation earlier = std::move(it->second.op);
    Close(event.process.id);
    Finalize(std::move(earlier));
  }
  OpenOp open;
  open.op.id = event.index;  // renumbered when the whole history is known (CheckReusing)
  open.op.process = event.process.id;
  open.op.f = event.f;
  open.op.key = event.key;
  open.op.input = event.value;
  open.op.call = event.index;
  open.op.call_time_ns = event.time_ns;
  open.op.is_unknown = true;
  // The keys it may touch: the model's, for the operation as invoked, else its key.
  auto compiled = model_->Compile(open.op, values_);
  if (compiled.ok() && compiled->has_value()) {
    open.keys = (*compiled)->keys;
  } else {
    open.keys = {values_.Intern(event.key)};
  }
  for (int64_t key : open.keys) ++pending_[key];
  open_[event.process.id] = std::move(open);
}

void LiveLinearizability::Close(int64_t process) {
  auto it = open_.find(process);
  if (it == open_.end()) return;
  for (int64_t key : it->second.keys) {
    if (--pending_[key] == 0) pending_.erase(key);
  }
  open_.erase(it);
}

// As PairOperations completes an operation: fail drops it, info leaves it unknown.
void LiveLinearizability::Complete(const Event& event) {
  auto it = open_.find(event.process.id);
  if (it == open_.end()) return;  // does not pair: the whole check says so
  Operation op = std::move(it->second.op);
  Close(event.process.id);
  if (op.f != event.f || event.type == EventType::kFail) return;
  if (event.type == EventType::kOk) {
    op.is_unknown = false;
    op.output = event.value;
    op.ret = event.index;
    op.ret_time_ns = event.time_ns;
  }
  Finalize(std::move(op));
}

void LiveLinearizability::Finalize(Operation op) {
  if (!options_.reads && op.f == "read") return;
  auto compiled = model_->Compile(op, values_);
  if (!compiled.ok()) {
    error_ = compiled.status();
    return;
  }
  if (!compiled->has_value()) return;  // constrains nothing
  std::vector<int64_t> keys = (*compiled)->keys;
  if (keys.empty()) keys.push_back(ValueTable::kNil);
  Place(std::move(op), keys);
}

size_t LiveLinearizability::SlotOf(int64_t key) {
  auto [it, inserted] = slot_of_key_.try_emplace(key, 0);
  if (inserted) {
    it->second = sets_.Add();
    components_[it->second].keys = {key};
  }
  return it->second;
}

size_t LiveLinearizability::Merge(size_t a, size_t b) {
  a = sets_.Find(a);
  b = sets_.Find(b);
  if (a == b) return a;
  sets_.Join(a, b);
  Component& into = components_[a];
  Component& from = components_[b];
  into.ops.insert(into.ops.end(), std::make_move_iterator(from.ops.begin()),
                  std::make_move_iterator(from.ops.end()));
  into.keys.insert(into.keys.end(), from.keys.begin(), from.keys.end());
  into.version += from.version + 1;
  into.checked_version = -1;
  into.last_change = std::max(into.last_change, from.last_change);
  components_.erase(b);
  return a;
}

void LiveLinearizability::Place(Operation op, const std::vector<int64_t>& keys) {
  size_t root = sets_.Find(SlotOf(keys[0]));
  for (size_t i = 1; i < keys.size(); ++i) root = Merge(root, SlotOf(keys[i]));
  Component& c = components_[root];
  c.ops.push_back(std::move(op));
  ++c.version;
  c.last_change = Clock::now();
}

bool LiveLinearizability::IsQuiet(const Component& c, Clock::time_point now) const {
  if (c.version == c.checked_version || now - c.last_change < options_.quiet) return false;
  return std::none_of(c.keys.begin(), c.keys.end(),
                      [this](int64_t key) REQUIRES(mu_) { return pending_.contains(key); });
}

std::optional<LiveLinearizability::Candidate> LiveLinearizability::NextCandidate(
    Clock::time_point now) {
  if (stopping_ || !error_.ok()) return std::nullopt;
  for (const auto& [root, c] : components_) {
    if (!IsQuiet(c, now)) continue;
    Candidate candidate{.first_key = c.keys[0], .version = c.version, .ops = c.ops};
    std::stable_sort(candidate.ops.begin(), candidate.ops.end(),
                     [](const Operation& a, const Operation& b) { return a.call < b.call; });
    for (int64_t key : c.keys) candidate.names.push_back(ComponentKeyName(values_.Get(key)));
    std::sort(candidate.names.begin(), candidate.names.end());
    return candidate;
  }
  return std::nullopt;
}

LiveInvalid LiveLinearizability::Invalid(const Candidate& candidate,
                                         const CheckResult& result) const {
  LiveInvalid invalid{
      .last_call = candidate.ops.back().call, .found_ns = last_time_ns_, .reason = result.reason};
  if (candidate.names.size() == 1) invalid.key = Json::parse(candidate.names[0]);
  if (!result.counterexample.has_value()) return invalid;
  // The operation named by its call's history index: its id is not known before the end.
  const Counterexample& cx = *result.counterexample;
  invalid.key = cx.key;
  invalid.reason = (cx.key.is_null() ? "" : "key " + cx.key.dump() + ": ") +
                   cx.failed_op.description + " (process " + std::to_string(cx.failed_op.process) +
                   ", called at event " + std::to_string(cx.failed_op.call) +
                   ") cannot be linearized after the " +
                   std::to_string(cx.longest_linearization.size()) + " operations placed before it";
  return invalid;
}

int LiveLinearizability::CheckQuiet(Clock::time_point now) {
  int checked = 0;
  common::MutexLock lock(mu_);
  CheckOptions options = options_.check;
  options.cancel = &cancel_;
  while (std::optional<Candidate> candidate = NextCandidate(now)) {
    if (cancel_.load()) break;
    lock.unlock();
    const Clock::time_point start = Clock::now();
    Result<CheckResult> result = CheckLinearizability(candidate->ops, options);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    lock.lock();
    if (cancel_.load()) {  // its result may be cut short: Finish checks the component
      ++stats_.cancelled;
      break;
    }
    Record(std::move(*candidate), std::move(result), seconds);
    ++checked;
  }
  return checked;
}

void LiveLinearizability::Record(Candidate candidate, Result<CheckResult> result, double seconds) {
  ++stats_.checks;
  stats_.check_s += seconds;
  if (!result.ok()) {
    error_ = result.status();
    return;
  }
  // Checked as it still is (a change or a merge since raised its version): done until it changes.
  Component& now = components_[sets_.Find(SlotOf(candidate.first_key))];
  if (now.version == candidate.version) now.checked_version = candidate.version;
  if (result->verdict == Verdict::kUnknown) ++stats_.unknown;
  if (result->verdict == Verdict::kInvalid) {
    ++stats_.invalid;
    if (!first_invalid_.has_value()) first_invalid_ = Invalid(candidate, *result);
  }
  checks_[std::move(candidate.names)] = {.ops = std::move(candidate.ops),
                                         .result = std::move(*result)};
}

std::optional<LiveInvalid> LiveLinearizability::first_invalid() const {
  common::MutexLock lock(mu_);
  return first_invalid_;
}

LiveStats LiveLinearizability::stats() const {
  common::MutexLock lock(mu_);
  return stats_;
}

Result<LiveOutcome> LiveLinearizability::Finish(const std::vector<Operation>& ops) {
  const Clock::time_point start = Clock::now();
  Stop();
  ComponentChecks earlier;
  LiveOutcome outcome;
  {
    common::MutexLock lock(mu_);
    earlier = std::move(checks_);
    checks_.clear();
    outcome.live = stats_;
  }
  ASSIGN_OR_RETURN(CombinedCheck combined, CheckReusing(ops, options_.check, earlier));
  outcome.result = std::move(combined.result);
  outcome.keys_live = combined.reused;
  outcome.keys_at_end = combined.checked_now;
  outcome.final_check_s = std::chrono::duration<double>(Clock::now() - start).count();
  return outcome;
}

}  // namespace checker
