#!/usr/bin/env python3
"""UPDATE propagation latency: from a backend's CREATE to the MAILBOX line on a master's stream.

    latency.py --side ours|cyrus --master HOST:PORT --imap HOST:PORT [--rate 20] [--seconds 30]
               [--connections 4] [--user NAME] --round R --json samples.json

1. Opens an UPDATE stream on the master (authenticate PLAIN as the mupdate user, `U1 UPDATE`,
   read the dump up to `U1 OK`), then reads it on a thread, noting when each MAILBOX line
   arrives.
2. As admin over imaplib on the backend registered with that master: `CREATE user/<user>` (the
   user's INBOX, so that folders may be created under it) and waits for it on the stream.
3. Sends `CREATE user/<user>/fNNNNNN` at a steady rate (open loop: CREATE i is due at
   t0 + i/rate, over several connections so that a slow CREATE does not delay the next one),
   timestamping each send; the latency of a name is the arrival of its MAILBOX line
   (`user.<user>.fNNNNNN`) minus its send time.
4. After the last send, waits until every name was seen or 10 s passed; reports p50/p99/max and
   the names never seen within 10 s of their CREATE, and appends one sample to the JSON file.
"""

import argparse
import imaplib
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mupdatebench import append_sample, log, parse_endpoint, percentile  # noqa: E402
from mupdatewire import MupdateConnection, read_dump  # noqa: E402

SEEN_WITHIN = 10.0
DUMP_TIMEOUT = 900.0
IMAP_TIMEOUT = 30.0


class StreamWatcher(threading.Thread):
    """Reads the UPDATE stream; `arrivals[name]` is the first arrival of a MAILBOX line."""

    def __init__(self, conn, tag):
        super().__init__(daemon=True)
        self.conn = conn
        self.tag = tag.encode()
        self.arrivals = {}
        self.reserves = {}
        self.error = None
        self.stop = False
        self.changed = threading.Condition()

    def run(self):
        try:
            while not self.stop:
                try:
                    tag, keyword, args, arrival = self.conn.read_response(time.monotonic() + 1.0)
                except TimeoutError:
                    continue
                if tag != self.tag or not args:
                    continue
                name = args[0].decode(errors="replace")
                if keyword == b"MAILBOX":
                    with self.changed:
                        self.arrivals.setdefault(name, arrival)
                        self.changed.notify_all()
                elif keyword == b"RESERVE":
                    self.reserves.setdefault(name, arrival)
        except Exception as e:  # reported by the main thread
            if not self.stop:
                self.error = e
            with self.changed:
                self.changed.notify_all()

    def wait_for(self, names, deadline):
        with self.changed:
            while not all(n in self.arrivals for n in names):
                left = deadline - time.monotonic()
                if left <= 0 or self.error is not None:
                    return False
                self.changed.wait(min(left, 0.5))
            return True


def imap_admin(host, port, user, password):
    m = imaplib.IMAP4(host, port, timeout=IMAP_TIMEOUT)
    m.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    m.login(user, password)
    return m


def measure(a):
    mhost, mport, _ = parse_endpoint(a.master)
    ihost, iport, _ = parse_endpoint(a.imap)
    conn = MupdateConnection(mhost, mport)
    conn.authenticate(a.mupdate_user, a.mupdate_password)
    conn.send("U1 UPDATE")
    t0 = time.monotonic()
    dump_records, status, args = read_dump(conn, "U1", time.monotonic() + DUMP_TIMEOUT)
    if status != b"OK":
        raise SystemExit(f"UPDATE answered {status!r} {args!r}")
    log(f"  {a.side}: UPDATE dump of {dump_records:,} records in {time.monotonic() - t0:.1f} s; streaming")
    watcher = StreamWatcher(conn, "U1")
    watcher.start()

    clients = [imap_admin(ihost, iport, a.admin, a.admin_password) for _ in range(a.connections)]
    try:
        user = a.user
        typ, data = clients[0].create(f"user/{user}")
        if typ != "OK":
            raise SystemExit(f"CREATE user/{user} at the backend: {typ} {data}")
        if not watcher.wait_for([f"user.{user}"], time.monotonic() + 30):
            raise SystemExit(f"user.{user} never appeared on the master's UPDATE stream "
                             f"({watcher.error or 'no MAILBOX line within 30 s'})")

        total = int(a.rate * a.seconds)
        sends = [None] * total
        oks = [None] * total
        failures = []
        lags = [0.0] * total
        start = time.monotonic() + 0.2

        def worker(k):
            m = clients[k]
            for i in range(k, total, a.connections):
                due = start + i / a.rate
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
                name = f"user/{user}/f{i:06d}"
                sent = time.monotonic()
                lags[i] = sent - due
                sends[i] = sent
                try:
                    typ, data = m.create(name)
                except (imaplib.IMAP4.error, OSError) as e:
                    typ, data = "ERROR", [str(e).encode()]
                oks[i] = time.monotonic()
                if typ != "OK":
                    failures.append((name, typ, data))

        threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(a.connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(a.seconds + 120)
        last_send = max((s for s in sends if s is not None), default=time.monotonic())
        expected = {f"user.{user}.f{i:06d}": i for i in range(total) if sends[i] is not None}
        watcher.wait_for(list(expected), last_send + SEEN_WITHIN)
        watcher.stop = True
        if watcher.error is not None:
            log(f"  {a.side}: the UPDATE stream failed: {watcher.error}")
        with watcher.changed:
            arrivals = dict(watcher.arrivals)
    finally:
        for m in clients:
            try:
                m.logout()
            except Exception:
                pass
        conn.close()

    latencies = []
    missing = 0
    for name, i in expected.items():
        t = arrivals.get(name)
        if t is None or t - sends[i] > SEEN_WITHIN:
            missing += 1
        else:
            latencies.append((t - sends[i]) * 1000)
    missing += total - len(expected)
    latencies.sort()
    rtts = sorted((oks[i] - sends[i]) * 1000 for i in range(total) if oks[i] is not None and sends[i] is not None)
    sample = dict(
        row="latency", server=a.side, round=a.round, rate=a.rate, seconds=a.seconds,
        connections=a.connections, count=total, seen=len(latencies), missing=missing,
        failed=len(failures), dump_records=dump_records,
        p50_ms=percentile(latencies, 50), p99_ms=percentile(latencies, 99),
        max_ms=latencies[-1] if latencies else None,
        create_rtt_p50_ms=percentile(rtts, 50), create_rtt_p99_ms=percentile(rtts, 99),
        max_send_lag_ms=max(lags) * 1000 if lags else 0.0,
        latencies_ms=[round(x, 3) for x in latencies],
    )
    if failures:
        log(f"  {a.side}: {len(failures)} CREATEs failed, first: {failures[0]}")
    log(f"  round {a.round} {a.side}: {len(latencies)} of {total} seen; p50 {sample['p50_ms'] or 0:.1f} ms, "
        f"p99 {sample['p99_ms'] or 0:.1f} ms, max {sample['max_ms'] or 0:.1f} ms; missing {missing}; "
        f"CREATE round trip p50 {sample['create_rtt_p50_ms'] or 0:.1f} ms")
    if a.json:
        append_sample(a.json, sample)
    return sample


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--side", choices=["ours", "cyrus"], required=True)
    p.add_argument("--master", required=True, help="HOST:PORT of the mupdate master")
    p.add_argument("--imap", required=True, help="HOST:PORT of a backend registered with it")
    p.add_argument("--mupdate-user", default="murder")
    p.add_argument("--mupdate-password", required=True)
    p.add_argument("--admin", default="admin")
    p.add_argument("--admin-password", required=True)
    p.add_argument("--user", default="lat1", help="the user whose folders are created")
    p.add_argument("--rate", type=float, default=20.0, help="CREATEs per second")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--round", type=int, default=1)
    p.add_argument("--json")
    a = p.parse_args()
    if a.rate <= 0 or a.seconds <= 0 or a.connections < 1:
        raise SystemExit("--rate, --seconds and --connections must be positive")
    measure(a)


if __name__ == "__main__":
    main()
