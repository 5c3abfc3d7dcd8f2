"""The conflicting pairs on BlueSky's reference scenarios equal BlueSky 1.1.1 C++ CStateBased's exactly."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from commonsky.picture import read_states_csv
from commonsky.safety.conflicts import detect_conflicts


@pytest.mark.parametrize("n", [500, 2000])
def test_pairs_equal_bluesky_cstatebased(reference_dir: Path, n: int) -> None:
    picture = read_states_csv(reference_dir / "bluesky" / f"scenario_{n}.csv")
    with open(reference_dir / "bluesky" / f"pairs_{n}.csv", newline="") as handle:
        reference = {}
        for row in csv.DictReader(handle):
            key = tuple(sorted((row["ownship"], row["intruder"])))
            reference[key] = [float(row[c]) for c in ("tcpa_s", "tin_s", "dcpa_m", "dist_m")]
    conflicts = detect_conflicts(picture)
    ours = {
        (str(a), str(b)): [t, ti, d, di]
        for a, b, t, ti, d, di in zip(
            conflicts.ownship_id,
            conflicts.intruder_id,
            conflicts.tcpa_s,
            conflicts.tin_s,
            conflicts.dcpa_m,
            conflicts.dist_m,
            strict=True,
        )
    }
    assert set(ours) == set(reference)
    assert len(ours) == {500: 14, 2000: 259}[n]
    mine = np.array([ours[k] for k in sorted(reference)])
    theirs = np.array([reference[k] for k in sorted(reference)])
    assert np.abs(mine[:, 0] - theirs[:, 0]).max() < 0.01  # tcpa
    assert np.abs(mine[:, 1] - theirs[:, 1]).max() < 0.01  # tin
    assert np.abs(mine[:, 2] - theirs[:, 2]).max() < 1.0  # dcpa
    assert np.abs(mine[:, 3] - theirs[:, 3]).max() < 1.0  # dist
    assert all(a < b for a, b in ours)
