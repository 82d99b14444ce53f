#!/usr/bin/env python3
"""MUPDATE benchmark driver: our mupdate master against Cyrus's, rounds interleaved.

    mupdatebench.py seed-cyrus --conf imapd.conf --count N --servers H:P,H:P [--method dbtool|undump]
    mupdatebench.py sync --side ours|cyrus --master HOST:PORT:PID --user U --password P
                         --count N --round R [--murder PATH] --json samples.json
    mupdatebench.py report --json samples.json --md table.md --count N

`seed-cyrus` fills a stopped Cyrus mupdate master's mailboxes.db offline with N ACTIVE remote
records `user.uNNNNNNN` (location `<server>!default`, ACL `uNNNNNNN lrswipkxtecdan`), the
servers taken in turn. Method `dbtool` (default) writes the database keys directly in one
transaction with `cyr_dbtool -T ... set`, byte for byte what the master's own ACTIVATE stores;
method `undump` feeds `ctl_mboxlist -u` its JSON form in chunks (Cyrus 3.6.1 skips entries
without a uniqueid, so each gets a made-up one that ACTIVATE never stores). `sync` measures one fresh full sync against one
master: our list replica (`murder bench mupdate-sync`, when the binary has it) and a Python
reference client that keeps the list in a dict, then the master's resident memory. `report`
writes the Markdown table. bench/run-mupdate.sh starts the servers and calls these; latency.py
measures propagation.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mupdatewire import MupdateConnection, read_dump  # noqa: E402

CYRUS_BIN = os.environ.get("CYRUS_BIN", "/usr/lib/cyrus/bin")
RIGHTS = "lrswipkxtecdan"
SEED_CHUNK = 100_000
SYNC_TIMEOUT = 900.0


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# -- processes -----------------------------------------------------------------------------------


def read_stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2 :].split()
    return dict(comm=data[data.index("(") + 1 : data.rindex(")")], ppid=int(fields[1]),
                utime=int(fields[11]), stime=int(fields[12]))


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(pid):
    """pid and its live descendants (a Cyrus master and its service processes)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = read_stat(int(entry))
            if st:
                parent[int(entry)] = st["ppid"]
    found = {pid}
    frontier = {pid}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier and p not in found}
        found |= frontier
    return sorted(p for p in found if p in parent)


def tree_rss_kib(pid):
    return sum(status_kib(p, "VmRSS") for p in process_tree(pid))


def tree_cpu_seconds(pid):
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        st = read_stat(p)
        if st:
            total += st["utime"] + st["stime"]
    return total / tick


# -- samples -------------------------------------------------------------------------------------


def load_samples(path):
    if path and os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {"samples": []}


def append_sample(path, sample):
    data = load_samples(path)
    data["samples"].append(sample)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def parse_endpoint(text):
    """HOST:PORT or HOST:PORT:PID -> (host, port, pid or None)."""
    parts = text.rsplit(":", 2)
    if len(parts) == 3:
        return parts[0], int(parts[1]), int(parts[2])
    host, port = text.rsplit(":", 1)
    return host, int(port), None


# -- seeding a Cyrus master ----------------------------------------------------------------------


def seed_names(count, servers):
    for i in range(1, count + 1):
        yield i, f"u{i:07d}", servers[i % len(servers)]


def undump_chunk(first, last, servers):
    """The `ctl_mboxlist -u` input for records first..last: one JSON object keyed by internal
    name. Cyrus 3.6.1 skips an entry without `uniqueid` ("missing uniqueid"), so each gets a
    made-up one; `mtime` is ignored (set to now); `mbtype` "r" is a remote mailbox."""
    out = ["{\n"]
    for i in range(first, last + 1):
        user = f"u{i:07d}"
        server = servers[i % len(servers)]
        sep = ",\n" if i < last else "\n"
        out.append(
            f'"user.{user}": {{"uidvalidity": "0", "createdmodseq": "0", "foldermodseq": "0", '
            f'"uniqueid": "{i:08x}-0000-4000-8000-00000000b0b0", "mbtype": "r", "partition": "default", '
            f'"server": "{server}", "acl": {{"{user}": "{RIGHTS}"}}}}{sep}'
        )
    out.append("}\n")
    return "".join(out).encode()


def run_checked(args, stdin_bytes=None, timeout=1800):
    r = subprocess.run(args, input=stdin_bytes, capture_output=True, timeout=timeout)
    err = r.stderr.decode(errors="replace").strip()
    if r.returncode != 0 or err:
        raise SystemExit(f"{' '.join(args[:4])}... failed (exit {r.returncode}): {err[:2000]}")
    return r.stdout


def seed_cyrus(conf, count, servers, method, wrapper):
    config_dir = None
    with open(conf) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "configdirectory":
                config_dir = value.strip()
    if not config_dir:
        raise SystemExit(f"{conf}: no configdirectory")
    prefix = [wrapper] if wrapper else []
    t0 = time.monotonic()
    if method == "undump":
        for first in range(1, count + 1, SEED_CHUNK):
            last = min(count, first + SEED_CHUNK - 1)
            run_checked(prefix + [f"{CYRUS_BIN}/ctl_mboxlist", "-C", conf, "-u"], undump_chunk(first, last, servers))
            log(f"  undumped {last:,} of {count:,} records ({time.monotonic() - t0:.0f} s)")
        # One empty lock file per user was left behind; a copy of the folder need not carry them.
        lock = os.path.join(config_dir, "lock")
        shutil.rmtree(lock)
        os.mkdir(lock)
        shutil.chown(lock, "cyrus", "mail")
    else:
        # Keys and values exactly as `ACTIVATE name server!default acl` stores them in 3.6.1:
        # key "N" + name with the hierarchy separator as 0x1F, value a dlist.
        mtime = int(time.time())
        lines = "".join(
            f"Nuser\x1f{user}\t%(T er P default S {server} M {mtime} A %({user} {RIGHTS}))\n"
            for _, user, server in seed_names(count, servers)
        ).encode()
        db = os.path.join(os.path.abspath(config_dir), "mailboxes.db")
        run_checked(prefix + [f"{CYRUS_BIN}/cyr_dbtool", "-C", conf, "-n", "-T", db, "twoskip", "set"], lines)
        subprocess.run(["chown", "-R", "cyrus:mail", config_dir], check=True)
    seeded = time.monotonic() - t0
    # Check: the database holds exactly these records, as Cyrus itself dumps them.
    dump = run_checked([f"{CYRUS_BIN}/ctl_mboxlist", "-C", conf, "-d"])
    found = sum(1 for line in dump.splitlines() if line.startswith(b'"user.u'))
    if found != count:
        raise SystemExit(f"seeded {count} records but ctl_mboxlist -d lists {found}")
    log(f"  seeded {count:,} records with {method} in {seeded:.1f} s; ctl_mboxlist -d lists {found:,}")
    return seeded


# -- full sync -----------------------------------------------------------------------------------


def python_sync(host, port, user, password):
    """A fresh replica in Python: connect, authenticate, `UPDATE`, keep every record in a dict
    until the tagged OK. Seconds from sending UPDATE to the OK."""
    conn = MupdateConnection(host, port)
    try:
        conn.authenticate(user, password)
        replica = {}

        def keep(keyword, args):
            replica[args[0]] = (keyword, args[1:])

        t0 = time.monotonic()
        conn.send("U1 UPDATE")
        records, status, args = read_dump(conn, "U1", time.monotonic() + SYNC_TIMEOUT, keep)
        seconds = time.monotonic() - t0
        if status != b"OK":
            raise SystemExit(f"UPDATE answered {status!r} {args!r}")
        return dict(records=len(replica), seconds=seconds, bytes=conn.bytes_read)
    finally:
        conn.close()


def raw_sync(host, port, user, password):
    """How fast the master sends its dump, with the client out of the way: after `U1 UPDATE`,
    read bytes until the tagged completion, only counting record lines (no parsing; the
    seeded names hold no CRLF). Seconds from sending UPDATE to the completion."""
    conn = MupdateConnection(host, port)
    try:
        conn.authenticate(user, password)
        sock = conn.sock
        marks = (b"\r\nU1 MAILBOX ", b"\r\nU1 RESERVE ")
        ends = (b"\r\nU1 OK ", b"\r\nU1 NO ", b"\r\nU1 BAD ")
        tail = b"\r\n" + bytes(conn.buf[conn.pos:])
        records = sum(tail.count(m) for m in marks)
        total = 0
        t0 = time.monotonic()
        deadline = t0 + SYNC_TIMEOUT
        sock.send(b"U1 UPDATE\r\n")
        while not any(e in tail for e in ends):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no UPDATE completion before the deadline")
            sock.settimeout(left)
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise SystemExit("the master closed the connection during the dump")
            total += len(chunk)
            window = tail[-16:] + chunk
            records += sum(window.count(m) - tail[-16:].count(m) for m in marks)
            tail = window
        seconds = time.monotonic() - t0
        if not any(tail[tail.rfind(b"\r\nU1 "):].startswith(e) for e in ends[:1]):
            raise SystemExit(f"UPDATE did not complete with OK: {tail[-200:]!r}")
        return dict(records=records, seconds=seconds, bytes=total)
    finally:
        conn.close()


def murder_sync(murder, host, port, user, password):
    """Our list replica: `murder bench mupdate-sync ... --json` prints one JSON line."""
    args = [murder, "bench", "mupdate-sync", "--server", f"{host}:{port}", "--user", user,
            "--password", password, "--json"]
    r = subprocess.run(args, capture_output=True, timeout=SYNC_TIMEOUT, text=True, errors="replace")
    if r.returncode != 0:
        log(f"  murder bench mupdate-sync failed (exit {r.returncode}): {r.stderr.strip()[:500]}")
        return None
    for line in reversed(r.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    log(f"  murder bench mupdate-sync printed no JSON: {r.stdout.strip()[:500]}")
    return None


def sync_round(a):
    host, port, pid = parse_endpoint(a.master)
    base = dict(server=a.side, round=a.round)
    rss_before = tree_rss_kib(pid) if pid else 0
    cpu_before = tree_cpu_seconds(pid) if pid else 0.0
    if a.murder:
        res = murder_sync(a.murder, host, port, a.user, a.password)
        if res is not None:
            if res.get("records") != a.count:
                log(f"  warning: our replica received {res.get('records')} records, expected {a.count}")
            append_sample(a.json, dict(base, row="sync_replica", **res))
            log(f"  round {a.round} {a.side}: our replica {res.get('records')} records in "
                f"{res.get('seconds', 0):.2f} s, RSS {res.get('rss_kib', 0) / 1024:.0f} MiB")
    res = raw_sync(host, port, a.user, a.password)
    if res["records"] != a.count:
        log(f"  warning: the raw read counted {res['records']} records, expected {a.count}")
    append_sample(a.json, dict(base, row="sync_raw", **res))
    log(f"  round {a.round} {a.side}: raw read of the dump {res['records']} records, "
        f"{res['bytes'] / 1e6:.0f} MB in {res['seconds']:.2f} s")
    res = python_sync(host, port, a.user, a.password)
    if res["records"] != a.count:
        log(f"  warning: the Python client received {res['records']} records, expected {a.count}")
    master_cpu = (tree_cpu_seconds(pid) - cpu_before) if pid else None
    append_sample(a.json, dict(base, row="sync_python", **res))
    rss_after = tree_rss_kib(pid) if pid else 0
    append_sample(a.json, dict(base, row="master_rss", rss_before_kib=rss_before, rss_kib=rss_after,
                               cpu_seconds_syncs=master_cpu))
    log(f"  round {a.round} {a.side}: Python client {res['records']} records in {res['seconds']:.2f} s; "
        f"master RSS {rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MiB")


# -- report --------------------------------------------------------------------------------------


def fmt(x):
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(values):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    if len(values) == 1:
        return fmt(values[0])
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def report(samples, count, md_path):
    by = {}
    for s in samples:
        by.setdefault((s["row"], s["server"]), []).append(s)

    def per_round(row, side, key, scale=1.0):
        return [s[key] * scale if s.get(key) is not None else None for s in by.get((row, side), [])]

    def pooled_latency(side):
        xs = sorted(x for s in by.get(("latency", side), []) for x in s["latencies_ms"])
        return xs

    def lat_cell(side, p):
        xs = pooled_latency(side)
        if not by.get(("latency", side)):
            return "n/a"
        if p == "max":
            return fmt(xs[-1]) if xs else "n/a"
        return fmt(percentile(xs, p))

    def sum_cell(side, key):
        rs = by.get(("latency", side), [])
        return "n/a" if not rs else f"{sum(s[key] for s in rs):,} of {sum(s['count'] for s in rs):,}"

    names = f"{count:,}"
    rows = [
        (f"full sync of {names} names, our replica (s)", [cell(per_round("sync_replica", x, "seconds")) for x in ("ours", "cyrus")], "< 10"),
        ("replica peak RSS (MiB)", [cell(per_round("sync_replica", x, "rss_kib", 1 / 1024)) for x in ("ours", "cyrus")], "—"),
        ("replica heap per record (KiB)", [cell(per_round("sync_replica", x, "heap_kib_per_record")) for x in ("ours", "cyrus")], "—"),
        (f"full sync of {names} names, raw read of the dump (s)", [cell(per_round("sync_raw", x, "seconds")) for x in ("ours", "cyrus")], "—"),
        (f"full sync of {names} names, Python client (s)", [cell(per_round("sync_python", x, "seconds")) for x in ("ours", "cyrus")], "—"),
        ("master RSS after the syncs (MiB)", [cell(per_round("master_rss", x, "rss_kib", 1 / 1024)) for x in ("ours", "cyrus")], "—"),
        ("propagation CREATE → UPDATE stream p50 (ms)", [lat_cell(x, 50) for x in ("ours", "cyrus")], "—"),
        ("propagation p99 (ms)", [lat_cell(x, 99) for x in ("ours", "cyrus")], "< 100"),
        ("propagation max (ms)", [lat_cell(x, "max") for x in ("ours", "cyrus")], "—"),
        ("names never seen within 10 s", [sum_cell(x, "missing") for x in ("ours", "cyrus")], "0"),
        ("CREATE failed at the backend", [sum_cell(x, "failed") for x in ("ours", "cyrus")], "0"),
        ("backend CREATE round trip p50 (ms)", [cell(per_round("latency", x, "create_rtt_p50_ms")) for x in ("ours", "cyrus")], "—"),
    ]
    lines = ["| row | ours | Cyrus | goal |", "| --- | ---: | ---: | ---: |"]
    for label, (o, c), goal in rows:
        lines.append(f"| {label} | {o} | {c} | {goal} |")
    extra = []
    for side in ("ours", "cyrus"):
        rs = by.get(("latency", side), [])
        if rs:
            extra.append(
                f"- {side}: {len(rs)} latency round(s) of {rs[0]['seconds']:g} s at {rs[0]['rate']:g} CREATE/s "
                f"over {rs[0]['connections']} connections; per-round p99 "
                f"{', '.join(fmt(s['p99_ms']) for s in rs)} ms; largest send lag behind schedule "
                f"{fmt(max(s['max_send_lag_ms'] for s in rs))} ms; UPDATE dump before streaming "
                f"{', '.join(str(s['dump_records']) for s in rs)} records"
            )
        ms = by.get(("master_rss", side), [])
        if ms:
            extra.append(f"- {side}: master CPU during the syncs of a round {cell([s.get('cpu_seconds_syncs') for s in ms])} s; "
                         f"master RSS before the first sync {fmt(ms[0]['rss_before_kib'] / 1024)} MiB")
    text = "\n".join(lines) + ("\n\n" + "\n".join(extra) if extra else "") + "\n"
    with open(md_path, "w") as f:
        f.write(text)
    return text


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["seed-cyrus", "sync", "report"])
    p.add_argument("--conf", help="seed-cyrus: the imapd.conf of the (stopped) master")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--servers", default="127.0.0.1:1143,127.0.0.1:1144")
    p.add_argument("--method", choices=["dbtool", "undump"], default="dbtool")
    p.add_argument("--wrapper", default="", help="seed-cyrus: command prefix, e.g. eatmydata")
    p.add_argument("--side", choices=["ours", "cyrus"])
    p.add_argument("--master", help="HOST:PORT:PID of the mupdate master (PID: for its memory)")
    p.add_argument("--user", default="murder")
    p.add_argument("--password", default="")
    p.add_argument("--murder", default="", help="our binary, when it has `bench mupdate-sync`")
    p.add_argument("--round", type=int, default=1)
    p.add_argument("--json")
    p.add_argument("--md")
    a = p.parse_args()
    if a.action == "seed-cyrus":
        seconds = seed_cyrus(a.conf, a.count, a.servers.split(","), a.method, a.wrapper)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(dict(count=a.count, method=a.method, seconds=seconds, wrapper=a.wrapper), f)
    elif a.action == "sync":
        sync_round(a)
    else:
        print(report(load_samples(a.json)["samples"], a.count, a.md), end="")


if __name__ == "__main__":
    main()
