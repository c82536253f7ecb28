"""A fake of pagoPA's "FdR for organizations" API, written from the contract's facts.

Source: pagopa/pagopa-api, `openapi/fdr_organization.json` (checked 2026-11-24, see
../shared/spec/pagopa.md): base …/fdr-org/service/v1; key in header `Ocp-Apim-Subscription-Key`;
`GET /organizations/{organizationId}/fdrs` with query `flowDate`, `pspId`, `publishedGt`, `page` (≥ 1),
`size` (1..1000), answering `{metadata: {pageSize, pageNumber, totPage}, count, data: [{fdr, pspId,
revision, published, flowDate}]}`; `GET …/fdrs/{fdr}/revisions/{revision}/psps/{pspId}` (revision ≥ 1)
answering the flow (`fdr`, `fdrDate`, `regulation`, `regulationDate`, `sender`, `receiver`,
`totPayments`, `sumPayments`, `computedTotPayments`, `computedSumPayments`...); `…/payments` with
`page` (≥ 1) and `size` (≥ 1), each payment requiring `index`, `iuv`, `iur`, `idTransfer` (1..5), `pay`,
`payStatus` (EXECUTED, REVOKED, STAND_IN, STAND_IN_NO_RPT, NO_RPT), `payDate`. Errors are
`ErrorResponse` (`httpStatusCode`, `appErrorCode`...). Anything else is refused.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BASE = "/fdr-org/service/v1"
PAY_STATUS = {"EXECUTED", "REVOKED", "STAND_IN", "STAND_IN_NO_RPT", "NO_RPT"}
PAYMENT_REQUIRED = {"index", "iuv", "iur", "idTransfer", "pay", "payStatus", "payDate"}
LIST = re.compile(rf"^{BASE}/organizations/(?P<org>[^/]{{1,35}})/fdrs$")
FLOW = re.compile(rf"^{BASE}/organizations/(?P<org>[^/]+)/fdrs/(?P<fdr>[^/]+)/revisions/(?P<rev>[^/]+)"
                  rf"/psps/(?P<psp>[^/]+)(?P<payments>/payments)?$")


def check_payment(payment: dict) -> None:
    """The fake serves only payments the contract allows."""
    assert set(payment) >= PAYMENT_REQUIRED, payment
    assert payment["payStatus"] in PAY_STATUS and 1 <= payment["idTransfer"] <= 5 and payment["index"] >= 1


class FakeFdr:
    def __init__(self, api_key: str):
        self.api_key = api_key
        self.flows: dict[tuple[str, str, int, str], tuple[dict, list[dict]]] = {}
        self.published: dict[tuple[str, str, int, str], str] = {}
        self.requests: list[tuple[str, dict, str | None]] = []
        self.fail_next = 0
        self.slow = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("X-Request-Id", self.headers.get("X-Request-Id") or str(uuid.uuid4()))
                self.end_headers()
                self.wfile.write(payload)

            def _error(self, status: int, code: str) -> None:
                self._answer(status, {"errorId": str(uuid.uuid4()), "httpStatusCode": status,
                                      "httpStatusDescription": code, "appErrorCode": code, "errors": []})

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append((parts.path, query, self.headers.get("X-Request-Id")))
                if self.headers.get("Ocp-Apim-Subscription-Key") != fake.api_key:
                    return self._error(401, "Unauthorized")
                if fake.slow:
                    time.sleep(fake.slow)
                if fake.fail_next:
                    fake.fail_next -= 1
                    return self._error(500, "FDR-0500")
                if match := LIST.match(parts.path):
                    return self._list(match["org"], query)
                if match := FLOW.match(parts.path):
                    return self._flow(match, query)
                return self._error(404, "FDR-0404")

            def _page(self, query: dict, allowed: set[str], max_size: int | None):
                if set(query) - allowed:
                    return None
                try:
                    page, size = int(query.get("page", 1)), int(query.get("size", 1000))
                except ValueError:
                    return None
                if page < 1 or size < 1 or (max_size and size > max_size):
                    return None
                return page, size

            def _paged(self, items: list, page: int, size: int) -> dict:
                chunk = items[(page - 1) * size:page * size]
                return {"metadata": {"pageSize": size, "pageNumber": page,
                                     "totPage": max(1, math.ceil(len(items) / size))},
                        "count": len(chunk), "data": chunk}

            def _list(self, org: str, query: dict):
                paging = self._page(query, {"flowDate", "pspId", "publishedGt", "page", "size"}, 1000)
                if paging is None:
                    return self._error(400, "FDR-0400")
                items = [{"fdr": fdr, "pspId": psp, "revision": rev, "published": fake.published[key],
                          "flowDate": head["fdrDate"]}
                         for key, (head, _payments) in sorted(fake.flows.items())
                         for (o, fdr, rev, psp) in [key] if o == org
                         and (not query.get("pspId") or query["pspId"] == psp)
                         and (not query.get("publishedGt") or fake.published[key] > query["publishedGt"])]
                self._answer(200, self._paged(items, *paging))

            def _flow(self, match, query: dict):
                if not match["rev"].isdigit() or int(match["rev"]) < 1:
                    return self._error(400, "FDR-0400")
                key = (match["org"], match["fdr"], int(match["rev"]), match["psp"])
                if key not in fake.flows:
                    return self._error(404, "FDR-0404")
                head, payments = fake.flows[key]
                if not match["payments"]:
                    return self._answer(200, head) if not query else self._error(400, "FDR-0400")
                paging = self._page(query, {"page", "size"}, None)
                if paging is None:
                    return self._error(400, "FDR-0400")
                self._answer(200, self._paged(payments, *paging))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{BASE}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add_flow(self, *, org: str, fdr: str, psp: str, payments: list[dict], revision: int = 1,
                 published: str = "2026-11-27T08:00:00Z", tot: int | None = None, total: float | None = None):
        for payment in payments:
            check_payment(payment)
        computed = round(sum(p["pay"] for p in payments), 2)
        head = {
            "status": "PUBLISHED", "revision": revision, "created": published, "updated": published, "fdr": fdr,
            "fdrDate": "2026-11-27T07:00:00Z", "regulation": f"SEPA - Bonifico {fdr[-7:]}",
            "regulationDate": "2026-11-26", "bicCodePouringBank": "UNCRITMMXXX",
            "sender": {"type": "LEGAL_PERSON", "id": "SELBIT2B", "pspId": psp, "pspName": "PSP di prova S.p.A.",
                       "pspBrokerId": psp, "channelId": f"{psp}_01", "password": "***"},
            "receiver": {"id": "APPBIT2B", "organizationId": org, "organizationName": "Comune"},
            "published": published, "computedTotPayments": len(payments), "computedSumPayments": computed,
            "totPayments": len(payments) if tot is None else tot, "sumPayments": computed if total is None else total,
        }
        key = (org, fdr, revision, psp)
        self.flows[key] = (head, payments)
        self.published[key] = published

    def close(self):
        self.server.shutdown()
        self.server.server_close()
