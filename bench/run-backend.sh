#!/bin/bash
# The backend benchmark: our backend (release build) against Debian's Cyrus imapd 3.6, both on
# loopback, measured in one run with rounds interleaved (ours, Cyrus, ours, Cyrus, ...).
#
#   bench/run-backend.sh [--quick] [--rounds N] [--no-build] [--only KINDS] [--fill-only]
#
# --quick    small counts (about a minute once built): checks that the whole chain works
# --rounds N rounds per row and server (default 3)
# --no-build use the existing release binary
# --only K   measure only these row kinds (comma-separated: append,fetch,select,idle)
# --fill-only build the cache of filled mailboxes (if missing) and stop
#
# Environment: BENCH_SCRATCH (SwiftPM scratch folder, default .build-bench), BENCH_DATA (data
# folder, default bench/.data). Both servers keep their data under BENCH_DATA, on the same
# filesystem. The filled mailboxes (FETCH, SELECT/SEARCH) are cached in BENCH_DATA/cache-<scale>
# and copied for each run; delete that folder to fill them again. The table (Markdown) goes to
# stdout and to BENCH_DATA/backend-<scale>.md, every sample to BENCH_DATA/backend-<scale>.json.
# Every process started here is stopped by PID on exit, also on failure.
set -euo pipefail

SCALE=full
ROUNDS=3
BUILD=1
ONLY=append,fetch,select,idle
FILL_ONLY=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SCALE=quick ;;
        --rounds) ROUNDS=$2; shift ;;
        --no-build) BUILD=0 ;;
        --only) ONLY=$2; shift ;;
        --fill-only) FILL_ONLY=1 ;;
        *) echo "usage: $0 [--quick] [--rounds N] [--no-build] [--only KINDS] [--fill-only]" >&2; exit 2 ;;
    esac
    shift
done

cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=${BENCH_SCRATCH:-.build-bench}
DATA=${BENCH_DATA:-$ROOT/bench/.data}
BENCH=$ROOT/bench/backend/imapbench.py
CYRUS_BIN=/usr/lib/cyrus/bin
REALM=bench
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
CACHE=$DATA/cache-$SCALE
RUN=$DATA/run-$SCALE-$$

for tool in saslpasswd2 python3 "$CYRUS_BIN/master" "$CYRUS_BIN/imapd"; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install cyrus-imapd sasl2-bin python3)" >&2; exit 1; }
done
id cyrus >/dev/null 2>&1 || { echo "no cyrus user: install cyrus-common" >&2; exit 1; }

if [ "$BUILD" = 1 ]; then
    # SwiftPM with a non-default scratch path fails every second build ("unknown build
    # description") when it reuses these two files; removing them avoids it.
    rm -f "$SCRATCH/x86_64-unknown-linux-gnu/release/description.json" "$SCRATCH/x86_64-unknown-linux-gnu/release.yaml"
    swift build -c release --scratch-path "$SCRATCH" --product murder >&2
fi
MURDER=$ROOT/$SCRATCH/release/murder
[ -x "$MURDER" ] || { echo "no release binary at $MURDER (run without --no-build)" >&2; exit 1; }

OURS_PID=
CYRUS_PID=
stop_ours() {
    if [ -n "$OURS_PID" ] && kill -0 "$OURS_PID" 2>/dev/null; then
        kill -TERM "$OURS_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$OURS_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$OURS_PID" 2>/dev/null || true
        wait "$OURS_PID" 2>/dev/null || true
    fi
    OURS_PID=
}
# The master's imapd children, by parent PID (collected before the master goes away).
cyrus_children() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
    done
    return 0
}
stop_cyrus() {
    if [ -n "$CYRUS_PID" ] && kill -0 "$CYRUS_PID" 2>/dev/null; then
        local kids
        kids=$(cyrus_children "$CYRUS_PID")
        kill -TERM "$CYRUS_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$CYRUS_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$CYRUS_PID" 2>/dev/null || true
        for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    fi
    CYRUS_PID=
}
cleanup() {
    stop_ours
    stop_cyrus
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Fresh, empty instances (users in each sasldb, no mailboxes) under $RUN.
init_instances() {
    mkdir -p "$RUN/ours/data" "$RUN/cyrus/spool"
    for d in socket proc db log sieve lock user quota sync msg ptclient; do mkdir -p "$RUN/cyrus/config/$d"; done
    { echo admin adminpw; python3 "$BENCH" users --scale "$SCALE" | sed 's/$/ pw/'; } |
        while read -r user pass; do
            echo "$pass" | saslpasswd2 -p -c -f "$RUN/ours/data/sasldb2" -u "$REALM" "$user"
        done
    cp "$RUN/ours/data/sasldb2" "$RUN/cyrus/sasldb2"
}

# Writes the configs for the instances in $RUN (paths and the Cyrus port change per run).
write_configs() {
    CYRUS_PORT=$(free_port)
    cat > "$RUN/ours/node.toml" <<EOF
servername = "$REALM"
data_dir = "$RUN/ours/data"

[imap]
listen = ["127.0.0.1:0"]
failed_login_delay_ms = 100
max_connections_per_host = 5000

[auth]
realm = "$REALM"
admins = ["admin"]

[log]
level = "warning"
EOF
    local C=$RUN/cyrus
    cat > "$C/imapd.conf" <<EOF
configdirectory: $C/config
defaultpartition: default
partition-default: $C/spool
servername: $REALM
admins: admin
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $C/sasldb2
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
unixhierarchysep: yes
delete_mode: immediate
syslog_prefix: cyrus-bench
EOF
    # One line per entry: cyrus.conf is line-based. Every cmd carries -C (children do not
    # inherit the master's). imapd -U 1: a child serves one connection and exits, so the idle
    # connection row starts each round alike. prefork=32: children start in parallel (with
    # prefork=0 the master starts them one at a time, ~7 logins/s here).
    cat > "$C/cyrus.conf" <<EOF
START {
  recover cmd="$CYRUS_BIN/ctl_cyrusdb -C $C/imapd.conf -r"
}
SERVICES {
  imap cmd="$CYRUS_BIN/imapd -U 1 -C $C/imapd.conf" listen="127.0.0.1:$CYRUS_PORT" prefork=32
}
EVENTS {
}
DAEMON {
}
EOF
    chown -R cyrus:mail "$C"
}

# start_servers [PREFIX]: PREFIX (eatmydata while filling) goes before both servers' commands.
start_servers() {
    local prefix=${1:-}
    write_configs
    : > "$RUN/ours.out"
    $prefix "$MURDER" serve -c "$RUN/ours/node.toml" > "$RUN/ours.out" 2> "$RUN/ours.err" &
    OURS_PID=$!
    OURS_PORT=
    for _ in $(seq 100); do
        OURS_PORT=$(awk '/^listening/ {print $2}' "$RUN/ours.out")
        [ -n "$OURS_PORT" ] && break
        kill -0 "$OURS_PID" 2>/dev/null || { cat "$RUN/ours.err" >&2; echo "our backend did not start" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$OURS_PORT" ] || { echo "our backend printed no port" >&2; exit 1; }

    rm -f "$RUN/cyrus/master.pid"
    # setsid: on shutdown the master signals its whole process group.
    setsid $prefix "$CYRUS_BIN/master" -C "$RUN/cyrus/imapd.conf" -M "$RUN/cyrus/cyrus.conf" -p "$RUN/cyrus/master.pid" -d
    for _ in $(seq 100); do
        [ -s "$RUN/cyrus/master.pid" ] && python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$CYRUS_PORT),1).close()" 2>/dev/null && break
        sleep 0.1
    done
    CYRUS_PID=$(cat "$RUN/cyrus/master.pid" 2>/dev/null || true)
    [ -n "$CYRUS_PID" ] || { echo "Cyrus master did not start" >&2; exit 1; }
    SERVERS="--server ours=127.0.0.1:$OURS_PORT:$OURS_PID --server cyrus=127.0.0.1:$CYRUS_PORT:$CYRUS_PID"
    echo "ours: pid $OURS_PID port $OURS_PORT; cyrus: master pid $CYRUS_PID port $CYRUS_PORT" >&2
}

if [ -f "$CACHE/complete" ]; then
    echo "copying the filled instances from $CACHE" >&2
    mkdir -p "$RUN"
    cp -a "$CACHE/ours" "$CACHE/cyrus" "$CACHE/setup.json" "$RUN/"
    # The copy leaves ~2 GB of dirty pages: without this their writeback would run during the
    # APPEND rows and stretch every fsync of both servers (I/O pressure near 100%).
    sync
else
    echo "filling fresh instances (cached in $CACHE afterwards)" >&2
    rm -rf "$CACHE"
    init_instances
    # Filling is not measured: without fsync (eatmydata, where installed) it takes minutes, not
    # half an hour, on both servers alike. The measured run below has fsync back.
    FILL_PREFIX=
    command -v eatmydata >/dev/null && FILL_PREFIX=eatmydata
    start_servers $FILL_PREFIX
    python3 "$BENCH" setup $SERVERS --scale "$SCALE" --json "$RUN/setup.json"
    stop_ours
    stop_cyrus
    sync
    mkdir -p "$CACHE.tmp"
    cp -a "$RUN/ours" "$RUN/cyrus" "$RUN/setup.json" "$CACHE.tmp/"
    touch "$CACHE.tmp/complete"
    rm -rf "$CACHE"
    mv "$CACHE.tmp" "$CACHE"
fi

[ "$FILL_ONLY" = 1 ] && { echo "filled mailboxes cached in $CACHE" >&2; exit 0; }

SAMPLES=$DATA/backend-$SCALE.json
rm -f "$SAMPLES"
MAIN_KINDS=$(echo "$ONLY" | tr ',' '\n' | { grep -v '^idle$' || true; } | paste -sd, -)
if [ -n "$MAIN_KINDS" ]; then
    start_servers
    python3 "$BENCH" measure $SERVERS --scale "$SCALE" --rounds "$ROUNDS" --only "$MAIN_KINDS" --json "$SAMPLES"
fi
# Idle connections: each round on freshly started servers, so that memory freed by earlier rows
# (and reused by the allocator) does not hide what the connections cost.
echo ",$ONLY," | grep -q ',idle,' || ROUNDS_IDLE=0
for _ in $(seq "${ROUNDS_IDLE:-$ROUNDS}"); do
    stop_ours
    stop_cyrus
    start_servers
    python3 "$BENCH" measure $SERVERS --scale "$SCALE" --rounds 1 --only idle --json "$SAMPLES"
done
python3 "$BENCH" report --scale "$SCALE" --json "$SAMPLES" --md "$RUN/table.md"

{
    echo "Command: \`bench/run-backend.sh$([ "$SCALE" = quick ] && echo " --quick")$([ "$ONLY" != append,fetch,select,idle ] && echo " --only $ONLY")\`; $(date -u '+%Y-%m-%d %H:%M UTC');" \
        "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), Linux $(uname -r);" \
        "ours: \`swift build -c release\`, $("$MURDER" --version 2>/dev/null || git rev-parse --short HEAD);" \
        "Cyrus: $(dpkg-query -W -f '${Package} ${Version}' cyrus-imapd 2>/dev/null)."
    echo
    cat "$RUN/table.md"
    echo
    echo "Filling the cached mailboxes (seconds, measured when the cache was built):"
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [print(f'- {n}: ' + '; '.join(f'{k} {v:.1f} s' for k, v in t.items())) for n, t in d['timings'].items()]" "$RUN/setup.json"
} | tee "$DATA/backend-$SCALE.md"
