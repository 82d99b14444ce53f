"""The processes of the frontend benchmark: our nodes (`murder serve`), a Cyrus frontend
(a Cyrus `master` with a list replica and an imapd proxying to the backends), nginx's mail
proxy, the bare splice relay (bench/splice-relay.c), plus what the benchmark reads of them in
/proc (CPU seconds, RSS and PSS).

Every process is started here in its own session and stopped by PID (SIGTERM, then SIGKILL
after a bounded wait); a Cyrus master's children are collected by parent PID before it is
stopped and killed by PID if they linger. Nothing is read from or written to /etc or /var.
"""

import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

CYRUS_BIN = Path(os.environ.get("CYRUS_BIN", "/usr/lib/cyrus/bin"))
CYRUS_SUBDIRS = ("socket", "proc", "db", "log", "sieve", "lock", "user", "quota", "sync", "msg", "ptclient")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
TICK = os.sysconf("SC_CLK_TCK")


class StartError(Exception):
    """A node did not start; the message says why (its last stderr lines)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, timeout=0.5):
    try:
        socket.create_connection(("127.0.0.1", port), timeout).close()
        return True
    except OSError:
        return False


def add_sasl_user(sasldb, realm, user, password):
    subprocess.run(["saslpasswd2", "-p", "-c", "-f", str(sasldb), "-u", realm, user],
                   input=(password + "\n").encode(), check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# -- /proc ---------------------------------------------------------------------------------------


def read_stat(pid):
    """comm, ppid and CPU ticks of a process (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return dict(comm=data[data.index("(") + 1:data.rindex(")")], ppid=int(fields[1]),
                utime=int(fields[11]), stime=int(fields[12]), cutime=int(fields[13]), cstime=int(fields[14]))


def _kib(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kib(pid):
    return _kib(f"/proc/{pid}/status", "VmRSS")


def pss_kib(pid):
    return _kib(f"/proc/{pid}/smaps_rollup", "Pss")


def descendants(pid):
    """Live descendants of pid (by parent PID, walking /proc once)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = read_stat(int(entry))
            if st:
                parent[int(entry)] = st["ppid"]
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier and p not in found}
        found |= frontier
    return found


def tree_cpu_seconds(pid):
    """CPU seconds of pid and all its descendants, live and reaped (cutime/cstime)."""
    st = read_stat(pid)
    if st is None:
        return 0.0
    total = st["utime"] + st["stime"] + st["cutime"] + st["cstime"]
    for p in descendants(pid):
        c = read_stat(p)
        if c:
            total += c["utime"] + c["stime"]
    return total / TICK


def cpu_seconds(pid):
    st = read_stat(pid)
    return 0.0 if st is None else (st["utime"] + st["stime"]) / TICK


def stop_pid(proc_or_pid, timeout=STOP_TIMEOUT):
    """SIGTERM, then SIGKILL after `timeout`; reaps a Popen."""
    proc = proc_or_pid if isinstance(proc_or_pid, subprocess.Popen) else None
    pid = proc.pid if proc else proc_or_pid
    if proc is not None and proc.poll() is not None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None:
            if proc.poll() is not None:
                return
        elif read_stat(pid) is None:
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if proc is not None:
        proc.wait(timeout)


# -- our nodes -----------------------------------------------------------------------------------


def spawn_listening(node, argv, log_path, port, failure, interval=0.05):
    """Starts `argv` as `node.proc` (in its own session, output appended to `log_path`) and
    waits until `port` accepts connections. If the process exits or START_TIMEOUT passes first,
    stops `node` and raises StartError(failure()). Returns `node`."""
    log = open(log_path, "ab")
    try:
        node.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()
    deadline = time.monotonic() + START_TIMEOUT
    while not port_open(port):
        if node.proc.poll() is not None or time.monotonic() > deadline:
            node.stop()
            raise StartError(failure())
        time.sleep(interval)
    return node


def toml(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


class OurNode:
    """`murder serve -c <folder>/node.toml`: `config` is {section or "": {key: value}}."""

    def __init__(self, murder, folder, config, prefix=()):
        self.murder = murder
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config_path = self.folder / "node.toml"
        self.log_path = self.folder / "murder.err"
        self.prefix = list(prefix)
        self.proc = None
        self.ports = []
        text = []
        for section, keys in config.items():
            if section:
                text.append(f"\n[{section}]")
            text += [f"{k} = {toml(v)}" for k, v in keys.items()]
        self.config_path.write_text("\n".join(text) + "\n")

    @property
    def pid(self):
        return self.proc.pid

    @property
    def port(self):
        return self.ports[0]

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        """Starts the node and waits for its `listening <port…>` line; StartError otherwise."""
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(self.prefix + [str(self.murder), "serve", "-c", str(self.config_path)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                         start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT
        buf = b""
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                buf += chunk
            elif self.proc.poll() is not None:
                break
        line = buf.decode(errors="replace").strip()
        if not line.startswith("listening"):
            self.stop()
            raise StartError(self.why(line))
        self.ports = [int(p) for p in line.split()[1:]]
        return self

    def why(self, stdout_line=""):
        """The node's own explanation: the last meaningful stderr line."""
        try:
            lines = [ln.strip() for ln in self.log_path.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            lines = []
        lines = [ln for ln in lines if not ln.startswith(("Usage:", "See '", "  See"))]
        if lines:
            return lines[-1].removeprefix("Error: ")
        if self.proc is not None and self.proc.poll() is not None:
            return f"murder serve exited with status {self.proc.returncode}"
        return f"no 'listening' line within {START_TIMEOUT:.0f} s (stdout {stdout_line!r})"

    def stop(self):
        if self.proc is not None:
            stop_pid(self.proc)
            if self.proc.stdout:
                self.proc.stdout.close()

    def cpu_seconds(self):
        return cpu_seconds(self.pid)

    def memory_kib(self):
        """(RSS, PSS, processes) of the node."""
        return rss_kib(self.pid), pss_kib(self.pid), 1


class SpliceRelay:
    """bench/splice-relay.c, compiled into `binary`: relays every client to the backend on
    `backend_port` with blocking splice(2) socket -> pipe -> socket (a thread per direction,
    pipes of `pipe_bytes`), no login of its own. Started and stopped by PID."""

    def __init__(self, binary, folder, backend_port, pipe_bytes=65536):
        self.binary = Path(binary)
        self.backend_port = backend_port
        self.pipe_bytes = pipe_bytes
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_path = self.folder / "splice-relay.err"
        self.proc = None
        self.port = None

    @property
    def pid(self):
        return self.proc.pid

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        self.port = free_port()

        def failure():
            text = self.log_path.read_text(errors="replace").strip()
            return text.splitlines()[-1] if text else "splice-relay did not listen"

        return spawn_listening(
            self, [str(self.binary), str(self.port), "127.0.0.1", str(self.backend_port), str(self.pipe_bytes)],
            self.log_path, self.port, failure)

    def stop(self):
        if self.proc is not None:
            stop_pid(self.proc)

    def cpu_seconds(self):
        return cpu_seconds(self.pid)

    def memory_kib(self):
        return rss_kib(self.pid), pss_kib(self.pid), 1


# -- nginx mail proxy ----------------------------------------------------------------------------


NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
NGINX_MAIL_MODULE = os.environ.get("NGINX_MAIL_MODULE", "/usr/lib/nginx/modules/ngx_mail_module.so")


class NginxMailProxy:
    """nginx's IMAP proxy on its own prefix, config and pid file under `folder`: one worker
    (`daemon off; master_process on; worker_processes 1;`), `auth_http` at `auth_port` (which
    names the backend per login), then a plain relay. Started and stopped by PID (SIGTERM: fast
    shutdown; the worker, collected by parent PID first, is killed by PID if it lingers).

    `proxy_buffer` is nginx's relay buffer per direction (its default is one page, 4 KiB)."""

    def __init__(self, folder, auth_port, max_sessions, proxy_buffer="64k"):
        self.root = Path(folder)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "logs").mkdir(exist_ok=True)
        self.conf = self.root / "nginx.conf"
        self.log_path = self.root / "logs" / "error.log"
        self.port = free_port()
        self.proc = None
        self._children = set()
        self.proxy_buffer = proxy_buffer
        # Two descriptors per session (client, backend), within this process's limit.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        nofile = 2 * max_sessions + 1000
        if hard != resource.RLIM_INFINITY:
            nofile = min(nofile, hard)
        self.conf.write_text("\n".join([
            f"load_module {NGINX_MAIL_MODULE};",
            "daemon off;",
            "master_process on;",
            "worker_processes 1;",
            f"worker_rlimit_nofile {nofile};",
            f"pid {self.root / 'nginx.pid'};",
            f"error_log {self.log_path} warn;",
            f"events {{ worker_connections {nofile - 100}; }}",
            "mail {",
            "    server_name febench;",
            f"    auth_http 127.0.0.1:{auth_port}/auth;",
            "    auth_http_timeout 30s;",
            '    imap_capabilities "IMAP4rev1" "LITERAL+" "IDLE";',
            "    imap_auth plain login;",
            f"    proxy_buffer {proxy_buffer};",
            "    proxy_timeout 1h;",
            "    server {",
            f"        listen 127.0.0.1:{self.port} backlog=4096;",
            "        protocol imap;",
            "        proxy on;",
            "    }",
            "}",
            "",
        ]))

    @property
    def pid(self):
        return self.proc.pid

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        return spawn_listening(
            self, [NGINX, "-p", str(self.root), "-c", str(self.conf), "-e", str(self.log_path)],
            self.root / "nginx.out", self.port, lambda: f"nginx did not listen on {self.port}: {self.why()}")

    def why(self):
        lines = []
        for p in (self.log_path, self.root / "nginx.out"):
            try:
                lines += [ln.strip() for ln in p.read_text(errors="replace").splitlines() if ln.strip()]
            except OSError:
                pass
        return lines[-1] if lines else "no message"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._children |= descendants(self.proc.pid)
            stop_pid(self.proc)
        for pid in self._children:
            st = read_stat(pid)
            if st and st["comm"] == "nginx":
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._children = set()

    def cpu_seconds(self):
        """The master and its worker (live or reaped)."""
        return tree_cpu_seconds(self.pid)

    def memory_kib(self):
        """(RSS, PSS, processes) of the master and its worker."""
        procs = [self.pid] + sorted(descendants(self.pid))
        return sum(rss_kib(p) for p in procs), sum(pss_kib(p) for p in procs), len(procs)


# -- Cyrus frontend ------------------------------------------------------------------------------


class CyrusFrontend:
    """A Cyrus 3.6 frontend on its own folder: `mupdate` without -m (the list replica, fed by
    the master's UPDATE stream, on a unix socket) and `imapd` proxying each mailbox to the
    backend the list names. Its configdirectory lives under `folder`; the process-tracking and
    lock folders (`proc_path`, `mboxname_lockpath`) on a tmpfs (`shm`), as Debian's own
    imapd.conf puts them on /run: Cyrus rewrites a proc file at every command.

    The SASL realm of a login is the servername, so users are added under it."""

    def __init__(self, folder, shm, servername, master_port, backends, mupdate_user, mupdate_password,
                 prefork=32, admins=("admin",)):
        self.root = Path(folder)
        self.servername = servername
        self.config_dir = self.root / "config"
        self.sasldb = self.root / "sasldb2"
        self.imapd_conf = self.root / "imapd.conf"
        self.cyrus_conf = self.root / "cyrus.conf"
        self.log_path = self.root / "master.log"
        self.shm = Path(shm)
        self.port = free_port()
        self.proc = None
        self._children = set()
        for d in CYRUS_SUBDIRS:
            (self.config_dir / d).mkdir(parents=True, exist_ok=True)
        (self.root / "spool").mkdir(parents=True, exist_ok=True)
        options = {
            "configdirectory": self.config_dir,
            "defaultpartition": "default",
            "partition-default": self.root / "spool",
            "servername": servername,
            "admins": " ".join(admins),
            "sasl_pwcheck_method": "auxprop",
            "sasl_auxprop_plugin": "sasldb",
            "sasl_sasldb_path": self.sasldb,
            "sasl_mech_list": "PLAIN LOGIN",
            "allowplaintext": "yes",
            "unixhierarchysep": "yes",
            # Cyrus 3's default is the alternate namespace (INBOX/x listed as x); Debian's
            # imapd.conf and our nodes use the standard one.
            "altnamespace": "no",
            "syslog_prefix": "cyrus-febench",
            "proc_path": self.shm / "proc",
            "mboxname_lockpath": self.shm / "lock",
            # Cyrus 3.6.1 reads the master's port only from mupdate_server (host:port).
            "mupdate_server": f"127.0.0.1:{master_port}",
            "mupdate_port": master_port,
            "mupdate_username": mupdate_user,
            "mupdate_authname": mupdate_user,
            "mupdate_password": mupdate_password,
            "proxy_authname": mupdate_user,
            "proxy_password": mupdate_password,
            # PLAIN at the backends, as our frontend does (SPEC §5): left to itself Cyrus picks
            # SCRAM-SHA-256 from our backend's list and both sides pay PBKDF2 per connection.
            "force_sasl_client_mech": "PLAIN",
            "serverlist": " ".join(backends),
            "allowallsubscribe": "yes",
        }
        self.imapd_conf.write_text("".join(f"{k}: {v}\n" for k, v in options.items()))
        cmd = lambda prog, *a: " ".join([str(CYRUS_BIN / prog), "-C", str(self.imapd_conf), *a])  # noqa: E731
        # cyrus.conf is line-based; every cmd carries -C (children do not inherit the master's).
        # imapd keeps Cyrus's default reuse (a child serves up to 250 connections in turn);
        # prefork: children start in parallel rather than one at a time.
        self.cyrus_conf.write_text("\n".join([
            "START {",
            f'  recover cmd="{cmd("ctl_cyrusdb", "-r")}"',
            "}",
            "SERVICES {",
            f'  mupdate cmd="{cmd("mupdate")}" listen="{self.config_dir / "socket" / "mupdate"}" prefork=1',
            f'  imap cmd="{cmd("imapd")}" listen="127.0.0.1:{self.port}" prefork={prefork}',
            "}",
            "EVENTS {",
            "}",
            "DAEMON {",
            "}",
            "",
        ]))

    def add_user(self, user, password):
        add_sasl_user(self.sasldb, self.servername, user, password)

    def _chown(self):
        for base in (self.root, self.shm):
            shutil.chown(base, "cyrus", "mail")
            for dirpath, dirnames, filenames in os.walk(base):
                for n in dirnames + filenames:
                    shutil.chown(os.path.join(dirpath, n), "cyrus", "mail")

    @property
    def pid(self):
        return self.proc.pid

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        for d in ("proc", "lock"):
            p = self.shm / d
            shutil.rmtree(p, ignore_errors=True)
            p.mkdir(parents=True)
        self._chown()
        return spawn_listening(
            self, [str(CYRUS_BIN / "master"), "-C", str(self.imapd_conf), "-M", str(self.cyrus_conf),
                   "-p", str(self.root / "master.pid")],
            self.log_path, self.port, lambda: f"Cyrus master did not listen on {self.port}; see {self.log_path}",
            interval=0.1)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._children |= descendants(self.proc.pid)
            stop_pid(self.proc)
        # A child blocked on a backend can outlive the master: kill what is left, by PID.
        for pid in self._children:
            st = read_stat(pid)
            if st and st["comm"] in ("imapd", "mupdate", "ctl_cyrusdb"):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._children = set()

    def cpu_seconds(self):
        """The master, its live children and every child it reaped."""
        return tree_cpu_seconds(self.pid)

    def memory_kib(self):
        """(RSS, PSS, processes) summed over the master's children (imapd, mupdate)."""
        kids = descendants(self.pid)
        return sum(rss_kib(p) for p in kids), sum(pss_kib(p) for p in kids), len(kids)
