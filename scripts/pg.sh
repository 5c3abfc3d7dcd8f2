#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, on 127.0.0.1 only.
#   scripts/pg.sh start    install the Debian package if missing, initdb once, start; prints the URL
#   scripts/pg.sh stop     stop the cluster (data stays under $COMMONSKY_PG_DIR)
#   scripts/pg.sh status   exit 0 when it answers
#   scripts/pg.sh url      print the SQLAlchemy URL
# As root the cluster runs as the 'postgres' system user (PostgreSQL refuses to run as root).
set -euo pipefail

PGROOT="${COMMONSKY_PG_DIR:-/tmp/commonsky-pg}"
PGPORT="${COMMONSKY_PG_PORT:-54329}"
PGUSER_NAME=commonsky
URL="postgresql+psycopg://${PGUSER_NAME}@127.0.0.1:${PGPORT}/commonsky"

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        if [[ $(id -u) -ne 0 ]]; then
            echo "pg.sh: PostgreSQL is not installed and this is not root: apt-get install -y postgresql" >&2
            exit 1
        fi
        echo "pg.sh: installing postgresql from Debian" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    echo "$dir"
}

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ready() {
    local bin=$1
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER_NAME" -d postgres
}

start() {
    local bin
    bin=$(pg_bin)
    if ready "$bin"; then echo "$URL"; return 0; fi
    mkdir -p "$PGROOT"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$PGROOT" 2>/dev/null || true
    chmod 700 "$PGROOT"
    if [[ ! -f "$PGROOT/data/PG_VERSION" ]]; then
        as_owner "$bin/initdb" -D "$PGROOT/data" -U "$PGUSER_NAME" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || as_owner "$bin/initdb" -D "$PGROOT/data" -U "$PGUSER_NAME" --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    as_owner "$bin/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 start \
        -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
    for _ in $(seq 1 60); do ready "$bin" && break; sleep 0.5; done
    ready "$bin" || { echo "pg.sh: server did not start; see $PGROOT/server.log" >&2; exit 1; }
    if ! "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER_NAME" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='commonsky'" | grep -q 1; then
        "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER_NAME" commonsky
    fi
    echo "$URL"
}

stop() {
    local bin
    bin=$(pg_bin)
    [[ -f "$PGROOT/data/postmaster.pid" ]] && as_owner "$bin/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null || true
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) ready "$(pg_bin)" ;;
    url) echo "$URL" ;;
    *) echo "usage: scripts/pg.sh start|stop|status|url" >&2; exit 2 ;;
esac
