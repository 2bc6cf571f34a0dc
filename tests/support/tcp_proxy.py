"""A TCP proxy between the ledger and its database that a test can break on purpose.

Modes:

* `forward()`: relay bytes both ways (new connections too).
* `refuse()`: stop listening and close every connection: a database that is down
  (connections are refused at once).
* `blackhole()`: keep listening and keep every connection open, but drop every byte in
  both directions: a database whose packets vanish (nothing is refused, nothing answers).
  A byte stream that lost bytes cannot go on, so the connections that lived through a
  blackhole are closed when it ends, as a firewall that dropped them would leave them.
* `restart()`: close everything and forward afresh: the database restarted.

Threads, not asyncio: the test's own code stays synchronous.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

FORWARD, REFUSE, BLACKHOLE = "forward", "refuse", "blackhole"


@dataclass(eq=False)
class _Pipe:
    client: socket.socket
    upstream: socket.socket | None
    tainted: bool = False  # lived through a blackhole: bytes were lost
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for s in (self.client, self.upstream):
            if s is not None:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()


class TcpProxy:
    def __init__(self, upstream: tuple[str, int], host: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.host = host
        self.mode = FORWARD
        self._pipes: set[_Pipe] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._stopped = False
        self._acceptor: threading.Thread | None = None
        self.port = self._listen(0)

    # ------------------------------------------------------------ controls
    def forward(self) -> None:
        with self._lock:
            previous, self.mode = self.mode, FORWARD
            tainted = [p for p in self._pipes if p.tainted]
        for pipe in tainted:
            self._drop(pipe)
        if previous == REFUSE:
            self._listen(self.port)

    def refuse(self) -> None:
        with self._lock:
            self.mode = REFUSE
            listener, self._listener = self._listener, None
            pipes = list(self._pipes)
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); only then does close() free the port.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                listener.close()
            if self._acceptor is not None:
                self._acceptor.join(timeout=5)
        for pipe in pipes:
            self._drop(pipe)

    def blackhole(self) -> None:
        with self._lock:
            self.mode = BLACKHOLE
            for pipe in self._pipes:
                pipe.tainted = True
        if self._listener is None:
            self._listen(self.port)

    def restart(self) -> None:
        self.refuse()
        self.forward()

    def close(self) -> None:
        self._stopped = True
        self.refuse()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._pipes)

    # ------------------------------------------------------------ plumbing
    def _listen(self, port: int) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, port))
        listener.listen(128)
        with self._lock:
            self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), name="proxy-accept", daemon=True)
        self._acceptor.start()
        return int(listener.getsockname()[1])

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by refuse()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.mode == BLACKHOLE:
                pipe = _Pipe(client, None, tainted=True)
            else:
                try:
                    upstream = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    client.close()
                    continue
                upstream.settimeout(None)
                upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                pipe = _Pipe(client, upstream)
            with self._lock:
                if self.mode == REFUSE:
                    pipe.close()
                    continue
                self._pipes.add(pipe)
            threading.Thread(target=self._pump, args=(pipe, pipe.client, pipe.upstream), daemon=True).start()
            if pipe.upstream is not None:
                threading.Thread(target=self._pump, args=(pipe, pipe.upstream, pipe.client), daemon=True).start()

    def _pump(self, pipe: _Pipe, source: socket.socket, target: socket.socket | None) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if pipe.tainted or self.mode == BLACKHOLE or target is None:
                    pipe.tainted = True
                    continue  # dropped on the floor
                target.sendall(data)
        except OSError:
            pass
        self._drop(pipe)

    def _drop(self, pipe: _Pipe) -> None:
        with self._lock:
            self._pipes.discard(pipe)
        pipe.close()
