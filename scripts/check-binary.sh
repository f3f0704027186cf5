#!/usr/bin/env bash
# Fails when BINARY would not start on a server without the Swift toolchain: every library it
# loads must come from the system (/lib, /usr/lib), none from the toolchain or "not found".
set -euo pipefail
binary=${1:?usage: check-binary.sh BINARY}
libraries=$(ldd "$binary")
echo "$libraries"
if echo "$libraries" | grep -E 'not found|swift|/opt/|/home/' >/dev/null; then
  echo "check-binary: $binary loads libraries a server without the Swift toolchain does not have" >&2
  exit 1
fi
echo "check-binary: $binary loads system libraries only"
