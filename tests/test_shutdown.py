"""Graceful shutdown: on SIGTERM, requests already in flight finish; new connections are refused."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import httpx

from tests.app_server import AppServer

BODY = b'{"description": ""}'


def begin_request(port: int) -> socket.socket:
    """Send the headers and half the body of POST /api/v1/assessments: the server is now mid-request.

    A client still uploading is an in-flight request uvicorn must wait for, without a slow endpoint in the product.
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (
        "POST /api/v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    )
    sock.sendall(head.encode() + BODY[:5])
    return sock


def finish_request(sock: socket.socket) -> bytes:
    sock.sendall(BODY[5:])
    received = b""
    while not received.endswith(b"}") or b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    sock.close()
    return received


def test_sigterm_lets_in_flight_requests_finish(tmp_path: Path) -> None:
    app = AppServer(f"sqlite:///{tmp_path}/t.db", tmp_path).start()
    try:
        in_flight = [begin_request(app.port) for _ in range(8)]
        time.sleep(0.3)  # let the server read the headers of every request
        app.signal(signal.SIGTERM)
        time.sleep(0.5)
        assert app.process is not None
        assert app.process.poll() is None, "the server must wait for the requests in flight"
        try:
            httpx.get(f"{app.url}/healthz", timeout=2)
            raise AssertionError("a shutting-down server should not accept new connections")
        except httpx.TransportError:
            pass
        answers = [finish_request(sock) for sock in in_flight]
        assert all(a.startswith(b"HTTP/1.1 201 ") for a in answers), [a[:40] for a in answers]
        assert all(b'"status":"in_progress"' in a for a in answers)
        # uvicorn re-raises the SIGTERM it caught once shutdown is done, so the exit is "terminated", on time.
        assert app.process.wait(timeout=10) in (0, -signal.SIGTERM)
    finally:
        app.stop()
