"""`make test` picks PostgreSQL and Redis when they answer, and refuses to fall back when required."""

import os
import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "services.py"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def detect(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES"}}
    return subprocess.run([sys.executable, str(SCRIPT)], env={**base, **env}, capture_output=True, text=True)


def test_a_required_database_that_does_not_answer_is_an_error():
    result = detect(REQUIRE_SERVICES="1", DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/x",
                    REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert result.returncode == 1
    assert "does not answer" in result.stdout


def test_given_urls_are_kept_when_not_required():
    url = f"postgres://postgres@127.0.0.1:{closed_port()}/x"
    result = detect(DATABASE_URL=url, REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 0
    assert f"export DATABASE_URL='{url}'" in result.stdout


def test_the_staff_group_may_read_the_schedules(db):
    from django.contrib.auth.models import Group

    from comuni.services import role_groups_sync

    role_groups_sync()
    codenames = set(Group.objects.get(name="Ufficio scuola").permissions.values_list("codename", flat=True))
    assert "view_periodictask" in codenames and "change_periodictask" not in codenames
    assert "change_consumatore" in codenames
