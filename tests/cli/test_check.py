"""``commonsky check`` (`cli.check`): on a generated scenario, every verdict and every conflict is what brute force
says (circles compared by geodesic distance between centres, flight-level bands and windows compared here, in
filing order, equal or higher priority blocking); the expectations written in the file are reported met, a wrong
one unmet; ``--as`` shows one party's intents only, with the others redacted; ``--geojson`` writes every volume
and conflict; an unknown party is a one-line error."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import yaml
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
PARTIES = ("alpha", "bravo", "charlie")


def _orbits(seed: int) -> list[dict[str, Any]]:
    """Circles whose pairs are clearly apart or clearly overlapping (no near-tangent pair: polygons are not circles)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    while len(out) < 14:
        lat, lon, radius_km = rng.uniform(33.0, 33.6), rng.uniform(44.5, 45.3), rng.uniform(5.0, 15.0)
        ambiguous = False
        for other in out:
            _, _, d = GEOD.inv(lon, lat, other["lon"], other["lat"])
            ambiguous |= (
                0.97 * (radius_km + other["radius_km"]) * 1e3 < d < 1.01 * (radius_km + other["radius_km"]) * 1e3
            )
        if ambiguous:
            continue
        fl = rng.randrange(100, 250, 10)
        hour = rng.randrange(0, 8)
        out.append(
            {
                "id": f"i{len(out)}",
                "party": rng.choice(PARTIES),
                "priority": rng.randrange(0, 50, 10),
                "filed_min": len(out),  # distinct filing times: the order is the list's
                "lat": lat,
                "lon": lon,
                "radius_km": radius_km,
                "fl": (fl, fl + rng.randrange(10, 60, 10)),
                "hours": (hour, hour + rng.randrange(1, 4)),
            }
        )
    return out


def _meets(a: dict[str, Any], b: dict[str, Any]) -> bool:
    _, _, d = GEOD.inv(a["lon"], a["lat"], b["lon"], b["lat"])
    return (
        d < (a["radius_km"] + b["radius_km"]) * 1e3
        and max(a["fl"][0], b["fl"][0]) < min(a["fl"][1], b["fl"][1])
        and max(a["hours"][0], b["hours"][0]) < min(a["hours"][1], b["hours"][1])
    )


def _brute_force(orbits: list[dict[str, Any]]) -> dict[str, tuple[str, set[str]]]:
    accepted: list[dict[str, Any]] = []
    out = {}
    for orbit in orbits:
        met = [o for o in accepted if _meets(orbit, o)]
        verdict = "rejected" if any(o["priority"] >= orbit["priority"] for o in met) else "accepted"
        out[orbit["id"]] = (verdict, {f"intent:{o['id']}" for o in met})
        if verdict == "accepted":
            accepted.append(orbit)
    return out


def _scenario(tmp_path: Path, orbits: list[dict[str, Any]], expect: dict[str, tuple[str, set[str]]]) -> Path:
    intents = []
    for o in orbits:
        intents.append(
            {
                "id": o["id"],
                "party": o["party"],
                "priority": o["priority"],
                "filed": f"2014-12-01T20:{o['filed_min']:02d}:00Z",
                "orbit": {
                    "circle": {"centre": [o["lat"], o["lon"]], "radius": f"{o['radius_km']}km"},
                    "floor": f"FL{o['fl'][0]}",
                    "ceiling": f"FL{o['fl'][1]}",
                    "start": f"2014-12-02T{o['hours'][0]:02d}:00:00Z",
                    "end": f"2014-12-02T{o['hours'][1]:02d}:00:00Z",
                },
                "expect": {"verdict": expect[o["id"]][0], "conflicts": sorted(expect[o["id"]][1])},
            }
        )
    doc = {
        "scenario": {"name": "generated"},
        "parties": [{"name": p, "kind": "military"} for p in PARTIES],
        "intents": intents,
    }
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_verdicts_and_conflicts_are_what_brute_force_finds(cli: Any, tmp_path: Path) -> None:
    orbits = _orbits(7)
    expected = _brute_force(orbits)
    assert {v for v, _ in expected.values()} == {"accepted", "rejected"}
    path = _scenario(tmp_path, orbits, expected)
    result = cli("check", str(path), "--json", "--geojson", str(tmp_path / "out.geojson"))
    assert result.code == 0, result.err
    answer = result.json()
    got = {
        r["intent"]: (r["verdict"], {f"{c['kind']}:{c['other']}" for c in r["conflicts"]}) for r in answer["results"]
    }
    assert got == expected and answer["expectations_unmet"] == []
    features = json.loads((tmp_path / "out.geojson").read_text())["features"]
    roles = [f["properties"]["role"] for f in features]
    assert roles.count("intent") == len(orbits) and roles.count("conflict") == sum(len(c) for _, c in expected.values())
    table = cli("check", str(path))
    assert f"expectations written in the scenario: {len(orbits)} of {len(orbits)} met" in table.out


def test_a_wrong_expectation_is_reported_unmet(cli: Any, tmp_path: Path) -> None:
    orbits = _orbits(7)
    expected = _brute_force(orbits)
    first = orbits[0]["id"]
    wrong = dict(expected) | {first: ("rejected", {"intent:i1"})}
    path = _scenario(tmp_path, orbits, wrong)
    result = cli("check", str(path), "--json")
    assert result.code == 0, result.err
    unmet = result.json()["expectations_unmet"]
    assert len(unmet) == 1 and unmet[0].startswith(f"{first}: expected rejected ['intent:i1'], got accepted")


def test_a_party_sees_its_own_intents_with_the_others_redacted(cli: Any, tmp_path: Path) -> None:
    orbits = _orbits(7)
    path = _scenario(tmp_path, orbits, _brute_force(orbits))
    seen = cli("check", str(path), "--json", "--as", "alpha").json()
    mine = {o["id"] for o in orbits if o["party"] == "alpha"}
    assert {r["intent"] for r in seen["results"]} == mine and seen["viewer"] == "alpha"
    others = {o["id"] for o in orbits if o["party"] != "alpha"}
    text = json.dumps(seen["results"])
    assert not any(f'"{i}"' in text for i in others) and "bravo" not in text and "charlie" not in text
    unknown = cli("check", str(path), "--as", "nobody")
    assert unknown.code == 2 and unknown.err.startswith("commonsky: error:") and unknown.err.count("\n") == 1
