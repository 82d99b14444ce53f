#!/bin/bash
# The frontend benchmark: the same IMAP load directly against one of our backends, through our
# frontend and through Debian's Cyrus 3.6 frontend, in one run with rounds interleaved
# (direct, ours, Cyrus, direct, ...). Behind both frontends: our mupdate master and the same
# backend with the same data, so only the frontend differs.
#
#   bench/run-frontend.sh [--quick] [--rounds N] [--no-build] [--keep]
#
# (default)  3 rounds of 5 s per load and target, 1,000 idle connections: about 8 minutes
# --quick    1 round of 1 s per load and 100 idle connections (about a minute once built):
#            checks that the whole chain works
# --rounds N rounds per load and target (default 3; --quick: 1)
# --no-build use the existing release binary
# --keep     keep the run folder (configs and logs of every node) under BENCH_DATA
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
ARGS=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) SCALE=quick ;;
        --rounds) ROUNDS=$2; shift ;;
        --no-build) BUILD=0 ;;
        --keep) KEEP=--keep ;;
        *) echo "usage: $0 [--quick] [--rounds N] [--no-build] [--keep]" >&2; exit 2 ;;
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

# 1,000 idle connections: the load generator holds 1,000 sockets, our frontend 2,000 (client
# and backend side), the backend 2,000.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if [ "$SCALE" = full ] && [ "$NOFILE" != unlimited ] && [ "$NOFILE" -lt 8192 ]; then
    echo "ulimit -n is $NOFILE: 1,000 idle connections need at least 8192 descriptors (raise the hard limit)" >&2
    exit 1
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M')
python3 "$ROOT/bench/frontend/febench.py" --murder "$MURDER" --data "$DATA" --scale "$SCALE" --rounds "$ROUNDS" \
    --json "$DATA/frontend-$SCALE.json" --md "$DATA/frontend-$SCALE.table.md" $KEEP

{
    ENVS=
    [ -n "${BENCH_SCRATCH:-}" ] && ENVS="BENCH_SCRATCH=$BENCH_SCRATCH "
    [ -n "${BENCH_DATA:-}" ] && ENVS="${ENVS}BENCH_DATA=$BENCH_DATA "
    echo "Command: \`${ENVS}bench/run-frontend.sh${ARGS[*]:+ ${ARGS[*]}}\`; $START–$(date -u '+%H:%M UTC');" \
        "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), Linux $(uname -r);" \
        "load average $LOAD_BEFORE before the run, $(cut -d' ' -f1-3 /proc/loadavg) after;" \
        "ours: \`swift build -c release\`, $(git rev-parse --short HEAD), engine nio;" \
        "Cyrus: $(dpkg-query -W -f '${Package} ${Version}' cyrus-imapd 2>/dev/null), $(dpkg-query -W -f '${Package} ${Version}' cyrus-murder 2>/dev/null)."
    echo
    cat "$DATA/frontend-$SCALE.table.md"
} | tee "$DATA/frontend-$SCALE.md"
