#!/usr/bin/env bash
# Installs what building and testing HepaBus needs on a fresh Debian machine,
# and only what is missing. Safe to run again; called by `make demo` and `make test`.
set -euo pipefail

need=()
for pkg in libmodbus-dev libudev-dev pkg-config udev socat python3-venv; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "error: the Swift toolchain (6.1 or later) is not on PATH" >&2
    exit 1
fi
