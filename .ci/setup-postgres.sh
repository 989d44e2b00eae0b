# shellcheck shell=bash
# A throwaway PostgreSQL cluster for the export tests.
#
# Source it (`. .ci/setup-postgres.sh`): it installs Debian's postgresql when
# no server binaries are found, initdb's a cluster into a temporary folder
# (as the `postgres` user when run as root: initdb refuses root), starts it
# on a free port of 127.0.0.1 and exports
#   PROFILEX_TEST_PG_URL=postgresql://profilex@127.0.0.1:PORT/postgres
# which tests/test_export.py reads. The cluster is stopped and removed when
# the sourcing shell exits (EXIT trap), or by calling profilex_pg_stop.
# Any failure returns non-zero, so CI under `set -e` stops instead of
# silently running without PostgreSQL.

profilex_pg_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
        return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    return 1
}

profilex_pg_as_owner() {
    # Run a command as the cluster's owner (postgres when we are root).
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

profilex_pg_stop() {
    if [ -n "${PROFILEX_PG_DIR:-}" ] && [ -d "$PROFILEX_PG_DIR" ]; then
        profilex_pg_as_owner "$PROFILEX_PG_BIN/pg_ctl" -D "$PROFILEX_PG_DIR/data" -m immediate stop \
            >/dev/null 2>&1 || true
        rm -rf "$PROFILEX_PG_DIR"
    fi
    unset PROFILEX_PG_DIR PROFILEX_TEST_PG_URL
}

profilex_pg_start() {
    local bindir port
    if ! bindir=$(profilex_pg_bindir); then
        if [ "$(id -u)" != 0 ]; then
            echo "setup-postgres: PostgreSQL is not installed and installing it needs root" >&2
            return 1
        fi
        echo "setup-postgres: installing Debian's postgresql" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || return 1
        apt-get install -y -qq postgresql >&2 || return 1
        bindir=$(profilex_pg_bindir) || { echo "setup-postgres: no initdb after install" >&2; return 1; }
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres || return 1
    fi
    PROFILEX_PG_BIN=$bindir
    PROFILEX_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/profilex-pg.XXXXXX") || return 1
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PROFILEX_PG_DIR" || return 1
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()') \
        || return 1
    profilex_pg_as_owner "$bindir/initdb" -D "$PROFILEX_PG_DIR/data" -U profilex --auth=trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$PROFILEX_PG_DIR/initdb.log" 2>&1 \
        || { cat "$PROFILEX_PG_DIR/initdb.log" >&2; return 1; }
    profilex_pg_as_owner "$bindir/pg_ctl" -D "$PROFILEX_PG_DIR/data" -l "$PROFILEX_PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $PROFILEX_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null \
        || { cat "$PROFILEX_PG_DIR/server.log" >&2; return 1; }
    export PROFILEX_PG_BIN PROFILEX_PG_DIR
    export PROFILEX_TEST_PG_URL="postgresql://profilex@127.0.0.1:$port/postgres"
    trap profilex_pg_stop EXIT
    echo "setup-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

profilex_pg_start
