"""The gazetteer on a small one built here: lookups fold case, diacritics and apostrophes; ties go to a cited place,
then the most populous; a miss names close names; boxes (also across the antimeridian) select by brute force;
the cited-places file refuses what it cannot use, naming the line."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.errors import InputError, NotFoundError
from commonsky.geo.places import Gazetteer, normalize_name, read_cited_places

ROWS = [  # name, alternate, lat, lon, country, population
    ("Khānaqīn", "Khanaqin", 34.35, 45.39, "IRQ", 175_000),
    ("As-Sa'diyah", "Sadiyah", 34.19, 45.12, "IRQ", 30_000),
    ("Baghdad", "", 33.34, 44.40, "IRQ", 7_000_000),
    ("Baghdad", "", 30.0, 50.0, "IRN", 100),
    ("Suva", "", -18.14, 178.44, "FJI", 93_000),
    ("Taveuni", "", -16.8, -179.95, "FJI", 9_000),
]


def _gazetteer(cited: frozenset[int] = frozenset()) -> Gazetteer:
    pairs = sorted((normalize_name(n), row) for row, r in enumerate(ROWS) for n in (r[0], r[1]) if n)
    return Gazetteer(
        names=[r[0] for r in ROWS],
        lat_deg=np.array([r[2] for r in ROWS]),
        lon_deg=np.array([r[3] for r in ROWS]),
        country_iso3=np.array([r[4] for r in ROWS]),
        population=np.array([r[5] for r in ROWS], dtype=np.int64),
        geonameid=np.arange(100, 100 + len(ROWS), dtype=np.int64),
        keys=[k for k, _ in pairs],
        key_rows=np.array([row for _, row in pairs], dtype=np.int64),
        sources={row: "cited: https://example.org" for row in cited},
    )


def test_lookups_fold_names_and_break_ties() -> None:
    g = _gazetteer()
    assert g.find("KHANAQIN").name == "Khānaqīn" and g.find("as sadiyah").source == "GeoNames 101"
    assert g.find("baghdad").country_iso3 == "IRQ"  # the most populous
    assert g.find("Baghdad", "IRN").population == 100
    assert _gazetteer(cited=frozenset({3})).find("baghdad").country_iso3 == "IRN"  # a cited place first
    with pytest.raises(NotFoundError, match=r"unknown place 'Bagdad' \(did you mean Baghdad \(IRQ\)"):
        g.find("Bagdad")
    with pytest.raises(NotFoundError, match=r"unknown place 'Suva' in IRQ$"):
        g.find("Suva", "IRQ")


@pytest.mark.parametrize("bbox", [(44.0, 33.0, 46.0, 35.0), (178.0, -20.0, -179.0, -15.0), (0.0, 0.0, 1.0, 1.0), None])
def test_boxes_select_what_brute_force_selects(bbox: tuple[float, float, float, float] | None) -> None:
    g = _gazetteer()
    if bbox is None:
        want = list(range(len(ROWS)))
    else:
        w, s, e, n = bbox
        want = [
            k
            for k, r in enumerate(ROWS)
            if s <= r[2] <= n and ((w <= r[3] <= e) if w <= e else (r[3] >= w or r[3] <= e))
        ]
    assert g.rows_in(bbox).tolist() == want
    assert g.arrays(bbox).index.tolist() == want
    populations = [p.population for p in g.places(bbox)]
    assert populations == sorted((ROWS[k][5] for k in want), reverse=True)


HEADER = "# comment\nname,alternate_names,lat_deg,lon_deg,country_iso3,population,source_url,accessed\n"


def test_cited_places_file() -> None:
    [place] = read_cited_places(HEADER + "Mandali,Mendali; Mandaly,33.75,45.55,irq,,https://example.org/m,2026-01-01\n")
    assert (place.alternate_names, place.country_iso3, place.population) == (("Mendali", "Mandaly"), "IRQ", 0)
    for row, message in [
        ("X,,95,45,IRQ,,https://e.org,", "line 3: coordinates out of range"),
        ("X,,33,45,IRQ,,ftp://e.org,", "line 3: a cited place needs a name and a source URL"),
        ("X,,north,45,IRQ,,https://e.org,", "line 3: missing or malformed field"),
    ]:
        with pytest.raises(InputError, match=message):
            read_cited_places(HEADER + row + "\n")
