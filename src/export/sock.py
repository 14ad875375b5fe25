"""Recreates a sockscope experiment with Python's own socket module.

Standard library only. Like sockscope, each of our sockets has a worker
thread that runs its calls; the main thread hands a call over and waits up
to SETTLE (50 ms) for it before going on, so a call that blocks is left
blocking while the script continues. A call made while another call of the
same socket is still in the kernel runs at once on a thread of its own, as a
second thread of a program would; shutdown and close are made at once by the
main thread. Every call prints one line when it
ends, in the same form for every call:

    #1 recv data 5        #1 recv wouldblock     #1 recv timeout     #1 recv eof
    #1 send sent 5        #1 send partial 3919467                    #2 connect inprogress
    #1 accept accepted 2  #1 recv error ECONNRESET                   #1 open connected

The event loop's waits print on their own lane, after the readiness events
they reported (`#1 ready readable`, `#loop poll events 1`, `#loop poll
timeout`); a `spin` prints its last outcome, then its tallies as a comment.
A call still blocking when the script ends is printed then, as `blocking`.
Narration prints as `# say: ...`. The embedded peer (the other end of every
connection opened without an address) runs on its own thread over loopback.
Like sockscope, a failed `expect` or a command that cannot be carried out
stops the script with exit code 1.
"""

import errno
import fcntl
import os
import queue
import select
import selectors
import shutil
import socket
import struct
import sys
import tempfile
import termios
import threading
import time
import traceback

SETTLE = 0.05  # a call may take this long before the next command runs
EXPECT_WAIT = 5.0  # how long `expect` waits for the latest call to finish
ACK_WAIT = 2.0  # how long to wait for the peer thread to carry out a request
START_WAIT = 2.0  # how long a call handed to an idle worker may take to start
FINISH_GRACE = 0.005  # at the end: one GIL switch interval for runnable threads
NAMES = dict(errno.errorcode)
NAMES[errno.EOPNOTSUPP] = "EOPNOTSUPP"  # Python says ENOTSUP; strace and sockscope say EOPNOTSUPP


def filler(n, first="a"):
    """`send SIZE`: that many filler bytes, a..z repeating (the peer uses A..Z)."""
    base = bytes(range(ord(first), ord(first) + 26))
    return (base * (n // 26 + 1))[:n]


def resolve(host, port):
    """host:port -> (family, sockaddr): the first address wins."""
    try:
        found = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except OSError as e:
        raise Stop("cannot resolve `%s:%d`: %s" % (shown(host), port, shown(e)))
    return found[0][0], found[0][4]


def shown(text):
    """Text from the scenario (an address, a path) as sockscope shows it:
    controls, invisible and width-changing characters escaped, by sockscope's
    own table (UNSAFE, written out with the experiment)."""
    out = []
    for c in str(text):
        n = ord(c)
        if c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif n < 0x20 or n == 0x7F:
            out.append("\\x%02x" % n)
        elif n & 0xFFFE == 0xFFFE or any(lo <= n <= hi for lo, hi in UNSAFE):
            out.append("\\u{%x}" % n)
        else:
            out.append(c)
    return "".join(out)


class Stop(Exception):
    """A command that cannot be carried out: the script stops (exit 1)."""


class Failed(Stop):
    """An `expect` that did not hold: the script stops (exit 1)."""


def failed(e, mode, reading):
    """Names an OSError the way sockscope does. mode: (timeout, rcvtimeo, sndtimeo)."""
    if isinstance(e, socket.timeout) and e.errno is None:
        return "timeout", None  # CPython's poll() ran out: no recv/send was made
    if e.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
        timeout, rcv, snd = mode
        timer = rcv if reading else snd
        if timeout:
            return "timeout", None
        if timeout is None and timer:
            return "timeout", None  # the kernel's SO_RCVTIMEO/SO_SNDTIMEO ran out
        return "wouldblock", None
    return "error", NAMES.get(e.errno, "EUNKNOWN")


def recv_on(s, kind, mode, size):
    """s.recv(size) -> (outcome, detail, data)."""
    try:
        data = s.recv(size)
    except OSError as e:
        return failed(e, mode, True) + (b"",)
    if not data and kind not in ("udp", "unixgram"):
        return "eof", None, data
    return "data", len(data), data  # a zero-length datagram is data, not EOF


def peek_on(s, kind, mode, size):
    """s.recv(size, MSG_PEEK): the data stays queued."""
    try:
        data = s.recv(size, socket.MSG_PEEK)
    except OSError as e:
        return failed(e, mode, True)
    if not data and kind not in ("udp", "unixgram"):
        return "eof", None
    return "data", len(data)


def send_on(s, mode, data):
    """One s.send(data, MSG_NOSIGNAL) (not sendall) -> (outcome, detail)."""
    try:
        n = s.send(data, socket.MSG_NOSIGNAL)
    except OSError as e:
        return failed(e, mode, False)
    return ("sent" if n == len(data) else "partial"), n


class Call:
    """One call on a lane (`#1`, or `#loop` for the event loop's waits)."""

    def __init__(self, seq, lane, op):
        self.seq, self.lane, self.op = seq, lane, op
        self.state = "queued"  # -> "running" -> "done"
        self.outcome, self.detail = "blocking", None
        self.ready = []  # a poll wait's readiness events: (socket number, flags)

    def result(self):
        """`data 5`, `wouldblock`, `error EPIPE`, `accepted 2`."""
        return self.outcome if self.detail is None else "%s %s" % (self.outcome, self.detail)

    def line(self):
        return "%s %s %s" % (self.lane, self.op, self.result())


class Sock:
    """One of our sockets and the worker thread that runs its calls in order."""

    def __init__(self, lab, id, kind, s):
        self.lab, self.id, self.kind, self.s = lab, id, kind, s
        self.timeout = None  # None: blocking; 0: non-blocking; T: settimeout(T)
        self.rcvtimeo = self.sndtimeo = None  # SO_RCVTIMEO / SO_SNDTIMEO as last set
        self.jobs = queue.Queue()
        self.busy = 0  # calls handed out and not finished (under lab.lock)
        self.last = None
        self.last_of = {}  # the latest call of each kind ("recv", "send" ...)
        self.closing = False
        self.local = self.remote = None
        self.pair = None  # AF_UNIX streams: which connect to its listener this is (see Lab.dial)
        self.accepted = 0  # a unix listener: how many it has accepted
        self.bound = None  # a unix listener: (path, inode) of the file it bound, unlinked on close
        self.addrs()
        threading.Thread(target=self.work, name="sock-%d" % id, daemon=True).start()

    def addrs(self):
        """getsockname/getpeername read now, falling back to what was last seen."""
        try:
            self.local = self.s.getsockname()
        except OSError:
            pass
        try:
            self.remote = self.s.getpeername()
        except OSError:
            pass
        return self.local, self.remote

    def mode(self):
        return self.timeout, self.rcvtimeo, self.sndtimeo

    def work(self):
        while True:
            self.run(*self.jobs.get())

    def run(self, call, op, args):
        """One call, on whichever thread was given it."""
        mode = self.mode()
        try:
            if op == "serve":
                serve(self, call, *args)
                return
            self.lab.begin(call)
            try:
                done = getattr(self, "do_" + op)(mode, *args)
            except Exception:
                traceback.print_exc()
                done = "error", "EIO"
            self.lab.end(call, *done)
        except Exception:
            traceback.print_exc()
        finally:
            with self.lab.lock:
                self.busy -= 1

    def do_recv(self, mode, size):
        return recv_on(self.s, self.kind, mode, size)[:2]

    def do_peek(self, mode, size):
        return peek_on(self.s, self.kind, mode, size)

    def do_send(self, mode, data):
        return send_on(self.s, mode, data)

    def do_accept(self, mode):
        try:
            new, _ = self.s.accept()
        except OSError as e:
            return failed(e, mode, True)
        if self.kind == "unix-listener":
            sock = self.lab.adopt("unix-accepted", new, current=False)
            sock.pair, self.accepted = self.accepted, self.accepted + 1
            return "accepted", sock.id
        return "accepted", self.lab.adopt("accepted", new, current=False).id

    def do_connect(self, mode, addr):
        try:
            self.s.connect(addr)
            done = "connected", None
            if isinstance(addr, str):
                self.pair = self.lab.dial(addr)
        except OSError as e:
            if e.errno == errno.EINPROGRESS:
                done = "inprogress", None
            else:
                done = failed(e, mode, False)
        self.addrs()
        return done

    do_open = do_connect

    def do_shutdown(self, mode, how):
        try:
            self.s.shutdown(how)
        except OSError as e:
            return "error", NAMES.get(e.errno, "EUNKNOWN")
        return "ok", None

    def do_close(self, mode):
        self.s.close()
        unlink_bound(self)
        return "ok", None

    def do_spin(self, mode, size, count, secs):
        return spin(self, size, count, secs)
