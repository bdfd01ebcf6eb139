#!/bin/bash
# Installs every Debian package the project needs (idempotent; run as root on Debian 12).
# Later stages add what they need here; nothing is ever installed by hand.
set -euo pipefail

packages=(
  # build
  cmake g++ ninja-build pkg-config make git ca-certificates
  # libraries
  nlohmann-json3-dev libgtest-dev libgmock-dev
  # refdb's gRPC server, client and .proto files
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # formatting and linting (CI runs the format check)
  clang-format clang-tidy
  # the etcd 3.4 cluster refdb_bench compares against (/usr/bin/etcd)
  etcd-server
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ci/setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "ci/setup.sh: all ${#packages[@]} packages present"
fi
