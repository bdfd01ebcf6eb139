// The porcupine-etcd and porcupine-kv readers: line grammars of Porcupine's test data
// (shared/histories/README.md), matched by hand so that behaviour equals porcupine's regular
// expressions in porcupine_test.go without a regex engine.
//
// porcupine-etcd events (one register, cas-register model):
//   :invoke :read nil        invoke read, value null
//   :invoke :write v         invoke write v
//   :invoke :cas [a b]       invoke cas [a, b]
//   :ok :read nil | v        ok read, value null (absent) or v
//   :ok :write v             ok write v
//   :ok :cas [a b]           ok cas [a, b]
//   :fail :cas [a b]         ok cas false: a failed compare is an observation (Porcupine)
//   :fail :read :timed-out   info read: returned with an unknown value
//   anything else            skipped, including ":info ... :timed-out" (the op stays open and
//                            so is unknown, as when Porcupine appends unknown returns at the end)
// porcupine-kv events: f get/put/append, key the string key, value the string (null on an
// invoke get).
#include <charconv>

#include "checker/formats.h"
#include "checker/text_util.h"

namespace checker {
namespace {

// Go regexp's \s.
bool IsGoSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over one line with the few matchers the two grammars need. Each matcher consumes
// only on success.
class LineScanner {
 public:
  explicit LineScanner(std::string_view line) : line_(line) {}

  bool Literal(std::string_view literal) {
    if (line_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }
  bool Spaces() { return Span(IsGoSpace, nullptr); }
  bool Digits(std::string_view* out) { return Span(IsDigit, out); }
  bool Word(std::string_view* out) {
    return Span([](char c) { return !IsGoSpace(c); }, out);
  }
  // Everything up to the next '"' (possibly nothing), which is not consumed.
  bool UntilQuote(std::string_view* out) {
    const size_t end = line_.find('"', pos_);
    if (end == std::string_view::npos) return false;
    *out = line_.substr(pos_, end - pos_);
    pos_ = end;
    return true;
  }
  std::string_view Rest() const { return line_.substr(pos_); }
  bool AtEnd() const { return pos_ == line_.size(); }
  size_t column() const { return pos_ + 1; }

 private:
  template <typename Predicate>
  bool Span(Predicate predicate, std::string_view* out) {
    size_t end = pos_;
    while (end < line_.size() && predicate(line_[end])) ++end;
    if (end == pos_) return false;
    if (out != nullptr) *out = line_.substr(pos_, end - pos_);
    pos_ = end;
    return true;
  }

  std::string_view line_;
  size_t pos_ = 0;
};

Result<int64_t> ToInteger(std::string_view digits) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    return Status::InvalidArgument("number " + text::Excerpt(digits) + " is out of range");
  }
  return value;
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Matches the argument of an etcd event: "nil", INT, "[INT WS INT]" or ":timed-out".
enum class EtcdArg { kNone, kNil, kInt, kPair, kTimedOut };

Result<EtcdArg> MatchEtcdArg(std::string_view arg, Json* value) {
  if (arg == "nil") return EtcdArg::kNil;
  if (arg == ":timed-out") return EtcdArg::kTimedOut;
  if (AllDigits(arg)) {
    ASSIGN_OR_RETURN(int64_t v, ToInteger(arg));
    *value = v;
    return EtcdArg::kInt;
  }
  LineScanner scanner(arg);
  std::string_view a;
  std::string_view b;
  if (scanner.Literal("[") && scanner.Digits(&a) && scanner.Spaces() && scanner.Digits(&b) &&
      scanner.Literal("]") && scanner.AtEnd()) {
    ASSIGN_OR_RETURN(int64_t first, ToInteger(a));
    ASSIGN_OR_RETURN(int64_t second, ToInteger(b));
    *value = Json::array({first, second});
    return EtcdArg::kPair;
  }
  return EtcdArg::kNone;
}

// Maps (type, f, argument kind) to an event per the table at the top; false to skip the line.
bool MapEtcdEvent(std::string_view type, std::string_view f, EtcdArg arg, Event* event) {
  const bool is_cas = f == ":cas" && arg == EtcdArg::kPair;
  if (type == ":invoke") {
    event->type = EventType::kInvoke;
    if (f == ":read" && arg == EtcdArg::kNil) return event->f = "read", true;
    if (f == ":write" && arg == EtcdArg::kInt) return event->f = "write", true;
    if (is_cas) return event->f = "cas", true;
    return false;
  }
  if (type == ":ok") {
    event->type = EventType::kOk;
    if (f == ":read" && (arg == EtcdArg::kNil || arg == EtcdArg::kInt)) {
      return event->f = "read", true;
    }
    if (f == ":write" && arg == EtcdArg::kInt) return event->f = "write", true;
    if (is_cas) return event->f = "cas", true;
    return false;
  }
  if (type == ":fail" && is_cas) {
    event->type = EventType::kOk;
    event->f = "cas";
    event->value = false;
    return true;
  }
  if (type == ":fail" && f == ":read" && arg == EtcdArg::kTimedOut) {
    event->type = EventType::kInfo;
    event->f = "read";
    event->value = nullptr;
    return true;
  }
  return false;
}

// One etcd log line: an event, std::nullopt for a line Porcupine would skip, or an error for a
// number out of range (Porcupine would silently use a wrong value).
Result<std::optional<Event>> ParseEtcdLine(std::string_view line) {
  LineScanner scanner(line);
  std::string_view process;
  std::string_view type;
  std::string_view f;
  const bool matched = scanner.Literal("INFO") && scanner.Spaces() &&
                       scanner.Literal("jepsen.util") && scanner.Spaces() && scanner.Literal("-") &&
                       scanner.Spaces() && scanner.Digits(&process) && scanner.Spaces() &&
                       scanner.Word(&type) && scanner.Spaces() && scanner.Word(&f) &&
                       scanner.Spaces();
  if (!matched) return std::optional<Event>();
  Json value;
  ASSIGN_OR_RETURN(EtcdArg arg, MatchEtcdArg(scanner.Rest(), &value));
  if (arg == EtcdArg::kNone) return std::optional<Event>();
  Event event;
  event.value = std::move(value);
  if (!MapEtcdEvent(type, f, arg, &event)) return std::optional<Event>();
  ASSIGN_OR_RETURN(int64_t id, ToInteger(process));
  event.process = Process::Client(id);
  return std::optional<Event>(std::move(event));
}

Status ExpectLiteral(LineScanner& scanner, std::string_view literal) {
  if (scanner.Literal(literal)) return Status::Ok();
  return Status::InvalidArgument("expected '" + std::string(literal) + "' at column " +
                                 std::to_string(scanner.column()) +
                                 " of a porcupine-kv line {:process N, :type :T, :f :F, "
                                 ":key \"K\", :value V}");
}

Result<std::string_view> ExpectOneOf(LineScanner& scanner,
                                     std::initializer_list<std::string_view> words) {
  for (std::string_view word : words) {
    if (scanner.Literal(word)) return word;
  }
  std::string expected;
  for (std::string_view word : words)
    expected += (expected.empty() ? "" : " or ") + std::string(word);
  return Status::InvalidArgument("expected " + expected + " at column " +
                                 std::to_string(scanner.column()));
}

Result<std::string> QuotedString(LineScanner& scanner, std::string_view what) {
  std::string_view text;
  if (!scanner.UntilQuote(&text)) {
    return Status::InvalidArgument(std::string(what) + " has no closing '\"'");
  }
  if (!text::IsValidUtf8(text)) {
    return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
  }
  return std::string(text);
}

Result<Event> ParseKvLine(std::string_view line) {
  LineScanner scanner(line);
  Event event;
  std::string_view process;
  RETURN_IF_ERROR(ExpectLiteral(scanner, "{:process "));
  if (!scanner.Digits(&process)) {
    return Status::InvalidArgument("expected a process number at column " +
                                   std::to_string(scanner.column()));
  }
  ASSIGN_OR_RETURN(int64_t id, ToInteger(process));
  event.process = Process::Client(id);
  RETURN_IF_ERROR(ExpectLiteral(scanner, ", :type :"));
  ASSIGN_OR_RETURN(std::string_view type, ExpectOneOf(scanner, {"invoke", "ok"}));
  event.type = type == "ok" ? EventType::kOk : EventType::kInvoke;
  RETURN_IF_ERROR(ExpectLiteral(scanner, ", :f :"));
  ASSIGN_OR_RETURN(std::string_view f, ExpectOneOf(scanner, {"get", "put", "append"}));
  event.f = std::string(f);
  RETURN_IF_ERROR(ExpectLiteral(scanner, ", :key \""));
  ASSIGN_OR_RETURN(std::string key, QuotedString(scanner, ":key"));
  event.key = std::move(key);
  RETURN_IF_ERROR(ExpectLiteral(scanner, "\", :value "));
  const bool value_is_nil = scanner.Literal("nil");
  if (!value_is_nil) {
    RETURN_IF_ERROR(ExpectLiteral(scanner, "\""));
    ASSIGN_OR_RETURN(std::string value, QuotedString(scanner, ":value"));
    event.value = std::move(value);
    RETURN_IF_ERROR(ExpectLiteral(scanner, "\""));
  }
  RETURN_IF_ERROR(ExpectLiteral(scanner, "}"));
  if (!scanner.AtEnd()) {
    return Status::InvalidArgument("unexpected text after '}' at column " +
                                   std::to_string(scanner.column()));
  }
  const bool wants_nil = event.type == EventType::kInvoke && event.f == "get";
  if (value_is_nil != wants_nil) {
    return Status::InvalidArgument(
        std::string(":") + std::string(type) + " :" + event.f +
        (wants_nil ? " must have :value nil" : " must have a string :value, not nil"));
  }
  return event;
}

// Go's bufio.Reader.ReadLine drops the line's "\n" or "\r\n", and nothing else.
std::string_view WithoutCarriageReturn(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Result<History> ParsePorcupineEtcd(std::string_view text, const std::string& source) {
  History history;
  history.source = source;
  text::LineCursor cursor(text);
  std::string_view line;
  while (cursor.Next(&line)) {
    auto event = ParseEtcdLine(WithoutCarriageReturn(line));
    if (!event.ok()) return text::ErrorAt(source, cursor.line_number(), event.status().message());
    if (!event->has_value()) continue;
    Event& e = **event;
    e.index = static_cast<int64_t>(history.events.size());
    e.line = cursor.line_number();
    history.events.push_back(std::move(e));
  }
  return history;
}

bool LooksLikePorcupineKvLine(std::string_view line) {
  return ParseKvLine(text::TrimRight(text::TrimLeft(line))).ok();
}

Result<History> ParsePorcupineKv(std::string_view text, const std::string& source) {
  History history;
  history.source = source;
  history.initial_state = "";
  text::LineCursor cursor(text);
  std::string_view line;
  while (cursor.Next(&line)) {
    if (text::IsBlank(line)) continue;
    auto event = ParseKvLine(text::TrimRight(text::TrimLeft(line)));
    if (!event.ok()) return text::ErrorAt(source, cursor.line_number(), event.status().message());
    event->index = static_cast<int64_t>(history.events.size());
    event->line = cursor.line_number();
    history.events.push_back(std::move(*event));
  }
  return history;
}

}  // namespace checker
