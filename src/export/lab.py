

class Lab(LoopCommands, ServeCommands, UnixCommands):
    """The session: our sockets, the peer, and the main thread's commands."""

    def __init__(self, name):
        self.name, self.line = name, 0
        self.lock = threading.Condition()
        self.socks, self.current = {}, None
        self.ids, self.seqs = 0, 0
        self.running = {}  # seq -> Call: in the kernel now
        self.over = False
        self.dials, self.dial_lock = {}, threading.Lock()
        self.peer = Peer(self.client_echo, self.dial)
        self.loop = None  # the event loop, made by the first `poll` command
        self.last_wait = None  # the latest wait on the loop lane
        self.serving, self.next_client, self.batch, self.waits = [], 0, [], {}
        self.summarized = False

    def at(self, line):
        self.line = line
        return self

    # -- bookkeeping, shared with the workers --------------------------------

    def new_id(self):
        with self.lock:
            self.ids += 1
            return self.ids

    def adopt(self, kind, s, current=True):
        with self.lock:
            sock = Sock(self, self.new_id(), kind, s)
            self.socks[sock.id] = sock
        if current:
            self.current = sock.id
        return sock

    def begin(self, call):
        with self.lock:
            call.state, call.began = "running", time.monotonic()
            self.running[call.seq] = call
            self.lock.notify_all()

    def end(self, call, outcome, detail, note=None, before=()):
        """Records how a call ended and prints its line (readiness lines first,
        a spin's tallies after it as a comment)."""
        with self.lock:
            if self.over:
                return
            call.state, call.outcome, call.detail = "done", outcome, detail
            del self.running[call.seq]
            for line in before:
                print(line)
            print(call.line())
            if note:
                print("#   " + note)
            sys.stdout.flush()
            self.lock.notify_all()

    def finish(self, code):
        """Prints what is still blocking, then exits without waiting for it.
        First a moment (FINISH_GRACE) for threads that are runnable but have
        not had the GIL yet, e.g. a server closing a client it just answered:
        sockscope's own threads would have made those calls by now."""
        time.sleep(FINISH_GRACE)
        with self.lock:
            self.over = True
            for call in sorted(self.running.values(), key=lambda c: c.seq):
                print(call.line(), flush=True)
        sys.stdout.flush()
        for sock in list(self.socks.values()):
            unlink_bound(sock)
        shutil.rmtree(self.peer.dir, ignore_errors=True)
        os._exit(code)

    def wait_until(self, ready, timeout):
        with self.lock:
            self.lock.wait_for(ready, timeout)

    def cur(self):
        if self.current is None:
            raise Stop("no socket yet: open one first (e.g. `open tcp`)")
        sock = self.socks.get(self.current)
        if sock is None or sock.closing:
            raise Stop("socket #%d is closed" % self.current)
        return sock

    def new_call(self, lane, op):
        with self.lock:
            self.seqs += 1
            return Call(self.seqs, lane, op)

    def submit(self, sock, op, *args):
        """Hands a call to the socket's worker (or, if one of its calls is in
        the kernel, to a thread of its own) and waits up to SETTLE for it.
        shutdown and close are made at once, here."""
        call = self.new_call("#%d" % sock.id, op)
        sock.last = call
        sock.last_of[op] = call
        if op in ("shutdown", "close"):
            self.begin(call)
            done = getattr(sock, "do_" + op)(sock.mode(), *args)
            self.end(call, *done)
            if op == "close" and done[0] == "ok":
                sock.closing = True
                self.forget(sock.id)
            return call
        with self.lock:
            beside = sock.busy > 0
            sock.busy += 1
        if beside:
            threading.Thread(target=sock.run, args=(call, op, args), daemon=True).start()
        else:
            sock.jobs.put((call, op, args))
        self.settle(call, sock)
        return call

    def settle(self, call, sock):
        """The settle rule: wait up to SETTLE from when the call entered the
        kernel. A call queued behind a blocked one stays queued; one whose idle
        worker has not started it yet (a loaded machine) gets START_WAIT more."""
        t0 = time.monotonic()
        with self.lock:
            while call.state != "done":
                if call.state == "running":
                    until = max(call.began, t0) + SETTLE
                elif any(c.lane == call.lane for c in self.running.values()):
                    until = t0 + SETTLE
                else:
                    until = t0 + SETTLE + START_WAIT
                left = until - time.monotonic()
                if left <= 0:
                    return
                self.lock.wait(left)

    # -- setting sockets up ----------------------------------------------------

    def open_tcp(self, host=None, port=None):
        family, to = resolve(host, port) if host is not None else (socket.AF_INET, self.peer.addr)
        self.submit(self.adopt("tcp", socket.socket(family, socket.SOCK_STREAM)), "open", to)

    def open_udp(self, host=None, port=None):
        if host is not None:
            family, to = resolve(host, port)
            s = socket.socket(family, socket.SOCK_DGRAM)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            theirs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            theirs.bind(("127.0.0.1", 0))
            to = theirs.getsockname()
            self.peer.request(self.peer.adopt_udp, theirs)
        s.connect(to)
        self.adopt("udp", s)

    def listen(self, host="127.0.0.1", port=0):
        family, at = resolve(host, port)
        s = socket.socket(family, socket.SOCK_STREAM)
        s.bind(at)
        s.listen(128)
        self.adopt("listener", s)

    def new_socket(self, kind, family=socket.AF_INET):
        ty = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
        self.adopt(kind, socket.socket(family, ty))

    def use(self, n):
        if n not in self.socks:
            raise Stop("no socket #%d" % n)
        self.current = n

    # -- modes: made on the socket at once, even while a call is blocked ------

    def setblocking(self, flag):
        sock = self.cur()
        sock.s.setblocking(flag)
        sock.timeout = None if flag else 0

    def settimeout(self, t):
        sock = self.cur()
        sock.s.settimeout(t)
        sock.timeout = t

    def setsockopt_timeo(self, opt, sec, usec):
        sock = self.cur()
        sock.s.setsockopt(socket.SOL_SOCKET, opt, struct.pack("ll", sec, usec))
        if opt == socket.SO_RCVTIMEO:
            sock.rcvtimeo = sec + usec / 1e6
        else:
            sock.sndtimeo = sec + usec / 1e6

    # -- calls -----------------------------------------------------------------

    def recv(self, size):
        self.submit(self.cur(), "recv", size)

    def peek(self, size):
        self.submit(self.cur(), "peek", size)

    def send(self, data):
        self.submit(self.cur(), "send", data)

    def accept(self):
        self.submit(self.cur(), "accept")

    def connect(self, host=None, port=None):
        to = resolve(host, port)[1] if host is not None else self.peer.addr
        self.submit(self.cur(), "connect", to)

    def shutdown(self, how):
        self.submit(self.cur(), "shutdown", how)

    def close(self):
        self.submit(self.cur(), "close")

    # -- the peer: aimed at the peer end of the current socket ----------------

    def peer_target(self):
        sock = self.cur()
        if sock.kind == "listener":
            return ("listener", sock.local)
        if sock.kind == "unix-listener":
            return ("unix-listener", sock.local)
        local, remote = sock.addrs()
        if sock.kind == "unixgram":
            return ("unixgram", remote)
        if sock.kind in ("unix", "unix-accepted"):
            listener = remote if sock.kind == "unix" else local
            if not listener or sock.pair is None:
                raise Stop("#%d is not connected to the peer" % sock.id)
            return ("unix", listener, sock.pair)
        if local is None or remote is None:
            raise Stop("#%d is not connected to the peer" % sock.id)
        return ("udp" if sock.kind == "udp" else "tcp", local, remote)

    def peer_act(self, *act, after=None):
        target = self.peer_target()
        if after is None:
            self.peer.request(self.peer.act, target, act)
        else:
            self.peer.request(self.peer.schedule, time.monotonic() + after, target, act)
        self.wait_until(lambda: not self.running, SETTLE)

    def peer_send(self, data, after=None):
        self.peer_act("send", data, after=after)

    def peer_pause(self):
        self.peer_act("pause")

    def peer_resume(self):
        self.peer_act("resume")

    def peer_close(self):
        self.peer_act("close")

    def peer_reset(self):
        if self.cur().kind.startswith("unix"):
            raise Stop("`peer reset` has no meaning on an AF_UNIX socket: SO_LINGER 0 sends an RST only on TCP")
        self.peer_act("reset")

    def peer_shutdown_wr(self):
        self.peer_act("shutdown_wr")

    def peer_connect(self, n):
        sock = self.cur()
        if sock.kind == "unix-listener":
            self.peer.request(self.peer.connect_unix, sock.local, n)
            self.wait_until(lambda: not self.running, SETTLE)
            return
        if sock.kind != "listener":
            raise Stop("`peer connect` needs a listener: #%d is a %s (try `listen` first)" % (sock.id, sock.kind))
        first = self.clients_begin(n) if sock.local[:2] in self.serving else None
        self.peer.request(self.peer.connect, sock.local, n, first)
        self.wait_until(lambda: not self.running, SETTLE)

    # -- the script's own commands ---------------------------------------------

    def wait(self, secs):
        time.sleep(secs)

    def say(self, text):
        print("# say: " + text, flush=True)

    def skip(self):
        """A command with nothing to repeat here (an export)."""

    def expect(self, word, n=None, op=None):
        """Checks the latest call on the current socket (with `op`, the latest
        call of that kind), waiting up to 5 s for it."""
        sock = self.socks.get(self.current)
        call = sock and (sock.last_of.get(op) if op else sock.last)
        want = word if n is None else "%s %s" % (word, n)
        if call is None:
            raise Stop("`expect %s`: no call has been made on this socket yet" % want)
        if word != "blocking":
            self.wait_until(lambda: call.state == "done", EXPECT_WAIT)
        with self.lock:
            state, got, detail = call.state, call.outcome, call.detail
        if state == "queued":
            self.fail(want, "nothing: the call has not started yet (it is queued behind a blocked call)")
        if got != word or (n is not None and str(n) != str(detail)):
            self.fail(want, call.result())

    def fail(self, want, got):
        print("# FAIL %s:%d: expected %s, got %s" % (self.name, self.line, want, got), flush=True)
        raise Failed("expected %s, got %s" % (want, got))


def main(name, experiment):
    lab = Lab(name)
    try:
        experiment(lab)
    except Stop as e:
        what = "expect failed" if isinstance(e, Failed) else "error"
        sys.stderr.write("%s:%d: %s: %s\n" % (shown(name), lab.line, what, shown(e)))
        lab.finish(1)
    except OSError as e:
        sys.stderr.write("%s:%d: error: %s (%s)\n" % (shown(name), lab.line, NAMES.get(e.errno, e.errno), e.strerror))
        lab.finish(1)
    except Exception:
        traceback.print_exc()
        lab.finish(1)
    lab.finish(0)
