#!/usr/bin/env bash
# Install the Debian packages Pracha needs, if any is missing. Safe to run again.
# It never starts a PostgreSQL cluster: the tests start their own throwaway server.
#
#   scripts/apt-deps.sh            what the portal and `make test` need
#   scripts/apt-deps.sh wrk ...    these packages instead (`make bench-deps`: the benchmarks' load generator)
set -euo pipefail

packages=(chromium fonts-thai-tlwg poppler-utils postgresql libpango-1.0-0 libpangoft2-1.0-0)
if [[ $# -gt 0 ]]; then
  packages=("$@")
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "apt-deps: already installed: ${packages[*]}"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "apt-deps: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
  fi
fi

# policy-rc.d exit 101 tells the maintainer scripts not to start services (the postgresql cluster).
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
fi

echo "apt-deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
echo "apt-deps: installed ${missing[*]}"
