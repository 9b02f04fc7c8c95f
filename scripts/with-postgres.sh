#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server, then stops and deletes the server.
#
#   scripts/with-postgres.sh .venv/bin/python -m pytest tests/integration
#
# The command sees CAREBOT_TEST_DATABASE_URL=postgresql://carebot@127.0.0.1:<port>/carebot_test
# (the test fixtures use it instead of SQLite). The server lives in a temporary folder, listens
# on a free loopback port only, trusts local connections (nothing else can reach it), and runs
# with fsync off: it holds test data only and is deleted afterwards whatever happens.
#
# Uses the machine's initdb/pg_ctl if they are on PATH, else Debian's under
# /usr/lib/postgresql/*/bin, else installs Debian's `postgresql` package (needs root).
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user
# (created by the Debian package) or `nobody`.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

find_bindir() {
    local initdb
    if initdb=$(command -v initdb 2>/dev/null) && [[ -x "$(dirname "$(readlink -f "$initdb")")/pg_ctl" ]]; then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        echo "$dir"
        return 0
    fi
    return 1
}

if ! BINDIR=$(find_bindir); then
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "PostgreSQL (initdb, pg_ctl) is not installed. Install it with:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y postgresql" >&2
        exit 1
    fi
    echo "Installing Debian's PostgreSQL for the database tests (first time only)..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    BINDIR=$(find_bindir) || { echo "PostgreSQL was installed but initdb is missing" >&2; exit 1; }
fi

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/carebot-pg.XXXXXX")
DATADIR="$WORKDIR/data"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_server_user=()
if [[ "$(id -u)" -eq 0 ]]; then
    server_user=postgres
    id -u "$server_user" >/dev/null 2>&1 || server_user=nobody
    chown "$server_user" "$WORKDIR"
    as_server_user=(runuser -u "$server_user" --)
fi

stop_server() {
    "${as_server_user[@]}" "$BINDIR/pg_ctl" -D "$DATADIR" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORKDIR"
}
trap stop_server EXIT

"${as_server_user[@]}" "$BINDIR/initdb" -D "$DATADIR" -U carebot --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$WORKDIR/initdb.log" 2>&1 \
    || { cat "$WORKDIR/initdb.log" >&2; exit 1; }
"${as_server_user[@]}" "$BINDIR/pg_ctl" -D "$DATADIR" -l "$WORKDIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORKDIR -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$WORKDIR/server.log" >&2; exit 1; }
"$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U carebot carebot_test

export CAREBOT_TEST_DATABASE_URL="postgresql://carebot@127.0.0.1:$PORT/carebot_test"
echo "Throwaway server: $("$BINDIR/postgres" --version) on 127.0.0.1:$PORT" >&2
"$@"
