#include "orchestrator/report/counterexample_view.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "orchestrator/report/html.h"
#include "orchestrator/report/json_fields.h"
#include "orchestrator/report/time_axis.h"

namespace orchestrator::report {

using checker::Json;
using checker::Operation;

namespace {

constexpr size_t kListedLinearized = 20;
constexpr size_t kDrawnLinearized = 60;

struct ViewOp {
  int64_t id = 0;
  int64_t process = 0;
  std::string description;
  int64_t call = 0;
  std::optional<int64_t> ret;
};

ViewOp ParseViewOp(const Json& j) {
  return {.id = IntField(j, "id").value_or(-1),
          .process = IntField(j, "process").value_or(0),
          .description = StringField(j, "op"),
          .call = IntField(j, "call").value_or(0),
          .ret = IntField(j, "return")};
}

std::vector<ViewOp> ParseViewOps(const Json& array) {
  std::vector<ViewOp> ops;
  if (!array.is_array()) return ops;
  for (const Json& j : array) ops.push_back(ParseViewOp(j));
  return ops;
}

// The value a write-like operation stores, if it stores one.
std::optional<Json> WrittenValue(const Operation& op) {
  if (op.f == "write" || op.f == "put" || op.f == "set") return op.input;
  if (op.f == "cas" || op.f == "compare-and-set") {
    if (!op.is_unknown && op.output == false) return std::nullopt;
    if (op.input.is_array() && op.input.size() == 2) return op.input[1];
  }
  return std::nullopt;
}

std::string JoinValues(const std::set<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + v;
  return out.empty() ? std::string("none") : out;
}

// For a failed read: what it returned and what it could have returned (see the header).
std::string ReadFacts(const Operation& failed, const std::vector<Operation>& ops) {
  std::set<std::string> overlapping;
  std::set<std::string> completed_before;
  std::vector<const Operation*> before;
  for (const Operation& op : ops) {
    if (op.id == failed.id || op.key != failed.key) continue;
    const auto value = WrittenValue(op);
    if (!value.has_value() || op.call > failed.ret) continue;
    if (op.is_unknown || op.ret > failed.call) {
      overlapping.insert(Text(*value) + (op.is_unknown ? " (unknown outcome)" : ""));
    } else {
      before.push_back(&op);
    }
  }
  // A completed write is superseded when another one began after it ended and ended before
  // the read began.
  for (const Operation* w : before) {
    const bool superseded = std::any_of(before.begin(), before.end(),
                                        [&](const Operation* o) { return o->call > w->ret; });
    if (!superseded) completed_before.insert(Text(*WrittenValue(*w)));
  }
  return "<dt>it returned</dt><dd><code>" + EscapeHtml(Text(failed.output)) +
         "</code></dd><dt>values written by operations overlapping it</dt><dd><code>" +
         EscapeHtml(JoinValues(overlapping)) +
         "</code></dd><dt>latest values written before it began</dt><dd><code>" +
         EscapeHtml(JoinValues(completed_before)) + "</code></dd>";
}

std::string FactsHtml(const Json& cx, const ViewOp& failed, const checker::History& history,
                      const checker::PairingOptions& pairing) {
  std::string html = "<dl class=\"facts\"><dt>operation that cannot be placed</dt><dd><code>" +
                     EscapeHtml(failed.description) + "</code> (process " +
                     std::to_string(failed.process) + ", op " + std::to_string(failed.id) +
                     ")</dd><dt>state the longest linearization reached</dt><dd><code>" +
                     EscapeHtml(Text(Field(cx, "state_before_failure"))) + "</code></dd>";
  auto ops = checker::PairOperations(history, pairing);
  if (ops.ok() && failed.id >= 0 && static_cast<size_t>(failed.id) < ops->size()) {
    const Operation& op = (*ops)[static_cast<size_t>(failed.id)];
    if (op.f == "read" || op.f == "get") html += ReadFacts(op, *ops);
  }
  return html + "</dl>";
}

std::string OpsList(const std::vector<ViewOp>& ops, size_t first, const Json& states) {
  std::string html = "<ol start=\"" + std::to_string(first + 1) + "\">";
  for (size_t i = first; i < ops.size(); ++i) {
    html += "<li><code>" + EscapeHtml(ops[i].description) + "</code> <span class=\"dim\">process " +
            std::to_string(ops[i].process) + "</span>";
    if (states.is_array() && i < states.size() && !states[i].is_null()) {
      html +=
          " <span class=\"dim\">→ state</span> <code>" + EscapeHtml(Text(states[i])) + "</code>";
    }
    html += "</li>";
  }
  return html + "</ol>";
}

Json DrawnOp(const ViewOp& op, const TimeAxis& axis, const char* role, Json order, Json state) {
  const auto start = axis.AtIndex(op.call);
  const auto end = op.ret.has_value() ? axis.AtIndex(*op.ret) : std::nullopt;
  return {{"p", op.process},
          {"s", start.has_value() ? Json(*start) : Json(nullptr)},
          {"e", end.has_value() ? Json(*end) : Json(nullptr)},
          {"d", ValidUtf8(op.description)},
          {"role", role},
          {"order", std::move(order)},
          {"state", std::move(state)}};
}

Json DrawingData(const Json& cx, const std::vector<ViewOp>& longest, const ViewOp& failed,
                 const std::vector<ViewOp>& window, const TimeAxis& axis) {
  const Json& states = Field(cx, "states");
  Json ops = Json::array();
  std::set<int64_t> drawn{failed.id};
  ops.push_back(DrawnOp(failed, axis, "failed", nullptr, nullptr));
  int64_t window_call = failed.call;
  for (const ViewOp& op : window) window_call = std::min(window_call, op.call);
  const size_t first = longest.size() > kDrawnLinearized ? longest.size() - kDrawnLinearized : 0;
  for (size_t i = first; i < longest.size(); ++i) {
    if (longest[i].ret.has_value() && *longest[i].ret < window_call && i + 10 < longest.size()) {
      continue;  // long before the window: it adds nothing to the picture
    }
    Json state =
        states.is_array() && i < states.size() ? Json(ValidUtf8(Text(states[i]))) : Json(nullptr);
    ops.push_back(DrawnOp(longest[i], axis, "lin", i + 1, std::move(state)));
    drawn.insert(longest[i].id);
  }
  for (const ViewOp& op : window) {
    if (ops.size() >= kMaxDrawnOps) break;
    if (drawn.insert(op.id).second) ops.push_back(DrawnOp(op, axis, "window", nullptr, nullptr));
  }
  return {{"key", ValidUtf8(Text(Field(cx, "key")))}, {"ops", std::move(ops)}};
}

}  // namespace

CounterexampleView BuildCounterexampleView(const Json& check, const checker::History& history,
                                           const checker::PairingOptions& pairing) {
  const Json& cx = Field(check, "counterexample");
  if (!cx.is_object()) return {};
  const std::vector<ViewOp> longest = ParseViewOps(Field(cx, "longest_linearization"));
  const std::vector<ViewOp> window = ParseViewOps(Field(cx, "window"));
  const ViewOp failed = ParseViewOp(Field(cx, "failed_op"));
  const TimeAxis axis = TimeAxis::Of(history);
  const std::string key = Text(Field(cx, "key"));
  std::string html =
      "<section id=\"counterexample\"><h2>Counterexample" +
      (key == "null" ? std::string() : ": key <code>" + EscapeHtml(key) + "</code>") +
      "</h2><p class=\"why\">The longest linearization the search found orders " +
      std::to_string(longest.size()) + " operations; after them no order can place <code>" +
      EscapeHtml(failed.description) +
      "</code>. Bars run from invocation to completion; green numbers give the linearization "
      "order, the red bar is the operation that cannot be placed. "
      "<button type=\"button\" id=\"cx-zoom\">show this window on the timeline</button></p>"
      "<div id=\"cx-chart\" class=\"chart\"></div>" +
      FactsHtml(cx, failed, history, pairing);
  const size_t first = longest.size() > kListedLinearized ? longest.size() - kListedLinearized : 0;
  html += "<details open><summary>longest linearization (" +
          (first > 0 ? "last " + std::to_string(longest.size() - first) + " of " : std::string()) +
          std::to_string(longest.size()) + " operations)</summary>" +
          OpsList(longest, first, Field(cx, "states")) + "</details>";
  if (!window.empty()) {
    const bool minimal = Field(cx, "window_is_minimal") == true;
    html += "<details><summary>smallest failing window (" + std::to_string(window.size()) +
            " operations" + (minimal ? ", minimal" : ", not proved minimal") + ")</summary>" +
            OpsList(window, 0, nullptr) + "</details>";
  }
  html += "</section>";
  return {.data = DrawingData(cx, longest, failed, window, axis), .html = std::move(html)};
}

}  // namespace orchestrator::report
