#!/usr/bin/env bash
# Builds dist/fpreport_VERSION_ARCH.deb: the static-stdlib binary, the example configuration,
# the systemd units (pointing at /usr/bin/fpreport) and the README, depending on the runtime
# packages of the system libraries the binary loads (SQLite, libxlsxwriter and what they need).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/.*public static let current = "\(.*\)"/\1/p' Sources/FPReportJobs/CollectJob.swift)
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
make install DESTDIR="$stage" PREFIX=/usr >/dev/null
install -d "$stage/lib/systemd/system"
for unit in fpreport-nightly.service fpreport-nightly.timer; do
  sed 's|/usr/local/bin/fpreport|/usr/bin/fpreport|; s|/usr/local/share/doc/fpreport|/usr/share/doc/fpreport|' \
    "config/$unit" > "$stage/lib/systemd/system/$unit"
done
# Depends: the package of every library the binary loads, outside the C library itself.
depends=$(ldd "$stage/usr/bin/fpreport" | awk '/=> \//{print $3}' | while read -r library; do
  dpkg -S "$(readlink -f "$library")" 2>/dev/null || dpkg -S "$library" 2>/dev/null || true
done | cut -d: -f1 | sort -u | grep -v -E '^(libc6|libgcc-s1)$' | paste -sd, - | sed 's/,/, /g')
install -d "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: fpreport
Version: $version
Architecture: $arch
Maintainer: fpreport developers <fpreport@localhost>
Depends: libc6, $depends
Section: utils
Priority: optional
Description: FirstPromoter batch process reports for fleets of accounts
 Collects the progress of every account's batch processes from the FirstPromoter API v2,
 keeps the history in SQLite, and publishes CSV, XLSX and static HTML reports every night.
CONTROL
mkdir -p dist
dpkg-deb --root-owner-group --build "$stage" "dist/fpreport_${version}_${arch}.deb" >/dev/null
echo "dist/fpreport_${version}_${arch}.deb"
dpkg-deb --field "dist/fpreport_${version}_${arch}.deb" Depends
