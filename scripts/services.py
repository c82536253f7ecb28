"""Decide which database and broker `make test` uses, and print them as shell exports.

- DATABASE_URL / REDIS_URL already set: kept (and checked when REQUIRE_SERVICES=1).
- Not set: the local PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are used if they answer,
  otherwise SQLite and the in-process broker.
- REQUIRE_SERVICES=1: a server that does not answer is an error, never a silent fallback.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/omnibus"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


def answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    required = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")
    exports: dict[str, str] = {}
    for name, local, port, scheme in (
        ("DATABASE_URL", LOCAL_DATABASE_URL, 5432, "postgres"),
        ("REDIS_URL", LOCAL_REDIS_URL, 6379, "redis"),
    ):
        url = os.environ.get(name, "")
        if url:
            if url.startswith(scheme) and required and not answers(url, port):
                print(f"echo 'REQUIRE_SERVICES=1 but {name}={url} does not answer' >&2; exit 1")
                return 1
            exports[name] = url
        elif answers(local, port):
            exports[name] = local
        elif required:
            print(f"echo 'REQUIRE_SERVICES=1 but no {scheme} server answers on 127.0.0.1:{port}' >&2; exit 1")
            return 1
    for name, value in exports.items():
        print(f"export {name}='{value}'")
    print(f"echo 'tests use: {', '.join(f'{k}={v}' for k, v in exports.items()) or 'SQLite, in-process broker'}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
