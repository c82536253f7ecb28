"""The contracts of the pagoPA operations we call, as JSON Schemas written from the official OpenAPI facts.

Source of every fact: repository pagopa/pagopa-api, folder openapi/ (read 2026-11-30):
- gpd.json ("PagoPA API Debt Position" 1.0.0, server …/gpd/debt-positions-service/v1): paths, the
  schemas PaymentPositionModel, PaymentOptionModel, TransferModel, PaymentPositionModelBaseResponse,
  PaymentOptionModelResponse, ProblemJson; security scheme ApiKey = header Ocp-Apim-Subscription-Key.
- gpd_payments.json ("PagoPA API Payments", server …/gpd/payments-receipts-service/v1):
  GET /payments/{organizationfiscalcode}/receipts/{iuv} → 200 application/xml, 404 ProblemJson.
- checkout_v2.json ("Checkout - EC API", server …/checkout/ec/v2): POST /carts with CartRequestV2
  (required paymentNotices 1..5 items, returnUrls) and PaymentNotice (all five fields required, noticeNumber
  18 characters, fiscalCode 11, amount ≥ 1, companyName and description ≤ 140); 302 with `location`, 400 ProblemJson.
These are written by us, in our words, and not copied from the files.
"""

from __future__ import annotations

import re

DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"  # RFC 3339, with offset

# gpd.json TransferModel: required idTransfer (enum "1".."5"), amount, remittanceInformation (≤ 140), category;
# iban ≤ 35 matching ^[A-Za-z0-9]{1,35}$.
TRANSFER = {
    "type": "object",
    "required": ["idTransfer", "amount", "remittanceInformation", "category"],
    "properties": {
        "idTransfer": {"type": "string", "enum": ["1", "2", "3", "4", "5"]},
        "amount": {"type": "integer", "minimum": 1},
        "organizationFiscalCode": {"type": "string"},
        "remittanceInformation": {"type": "string", "maxLength": 140},
        "category": {"type": "string", "minLength": 1},
        "iban": {"type": "string", "maxLength": 35, "pattern": "^[A-Za-z0-9]{1,35}$"},
        "postalIban": {"type": "string", "maxLength": 35},
        "companyName": {"type": "string", "maxLength": 140},
    },
}

# gpd.json PaymentOptionModel: required iuv, amount (int64, cents), description (≤ 140), isPartialPayment,
# dueDate (date-time); nav optional.
PAYMENT_OPTION = {
    "type": "object",
    "required": ["iuv", "amount", "description", "isPartialPayment", "dueDate"],
    "properties": {
        "nav": {"type": "string"},
        "iuv": {"type": "string", "minLength": 1},
        "amount": {"type": "integer", "minimum": 1},
        "description": {"type": "string", "maxLength": 140},
        "isPartialPayment": {"type": "boolean"},
        "dueDate": {"type": "string", "pattern": DATE_TIME},
        "retentionDate": {"type": "string", "pattern": DATE_TIME},
        "fee": {"type": "integer"},
        "transfer": {"type": "array", "items": TRANSFER, "minItems": 1, "maxItems": 5},
    },
}

# gpd.json PaymentPositionModel: required iupd, type (F|G), fiscalCode, fullName, companyName (≤ 140),
# switchToExpired (boolean).
PAYMENT_POSITION = {
    "type": "object",
    "required": ["iupd", "type", "fiscalCode", "fullName", "companyName", "switchToExpired"],
    "properties": {
        "iupd": {"type": "string", "minLength": 1},
        "type": {"type": "string", "enum": ["F", "G"]},
        "payStandIn": {"type": "boolean"},
        "fiscalCode": {"type": "string", "minLength": 1},
        "fullName": {"type": "string", "minLength": 1},
        "email": {"type": "string"},
        "phone": {"type": "string"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "switchToExpired": {"type": "boolean"},
        "companyName": {"type": "string", "maxLength": 140},
        "officeName": {"type": "string", "maxLength": 140},
        "validityDate": {"type": "string", "pattern": DATE_TIME},
        "paymentOption": {"type": "array", "items": PAYMENT_OPTION, "minItems": 1},
    },
}

# checkout_v2.json PaymentNotice and CartRequestV2 (returnUrls needs all four URLs).
PAYMENT_NOTICE = {
    "type": "object",
    "required": ["noticeNumber", "fiscalCode", "amount", "companyName", "description"],
    "properties": {
        "noticeNumber": {"type": "string", "minLength": 18, "maxLength": 18},
        "fiscalCode": {"type": "string", "minLength": 11, "maxLength": 11},
        "amount": {"type": "integer", "minimum": 1},
        "companyName": {"type": "string", "maxLength": 140},
        "description": {"type": "string", "maxLength": 140},
    },
}
CART_REQUEST = {
    "type": "object",
    "required": ["paymentNotices", "returnUrls"],
    "properties": {
        "paymentNotices": {"type": "array", "items": PAYMENT_NOTICE, "minItems": 1, "maxItems": 5},
        "returnUrls": {
            "type": "object",
            "required": ["returnOkUrl", "returnCancelUrl", "returnErrorUrl", "returnWaitingUrl"],
            "properties": {name: {"type": "string", "minLength": 1} for name in (
                "returnOkUrl", "returnCancelUrl", "returnErrorUrl", "returnWaitingUrl")},
        },
        "emailNotice": {"type": "string"},
        "idCart": {"type": "string"},
        "allCCP": {"type": "boolean"},
    },
}

# Status enums of gpd.json (PaymentPositionModelBaseResponse.status, PaymentOptionModelResponse.status).
POSITION_STATUSES = ("DRAFT", "PUBLISHED", "VALID", "INVALID", "EXPIRED", "PARTIALLY_PAID", "PAID", "REPORTED")
OPTION_STATUSES = ("PO_UNPAID", "PO_PAID", "PO_PARTIALLY_REPORTED", "PO_REPORTED")

# The operations, as (method, path pattern) of each service: anything else is answered 404.
GPD_BASE = "/gpd/debt-positions-service/v1"
RECEIPTS_BASE = "/gpd/payments-receipts-service/v1"
CHECKOUT_BASE = "/checkout/ec/v2"
ORG = r"(?P<fc>[\w*-]+)"
IUPD = r"(?P<iupd>[^/?]+)"
OPERATIONS = {
    "gpd_create": ("POST", re.compile(rf"^{GPD_BASE}/organizations/{ORG}/debtpositions$")),
    "gpd_read": ("GET", re.compile(rf"^{GPD_BASE}/organizations/{ORG}/debtpositions/{IUPD}$")),
    "gpd_invalidate": ("POST", re.compile(rf"^{GPD_BASE}/organizations/{ORG}/debtpositions/{IUPD}/invalidate$")),
    "gpd_publish": ("POST", re.compile(rf"^{GPD_BASE}/organizations/{ORG}/debtpositions/{IUPD}/publish$")),
    "receipt_read": ("GET", re.compile(rf"^{RECEIPTS_BASE}/payments/{ORG}/receipts/(?P<iuv>[^/?]+)$")),
    "checkout_cart": ("POST", re.compile(rf"^{CHECKOUT_BASE}/carts$")),
}
