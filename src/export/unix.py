

# -- AF_UNIX -------------------------------------------------------------------


def unlink_bound(sock):
    """Removes the socket file a unix listener bound, if it is still that file."""
    bound, sock.bound = sock.bound, None
    if bound:
        try:
            if os.stat(bound[0]).st_ino == bound[1]:
                os.unlink(bound[0])
        except OSError:
            pass


class UnixPeer:
    """The peer's AF_UNIX side: fresh paths in its private directory, and
    clients for our unix listeners."""

    def path(self, prefix):
        """A fresh path in the private directory."""
        self.fresh += 1
        return os.path.join(self.dir, "%s-%d.sock" % (prefix, self.fresh))

    def connect_unix(self, to, n):
        """`peer connect N` to our AF_UNIX listener: non-blocking, so a full backlog never waits."""
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(to)
            except OSError as e:
                sys.stderr.write("peer connect %s: %s\n" % (shown(to), shown(e)))
                s.close()
                continue
            c = self.add_conn(s)
            c.unix = (to, self.dial(to))


class UnixCommands:
    """`open unix`, `open unixgram`, `listen unix`, and the connect order
    that pairs the two ends of a unix stream."""

    def dial(self, path):
        """Numbers a connect that succeeded to the AF_UNIX listener at `path`:
        0, 1, 2 ... in connect order, the order the listener accepts in, so
        the k-th accepted socket is the other end of dial k (AF_UNIX clients
        have no address of their own to pair the two ends by)."""
        with self.dial_lock:
            n = self.dials.get(path, 0)
            self.dials[path] = n + 1
            return n

    def open_unix(self, path=None):
        sock = self.adopt("unix", socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        self.submit(sock, "open", path if path is not None else self.peer.unix_path)

    def open_unixgram(self, path=None):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ours = self.peer.path("dgram")
        s.bind(ours)  # a path of its own, so replies can reach it
        if path is None:
            theirs = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            path = self.peer.path("peer-dgram")
            theirs.bind(path)
            theirs.connect(ours)
            self.peer.request(self.peer.adopt_udp, theirs)
        s.connect(path)
        self.adopt("unixgram", s)

    def listen_unix(self, path=None):
        at = path if path is not None else self.peer.path("listen")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(at)
        s.listen(128)
        sock = self.adopt("unix-listener", s)
        sock.bound = (at, os.stat(at).st_ino)

