#!/usr/bin/env bash
# Installs what the native runner's `mpi` feature needs, skipping what is already there: Open MPI
# (the launcher, the library and its headers) and libclang (rsmpi's bindings are generated at
# build time). Debian packages; versions verified in docs/cluster.md.
set -euo pipefail
log() { printf '[setup-mpi] %s\n' "$*" >&2; }

packages=(openmpi-bin libopenmpi-dev libclang-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    log "needs root to install ${missing[*]}: run as root, or install them with your package manager"
    exit 1
  fi
  sudo=(sudo)
fi
log "installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
mpirun --version | head -1 >&2
