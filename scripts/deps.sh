#!/usr/bin/env bash
# Installs the system libraries fpreport links (SQLite, libxlsxwriter) and pkg-config, when
# pkg-config cannot find them. Uses apt-get as root, or through sudo; says what to do otherwise.
set -euo pipefail
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists sqlite3 xlsxwriter; then
  exit 0
fi
packages=(libsqlite3-dev libxlsxwriter-dev pkg-config)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "fpreport needs ${packages[*]} (or your system's equivalents: SQLite 3 and libxlsxwriter with pkg-config files)." >&2
  echo "apt-get is not available here; install them with your package manager and run make again." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "fpreport needs ${packages[*]}; run as root or install sudo, or run: apt-get install ${packages[*]}" >&2
  exit 1
fi
echo "Installing ${packages[*]} ..." >&2
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
pkg-config --exists sqlite3 xlsxwriter || { echo "pkg-config still cannot find sqlite3 and xlsxwriter" >&2; exit 1; }
