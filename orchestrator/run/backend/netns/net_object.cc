#include "orchestrator/run/backend/netns/net_object.h"

#include <iostream>
#include <utility>

#include "common/process/run.h"

namespace orchestrator::netns {

using common::Result;
using common::Status;
using common::process::RunOutput;

bool IsAlreadyGone(const std::string& stderr_text) {
  return stderr_text.find("Cannot find device") != std::string::npos ||
         stderr_text.find("No such file or directory") != std::string::npos ||
         stderr_text.find("does not exist") != std::string::npos;
}

Result<NetObject> NetObject::Create(std::string description,
                                    const std::vector<std::string>& create_argv,
                                    std::vector<std::string> remove_argv) {
  Result<std::string> created = common::process::RunChecked(create_argv);
  if (!created.ok()) return created.status().WithContext("create " + description);
  return NetObject(std::move(description), std::move(remove_argv));
}

NetObject::NetObject(NetObject&& other) noexcept
    : description_(std::move(other.description_)),
      remove_argv_(std::exchange(other.remove_argv_, {})) {}

NetObject& NetObject::operator=(NetObject&& other) noexcept {
  if (this != &other) {
    if (Status s = Remove(); !s.ok()) std::cerr << "netns: " << s.message() << "\n";
    description_ = std::move(other.description_);
    remove_argv_ = std::exchange(other.remove_argv_, {});
  }
  return *this;
}

NetObject::~NetObject() {
  if (Status s = Remove(); !s.ok()) std::cerr << "netns: " << s.message() << "\n";
}

Status NetObject::Remove() {
  if (remove_argv_.empty()) return Status::Ok();
  Result<RunOutput> result = common::process::Run({.argv = remove_argv_});
  if (!result.ok()) return result.status().WithContext("remove " + description_);
  if (!result->status.ok() && !IsAlreadyGone(result->err)) {
    return Status::IoError("remove " + description_ + ": ip " + result->status.Describe() + ": " +
                           result->err);
  }
  remove_argv_.clear();
  return Status::Ok();
}

NetObjects::~NetObjects() {
  if (Status s = RemoveAll(); !s.ok()) std::cerr << "netns: " << s.message() << "\n";
}

Status NetObjects::RemoveAll() {
  Status first;
  while (!objects_.empty()) {
    Status s = objects_.back().Remove();
    if (!s.ok() && first.ok()) first = s;
    objects_.pop_back();  // a failed removal is tried once more by its destructor, and logged
  }
  return first;
}

}  // namespace orchestrator::netns
