#include "orchestrator/run/backend/netns/node_process.h"

#include <iostream>
#include <utility>

namespace orchestrator::netns {

using common::Result;
using common::Status;
using common::process::Child;

Result<NodeProcess> NodeProcess::Start(const NodeStart& start) {
  ASSIGN_OR_RETURN(Child child, Child::Spawn({.argv = start.argv,
                                              .env = start.env,
                                              .log_path = start.log_path,
                                              .netns_path = start.netns_path,
                                              .new_process_group = true}));
  return NodeProcess(std::move(child));
}

NodeProcess& NodeProcess::operator=(NodeProcess&& other) noexcept {
  if (this != &other) {
    if (Status s = Kill(); !s.ok()) std::cerr << "netns: " << s.message() << "\n";
    child_ = std::move(other.child_);
  }
  return *this;
}

NodeProcess::~NodeProcess() {
  if (Status s = Kill(); !s.ok()) std::cerr << "netns: " << s.message() << "\n";
}

Status NodeProcess::Kill() {
  if (!child_.IsRunning()) return Status::Ok();
  return child_.Kill().status();
}

Status NodeProcess::Stop(std::chrono::milliseconds grace) {
  if (!child_.IsRunning()) return Status::Ok();
  return child_.Stop(grace).status();
}

}  // namespace orchestrator::netns
