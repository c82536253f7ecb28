"""A fake pagoPA (GPD debt positions, GPD receipts, Checkout carts) that holds every request to the official
contracts of `pagopa_contratti` and answers in the official shapes; it knows nothing of our client.

Answers, from gpd.json / gpd_payments.json / checkout_v2.json:
- any request without the right `Ocp-Apim-Subscription-Key` (GPD services): 401, no body;
- a body that breaks the schema: 400 ProblemJson {title, status, detail};
- a second position with the same iupd, or the same IUV in the organization: 409 ProblemJson;
- an unknown iupd: 404 ProblemJson; an unknown path or method: 404 ProblemJson;
- `POST …/debtpositions?toPublish=true` → 201 with the position, status VALID (DRAFT without toPublish);
- `GET …/debtpositions/{iupd}` → 200 PaymentPositionModelBaseResponse; a paid option carries status PO_PAID,
  idReceipt, pspCompany, paymentDate;
- `POST …/{iupd}/invalidate` → 200 status INVALID; 409 when paid or already closed;
- `POST /carts` → 302 with `location`;
- every answer carries `X-Request-Id`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jsonschema

from .pagopa_contratti import CART_REQUEST, OPERATIONS, PAYMENT_POSITION

API_KEY = "chiave-gpd-di-prova"


def problem(status: int, title: str, detail: str) -> dict:
    return {"title": title, "status": status, "detail": detail}


class FakePagoPA:
    """Start with `FakePagoPA()`, stop with `.stop()`; `mode` is "ok", "500" or "slow"."""

    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.mode = "ok"
        self.positions: dict[str, dict] = {}  # iupd → {"body", "status", "option": {...}, "fc"}
        self.requests: list[dict] = []
        self.refused: list[dict] = []
        self.carts: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self)

            def do_POST(self):
                fake._handle(self)

            def do_PUT(self):
                fake._handle(self)

            def do_DELETE(self):
                fake._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        root = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.gpd_url = f"{root}/gpd/debt-positions-service/v1"
        self.receipts_url = f"{root}/gpd/payments-receipts-service/v1"
        self.checkout_url = f"{root}/checkout/ec/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what a test does to the outside world --------------------------------------------------------------

    def iupd_of_nav(self, nav: str) -> str:
        return next(i for i, p in self.positions.items() if p["option"].get("nav") == nav)

    def pay(self, nav: str, *, psp: str = "Banca di prova", id_receipt: str | None = None,
            payment_date: str = "2026-11-23T10:00:00+01:00", reported: bool = False) -> None:
        """A PSP collected the notice: the option becomes PO_PAID (or PO_REPORTED) with its receipt data."""
        position = self.positions[self.iupd_of_nav(nav)]
        position["status"] = "REPORTED" if reported else "PAID"
        position["option"].update(status="PO_REPORTED" if reported else "PO_PAID", pspCompany=psp,
                                  idReceipt=id_receipt or f"RT-{nav}", paymentDate=payment_date)

    def set_status(self, nav: str, status: str) -> None:
        self.positions[self.iupd_of_nav(nav)]["status"] = status

    def operations(self, name: str) -> list[dict]:
        return [r for r in self.requests if r["operation"] == name]

    # -- the server ---------------------------------------------------------------------------------------

    def _answer(self, handler, status: int, body=None, headers: dict | None = None, content_type="application/json"):
        payload = b""
        if body is not None:
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("X-Request-Id", str(uuid.uuid4()))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if payload:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _handle(self, handler) -> None:
        split = urlsplit(handler.path)
        query = parse_qs(split.query)
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        operation, match = None, None
        for name, (method, pattern) in OPERATIONS.items():
            found = pattern.match(split.path)
            if found and method == handler.command:
                operation, match = name, found
                break
        record = {"operation": operation, "method": handler.command, "path": handler.path, "raw": raw,
                  "api_key": handler.headers.get("Ocp-Apim-Subscription-Key")}
        self.requests.append(record)
        if operation is None:
            self.refused.append(record)
            return self._answer(handler, 404, problem(404, "Not Found", f"no operation {handler.command} {split.path}"))
        if operation != "checkout_cart" and record["api_key"] != self.api_key:
            self.refused.append(record)
            return self._answer(handler, 401)
        if self.mode == "slow":
            time.sleep(1.0)
        if self.mode == "500":
            return self._answer(handler, 500, problem(500, "Internal Server Error", "simulated outage"))
        body = None
        if operation in ("gpd_create", "checkout_cart"):
            try:
                body = json.loads(raw)
                jsonschema.validate(body, PAYMENT_POSITION if operation == "gpd_create" else CART_REQUEST)
            except (ValueError, jsonschema.ValidationError) as error:
                self.refused.append(record)
                detail = getattr(error, "message", str(error))
                return self._answer(handler, 400, problem(400, "BAD REQUEST", detail[:300]))
        return getattr(self, f"_{operation}")(handler, match, query, body)

    def _gpd_create(self, handler, match, query, body):
        fc = match["fc"]
        option = body["paymentOption"][0]
        if body["iupd"] in self.positions or any(
            p["fc"] == fc and p["option"]["iuv"] == option["iuv"] for p in self.positions.values()
        ):
            return self._answer(handler, 409, problem(409, "Conflict", "debt position already exists"))
        if sum(t["amount"] for t in option.get("transfer", [])) != option["amount"]:
            return self._answer(handler, 400, problem(400, "BAD REQUEST", "transfers do not add up to the amount"))
        published = query.get("toPublish", ["false"])[0] == "true"
        self.positions[body["iupd"]] = {
            "fc": fc, "body": body, "status": "VALID" if published else "DRAFT",
            "option": {**{k: v for k, v in option.items() if k != "transfer"}, "status": "PO_UNPAID"},
        }
        return self._answer(handler, 201, {**body, "status": self.positions[body["iupd"]]["status"]})

    def _position_or_404(self, handler, match):
        position = self.positions.get(match["iupd"])
        if position is None or position["fc"] != match["fc"]:
            self._answer(handler, 404, problem(404, "Not found", "debt position not found"))
            return None
        return position

    def _gpd_read(self, handler, match, query, body):
        position = self._position_or_404(handler, match)
        if position is None:
            return None
        return self._answer(handler, 200, {
            "iupd": match["iupd"], "organizationFiscalCode": position["fc"], "type": position["body"]["type"],
            "companyName": position["body"]["companyName"], "status": position["status"],
            "paymentOption": [{**position["option"], "organizationFiscalCode": position["fc"]}],
        })

    def _gpd_invalidate(self, handler, match, query, body):
        position = self._position_or_404(handler, match)
        if position is None:
            return None
        if position["status"] not in ("VALID", "PUBLISHED"):
            return self._answer(handler, 409, problem(409, "Conflict", f"position is {position['status']}"))
        position["status"] = "INVALID"
        return self._answer(handler, 200, {**position["body"], "status": "INVALID"})

    def _gpd_publish(self, handler, match, query, body):
        position = self._position_or_404(handler, match)
        if position is None:
            return None
        if position["status"] != "DRAFT":
            return self._answer(handler, 409, problem(409, "Conflict", "position is not a draft"))
        position["status"] = "VALID"
        return self._answer(handler, 200, {**position["body"], "status": "VALID"})

    def _receipt_read(self, handler, match, query, body):
        position = next((p for p in self.positions.values()
                         if p["fc"] == match["fc"] and p["option"]["iuv"] == match["iuv"]), None)
        if position is None or position["option"]["status"] == "PO_UNPAID":
            return self._answer(handler, 404, problem(404, "Not found", "no receipt found"))
        option = position["option"]
        xml = (f"<paSendRTV2Request><idPA>{match['fc']}</idPA><receipt><receiptId>{option['idReceipt']}</receiptId>"
               f"<noticeNumber>{option.get('nav', '')}</noticeNumber><creditorReferenceId>{option['iuv']}"
               f"</creditorReferenceId><paymentAmount>{option['amount'] / 100:.2f}</paymentAmount>"
               f"<PSPCompanyName>{option['pspCompany']}</PSPCompanyName></receipt></paSendRTV2Request>")
        return self._answer(handler, 200, xml, content_type="application/xml")

    def _checkout_cart(self, handler, match, query, body):
        self.carts.append(body)
        notice = body["paymentNotices"][0]["noticeNumber"]
        return self._answer(handler, 302, headers={"Location": f"https://checkout.example/c/{notice}"})
