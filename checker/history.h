// The history model: the one definition every producer and consumer of histories uses.
//
// A history is a sequence of events, one JSON object per line in its file form (JSONL):
//
//   {"index":17,"time_ns":123456789,"process":3,"type":"invoke","f":"cas","key":"k4","value":[1,2]}
//
// - `index`   position in the history, 0-based and strictly increasing;
// - `time_ns` monotonic time of the event in nanoseconds (0 when the source has none);
// - `process` a client process number (integer >= 0), or a name such as "nemesis" for events
//             that are not client operations (faults, status samples);
// - `type`    invoke | ok | fail | info. An invoke starts an operation; the next ok, fail or
//             info of the same process completes it. ok: it happened. fail: it definitely did
//             not happen. info: it may or may not have happened (e.g. a timeout); its completion
//             is treated as being at infinity. An invoke that never completes is also unknown;
//             a process must not invoke again while its operation is still open.
// - `f`       the operation (read, write, cas, get, put, append, delete, txn, acquire, ...);
// - `key`     optional: the independent key the operation acts on;
// - `value`   any JSON value. On an invoke it is the operation's input (written value, [old new]
//             of a cas); on an ok it is the output (value read; a cas whose compare failed may
//             report `false` as an observation instead of failing).
//
// Anything else in an object is kept in `extra` and written back unchanged.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace checker {

using Json = nlohmann::json;
using common::Result;
using common::Status;

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };

std::string_view EventTypeName(EventType type);
Result<EventType> ParseEventType(std::string_view name);

// A process is a client number (>= 0) or a named actor such as "nemesis".
struct Process {
  int64_t id = 0;    // the client number; -1 for named processes
  std::string name;  // empty for clients

  static Process Client(int64_t id) { return {id, {}}; }
  static Process Named(std::string name) { return {-1, std::move(name)}; }
  bool is_client() const { return name.empty(); }
  std::string ToString() const { return is_client() ? std::to_string(id) : name; }
  bool operator==(const Process&) const = default;
};

struct Event {
  int64_t index = 0;
  int64_t time_ns = 0;
  Process process;
  EventType type = EventType::kInvoke;
  std::string f;
  Json key;          // null when the operation has no independent key
  Json value;        // null when absent
  Json extra;        // other fields of the source object, or null
  int64_t line = 0;  // 1-based line of the source file it came from (0 if generated)
};

// Where a history came from, for messages: "history.jsonl".
struct History {
  std::string source;
  std::vector<Event> events;
  // The model's initial state as the format defines it (porcupine-kv: ""), or null.
  Json initial_state;
  // Knossos semantics, set by the Jepsen EDN reader: a read that returned nil constrains
  // nothing ("we don't know what the read was"). Otherwise nil is a value: the key was absent.
  bool nil_read_is_unknown = false;
};

// A client operation: an invocation paired with its completion.
struct Operation {
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  int64_t id = 0;  // position in the vector PairOperations returns
  int64_t process = 0;
  std::string f;
  Json key;
  Json input;               // the invocation's value
  Json output;              // the completion's value; null when the outcome is unknown
  bool is_unknown = false;  // completed with info, or never completed
  int64_t call = 0;         // event index of the invocation
  int64_t ret = kNever;     // event index of the completion; kNever when unknown
  int64_t call_time_ns = 0;
  int64_t ret_time_ns = 0;  // 0 when unknown
  int64_t line = 0;         // source line of the invocation
};

struct PairingOptions {
  // An invoke from a process whose earlier operation is still open: false makes it an error,
  // true leaves the earlier operation unknown (Porcupine pairs with the latest invocation).
  bool allow_reinvoke = false;
};

// Pairs invocations with completions, per client process, in event order. `fail` operations are
// dropped (they did not happen); `info` and never-completed ones become unknown. Events of named
// processes are skipped. Errors name the source line: "h.jsonl:12: ok for process 3, which has
// no open invocation".
Result<std::vector<Operation>> PairOperations(const History& history,
                                              const PairingOptions& options = {});

// Serialises one event as a single JSONL line (no trailing newline), and parses one back.
std::string EventToJsonLine(const Event& event);
Result<Event> EventFromJson(const Json& object);

}  // namespace checker
