// CheckInvariants: CHECK-fails when a Node's state is impossible for correct Raft. Tests run it
// after every step, and so does the simulator, as LogCabin's fixture runs
// Server/RaftConsensusInvariants.cc. Cost: O(peers + unstable entries), never the whole log.
// Cluster-wide properties (one leader per term, log matching, state-machine safety) need every
// node and are the simulator's to check.
#pragma once

#include "refdb/raft/node.h"

namespace refdb::raft {

void CheckInvariants(const Node& node);

}  // namespace refdb::raft
