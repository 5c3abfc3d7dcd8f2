"""`commonsky serve --dss-public-key/--dss-audience`: bad options are one line and exit 2, before anything listens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_a_key_without_an_audience_is_refused(cli: Callable[..., Any], tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    key.write_text("unused")
    code, _, err = cli("serve", "--db", f"sqlite:///{tmp_path / 'b.db'}", "--dss-public-key", str(key))
    assert code == 2
    assert err.strip().count("\n") == 0 and "dss_audiences" in err


def test_an_unreadable_or_bad_key_is_refused(cli: Callable[..., Any], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'b.db'}"
    missing = tmp_path / "missing.pem"
    code, _, err = cli("serve", "--db", db, "--dss-public-key", str(missing), "--dss-audience", "x")
    assert code == 2 and "missing.pem" in err and err.strip().count("\n") == 0
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")
    code, _, err = cli("serve", "--db", db, "--dss-public-key", str(bad), "--dss-audience", "x")
    assert code == 2 and "not a PEM public key" in err and err.strip().count("\n") == 0
