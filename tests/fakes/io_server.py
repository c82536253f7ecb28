"""A local fake of App IO's Services API, written from the facts of its OpenAPI description
(teamdigitale/io-functions-services, openapi/index.yaml, v1.21.2; the payment facts checked again against
pagopa/io-functions-services openapi/index.yaml v4.0.0, commit 72b2ff3 of March 2026: PaymentDataBase,
PaymentData, Payee, OrganizationFiscalCode, Timestamp; not copied, and not from our client):

- base path `/api/v1`; every call needs the service's key in `Ocp-Apim-Subscription-Key` (401/403
  otherwise);
- `GET /profiles/{fiscal_code}`: 200 `LimitedProfile` with the required `sender_allowed`, 404 when no
  user has that fiscal code, 429 when throttled;
- `POST /messages` (`submitMessageforUserWithFiscalCodeInBody`): body `NewMessage` with `fiscal_code`,
  optional `time_to_live` (3600–604800) and the required `content` (`MessageContent`): `subject`
  10–120 characters, `markdown` 80–10,000, optional `due_date` (ISO-8601 UTC) and `payment_data`
  (`amount` integer 1–9999999999 euro cents and `notice_number` matching ^[0123][0-9]{17}$ required,
  `invalid_after_due_date` boolean; `payee.fiscal_code` of the organisation as in the later API
  versions named in shared/spec/pagopa.md); answers 201 with `{"id"}` and a Location, 400 ProblemJson
  for anything else, 429, 500.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FISCAL_CODE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")
NOTICE_NUMBER = re.compile(r"^[0123][0-9]{17}$")
UTC_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")


def _problem(status: int, detail: str) -> tuple[int, dict]:
    return status, {"type": "about:blank", "title": "Invalid request", "status": status, "detail": detail}


def message_problems(body) -> list[str]:
    """What breaks the NewMessage / MessageContent rules (empty: valid)."""
    if not isinstance(body, dict):
        return ["body is not an object"]
    problems = [f"unknown field {k}" for k in body if k not in {"fiscal_code", "time_to_live", "content",
                                                                  "default_addresses", "feature_level_type"}]
    if not FISCAL_CODE.match(str(body.get("fiscal_code", ""))):
        problems.append("fiscal_code")
    ttl = body.get("time_to_live", 3600)
    if not isinstance(ttl, int) or not 3600 <= ttl <= 604800:
        problems.append("time_to_live")
    content = body.get("content")
    if not isinstance(content, dict):
        return problems + ["content is required"]
    problems += [f"unknown content field {k}" for k in content
                 if k not in {"subject", "markdown", "payment_data", "due_date", "prescription_data",
                              "require_secure_channels", "legal_data", "eu_covid_cert", "third_party_data"}]
    subject, markdown = content.get("subject"), content.get("markdown")
    if not isinstance(subject, str) or not 10 <= len(subject) <= 120:
        problems.append("subject must be 10-120 characters")
    if not isinstance(markdown, str) or not 80 <= len(markdown) <= 10000:
        problems.append("markdown must be 80-10000 characters")
    if "due_date" in content and not UTC_TIMESTAMP.match(str(content["due_date"])):
        problems.append("due_date")
    payment = content.get("payment_data")
    if payment is not None:
        amount = payment.get("amount") if isinstance(payment, dict) else None
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 9999999999:
            problems.append("payment_data.amount")
        if not isinstance(payment, dict) or not NOTICE_NUMBER.match(str(payment.get("notice_number", ""))):
            problems.append("payment_data.notice_number")
        if isinstance(payment, dict) and not isinstance(payment.get("invalid_after_due_date", False), bool):
            problems.append("payment_data.invalid_after_due_date")
        if isinstance(payment, dict):
            problems += [f"unknown payment_data field {k}" for k in payment
                         if k not in {"amount", "notice_number", "invalid_after_due_date", "payee"}]
        payee = payment.get("payee") if isinstance(payment, dict) else None
        # Payee: an object whose fiscal_code (required) is an OrganizationFiscalCode, eleven digits.
        if payee is not None and (not isinstance(payee, dict)
                                  or not re.match(r"^[0-9]{11}$", str(payee.get("fiscal_code", "")))):
            problems.append("payment_data.payee.fiscal_code")
    return problems


@dataclass
class FakeIO:
    keys: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    citizens: dict[str, bool] = field(default_factory=dict)  # fiscal code -> sender_allowed
    answers: list[int] = field(default_factory=list)  # scripted statuses for the next calls
    delay: float = 0.0
    messages: list[dict] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self):
        service = self
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict | None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
                if status == 201:
                    self.send_header("Location", f"/api/v1/messages/x/{body['id']}")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer(*service.handle("GET", self.path, self.headers, b""))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(*service.handle("POST", self.path, self.headers, self.rfile.read(length)))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict | None]:
        with self._lock:
            self.calls.append((method, path))
            scripted = self.answers.pop(0) if self.answers else None
        if self.delay:
            time.sleep(self.delay)
        key = headers.get("Ocp-Apim-Subscription-Key", "")
        if key in self.revoked:
            return 403, None
        if key not in self.keys:
            return 401, None
        if scripted is not None:
            return scripted, _problem(scripted, "scripted")[1] if scripted >= 400 else None
        if method == "GET" and path.startswith("/api/v1/profiles/"):
            fiscal_code = path.removeprefix("/api/v1/profiles/")
            if not FISCAL_CODE.match(fiscal_code):
                return _problem(400, "fiscal_code")
            if fiscal_code not in self.citizens:
                return _problem(404, "No user found for the provided fiscal code.")
            return 200, {"sender_allowed": self.citizens[fiscal_code], "preferred_languages": ["it_IT"]}
        if method == "POST" and path == "/api/v1/messages":
            try:
                message = json.loads(body)
            except ValueError:
                return _problem(400, "body is not JSON")
            problems = message_problems(message)
            if problems:
                return _problem(400, "; ".join(problems))
            with self._lock:
                self.messages.append(message)
            return 201, {"id": uuid.uuid4().hex.upper()[:26]}
        return _problem(404, "no such operation")
