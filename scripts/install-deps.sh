#!/usr/bin/env bash
# Installs the Debian packages Ember needs to build, test and benchmark.
# Idempotent and quick when everything is present: it asks dpkg first and
# only calls apt-get for what is missing.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  llvm-19-dev libmlir-19-dev mlir-19-tools clang-19 libomp-19-dev
  libzstd-dev zlib1g-dev libffi-dev libxml2-dev libedit-dev
  libzmq3-dev libjansson-dev libsodium-dev
  libpython3.11-dev python3-numpy python3-numba libopenblas0-pthread
  python3-matplotlib python3-pandas
  python3-jupyter-client python3-nbclient python3-nbformat
  python3-jupyter-kernel-test python3-pexpect python3-ipykernel jupyter-console
)

missing=()
for p in "${PKGS[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
