#!/usr/bin/env bash
# Workspace tooling behind `make run`, `make stop`, `make test` and `make bench`.
#
# Settings (environment variables, all optional):
#   ODOO_PATH    Odoo 18.0 source tree (default /opt/odoo/18.0)
#   ODOO_GIT / ODOO_URL
#                Odoo's official git repository and source archive, used by
#                set-up when there is no Odoo 18.0 at ODOO_PATH
#   VENV         Python virtualenv holding the pinned dependencies
#   PYTHON       interpreter used to create VENV (python3.10 - python3.12)
#   RUN_DIR      folder for the private PostgreSQL cluster, logs, filestore
#   DB_HOST / DB_PORT / DB_USER / DB_PASSWORD
#                an existing PostgreSQL server; when DB_HOST is empty a private
#                cluster is started in RUN_DIR (Unix socket, no TCP)
#   DB_NAME      database served by `make run` (default lead_crm)
#   TEST_DB      database rebuilt by `make test` (default lead_crm_test)
#   HTTP_PORT    port served by `make run` (default 8069)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo/18.0}
ODOO_GIT=${ODOO_GIT:-https://github.com/odoo/odoo.git}
ODOO_URL=${ODOO_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
PYTHON=${PYTHON:-python3}
VENV=${VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/lead-crm/venv}
RUN_DIR=${RUN_DIR:-$ROOT/.run}
DB_HOST=${DB_HOST:-}
DB_PORT=${DB_PORT:-5432}
DB_USER=${DB_USER:-odoo}
DB_PASSWORD=${DB_PASSWORD:-}
DB_NAME=${DB_NAME:-lead_crm}
TEST_DB=${TEST_DB:-lead_crm_test}
HTTP_PORT=${HTTP_PORT:-8069}
ADDONS=lead_management,lead_scoring,lead_conversion

PG_DIR=$RUN_DIR/pg
PG_SOCK=$RUN_DIR/pg/sock
CONF=$RUN_DIR/odoo.conf

say() { printf '%s\n' "[lead-crm] $*" >&2; }
die() { printf '%s\n' "[lead-crm] ERROR: $*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
    else return 1
    fi
}

# ---------------------------------------------------------------- Odoo tree
odoo_ok() {
    [ -f "$ODOO_PATH/odoo/release.py" ] && [ -f "$ODOO_PATH/odoo-bin" ] &&
        grep -q "^version_info = (18, 0" "$ODOO_PATH/odoo/release.py"
}

ensure_odoo() {
    odoo_ok && return 0
    if [ -f "$ODOO_PATH/odoo/release.py" ]; then
        die "ODOO_PATH=$ODOO_PATH holds an Odoo that is not 18.0. Point ODOO_PATH at an Odoo 18.0 source tree."
    fi
    say "No Odoo 18.0 at ODOO_PATH=$ODOO_PATH: downloading Odoo 18.0 from Odoo's official source"
    mkdir -p "$(dirname "$ODOO_PATH")" 2>/dev/null || true
    if command -v git >/dev/null 2>&1 && [ ! -e "$ODOO_PATH" ] &&
        GIT_TERMINAL_PROMPT=0 GIT_HTTP_LOW_SPEED_LIMIT=1000 GIT_HTTP_LOW_SPEED_TIME=30 \
            timeout 1800 git clone -q --depth 1 -b 18.0 "$ODOO_GIT" "$ODOO_PATH" 2>/dev/null; then
        odoo_ok && return 0
    fi
    local tmp
    tmp=$(mktemp -d)
    if command -v curl >/dev/null 2>&1 &&
        curl -fsSL --connect-timeout 15 --speed-limit 1000 --speed-time 30 -o "$tmp/odoo.tar.gz" "$ODOO_URL" 2>/dev/null &&
        mkdir -p "$ODOO_PATH" && tar -xzf "$tmp/odoo.tar.gz" -C "$ODOO_PATH" --strip-components=1; then
        # the source archive ships the launcher as setup/odoo
        [ -f "$ODOO_PATH/odoo-bin" ] || cp "$ODOO_PATH/setup/odoo" "$ODOO_PATH/odoo-bin" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    odoo_ok && return 0
    die "Odoo 18.0 was not found at ODOO_PATH=$ODOO_PATH and could not be downloaded (no network?).
  Provide an Odoo 18.0 source tree (the folder holding odoo-bin and odoo/release.py), e.g.
    git clone --depth 1 -b 18.0 https://github.com/odoo/odoo /opt/odoo/18.0
  or unpack an Odoo 18.0 source archive there, then run again with
    make <target> ODOO_PATH=/path/to/odoo-18.0"
}

addons_path() {
    local p="$ODOO_PATH/odoo/addons"
    [ -d "$ODOO_PATH/addons" ] && p="$ODOO_PATH/addons,$p"
    printf '%s,%s' "$p" "$ROOT"
}

# ---------------------------------------------------------------- Python
ensure_python() {
    local stamp="$VENV/.lead-crm-requirements"
    local want
    want=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" | sha1sum | cut -c1-40)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "Installing Python dependencies into $VENV"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || die "cannot create a virtualenv with $PYTHON (set PYTHON=python3.10..3.12)"
    "$VENV/bin/pip" install -q --disable-pip-version-check "setuptools<70" wheel 2>&1 | grep -v "^WARNING: Location" || true
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-build-isolation \
        -r "$ROOT/requirements.txt" -r "$ROOT/requirements-test.txt" 2>&1 | grep -v "^WARNING: Location" || true
    "$VENV/bin/python" -c "import psycopg2, lxml, werkzeug, phonenumbers, websocket" ||
        die "Python dependencies did not install into $VENV (see the pip output above)"
    echo "$want" >"$stamp"
}

# ---------------------------------------------------------------- PostgreSQL
pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
    [ -x "$d/initdb" ] && echo "$d"
}

ensure_postgres() {
    [ -n "$DB_HOST" ] && return 0
    [ -n "$(pg_bindir)" ] && return 0
    say "Installing PostgreSQL from the OS packages"
    as_root sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql' >&2 ||
        die "PostgreSQL is not installed and cannot be installed here (need root or sudo).
  Install it (apt-get install postgresql) or give an existing server with DB_HOST, DB_PORT, DB_USER, DB_PASSWORD."
    [ -n "$(pg_bindir)" ] || die "PostgreSQL installed but initdb not found"
}

# run a PostgreSQL server binary as a user it accepts (never root)
pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() {
    local bin
    bin=$(pg_bindir)
    [ -n "$bin" ] && [ -f "$PG_DIR/data/PG_VERSION" ] &&
        pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

pg_start() {
    [ -n "$DB_HOST" ] && return 0
    ensure_postgres
    local bin
    bin=$(pg_bindir)
    mkdir -p "$RUN_DIR"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        say "Creating a private PostgreSQL cluster in $PG_DIR"
        mkdir -p "$PG_DIR/data" "$PG_SOCK"
        [ "$(id -u)" = 0 ] && chown -R postgres: "$PG_DIR"
        pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -A trust -U "$DB_USER" -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
            die "initdb failed, see $PG_DIR/initdb.log"
    fi
    if pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        return 0
    fi
    pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $DB_PORT -k $PG_SOCK -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || die "PostgreSQL did not start, see $PG_DIR/server.log"
}

pg_stop() {
    [ -n "$DB_HOST" ] && return 0
    local bin
    bin=$(pg_bindir)
    [ -n "$bin" ] && [ -f "$PG_DIR/data/PG_VERSION" ] || return 0
    pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

db_host() { if [ -n "$DB_HOST" ]; then echo "$DB_HOST"; else echo "$PG_SOCK"; fi; }

psql_cmd() {
    local bin
    bin=$(pg_bindir)
    PGPASSWORD=$DB_PASSWORD "${bin:-/usr/bin}/psql" -h "$(db_host)" -p "$DB_PORT" -U "$DB_USER" -X -q -t -A "$@"
}

db_exists() { [ "$(psql_cmd -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

write_conf() {
    mkdir -p "$RUN_DIR/data"
    cat >"$CONF" <<EOF
[options]
addons_path = $(addons_path)
data_dir = $RUN_DIR/data
db_host = $(db_host)
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
http_port = $HTTP_PORT
list_db = False
max_cron_threads = 1
EOF
}

odoo_bin() { "$VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$CONF" "$@"; }

setup() {
    ensure_odoo
    ensure_python
    pg_start
    write_conf
}

# ---------------------------------------------------------------- run / stop
odoo_pid() {
    local pid
    pid=$(cat "$RUN_DIR/odoo.pid" 2>/dev/null) || return 1
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

cmd_run() {
    setup
    if pid=$(odoo_pid); then
        say "Odoo already runs (pid $pid): http://localhost:$HTTP_PORT  login admin / password admin"
        return 0
    fi
    if db_exists "$DB_NAME" &&
        [ "$(psql_cmd -d "$DB_NAME" -c "SELECT count(*) FROM ir_module_module WHERE name IN ('lead_management','lead_scoring','lead_conversion') AND state = 'installed'")" = 3 ]; then
        say "Updating the addons in database $DB_NAME"
        odoo_bin -d "$DB_NAME" -u "$ADDONS" --stop-after-init --log-level=warn ||
            die "updating the addons failed (see above)"
    else
        say "Creating database $DB_NAME with the addons and their demo data (a few minutes)"
        odoo_bin -d "$DB_NAME" -i "$ADDONS" --stop-after-init --log-level=warn ||
            die "installing the addons failed (see above)"
    fi
    say "Starting Odoo (log: $RUN_DIR/odoo.log)"
    nohup "$VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$CONF" -d "$DB_NAME" --db-filter="^$DB_NAME\$" \
        --logfile="$RUN_DIR/odoo.log" >/dev/null 2>&1 &
    echo $! >"$RUN_DIR/odoo.pid"
    local i
    for i in $(seq 1 120); do
        if curl -fsS -o /dev/null "http://localhost:$HTTP_PORT/web/login" 2>/dev/null; then
            say "Odoo is up: http://localhost:$HTTP_PORT  login admin / password admin (database $DB_NAME)"
            say "Stop it with: make stop"
            return 0
        fi
        odoo_pid >/dev/null || die "Odoo exited, see $RUN_DIR/odoo.log"
        sleep 1
    done
    die "Odoo did not answer on :$HTTP_PORT within 120 s, see $RUN_DIR/odoo.log"
}

cmd_stop() {
    if pid=$(odoo_pid); then
        kill "$pid" && say "Odoo stopped (pid $pid)"
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/odoo.pid"
    pg_stop
    [ -n "$DB_HOST" ] || say "PostgreSQL stopped"
}

# ---------------------------------------------------------------- test
ensure_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 ||
        command -v chromium-browser >/dev/null 2>&1 && return 0
    say "Installing Chromium from the OS packages (browser tours need it)"
    as_root sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium' >&2 ||
        die "Chromium is needed for the browser tours and cannot be installed here (need root or sudo)"
}

cmd_lint() {
    ensure_python
    local rc=0
    say "Static checks: XML well-formedness"
    "$VENV/bin/python" "$ROOT/tests/check_xml.py" "$ROOT" || rc=1
    say "Static checks: ruff"
    "$VENV/bin/ruff" check "$ROOT" || rc=1
    "$VENV/bin/ruff" format --check "$ROOT" || rc=1
    say "Static checks: pylint-odoo"
    (cd "$ROOT" && "$VENV/bin/pylint" --rcfile="$ROOT/.pylintrc" lead_management lead_scoring lead_conversion) || rc=1
    say "Static checks: OCA pre-commit checks"
    (cd "$ROOT" && "$VENV/bin/oca-checks-odoo-module" lead_management/__manifest__.py \
        lead_scoring/__manifest__.py lead_conversion/__manifest__.py) || rc=1
    local po
    po=$(cd "$ROOT" && ls lead_*/i18n/*.po lead_*/i18n/*.pot 2>/dev/null || true)
    if [ -n "$po" ]; then
        # shellcheck disable=SC2086
        (cd "$ROOT" && "$VENV/bin/oca-checks-po" $po) || rc=1
    fi
    [ $rc = 0 ] || die "static checks failed"
    say "Static checks passed"
}

# each addon installs alone, with nothing but its dependencies
check_install_alone() {
    local addon db
    for addon in lead_management lead_scoring lead_conversion; do
        db="${TEST_DB}_alone"
        if db_exists "$db"; then psql_cmd -d postgres -c "DROP DATABASE \"$db\" WITH (FORCE)"; fi
        say "Installing $addon alone (no demo data)"
        odoo_bin -d "$db" -i "$addon" --without-demo=all --stop-after-init --log-level=warn \
            >"$RUN_DIR/$db-$addon.log" 2>&1 || {
            tail -n 40 "$RUN_DIR/$db-$addon.log" >&2
            die "$addon does not install alone (log: $RUN_DIR/$db-$addon.log)"
        }
        if grep -E "( ERROR | CRITICAL |Traceback|failed to install)" "$RUN_DIR/$db-$addon.log" >&2; then
            die "errors while installing $addon alone (log: $RUN_DIR/$db-$addon.log)"
        fi
        psql_cmd -d postgres -c "DROP DATABASE \"$db\" WITH (FORCE)"
    done
    say "Each addon installs alone"
}

cmd_test() {
    # a private PostgreSQL started for the tests is stopped when they end
    if [ -z "$DB_HOST" ] && ! pg_running; then
        trap pg_stop EXIT
    fi
    setup
    ensure_chromium
    cmd_lint
    if db_exists "$TEST_DB"; then
        psql_cmd -d postgres -c "DROP DATABASE \"$TEST_DB\" WITH (FORCE)"
    fi
    rm -rf "$RUN_DIR/data/filestore/$TEST_DB"
    say "Creating test database $TEST_DB with $ADDONS (and demo data)"
    odoo_bin -d "$TEST_DB" -i "$ADDONS" --stop-after-init --log-level=warn >"$RUN_DIR/$TEST_DB-install.log" 2>&1 || {
        tail -n 60 "$RUN_DIR/$TEST_DB-install.log" >&2
        die "installing the addons into $TEST_DB failed (log: $RUN_DIR/$TEST_DB-install.log)"
    }
    if grep -E "( ERROR | CRITICAL |Traceback|failed to install)" "$RUN_DIR/$TEST_DB-install.log" >&2; then
        die "errors while installing the addons (log: $RUN_DIR/$TEST_DB-install.log)"
    fi
    say "Running the tests (pytest-odoo, browser tours in headless Chromium)"
    local out=$RUN_DIR/$TEST_DB-pytest.log rc=0
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=(lead_management lead_scoring lead_conversion)
    (cd "$ROOT" && PYTHONPATH="$ODOO_PATH:$ROOT/tests${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/pytest" \
        -p pytest_odoo_test_mode -p no:cacheprovider -rfEs --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http \
        --odoo-log-level=warn "${targets[@]}") 2>&1 | tee "$out" || rc=$?
    [ "$rc" = 0 ] || die "tests failed (pytest exit code $rc)"
    local summary
    summary=$(grep -E "^=+ .*(passed|failed|error).* in [0-9.]+s" "$out" | tail -n 1)
    if echo "$summary" | grep -q "skipped"; then
        die "some tests were skipped: a skipped tour or test does not count as passed ($summary)"
    fi
    echo "$summary" | grep -q "passed" || die "no test ran"
    if [ $# -eq 0 ]; then
        check_install_alone
        say "All tests passed, tours included; static checks passed; each addon installs alone"
    fi
    echo "$summary"
}

cmd_bench() {
    setup
    local db=${BENCH_DB:-lead_crm_bench}
    if db_exists "$db"; then psql_cmd -d postgres -c "DROP DATABASE \"$db\" WITH (FORCE)"; fi
    say "Creating benchmark database $db (no demo data)"
    odoo_bin -d "$db" -i "$ADDONS" --without-demo=all --stop-after-init --log-level=warn ||
        die "installing the addons into $db failed"
    say "Running the benchmark (machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB)"
    PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" "$ROOT/tests/bench/run.py" \
        --config "$CONF" --database "$db" "$@"
}

case "${1:-}" in
    setup) setup ;;
    run) cmd_run ;;
    stop) cmd_stop ;;
    lint) cmd_lint ;;
    test) shift; cmd_test "$@" ;;
    bench) shift; cmd_bench "$@" ;;
    pg-start) pg_start ;;
    shell) setup; shift; odoo_bin shell -d "${1:-$DB_NAME}" ;;
    *) die "usage: $0 setup|run|stop|lint|test [pytest args]|pg-start|shell [db]" ;;
esac
