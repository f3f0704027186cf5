#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server for the tests that need one:
#   scripts/with-postgres.sh swift test
# The cluster lives in a temporary folder, listens on a free loopback port (and a Unix socket in
# that folder), asks for a password (scram-sha-256, a random one made here), and is stopped and
# removed when the command ends, however it ends. The command gets
#   FPREPORT_TEST_POSTGRES_URL=postgresql://fpreport@127.0.0.1:PORT/postgres?sslmode=disable
#   PGPASSWORD=<the random password>   (in the environment only: never argv, never a file left behind)
# An already set FPREPORT_TEST_POSTGRES_URL is used as it is. Without PostgreSQL (and not root to
# install Debian's package) the command runs without it, and the PostgreSQL tests say they skipped.
set -euo pipefail

if [ -n "${FPREPORT_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local candidate
  for candidate in /usr/lib/postgresql/*/bin/"$name"; do
    [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  return 1
}

if ! find_bin initdb >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "with-postgres: installing Debian's postgresql for the PostgreSQL tests" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "with-postgres: no PostgreSQL here (initdb missing); the PostgreSQL tests will be skipped" >&2
    exec "$@"
  fi
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

# initdb and postgres refuse to run as root: as root, the cluster belongs to the postgres user.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
  as_owner=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/fpreport-pg.XXXXXX)
chmod 755 "$dir"
[ "${#as_owner[@]}" -gt 0 ] && chown postgres "$dir"
cleanup() {
  "${as_owner[@]}" "$PG_CTL" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
pwfile="$dir/pw"
( umask 077; printf '%s\n' "$password" > "$pwfile" )
[ "${#as_owner[@]}" -gt 0 ] && chown postgres "$pwfile"
"${as_owner[@]}" "$INITDB" -D "$dir/data" -U fpreport --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
rm -f "$pwfile"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"${as_owner[@]}" "$PG_CTL" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

echo "with-postgres: PostgreSQL on 127.0.0.1:$port (cluster in $dir, removed on exit)" >&2
export FPREPORT_TEST_POSTGRES_URL="postgresql://fpreport@127.0.0.1:$port/postgres?sslmode=disable"
export FPREPORT_TEST_POSTGRES_SOCKET_URL="postgresql://fpreport@/postgres?host=$dir&port=$port"
export PGPASSWORD="$password"
"$@"
