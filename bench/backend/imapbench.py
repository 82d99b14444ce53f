#!/usr/bin/env python3
"""Backend benchmark driver: our backend against Cyrus imapd, row by row, rounds interleaved.

    imapbench.py users   --scale quick|full      (the user names the sasldb needs; password "pw")
    imapbench.py setup   --server NAME=HOST:PORT:PID ... --scale quick|full --json setup.json
    imapbench.py measure --server NAME=HOST:PORT:PID ... --scale quick|full [--only KINDS] --json out.json
    imapbench.py report  --scale quick|full --json out.json --md out.md

NAME is "ours" (PID: the murder process) or "cyrus" (PID: the Cyrus master; its imapd
children are found by parent PID). `setup` creates the users' mailboxes and fills the FETCH and
SELECT/SEARCH mailboxes (MULTIAPPEND in batches); `measure` runs the rows, for each round
first on one server then on the other (A B A B ...), and adds the samples to the JSON file;
`report` writes the table (Markdown). bench/run-backend.sh starts the servers and calls both.
"""

import argparse
import concurrent.futures
import json
import os
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import messages  # noqa: E402
from imapclient import Client, IMAPError, quote, timed  # noqa: E402

PASSWORD = "pw"
ADMIN = ("admin", "adminpw")
KB = 1024
MB = 1024 * 1024

# append: size -> (messages for 1 client, messages per client with 8 clients)
SCALES = {
    "quick": dict(
        append={KB: (20, 5), 100 * KB: (10, 3), 10 * MB: (2, 1)},
        fetch=[(1 * MB, 20), (100 * KB, 100)],
        big=2000,
        idle=50,
        idle_users=10,
        rounds=3,
    ),
    "full": dict(
        append={KB: (200, 40), 100 * KB: (100, 20), 10 * MB: (6, 2)},
        fetch=[(1 * MB, 200), (100 * KB, 2000)],
        big=100000,
        idle=1000,
        idle_users=100,
        rounds=3,
    ),
}
APPEND_CLIENTS = 8
BIG_BATCH = 500
FETCH_BATCH_BYTES = 8 * MB
OPENERS = 16


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# -- servers and their processes ---------------------------------------------------------------


class Server:
    def __init__(self, spec):
        name, _, rest = spec.partition("=")
        host, port, pid = rest.rsplit(":", 2)
        self.name, self.host, self.port, self.pid = name, host, int(port), int(pid)
        if name not in ("ours", "cyrus"):
            raise SystemExit(f"unknown server name {name!r}: use ours or cyrus")

    def connect(self, user=None, password=PASSWORD, bufsize=1 << 20):
        c = Client(self.host, self.port, bufsize=bufsize)
        if user:
            c.login(user, password)
        return c

    # Cyrus forks an imapd per connection: the server is the master plus its children.
    def processes(self):
        if self.name == "ours":
            return [self.pid]
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            st = read_stat(int(entry))
            if st and st["ppid"] == self.pid and st["comm"] == "imapd":
                out.append(int(entry))
        return out

    def cpu_seconds(self):
        tick = os.sysconf("SC_CLK_TCK")
        st = read_stat(self.pid)
        if st is None:
            return 0.0
        total = st["utime"] + st["stime"]
        if self.name == "cyrus":
            total += st["cutime"] + st["cstime"]  # reaped children
            for p in self.processes():
                c = read_stat(p)
                if c:
                    total += c["utime"] + c["stime"]
        return total / tick

    def memory_kib(self):
        """(RSS, PSS) in KiB summed over the serving processes."""
        rss = pss = 0
        for p in self.processes():
            rss += status_kib(p, "VmRSS")
            pss += rollup_kib(p, "Pss")
        return rss, pss


def read_stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    comm = data[data.index("(") + 1 : data.rindex(")")]
    fields = data[data.rindex(")") + 2 :].split()
    return dict(
        comm=comm,
        ppid=int(fields[1]),
        utime=int(fields[11]),
        stime=int(fields[12]),
        cutime=int(fields[13]),
        cstime=int(fields[14]),
    )


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rollup_kib(pid, key):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# -- users and mailboxes -----------------------------------------------------------------------


def users(scale):
    append = [f"u{i}" for i in range(APPEND_CLIENTS)]
    idle = [f"idle{i:03d}" for i in range(scale["idle_users"])]
    return append + ["fetch", "big"] + idle


def fetch_mailbox(size):
    return f"INBOX/f{size // KB}k"


def setup(server, scale):
    """Creates every user's INBOX (as the admin) and fills the FETCH and big mailboxes."""
    timings = {}
    admin = server.connect(*ADMIN)
    for u in users(scale):
        r = admin.command(f"CREATE {quote('user/' + u)}")
        if r.status != "OK" and "exist" not in r.text.lower():
            raise IMAPError(f"CREATE user/{u}: {r.status} {r.text}")
    admin.logout()

    c = server.connect("fetch")
    for size, count in scale["fetch"]:
        box = fetch_mailbox(size)
        c.command(f"CREATE {quote(box)}").check("CREATE " + box)
        per = max(1, FETCH_BATCH_BYTES // size)
        t0 = time.perf_counter()
        for start in range(0, count, per):
            batch = [messages.sized_message(size, i) for i in range(start, min(count, start + per))]
            c.append(box, batch)
        timings[f"fill {count} x {size // KB} KB"] = time.perf_counter() - t0
        log(f"  {server.name}: {box} filled with {count} messages")
    c.logout()

    c = server.connect("big")
    total = scale["big"]
    needles = messages.needle_indices(total)
    t0 = time.perf_counter()
    for batch_no, start in enumerate(range(0, total, BIG_BATCH)):
        rng = random.Random(batch_no)
        batch = [messages.small_message(i, needles, rng) for i in range(start, min(total, start + BIG_BATCH))]
        c.append("INBOX", batch)
        if batch_no % 40 == 39:
            log(f"  {server.name}: big INBOX {start + len(batch)}/{total}")
    timings[f"fill {total} small messages (MULTIAPPEND x {BIG_BATCH})"] = time.perf_counter() - t0
    c.logout()
    return timings


# -- rows --------------------------------------------------------------------------------------


class Sample:
    def __init__(self, value, wall, client_cpu, server_cpu, **extra):
        self.value, self.wall, self.client_cpu, self.server_cpu = value, wall, client_cpu, server_cpu
        self.extra = extra

    @staticmethod
    def from_dict(d):
        d = dict(d)
        return Sample(d.pop("value"), d.pop("wall"), d.pop("client_cpu"), d.pop("server_cpu"), **d)

    def as_dict(self):
        return dict(value=self.value, wall=self.wall, client_cpu=self.client_cpu, server_cpu=self.server_cpu, **self.extra)


def measured(server, fn):
    """Runs fn() with the client's and the server's CPU counted around it."""
    s0 = server.cpu_seconds()
    result, wall, cpu = timed(fn)
    return result, wall, cpu, server.cpu_seconds() - s0


def append_round(server, size, clients, per_client, pool):
    conns = [server.connect(f"u{i}") for i in range(clients)]
    gate = threading.Barrier(clients + 1)
    errors = []

    def work(i):
        c = conns[i]
        try:
            gate.wait()
            for k in range(per_client):
                c.append("INBOX", [pool[(i * per_client + k) % len(pool)]])
        except Exception as e:  # reported after the round
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()

    def run():
        gate.wait()
        for t in threads:
            t.join()

    _, wall, cpu, scpu = measured(server, run)
    for c in conns:
        c.logout()
    if errors:
        raise errors[0]
    n = clients * per_client
    return Sample(n / wall, wall, cpu, scpu, messages=n)


def fetch_round(server, size, count):
    c = server.connect("fetch")
    c.command(f"EXAMINE {quote(fetch_mailbox(size))}").check("EXAMINE")
    r, wall, cpu, scpu = measured(server, lambda: c.command("UID FETCH 1:* BODY.PEEK[]").check("FETCH"))
    c.logout()
    if r.literal_bytes != size * count:
        raise IMAPError(f"FETCH returned {r.literal_bytes} bytes, expected {size * count}")
    return Sample(r.literal_bytes / 1e6 / wall, wall, cpu, scpu, bytes=r.literal_bytes)


def select_search_round(server, total):
    c = server.connect("big")
    r, wall, cpu, scpu = measured(server, lambda: c.command(f"SELECT {quote('INBOX')}").check("SELECT"))
    exists = [int(u.split()[1]) for u in r.untagged if u.endswith(b" EXISTS")]
    if exists != [total]:
        raise IMAPError(f"SELECT: EXISTS {exists}, expected {total}")
    sel = Sample(wall * 1000, wall, cpu, scpu)
    r, wall, cpu, scpu = measured(server, lambda: c.command(f"SEARCH TEXT {quote(messages.NEEDLE)}").check("SEARCH"))
    found = []
    for u in r.untagged:
        if u.startswith(b"* SEARCH"):
            found += [int(x) for x in u.split()[2:]]
    expected = len(messages.needle_indices(total))
    if len(found) != expected:
        raise IMAPError(f"SEARCH found {len(found)} messages, expected {expected}")
    c.logout()
    return sel, Sample(wall * 1000, wall, cpu, scpu, matches=len(found))


def idle_round(server, count, idle_users):
    before = server.memory_kib()
    procs_before = len(server.processes())
    conns = []
    s0 = server.cpu_seconds()

    def open_all():
        # OPENERS threads log in at once: Cyrus forks and starts an imapd per connection,
        # which is latency more than CPU.
        with concurrent.futures.ThreadPoolExecutor(OPENERS) as pool:
            conns.extend(pool.map(lambda i: server.connect(idle_users[i % len(idle_users)], bufsize=4096), range(count)))

    _, wall, cpu = timed(open_all)
    scpu = server.cpu_seconds() - s0
    time.sleep(2.0)
    after = server.memory_kib()
    procs = len(server.processes())
    for c in conns:
        try:
            c.send(b"z LOGOUT\r\n")
        except OSError:
            pass
    for c in conns:
        c.close()
    # Wait for Cyrus's children to exit (imapd -U 1), so the next round starts as this one did.
    deadline = time.time() + 60
    while server.name == "cyrus" and len(server.processes()) > procs_before and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    rss = (after[0] - before[0]) / count
    pss = (after[1] - before[1]) / count
    return Sample(
        rss, wall, cpu, scpu, pss_kib=pss, logins_per_s=count / wall, rss_before_kib=before[0],
        rss_after_kib=after[0], processes=procs,
    )


# -- the run -----------------------------------------------------------------------------------


def rows(scale):
    """(key, label, unit, better, goal) in table order."""
    out = []
    for size, (c1, c8) in scale["append"].items():
        for clients, per in ((1, c1), (APPEND_CLIENTS, c8)):
            out.append((f"append-{size}-{clients}", f"APPEND {human(size)}, {clients} client{'s' if clients > 1 else ''}",
                        "msg/s", "higher", 2.0, dict(kind="append", size=size, clients=clients, per=per)))
    for size, count in scale["fetch"]:
        out.append((f"fetch-{size}", f"UID FETCH 1:* BODY.PEEK[], {count} x {human(size)}", "MB/s", "higher", 2.0,
                    dict(kind="fetch", size=size, count=count)))
    total = scale["big"]
    out.append(("select", f"SELECT, {total:,} messages", "ms", "lower", 1.0, dict(kind="select")))
    out.append(("search", f"SEARCH TEXT \"needle\", {total:,} messages", "ms", "lower", 1.0, dict(kind="search")))
    out.append(("idle", f"RSS per idle authenticated connection ({scale['idle']})", "KiB", "lower", 1.0,
                dict(kind="idle")))
    return out


def human(size):
    return f"{size // MB} MB" if size >= MB else f"{size // KB} KB"


def measure(servers, scale, rounds, only, samples):
    """Runs the rows whose kind is in `only` (all when empty), adding to samples[key][server]."""

    def add(key, server, sample):
        samples.setdefault(key, {}).setdefault(server.name, []).append(sample)

    pools = {}
    for key, label, unit, better, goal, spec in rows(scale):
        kind = spec["kind"]
        if kind == "search" or (only and kind not in only):
            continue  # SEARCH is measured with SELECT
        log(f"row: {label}")
        for r in range(rounds):
            for s in servers:
                if kind == "append":
                    size = spec["size"]
                    if size not in pools:
                        pools[size] = [messages.sized_message(size, 1_000_000 + i) for i in range(3 if size >= MB else 16)]
                    add(key, s, append_round(s, size, spec["clients"], spec["per"], pools[size]))
                elif kind == "fetch":
                    add(key, s, fetch_round(s, spec["size"], spec["count"]))
                elif kind == "select":
                    sel, sea = select_search_round(s, scale["big"])
                    add("select", s, sel)
                    add("search", s, sea)
                elif kind == "idle":
                    add(key, s, idle_round(s, scale["idle"], [u for u in users(scale) if u.startswith("idle")]))
                last = samples[key][s.name][-1]
                log(f"  round {r + 1} {s.name}: {last.value:.3f} {unit} (wall {last.wall:.3f} s, "
                    f"client CPU {100 * last.client_cpu / last.wall:.0f}%, server CPU {last.server_cpu:.2f} s)")
    return samples


def fmt(x):
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(values):
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def table(scale, samples):
    lines = [
        "| row | unit | ours: median (min–max) | Cyrus: median (min–max) | ours vs Cyrus | goal | met | "
        "client CPU ours / Cyrus | server CPU s ours / Cyrus |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for key, label, unit, better, goal, spec in rows(scale):
        if "ours" not in samples.get(key, {}) or "cyrus" not in samples[key]:
            continue
        ours = samples[key]["ours"]
        cyr = samples[key]["cyrus"]
        mo = statistics.median(s.value for s in ours)
        mc = statistics.median(s.value for s in cyr)
        if better == "higher":
            ratio = mo / mc if mc else float("inf")
        else:
            ratio = mc / mo if mo else float("inf")
        ccpu = "/".join(f"{100 * statistics.median(s.client_cpu / s.wall for s in x):.0f}%" for x in (ours, cyr))
        scpu = " / ".join(fmt(statistics.median(s.server_cpu for s in x)) for x in (ours, cyr))
        lines.append(
            f"| {label} | {unit} | {cell([s.value for s in ours])} | {cell([s.value for s in cyr])} | "
            f"{ratio:.2f}× | ≥ {goal:g}× | {'yes' if ratio >= goal else '**no**'} | {ccpu} | {scpu} |"
        )
    return "\n".join(lines)


def extras(samples):
    out = []
    if "idle" in samples:
        for name in ("ours", "cyrus"):
            xs = samples["idle"][name]
            out.append(
                f"- {name}: PSS per idle connection {fmt(statistics.median(s.extra['pss_kib'] for s in xs))} KiB; "
                f"LOGIN rate while opening them {fmt(statistics.median(s.extra['logins_per_s'] for s in xs))}/s; "
                f"serving processes {statistics.median(s.extra['processes'] for s in xs):.0f}; "
                f"RSS before/after {fmt(statistics.median(s.extra['rss_before_kib'] for s in xs) / 1024)} / "
                f"{fmt(statistics.median(s.extra['rss_after_kib'] for s in xs) / 1024)} MiB"
            )
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["users", "setup", "measure", "report"])
    p.add_argument("--only", help="measure only these row kinds: append,fetch,select,idle")
    p.add_argument("--server", action="append", default=[], help="NAME=HOST:PORT:PID (ours, cyrus)")
    p.add_argument("--scale", choices=sorted(SCALES), default="full")
    p.add_argument("--rounds", type=int, default=0)
    p.add_argument("--json")
    p.add_argument("--md")
    a = p.parse_args()
    scale = SCALES[a.scale]
    if a.action == "users":
        print("\n".join(users(scale)))
        return
    servers = [Server(s) for s in a.server]
    if a.action == "setup":
        out = {}
        for s in servers:
            log(f"setup {s.name}")
            out[s.name] = setup(s, scale)
        with open(a.json, "w") as f:
            json.dump(dict(scale=a.scale, date=time.strftime("%Y-%m-%d"), timings=out), f, indent=1)
        return
    # The samples file accumulates: run-backend.sh measures the idle-connection row in separate
    # calls, each on freshly started servers.
    samples = {}
    if a.json and os.path.exists(a.json):
        with open(a.json) as f:
            samples = {k: {n: [Sample.from_dict(x) for x in v] for n, v in d.items()} for k, d in json.load(f).items()}
    if a.action == "measure":
        rounds = a.rounds or scale["rounds"]
        only = set(a.only.split(",")) if a.only else set()
        measure(servers, scale, rounds, only, samples)
        with open(a.json, "w") as f:
            json.dump({k: {n: [x.as_dict() for x in v] for n, v in d.items()} for k, d in samples.items()}, f, indent=1)
    if a.md:
        with open(a.md, "w") as f:
            f.write(table(scale, samples) + "\n\n" + extras(samples) + "\n")


if __name__ == "__main__":
    main()
