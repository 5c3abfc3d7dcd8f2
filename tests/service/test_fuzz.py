"""schemathesis fuzzes every operation of the OpenAPI of a running `commonsky serve`: never a 5xx.

Each operation is fuzzed with the role that may use it (coverage and fuzzing phases): an operator for intents
and conflicts, the authority for zones, parties, keys and the audit log.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from commonsky.service import auth
from commonsky.service.db import Database
from commonsky.service.migrate import upgrade
from commonsky.service.settings import ServiceSettings


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(tmp_path: Path, start_server: Any) -> None:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    database = Database(ServiceSettings(database_url=url))
    upgrade(database)
    keys = {role: auth.create_party(database, f"fuzz-{role}", role)[1].key for role in ("operator", "authority")}
    base, _ = start_server(url, tmp_path / "server.log", COMMONSKY_SQLITE_SYNCHRONOUS="NORMAL")
    paths = {"operator": "^/(intents|conflicts|health)", "authority": "^/(zones|parties|keys|audit)"}
    for role, key in keys.items():
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Authorization: Bearer {key}",
            "--checks",
            "not_a_server_error",
            "--include-path-regex",
            paths[role],
            "--phases",
            "coverage,fuzzing",
            "--max-examples",
            "12",
            "--seed",
            "7",
            "--request-timeout",
            "20",
            "--suppress-health-check",
            "all",
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
        assert done.returncode == 0, f"{role}:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert key not in (tmp_path / "server.log").read_text()
