"""The edge of a real `ledger serve` over a socket (issue #10): a 1 MB Authorization header gets
an HTTP answer (431), never a reset connection; a 100 MB body announced or streamed without a
token is refused with 413 without being read; no `server` banner. SQLite: nothing here is
about storage."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.serve import Server, ledger_env, serve, token

MB = 1_000_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    cwd: Path = tmp_path_factory.mktemp("edge")
    running = serve(ledger_env(f"sqlite:///{cwd}/ledger.db"), cwd, name="edge")
    yield running
    running.stop()


def exchange(server: Server, head: bytes, body_chunks: Iterator[bytes] = iter(())) -> tuple[bytes, int]:
    """Send a raw request (headers, then the body chunk by chunk until the server answers or
    closes); return the answer's bytes and how many body bytes were sent."""
    host, port = server.base.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answer = b""
        for chunk in body_chunks:
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                pass
            if answer:
                break
            try:
                sock.sendall(chunk)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        sock.settimeout(10)
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            part = sock.recv(65536)
            if not part:
                break
            answer += part
    return answer, sent


def status_and_headers(answer: bytes) -> tuple[int, dict[str, str]]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), {k.lower(): v for k, v in headers.items()}


def test_a_1_mb_authorization_header_is_answered_431_not_reset(server: Server) -> None:
    head = b"GET /v1/register/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"a" * MB + b"\r\n\r\n"
    answer, _ = exchange(server, head)
    status, headers = status_and_headers(answer)
    assert status == 431, answer[:300]
    assert headers["content-type"] == "application/problem+json"
    assert "server" not in headers


def test_a_10_kb_token_is_401_like_an_invalid_one(server: Server) -> None:
    answer = httpx.get(f"{server.base}/v1/register/teams", headers={"Authorization": "Bearer " + "a" * 10_000})
    assert answer.status_code == 401 and answer.json()["detail"] == "Tokenet er ugyldig."
    assert "server" not in answer.headers


def test_100_mb_announced_without_a_token_is_413_before_the_body(server: Server) -> None:
    head = (
        b"POST /v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {100 * MB}\r\n\r\n".encode()
    )
    answer, sent = exchange(server, head, (b" " * 65536 for _ in range(100 * MB // 65536)))
    assert status_and_headers(answer)[0] == 413
    assert sent < 10 * MB  # answered long before the body was through (what was sent sits in socket buffers)


def test_a_streamed_body_without_a_token_is_413_once_past_the_limit(server: Server) -> None:
    head = b"POST /v1/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"  # 64 kB chunks, never ending
    answer, sent = exchange(server, head, (chunk for _ in range(1600)))  # up to 100 MB offered
    status, headers = status_and_headers(answer)
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert sent < 10 * MB  # of the 100 MB offered
    # The server still answers (it did not hold on to the body).
    assert httpx.get(f"{server.base}/v1/health", headers={"Authorization": f"Bearer {token()}"}).status_code == 200
