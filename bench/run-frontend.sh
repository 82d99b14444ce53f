#!/bin/bash
# The frontend benchmark: the same IMAP load directly against one of our backends (direct),
# through our frontend on the C path (ours-c, engine "uring") and on the pure-Swift path
# (ours-swift, engine "nio"), through Debian's Cyrus 3.6 frontend (cyrus), through nginx's mail
# proxy (nginx) and, for bulk FETCH, through a bare splice(2) relay (splice: the physical
# limit), in one run with rounds interleaved per load. Behind every frontend: our mupdate master
# and the same backend with the same data, so only the frontend differs.
#
#   bench/run-frontend.sh [--quick] [--rounds N] [--no-build] [--keep] [--targets LIST] [--rows LIST]
#
# (default)  3 rounds of 4 s per load and target, then 10,000 and 50,000 idle sessions (Cyrus
#            capped at 1,000): about 25 minutes
# --quick    1 round of 1 s per load, 200 and 1,000 idle sessions (Cyrus: 200), a few minutes
#            once built: checks that the whole chain works
# --rounds N rounds per load and target (default 3; --quick: 1)
# --no-build use the existing release binary
# --keep     keep the run folder (configs and logs of every node) under BENCH_DATA
# --targets  only these targets, comma-separated (direct always): ours-c,ours-swift,cyrus,nginx,splice
# --rows     only these loads, comma-separated: fetch-100k-1, fetch-100k-16, fetch-10m-1,
#            fetch-10m-16, small-1, small-32, cycles, idle
#
# Environment: BENCH_SCRATCH (SwiftPM scratch folder, default .build-bench), BENCH_DATA (data
# folder, default bench/.data). The backend's filled mailboxes are cached in
# BENCH_DATA/fe-cache-<scale> and copied for each run; delete that folder to fill them again.
# The tables (Markdown) go to stdout and to BENCH_DATA/frontend-<scale>.md, every sample to
# BENCH_DATA/frontend-<scale>.json. What runs and how is measured: bench/frontend/febench.py.
# While our binary cannot run a frontend, its cells read "failed: <reason>" and the rest runs.
# Every process started here is stopped by PID on exit, also on failure.
set -euo pipefail

SCALE=full
ROUNDS=0
BUILD=1
KEEP=
FOCUS=()
ARGS=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SCALE=quick ;;
        --rounds) ROUNDS=$2; shift ;;
        --no-build) BUILD=0 ;;
        --keep) KEEP=--keep ;;
        --targets|--rows) FOCUS+=("$1" "$2"); shift ;;
        *) echo "usage: $0 [--quick] [--rounds N] [--no-build] [--keep] [--targets LIST] [--rows LIST]" >&2; exit 2 ;;
    esac
    shift
done

cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=${BENCH_SCRATCH:-.build-bench}
case "$SCRATCH" in /*) ;; *) SCRATCH=$ROOT/$SCRATCH ;; esac
DATA=${BENCH_DATA:-$ROOT/bench/.data}
CYRUS_BIN=/usr/lib/cyrus/bin
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)

for tool in saslpasswd2 python3 "$CYRUS_BIN/master" "$CYRUS_BIN/imapd" "$CYRUS_BIN/mupdate" "$CYRUS_BIN/ctl_cyrusdb"; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install cyrus-imapd cyrus-murder sasl2-bin python3)" >&2; exit 1; }
done
NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$NGINX" ] && [ -f /usr/lib/nginx/modules/ngx_mail_module.so ] ||
    echo "no nginx mail proxy (apt-get install nginx-light libnginx-mod-mail): its cells will say failed" >&2
id cyrus >/dev/null 2>&1 || { echo "no cyrus user: install cyrus-common" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root: the Cyrus frontend's folders belong to cyrus:mail" >&2; exit 1; }
[ -d /dev/shm ] || { echo "no /dev/shm: the Cyrus frontend keeps its proc and lock folders on a tmpfs" >&2; exit 1; }
# Cyrus's folders must be reachable by the cyrus user.
d=$DATA
while [ "$d" != / ]; do
    (( 0$(stat -c %a "$d") & 1 )) || { echo "$d is not searchable by the cyrus user (chmod o+x)" >&2; exit 1; }
    d=$(dirname "$d")
done

if [ "$BUILD" = 1 ]; then
    # SwiftPM with a non-default scratch path fails every second build ("unknown build
    # description") when it reuses these two files; removing them avoids it.
    rm -f "$SCRATCH/x86_64-unknown-linux-gnu/release/description.json" "$SCRATCH/x86_64-unknown-linux-gnu/release.yaml"
    swift build -c release --scratch-path "$SCRATCH" --product murder >&2
fi
MURDER=$SCRATCH/release/murder
[ -x "$MURDER" ] || { echo "no release binary at $MURDER (run without --no-build)" >&2; exit 1; }

# The bare splice relay, compiled for this run (the reference row of bulk FETCH).
CC=${CC:-/opt/swift/usr/bin/clang}
command -v "$CC" >/dev/null || CC=cc
SPLICE=$DATA/splice-relay
if ! "$CC" -O2 -o "$SPLICE" "$ROOT/bench/splice-relay.c" -lpthread >&2; then
    echo "bench/splice-relay.c did not compile: its cells will say failed" >&2
    SPLICE=
fi

# 50,000 idle sessions: the load generator holds 50,000 sockets, a frontend 100,000 (client and
# backend side; nginx's one worker as much), the backend 50,000. Every process started from
# here inherits the limit.
# Raising the hard limit needs CAP_SYS_RESOURCE; without it febench.py opens as many sessions
# as the limit allows (half of it) and projects the 50,000 row.
ulimit -n 250000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ "$NOFILE" -lt 120000 ]; then
    echo "ulimit -n is $NOFILE (the hard limit; raising it needs CAP_SYS_RESOURCE): fewer idle sessions than asked, the 50,000 row projected" >&2
fi
# 50,000 connections from 127.0.0.1 to one port (client -> frontend, and frontend -> backend)
# need more than the default 28,232 ephemeral ports: widen the range for the run and put it
# back on exit; where the sysctl is read-only, spread the client's sockets over the source
# addresses 127.0.0.2… instead (which helps the client side only).
PORTS_WAS=$(sysctl -n net.ipv4.ip_local_port_range | tr -s '\t ' ' ')
SOURCES=1
restore_ports() { [ -n "${PORTS_SET:-}" ] && sysctl -qw net.ipv4.ip_local_port_range="$PORTS_WAS" || true; }
trap restore_ports EXIT
if sysctl -qw net.ipv4.ip_local_port_range="1024 65535" 2>/dev/null; then
    PORTS_SET=1
    PORTS_NOTE="ephemeral ports widened to 1024-65535 for the run (was $PORTS_WAS)"
else
    SOURCES=4
    PORTS_NOTE="net.ipv4.ip_local_port_range is read-only ($PORTS_WAS): idle client sockets spread over 127.0.0.2-127.0.0.5"
fi
echo "ulimit -n $NOFILE; $PORTS_NOTE" >&2

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M')
python3 "$ROOT/bench/frontend/febench.py" --murder "$MURDER" --data "$DATA" --scale "$SCALE" --rounds "$ROUNDS" \
    --splice-relay "$SPLICE" --sources "$SOURCES" \
    --json "$DATA/frontend-$SCALE.json" --md "$DATA/frontend-$SCALE.table.md" $KEEP ${FOCUS[@]+"${FOCUS[@]}"}

{
    ENVS=
    [ -n "${BENCH_SCRATCH:-}" ] && ENVS="BENCH_SCRATCH=$BENCH_SCRATCH "
    [ -n "${BENCH_DATA:-}" ] && ENVS="${ENVS}BENCH_DATA=$BENCH_DATA "
    echo "Command: \`${ENVS}bench/run-frontend.sh${ARGS[*]:+ ${ARGS[*]}}\`; $START–$(date -u '+%H:%M UTC');" \
        "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), Linux $(uname -r);" \
        "load average $LOAD_BEFORE before the run, $(cut -d' ' -f1-3 /proc/loadavg) after;" \
        "ours: \`swift build -c release\`, $(git rev-parse --short HEAD) (backend on engine nio);" \
        "Cyrus: $(dpkg-query -W -f '${Package} ${Version}' cyrus-imapd 2>/dev/null), $(dpkg-query -W -f '${Package} ${Version}' cyrus-murder 2>/dev/null);" \
        "nginx: $(dpkg-query -W -f '${Package} ${Version}' nginx-light 2>/dev/null), $(dpkg-query -W -f '${Package} ${Version}' libnginx-mod-mail 2>/dev/null), one worker, proxy_buffer 64k;" \
        "splice relay: bench/splice-relay.c, pipes of 64 KiB, $("$CC" --version 2>/dev/null | head -1 | sed 's/ (.*//') -O2;" \
        "ulimit -n $NOFILE; $PORTS_NOTE."
    echo
    cat "$DATA/frontend-$SCALE.table.md"
} | tee "$DATA/frontend-$SCALE.md"
