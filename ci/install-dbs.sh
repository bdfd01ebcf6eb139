#!/bin/bash
# Installs the Debian packages the database definitions name (workloads/dbs/NAME/db.json,
# install.debian): all of them, or the NAMEs given. Idempotent; run as root on Debian 12.
# A run never installs anything: `splitbrain run --db NAME` only checks that the programs exist.
# Usage: ci/install-dbs.sh [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "ci/install-dbs.sh: needs jq (ci/setup.sh installs it)" >&2; exit 1; }
names=("$@")
if ((${#names[@]} == 0)); then
  for f in workloads/dbs/*/db.json; do names+=("$(basename "$(dirname "$f")")"); done
fi
packages=()
for name in "${names[@]}"; do
  file="workloads/dbs/$name/db.json"
  [[ -f $file ]] || { echo "ci/install-dbs.sh: no $file" >&2; exit 1; }
  mapfile -t wanted < <(jq -r '.install.debian[]' "$file")
  packages+=("${wanted[@]}")
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "ci/install-dbs.sh: the packages of ${names[*]} are present"
  exit 0
fi
echo "ci/install-dbs.sh: installing ${missing[*]} (for ${names[*]})"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
