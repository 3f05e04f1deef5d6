#!/usr/bin/env bash
# Workspace tooling behind `make run`, `make stop`, `make test` and `make bench`.
#
# Settings (environment variables, all optional):
#   ODOO_PATH    Odoo 18.0 source tree (default /opt/odoo/18.0)
#   ODOO_GIT / ODOO_URL
#                Odoo's official git repository and source archive, used by
#                set-up when there is no Odoo 18.0 at ODOO_PATH
#   VENV         Python virtualenv holding the pinned dependencies
#   PYTHON       interpreter used to create VENV (Python 3.10 - 3.12; default:
#                python3 when it is one of those, else python3.12, python3.11
#                or python3.10, the first the machine runs)
#   RUN_DIR      folder for the private PostgreSQL clusters, logs, filestore
#   DB_HOST / DB_PORT / DB_USER / DB_PASSWORD
#                an existing PostgreSQL server; when DB_HOST is empty private
#                clusters are started (Unix socket, no TCP): see "PostgreSQL"
#   DB_NAME      database served by `make run` (default lead_crm)
#   TEST_DB      database rebuilt by `make test` (default lead_crm_test)
#   HTTP_PORT    port served by `make run` (default 8069)
#   DIST_DIR     folder `make dist` builds the wheels into (default ./dist)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo/18.0}
ODOO_GIT=${ODOO_GIT:-https://github.com/odoo/odoo.git}
ODOO_URL=${ODOO_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
PYTHON_GIVEN=${PYTHON:+1}
PYTHON=${PYTHON:-python3}
#: interpreters tried, in this order, when python3 is not one Odoo 18 supports
PYTHON_CANDIDATES=${PYTHON_CANDIDATES:-python3.12 python3.11 python3.10}
VENV=${VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/lead-crm/venv}
RUN_DIR=${RUN_DIR:-$ROOT/.run}
case "$RUN_DIR" in /*) ;; *) RUN_DIR=$PWD/$RUN_DIR ;; esac
DB_HOST=${DB_HOST:-}
DB_PORT=${DB_PORT:-5432}
DB_USER=${DB_USER:-odoo}
DB_PASSWORD=${DB_PASSWORD:-}
DB_NAME=${DB_NAME:-lead_crm}
TEST_DB=${TEST_DB:-lead_crm_test}
HTTP_PORT=${HTTP_PORT:-8069}
DIST_DIR=${DIST_DIR:-$ROOT/dist}
ADDONS=lead_management,lead_scoring,lead_conversion
#: what `make run` serves besides: the website's contact form and visitors, and
#: with them lead_scoring_website (the pages visited as scoring events)
RUN_EXTRA=website_crm,lead_scoring_website

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
# "3.11" for an interpreter that runs, nothing otherwise
py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true; }

# Odoo 18's pinned dependencies install on Python 3.10 - 3.12 only
py_supported() {
    case "$(py_version "$1")" in 3.10 | 3.11 | 3.12) return 0 ;; *) return 1 ;; esac
}

# PYTHON: the interpreter that creates VENV. A PYTHON given must be supported;
# otherwise python3 when supported, else the first of PYTHON_CANDIDATES the
# machine runs; else stop before any pip output, naming what to install.
choose_python() {
    local cand found
    if [ -n "$PYTHON_GIVEN" ]; then
        py_supported "$PYTHON" && return 0
        die "PYTHON=$PYTHON is $(py_version "$PYTHON" | sed 's/^/Python /' | grep . || echo "not a Python that runs"); Odoo 18 needs Python 3.10, 3.11 or 3.12: install one of them and set PYTHON to it."
    fi
    for cand in python3 $PYTHON_CANDIDATES; do
        if command -v "$cand" >/dev/null 2>&1 && py_supported "$cand"; then
            found=$cand
            break
        fi
    done
    if [ -z "${found:-}" ]; then
        die "python3 is $(py_version python3 | sed 's/^/Python /' | grep . || echo "missing") and no python3.12, python3.11 or python3.10 runs here; Odoo 18 needs Python 3.10, 3.11 or 3.12: install one of them (e.g. apt-get install python3.11) and run again."
    fi
    [ "$found" = python3 ] || say "python3 is Python $(py_version python3); using $found (Python $(py_version "$found")), which Odoo 18 supports"
    PYTHON=$found
}

ensure_python() {
    local stamp="$VENV/.lead-crm-requirements"
    local want
    want=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" | sha1sum | cut -c1-40)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    if [ -x "$VENV/bin/python" ]; then
        py_supported "$VENV/bin/python" ||
            die "the virtualenv $VENV runs Python $(py_version "$VENV/bin/python"); Odoo 18 needs Python 3.10, 3.11 or 3.12: remove $VENV and run again."
    else
        choose_python
    fi
    say "Installing Python dependencies into $VENV"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || die "cannot create a virtualenv with $PYTHON"
    "$VENV/bin/pip" install -q --disable-pip-version-check "setuptools<70" wheel 2>&1 | grep -v "^WARNING: Location" || true
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-build-isolation \
        -r "$ROOT/requirements.txt" -r "$ROOT/requirements-test.txt" 2>&1 | grep -v "^WARNING: Location" || true
    "$VENV/bin/python" -c "import psycopg2, lxml, werkzeug, phonenumbers, websocket" ||
        die "Python dependencies did not install into $VENV (see the pip output above)"
    echo "$want" >"$stamp"
}

# ---------------------------------------------------------------- PostgreSQL
# Two private clusters, unless DB_HOST names an existing server:
#   run   `make run` and `make shell`: PostgreSQL's durability defaults, its
#         database is someone's work;
#   test  `make test` and `make bench`: only databases rebuilt on every run,
#         started with fsync, full_page_writes and synchronous_commit off.
# Being separate, a test never weakens the cluster `make run` serves.
# Each lives in its folder of RUN_DIR (RUN_DIR/pg, RUN_DIR/test/pg). As root the
# server runs as the `postgres` user: when that user cannot enter RUN_DIR (a
# checkout under /root or under any 0700 folder), the cluster lives in
# /var/lib/lead-crm/<checkout folder>-<hash of RUN_DIR> instead, one per checkout.
use_cluster() {
    CLUSTER=$1
    WORK_DIR=$RUN_DIR
    [ "$CLUSTER" = test ] && WORK_DIR=$RUN_DIR/test
    CONF=$WORK_DIR/odoo.conf
    PG_DIR= PG_SOCK=
}

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

is_root() { [ "$(id -u)" = 0 ]; }

# run a PostgreSQL server binary as a user it accepts (never root)
pg_as_owner() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# can the user running the server reach folder $1 (or, when it does not exist
# yet, the folder it will be created in)?
server_reaches() {
    local d=$1
    is_root || return 0
    id postgres >/dev/null 2>&1 || return 0
    while [ ! -e "$d" ]; do d=$(dirname "$d"); done
    runuser -u postgres -- test -x "$d"
}

# sets PG_DIR (the cluster) and PG_SOCK (its socket folder) for CLUSTER
pg_locate() {
    [ -n "$PG_DIR" ] && return 0
    local key
    key=$(printf '%s' "$RUN_DIR" | sha1sum | cut -c1-12)
    if server_reaches "$WORK_DIR"; then
        PG_DIR=$WORK_DIR/pg
    else
        PG_DIR=/var/lib/lead-crm/$(basename "$ROOT")-$key/$CLUSTER
    fi
    PG_SOCK=$PG_DIR/sock
    # a Unix socket's path holds at most 107 bytes (".s.PGSQL.<port>" included)
    if [ ${#PG_SOCK} -gt 85 ]; then
        PG_SOCK=/tmp/lead-crm-$(id -u)-$key-$CLUSTER
    fi
}

pg_running() {
    local bin
    bin=$(pg_bindir)
    pg_locate
    [ -n "$bin" ] && [ -f "$PG_DIR/data/PG_VERSION" ] &&
        pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

pg_start() {
    [ -n "$DB_HOST" ] && return 0
    ensure_postgres
    local bin opts
    bin=$(pg_bindir)
    pg_locate
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        say "Creating a private PostgreSQL cluster ($CLUSTER) in $PG_DIR"
        mkdir -p "$PG_DIR/data"
        is_root && chown -R postgres: "$PG_DIR"
        server_reaches "$PG_DIR/data" ||
            die "the postgres user cannot enter $PG_DIR (a 0700 folder on the way?): set RUN_DIR to a folder it can enter"
        pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -A trust -U "$DB_USER" -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
            die "initdb failed, see $PG_DIR/initdb.log"
    fi
    mkdir -p -m 0700 "$PG_SOCK"
    is_root && chown postgres: "$PG_SOCK"
    opts="-p $DB_PORT -k '$PG_SOCK' -c listen_addresses='' -c max_connections=200"
    if [ "$CLUSTER" = test ]; then
        opts="$opts -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    fi
    if pg_running; then
        [ "$CLUSTER" = run ] || return 0
        [ "$(psql_cmd -d postgres -c "SHOW fsync")" = off ] || return 0
        # started without durability by an earlier version of this script
        say "Restarting the private PostgreSQL with PostgreSQL's durability settings"
        sync
        pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -m fast -w -t 60 -o "$opts" \
            restart >/dev/null || die "PostgreSQL did not restart, see $PG_DIR/server.log"
        return 0
    fi
    pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -o "$opts" \
        start >/dev/null || die "PostgreSQL did not start, see $PG_DIR/server.log"
}

pg_stop() {
    [ -n "$DB_HOST" ] && return 0
    local bin
    bin=$(pg_bindir)
    pg_locate
    [ -n "$bin" ] && [ -f "$PG_DIR/data/PG_VERSION" ] || return 0
    pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    # a socket folder outside the cluster (long paths) goes with it
    [ "$PG_SOCK" = "$PG_DIR/sock" ] || rmdir "$PG_SOCK" 2>/dev/null || true
}

db_host() {
    if [ -n "$DB_HOST" ]; then echo "$DB_HOST"; else pg_locate; echo "$PG_SOCK"; fi
}

psql_cmd() {
    local bin host
    bin=$(pg_bindir)
    host=$(db_host)
    PGPASSWORD=$DB_PASSWORD "${bin:-/usr/bin}/psql" -h "$host" -p "$DB_PORT" -U "$DB_USER" -X -q -t -A "$@"
}

db_exists() { [ "$(psql_cmd -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

drop_db() {
    if db_exists "$1"; then psql_cmd -d postgres -c "DROP DATABASE \"$1\" WITH (FORCE)"; fi
    rm -rf "$WORK_DIR/data/filestore/$1"
}

write_conf() {
    mkdir -p "$WORK_DIR/data"
    cat >"$CONF" <<CONF
[options]
addons_path = $(addons_path)
data_dir = $WORK_DIR/data
db_host = $(db_host)
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
http_port = $HTTP_PORT
list_db = False
max_cron_threads = 1
CONF
}

odoo_bin() { "$VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$CONF" "$@"; }
# Odoo's shell: the sub-command comes before the options
odoo_shell() { "$VENV/bin/python" "$ODOO_PATH/odoo-bin" shell -c "$CONF" "$@"; }

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
    use_cluster run
    setup
    if pid=$(odoo_pid); then
        say "Odoo already runs (pid $pid): http://localhost:$HTTP_PORT  login admin / password admin"
        return 0
    fi
    if db_exists "$DB_NAME" &&
        [ "$(psql_cmd -d "$DB_NAME" -c "SELECT count(*) FROM ir_module_module WHERE name IN ('lead_management','lead_scoring','lead_conversion') AND state = 'installed'")" = 3 ]; then
        say "Updating the addons in database $DB_NAME"
        odoo_bin -d "$DB_NAME" -u "$ADDONS,$RUN_EXTRA" -i "$RUN_EXTRA" --stop-after-init --log-level=warn ||
            die "updating the addons failed (see above)"
    else
        say "Creating database $DB_NAME with the addons and their demo data (a few minutes)"
        odoo_bin -d "$DB_NAME" -i "$ADDONS,$RUN_EXTRA" --stop-after-init --log-level=warn ||
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
    [ -n "$DB_HOST" ] && return 0
    use_cluster test
    pg_stop
    use_cluster run
    pg_stop
    say "PostgreSQL stopped"
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
    say "Static checks: each addon's README.md (its wheel's description) made from readme/"
    "$VENV/bin/python" "$ROOT/tests/addon_readme.py" --check || rc=1
    say "Static checks: ruff"
    "$VENV/bin/ruff" check "$ROOT" || rc=1
    "$VENV/bin/ruff" format --check "$ROOT" || rc=1
    say "Static checks: pylint-odoo"
    (cd "$ROOT" && "$VENV/bin/pylint" --rcfile="$ROOT/.pylintrc" lead_management lead_scoring lead_conversion \
        lead_scoring_website) || rc=1
    say "Static checks: OCA pre-commit checks"
    (cd "$ROOT" && "$VENV/bin/oca-checks-odoo-module" lead_management/__manifest__.py \
        lead_scoring/__manifest__.py lead_conversion/__manifest__.py lead_scoring_website/__manifest__.py) || rc=1
    say "Static checks: manifestoo (dependency tree, licences, development status)"
    check_manifests || rc=1
    local po
    po=$(cd "$ROOT" && ls lead_*/i18n/*.po lead_*/i18n/*.pot 2>/dev/null || true)
    if [ -n "$po" ]; then
        # shellcheck disable=SC2086
        (cd "$ROOT" && "$VENV/bin/oca-checks-po" --disable=po-pretty-format $po) || rc=1
        # shellcheck disable=SC2086
        (cd "$ROOT" && "$VENV/bin/python" tests/check_po.py $po) || rc=1
    fi
    [ $rc = 0 ] || die "static checks failed"
    say "Static checks passed"
}

# The addons' dependency tree (Odoo's own addons folded), what is missing from
# it, the Python packages they need; licences and development statuses that
# do not go together (an addon depending on a less stable or incompatibly
# licensed one) fail.
check_manifests() {
    local mfo=("$VENV/bin/manifestoo" -d "$ROOT" --no-addons-path-from-import-odoo) missing rc=0
    if odoo_ok; then
        mfo+=(--addons-path "$(addons_path)")
    else
        say "  no Odoo 18.0 at ODOO_PATH=$ODOO_PATH: Odoo's own addons are not checked"
        mfo+=(--odoo-series 18.0)
    fi
    "${mfo[@]}" tree --fold-core-addons | sed 's/^/  /' >&2 || rc=1
    say "  Python packages: $("${mfo[@]}" list-external-dependencies python --separator ' ')"
    if odoo_ok; then
        missing=$("${mfo[@]}" list-missing --separator ' ') || rc=1
        [ -z "$missing" ] || { say "  addons not found: $missing"; rc=1; }
    fi
    "${mfo[@]}" check-licenses --transitive || rc=1
    "${mfo[@]}" check-dev-status --transitive || rc=1
    [ $rc = 0 ] && say "  licences and development statuses agree along the tree: $(
        cd "$ROOT" && "$VENV/bin/python" -c "import ast, glob
print('; '.join('%s %s (%s)' % (p.split('/')[0], m['license'], m['development_status'])
      for p in sorted(glob.glob('lead_*/__manifest__.py'))
      for m in [ast.literal_eval(open(p).read())]))")"
    return $rc
}

# a private test cluster started here is stopped when the command ends
stop_test_cluster_on_exit() {
    if [ -z "$DB_HOST" ] && ! pg_running; then
        trap pg_stop EXIT
    fi
}

# build_db DB demo|nodemo [MODULES]: a fresh database with the three addons
# (and the other MODULES, comma-separated)
build_db() {
    local db=$1 log=$WORK_DIR/$1-install.log demo=()
    [ "$2" = demo ] || demo=(--without-demo=all)
    drop_db "$db"
    odoo_bin -d "$db" -i "$ADDONS${3:+,$3}" "${demo[@]}" --stop-after-init --log-level=warn >"$log" 2>&1 || {
        tail -n 60 "$log" >&2
        say "installing the addons into $db failed (log: $log)"
        return 1
    }
    if grep -E "( ERROR | CRITICAL |Traceback|failed to install)" "$log" >&2; then
        say "errors while installing the addons into $db (log: $log)"
        return 1
    fi
}

# run_pytest DIR DB LOG TARGET...: pytest-odoo from DIR on DB, browser tours
# included; fails on any failure, error or skip. Sets SUMMARY.
# PYTEST_PYTHON: the interpreter running pytest (default: VENV's pytest).
run_pytest() {
    local dir=$1 db=$2 out=$3 rc=0 pytest=("$VENV/bin/pytest")
    shift 3
    SUMMARY=
    [ -z "${PYTEST_PYTHON:-}" ] || pytest=("$PYTEST_PYTHON" "$VENV/bin/pytest")
    (cd "$dir" && PYTHONPATH="$ODOO_PATH:$ROOT/tests${PYTHONPATH:+:$PYTHONPATH}" "${pytest[@]}" \
        -p pytest_odoo_test_mode -p no:cacheprovider -rfEs --odoo-config="$CONF" --odoo-database="$db" \
        --odoo-http --odoo-log-level=warn "$@") 2>&1 | tee "$out" || rc=$?
    SUMMARY=$(grep -E "^=+ .*(passed|failed|error).* in [0-9.]+s" "$out" | tail -n 1)
    if [ "$rc" != 0 ]; then
        say "tests failed (pytest exit code $rc, log: $out)"
        return 1
    fi
    if echo "$SUMMARY" | grep -q "skipped"; then
        say "some tests were skipped: a skipped tour or test does not count as passed ($SUMMARY)"
        return 1
    fi
    echo "$SUMMARY" | grep -q "passed" || { say "no test ran (log: $out)"; return 1; }
}

# The website contact form as a channel of leads needs website_crm, which
# must not be installed where crm's suite runs: its own database (no demo
# data), where only that test file runs (its classes are tagged
# lead_channel_website for Odoo's runner). Our other runs leave it out.
# lead_scoring_website (the pages visited as lead_scoring's events) installs
# by itself there and its tests run there too.
WEBSITE_TESTS=lead_conversion/tests/test_channel_website.py
check_website_channel() {
    local db="${TEST_DB}_website"
    SUMMARY=
    say "Creating database $db with $ADDONS and website_crm (no demo data)"
    build_db "$db" nodemo website_crm || return 1
    if [ "$(psql_cmd -d "$db" -c "SELECT state FROM ir_module_module WHERE name = 'lead_scoring_website'")" != installed ]; then
        say "lead_scoring_website did not install by itself with lead_scoring and website_crm"
        return 1
    fi
    run_pytest "$ROOT" "$db" "$WORK_DIR/$db-pytest.log" "$WEBSITE_TESTS" lead_scoring_website
}

# each addon installs alone, with nothing but its dependencies
check_install_alone() {
    local addon db="${TEST_DB}_alone" log
    # lead_conversion alone also installs lead_management alone
    for addon in lead_scoring lead_conversion; do
        log=$WORK_DIR/$db-$addon.log
        drop_db "$db"
        say "Installing $addon alone (no demo data)"
        odoo_bin -d "$db" -i "$addon" --without-demo=all --stop-after-init --log-level=warn >"$log" 2>&1 || {
            tail -n 40 "$log" >&2
            say "$addon does not install alone (log: $log)"
            return 1
        }
        if grep -E "( ERROR | CRITICAL |Traceback|failed to install)" "$log" >&2; then
            say "errors while installing $addon alone (log: $log)"
            return 1
        fi
        drop_db "$db"
    done
    say "Each addon installs alone"
}

# ---------------------------------------------------------------- wheels
# build_wheels DIR: one wheel per addon (odoo_addon_<name>-<version>-py3-none-any.whl),
# built by whool from the addon's manifest and the files git tracks in it
build_wheels() {
    local out=$1 addon log
    mkdir -p "$out"
    rm -f "$out"/odoo_addon_lead_*.whl
    log=$(mktemp)
    for addon in lead_management lead_scoring lead_conversion lead_scoring_website; do
        "$VENV/bin/pip" wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
            --wheel-dir "$out" "$ROOT/$addon" >"$log" 2>&1 || {
            grep -v "^WARNING: Location" "$log" >&2
            rm -f "$log"
            say "building the wheel of $addon failed"
            return 1
        }
    done
    rm -f "$log"
}

cmd_dist() {
    ensure_python
    build_wheels "$DIST_DIR" || die "make dist failed"
    say "Wheels in $DIST_DIR:"
    (cd "$DIST_DIR" && ls -1 odoo_addon_lead_*.whl) >&2
}

# Tests run from the installed wheels: a part of each addon's own tests, enough
# to show its Python, data, views and browser assets load from the installed
# copy (the whole suite runs on the checkout in the first step of make test).
# One tour only: a tour costs 30 s, and the test assets bundle it loads holds
# the three addons' scripts.
WHEEL_TESTS=(
    lead_management/tests/test_install.py
    lead_management/tests/test_lead_status.py
    lead_management/tests/test_ui.py::TestLeadUi::test_kanban_drag_changes_status
    lead_scoring/tests/test_install.py
    lead_scoring/tests/test_scoring.py
    lead_conversion/tests/test_install.py
    lead_conversion/tests/test_duplicates.py
)

# The addons installed the way a user installs them: the wheels built here go
# with `pip install --no-deps` into a throw-away virtualenv whose dependencies
# come from VENV (a .pth file), and an Odoo whose addons_path holds Odoo's own
# addons only installs lead_conversion (pulling lead_management) and
# lead_scoring into a fresh database, no demo data; then WHEEL_TESTS run from
# the installed copy.
check_wheels() {
    local tmp env site db="${TEST_DB}_wheels" conf log paths rc=0 t
    SUMMARY=
    tmp=$(mktemp -d)
    env=$tmp/venv
    build_wheels "$tmp/dist" || { rm -rf "$tmp"; return 1; }
    say "  built: $(cd "$tmp/dist" && echo odoo_addon_lead_*.whl)"
    # each wheel's METADATA carries the addon's README.md as its description
    "$VENV/bin/python" - "$tmp/dist"/odoo_addon_lead_*.whl <<'PY' || rc=1
import email, sys, zipfile

for path in sys.argv[1:]:
    with zipfile.ZipFile(path) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(wheel.read(name))
    body = meta.get_payload()
    ok = meta["Description-Content-Type"] == "text/markdown" and body.startswith("# ")
    print(f"[lead-crm]   {path.rsplit('/', 1)[-1]}: description "
          f"{len(body.splitlines())} lines ({meta['Description-Content-Type']})",
          file=sys.stderr)
    if not ok:
        sys.exit(1)
PY
    "$VENV/bin/python" -m venv --without-pip "$env" || { rm -rf "$tmp"; return 1; }
    site=$("$env/bin/python" -c "import sysconfig; print(sysconfig.get_path('purelib'))")
    "$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_path('purelib')); print(sysconfig.get_path('platlib'))" \
        | sort -u >"$site/lead_crm_dependencies.pth"
    "$VENV/bin/pip" --python "$env/bin/python" install -q --disable-pip-version-check --no-deps \
        "$tmp/dist"/odoo_addon_lead_*.whl 2>&1 | grep -v "^WARNING: Location" >&2 || true
    conf=$tmp/odoo.conf
    sed -e "s|^addons_path = .*|addons_path = ${ODOO_PATH}/odoo/addons|" \
        -e "s|^data_dir = .*|data_dir = $tmp/data|" "$CONF" >"$conf"
    [ -d "$ODOO_PATH/addons" ] && sed -i "s|^addons_path = |addons_path = $ODOO_PATH/addons,|" "$conf"
    # where this Odoo finds the addons: in the virtualenv, never in the checkout
    paths=$("$env/bin/python" - "$conf" "$ODOO_PATH" <<'PY'
import sys

sys.path.insert(0, sys.argv[2])
import odoo
from odoo.modules.module import get_module_path, initialize_sys_path

odoo.tools.config.parse_config(["-c", sys.argv[1]])
initialize_sys_path()
for name in ("lead_management", "lead_scoring", "lead_conversion"):
    print(name, get_module_path(name, display_warning=False))
PY
    ) || rc=1
    printf '%s\n' "$paths" | sed 's/^/[lead-crm]   found /' >&2
    if [ $rc = 0 ] && [ "$(printf '%s\n' "$paths" | grep -c " $site/odoo/addons/lead_")" != 3 ]; then
        say "  the addons do not all resolve into the virtualenv's site-packages ($site)"
        rc=1
    fi
    if [ $rc = 0 ]; then
        drop_db "$db"
        log=$WORK_DIR/$db-install.log
        t=$SECONDS
        "$env/bin/python" "$ODOO_PATH/odoo-bin" -c "$conf" -d "$db" -i lead_conversion,lead_scoring \
            --without-demo=all --stop-after-init --log-level=warn >"$log" 2>&1 || rc=1
        if [ $rc != 0 ] || grep -E "( ERROR | CRITICAL |Traceback|failed to install)" "$log" >&2; then
            tail -n 40 "$log" >&2
            say "  installing lead_conversion and lead_scoring from the wheels failed (log: $log)"
            rc=1
        elif [ "$(psql_cmd -d "$db" -c "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
                AND name IN ('lead_management', 'lead_scoring', 'lead_conversion')")" != 3 ]; then
            say "  the three addons are not all installed in $db"
            rc=1
        else
            say "  -i lead_conversion,lead_scoring from the wheels: 3 addons installed into $db in $((SECONDS - t)) s"
        fi
    fi
    if [ $rc = 0 ]; then
        (CONF=$conf PYTEST_PYTHON=$env/bin/python run_pytest "$site/odoo/addons" "$db" \
            "$WORK_DIR/$db-pytest.log" --durations=10 "${WHEEL_TESTS[@]}") || rc=1
        SUMMARY=$(grep -E "^=+ .*(passed|failed|error).* in [0-9.]+s" "$WORK_DIR/$db-pytest.log" | tail -n 1)
    fi
    drop_db "$db"
    rm -rf "$tmp"
    return $rc
}

# crm's own test suite on DB with our addons installed, after turning off the
# behaviours of ours that deliberately change crm (tests/crm_suite_switches.py)
crm_suite() {
    local db=$1 log=$WORK_DIR/$1-crm-switches.log
    SUMMARY=
    say "crm's own tests on $db: switching off what our addons change in crm on purpose"
    odoo_shell -d "$db" --no-http --log-level=warn <"$ROOT/tests/crm_suite_switches.py" >"$log" 2>&1 || {
        cat "$log" >&2
        say "tests/crm_suite_switches.py failed on $db (log: $log)"
        return 1
    }
    grep "^crm suite switches" "$log" >&2 || true
    say "Running crm's own tests ($ODOO_PATH/odoo/addons/crm/tests) on $db"
    run_pytest "$ODOO_PATH" "$db" "$WORK_DIR/$db-crm-pytest.log" --durations=5 odoo/addons/crm/tests
}

crm_suite_nodemo() {
    say "Creating database ${TEST_DB}_nodemo with $ADDONS (no demo data)"
    build_db "${TEST_DB}_nodemo" nodemo && crm_suite "${TEST_DB}_nodemo"
}

# the previous release installed with demo data, used, then upgraded with -u:
# nothing lost (tests/check_upgrade.py)
check_upgrade() {
    ODOO_PATH=$ODOO_PATH "$VENV/bin/python" "$ROOT/tests/check_upgrade.py" \
        --config "$CONF" --database "${TEST_DB}_upgrade"
}

# a background rescoring killed with SIGKILL mid-batch resumes to exact scores
# (tests/check_resume.py), on a copy of the database without demo data
check_resume() {
    ODOO_PATH=$ODOO_PATH "$VENV/bin/python" "$ROOT/tests/check_resume.py" \
        --config "$CONF" --database "${TEST_DB}_resume" --template "${TEST_DB}_nodemo"
}

# Copy of the checkout (without its run folder) into folder $1
copy_checkout() {
    mkdir -p "$1"
    tar -C "$ROOT" --exclude=./.run --exclude=./.git -cf - . | tar -C "$1" -xf -
}

# In the checkout at $1, as user $2 (empty: the current user), the workspace's
# private clusters start with their settings, serve a database and stop.
check_clusters_of() {
    local dir=$1 user=$2 out cluster
    ws() {
        if [ -n "$user" ]; then
            (cd / && runuser -u "$user" -- env -u RUN_DIR -u DB_HOST -u DB_USER -u DB_PASSWORD \
                bash "$dir/tests/workspace.sh" "$@")
        else
            (cd / && env -u RUN_DIR -u DB_HOST -u DB_USER -u DB_PASSWORD bash "$dir/tests/workspace.sh" "$@")
        fi
    }
    for cluster in run test; do
        ws pg-start "$cluster" || return 1
        ws psql "$cluster" -d postgres -c "CREATE DATABASE ws_check" || return 1
        out=$(ws psql "$cluster" -d ws_check -c "SELECT current_database() || ' fsync=' || current_setting('fsync')") || return 1
        say "  $CHECK_WHO, $cluster cluster in $(ws pg-dir "$cluster"): $out"
        case "$cluster:$out" in
            run:"ws_check fsync=on" | test:"ws_check fsync=off") ;;
            *) say "  expected fsync on for make run's cluster, off for the test cluster"; return 1 ;;
        esac
    done
    ws stop >/dev/null 2>&1 || return 1
    if ws psql run -d postgres -c "SELECT 1" >/dev/null 2>&1; then
        say "  make stop left PostgreSQL running"
        return 1
    fi
}

# The workspace works wherever it is cloned: as root from a folder the
# `postgres` user cannot enter, as an ordinary user from a deep folder with
# spaces (its socket path would not fit a Unix socket's 107 bytes).
check_clone_anywhere() {
    local tmp rc=0 dir pg
    tmp=$(mktemp -d) # 0700
    if is_root; then
        dir=$tmp/private/lead-crm
        copy_checkout "$dir"
        CHECK_WHO="root, checkout in a 0700 folder"
        pg=$(cd / && env -u RUN_DIR bash "$dir/tests/workspace.sh" pg-dir run)
        check_clusters_of "$dir" "" || rc=1
        case "$pg" in /var/lib/lead-crm/*) rm -rf "$(dirname "$pg")" ;; *) rc=1 ;; esac
        chmod 0711 "$tmp"
        dir="$tmp/shared/a folder with spaces/$(printf 'd%.0s' $(seq 1 40))/lead-crm"
        copy_checkout "$dir"
        chown -R nobody: "$tmp/shared"
        CHECK_WHO="user nobody, checkout at a long path with spaces"
        check_clusters_of "$dir" nobody || rc=1
    else
        dir="$tmp/a folder with spaces/$(printf 'd%.0s' $(seq 1 40))/lead-crm"
        copy_checkout "$dir"
        CHECK_WHO="user $(id -un), checkout at a long path with spaces"
        check_clusters_of "$dir" "" || rc=1
    fi
    rm -rf "$tmp"
    return $rc
}

# An existing PostgreSQL server (DB_HOST/DB_PORT/DB_USER/DB_PASSWORD): a
# throw-away server on 127.0.0.1 where the user logs in with its password only;
# the addons are installed there (no demo data) and one test file runs.
check_existing_server() {
    local tmp bin port password rc=0
    bin=$(pg_bindir)
    tmp=$(mktemp -d)
    is_root && chown postgres: "$tmp"
    port=$("$VENV/bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    password=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
    pg_as_owner "$bin/initdb" -D "$tmp/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; rm -rf "$tmp"; return 1; }
    pg_as_owner "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
        -o "-p $port -k '$tmp' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null || { cat "$tmp/server.log" >&2; rm -rf "$tmp"; return 1; }
    "$bin/psql" -h "$tmp" -p "$port" -U postgres -X -q -d postgres \
        -c "CREATE ROLE lead_crm_ext LOGIN CREATEDB PASSWORD '$password'" || rc=1
    if PGPASSWORD=wrong "$bin/psql" -h 127.0.0.1 -p "$port" -U lead_crm_ext -w -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1; then
        say "  the server let lead_crm_ext in without its password"
        rc=1
    fi
    say "  PostgreSQL on 127.0.0.1:$port, user lead_crm_ext with a password"
    [ $rc = 0 ] && {
        (cd / && env DB_HOST=127.0.0.1 DB_PORT="$port" DB_USER=lead_crm_ext DB_PASSWORD="$password" \
            RUN_DIR="$tmp/run" TEST_DB=lead_crm_ext bash "$ROOT/tests/workspace.sh" smoke \
            lead_management/tests/test_install.py) || rc=1
    }
    pg_as_owner "$bin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || rc=1
    rm -rf "$tmp"
    return $rc
}

# With a python3 that Odoo 18 does not support first on PATH (a stand-in
# answering 3.13, the python3 of Debian 13 and Fedora), set-up picks a
# supported interpreter the machine has; with none, it stops at once with one
# sentence naming the versions to install, before any pip output; a PYTHON
# given outside 3.10 - 3.12 is refused the same way.
check_python_choice() {
    local tmp out rc=0 isolated
    tmp=$(mktemp -d)
    printf '#!/bin/sh\necho 3.13\n' >"$tmp/python3"
    chmod +x "$tmp/python3"
    isolated=(env -u PYTHON -u PYTHON_CANDIDATES PATH="$tmp:$PATH" VENV="$tmp/venv")
    out=$(cd / && "${isolated[@]}" bash "$ROOT/tests/workspace.sh" python-choice 2>/dev/null) || rc=1
    say "  python3 is Python 3.13: set-up uses $out"
    case "$out" in *"(Python 3.10)" | *"(Python 3.11)" | *"(Python 3.12)") ;; *) rc=1 ;; esac
    for given in "PYTHON_CANDIDATES=python3.99" "PYTHON=python3"; do
        if out=$(cd / && "${isolated[@]}" "$given" bash "$ROOT/tests/workspace.sh" python-setup 2>&1); then
            say "  $given: set-up went on with Python 3.13"
            rc=1
        fi
        say "  $given, no supported Python: $out"
        if [ "$(printf '%s\n' "$out" | wc -l)" != 1 ] || [ -e "$tmp/venv" ] ||
            ! printf '%s' "$out" | grep -q "needs Python 3.10, 3.11 or 3.12"; then
            say "  expected one sentence naming the versions, before any virtualenv or pip"
            rc=1
        fi
    done
    rm -rf "$tmp"
    return $rc
}

# step NAME FUNCTION ARGS...: runs a step of `make test`, records its result and time
STEPS=()
FAILED=0
step() {
    local name=$1 t0=$SECONDS result=ok
    shift
    say "== $name"
    "$@" || { result=FAILED; FAILED=1; }
    STEPS+=("$(printf '%-6s %5ss  %s' "$result" $((SECONDS - t0)) "$name")")
}

cmd_test() {
    use_cluster test
    stop_test_cluster_on_exit
    local t0=$SECONDS targets=("$@")
    setup
    ensure_chromium
    cmd_lint
    say "Creating test database $TEST_DB with $ADDONS (and demo data)"
    build_db "$TEST_DB" demo || die "the test database could not be built"
    say "Running the tests (pytest-odoo, browser tours in headless Chromium)"
    [ ${#targets[@]} -gt 0 ] || targets=(lead_management lead_scoring lead_conversion)
    run_pytest "$ROOT" "$TEST_DB" "$WORK_DIR/$TEST_DB-pytest.log" --ignore="$WEBSITE_TESTS" \
        "${targets[@]}" || die "tests failed"
    if [ $# -gt 0 ]; then
        echo "$SUMMARY"
        return 0
    fi
    RESULTS=("our tests on $TEST_DB|$SUMMARY")
    STEPS+=("$(printf '%-6s %5ss  %s' ok $((SECONDS - t0)) "static checks, test database, our tests")")
    step "leads from the website contact form (website_crm)" check_website_channel
    RESULTS+=("website channel on ${TEST_DB}_website|${SUMMARY:-no summary}")
    step "each addon installs alone" check_install_alone
    step "wheels installed with pip, then into a fresh database" check_wheels
    RESULTS+=("our tests from the wheels|${SUMMARY:-no summary}")
    step "crm's own tests on $TEST_DB (demo data)" crm_suite "$TEST_DB"
    RESULTS+=("crm's tests on $TEST_DB|${SUMMARY:-no summary}")
    step "crm's own tests on ${TEST_DB}_nodemo (no demo data)" crm_suite_nodemo
    RESULTS+=("crm's tests on ${TEST_DB}_nodemo|${SUMMARY:-no summary}")
    step "background rescoring killed mid-batch resumes" check_resume
    step "upgrade from the previous release" check_upgrade
    step "workspace cloned anywhere" check_clone_anywhere
    step "existing PostgreSQL server (DB_HOST)" check_existing_server
    step "set-up with an unsupported python3 first on PATH" check_python_choice
    say "Steps of make test ($((SECONDS - t0)) s in all):"
    printf '  %s\n' "${STEPS[@]}" >&2
    report_results
    [ $FAILED = 0 ] || die "some steps failed (see above)"
    say "All tests passed, tours included; static checks passed; each addon installs alone; crm's own tests pass with our addons installed"
}

# count_of WORDS LINE: the sum of the numbers before WORDS in pytest's summary LINE
count_of() {
    echo "$2" | awk -v w="^($1),?$" '{ for (i = 2; i <= NF; i++) if ($i ~ w) s += $(i - 1) } END { print s + 0 }'
}

# the summary line of each pytest run, then their total as the closing line
report_results() {
    local r name line passed=0 failed=0
    for r in "${RESULTS[@]}"; do
        name=${r%%|*}
        line=$(echo "${r#*|}" | sed -E 's/^=+ //; s/ =+$//')
        printf '%-38s %s\n' "$name:" "$line"
        passed=$((passed + $(count_of passed "$line")))
        failed=$((failed + $(count_of 'failed|errors?' "$line")))
    done
    echo "total: $passed passed, $failed failed"
}

# smoke [pytest args]: a database with the addons (no demo data) and the given
# tests, without the static checks (used against an existing server)
cmd_smoke() {
    use_cluster test
    stop_test_cluster_on_exit
    setup
    say "Creating database $TEST_DB with $ADDONS (no demo data) on $(db_host):$DB_PORT"
    build_db "$TEST_DB" nodemo || die "the database could not be built"
    run_pytest "$ROOT" "$TEST_DB" "$WORK_DIR/$TEST_DB-pytest.log" --ignore="$WEBSITE_TESTS" "$@" ||
        die "tests failed"
}

# website-channel: the website contact form's test alone (what `make test`
# runs after our tests)
cmd_website_channel() {
    use_cluster test
    stop_test_cluster_on_exit
    setup
    ensure_chromium
    check_website_channel || die "the website channel test failed"
    echo "$SUMMARY"
}

# crm-suite: crm's own tests on a database with the addons and demo data and on
# one without demo data (what `make test` runs after our tests)
cmd_crm_suite() {
    use_cluster test
    stop_test_cluster_on_exit
    setup
    ensure_chromium
    local db
    RESULTS=()
    for db in "$TEST_DB" "${TEST_DB}_nodemo"; do
        if [ "$db" = "$TEST_DB" ]; then build_db "$db" demo; else build_db "$db" nodemo; fi || die "building $db failed"
        crm_suite "$db" || FAILED=1
        RESULTS+=("crm's tests on $db|${SUMMARY:-no summary}")
    done
    report_results
    [ $FAILED = 0 ] || die "crm's own tests failed"
}

# check-workspace: the workspace checks of `make test` alone
cmd_check_workspace() {
    use_cluster test
    ensure_odoo
    ensure_python
    ensure_postgres
    step "workspace cloned anywhere" check_clone_anywhere
    step "existing PostgreSQL server (DB_HOST)" check_existing_server
    step "set-up with an unsupported python3 first on PATH" check_python_choice
    printf '  %s\n' "${STEPS[@]}" >&2
    [ $FAILED = 0 ] || die "workspace checks failed"
}

cmd_bench() {
    use_cluster test
    stop_test_cluster_on_exit
    setup
    local db=${BENCH_DB:-lead_crm_bench}
    drop_db "$db"
    say "Creating benchmark database $db (no demo data)"
    local extra=
    # the page visits of the engagement benchmark need lead_scoring_website
    case " $* " in *" engagement "* | *"=engagement "*) extra=,website_crm,lead_scoring_website ;; esac
    odoo_bin -d "$db" -i "$ADDONS$extra" --without-demo=all --stop-after-init --log-level=warn ||
        die "installing the addons into $db failed"
    say "Running the benchmark (machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB)"
    # the concurrency benchmark reads the deadlocks of the private cluster's log
    local pg_log=
    [ -n "$DB_HOST" ] || { pg_locate; pg_log=$PG_DIR/server.log; }
    BENCH_PG_LOG=$pg_log \
        PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" "$ROOT/tests/bench/run.py" \
        --config "$CONF" --database "$db" "$@"
}

# screenshots: the addons' screens (tests/screenshots.py) from the database
# `make run` serves (built with demo data when missing), into each addon's
# static/description/; then each addon's Apps page is checked to show its
# description with its pictures (saved into RUN_DIR/screenshots).
# SCREENSHOT_LANGS: languages to shoot in (default en_US; e.g. "en_US vi_VN").
cmd_screenshots() {
    local started= rc=0 lang args=()
    for lang in ${SCREENSHOT_LANGS:-en_US}; do args+=(--lang "$lang"); done
    ensure_chromium
    if ! odoo_pid >/dev/null; then
        cmd_run
        started=1
    fi
    use_cluster run
    if [ -n "${SCREENSHOT_LANGS:-}" ]; then
        # installed with every module loaded: --load-language on an existing
        # database runs before the modules but base are loaded, so it leaves
        # the records of crm and of the addons (lead statuses, stages, scoring
        # rules) untranslated
        printf '%s\n' \
            "langs = env['res.lang'].with_context(active_test=False).search([('code', 'in', '$SCREENSHOT_LANGS'.split())])" \
            "env['base.language.install'].create({'lang_ids': [(6, 0, langs.ids)]}).lang_install()" \
            "env.cr.commit()" |
            odoo_shell -d "$DB_NAME" --no-http --log-level=warn >/dev/null || rc=1
    fi
    [ $rc = 0 ] && { "$VENV/bin/python" "$ROOT/tests/screenshots.py" --url "http://localhost:$HTTP_PORT" \
        --db "$DB_NAME" --check-apps "$RUN_DIR/screenshots" "${args[@]}" || rc=1; }
    if [ -n "$started" ] && pid=$(odoo_pid); then
        kill "$pid"
        rm -f "$RUN_DIR/odoo.pid"
    fi
    [ $rc = 0 ] || die "screenshots failed"
}

cluster_arg() {
    case "${1:-run}" in
        run | test) use_cluster "${1:-run}" ;;
        *) die "unknown cluster '$1' (run or test)" ;;
    esac
}

case "${1:-}" in
    setup) use_cluster run; setup ;;
    python-choice) choose_python; echo "$PYTHON (Python $(py_version "$PYTHON"))" ;;
    python-setup) ensure_python ;;
    run) cmd_run ;;
    stop) cmd_stop ;;
    lint) cmd_lint ;;
    test) shift; cmd_test "$@" ;;
    smoke) shift; cmd_smoke "$@" ;;
    crm-suite) cmd_crm_suite ;;
    website-channel) cmd_website_channel ;;
    check-workspace) cmd_check_workspace ;;
    bench) shift; cmd_bench "$@" ;;
    dist) cmd_dist ;;
    screenshots) cmd_screenshots ;;
    check-wheels) use_cluster test; stop_test_cluster_on_exit; setup; ensure_chromium
        step "wheels installed with pip, then into a fresh database" check_wheels
        printf '  %s\n' "${STEPS[@]}" >&2; echo "$SUMMARY"; [ $FAILED = 0 ] || die "the wheel check failed" ;;
    pg-start) cluster_arg "${2:-}"; pg_start ;;
    pg-dir) cluster_arg "${2:-}"; pg_locate; echo "$PG_DIR" ;;
    psql) cluster_arg "${2:-}"; shift; [ $# = 0 ] || shift; psql_cmd "$@" ;;
    shell) use_cluster run; setup; odoo_shell -d "${2:-$DB_NAME}" ;;
    *) die "usage: $0 setup|run|stop|lint|test [pytest args]|smoke [pytest args]|crm-suite|website-channel|check-workspace|bench [args]|dist|check-wheels|screenshots|pg-start [run|test]|pg-dir [run|test]|psql run|test [psql args]|shell [db]" ;;
esac
