

class PeerError(Exception):
    pass


class Conn:
    """The peer's end of a TCP connection."""

    def __init__(self, s):
        s.setblocking(False)
        self.s, self.local, self.remote = s, s.getsockname()[:2], s.getpeername()[:2]
        self.unix = None  # AF_UNIX: (listener path, which connect to it this is)
        self.reading, self.eof, self.out, self.events = True, False, bytearray(), 0
        self.client, self.sent_at, self.on_echo = None, None, None  # as a client of a `serve`

    def drain(self):
        """Reads until the kernel has nothing more, unless paused."""
        while self.reading and not self.eof:
            try:
                got = self.s.recv(65536)
                if not got:
                    self.eof = True
                elif self.sent_at is not None:
                    self.on_echo(self.client, time.monotonic() - self.sent_at)
                    self.sent_at = None
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.eof = True

    def flush(self):
        """Writes what is pending; the rest waits until the socket is writable."""
        while self.out:
            try:
                del self.out[: self.s.send(self.out, socket.MSG_NOSIGNAL)]
            except BlockingIOError:
                return
            except InterruptedError:
                pass
            except OSError:
                self.out.clear()

    def wanted(self):
        return (selectors.EVENT_READ if self.reading and not self.eof else 0) | (
            selectors.EVENT_WRITE if self.out else 0
        )


class Udp:
    """The peer's UDP socket, paired with one of ours."""

    def __init__(self, s):
        s.setblocking(False)
        name = s.getsockname()  # a path for AF_UNIX
        self.s, self.local, self.reading, self.events = s, name if isinstance(name, str) else name[:2], True, 0

    def drain(self):
        while self.reading:
            try:
                self.s.recvfrom(65536)
            except BlockingIOError:
                return
            except OSError:
                pass  # an ICMP error is reported once; keep reading after it

    def wanted(self):
        return selectors.EVENT_READ if self.reading else 0


class Peer(UnixPeer):
    """The embedded peer: a listener on 127.0.0.1, port 0, and every peer-side
    socket, on one thread that never blocks, so `peer close` and `peer reset`
    go out at once. Requests from the main thread run on that thread."""

    def __init__(self, on_echo, dial):
        self.on_echo = on_echo  # called with (client number, seconds) when a client gets its echo
        self.dial = dial  # numbers a connect to an AF_UNIX listener path (see Lab.dial)
        self.sel = selectors.DefaultSelector()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.setblocking(False)
        self.addr = self.listener.getsockname()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, "listener")
        # The AF_UNIX listener, in a private temp directory removed at exit.
        self.dir = tempfile.mkdtemp(prefix="sockscope-py-")
        self.unix_path, self.unix_accepted, self.fresh = os.path.join(self.dir, "peer.sock"), 0, 0
        self.unix_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix_listener.bind(self.unix_path)
        self.unix_listener.listen(128)
        self.unix_listener.setblocking(False)
        self.sel.register(self.unix_listener, selectors.EVENT_READ, "listener")
        self.sel.register(self.wake_r, selectors.EVENT_READ, "wake")
        self.requests = queue.Queue()
        self.conns, self.udps, self.timers, self.client_timers = [], [], [], []
        threading.Thread(target=self.run, name="peer", daemon=True).start()

    def request(self, fn, *args):
        """Runs fn(*args) on the peer thread and waits until it is done."""
        done, box = threading.Event(), []
        self.requests.put((fn, args, done, box))
        self.wake_w.send(b"x")
        if not done.wait(ACK_WAIT):
            raise Stop("peer: the peer did not answer")
        if box:
            raise Stop("peer: %s" % box[0])

    def run(self):
        while True:
            timeout, whens = None, [t[0] for t in self.timers + self.client_timers]
            if whens:
                timeout = max(0.0, min(whens) - time.monotonic())
            for key, _ in self.sel.select(timeout):
                self.guarded(self.ready, key.data)
            while not self.requests.empty():
                fn, args, done, box = self.requests.get()
                box.extend(self.guarded(fn, *args))
                done.set()
            now = time.monotonic()
            due = [t for t in self.timers if t[0] <= now]
            self.timers = [t for t in self.timers if t[0] > now]
            for _, target, act in due:
                for msg in self.guarded(self.act, target, act):
                    sys.stderr.write("fault: peer: %s\n" % shown(msg))
            due = [t for t in self.client_timers if t[0] <= now]
            self.client_timers = [t for t in self.client_timers if t[0] > now]
            for _, c in due:
                if c in self.conns:
                    self.guarded(self.send_request, c)

    def guarded(self, fn, *args):
        """Runs fn; returns what went wrong, if anything. The peer thread never dies."""
        try:
            fn(*args)
            return []
        except PeerError as e:
            return [str(e)]
        except Exception as e:
            traceback.print_exc()
            return [repr(e)]

    def ready(self, what):
        if what == "wake":
            try:
                self.wake_r.recv(4096)
            except OSError:
                pass
        elif what == "listener":
            self.accept_all()
        else:
            what.drain()
            if isinstance(what, Conn):
                what.flush()
            self.update(what)

    def update(self, x):
        """Registers for what x needs now (selectors are level-triggered)."""
        want = x.wanted()
        if want == x.events:
            return
        if not x.events:
            self.sel.register(x.s, want, x)
        elif not want:
            self.sel.unregister(x.s)
        else:
            self.sel.modify(x.s, want, x)
        x.events = want

    def add_conn(self, s):
        c = Conn(s)
        c.drain()  # data may have arrived before registration
        self.conns.append(c)
        self.update(c)
        return c

    def accept_all(self):
        for listener in (self.listener, self.unix_listener):
            while True:
                try:
                    s, _ = listener.accept()
                except OSError:  # BlockingIOError: nothing more waiting
                    break
                c = self.add_conn(s)
                if listener is self.unix_listener:
                    c.unix, self.unix_accepted = (self.unix_path, self.unix_accepted), self.unix_accepted + 1

    def adopt_udp(self, s):
        u = Udp(s)
        self.udps.append(u)
        self.update(u)

    def connect(self, to, n, first=None):
        """`peer connect N`: N clients connect to one of our listeners. With
        `first`, a `serve` runs there: the clients are numbered from `first`
        and each sends a request (the first after THINK, the rest at once)."""
        for i in range(n):
            try:
                c = self.add_conn(socket.create_connection(to[:2], timeout=2))
            except OSError as e:
                sys.stderr.write("peer connect %s:%d: %s\n" % (shown(to[0]), to[1], shown(e)))
                continue
            if first is not None:
                c.client, c.on_echo = first + i, self.on_echo
                if i == 0:
                    self.client_timers.append((time.monotonic() + THINK, c))
                else:
                    self.send_request(c)

    def send_request(self, c):
        """A client's request to a `serve`: sent now, timed until its echo."""
        c.out += b"request from c%d" % c.client
        c.sent_at = time.monotonic()
        c.flush()
        self.update(c)

    def lookup(self, target):
        kind = target[0]
        if kind == "unix":
            hits = [c for c in self.conns if c and c.unix == (target[1], target[2])]
            return hits[-1] if hits else None
        if kind == "unix-listener":
            hits = [c for c in self.conns if c and c.unix and c.unix[0] == target[1]]
            return hits[-1] if hits else None
        if kind == "unixgram":
            hits = [u for u in self.udps if u and u.local == target[1]]
            return hits[-1] if hits else None
        ours = [a[:2] if a else a for a in target[1:]]
        if kind == "tcp":
            hits = [c for c in self.conns if c and c.local == ours[1] and c.remote == ours[0]]
        elif kind == "listener":
            hits = [c for c in self.conns if c and c.remote == ours[0]]
        else:
            hits = [u for u in self.udps if u and u.local == ours[1]]
        return hits[-1] if hits else None

    def find(self, target):
        found = self.lookup(target)
        if found is None:
            self.accept_all()  # our connect may have raced the peer's accept
            found = self.lookup(target)
        if found is None:
            if target[0] == "listener":
                raise PeerError("no peer client is connected to %s:%d: try `peer connect`" % target[1][:2])
            if target[0] == "unix-listener":
                raise PeerError("no peer client is connected to %s: try `peer connect`" % target[1])
            raise PeerError("the peer has no socket paired with this one")
        return found

    def schedule(self, at, target, act):
        self.find(target)
        self.timers.append((at, target, act))

    def act(self, target, act):
        x = self.find(target)
        what = act[0]
        if what == "send":
            if isinstance(x, Udp):
                try:
                    if target[0] == "unixgram":
                        x.s.send(act[1])  # connected to ours already
                    else:
                        x.s.sendto(act[1], target[1])
                except OSError:
                    pass
            else:
                x.out += act[1]
                x.flush()
        elif what in ("pause", "resume"):
            x.reading = what == "resume"
            x.drain()
        elif what == "shutdown_wr" and isinstance(x, Conn):
            try:
                x.s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        else:  # close, reset (and, for UDP, shutdown wr): close() the socket
            if x.events:
                self.sel.unregister(x.s)
            (self.conns if isinstance(x, Conn) else self.udps)[self.index(x)] = None
            if what == "reset" and isinstance(x, Conn):
                try:  # SO_LINGER {on, 0}: close() sends RST instead of FIN
                    x.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            x.s.close()
            return
        self.update(x)

    def index(self, x):
        for i, y in enumerate(self.conns if isinstance(x, Conn) else self.udps):
            if y is x:
                return i
        raise PeerError("gone")
