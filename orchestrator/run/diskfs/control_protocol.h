// The control protocol of splitbrain-diskfs: one request line per connection on the helper's
// unix socket (abstract namespace, `@splitbrain-diskfs/<run id>/<name>`), one answer line back.
//
//   set eio=fsync,write fsync_delay_ms=200 full=1   the node's whole fault set (eio=- for none)
//   get                                             the fault set and the unsynced state
//   crash                                           drop every unsynced write (UnsyncedWrites)
//
// Answers are `ok ...` or `error <message>`: `set` answers `ok` followed by the set now in
// force, `get` that and `unsynced_files=N image_bytes=M`, `crash` `ok reverted=N`. Words are
// separated by single spaces; unknown commands, keys or values get an error naming them and
// change nothing. Pure: parsing and formatting only (the helper and the orchestrator's client
// both use it).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "nemesis/disk_fault.h"

namespace diskfs {

// "eio=fsync,write fsync_delay_ms=200 full=1" (always all three keys; eio=- for none).
std::string FormatFaults(const nemesis::DiskFaults& faults);
// The words after "set": every key optional (absent: none / 0 / 0), each at most once.
common::Result<nemesis::DiskFaults> ParseFaults(std::string_view text);

// The socket name for the helper of `run_id`'s mount `name` (e.g. "n1"), without the leading
// NUL of the abstract namespace.
std::string SocketName(std::string_view run_id, std::string_view name);

}  // namespace diskfs
