// NetObject: one network object this process created with `ip` (a namespace or a link),
// owned: Remove() or the destructor deletes it, and deleting what is already gone succeeds.
// NetObjects keeps several and removes them in reverse order of creation, so a failure half-way
// through building a network removes exactly what was made. Move-only; not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace orchestrator::netns {

class NetObject {
 public:
  // Runs create_argv; on success the returned object owns what it made and remove_argv
  // deletes it. `description` names it in messages ("netns sb-1a2b3c4d-sw").
  static common::Result<NetObject> Create(std::string description,
                                          const std::vector<std::string>& create_argv,
                                          std::vector<std::string> remove_argv);
  NetObject(NetObject&& other) noexcept;
  NetObject& operator=(NetObject&& other) noexcept;
  NetObject(const NetObject&) = delete;
  NetObject& operator=(const NetObject&) = delete;
  ~NetObject();  // Remove(); a failure is logged

  common::Status Remove();  // idempotent
  const std::string& description() const { return description_; }

 private:
  NetObject(std::string description, std::vector<std::string> remove_argv)
      : description_(std::move(description)), remove_argv_(std::move(remove_argv)) {}

  std::string description_;
  std::vector<std::string> remove_argv_;  // empty: owns nothing (removed or moved from)
};

class NetObjects {
 public:
  NetObjects() = default;
  NetObjects(const NetObjects&) = delete;
  NetObjects& operator=(const NetObjects&) = delete;
  ~NetObjects();  // RemoveAll(); failures are logged

  void Add(NetObject object) { objects_.push_back(std::move(object)); }
  // Removes every object, newest first, trying all; returns the first failure.
  common::Status RemoveAll();
  bool empty() const { return objects_.empty(); }

 private:
  std::vector<NetObject> objects_;
};

// True when a failed `ip` delete's stderr says the object does not exist.
bool IsAlreadyGone(const std::string& stderr_text);

}  // namespace orchestrator::netns
