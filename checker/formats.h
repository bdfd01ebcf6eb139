// Readers of the history formats splitbrain checks, and format detection.
//
// - jsonl:          our own format (history.h), one JSON object per line;
// - jepsen-edn:     a Jepsen store's history.edn (one EDN map per line) or a Knossos-style file
//                   (one EDN vector of maps), with Jepsen's semantics (edn.h, jepsen_edn.cc);
// - porcupine-etcd: Porcupine's etcd Jepsen logs ("INFO jepsen.util - 3 :invoke :read nil");
// - porcupine-kv:   Porcupine's kv logs ({:process 0, :type :invoke, :f :get, :key "9", ...}).
//
// Every reader returns a History of Events; malformed input gives an InvalidArgument status whose
// message starts with "SOURCE:LINE: " and says what is wrong. Readers never crash or hang on any
// input (fuzzed by formats_fuzz_test.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/history.h"

namespace checker {

enum class Format { kAuto, kJsonl, kJepsenEdn, kPorcupineEtcd, kPorcupineKv };

std::string_view FormatName(Format format);
Result<Format> ParseFormatName(std::string_view name);
std::vector<std::string> FormatNames();

// Guesses the format from the first line that is neither blank nor an EDN ";" comment:
// "INFO ... jepsen.util" is porcupine-etcd; '{' then '"' (spaces between allowed) or '}' is
// jsonl; a complete porcupine-kv line (its fixed key order) is porcupine-kv; any other '{', or
// '[', '(' or '#', is jepsen-edn. A text with no such line is jsonl (an empty history). Anything
// else is an error "SOURCE:LINE: cannot detect the history format ...".
Result<Format> DetectFormat(std::string_view text, const std::string& source);

// The model a format implies when the user names none: porcupine-etcd -> cas-register,
// porcupine-kv -> kv, jsonl and jepsen-edn -> cas-register.
std::string_view DefaultModelFor(Format format);

// jsonl: one object per line (history.h); blank lines are skipped. `index` must strictly
// increase; an event without one gets the previous index + 1 (0 for the first), so a file with
// no indexes gets positions. Objects nested deeper than 512 levels are an error.
Result<History> ParseJsonl(std::string_view text, const std::string& source);

// jepsen-edn. The text is a sequence of top-level EDN forms (edn.h): each map is one op and each
// vector or list holds ops, so both a Jepsen store's history.edn (a map per line) and a Knossos
// file (one vector of maps) read as expected. An op map needs :type (:invoke :ok :fail :info),
// :process (an integer >= 0 is a client; anything else, such as :nemesis, a named process) and
// :f; :value, :time (nanoseconds) and :index are optional. An op without :index gets the previous
// index + 1 (0 for the first); indexes must strictly increase. Other keys go to Event::extra
// (without their colon). The history has Knossos semantics: nil_read_is_unknown is set.
//
// Independent keys: Jepsen's independent workloads write [key value] tuples as :value. The
// history is read as independent when `independent` says so, or, when it is std::nullopt, when
// there is at least one client invoke or ok and every client invoke and ok has a 2-element vector
// as :value whose second element, for :cas, is a 2-element vector or nil. Then every client
// event whose value is a 2-element vector gets key = value[0] and value = value[1]; with
// `independent` forced true, a client invoke or ok whose value is not a tuple is an error.
struct JepsenEdnOptions {
  std::optional<bool> independent;
};
Result<History> ParseJepsenEdn(std::string_view text, const std::string& source);
Result<History> ParseJepsenEdn(std::string_view text, const std::string& source,
                               const JepsenEdnOptions& options);

// porcupine-etcd and porcupine-kv follow porcupine's parseJepsenLog and parseKvLog exactly
// (grammar and rules: shared/histories/README.md); see porcupine.cc for the event mapping. Events
// get time_ns 0 and index = position. porcupine-etcd skips every line its grammar does not match,
// as Porcupine does; porcupine-kv rejects them (blank lines aside) and sets initial_state "".
// True when `line` (surrounding whitespace aside) is exactly one porcupine-kv event line.
bool LooksLikePorcupineKvLine(std::string_view line);

Result<History> ParsePorcupineEtcd(std::string_view text, const std::string& source);
Result<History> ParsePorcupineKv(std::string_view text, const std::string& source);

// Parses `text` in `format` (kAuto detects it first).
Result<History> ParseHistory(std::string_view text, Format format, const std::string& source);
// The whole file at `path` (at most 1 GiB). Errors name the path and the cause:
// "h.jsonl: cannot open: No such file or directory".
Result<std::string> ReadWholeFile(const std::string& path);

// Reads the file at `path` and parses it; the source in messages is the path.
Result<History> ReadHistoryFile(const std::string& path, Format format);

}  // namespace checker
