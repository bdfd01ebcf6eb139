#!/bin/bash
# Installs every Debian package the project needs (idempotent; run as root on Debian 12).
# Later stages add what they need here; nothing is ever installed by hand.
# Usage: ci/setup.sh [--tests]   (--tests: also what only the test suite needs: headless
# Chromium for the report's browser test)
set -euo pipefail
with_tests=0
[[ ${1:-} == --tests ]] && with_tests=1

packages=(
  # build
  cmake g++ ninja-build pkg-config make git ca-certificates
  # libraries
  nlohmann-json3-dev libgtest-dev libgmock-dev
  # SHA-256 of database definition files
  libssl-dev
  # refdb's gRPC server, client and .proto files
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # formatting and linting (CI runs the format check, and clang's thread-safety analysis)
  clang-format clang-tidy clang
  # libFuzzer and clang's sanitizer runtimes for the fuzz preset (only recommended by clang)
  libclang-rt-14-dev
  # the etcd 3.4 cluster refdb_bench compares against (/usr/bin/etcd)
  etcd-server
  # splitbrain run: Docker Engine API client, Boost.Process, namespaces and firewall rules
  libcurl4-openssl-dev libboost-dev libboost-filesystem-dev
  iproute2 iptables nftables util-linux curl
  # ci/nightly.sh reads results.json
  jq
  # the clock fault: node processes run under libfaketime
  libfaketime
  # shaping faults (delay, reorder, duplicate, bandwidth): splitbrain-netq holds packets through
  # NFQUEUE
  libnetfilter-queue-dev
  # splitbrain run --tls makes a throwaway CA and certificates with the openssl program (and
  # common/certs' and refdb's TLS tests use it)
  openssl
  # the disk faults: splitbrain-diskfs, a FUSE layer under each node's data dir
  libfuse3-dev fuse3
  # the docker backend's daemon (started below when it is not running)
  docker.io
)
if ((with_tests)); then
  # the report's browser test renders report.html headless,
  # the JUnit schema test validates with xmllint, the results schema test with jsonschema,
  # the netns backend's test pings a node from a lease candidate's namespace, the example
  # workflow's check (ci/validate_workflow.py) reads YAML
  packages+=(chromium fonts-dejavu-core libxml2-utils python3-jsonschema python3-yaml iputils-ping)
  # refdb's etcd API is tested with Debian's etcdctl (refdb/server/etcdctl_test.cc)
  packages+=(etcd-client)
fi

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

# The docker backend needs a running daemon. Without systemd nothing starts it, so start it here
# when its socket does not answer (TOOLCHAIN.md section 8).
if ! curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then
  pgrep -x dockerd >/dev/null || rm -f /var/run/docker.pid
  echo "ci/setup.sh: starting dockerd (log: /tmp/dockerd.log)"
  nohup dockerd >/tmp/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 150); do
    curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then
    # Without a daemon the docker backend and its tests cannot run: stop here, not at a test.
    echo "ci/setup.sh: dockerd did not answer at /var/run/docker.sock within 30 s;" \
      "its log, /tmp/dockerd.log, ends with:" >&2
    tail -n 20 /tmp/dockerd.log >&2 || true
    exit 1
  fi
fi

# The test suite runs ZooKeeper, Redis with Sentinel and etcd from their definitions.
if ((with_tests)); then
  "$(dirname "$0")/install-dbs.sh"
fi
