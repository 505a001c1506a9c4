#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster, for the tests of the clinic
# server backend:
#   scripts/with-postgres.sh cargo test --workspace
# The cluster lives in a temporary folder, listens on a free port of 127.0.0.1 (and a
# socket in that folder), trusts local connections, and is stopped and removed when the
# command ends, also on failure or Ctrl+C. The command gets INTAKE_TEST_PG, libpq-style
# connection settings for the cluster's superuser ("host=127.0.0.1 port=N user=postgres"),
# and INTAKE_TEST_PG_TLS, a folder with the throwaway CA the server's certificate is signed
# by (ca.pem; the certificate is for the name "localhost" only) and an unrelated CA
# (other-ca.pem), for the TLS tests.
# Tests run it with fsync off (nothing there needs to survive a power cut); benchmarks set
# INTAKE_PG_FSYNC=on, so a save's figure includes the flush a clinic's server makes.
# As root, initdb and pg_ctl run as the postgres OS user (initdb refuses root).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "PostgreSQL server binaries not found (scripts/ensure-deps.sh test installs Debian's postgresql)" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/intake-pg.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$dir"
  as_pg=(runuser -u postgres --)
fi

stop() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

# A throwaway CA and the server's certificate (for "localhost" only, not 127.0.0.1).
tls="$dir/tls"
mkdir -p "$tls"
(
  cd "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Intake test clinic CA" \
    -keyout ca.key -out ca.pem
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Some other CA" \
    -keyout other-ca.key -out other-ca.pem
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr
  printf 'subjectAltName=DNS:localhost\n' >san.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile san.ext -out server.pem
) >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; exit 1; }
chmod 600 "$tls/server.key"
[[ $(id -u) -eq 0 ]] && chown -R postgres: "$tls"
chmod 755 "$dir" "$tls"
chmod 644 "$tls"/*.pem

fsync=off
[[ "${INTAKE_PG_FSYNC:-off}" == on ]] && fsync=on
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# One role signs in with a password (the password tests); every other is trusted.
hba="$dir/data/pg_hba.conf"
{ printf 'host all intake_password 127.0.0.1/32 scram-sha-256\n'; cat "$hba"; } >"$hba.new"
mv "$hba.new" "$hba"
[[ $(id -u) -eq 0 ]] && chown postgres: "$hba"
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=$fsync -c max_connections=200 -c ssl=on -c ssl_cert_file=$tls/server.pem -c ssl_key_file=$tls/server.key" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }

export INTAKE_TEST_PG="host=127.0.0.1 port=$port user=postgres"
export INTAKE_TEST_PG_DIR="$dir"
export INTAKE_TEST_PG_TLS="$tls"
echo "with-postgres: a throwaway PostgreSQL cluster on 127.0.0.1:$port ($dir)"
"$@"
