

MAX_DRAIN_READS = 10000  # bound on the recvs one drain makes
DRAIN_SIZE = 1024  # what each drain recv asks for
FLAGS = ("readable", "writable", "read_closed", "write_closed", "error")


def readiness(ev):
    """epoll bits -> readiness names, exactly as mio reads them."""
    hup, err = ev & select.EPOLLHUP, ev & select.EPOLLERR
    readable = ev & (select.EPOLLIN | select.EPOLLPRI)
    writable = ev & select.EPOLLOUT
    read_closed = hup or (ev & select.EPOLLIN and ev & select.EPOLLRDHUP)
    write_closed = hup or (writable and err) or ev == select.EPOLLERR
    on = (readable, writable, read_closed, write_closed, err)
    return [name for name, bit in zip(FLAGS, on) if bit]


def spin(sock, size, count, secs):
    """A busy-poll: recv(size, MSG_DONTWAIT) back to back, whatever the mode
    (on a second socket object for the same fd, so that CPython's own
    timeout poll is not in the way), tallied by outcome."""
    dup = socket.socket(fileno=os.dup(sock.s.fileno()))
    deadline = None if secs is None else time.monotonic() + secs
    tally = dict(calls=0, wouldblock=0, data=0, eof=0, error=0, bytes=0)
    last = "ok", None
    try:
        while count is None or tally["calls"] < count:
            if tally["calls"] % 256 == 0 and deadline is not None and time.monotonic() >= deadline:
                break
            tally["calls"] += 1
            try:
                got = dup.recv(size, socket.MSG_DONTWAIT)
            except OSError as e:
                last = failed(e, (0, None, None), True)
                tally[last[0]] += 1
                continue
            last = ("eof", None) if not got and sock.kind not in ("udp", "unixgram") else ("data", len(got))
            tally[last[0]] += 1
            tally["bytes"] += len(got)
    finally:
        dup.close()
    if last[0] == "data":
        last = "data", tally["bytes"]  # a spin's count is all the bytes it read
    note = "%(calls)d calls: %(wouldblock)d wouldblock, %(data)d data (%(bytes)d bytes), %(eof)d eof, %(error)d error"
    return last + (note % tally,)


def loop_wait(lab, ep, timeout, ids, call=None):
    """One recorded epoll_wait on the `#loop` lane; returns its events."""
    call = call or lab.new_call("#loop", "poll")
    lab.last_wait = call
    lab.begin(call)
    try:
        events, err = ep.poll(-1 if timeout is None else timeout), None
    except OSError as e:
        events, err = [], NAMES.get(e.errno, "EUNKNOWN")
    with lab.lock:
        names = dict(ids)
    call.ready = [(names.get(fd, fd), readiness(ev)) for fd, ev in events]
    lines = ["#%s ready %s" % (n, "|".join(f) or "none") for n, f in call.ready]
    if err:
        lab.end(call, "error", err, before=lines)
    elif events:
        lab.end(call, "events", len(events), before=lines)
    else:
        lab.end(call, "timeout", None)
    return events


class Loop:
    """The event loop lane: one epoll on its own thread, registered the way
    mio registers (always edge-triggered: EPOLLET, and EPOLLRDHUP with
    reading). Each `poll wait` is one epoll_wait, run in order."""

    def __init__(self, lab):
        self.lab, self.ep = lab, select.epoll()
        self.registered = {}  # socket number -> fd
        self.drain = False
        self.jobs = queue.Queue()
        threading.Thread(target=self.work, name="eventloop", daemon=True).start()

    def add(self, sock, interest):
        mask = select.EPOLLET
        if interest in ("read", "both"):
            mask |= select.EPOLLIN | select.EPOLLRDHUP
        if interest in ("write", "both"):
            mask |= select.EPOLLOUT
        fd = sock.s.fileno()
        if sock.id in self.registered:
            self.ep.modify(fd, mask)
        else:
            self.ep.register(fd, mask)
        self.registered[sock.id] = fd

    def work(self):
        while True:
            call, timeout = self.jobs.get()
            with self.lab.lock:
                ids = {fd: n for n, fd in self.registered.items()}
            loop_wait(self.lab, self.ep, timeout, ids, call)


class LoopCommands:
    """`poll add|wait|drain`, `spin recv`, `expect events|queued`."""

    def event_loop(self):
        if self.loop is None:
            self.loop = Loop(self)
        return self.loop

    def forget(self, n):
        """A closed socket leaves epoll with its fd."""
        with self.lock:
            if self.loop is not None:
                self.loop.registered.pop(n, None)

    def poll_add(self, n, interest):
        if n is None:
            sock = self.cur()
        elif n not in self.socks:
            raise Stop("no socket #%d" % n)
        elif self.socks[n].closing:
            raise Stop("socket #%d is closed" % n)
        else:
            sock = self.socks[n]
        if sock.timeout is None:  # a socket registered with mio must be non-blocking
            sock.s.setblocking(False)
            sock.timeout = 0
        self.event_loop().add(sock, interest)

    def poll_drain(self, on):
        self.event_loop().drain = on

    def poll_wait(self, timeout=None):
        """One wait of the event loop, then (with drain on) its reads."""
        if self.loop is None or not self.loop.registered:
            raise Stop("nothing is registered with the event loop: use `poll add` first")
        call = self.new_call("#loop", "poll")
        self.loop.jobs.put((call, timeout))
        self.wait_until(lambda: call.state == "done", (SETTLE if timeout is None else timeout) + SETTLE)
        if call.state == "done" and self.loop.drain:
            self.drain_readable(call.ready)

    def drain_readable(self, ready):
        """The edge-triggered rule: recv each readable socket until it stops giving data."""
        ids = []
        for n, flags in ready:
            if ("readable" in flags or "read_closed" in flags) and ids[-1:] != [n]:
                ids.append(n)
        reads = 0
        for n in ids:
            while True:
                sock = self.socks.get(n)
                if sock is None:
                    raise Stop("socket #%d is closed" % n)
                call = self.submit(sock, "recv", DRAIN_SIZE)
                self.wait_until(lambda: call.state == "done", EXPECT_WAIT)
                reads += 1
                if call.outcome != "data" or reads >= MAX_DRAIN_READS:
                    break

    def spin_recv(self, size, count=None, secs=None):
        self.submit(self.cur(), "spin", size, count, secs)

    def expect_events(self, n=None):
        """The latest `poll wait` reported n readiness events (any, if n is None)."""
        call = self.last_wait  # any wait on the loop lane, a `serve eventloop`'s too
        if call is None:
            raise Stop("`expect events`: there has been no `poll wait` yet")
        self.wait_until(lambda: call.state == "done", EXPECT_WAIT)
        with self.lock:
            state, got = call.state, len(call.ready)
        want = "events" if n is None else "events %d" % n
        if state == "done" and (got > 0 if n is None else got == n):
            return
        self.fail(want, call.result() if state == "done" else "blocking")

    def expect_queued(self, n=None):
        """The current socket's receive queue holds n bytes now (FIONREAD)."""
        sock = self.cur()
        try:
            got = struct.unpack("i", fcntl.ioctl(sock.s.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]
        except OSError:
            raise Stop("socket #%d is closed" % sock.id)
        if got > 0 if n is None else got == n:
            return
        want = "queued" if n is None else "queued %d" % n
        self.fail(want, "%d bytes queued to receive on #%d" % (got, sock.id))
