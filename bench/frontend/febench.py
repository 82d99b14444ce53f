#!/usr/bin/env python3
"""Frontend benchmark driver: the same IMAP load against six targets, rounds interleaved
per load (direct, ours-c, ours-swift, cyrus, nginx, splice, direct, …), medians reported.

    febench.py --murder PATH --data DIR [--scale quick|full] [--rounds N] [--splice-relay BIN]
               [--sources N] [--targets LIST] [--rows LIST] --json out.json --md out.md

--targets and --rows narrow a run to some targets (direct is always there) and loads, for a
focused comparison; cells of what was not measured read "—".

    direct      one of our backends, no frontend
    ours-c      our frontend, engine "uring": the C core (io_uring loops; the C relay, splicing
                large literals, while a mailbox is selected)
    ours-swift  our frontend, engine "nio": the pure-Swift engine and the session's Swift relay
    cyrus       a Cyrus 3.6 frontend whose list replica follows OUR master and whose imapd
                proxies to OUR backend
    nginx       nginx's mail proxy (one worker) in front of the backend: an auth_http server in
                this process (a thread) names the backend for every login, nginx logs in there
                with the client's password, then relays
    splice      bench/splice-relay.c: a bare splice(2) relay to the backend, no login of its
                own (the client logs in at the backend through it); the physical limit,
                measured on the bulk FETCH rows only

Every frontend sees the same backend, data and list, so only the frontend differs.
bench/run-frontend.sh builds the binaries and calls this; every process started here is
stopped by PID on exit, also on failure or Ctrl-C.

Loads (loads.py), each a fixed time window per round: bulk `UID FETCH … BODY.PEEK[]` of
100 KiB messages (10 per command) and 10 MiB messages (one per command) on 1 and 16
connections; `UID FETCH <uid> (FLAGS)` one outstanding per connection on 1 and 32
connections; connect+LOGIN+SELECT+LOGOUT cycles on 4 threads; then N idle sessions (LOGIN,
SELECT INBOX, IDLE; opened by one selector loop) for each N of the scale, one round each, on
freshly started servers (memory per session and in total). A target that does not start or
fails a load gets "failed: <reason>" in its cells; the run goes on.
"""

import argparse
import http.server
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
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
from nodes import CyrusFrontend, NginxMailProxy, OurNode, SpliceRelay, add_sasl_user, free_port  # noqa: E402

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

# idle: the session counts, one round each; idle_cap: the most a target opens (Cyrus forks a
# process per session, about 3 MiB PSS each: 10,000 of them would not fit in this machine's
# 24 GiB, so it stops at 1,000).
SCALES = {
    "quick": dict(seconds=1.0, rounds=1, f100k=50, f10m=4, idle=(200, 1000), idle_users=10,
                  idle_cap=dict(cyrus=200)),
    "full": dict(seconds=4.0, rounds=3, f100k=100, f10m=8, idle=(10000, 50000), idle_users=100,
                 idle_cap=dict(cyrus=1000)),
}
TARGETS = ("direct", "ours-c", "ours-swift", "cyrus", "nginx", "splice")
ALL_TARGETS = TARGETS  # TARGETS may be narrowed by --targets; the goal ratios look up every name
TARGET_LABELS = {"direct": "direct to backend", "ours-c": "ours, C path (uring)",
                 "ours-swift": "ours, Swift path (nio)", "cyrus": "Cyrus frontend", "nginx": "nginx mail proxy",
                 "splice": "splice relay"}
SHORT = {"direct": "direct", "ours-c": "ours C", "ours-swift": "ours Swift", "cyrus": "Cyrus", "nginx": "nginx",
         "splice": "splice"}
ENGINES = {"ours-c": "uring", "ours-swift": "nio"}
# The load kinds a target runs (the rest: every kind).
ONLY = {"splice": {"fetch"}}
IDLE_PARALLEL = 64
# Cyrus's master forks an imapd per session at its own pace, and which queued connection a
# child accepts next is arbitrary: with 64 waiting, one can starve past the 30 s timeout.
IDLE_PARALLEL_BY = {"cyrus": 16}
# imap.max_connections and max_connections_per_host of our backend and frontends for the run.
MAX_SESSIONS = 120000
# The idle-session goal: this many in our C path's frontend under 1 GiB.
GOAL_IDLE = 50000


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

    def runs(self, kind):
        return kind in ONLY.get(self.name, {kind})

    def fail(self, reason):
        self.failed = " ".join(str(reason).split())
        log(f"  {self.name}: failed: {self.failed}")


class AuthHTTP:
    """nginx's auth_http server, a thread of this process: every login goes to the backend
    (`Auth-Status: OK`, `Auth-Server: 127.0.0.1`, `Auth-Port: <backend port>`); the backend
    checks the password when nginx logs in there with it."""

    def __init__(self, backend_port):
        owner = self
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                owner.requests += 1
                self.send_response(200)
                self.send_header("Auth-Status", "OK")
                self.send_header("Auth-Server", "127.0.0.1")
                self.send_header("Auth-Port", str(backend_port))
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 1024  # the listen backlog: nginx asks many at once
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


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
        self.auth = None
        # A frontend holds two descriptors per session (client and backend side): the
        # descriptor limit bounds the idle counts (the rest is projected in the report).
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        self.max_idle = None if nofile == resource.RLIM_INFINITY else max(16, (nofile - 300) // 2)
        self.idle_counts = tuple(sorted({n if self.max_idle is None else min(n, self.max_idle)
                                         for n in self.scale["idle"]}))
        self.info = dict(scale=a.scale, rounds=self.rounds, seconds=self.scale["seconds"], idle=self.idle_counts,
                         idle_wanted=self.scale["idle"], nofile=None if self.max_idle is None else nofile,
                         idle_cap=self.scale["idle_cap"], sources=a.sources)
        self.eatmydata = shutil.which("eatmydata")

    # -- processes

    def started(self, node):
        self.nodes.append(node)
        return node.start()

    def cleanup(self):
        if self.auth is not None:
            self.auth.stop()
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
            "imap": dict(listen=[address], failed_login_delay_ms=100, max_connections=MAX_SESSIONS,
                         max_connections_per_host=MAX_SESSIONS),
            "mupdate": dict(server=f"127.0.0.1:{self.master_port}", username=MURDER[0],
                            password_file=str(self.password_file())),
            "auth": dict(realm=REALM, admins=[ADMIN[0]], proxy_identities=[MURDER[0]], sasldb=str(self.sasldb)),
            "log": dict(level="warning"),
        }, prefix)

    def our_frontend(self, folder, engine):
        pw = str(self.password_file())
        return OurNode(self.a.murder, folder, {
            "": dict(servername="frontend1", roles=["frontend"], data_dir=str(folder / "data"), engine=engine),
            "imap": dict(listen=["127.0.0.1:0"], failed_login_delay_ms=100, max_connections=MAX_SESSIONS,
                         max_connections_per_host=MAX_SESSIONS),
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

    def start_ours(self, name):
        t = self.targets[name]
        try:
            if t.node is None:
                t.node = self.our_frontend(self.run_dir / f"{name}-frontend", ENGINES[name])
                self.nodes.append(t.node)
            t.node.start()
            t.port = t.node.port
            if ENGINES[name] == "uring" and not uring_fds(t.node.pid):
                t.node.stop()
                raise RuntimeError("engine uring fell back to nio (no io_uring instance in the process; "
                                   f"see {t.node.log_path})")
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

    def start_nginx(self):
        t = self.targets["nginx"]
        try:
            if t.node is None:
                if self.auth is None:
                    self.auth = AuthHTTP(self.backend_port)
                t.node = NginxMailProxy(self.run_dir / "nginx", self.auth.port, max(self.idle_counts) + 1000)
                self.nodes.append(t.node)
                t.port = t.node.port
            t.node.start()
            self.wait_visible(t)
        except Exception as e:  # reported in its cells
            t.fail(e)

    def start_splice(self):
        t = self.targets["splice"]
        try:
            if not self.a.splice_relay:
                raise RuntimeError("no splice-relay binary (bench/splice-relay.c did not compile)")
            if t.node is None:
                t.node = SpliceRelay(self.a.splice_relay, self.run_dir / "splice", self.backend_port)
                self.nodes.append(t.node)
            t.node.start()
            t.port = t.node.port
        except Exception as e:  # reported in its cells
            t.fail(e)

    def start(self, name):
        if name in ENGINES:
            self.start_ours(name)
        elif name == "cyrus":
            self.start_cyrus()
        elif name == "nginx":
            self.start_nginx()
        elif name == "splice":
            self.start_splice()

    def restart(self, name):
        t = self.targets[name]
        if name == "direct":
            self.backend.stop()
            self.backend.start()
            time.sleep(1.0)
            self.backend_fds = open_fds(self.backend.pid)
            return
        if t.failed:
            return
        t.node.stop()
        try:
            self.start(name)
        except Exception as e:  # Cyrus raises; every target's cells say why
            t.fail(e)
        if t.failed:
            t.failed = f"restart: {t.failed}"

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
        self.backend_fds = open_fds(self.backend.pid)
        log(f"master :{self.master_port} pid {self.master.pid}; backend :{self.backend_port} pid {self.backend.pid}")
        for name in TARGETS[1:]:
            self.start(name)
            t = self.targets[name]
            log(f"{TARGET_LABELS[name]}: " + (f"failed: {t.failed}" if t.failed else f"port {t.port} pid {t.node.pid}"))

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
        if not t.runs(kind):
            return
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
            if not self.backend.running:
                reason = f"the backend exited with status {self.backend.proc.returncode} ({reason})"
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

    def idle_count(self, name, n):
        cap = self.scale["idle_cap"].get(name)
        return n if cap is None else min(n, cap)

    def idle_round(self, t, n):
        """Memory per idle session: the target's (fresh) serving processes with `count` IDLE
        sessions minus with none (after a 16-session warm-up), and in total with them."""
        key = f"idle-{n}"
        count = self.idle_count(t.name, n)
        reason = self.earlier_failure(key, t)
        if reason:
            self.add(key, t, dict(failed=reason))
            return
        probe = self.backend if t.name == "direct" else t.node
        logins = [(f"idle{i:03d}", PASSWORD) for i in range(self.scale["idle_users"])]
        try:
            warm = loads.IdleConnections(t, logins, 16, sources=self.a.sources)
            warm.open()
            warm.close()
            self.wait_drained()
            time.sleep(1.0)
            before = probe.memory_kib()
            idle = loads.IdleConnections(t, logins, count, IDLE_PARALLEL_BY.get(t.name, IDLE_PARALLEL),
                                         sources=self.a.sources)
            f0 = None if t.name == "direct" else probe.cpu_seconds()
            try:
                wall, cpu = idle.open()
                time.sleep(2.0)
                after = probe.memory_kib()
                f1 = None if f0 is None else probe.cpu_seconds()
            finally:
                idle.close()
                self.wait_drained()
        except Exception as e:  # a failing target is reported, never fatal
            reason = " ".join(str(e).split()) or type(e).__name__
            if t.node is not None and not t.node.running:
                t.fail(f"the process exited ({reason})")
            if not self.backend.running:
                reason = f"the backend exited with status {self.backend.proc.returncode} ({reason})"
            self.add(key, t, dict(failed=reason))
            log(f"  {t.name}: failed: {reason}")
            return
        s = dict(n=count, rss_kib=(after[0] - before[0]) / count, pss_kib=(after[1] - before[1]) / count,
                 rss_before=before[0], rss_after=after[0], pss_before=before[1], pss_after=after[1],
                 processes=after[2], open_wall=wall, client_cpu=cpu,
                 open_cpu=None if f0 is None else f1 - f0)
        self.add(key, t, s)
        log(f"  {t.name}: {count} sessions: RSS +{s['rss_kib']:.1f} KiB, PSS +{s['pss_kib']:.1f} KiB per session, "
            f"RSS {after[0] / 1024:,.0f} MiB in total; opened in {wall:.1f} s; {after[2]} process(es)")

    def wait_drained(self, timeout=120.0):
        """Until the backend has closed the sessions of the round before (also those behind a
        frontend): its open descriptors back to where they were after startup, or unchanged
        for 3 s. A backend still closing 10,000 sessions would run out of descriptors in the
        next round."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            n = open_fds(self.backend.pid)
            if n <= self.backend_fds + 16:
                return
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since > 3.0:
                return
            time.sleep(0.25)
        log(f"  the backend still holds {open_fds(self.backend.pid)} descriptors after {timeout:.0f} s "
            f"({self.backend_fds} after startup)")

    def measure(self):
        only = self.a.rows.split(",") if self.a.rows else None
        for key, label, kind, spec in rows(self.scale):
            if only and key not in only:
                continue
            log(f"row: {label}")
            for r in range(self.rounds):
                for name in TARGETS:
                    self.one_round(key, kind, spec, self.targets[name])
        if self.idle_counts != tuple(self.scale["idle"]):
            log(f"ulimit -n {self.info['nofile']}: at most {self.max_idle:,} idle sessions through a frontend "
                f"(2 descriptors each); measuring {', '.join(f'{n:,}' for n in self.idle_counts)} instead of "
                f"{', '.join(f'{n:,}' for n in self.scale['idle'])}")
        for n in self.idle_counts if not only or "idle" in only else ():
            log(f"row: {n:,} idle sessions (on freshly started servers)")
            for name in TARGETS:
                t = self.targets[name]
                if not t.runs("idle"):
                    continue
                count = self.idle_count(name, n)
                earlier = next((m for m in self.idle_counts if m < n and self.idle_count(name, m) == count), None)
                if earlier is not None:  # capped: the same count was measured already
                    self.samples.setdefault(f"idle-{n}", {})[name] = self.samples.get(f"idle-{earlier}", {}).get(name, [])
                    log(f"  {name}: capped at {count:,} (measured in the {earlier:,} row)")
                    continue
                # A fresh backend for every target too: one round's sessions (or its end) cannot
                # weigh on the next.
                if name != "direct":
                    self.restart("direct")
                self.restart(name)
                self.idle_round(t, n)

    def write(self):
        with open(self.a.json, "w") as f:
            json.dump(dict(info=self.info, samples=self.samples), f)
        with open(self.a.md, "w") as f:
            f.write(report(self.scale, self.info, self.samples))


def uring_fds(pid):
    """How many io_uring instances the process holds (0: it runs without io_uring)."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:[io_uring]":
                    n += 1
            except OSError:
                pass
    except OSError:
        pass
    return n


def open_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


# -- report --------------------------------------------------------------------------------------


def fmt(x):
    if x is None:
        return "—"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def short(reason, n=44):
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


def ratio_cell(x, goal=None, higher=True):
    if x is None:
        return "—"
    text = f"{x:.2f}×"
    if goal is None:
        return text
    return text + (" ✓" if (x >= goal if higher else x <= goal) else " **✗**")


def report(scale, info, samples):
    out = []
    rs = rows(scale)
    unit = {"fetch": "MB/s", "small": "commands/s", "cycles": "cycles/s"}
    cpu_unit = {"fetch": "s/GB", "small": "s/10k commands", "cycles": "s/10k cycles"}
    fronts = [n for n in TARGETS if n != "direct"]
    reasons = {}

    def runs(name, kind):
        return kind in ONLY.get(name, {kind})

    def cell(key, name, fn, how=spread):
        xs = samples.get(key, {}).get(name, [])
        ok = good(xs)
        if not ok:
            f = failure(xs)
            if f:
                reasons.setdefault(name, set()).update(s["failed"] for s in xs if "failed" in s)
            return f or "—"
        vals = [fn(s) for s in ok]
        vals = [v for v in vals if v is not None]
        return how(vals) if vals else "—"

    def median_of(key, name, fn):
        ok = good(samples.get(key, {}).get(name, []))
        vals = [fn(s) for s in ok]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    def div(x, y):
        return x / y if x and y else None

    head = " | ".join(SHORT[n] for n in TARGETS)
    out.append("Throughput, median (min–max) over rounds.")
    out.append("")
    out.append(f"| load | unit | {head} |")
    out.append("| --- | --- |" + " ---: |" * len(TARGETS))
    for key, label, kind, spec in rs:
        tp = lambda s, k=kind: throughput(k, s)  # noqa: E731
        cells = [cell(key, n, tp) if runs(n, kind) else "" for n in TARGETS]
        out.append(f"| {label} | {unit[kind]} | " + " | ".join(cells) + " |")
    out.append("")

    out.append("Goals of the C path (ours C), bulk FETCH rows: throughput ≥ 0.90 × direct; ≥ 2× the Swift path "
               "(throughput, or at most half its CPU per GB); ≥ 3× Cyrus's frontend (throughput, or at most a third "
               "of its CPU per GB); less CPU per GB than nginx. Ratios of medians; "
               "CPU ratios are theirs ÷ ours (above 1: ours spends less).")
    out.append("")
    out.append("| load | C ÷ direct (≥ 0.90) | C ÷ Swift: throughput / CPU (≥ 2×) | C ÷ Cyrus: throughput / CPU (≥ 3×) "
               "| nginx CPU ÷ C CPU (> 1×) | C ÷ splice |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for key, label, kind, spec in rs:
        if kind != "fetch":
            continue
        tp = lambda s, k=kind: throughput(k, s)  # noqa: E731
        fe = lambda s, k=kind: per_unit(k, s, s["frontend_cpu"])  # noqa: E731
        t = {n: median_of(key, n, tp) for n in ALL_TARGETS}
        c = {n: median_of(key, n, fe) for n in ALL_TARGETS}

        def pair(name, goal):
            tr, cr = div(t["ours-c"], t[name]), div(c[name], c["ours-c"])
            if tr is None and cr is None:
                return "—"
            met = (tr or 0) >= goal or (cr or 0) >= goal
            return f"{ratio_cell(tr)} / {ratio_cell(cr)}" + (" ✓" if met else " **✗**")

        out.append(f"| {label} | {ratio_cell(div(t['ours-c'], t['direct']), 0.9)} | {pair('ours-swift', 2)} | "
                   f"{pair('cyrus', 3)} | {ratio_cell(div(c['nginx'], c['ours-c']), 1.0 + 1e-9)} | "
                   f"{ratio_cell(div(t['ours-c'], t['splice']))} |")
    out.append("")

    out.append("Latency per command (per cycle for the cycles row) over every round, p50 / p99 in ms.")
    out.append("")
    out.append(f"| load | {head} |")
    out.append("| --- |" + " ---: |" * len(TARGETS))

    def lat(key, name):
        xs = samples.get(key, {}).get(name, [])
        ok = good(xs)
        if not ok:
            return failure(xs) or "—"
        allv = [x for s in ok for x in s["latencies"]]
        if not allv:
            return "—"
        return f"{fmt(percentile(allv, 50) * 1000)} / {fmt(percentile(allv, 99) * 1000)}"

    for key, label, kind, spec in rs:
        out.append(f"| {label} | " + " | ".join(lat(key, n) if runs(n, kind) else "" for n in TARGETS) + " |")
    out.append("")

    out.append("Frontend CPU seconds per GB delivered (FETCH rows) or per 10,000 commands / cycles, median over "
               "rounds: the frontend's process (Cyrus: its master and every child, live or reaped; nginx: its "
               "master and its one worker); last, the backend's own CPU when loaded directly, for scale.")
    out.append("")
    out.append("| load | unit | " + " | ".join(SHORT[n] for n in fronts) + " | backend (direct) |")
    out.append("| --- | --- |" + " ---: |" * (len(fronts) + 1))
    med = lambda vals: fmt(statistics.median(vals))  # noqa: E731
    for key, label, kind, spec in rs:
        fe = lambda s, k=kind: per_unit(k, s, s["frontend_cpu"])  # noqa: E731
        be = lambda s, k=kind: per_unit(k, s, s["backend_cpu"])  # noqa: E731
        cells = [cell(key, n, fe, med) if runs(n, kind) else "" for n in fronts]
        out.append(f"| {label} | {cpu_unit[kind]} | " + " | ".join(cells) + f" | {cell(key, 'direct', be, med)} |")
    out.append("")

    idle_names = [n for n in TARGETS if runs(n, "idle")]
    caps = info.get("idle_cap", {})
    out.append("Idle sessions: LOGIN, SELECT INBOX and IDLE (a selector loop opens them, "
               f"{IDLE_PARALLEL} handshakes in flight, Cyrus {IDLE_PARALLEL_BY['cyrus']}), one round per count, each on freshly started servers after a "
               "16-session warm-up. Per session: RSS with them minus just before, over their number; total: RSS "
               "with them. Direct: our backend's process; ours: our frontend's process; Cyrus: every child of its "
               "master (its per-session figure is PSS: the forked children share most pages); nginx: master and "
               "worker. Goal: 50,000 sessions in our C path's frontend under 1 GiB."
               + "".join(f" {SHORT[k]} is capped at {v:,} sessions (a process each)." for k, v in caps.items()))
    out.append("")
    out.append("| sessions | | " + " | ".join(SHORT[n] for n in idle_names) + " |")
    out.append("| --- | --- |" + " ---: |" * len(idle_names))
    for n in info["idle"]:
        key = f"idle-{n}"

        def capped(name, text):
            got = good(samples.get(key, {}).get(name, []))
            if got and got[0]["n"] != n:
                return f"{text} (capped at {got[0]['n']:,})"
            return text

        def row(what, fn, how=spread):
            return (f"| {n:,} | {what} | "
                    + " | ".join(capped(x, cell(key, x, fn, how)) for x in idle_names) + " |")

        per = lambda s, x=None: s["rss_kib"]  # noqa: E731
        out.append(f"| {n:,} | KiB per session (RSS; Cyrus: PSS) | " + " | ".join(
            capped(x, cell(key, x, (lambda s: s["pss_kib"]) if x == "cyrus" else per, med)) for x in idle_names) + " |")
        out.append(row("total RSS with them (MiB)", lambda s: s["rss_after"] / 1024, med))
        out.append(row("serving processes", lambda s: s["processes"], lambda v: f"{statistics.median(v):.0f}"))
        out.append(row("sessions opened per second", lambda s: s["n"] / s["open_wall"], med))
        out.append(row("frontend CPU ms per session opened", lambda s: None if s.get("open_cpu") is None
                       else 1000 * s["open_cpu"] / s["n"], med))
        if n == max(info["idle"]):
            got = good(samples.get(key, {}).get("ours-c", []))
            if got and got[0]["n"] == n and n >= GOAL_IDLE:
                total = got[0]["rss_after"] / 1024 / 1024
                out.append(f"| {n:,} | goal: ours C under 1 GiB | {total:.2f} GiB: "
                           + ("met" if total < 1 else "**not met**") + " |" + " |" * (len(idle_names) - 1))
            elif n < GOAL_IDLE:
                def projected(name):
                    got = good(samples.get(key, {}).get(name, []))
                    if not got or got[0]["n"] != n:
                        return "—"
                    mib = (got[0]["rss_before"] + GOAL_IDLE * got[0]["rss_kib"]) / 1024
                    text = f"{mib:,.0f} MiB"
                    if name == "ours-c":
                        text += " — goal < 1 GiB: " + ("met" if mib < 1024 else "**not met**")
                    return text

                out.append(f"| {GOAL_IDLE:,} (projected) | RSS before + {GOAL_IDLE:,} × KiB per session at {n:,} | "
                           + " | ".join(projected(x) for x in idle_names) + " |")
    if info.get("nofile") and tuple(info["idle"]) != tuple(info.get("idle_wanted", info["idle"])):
        out.append("")
        out.append(f"Sessions limited by `ulimit -n` {info['nofile']:,} (the hard limit here; raising it needs "
                   f"CAP_SYS_RESOURCE): a frontend holds 2 descriptors per session, so at most "
                   f"{max(info['idle']):,} were opened instead of "
                   + ", ".join(f"{x:,}" for x in info["idle_wanted"]) + "; the 50,000 row is a linear projection.")
    if reasons:
        out.append("")
        for name, rs_ in reasons.items():
            for r in sorted(rs_):
                out.append(f"- {TARGET_LABELS[name]} failed: {r}")
    return "\n".join(out) + "\n"


def main():
    global TARGETS
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--murder", required=True, help="the release murder binary")
    p.add_argument("--data", required=True, help="data folder (cache and run folders)")
    p.add_argument("--scale", choices=sorted(SCALES), default="full")
    p.add_argument("--rounds", type=int, default=0)
    p.add_argument("--json", required=True)
    p.add_argument("--md", required=True)
    p.add_argument("--keep", action="store_true", help="keep the run folder (configs, logs)")
    p.add_argument("--splice-relay", default="", help="the compiled bench/splice-relay.c")
    p.add_argument("--sources", type=int, default=1,
                   help="spread idle client sockets over 127.0.0.2… (when the port range cannot be widened)")
    p.add_argument("--targets", default="",
                   help=f"measure only these targets, comma-separated, direct always ({', '.join(TARGETS)})")
    keys = [k for k, _, _, _ in rows(SCALES["full"])] + ["idle"]  # the same keys at every scale
    p.add_argument("--rows", default="", help=f"measure only these loads, comma-separated ({', '.join(keys)})")
    a = p.parse_args()
    if a.targets:
        wanted = set(a.targets.split(","))
        unknown = wanted - set(TARGETS)
        if unknown:
            p.error(f"unknown target {', '.join(sorted(unknown))}: choose from {', '.join(TARGETS)}")
        TARGETS = tuple(n for n in TARGETS if n == "direct" or n in wanted)
    unknown = set(a.rows.split(",")) - set(keys) if a.rows else set()
    if unknown:
        p.error(f"unknown row {', '.join(sorted(unknown))}: choose from {', '.join(keys)}")
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
