"""``commonsky audit verify`` (`cli.audit`): an intact chain is reported with its length (counted here in SQL); an
entry changed behind the service's back is found, named by its sequence number, with exit 1; ``--json`` says the
same as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from commonsky.service import auth
from commonsky.service.db import Database
from commonsky.service.migrate import upgrade
from commonsky.service.settings import ServiceSettings


def _filled(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'broker.db'}"
    database = Database(ServiceSettings(database_url=url))
    upgrade(database)
    for name in ("caa", "ops", "eye"):
        auth.create_party(database, name, "observer")
    database.dispose()
    return url


def test_an_intact_chain_and_a_tampered_one(cli: Any, tmp_path: Path) -> None:
    url = _filled(tmp_path)
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        third = connection.execute(text("SELECT seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 2")).scalar_one()
    intact = cli("audit", "verify", "--db", url)
    assert intact.code == 0 and intact.out.strip() == f"audit chain intact: {count} entries"
    report = cli("audit", "verify", "--db", url, "--json", "--batch", "2").json()
    assert (report["ok"], report["checked"], report["broken_seq"]) == (True, count, None)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = :seq"), {"seq": third})
    engine.dispose()
    broken = cli("audit", "verify", "--db", url)
    assert broken.code == 1 and broken.out.startswith(f"audit chain BROKEN at entry {third}: ")
    assert "(2 entries before it are intact)" in broken.out
    report = cli("audit", "verify", "--db", url, "--json", "--batch", "1")
    assert report.code == 1 and (report.json()["ok"], report.json()["broken_seq"]) == (False, third)
