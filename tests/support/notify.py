"""Test helpers for notification delivery (this module holds no tests): a self-signed certificate, a
real SMTP server (aiosmtpd: STARTTLS and AUTH) and real HTTP receivers on loopback ports, the
deliveries a story's duties call for, and a story's events written into a ledger's store. Every
server runs in its own thread and is stopped by the test that started it; nothing waits by sleeping."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from standardwebhooks.webhooks import Webhook

from audit.duties import default_rules, due_reminders, duties_of
from ledger.profiles import profile_for
from ledger.values import Actor, Role
from notify.content import reminder_content
from notify.dispatch import Channel, Delivery
from store.tables import SideWrites

SMTP_USER, SMTP_PASSWORD = "varsel", "hemmelig-passord-for-test"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 that signs itself; returns (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


# ---------------------------------------------------------------------- SMTP
@dataclass
class Mailbox:
    """What the SMTP server accepted: each message's envelope and raw bytes, and every AUTH tried."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, bool, bool]] = field(default_factory=list)  # user, accepted, over TLS

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        good = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == SMTP_USER.encode()
            and auth_data.password == SMTP_PASSWORD.encode()
        )
        user = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?"
        self.logins.append((user, good, session.ssl is not None))
        return AuthResult(success=good, handled=False)


class _LoopbackController(Controller):
    """aiosmtpd's controller on a port the system chooses (it would otherwise probe the port it was given)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server(cert: Path, key: Path) -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server on 127.0.0.1 that requires STARTTLS before anything and AUTH before mail."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    mailbox = Mailbox()
    controller = _LoopbackController(
        mailbox,
        hostname="127.0.0.1",
        port=0,
        tls_context=tls,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=mailbox.authenticate,
        server_hostname="smtp.test",
    )
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


# ------------------------------------------------------------------ webhooks
class Clock:
    """Real time plus a jump the test makes to the next due attempt: attempts take real time (so a
    timeout shows), the back-off between them is skipped, and signatures stay fresh for the receiver."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def jump_to(self, moment: datetime) -> None:
        self.ahead += max(timedelta(), moment - self())


def verified(secret: str) -> Callable[[Received], None]:
    """The receiver's check: the reference library, and the specification's recipe done by hand."""

    def verify(request: Received) -> None:
        Webhook(secret).verify(request.body, request.headers, json_parse=False)
        msg_id, stamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
        key = base64.b64decode(secret.removeprefix("whsec_"))
        expected = hmac.new(key, f"{msg_id}.{stamp}.".encode() + request.body, hashlib.sha256).digest()
        offered = [s.split(",", 1)[1] for s in request.headers["webhook-signature"].split() if s.startswith("v1,")]
        assert any(hmac.compare_digest(base64.b64decode(s), expected) for s in offered)
        payload = orjson.loads(request.body)
        assert payload["data"]["id"] == msg_id and set(payload) == {"type", "timestamp", "data"}

    return verify


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


class Receiver:
    """An HTTP receiver on 127.0.0.1 that answers each POST with the next status of `answers` (the last
    one repeats) after `verify` has judged it; `arrived` is set on each request."""

    def __init__(self, answers: list[int], verify: Callable[[Received], None]) -> None:
        self.answers = list(answers)
        self.received: list[Received] = []
        self.failures: list[str] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                request = Received({k.lower(): v for k, v in self.headers.items()}, body)
                try:
                    verify(request)
                except Exception as e:  # recorded for the test to see; the sender gets a 400
                    receiver.failures.append(repr(e))
                    status = 400
                else:
                    status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                with receiver.arrived:
                    receiver.received.append(request)
                    receiver.arrived.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ledger"
        # A short poll so that stopping the receiver does not wait half a second.
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


class HoldingReceiver:
    """An HTTP receiver on 127.0.0.1 that holds the first POST unanswered until `release` is set (so
    its sender can be killed mid-delivery) and answers every other one 200 at once."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.holding = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                first = not receiver.received
                receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                if first:
                    receiver.holding.set()
                    receiver.release.wait(timeout=60)
                try:
                    self.send_response(200)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (killed): nobody to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ledger"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> HoldingReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


class SilentReceiver:
    """Accepts TCP connections and never answers; keeps them open until stopped."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hooks/ledger"
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self._held.append(connection)
            self.accepted += 1

    def __enter__(self) -> SilentReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for connection in self._held:
            connection.close()
        self.listener.close()


# ---------------------------------------------------------------- deliveries
def deliveries(story: Any, now: datetime, channel: Channel, target: str) -> list[Delivery]:
    """One delivery per reminder the story's duties call for at `now`."""
    rules = default_rules()
    found = []
    for duty in duties_of(story.events, profile_for(story.municipality), now):
        for reminder in due_reminders(duty, rules, now):
            found.append(Delivery(reminder.id, channel, target, reminder_content(reminder, now)))
    return found


# ------------------------------------------------------------- in the store
def store_story(ledger: Any, story: Any) -> Any:
    """Write a story's events into the ledger's store as the command path does (sealed with a case key
    of its own, chained): the same events `duties_of` is given in memory, now read back by the
    projections. Returns the case id."""
    app, case_id = ledger.app, story.case_id
    new_key = app.keyring.prepare_write(case_id)
    try:
        stored = [app.mapper.to_stored_event(e) for e in story.events]
        app.recorder.insert_events(stored, side=SideWrites(new_keys=[new_key] if new_key else []))
    finally:
        app.keyring.finish_write(case_id)
    return case_id


def ke_of(municipality: str) -> Actor:
    return Actor("ke-4", Role.KE_CASEWORKER, municipality, "Kari Saksbehandlersen")


FAR = datetime(2100, 1, 1, tzinfo=UTC)


def everyones_tasks(ledger: Any, municipality: str, **filters: Any) -> list[dict[str, Any]]:
    """Every duty of the municipality, however far ahead, as KE's list gives them."""
    return ledger.reads.tasks.everyone(ke_of(municipality), due_before=FAR, **filters)["items"]
