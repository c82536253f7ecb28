"""A local fake Web Push service, written from the RFCs (not from our client):

- RFC 8030 (Generic Event Delivery Using HTTP Push) §5: the application server POSTs the message to
  the push resource (the subscription's endpoint); §5.2 the TTL header is required; the service
  answers 201 Created with a Location for the message; §7.2 at least 4096 bytes of payload are
  accepted (we refuse more with 413); a subscription that expired answers 404/410 (§6.4, §7.3).
- RFC 8292 (VAPID) §2–§3: `Authorization: vapid t=<JWT>, k=<P-256 public key, base64url>`; the JWT is
  ES256-signed, its `aud` is the origin of the push resource, `exp` is no more than 24 hours ahead, and
  `sub` is a mailto: or https: contact; a bad token is refused with 403, a missing one with 401.
- A hostile "push service" may answer with a redirect instead (RFC 9110 §15.4.8, 307 Temporary Redirect
  with a Location, which a client following redirects repeats the POST to): `Subscription.redirect_to`.
- RFC 8291 (Message Encryption for Web Push) §4: `Content-Encoding: aes128gcm`; the body decrypts with
  the user agent's P-256 private key and 16-byte auth secret (we decrypt it to check what was sent).
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Subscription:
    """A user agent's subscription: its keys, and what the service should answer (in order)."""

    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    answers: list[int] = field(default_factory=list)  # scripted statuses; empty = 201
    gone: bool = False
    delay: float = 0.0
    redirect_to: str = ""  # answer 307 with this Location

    def keys(self) -> dict:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64(point), "auth": b64(self.auth)}


@dataclass
class Received:
    token: str
    headers: dict
    payload: bytes


class FakePushService:
    def __init__(self, decrypt: bool = True, in_process: bool = False):
        """`in_process`: serve from a forked child process (benchmarks: the service does not share our
        interpreter); subscribe before entering, and read `accepted` instead of `received`."""
        self.in_process = in_process
        self.accepted = multiprocessing.get_context("fork").Value("i", 0)
        self.subscriptions: dict[str, Subscription] = {}
        self.received: list[Received] = []
        self.refused: list[tuple[str, int, str]] = []
        self.decrypt = decrypt
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, reason = service.handle(self.path, dict(self.headers), body)
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", f"{service.url}/message/{time.time_ns()}")
                elif status == 307:
                    self.send_header("Location", service.subscriptions[self.path.removeprefix("/push/")].redirect_to)
                self.send_header("Content-Length", str(len(reason.encode())))
                self.end_headers()
                self.wfile.write(reason.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        if self.in_process:
            self.child = multiprocessing.get_context("fork").Process(target=self.server.serve_forever, daemon=True)
            self.child.start()
        else:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        if self.in_process:
            self.child.terminate()
            self.child.join()
        else:
            self.server.shutdown()
        self.server.server_close()

    def subscribe(self, **options) -> Subscription:
        token = b64(os.urandom(12))
        subscription = Subscription(token=token, private_key=ec.generate_private_key(ec.SECP256R1()),
                                    auth=os.urandom(16), **options)
        self.subscriptions[token] = subscription
        return subscription

    def endpoint(self, subscription: Subscription) -> str:
        return f"{self.url}/push/{subscription.token}"

    def browser_json(self, subscription: Subscription) -> str:
        """What PushSubscription.toJSON() gives the page."""
        return json.dumps({"endpoint": self.endpoint(subscription), "expirationTime": None,
                           "keys": subscription.keys()})

    # --- the push service's rules ---------------------------------------------------------------

    def _check_vapid(self, header: str) -> str:
        if not header.lower().startswith("vapid "):
            return "missing"
        params = dict(part.strip().split("=", 1) for part in header[6:].split(","))
        token, key = params.get("t", ""), params.get("k", "")
        try:
            signing_input, _, signature = token.rpartition(".")
            claims = json.loads(unb64(signing_input.split(".")[1]))
            header_json = json.loads(unb64(signing_input.split(".")[0]))
            raw = unb64(signature)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, IndexError, InvalidSignature, json.JSONDecodeError):
            return "bad signature"
        if header_json.get("alg") != "ES256" or len(raw) != 64:
            return "bad alg"
        if claims.get("aud") != self.url:
            return "bad aud"
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            return "bad exp"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "bad sub"
        return ""

    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, str]:
        headers = {k.lower(): v for k, v in headers.items()}
        token = path.removeprefix("/push/")
        subscription = self.subscriptions.get(token)
        status, reason = self._decide(subscription, headers, body)
        with self._lock:
            if status == 201:
                with self.accepted.get_lock():
                    self.accepted.value += 1
                self.received.append(Received(token, headers, self._plaintext(subscription, body)))
            else:
                self.refused.append((token, status, reason))
        return status, reason

    def _decide(self, subscription, headers, body) -> tuple[int, str]:
        if subscription is None:
            return 404, "no such subscription"
        if subscription.gone:
            return 410, "subscription expired"
        if subscription.delay:
            time.sleep(subscription.delay)
        if subscription.redirect_to:
            return 307, "redirected"
        if "ttl" not in headers or not headers["ttl"].isdigit():
            return 400, "TTL required"
        problem = self._check_vapid(headers.get("authorization", ""))
        if problem:
            return (401 if problem == "missing" else 403), problem
        if headers.get("content-encoding") != "aes128gcm":
            return 415, "aes128gcm required"
        if len(body) > 4096:
            return 413, "payload too large"
        with self._lock:
            if subscription.answers:
                scripted = subscription.answers.pop(0)
                if scripted != 201:
                    return scripted, "scripted"
        return 201, ""

    def _plaintext(self, subscription: Subscription, body: bytes) -> bytes:
        if not self.decrypt:
            return b""
        return http_ece.decrypt(body, private_key=subscription.private_key, auth_secret=subscription.auth,
                                version="aes128gcm")
