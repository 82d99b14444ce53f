"""Real Cyrus IMAP 3.6 nodes (Debian packages) as MUPDATE peers on loopback.

A `CyrusInstance` is one Cyrus `master` process on its own folder: imapd.conf, cyrus.conf, a
configdirectory with its subfolders, a partition and a sasldb, all owned by cyrus:mail, nothing
read from or written to /etc or /var. The factories build the three murder roles:

- `cyrus_mupdate_master(root, admins, users)`: `mupdate -m` on a free loopback port.
- `cyrus_backend(root, master_host, master_port, ...)`: an imapd that registers its mailboxes
  with the given master (servername `127.0.0.1:<imap port>`), optionally pushing its list with
  `ctl_mboxlist -m` at start (with the master down that START entry makes the backend exit).
- `cyrus_frontend(root, master_host, master_port, ...)`: a list replica (`mupdate` without -m)
  plus an imapd that proxies to the backends.

`run_mupdatetest(host, port, user, password, commands)` drives Cyrus's own MUPDATE client.
`CyrusInstance.enable_telemetry(user)` makes every Cyrus process serving `user` record the
exact protocol bytes it exchanged; `telemetry(user)` reads them back.

Facts behind the choices here are in /work/shared/CYRUS-PEERS.md, plus one learnt here: a
Cyrus 3.6.1 mupdate client ignores `mupdate_port` and connects to the port written in
`mupdate_server: host:port`. Every wait is bounded; only
processes started here are signalled, by PID.
"""

import os
import pwd
import grp
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

CYRUS_BIN = Path(os.environ.get("CYRUS_BIN", "/usr/lib/cyrus/bin"))
# Debian package of each program used here (for the skip message).
PACKAGES = {
    "master": "cyrus-common",
    "ctl_cyrusdb": "cyrus-common",
    "ctl_mboxlist": "cyrus-common",
    "imapd": "cyrus-imapd",
    "idled": "cyrus-imapd",
    "mupdate": "cyrus-murder",
    "mupdatetest": "cyrus-murder",
}
CONFIG_SUBDIRS = ("socket", "proc", "db", "log", "sieve", "lock", "user", "quota", "sync", "msg", "ptclient")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
CLIENT_TIMEOUT = 20.0
MUPDATE_USER = "murder"


def password(user):
    return "secret-" + user


def require_cyrus(*programs):
    """Skips the calling test unless the Cyrus programs, saslpasswd2 and the cyrus user exist."""
    programs = programs or tuple(PACKAGES)
    missing = sorted({PACKAGES.get(p, "cyrus-common") for p in programs if not (CYRUS_BIN / p).is_file()})
    if missing:
        pytest.skip("Cyrus not installed (apt-get install " + " ".join(missing) + ")")
    if shutil.which("saslpasswd2") is None:
        pytest.skip("saslpasswd2 not installed (apt-get install sasl2-bin)")
    try:
        pwd.getpwnam("cyrus")
        grp.getgrnam("mail")
    except KeyError:
        pytest.skip("no cyrus user or mail group (apt-get install cyrus-common)")
    if os.geteuid() != 0:
        pytest.skip("Cyrus peers need root (their folders are owned by cyrus:mail)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening_ports():
    """Local TCP ports in LISTEN state on 127.0.0.1 or any address (from /proc/net/tcp)."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _children_of(pids):
    """Every live descendant of the given PIDs (walking /proc by parent PID)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: fields follow the last ')'.
        rest = stat.rsplit(")", 1)[1].split()
        parent[int(entry)] = int(rest[1])
    found = set()
    frontier = set(pids)
    while frontier:
        nxt = {pid for pid, ppid in parent.items() if ppid in frontier and pid not in found}
        found |= nxt
        frontier = nxt
    return found


def _make_traversable(path):
    """The cyrus user must reach the instance's files: mkdtemp folders are 0700, so folders
    from `path` up to the temporary directory get o+x; a folder elsewhere that the cyrus user
    cannot cross is an error."""
    path = Path(path).resolve()
    os.chmod(path, 0o755)
    tmp = Path(tempfile.gettempdir()).resolve()
    for d in path.parents:
        mode = d.stat().st_mode
        if mode & 0o001:
            continue
        if d == tmp or tmp in d.parents:
            os.chmod(d, mode | 0o011)
        else:
            raise RuntimeError(f"{d} is not searchable by the cyrus user; put Cyrus instances under {tmp}")


def _live_registry():
    """The e2e conftest's list of live servers, which its watchdog kills (None outside pytest)."""
    try:
        import conftest
        return conftest._live_backends, conftest._live_lock
    except (ImportError, AttributeError):
        return None


class CyrusInstance:
    """One Cyrus `master` with its own configuration, databases, partition and sasldb.

    Build it, add services/users, then `start()`. `servername` is also the SASL realm of every
    login, so users are created in that realm. Options are imapd.conf keys.
    """

    def __init__(self, root, servername=None, options=None, admins=("admin",)):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        _make_traversable(self.root)
        self.config_dir = self.root / "config"
        self.partition = self.root / "spool"
        self.imapd_conf = self.root / "imapd.conf"
        self.cyrus_conf = self.root / "cyrus.conf"
        self.pidfile = self.root / "master.pid"
        self.sasldb = self.root / "sasldb2"
        self.master_log = self.root / "master.log"
        self.host = "127.0.0.1"
        self.ports = {}
        self.servername = servername
        self.options = {
            "configdirectory": str(self.config_dir),
            "defaultpartition": "default",
            "partition-default": str(self.partition),
            "admins": " ".join(admins),
            "sasl_pwcheck_method": "auxprop",
            "sasl_auxprop_plugin": "sasldb",
            "sasl_sasldb_path": str(self.sasldb),
            "sasl_mech_list": "PLAIN LOGIN",
            "allowplaintext": "yes",
            "unixhierarchysep": "yes",
            "syslog_prefix": "cyrus-e2e",
        }
        self.options.update(options or {})
        self.start_entries = [("recover", "ctl_cyrusdb", ["-r"])]
        self.services = []
        self.daemons = []
        self.users = {}
        self.telemetry_users = set()
        self.proc = None
        self.pid = None
        self._known_children = set()
        for d in CONFIG_SUBDIRS:
            (self.config_dir / d).mkdir(parents=True, exist_ok=True)
        self.partition.mkdir(parents=True, exist_ok=True)

    # Configuration

    def add_service(self, name, program, args=(), port=None, listen=None, prefork=0):
        """A SERVICES entry; listens on 127.0.0.1:<port> (a free one when not given) unless
        `listen` (e.g. a unix socket path) is given. Returns the port (None for a socket)."""
        if listen is None:
            port = port or free_port()
            listen = f"127.0.0.1:{port}"
            self.ports[name] = port
        self.services.append((name, program, list(args), listen, prefork))
        return port

    def add_start(self, name, program, args=()):
        self.start_entries.append((name, program, list(args)))

    def add_daemon(self, name, program, args=()):
        self.daemons.append((name, program, list(args)))

    def add_user(self, user, pw=None):
        """Creates (or updates) `user` in this instance's sasldb, in its realm (servername)."""
        pw = password(user) if pw is None else pw
        realm = self.servername or socket.gethostname()
        subprocess.run(
            ["saslpasswd2", "-p", "-c", "-f", str(self.sasldb), "-u", realm, user],
            input=(pw + "\n").encode(),
            check=True,
            timeout=20,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.users[user] = pw
        if self.proc is not None:
            self._chown()

    def enable_telemetry(self, user):
        """Every Cyrus process serving `user` (imapd, mupdate) from now on writes the bytes it
        reads and writes to <configdirectory>/log/<user>/<pid...>."""
        d = self.config_dir / "log" / user
        d.mkdir(parents=True, exist_ok=True)
        shutil.chown(d, "cyrus", "mail")
        self.telemetry_users.add(user)

    def telemetry(self, user):
        """{file name: bytes} of the telemetry logs recorded for `user`, oldest first."""
        d = self.config_dir / "log" / user
        if not d.is_dir():
            return {}
        files = sorted(d.iterdir(), key=lambda p: (p.stat().st_mtime, p.name))
        return {p.name: p.read_bytes() for p in files if p.is_file()}

    def clear_telemetry(self, user):
        d = self.config_dir / "log" / user
        for p in d.iterdir() if d.is_dir() else ():
            if p.is_file():
                p.unlink()

    def _cmd(self, program, args):
        # Children do not inherit the master's -C: each command names the config itself.
        return " ".join([str(CYRUS_BIN / program), "-C", str(self.imapd_conf)] + [str(a) for a in args])

    def write_config(self):
        if self.servername is not None:
            self.options["servername"] = self.servername
        self.imapd_conf.write_text("".join(f"{k}: {v}\n" for k, v in self.options.items()))
        # cyrus.conf is line-based: one entry per line, braces on their own lines.
        lines = ["START {"]
        lines += [f'  {name} cmd="{self._cmd(prog, args)}"' for name, prog, args in self.start_entries]
        lines += ["}", "SERVICES {"]
        lines += [
            f'  {name} cmd="{self._cmd(prog, args)}" listen="{listen}" prefork={prefork}'
            for name, prog, args, listen, prefork in self.services
        ]
        lines += ["}", "EVENTS {", "}", "DAEMON {"]
        lines += [f'  {name} cmd="{self._cmd(prog, args)}"' for name, prog, args in self.daemons]
        lines += ["}"]
        self.cyrus_conf.write_text("\n".join(lines) + "\n")

    def _chown(self):
        for dirpath, dirnames, filenames in os.walk(self.root):
            for n in dirnames + filenames:
                try:
                    shutil.chown(os.path.join(dirpath, n), "cyrus", "mail")
                except OSError:
                    pass
        shutil.chown(self.root, "cyrus", "mail")

    # Process

    def start(self, timeout=START_TIMEOUT, wait=True):
        """Starts `master` in a new session (it signals its whole process group on shutdown) and
        waits until every TCP service listens. `wait=False` returns as soon as it runs."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.write_config()
        self._chown()
        try:
            self.pidfile.unlink()
        except FileNotFoundError:
            pass
        log = open(self.master_log, "ab")
        try:
            self.proc = subprocess.Popen(
                [str(CYRUS_BIN / "master"), "-C", str(self.imapd_conf), "-M", str(self.cyrus_conf),
                 "-p", str(self.pidfile)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            log.close()
        self.pid = self.proc.pid
        reg = _live_registry()
        if reg is not None:
            with reg[1]:
                reg[0].append(self)
        if not wait:
            return self
        deadline = time.monotonic() + timeout
        want = set(self.ports.values())
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Cyrus master exited ({self.proc.returncode}); log:\n{self.log_tail()}")
            if self.pidfile.is_file() and want <= _listening_ports():
                break
            if time.monotonic() > deadline:
                self.kill9()
                raise RuntimeError(f"Cyrus master did not listen on {sorted(want)}; log:\n{self.log_tail()}")
            time.sleep(0.05)
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        """Waits for the master to exit by itself; returns its exit code or None."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def log_tail(self, n=40):
        try:
            return "\n".join(self.master_log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _signal(self, sig):
        """Signals the master and its children (by PID), as the e2e watchdog expects."""
        if self.proc is None:
            return
        pids = set(self._known_children)
        if self.proc.poll() is None:
            pids |= _children_of({self.proc.pid})
            pids.add(self.proc.pid)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def stop(self):
        """SIGTERM to the master (PID from its pidfile, which must be ours), then SIGKILL to it
        and to any child left over. Returns the master's exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self._known_children |= _children_of({self.proc.pid})
            try:
                pid = int(self.pidfile.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pid = self.proc.pid
            if pid != self.proc.pid:
                pid = self.proc.pid
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait(STOP_TIMEOUT)
        self._kill_leftover_children()
        self._unregister()
        return self.proc.returncode

    def kill9(self):
        if self.proc is None:
            return
        self._known_children |= _children_of({self.proc.pid}) if self.proc.poll() is None else set()
        self._signal(signal.SIGKILL)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self._kill_leftover_children()
        self._unregister()

    def _kill_leftover_children(self):
        # A child blocked on a peer can ignore SIGTERM for minutes; children that exited
        # already may have had their PID reused, so only those still parented by init or
        # by a known child (orphans of this master) and still running a Cyrus program.
        deadline = time.monotonic() + 2.0
        while self._known_children and time.monotonic() < deadline:
            self._known_children = {p for p in self._known_children if _is_cyrus_process(p)}
            if self._known_children:
                time.sleep(0.05)
        for pid in self._known_children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._known_children = set()

    def _unregister(self):
        reg = _live_registry()
        if reg is not None:
            with reg[1]:
                if self in reg[0]:
                    reg[0].remove(self)

    # Tools run against this instance's configuration

    def run_tool(self, program, *args, timeout=CLIENT_TIMEOUT):
        """Runs a Cyrus command-line tool with this instance's imapd.conf (it drops to the
        cyrus user by itself). Returns the CompletedProcess (stdout/stderr as text)."""
        return subprocess.run(
            [str(CYRUS_BIN / program), "-C", str(self.imapd_conf)] + [str(a) for a in args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            text=True,
            errors="replace",
        )

    def push_mailbox_list(self, timeout=CLIENT_TIMEOUT):
        """`ctl_mboxlist -m`: the backend pushes its mailbox list to the mupdate master."""
        return self.run_tool("ctl_mboxlist", "-m", timeout=timeout)

    def dump_mailbox_list(self, timeout=CLIENT_TIMEOUT):
        """`ctl_mboxlist -d`: the local mailboxes database as text."""
        return self.run_tool("ctl_mboxlist", "-d", timeout=timeout).stdout

    # Clients

    def imap(self, user=None, pw=None, timeout=CLIENT_TIMEOUT):
        """An imaplib client on the `imap` service, logged in as `user` when given."""
        import imaplib
        m = imaplib.IMAP4(self.host, self.ports["imap"], timeout=timeout)
        if user is not None:
            m.login(user, self.users.get(user, password(user)) if pw is None else pw)
        return m


def _is_cyrus_process(pid):
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    return exe.startswith(str(CYRUS_BIN) + "/")


# Factories


def cyrus_mupdate_master(root, admins=(MUPDATE_USER,), users=None, options=None, start=True):
    """A Cyrus mupdate master (`mupdate -m`) on a free loopback port: `.ports["mupdate"]`.

    Only identities in `admins` may log in to it. `users` ({user: password}) go into its sasldb;
    by default each admin with password `secret-<admin>`."""
    require_cyrus("master", "mupdate", "ctl_cyrusdb")
    port = free_port()
    inst = CyrusInstance(root, servername=f"127.0.0.1:{port}", options=options, admins=admins)
    inst.add_service("mupdate", "mupdate", ["-m"], port=port, prefork=1)
    for user, pw in (users if users is not None else {a: password(a) for a in admins}).items():
        inst.add_user(user, pw)
    inst.port = port
    return inst.start() if start else inst


def _mupdate_client_options(master_host, master_port, mupdate_user, mupdate_password):
    """imapd.conf keys that point a Cyrus node at a mupdate master (3.6.1 reads the port only
    from `mupdate_server`; `mupdate_port` is set too for other versions)."""
    return {
        "mupdate_server": f"{master_host}:{master_port}",
        "mupdate_port": master_port,
        "mupdate_username": mupdate_user,
        "mupdate_authname": mupdate_user,
        "mupdate_password": password(mupdate_user) if mupdate_password is None else mupdate_password,
    }


def cyrus_backend(root, master_host, master_port, mupdate_user=MUPDATE_USER, mupdate_password=None,
                  proxy_identities=(MUPDATE_USER,), admins=("admin",), users=None, push_at_start=False,
                  idled=False, options=None, start=True):
    """A Cyrus imapd backend registering its mailboxes with the mupdate master at
    master_host:master_port, servername `127.0.0.1:<imap port>` (its mailboxes' location is
    `127.0.0.1:<port>!default`).

    `proxy_identities` may authorize as other users (a frontend's proxy_authname). `users`
    ({user: password}) default to alice, bob, the admins and the proxy identities with
    `secret-<user>`. `push_at_start` adds `ctl_mboxlist -m` to START: with the master down the
    backend then exits at start."""
    require_cyrus("master", "imapd", "ctl_cyrusdb", "ctl_mboxlist")
    port = free_port()
    opts = {
        **_mupdate_client_options(master_host, master_port, mupdate_user, mupdate_password),
        "proxyservers": " ".join(proxy_identities),
        "allowallsubscribe": "yes",
        # The default (delayed) makes a DELETE a rename to DELETED/...; immediate would never
        # send the mupdate DELETE in 3.6.1.
        "delete_mode": "delayed",
    }
    if idled:
        opts["imapidlepoll"] = 1
    opts.update(options or {})
    inst = CyrusInstance(root, servername=f"127.0.0.1:{port}", options=opts, admins=admins)
    if push_at_start:
        inst.add_start("mupdatepush", "ctl_mboxlist", ["-m"])
    inst.add_service("imap", "imapd", [], port=port)
    if idled:
        inst.add_daemon("idled", "idled")
    if users is None:
        users = {u: password(u) for u in ("alice", "bob", *admins, *proxy_identities)}
    for user, pw in users.items():
        inst.add_user(user, pw)
    inst.port = port
    inst.location = f"127.0.0.1:{port}!default"
    return inst.start() if start else inst


def cyrus_frontend(root, master_host, master_port, backends, mupdate_user=MUPDATE_USER, mupdate_password=None,
                   proxy_authname=MUPDATE_USER, proxy_password=None, admins=("admin",), users=None,
                   options=None, start=True):
    """A Cyrus frontend: a list replica (`mupdate` without -m, fed by the master's UPDATE
    stream, on a unix socket) and an imapd proxying each mailbox to its backend.

    `backends` are the servernames (`127.0.0.1:<port>`) for `serverlist` (placement of new
    top-level mailboxes); each must accept `proxy_authname` as a proxy identity."""
    require_cyrus("master", "imapd", "mupdate", "ctl_cyrusdb")
    port = free_port()
    opts = {
        **_mupdate_client_options(master_host, master_port, mupdate_user, mupdate_password),
        "proxy_authname": proxy_authname,
        "proxy_password": password(proxy_authname) if proxy_password is None else proxy_password,
        "serverlist": " ".join(backends),
        "allowallsubscribe": "yes",
    }
    opts.update(options or {})
    inst = CyrusInstance(root, servername=f"127.0.0.1:{port}", options=opts, admins=admins)
    inst.add_service("mupdate", "mupdate", [], listen=str(inst.config_dir / "socket" / "mupdate"), prefork=1)
    inst.add_service("imap", "imapd", [], port=port)
    if users is None:
        users = {u: password(u) for u in ("alice", "bob", *admins)}
    for user, pw in users.items():
        inst.add_user(user, pw)
    inst.port = port
    return inst.start() if start else inst


# mupdatetest


class Transcript:
    """What mupdatetest printed: `lines` (server and client lines as printed), `text`, and the
    tagged completion of each command sent."""

    def __init__(self, text, completions, returncode):
        self.text = text
        self.lines = text.splitlines()
        self.completions = completions
        self.returncode = returncode

    def completion(self, tag):
        return self.completions.get(tag)

    def responses(self, tag):
        """The server's lines with this tag after authentication, parsed: a list of
        (keyword, [arguments]) with quoted strings and literals decoded alike, e.g.
        ("MAILBOX", ["user.carol", "127.0.0.1:143!default", "carol\tlrswipkxtecdan\t"])."""
        return [(kw, args) for t, kw, args in parse_mupdate_lines(self.text) if t == tag]

    def tagged(self, tag):
        """Every line the server sent with this tag (data lines and the completion)."""
        prefix = tag + " "
        return [ln.removeprefix("S: ") for ln in self.lines if ln.removeprefix("S: ").startswith(prefix)]

    def __str__(self):
        return self.text


_ATOM = re.compile(r'[^\s"{}()]+')


def parse_mupdate_lines(text):
    """MUPDATE server lines as mupdatetest prints them after authentication (literal contents
    raw, on the following line; CRLF already turned into LF) -> [(tag, keyword, [args])]. Lines
    that do not parse (the banner with its S: prefix, mupdatetest's own messages) are skipped."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        end = text.find("\n", i)
        end = n if end < 0 else end
        line = text[i:end]
        m = re.match(r"([^\s\"{}:]+) ([A-Za-z-]+)( |$)", line)
        if not m or line.startswith(("S: ", "C: ")):
            i = end + 1
            continue
        tag, keyword = m.group(1), m.group(2).upper()
        args = []
        j = i + m.end()
        while j < n and text[j] != "\n":
            c = text[j]
            if c == " ":
                j += 1
            elif c == '"':
                k = j + 1
                buf = []
                while k < n and text[k] != '"':
                    if text[k] == "\\" and k + 1 < n:
                        k += 1
                    buf.append(text[k])
                    k += 1
                args.append("".join(buf))
                j = k + 1
            elif c == "{":
                lm = re.match(r"\{(\d+)\+?\}\n", text[j:])
                if not lm:
                    break
                start = j + lm.end()
                length = int(lm.group(1))
                args.append(text[start:start + length])
                j = start + length
            else:
                am = _ATOM.match(text, j)
                if not am:
                    break
                args.append(am.group(0))
                j = am.end()
        out.append((tag, keyword, args))
        i = j + 1
    return out


def run_mupdatetest(host, port, user, pw, commands, mechanism="PLAIN", realm=None, timeout=CLIENT_TIMEOUT,
                    compress=False, verbose=False):
    """Runs Cyrus's mupdatetest against host:port, authenticating as `user` with SASL
    `mechanism`, then sends each command line (with its tag, e.g. 'A1 FIND "user.alice"') once
    the previous one completed (its tagged OK/NO/BAD was printed). A LOGOUT is added when the
    commands do not end with one. Returns a Transcript; bounded by `timeout` in all."""
    require_cyrus("mupdatetest")
    args = [str(CYRUS_BIN / "mupdatetest"), "-p", str(port), "-a", user, "-w", pw, "-m", mechanism]
    if realm:
        args += ["-r", realm]
    if compress:
        args.append("-q")
    if verbose:
        args.append("-v")
    args.append(host)
    commands = list(commands)
    if not commands or commands[-1].split()[1:2] != ["LOGOUT"] and not commands[-1].upper().endswith(" LOGOUT"):
        commands.append("Z LOGOUT")
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    out = b""
    completions = {}
    fd = proc.stdout.fileno()

    def read_until(pred):
        nonlocal out
        while not pred(out):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return pred(out)
            out += chunk
        return True

    try:
        authenticated = read_until(lambda b: b"Authenticated." in b or b"Security strength factor" in b
                                   or b"Authentication failed" in b or b"failed" in b.lower())
        if authenticated and b"Authentication failed" not in out:
            for cmd in commands:
                tag = cmd.split(" ", 1)[0]
                proc.stdin.write(cmd.encode() + b"\r\n")
                proc.stdin.flush()
                if cmd.upper().split()[1:2] == ["LOGOUT"]:
                    read_until(lambda b: False)  # until EOF (or the deadline)
                    break
                pat = re.compile(rb"^(?:S: )?" + re.escape(tag.encode()) + rb" (OK|NO|BAD)\b.*$", re.M)
                if not read_until(lambda b: pat.search(b) is not None):
                    break
                completions[tag] = pat.search(out).group(0).decode(errors="replace").removeprefix("S: ").rstrip("\r")
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(max(0.5, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STOP_TIMEOUT)
        rest = proc.stdout.read()
        out += rest or b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(STOP_TIMEOUT)
        proc.stdout.close()
    text = out.decode(errors="replace").replace("\r\n", "\n")
    return Transcript(text, completions, proc.returncode)


# Wire recording


class RecordingProxy:
    """A loopback TCP relay that records every byte both ways, per connection: point a Cyrus
    peer at `.port` instead of the real server to see exactly what it sends and receives,
    authentication, banner and COMPRESS/STARTTLS included (telemetry starts after login).

    `connections` is a list of lists of (direction, bytes) with direction "C" (client to
    server) or "S"; each connection keeps at most `limit` bytes of record."""

    def __init__(self, target_host, target_port, limit=1 << 20):
        import threading
        self.target = (target_host, target_port)
        self.limit = limit
        self.connections = []
        self._lock = threading.Lock()
        self._threads = []
        self._sockets = []
        self._closed = False
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.host = "127.0.0.1"
        self.port = self.listener.getsockname()[1]
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)

    def _accept(self):
        import threading
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=CLIENT_TIMEOUT)
            except OSError:
                client.close()
                continue
            record = []
            with self._lock:
                self.connections.append(record)
                self._sockets += [client, server]
            for src, dst, direction in ((client, server, "C"), (server, client, "S")):
                t = threading.Thread(target=self._pump, args=(src, dst, direction, record), daemon=True)
                t.start()
                self._threads.append(t)

    def _pump(self, src, dst, direction, record):
        src.settimeout(None)
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    if sum(len(b) for _, b in record) < self.limit:
                        record.append((direction, data))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            # Half-close: the other direction keeps flowing (a LOGOUT's answer after the
            # client's last bytes).
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def transcripts(self):
        """Each connection as text: lines prefixed `C: ` or `S: `, CRLF shown as `\\r\\n`."""
        with self._lock:
            records = [list(r) for r in self.connections]
        return [format_exchange(r) for r in records]

    def close(self):
        self._closed = True
        try:
            self.listener.close()
        except OSError:
            pass
        with self._lock:
            socks = list(self._sockets)
        for s in socks:
            try:
                s.close()
            except OSError:
                pass


def format_exchange(record):
    """(direction, bytes) chunks as lines `C: ...\\r\\n` / `S: ...`, merging consecutive chunks
    of one direction; bytes that are not printable ASCII (TAB shown as \\t) appear as \\xNN."""
    merged = []
    for direction, data in record:
        if merged and merged[-1][0] == direction:
            merged[-1][1] += data
        else:
            merged.append([direction, bytearray(data)])
    out = []
    for direction, data in merged:
        for line in bytes(data).splitlines(keepends=True):
            text = "".join(
                "\\r" if c == 13 else "\\n" if c == 10 else "\\t" if c == 9 else chr(c) if 32 <= c < 127
                else f"\\x{c:02x}" for c in line
            )
            out.append(f"{direction}: {text}")
    return "\n".join(out)


class MupdateClient:
    """A raw MUPDATE client on a socket (for UPDATE streams and exact answers): reads the
    banner, authenticates with PLAIN (initial response as a quoted string), then sends lines.
    `read_response()` returns one server line with its literals inlined, as bytes."""

    def __init__(self, host, port, user=None, pw=None, timeout=CLIENT_TIMEOUT):
        import base64
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.banner = []
        while True:
            line = self.read_response()
            self.banner.append(line)
            if line.startswith(b"* OK MUPDATE"):
                break
        if user is not None:
            ir = base64.b64encode(b"\0" + user.encode() + b"\0" + pw.encode()).decode()
            self.send(f'A01 AUTHENTICATE "PLAIN" "{ir}"')
            answer = self.read_response()
            if answer != b'A01 OK "Authenticated"\r\n':
                raise ConnectionError(f"authentication failed: {answer!r}")

    def send(self, line):
        self.sock.sendall((line if isinstance(line, bytes) else line.encode()) + b"\r\n")

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no answer; buffered {self.buf[:200]!r}")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed; buffered {self.buf[:200]!r}")
        self.buf += chunk

    def read_response(self, timeout=CLIENT_TIMEOUT):
        """One response (a line and any literals it announces), CRLFs included."""
        deadline = time.monotonic() + timeout
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill(deadline)
            line, _, self.buf = self.buf.partition(b"\r\n")
            out += line + b"\r\n"
            m = re.search(rb"\{(\d+)\+?\}$", line)
            if not m:
                return out
            n = int(m.group(1))
            while len(self.buf) < n:
                self._fill(deadline)
            out += self.buf[:n]
            self.buf = self.buf[n:]

    def command(self, line, timeout=CLIENT_TIMEOUT):
        """Sends a tagged line; returns every response up to and including its completion."""
        tag = line.split(" ", 1)[0].encode()
        self.send(line)
        out = []
        while True:
            r = self.read_response(timeout)
            out.append(r)
            if re.match(re.escape(tag) + rb" (OK|NO|BAD) ", r):
                return out

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
