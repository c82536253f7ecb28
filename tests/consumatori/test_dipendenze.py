"""consumatori sits below the services: none of its modules imports mensa or trasporto."""

from __future__ import annotations

import ast
from pathlib import Path

import consumatori


def test_consumatori_imports_neither_mensa_nor_trasporto():
    root = Path(consumatori.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in {"mensa", "trasporto"}]
    assert offenders == []
