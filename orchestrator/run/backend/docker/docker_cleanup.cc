#include "orchestrator/run/backend/docker/docker_cleanup.h"

#include <nlohmann/json.hpp>

#include "orchestrator/run/backend/docker/docker_backend.h"

namespace orchestrator::docker {
namespace {

using common::Result;
using common::Status;
using nlohmann::json;

struct LabelledObject {
  std::string kind;  // "container" or "network"
  std::string id;
  std::string name;
  std::string run_id;
};

std::string LabelFilterQuery(std::string_view label_query) {
  const json filters = {{"label", json::array({std::string(label_query)})}};
  return UrlEncode(filters.dump());
}

Result<std::vector<LabelledObject>> List(DockerClient& client, std::string_view kind,
                                         std::string_view label_query) {
  const std::string path = kind == "container"
                               ? "/containers/json?all=1&filters=" + LabelFilterQuery(label_query)
                               : "/networks?filters=" + LabelFilterQuery(label_query);
  ASSIGN_OR_RETURN(const std::string body, client.Get(path));
  const json list = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!list.is_array()) return Status::Internal("GET " + path + ": not a JSON array: " + body);
  std::vector<LabelledObject> objects;
  for (const json& item : list) {
    LabelledObject object{.kind = std::string(kind), .id = item.value("Id", "")};
    if (kind == "container") {
      const json names = item.value("Names", json::array());
      object.name = names.empty() ? object.id : names[0].get<std::string>();
      if (!object.name.empty() && object.name.front() == '/') object.name.erase(0, 1);
    } else {
      object.name = item.value("Name", object.id);
    }
    const json labels = item.value("Labels", json::object());
    object.run_id = labels.is_object() ? labels.value(std::string(kRunLabel), "") : "";
    if (!object.id.empty()) objects.push_back(std::move(object));
  }
  return objects;
}

Result<bool> Remove(DockerClient& client, const LabelledObject& object) {
  const std::string path = object.kind == "container" ? "/containers/" + object.id + "?force=1"
                                                      : "/networks/" + object.id;
  ASSIGN_OR_RETURN(const DockerResponse response, client.Call({.method = "DELETE", .path = path}));
  if (response.http_status == 404) return false;
  if (!response.ok()) {
    return HttpError("DELETE", path, response)
        .WithContext("remove " + object.kind + " " + object.name);
  }
  return true;
}

}  // namespace

Result<std::vector<std::string>> RemoveLabelledObjects(DockerClient& client,
                                                       std::string_view label_query,
                                                       const RunFilter& filter) {
  std::vector<std::string> removed;
  Status first_error;
  // Containers first: Docker refuses to remove a network with endpoints.
  for (const std::string_view kind : {"container", "network"}) {
    ASSIGN_OR_RETURN(const std::vector<LabelledObject> objects, List(client, kind, label_query));
    for (const LabelledObject& object : objects) {
      if (object.run_id.empty() || !filter(object.run_id)) continue;
      auto was_removed = Remove(client, object);
      if (!was_removed.ok()) {
        if (first_error.ok()) first_error = was_removed.status();
        continue;
      }
      if (*was_removed) removed.push_back(object.kind + " " + object.name);
    }
  }
  if (!first_error.ok()) return first_error;
  return removed;
}

}  // namespace orchestrator::docker

namespace orchestrator {

common::Result<std::vector<std::string>> CleanupDocker(const RunFilter& filter) {
  auto client = docker::DockerClient::Create();
  if (!client.ok()) return client.status();
  // No daemon: nothing of ours can exist, so nothing to remove.
  if (!(*client)->Ping().ok()) return std::vector<std::string>{};
  return docker::RemoveLabelledObjects(**client, docker::kRunLabel, filter);
}

}  // namespace orchestrator
