#!/bin/bash
# The MUPDATE benchmark: our mupdate master (release build) against Debian's Cyrus 3.6 mupdate
# master, both on loopback, measured in one run with rounds interleaved (ours, Cyrus, ours, ...).
#
#   bench/run-mupdate.sh [--quick] [--rounds N] [--seconds S] [--rate R] [--no-build]
#                        [--cyrus-seed dbtool|undump]
#
# --quick       100,000 names instead of 1,000,000, one round, 5 s of CREATEs: checks the chain
# --rounds N    rounds per row and master (default 3; --quick: 1)
# --seconds S   length of each propagation round (default 30; --quick: 5)
# --rate R      CREATEs per second during a propagation round (default 20)
# --no-build    use the existing release binary
# --cyrus-seed  how the Cyrus master's mailboxes.db is filled: dbtool (default: cyr_dbtool writes
#               the records byte for byte as the master's own ACTIVATE stores them, ~15 s for 1M)
#               or undump (ctl_mboxlist -u, ~4 min for 1M; Cyrus 3.6.1 skips entries without a
#               uniqueid, which ACTIVATE never stores, so each gets a made-up one: a 2.5x larger
#               database than a real master's, whose dump was 1.3-2x slower here)
#
# Rows: full sync (a fresh list replica receives every name: `murder bench mupdate-sync` and a
# Python reference client, against each master), the replica's and the master's memory, and
# the propagation latency from a backend's CREATE to the MAILBOX line on the master's UPDATE
# stream (bench/mupdate/latency.py; our backend registers with our master, a Cyrus imapd with
# the Cyrus master). Both masters hold the same names (user.uNNNNNNN on two made-up servers),
# seeded offline once and cached in BENCH_DATA/mupdate-cache-<scale>; delete it to seed again.
#
# Environment: BENCH_SCRATCH (SwiftPM scratch folder, default .build-bench), BENCH_DATA (data
# folder, default bench/.data). The table (Markdown) goes to stdout and to
# BENCH_DATA/mupdate-<scale>.md, every sample to BENCH_DATA/mupdate-<scale>.json. Where our
# binary lacks a step (`murder bench mupdate-seed`, `murder bench mupdate-sync`, the mupdate
# role), that step is skipped with a warning and its cells read "n/a"; the Cyrus side still runs.
# Every process started here is stopped by PID on exit, also on failure.
set -euo pipefail

SCALE=full
ROUNDS=
SECONDS_PER_ROUND=
RATE=20
BUILD=1
CYRUS_SEED=dbtool
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SCALE=quick ;;
        --rounds) ROUNDS=$2; shift ;;
        --seconds) SECONDS_PER_ROUND=$2; shift ;;
        --rate) RATE=$2; shift ;;
        --no-build) BUILD=0 ;;
        --cyrus-seed) CYRUS_SEED=$2; shift ;;
        *) echo "usage: $0 [--quick] [--rounds N] [--seconds S] [--rate R] [--no-build] [--cyrus-seed dbtool|undump]" >&2; exit 2 ;;
    esac
    shift
done
case "$CYRUS_SEED" in undump|dbtool) ;; *) echo "--cyrus-seed: undump or dbtool" >&2; exit 2 ;; esac
if [ "$SCALE" = quick ]; then
    COUNT=100000; ROUNDS=${ROUNDS:-1}; SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-5}
else
    COUNT=1000000; ROUNDS=${ROUNDS:-3}; SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-30}
fi

cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=${BENCH_SCRATCH:-.build-bench}
case "$SCRATCH" in /*) ;; *) SCRATCH=$ROOT/$SCRATCH ;; esac
DATA=${BENCH_DATA:-$ROOT/bench/.data}
BENCH=$ROOT/bench/mupdate/mupdatebench.py
LATENCY=$ROOT/bench/mupdate/latency.py
CYRUS_BIN=/usr/lib/cyrus/bin
REALM=bench
MUPDATE_USER=murder
MUPDATE_PW=murderpw
ADMIN_PW=adminpw
# The seeded names' locations: servers that do not exist (nobody connects to them).
SEED_SERVERS=127.0.0.1:1143,127.0.0.1:1144
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
CACHE=$DATA/mupdate-cache-$SCALE
RUN=$DATA/run-mupdate-$SCALE-$$

for tool in saslpasswd2 python3 "$CYRUS_BIN/master" "$CYRUS_BIN/mupdate" "$CYRUS_BIN/imapd" "$CYRUS_BIN/ctl_mboxlist" "$CYRUS_BIN/cyr_dbtool"; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install cyrus-imapd cyrus-murder sasl2-bin python3)" >&2; exit 1; }
done
id cyrus >/dev/null 2>&1 || { echo "no cyrus user: install cyrus-common" >&2; exit 1; }
# Seeding is not measured: without fsync (eatmydata, where installed) it takes minutes.
SEED_WRAPPER=
command -v eatmydata >/dev/null && SEED_WRAPPER=eatmydata

warn() { echo "warning: $*" >&2; }

if [ "$BUILD" = 1 ]; then
    # SwiftPM with a non-default scratch path fails every second build ("unknown build
    # description") when it reuses these two files; removing them avoids it.
    rm -f "$SCRATCH/x86_64-unknown-linux-gnu/release/description.json" "$SCRATCH/x86_64-unknown-linux-gnu/release.yaml"
    swift build -c release --scratch-path "$SCRATCH" --product murder >&2
fi
MURDER=$SCRATCH/release/murder
# What our binary can do today; a missing step leaves its cells "n/a".
OURS_SEED=0
OURS_SYNC=0
OURS_BIN=0
if [ -x "$MURDER" ]; then
    OURS_BIN=1
    # (An unknown subcommand followed by --help prints the top-level help and exits 0: look for
    # the names in `murder bench --help` instead.)
    BENCH_HELP=$("$MURDER" bench --help 2>&1 || true)
    grep -qw mupdate-seed <<< "$BENCH_HELP" && OURS_SEED=1
    grep -qw mupdate-sync <<< "$BENCH_HELP" && OURS_SYNC=1
else
    warn "no release binary at $MURDER: our side is skipped (n/a)"
fi
[ "$OURS_BIN" = 1 ] && [ "$OURS_SEED" = 0 ] && warn "murder has no 'bench mupdate-seed': our master starts empty, our sync rows are n/a"
[ "$OURS_BIN" = 1 ] && [ "$OURS_SYNC" = 0 ] && warn "murder has no 'bench mupdate-sync': the our-replica rows are n/a"

# -- processes -----------------------------------------------------------------------------------

OURS_MASTER_PID=
OURS_BACKEND_PID=
CYRUS_MASTER_PID=
CYRUS_BACKEND_PID=
stop_pid() {
    local pid=$1
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
# A Cyrus master's service processes, by parent PID (collected before the master goes away).
cyrus_children() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
    done
    return 0
}
stop_cyrus() {
    local pid=$1 kids
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kids=$(cyrus_children "$pid")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    fi
}
cleanup() {
    stop_pid "$OURS_BACKEND_PID"; OURS_BACKEND_PID=
    stop_pid "$OURS_MASTER_PID"; OURS_MASTER_PID=
    stop_cyrus "$CYRUS_BACKEND_PID"; CYRUS_BACKEND_PID=
    stop_cyrus "$CYRUS_MASTER_PID"; CYRUS_MASTER_PID=
    rm -rf "$RUN" "$CACHE/cyrus.tmp" "$CACHE/ours.tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port_open() {
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),1).close()" 2>/dev/null
}
add_user() { # sasldb realm user password
    echo "$4" | saslpasswd2 -p -c -f "$1" -u "$2" "$3"
}

# Cyrus instance folder: imapd.conf (from stdin), configdirectory and partition.
cyrus_folder() {
    local C=$1
    mkdir -p "$C/spool"
    for d in socket proc db log sieve lock user quota sync msg ptclient; do mkdir -p "$C/config/$d"; done
    cat > "$C/imapd.conf"
}
cyrus_common_conf() { # folder servername admins
    cat <<EOF
configdirectory: $1/config
defaultpartition: default
partition-default: $1/spool
servername: $2
admins: $3
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $1/sasldb2
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
unixhierarchysep: yes
syslog_prefix: cyrus-bench
EOF
}
# cyrus.conf is line-based (one entry per line, braces on their own lines), and every cmd
# carries -C: children do not inherit the master's.
cyrus_conf() { # folder service-line
    cat > "$1/cyrus.conf" <<EOF
START {
  recover cmd="$CYRUS_BIN/ctl_cyrusdb -C $1/imapd.conf -r"
}
SERVICES {
  $2
}
EVENTS {
}
DAEMON {
}
EOF
}
# start_cyrus FOLDER PORT: the master in its own session (on shutdown it signals its process
# group); prints its PID once the port accepts connections.
start_cyrus() {
    local C=$1 port=$2 pid=
    chown -R cyrus:mail "$C"
    rm -f "$C/master.pid"
    # Its output to a file: a daemon holding this function's stdout would block $(start_cyrus).
    setsid "$CYRUS_BIN/master" -C "$C/imapd.conf" -M "$C/cyrus.conf" -p "$C/master.pid" -d < /dev/null >> "$C/master.log" 2>&1
    for _ in $(seq 200); do
        [ -s "$C/master.pid" ] && port_open "$port" && break
        sleep 0.1
    done
    pid=$(cat "$C/master.pid" 2>/dev/null || true)
    [ -n "$pid" ] && port_open "$port" || { echo "Cyrus master in $C did not start" >&2; [ -n "$pid" ] && stop_cyrus "$pid"; return 1; }
    echo "$pid"
}
# start_ours NAME CONFIG: `murder serve`; sets STARTED_PID and STARTED_PORT (its "listening" line).
start_ours() {
    local name=$1 conf=$2
    STARTED_PORT=
    "$MURDER" serve -c "$conf" > "$RUN/$name.out" 2> "$RUN/$name.err" &
    STARTED_PID=$!
    for _ in $(seq 100); do
        STARTED_PORT=$(awk '/^listening/ {print $2; exit}' "$RUN/$name.out")
        [ -n "$STARTED_PORT" ] && return 0
        kill -0 "$STARTED_PID" 2>/dev/null || break
        sleep 0.1
    done
    warn "our $name did not start (no 'listening <port>' line); its cells are n/a. stderr:"
    tail -5 "$RUN/$name.err" >&2 || true
    stop_pid "$STARTED_PID"
    STARTED_PID=
    return 1
}

# -- seeding (cached) ----------------------------------------------------------------------------

mkdir -p "$CACHE"
if [ ! -f "$CACHE/cyrus.json" ] || [ "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['method'])" "$CACHE/cyrus.json")" != "$CYRUS_SEED" ]; then
    echo "seeding the Cyrus master with $COUNT names ($CYRUS_SEED${SEED_WRAPPER:+, $SEED_WRAPPER}; cached in $CACHE/cyrus)" >&2
    rm -rf "$CACHE/cyrus" "$CACHE/cyrus.json" "$CACHE/cyrus.tmp"
    cyrus_common_conf "$CACHE/cyrus.tmp" cyrus-mupdate "$MUPDATE_USER" | cyrus_folder "$CACHE/cyrus.tmp"
    chown -R cyrus:mail "$CACHE/cyrus.tmp"
    python3 "$BENCH" seed-cyrus --conf "$CACHE/cyrus.tmp/imapd.conf" --count "$COUNT" --servers "$SEED_SERVERS" \
        --method "$CYRUS_SEED" --wrapper "$SEED_WRAPPER" --json "$CACHE/cyrus.tmp/seed.json"
    sync
    mv "$CACHE/cyrus.tmp/seed.json" "$CACHE/cyrus.json.tmp"
    mv "$CACHE/cyrus.tmp" "$CACHE/cyrus"
    mv "$CACHE/cyrus.json.tmp" "$CACHE/cyrus.json"
fi
if [ "$OURS_SEED" = 1 ] && [ ! -f "$CACHE/ours.json" ]; then
    echo "seeding our master with $COUNT names (cached in $CACHE/ours)" >&2
    rm -rf "$CACHE/ours" "$CACHE/ours.tmp"
    mkdir -p "$CACHE/ours.tmp/data"
    t0=$(date +%s.%N)
    if $SEED_WRAPPER "$MURDER" bench mupdate-seed --data-dir "$CACHE/ours.tmp/data" --count "$COUNT" --servers "$SEED_SERVERS" >&2; then
        sync
        t1=$(date +%s.%N)
        mv "$CACHE/ours.tmp" "$CACHE/ours"
        python3 -c "import json,sys; json.dump(dict(count=int(sys.argv[1]), method='murder bench mupdate-seed', seconds=float(sys.argv[3])-float(sys.argv[2]), wrapper=sys.argv[4]), open(sys.argv[5],'w'))" \
            "$COUNT" "$t0" "$t1" "$SEED_WRAPPER" "$CACHE/ours.json"
    else
        warn "murder bench mupdate-seed failed: our master starts empty, our sync rows are n/a"
        OURS_SEED=0
    fi
fi
[ -f "$CACHE/ours.json" ] || OURS_SEED=0

# -- instances for this run ----------------------------------------------------------------------

mkdir -p "$RUN"
SAMPLES=$DATA/mupdate-$SCALE.json
rm -f "$SAMPLES"

# Cyrus mupdate master on a copy of the seeded database.
CM=$RUN/cyrus-master
CM_PORT=$(free_port)
mkdir -p "$CM"
cp -a "$CACHE/cyrus/config" "$CM/config"
rm -f "$CM/config/socket/"* "$CM/config/proc/"*
cyrus_common_conf "$CM" cyrus-mupdate "$MUPDATE_USER" | cyrus_folder "$CM"
add_user "$CM/sasldb2" cyrus-mupdate "$MUPDATE_USER" "$MUPDATE_PW"
cyrus_conf "$CM" "mupdate cmd=\"$CYRUS_BIN/mupdate -C $CM/imapd.conf -m\" listen=\"127.0.0.1:$CM_PORT\" prefork=1"
CYRUS_MASTER_PID=$(start_cyrus "$CM" "$CM_PORT")

# Cyrus backend registering with it. servername host:port: the location is connectable. Cyrus
# reads the master's port only from `mupdate_server: host:port` (mupdate_port is ignored).
CB=$RUN/cyrus-backend
CB_PORT=$(free_port)
{
    cyrus_common_conf "$CB" "127.0.0.1:$CB_PORT" admin
    cat <<EOF
mupdate_server: 127.0.0.1:$CM_PORT
mupdate_port: $CM_PORT
mupdate_username: $MUPDATE_USER
mupdate_authname: $MUPDATE_USER
mupdate_password: $MUPDATE_PW
proxyservers: $MUPDATE_USER
allowallsubscribe: yes
delete_mode: delayed
EOF
} | cyrus_folder "$CB"
add_user "$CB/sasldb2" "127.0.0.1:$CB_PORT" admin "$ADMIN_PW"
cyrus_conf "$CB" "imap cmd=\"$CYRUS_BIN/imapd -C $CB/imapd.conf\" listen=\"127.0.0.1:$CB_PORT\" prefork=5"
CYRUS_BACKEND_PID=$(start_cyrus "$CB" "$CB_PORT")
echo "cyrus: mupdate master pid $CYRUS_MASTER_PID port $CM_PORT; backend pid $CYRUS_BACKEND_PID port $CB_PORT" >&2

# Our master (on a copy of its seeded store) and our backend registering with it.
OM_PORT=
OB_PORT=
if [ "$OURS_BIN" = 1 ]; then
    OM=$RUN/ours-master
    mkdir -p "$OM/data"
    [ "$OURS_SEED" = 1 ] && cp -a "$CACHE/ours/data/." "$OM/data/"
    add_user "$OM/data/sasldb2" "$REALM" "$MUPDATE_USER" "$MUPDATE_PW"
    cat > "$OM/node.toml" <<EOF
servername = "murder-mupdate"
roles = ["mupdate"]
data_dir = "$OM/data"

[mupdate]
listen = ["127.0.0.1:0"]

[auth]
realm = "$REALM"
admins = ["$MUPDATE_USER"]
sasldb = "$OM/data/sasldb2"

[log]
level = "warning"
EOF
    if start_ours ours-master "$OM/node.toml"; then
        OURS_MASTER_PID=$STARTED_PID
        OM_PORT=$STARTED_PORT
        OB=$RUN/ours-backend
        mkdir -p "$OB/data"
        add_user "$OB/data/sasldb2" "$REALM" admin "$ADMIN_PW"
        cat > "$OB/node.toml" <<EOF
servername = "murder-backend"
roles = ["backend"]
data_dir = "$OB/data"

[imap]
listen = ["127.0.0.1:0"]
failed_login_delay_ms = 100

[mupdate]
server = "127.0.0.1:$OM_PORT"
username = "$MUPDATE_USER"
password = "$MUPDATE_PW"

[auth]
realm = "$REALM"
admins = ["admin"]
sasldb = "$OB/data/sasldb2"

[log]
level = "warning"
EOF
        if start_ours ours-backend "$OB/node.toml"; then
            OURS_BACKEND_PID=$STARTED_PID
            OB_PORT=$STARTED_PORT
        fi
        echo "ours: mupdate master pid $OURS_MASTER_PID port $OM_PORT; backend pid ${OURS_BACKEND_PID:-none} port ${OB_PORT:-none}" >&2
    fi
fi

# -- measurements --------------------------------------------------------------------------------

MURDER_SYNC=
[ "$OURS_SYNC" = 1 ] && MURDER_SYNC=$MURDER
echo "full sync of $COUNT names: $ROUNDS round(s)" >&2
for r in $(seq "$ROUNDS"); do
    if [ -n "$OM_PORT" ] && [ "$OURS_SEED" = 1 ]; then
        python3 "$BENCH" sync --side ours --master "127.0.0.1:$OM_PORT:$OURS_MASTER_PID" --user "$MUPDATE_USER" \
            --password "$MUPDATE_PW" --count "$COUNT" --round "$r" --murder "$MURDER_SYNC" --json "$SAMPLES"
    fi
    python3 "$BENCH" sync --side cyrus --master "127.0.0.1:$CM_PORT:$CYRUS_MASTER_PID" --user "$MUPDATE_USER" \
        --password "$MUPDATE_PW" --count "$COUNT" --round "$r" --murder "$MURDER_SYNC" --json "$SAMPLES"
done

echo "propagation: $ROUNDS round(s) of $SECONDS_PER_ROUND s at $RATE CREATE/s" >&2
for r in $(seq "$ROUNDS"); do
    if [ -n "$OB_PORT" ]; then
        python3 "$LATENCY" --side ours --master "127.0.0.1:$OM_PORT" --imap "127.0.0.1:$OB_PORT" \
            --mupdate-user "$MUPDATE_USER" --mupdate-password "$MUPDATE_PW" --admin admin --admin-password "$ADMIN_PW" \
            --user "lat$r" --rate "$RATE" --seconds "$SECONDS_PER_ROUND" --round "$r" --json "$SAMPLES" ||
            warn "the propagation round against our master failed"
    fi
    python3 "$LATENCY" --side cyrus --master "127.0.0.1:$CM_PORT" --imap "127.0.0.1:$CB_PORT" \
        --mupdate-user "$MUPDATE_USER" --mupdate-password "$MUPDATE_PW" --admin admin --admin-password "$ADMIN_PW" \
        --user "lat$r" --rate "$RATE" --seconds "$SECONDS_PER_ROUND" --round "$r" --json "$SAMPLES"
done

[ -f "$SAMPLES" ] || echo '{"samples": []}' > "$SAMPLES"
python3 "$BENCH" report --count "$COUNT" --json "$SAMPLES" --md "$RUN/table.md" > /dev/null

{
    echo "Command: \`bench/run-mupdate.sh$([ "$SCALE" = quick ] && echo " --quick")\`; $(date -u '+%Y-%m-%d %H:%M UTC');" \
        "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), Linux $(uname -r);" \
        "ours: $([ "$OURS_BIN" = 1 ] && echo "\`swift build -c release\`, $(git rev-parse --short HEAD)" || echo "not built");" \
        "Cyrus: $(dpkg-query -W -f '${Package} ${Version}' cyrus-murder 2>/dev/null)."
    echo
    echo "$COUNT names, $ROUNDS round(s) per row and master, interleaved ours / Cyrus; cells: median (min–max) over rounds,"
    echo "propagation percentiles over the CREATEs of all rounds ($RATE CREATE/s for $SECONDS_PER_ROUND s per round)."
    echo
    cat "$RUN/table.md"
    echo
    echo "Seeding the cached masters (not measured; seconds when the cache was built):"
    for side in ours cyrus; do
        [ -f "$CACHE/$side.json" ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"- {sys.argv[2]}: {d['count']:,} names with {d['method']}{' under ' + d['wrapper'] if d['wrapper'] else ''} in {d['seconds']:.1f} s\")" "$CACHE/$side.json" "$side"
    done
    [ "$OURS_BIN" = 1 ] && [ "$OURS_SEED" = 1 ] && [ "$OURS_SYNC" = 1 ] && [ -n "$OB_PORT" ] ||
        echo "- not measured on our side (n/a): $([ "$OURS_BIN" = 1 ] || echo "no binary; ")$([ "$OURS_SEED" = 1 ] || echo "no seeded master; ")$([ "$OURS_SYNC" = 1 ] || echo "no bench mupdate-sync; ")$([ -n "$OB_PORT" ] || echo "no master+backend pair")"
} | tee "$DATA/mupdate-$SCALE.md"
