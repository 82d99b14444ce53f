#!/usr/bin/env python3
"""Frontend benchmark driver: the same IMAP load directly against a backend (A), through our
frontend (B) and through a Cyrus 3.6 frontend (C), rounds interleaved A B C per load.

    febench.py --murder PATH --data DIR [--scale quick|full] [--rounds N] --json out.json --md out.md

One murder serves all three: our mupdate master, one of our backends (the same data behind
every target, seeded once and cached in DIR/fe-cache-<scale>), our frontend and a Cyrus
frontend whose list replica follows OUR master and whose imapd proxies to OUR backend, so
only the frontend differs between B and C. bench/run-frontend.sh builds the binary and calls
this; every process started here is stopped by PID on exit, also on failure or Ctrl-C.

Loads (loads.py), each a fixed time window per round: bulk `UID FETCH … BODY.PEEK[]` of
100 KiB messages (10 per command) and 10 MiB messages (one per command) on 1 and 16
connections; `UID FETCH <uid> (FLAGS)` one outstanding per connection on 1 and 32
connections; connect+LOGIN+SELECT+LOGOUT cycles on 4 threads; N connections in IDLE (memory
per connection, each round on freshly started frontends). A frontend that does not start or
fails a load gets "failed: <reason>" in its cells; the run goes on.
"""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "backend"))
sys.path.insert(0, str(HERE.parent / "mupdate"))

import loads  # noqa: E402
import messages  # noqa: E402
from imapclient import Client, IMAPError, quote  # noqa: E402
from mupdatewire import MupdateConnection, read_dump  # noqa: E402
from nodes import CyrusFrontend, OurNode, add_sasl_user, free_port  # noqa: E402

KB = 1024
MB = 1024 * 1024
REALM = "bench"
PASSWORD = "pw"
ADMIN = ("admin", "adminpw")
MURDER = ("murder", "murderpw")
CYRUS_SERVERNAME = "cyrus-frontend"
SMALL_USERS = 32
SMALL_MESSAGES = 20
FETCH_BATCH_100K = 10
CYCLE_WORKERS = 4
VISIBLE_TIMEOUT = 90.0

SCALES = {
    "quick": dict(seconds=1.0, rounds=1, f100k=50, f10m=4, idle=100, idle_users=10),
    "full": dict(seconds=5.0, rounds=3, f100k=100, f10m=8, idle=1000, idle_users=100),
}
TARGETS = ("direct", "ours", "cyrus")
TARGET_LABELS = {"direct": "direct to backend", "ours": "our frontend", "cyrus": "Cyrus frontend"}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# -- data ----------------------------------------------------------------------------------------


def users(scale):
    return (["fetch"] + [f"s{i:02d}" for i in range(SMALL_USERS)]
            + [f"idle{i:03d}" for i in range(scale["idle_users"])])


def fetch_plan(scale):
    """(mailbox, message size, message count, [(command, expected literal bytes)])."""
    n100 = scale["f100k"]
    cmds100 = [(f"UID FETCH {a}:{min(n100, a + FETCH_BATCH_100K - 1)} BODY.PEEK[]",
                (min(n100, a + FETCH_BATCH_100K - 1) - a + 1) * 100 * KB)
               for a in range(1, n100 + 1, FETCH_BATCH_100K)]
    cmds10m = [(f"UID FETCH {i} BODY.PEEK[]", 10 * MB) for i in range(1, scale["f10m"] + 1)]
    return {"100k": ("INBOX/f100k", 100 * KB, n100, cmds100), "10m": ("INBOX/f10m", 10 * MB, scale["f10m"], cmds10m)}


def rows(scale):
    """(key, label, kind, spec) in table order."""
    out = []
    plan = fetch_plan(scale)
    for size_key, label in (("100k", f"100 KB × {FETCH_BATCH_100K} per command"), ("10m", "10 MB, one per command")):
        for conns in (1, 16):
            out.append((f"fetch-{size_key}-{conns}", f"UID FETCH BODY.PEEK[], {label}, {conns} conn{'s' if conns > 1 else ''}",
                        "fetch", dict(plan=plan[size_key], conns=conns)))
    for conns in (1, 32):
        out.append((f"small-{conns}", f"UID FETCH n (FLAGS), one outstanding, {conns} conn{'s' if conns > 1 else ''}",
                    "small", dict(conns=conns)))
    out.append(("cycles", f"connect+LOGIN+SELECT+LOGOUT, {CYCLE_WORKERS} in parallel", "cycles", {}))
    return out


def seed(host, port, scale):
    """Creates every user's INBOX (as the admin) and fills the mailboxes; returns timings."""
    timings = {}
    t0 = time.perf_counter()
    c = Client(host, port)
    c.login(*ADMIN)
    for u in users(scale):
        c.command(f"CREATE {quote('user/' + u)}").check("CREATE user/" + u)
    c.logout()
    timings["create INBOXes"] = time.perf_counter() - t0
    c = Client(host, port)
    c.login("fetch", PASSWORD)
    for box, size, count, _ in fetch_plan(scale).values():
        t0 = time.perf_counter()
        c.command(f"CREATE {quote(box)}").check("CREATE " + box)
        per = max(1, 8 * MB // size)
        for start in range(0, count, per):
            c.append(box, [messages.sized_message(size, i) for i in range(start, min(count, start + per))])
        timings[f"fill {count} x {size // KB} KB"] = time.perf_counter() - t0
    c.logout()
    t0 = time.perf_counter()
    for i in range(SMALL_USERS):
        c = Client(host, port)
        c.login(f"s{i:02d}", PASSWORD)
        rng = random.Random(i)
        c.append("INBOX", [messages.small_message(k, set(), rng) for k in range(SMALL_MESSAGES)])
        c.logout()
    timings[f"fill {SMALL_USERS} x {SMALL_MESSAGES} small messages"] = time.perf_counter() - t0
    return timings


def mailbox_count(scale):
    return len(users(scale)) + len(fetch_plan(scale))


# -- targets -------------------------------------------------------------------------------------


class Target:
    """Where a load connects, and whose CPU and memory count as the frontend's."""

    def __init__(self, name, node=None):
        self.name = name
        self.node = node
        self.host = "127.0.0.1"
        self.port = None
        self.failed = None

    def fail(self, reason):
        self.failed = " ".join(str(reason).split())
        log(f"  {self.name}: failed: {self.failed}")


class Bench:
    def __init__(self, a):
        self.a = a
        self.scale = SCALES[a.scale]
        self.rounds = a.rounds or self.scale["rounds"]
        self.data = Path(a.data).resolve()
        self.run_dir = self.data / f"fe-run-{a.scale}-{os.getpid()}"
        self.shm = Path("/dev/shm") / f"murder-febench-{os.getpid()}"
        self.cache = self.data / f"fe-cache-{a.scale}"
        self.nodes = []
        self.master = self.backend = None
        self.targets = {n: Target(n) for n in TARGETS}
        self.samples = {}
        self.info = dict(scale=a.scale, rounds=self.rounds, seconds=self.scale["seconds"], idle=self.scale["idle"])
        self.eatmydata = shutil.which("eatmydata")

    # -- processes

    def started(self, node):
        self.nodes.append(node)
        return node.start()

    def cleanup(self):
        for node in reversed(self.nodes):
            try:
                node.stop()
            except Exception as e:  # keep stopping the others
                log(f"stopping {node}: {e}")
        if not self.a.keep:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        shutil.rmtree(self.shm, ignore_errors=True)

    def password_file(self):
        p = self.run_dir / "murder.pw"
        p.write_text(MURDER[1] + "\n")
        return p

    def our_master(self, folder):
        self.master_port = free_port()
        return OurNode(self.a.murder, folder, {
            "": dict(servername="murder-mupdate", roles=["mupdate"], data_dir=str(folder / "data")),
            "mupdate": dict(listen=[f"127.0.0.1:{self.master_port}"]),
            "auth": dict(realm=REALM, admins=[MURDER[0]], sasldb=str(self.sasldb)),
            "log": dict(level="warning"),
        })

    def our_backend(self, folder, prefix=()):
        self.backend_port = free_port()
        address = f"127.0.0.1:{self.backend_port}"
        return OurNode(self.a.murder, folder, {
            "": dict(servername=address, roles=["backend"], data_dir=str(folder / "data"), engine="nio"),
            "imap": dict(listen=[address], failed_login_delay_ms=100, max_connections=50000,
                         max_connections_per_host=50000),
            "mupdate": dict(server=f"127.0.0.1:{self.master_port}", username=MURDER[0],
                            password_file=str(self.password_file())),
            "auth": dict(realm=REALM, admins=[ADMIN[0]], proxy_identities=[MURDER[0]], sasldb=str(self.sasldb)),
            "log": dict(level="warning"),
        }, prefix)

    def our_frontend(self, folder):
        pw = str(self.password_file())
        return OurNode(self.a.murder, folder, {
            "": dict(servername="frontend1", roles=["frontend"], data_dir=str(folder / "data"), engine="nio"),
            "imap": dict(listen=["127.0.0.1:0"], failed_login_delay_ms=100, max_connections=50000,
                         max_connections_per_host=50000),
            "auth": dict(realm=REALM, admins=[ADMIN[0]], sasldb=str(self.sasldb)),
            "mupdate": dict(server=f"127.0.0.1:{self.master_port}", username=MURDER[0], password_file=pw),
            "proxy": dict(username=MURDER[0], password_file=pw, placement="most-free", servers=[],
                          backend_timeout_seconds=30),
            "log": dict(level="warning"),
        })

    def wait_master(self, expected):
        """Until our master lists `expected` names (the backend reconciled with it)."""
        deadline = time.monotonic() + VISIBLE_TIMEOUT
        seen = -1
        while time.monotonic() < deadline:
            try:
                m = MupdateConnection("127.0.0.1", self.master_port)
                m.authenticate(*MURDER)
                m.send("L1 LIST")
                seen, _, _ = read_dump(m, "L1", time.monotonic() + 30)
                m.close()
                if seen >= expected:
                    return
            except Exception as e:  # the master or backend is still starting
                seen = f"{seen} ({e})"
            time.sleep(0.3)
        raise RuntimeError(f"our master lists {seen} names, expected {expected}")

    def wait_visible(self, target):
        """Until the target serves the last mailboxes created (its list replica has them)."""
        probes = [("fetch", "EXAMINE", fetch_plan(self.scale)["10m"][0]),
                  (f"idle{self.scale['idle_users'] - 1:03d}", "EXAMINE", "INBOX"),
                  (f"s{SMALL_USERS - 1:02d}", "EXAMINE", "INBOX")]
        deadline = time.monotonic() + VISIBLE_TIMEOUT
        last = None
        for user, verb, box in probes:
            while True:
                try:
                    c = Client(target.host, target.port, timeout=30)
                    try:
                        c.login(user, PASSWORD)
                        r = c.command(f"{verb} {quote(box)}")
                    finally:
                        c.logout()
                    if r.status == "OK":
                        break
                    last = f"{verb} {box} as {user}: {r.status} {r.text}"
                except (IMAPError, OSError) as e:
                    last = f"{verb} {box} as {user}: {e}"
                if time.monotonic() > deadline:
                    raise RuntimeError(f"not serving the seeded mailboxes after {VISIBLE_TIMEOUT:.0f} s ({last})")
                time.sleep(0.3)

    def start_ours(self):
        t = self.targets["ours"]
        try:
            node = self.started(self.our_frontend(self.run_dir / "ours-frontend"))
            t.node, t.port = node, node.port
            self.wait_visible(t)
        except Exception as e:  # our frontend may not run yet: its cells say why
            t.fail(e)

    def start_cyrus(self):
        t = self.targets["cyrus"]
        if t.node is None:
            node = CyrusFrontend(self.run_dir / "cyrus-frontend", self.shm, CYRUS_SERVERNAME, self.master_port,
                                 [f"127.0.0.1:{self.backend_port}"], *MURDER)
            for u in users(self.scale):
                node.add_user(u, PASSWORD)
            node.add_user(*ADMIN)
            self.nodes.append(node)
            t.node, t.port = node, node.port
        t.node.start()
        self.wait_visible(t)

    def restart(self, name):
        t = self.targets[name]
        if name == "direct":
            self.backend.stop()
            self.backend.start()
            return
        if t.failed:
            return
        if name == "ours":
            t.node.stop()
            try:
                t.node.start()
                t.port = t.node.port
                self.wait_visible(t)
            except Exception as e:  # our frontend may not run yet: its cells say why
                t.fail(f"restart: {e}")
        else:
            t.node.stop()
            self.start_cyrus()

    # -- setup

    def setup(self):
        self.run_dir.mkdir(parents=True)
        self.shm.mkdir(parents=True)
        self.sasldb = self.run_dir / "sasldb2"
        for u in users(self.scale):
            add_sasl_user(self.sasldb, REALM, u, PASSWORD)
        add_sasl_user(self.sasldb, REALM, *ADMIN)
        add_sasl_user(self.sasldb, REALM, *MURDER)

        backend_dir = self.run_dir / "backend"
        if not (self.cache / "complete").is_file():
            log(f"seeding the backend (cached in {self.cache} afterwards)")
            shutil.rmtree(self.cache, ignore_errors=True)
            prefix = [self.eatmydata] if self.eatmydata else []
            master = self.started(self.our_master(self.run_dir / "seed-master"))
            backend = self.started(self.our_backend(backend_dir, prefix))
            timings = seed("127.0.0.1", backend.port, self.scale)
            backend.stop()
            master.stop()
            subprocess.run(["sync"], check=False)
            tmp = Path(str(self.cache) + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            shutil.copytree(backend_dir / "data", tmp / "data")
            (tmp / "seed.json").write_text(json.dumps(dict(timings=timings, wrapper=self.eatmydata or "")))
            (tmp / "complete").touch()
            tmp.rename(self.cache)
        else:
            log(f"backend data from {self.cache}")
            shutil.copytree(self.cache / "data", backend_dir / "data")
        self.info["seed"] = json.loads((self.cache / "seed.json").read_text())

        # The measured murder: a fresh master, which the backend's reconciliation fills.
        self.master = self.started(self.our_master(self.run_dir / "master"))
        self.backend = self.started(self.our_backend(backend_dir))
        d = self.targets["direct"]
        d.node, d.port = self.backend, self.backend.port
        self.wait_master(mailbox_count(self.scale))
        log(f"master :{self.master_port} pid {self.master.pid}; backend :{self.backend_port} pid {self.backend.pid}")
        self.start_ours()
        self.start_cyrus()
        ours = self.targets["ours"]
        log(f"our frontend: {'failed: ' + ours.failed if ours.failed else f'port {ours.port} pid {ours.node.pid}'}")
        log(f"Cyrus frontend: port {self.targets['cyrus'].port} master pid {self.targets['cyrus'].node.pid}")

    # -- measurement

    def frontend_cpu(self, t):
        return None if t.name == "direct" else t.node.cpu_seconds()

    def add(self, key, t, sample):
        self.samples.setdefault(key, {}).setdefault(t.name, []).append(sample)

    def load_for(self, t, kind, spec):
        secs = self.scale["seconds"]
        if kind == "fetch":
            box, _, _, cmds = spec["plan"]
            return loads.BulkFetch(t, ("fetch", PASSWORD), box, [c for c, _ in cmds], [n for _, n in cmds],
                                   spec["conns"], secs)
        logins = [(f"s{i:02d}", PASSWORD) for i in range(SMALL_USERS)]
        if kind == "small":
            return loads.SmallCommands(t, logins, SMALL_MESSAGES, spec["conns"], secs)
        return loads.LoginCycles(t, logins, CYCLE_WORKERS, secs)

    def earlier_failure(self, key, t):
        """The reason a target failed this row in an earlier round (it is not tried again)."""
        if t.failed:
            return t.failed
        bad = [s["failed"] for s in self.samples.get(key, {}).get(t.name, []) if "failed" in s]
        return bad[0] if bad else None

    def one_round(self, key, kind, spec, t):
        reason = self.earlier_failure(key, t)
        if reason:
            self.add(key, t, dict(failed=reason))
            return
        load = self.load_for(t, kind, spec)
        try:
            load.prepare()
            f0, b0 = self.frontend_cpu(t), self.backend.cpu_seconds()
            w = load.run()
            f1, b1 = self.frontend_cpu(t), self.backend.cpu_seconds()
        except Exception as e:  # a failing target is reported, never fatal
            reason = " ".join(str(e).split()) or type(e).__name__
            if t.node is not None and not t.node.running:
                t.fail(f"the process exited ({reason})")
            self.add(key, t, dict(failed=reason))
            log(f"  {t.name}: failed: {reason}")
            return
        finally:
            load.close()
        s = dict(ops=w.ops, bytes=w.bytes, wall=w.wall, client_cpu=w.client_cpu,
                 frontend_cpu=None if f0 is None else f1 - f0, backend_cpu=b1 - b0,
                 latencies=[round(x, 6) for x in w.latencies])
        self.add(key, t, s)
        rate = f"{w.bytes / 1e6 / w.wall:,.0f} MB/s" if w.bytes else f"{w.ops / w.wall:,.0f} ops/s"
        fe = "" if f0 is None else f", frontend CPU {f1 - f0:.2f} s"
        log(f"  {t.name}: {rate} ({w.ops} ops in {w.wall:.2f} s{fe}, backend CPU {b1 - b0:.2f} s, "
            f"client CPU {100 * w.client_cpu / w.wall:.0f}%)")

    def idle_round(self, t):
        """Memory per idle connection: the target's (fresh) serving processes with N IDLE
        connections minus with none, after a short warm-up."""
        reason = self.earlier_failure("idle", t)
        if reason:
            self.add("idle", t, dict(failed=reason))
            return
        probe = self.backend if t.name == "direct" else t.node
        logins = [(f"idle{i:03d}", PASSWORD) for i in range(self.scale["idle_users"])]
        try:
            warm = loads.IdleConnections(t, logins, 16)
            warm.open()
            warm.close()
            time.sleep(1.0)
            before = probe.memory_kib()
            idle = loads.IdleConnections(t, logins, self.scale["idle"])
            try:
                wall, cpu = idle.open()
                time.sleep(2.0)
                after = probe.memory_kib()
            finally:
                idle.close()
        except Exception as e:  # a failing target is reported, never fatal
            reason = " ".join(str(e).split()) or type(e).__name__
            if t.node is not None and not t.node.running:
                t.fail(f"the process exited ({reason})")
            self.add("idle", t, dict(failed=reason))
            log(f"  {t.name}: failed: {reason}")
            return
        n = self.scale["idle"]
        s = dict(rss_kib=(after[0] - before[0]) / n, pss_kib=(after[1] - before[1]) / n, rss_before=before[0],
                 rss_after=after[0], pss_before=before[1], pss_after=after[1], processes=after[2],
                 open_wall=wall, client_cpu=cpu)
        self.add("idle", t, s)
        log(f"  {t.name}: RSS +{s['rss_kib']:.1f} KiB, PSS +{s['pss_kib']:.1f} KiB per connection; "
            f"{n} opened in {wall:.1f} s; {after[2]} process(es)")

    def measure(self):
        for key, label, kind, spec in rows(self.scale):
            log(f"row: {label}")
            for r in range(self.rounds):
                for name in TARGETS:
                    self.one_round(key, kind, spec, self.targets[name])
        log(f"row: {self.scale['idle']} idle connections (each round on freshly started servers)")
        for r in range(self.rounds):
            for name in TARGETS:
                self.restart(name)
                self.idle_round(self.targets[name])

    def write(self):
        with open(self.a.json, "w") as f:
            json.dump(dict(info=self.info, samples=self.samples), f)
        with open(self.a.md, "w") as f:
            f.write(report(self.scale, self.info, self.samples))


# -- report --------------------------------------------------------------------------------------


def fmt(x):
    if x is None:
        return "—"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def short(reason, n=60):
    return reason if len(reason) <= n else reason[: n - 1] + "…"


def good(samples):
    return [s for s in samples if "failed" not in s]


def failure(samples):
    bad = [s["failed"] for s in samples if "failed" in s]
    return f"failed: {short(bad[0])}" if bad else None


def spread(values):
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def percentile(values, p):
    xs = sorted(values)
    if not xs:
        return None
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def throughput(kind, s):
    return s["bytes"] / 1e6 / s["wall"] if kind == "fetch" else s["ops"] / s["wall"]


def per_unit(kind, s, cpu):
    """CPU seconds per GB (fetch) or per 10,000 operations."""
    if cpu is None:
        return None
    return cpu / (s["bytes"] / 1e9) if kind == "fetch" else cpu / s["ops"] * 10000


def report(scale, info, samples):
    out = []
    rs = rows(scale)
    unit = {"fetch": "MB/s", "small": "commands/s", "cycles": "cycles/s"}
    cpu_unit = {"fetch": "s/GB", "small": "s/10k commands", "cycles": "s/10k cycles"}
    reasons = {}

    def cell(key, name, fn, how=spread):
        xs = samples.get(key, {}).get(name, [])
        ok = good(xs)
        if not ok:
            f = failure(xs)
            if f:
                reasons.setdefault(name, set()).update(s["failed"] for s in xs if "failed" in s)
            return f or "n/a"
        vals = [fn(s) for s in ok]
        vals = [v for v in vals if v is not None]
        return how(vals) if vals else "—"

    def median_of(key, name, fn):
        ok = good(samples.get(key, {}).get(name, []))
        vals = [fn(s) for s in ok]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    out.append("Throughput, median (min–max) over rounds; goal: our frontend ≥ 2× Cyrus's frontend.")
    out.append("")
    out.append("| load | unit | direct to backend | our frontend | Cyrus frontend | ours ÷ Cyrus | goal | met |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for key, label, kind, spec in rs:
        tp = lambda s, k=kind: throughput(k, s)  # noqa: E731
        mo, mc = median_of(key, "ours", tp), median_of(key, "cyrus", tp)
        ratio = f"{mo / mc:.2f}×" if mo and mc else "—"
        met = "—" if not (mo and mc) else ("yes" if mo / mc >= 2 else "**no**")
        out.append(f"| {label} | {unit[kind]} | {cell(key, 'direct', tp)} | {cell(key, 'ours', tp)} | "
                   f"{cell(key, 'cyrus', tp)} | {ratio} | ≥ 2× | {met} |")
    out.append("")
    out.append("Latency per command (per cycle for the cycles row) over every round, p50 / p99 in ms.")
    out.append("")
    out.append("| load | direct to backend | our frontend | Cyrus frontend |")
    out.append("| --- | ---: | ---: | ---: |")

    def lat(key, name):
        xs = samples.get(key, {}).get(name, [])
        ok = good(xs)
        if not ok:
            return failure(xs) or "n/a"
        allv = [x for s in ok for x in s["latencies"]]
        if not allv:
            return "—"
        return f"{fmt(percentile(allv, 50) * 1000)} / {fmt(percentile(allv, 99) * 1000)}"

    for key, label, kind, spec in rs:
        out.append(f"| {label} | {lat(key, 'direct')} | {lat(key, 'ours')} | {lat(key, 'cyrus')} |")
    out.append("")
    out.append("CPU seconds per GB delivered (FETCH rows) or per 10,000 commands / cycles, median over rounds: the "
               "frontend's process (Cyrus: its master and every child, live or reaped), then the backend's in each "
               "setup, then the load generator's CPU share of the wall time.")
    out.append("")
    out.append("| load | unit | frontend: ours | frontend: Cyrus | Cyrus ÷ ours | backend: direct / via ours / via Cyrus "
               "| client CPU direct / ours / Cyrus |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for key, label, kind, spec in rs:
        fe = lambda s, k=kind: per_unit(k, s, s["frontend_cpu"])  # noqa: E731
        be = lambda s, k=kind: per_unit(k, s, s["backend_cpu"])  # noqa: E731
        med = lambda vals: fmt(statistics.median(vals))  # noqa: E731
        fo, fc = median_of(key, "ours", fe), median_of(key, "cyrus", fe)
        ratio = f"{fc / fo:.2f}×" if fo and fc else "—"
        bes = " / ".join(cell(key, n, be, med) if good(samples.get(key, {}).get(n, [])) else "—" for n in TARGETS)
        cl = " / ".join(
            (f"{100 * statistics.median(s['client_cpu'] / s['wall'] for s in good(samples[key][n])):.0f}%"
             if good(samples.get(key, {}).get(n, [])) else "—") for n in TARGETS)
        out.append(f"| {label} | {cpu_unit[kind]} | {cell(key, 'ours', fe, med)} | {cell(key, 'cyrus', fe, med)} | "
                   f"{ratio} | {bes} | {cl} |")
    out.append("")
    n = info["idle"]
    out.append(f"Memory per idle connection: {n} connections LOGIN, SELECT INBOX and IDLE (opened 16 at a time after "
               "a 16-connection warm-up) on freshly started servers; memory with them open minus just before, "
               "divided by their number; median (min–max) over rounds. Direct: our backend's process; ours: our "
               "frontend's process; Cyrus: every child of its master. Goal: our frontend under 64 KiB.")
    out.append("")
    out.append("| | direct (backend) | our frontend | Cyrus frontend |")
    out.append("| --- | ---: | ---: | ---: |")
    mo = median_of("idle", "ours", lambda s: s["rss_kib"])
    out.append(f"| **KiB per idle connection** (RSS; Cyrus: PSS) | {cell('idle', 'direct', lambda s: s['rss_kib'])} | "
               f"{cell('idle', 'ours', lambda s: s['rss_kib'])}"
               f"{'' if mo is None else (' — goal < 64: ' + ('met' if mo < 64 else '**not met**'))} | "
               f"{cell('idle', 'cyrus', lambda s: s['pss_kib'])} |")
    out.append(f"| RSS per idle connection (KiB) | {cell('idle', 'direct', lambda s: s['rss_kib'])} | "
               f"{cell('idle', 'ours', lambda s: s['rss_kib'])} | {cell('idle', 'cyrus', lambda s: s['rss_kib'])} |")
    out.append(f"| PSS per idle connection (KiB) | {cell('idle', 'direct', lambda s: s['pss_kib'])} | "
               f"{cell('idle', 'ours', lambda s: s['pss_kib'])} | {cell('idle', 'cyrus', lambda s: s['pss_kib'])} |")
    def before_after(name):
        if not good(samples.get("idle", {}).get(name, [])):
            return cell("idle", name, None)
        return " / ".join(cell("idle", name, lambda s, k=k: s[k] / 1024) for k in ("rss_before", "rss_after"))

    out.append(f"| RSS before / with them (MiB) | {before_after('direct')} | {before_after('ours')} | "
               f"{before_after('cyrus')} |")
    procs = lambda vals: f"{statistics.median(vals):.0f}"  # noqa: E731
    out.append(f"| serving processes with them | {cell('idle', 'direct', lambda s: s['processes'], procs)} | "
               f"{cell('idle', 'ours', lambda s: s['processes'], procs)} | "
               f"{cell('idle', 'cyrus', lambda s: s['processes'], procs)} |")
    out.append(f"| connections opened per second | {cell('idle', 'direct', lambda s: n / s['open_wall'])} | "
               f"{cell('idle', 'ours', lambda s: n / s['open_wall'])} | "
               f"{cell('idle', 'cyrus', lambda s: n / s['open_wall'])} |")
    if reasons:
        out.append("")
        for name, rs_ in reasons.items():
            for r in sorted(rs_):
                out.append(f"- {TARGET_LABELS[name]} failed: {r}")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--murder", required=True, help="the release murder binary")
    p.add_argument("--data", required=True, help="data folder (cache and run folders)")
    p.add_argument("--scale", choices=sorted(SCALES), default="full")
    p.add_argument("--rounds", type=int, default=0)
    p.add_argument("--json", required=True)
    p.add_argument("--md", required=True)
    p.add_argument("--keep", action="store_true", help="keep the run folder (configs, logs)")
    a = p.parse_args()
    bench = Bench(a)

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        bench.setup()
        bench.measure()
        bench.write()
    finally:
        bench.cleanup()


if __name__ == "__main__":
    main()
