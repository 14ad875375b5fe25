

THINK = 0.3  # the first client of each `peer connect` batch to a `serve` thinks this long
SERVE_LIMIT = 30.0  # an event-loop server gives up after this long
REQUEST_SIZE = 1024  # each request is read with this size
READABLE = select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET  # mio's READABLE


class Client:
    """A connection a `serve` accepted: numbered like any socket (not for `use`)."""

    def __init__(self, id, s):
        self.id, self.s, self.mode = id, s, (None, None, None)


def traced(lab, lane, op, fn):
    """One call the server makes, recorded and printed like any other."""
    call = lab.new_call("#%d" % lane, op)
    lab.begin(call)
    done = fn()
    lab.end(call, *done[:2])
    return done


def serve(sock, call, kind, n):
    """`serve blocking|eventloop N`: the listener's worker becomes an echo server."""
    sock.lab.begin(call)
    sock.lab.end(call, "ok", None)  # announced at once, so it settles at once
    if kind == "blocking":
        for _ in range(n):
            c = accept_one(sock, sock.mode())
            if c is not None:
                answer(sock.lab, c)
                close_client(sock.lab, c)
    else:
        serve_eventloop(sock, n)


def accept_one(sock, mode):
    got = []

    def accept():
        try:
            s, _ = sock.s.accept()
        except OSError as e:
            return failed(e, mode, True)
        got.append(Client(sock.lab.new_id(), s))
        return "accepted", got[0].id

    traced(sock.lab, sock.id, "accept", accept)
    return got[0] if got else None


def answer(lab, c):
    """Reads one request and echoes it. Returns whether the client still has to be read."""
    outcome, _, data = traced(lab, c.id, "recv", lambda: recv_on(c.s, "tcp", c.mode, REQUEST_SIZE))
    if outcome == "data":
        traced(lab, c.id, "send", lambda: send_on(c.s, c.mode, data))
    return outcome == "wouldblock"


def close_client(lab, c):
    def close():
        c.s.close()
        return "ok", None

    traced(lab, c.id, "close", close)


def serve_eventloop(sock, n):
    """Every client at once: one edge-triggered epoll wait at a time, answering whoever is ready."""
    if sock.timeout is None:  # the listener must be non-blocking for the loop
        sock.s.setblocking(False)
        sock.timeout = 0
    mode, me = sock.mode(), sock.s.fileno()
    ep = select.epoll()
    ep.register(me, READABLE)
    ids, clients = {me: sock.id}, {}
    served, deadline = 0, time.monotonic() + SERVE_LIMIT
    while served < n and time.monotonic() < deadline:
        for fd, _ in loop_wait(sock.lab, ep, 1.0, ids):
            if fd == me:
                c = accept_one(sock, mode)
                while c is not None:
                    c.s.setblocking(False)  # accepted sockets do not inherit O_NONBLOCK
                    c.mode = (0, None, None)
                    ep.register(c.s.fileno(), READABLE)
                    clients[c.s.fileno()], ids[c.s.fileno()] = c, c.id
                    c = accept_one(sock, mode)
            elif fd in clients and not answer(sock.lab, clients[fd]):
                c = clients.pop(fd)
                ep.unregister(fd)
                close_client(sock.lab, c)
                served += 1
    ep.close()


class ServeCommands:
    """`serve`, the peer's clients of it, and `expect slowest`."""

    def serve(self, kind, n):
        sock = self.cur()
        if sock.kind != "listener":
            raise Stop("`serve` needs a listener: #%d is a %s" % (sock.id, sock.kind))
        self.serving.append(sock.local[:2])
        self.submit(sock, "serve", kind, n)

    def clients_begin(self, n):
        """Numbers a new batch of n peer clients; returns the first number."""
        with self.lock:
            first = self.next_client + 1
            self.next_client += n
            self.batch, self.summarized = list(range(first, first + n)), False
        return first

    def client_echo(self, k, secs):
        """A peer client got its echo `secs` after sending its request (peer thread)."""
        with self.lock:
            self.waits.setdefault(k, secs)
            if self.batch and all(c in self.waits for c in self.batch) and not self.summarized:
                self.summarized = True
                parts = ["c%d %.1f ms" % (c, self.waits[c] * 1e3) for c in self.batch]
                print("# client waits: " + ", ".join(parts), flush=True)
            self.lock.notify_all()

    def slowest(self):
        if self.batch and all(c in self.waits for c in self.batch):
            return max(self.waits[c] for c in self.batch)
        return None

    def expect_slowest(self, how, secs):
        """The slowest client of the latest batch waited over (or under) secs for its echo."""
        want = "slowest %s %s" % (how, secs)
        self.wait_until(lambda: self.slowest() is not None, EXPECT_WAIT)
        with self.lock:
            d, done = self.slowest(), len([c for c in self.batch if c in self.waits])
        if d is None:
            self.fail(want, "only %d of %d clients got their echo" % (done, len(self.batch)))
        if not (d > secs if how == "over" else d < secs):
            self.fail(want, "the slowest client waited %.1f ms" % (d * 1e3))
