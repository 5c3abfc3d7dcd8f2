"""The live QNH estimate against the offset the test's traffic was made with."""

from __future__ import annotations

import numpy as np

from commonsky.safety.qnh import QnhEstimate

FT = 0.3048


def _picture(rng: np.random.Generator, qnh_offset_ft: float, n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Aircraft holding 2,000-5,000 ft on a QNH ``qnh_offset_ft`` above the pressure grid (pressure altitude =
    QNH altitude - offset), in Mode S's 25 ft steps, 4 in 10 a step off; one climbing; one at FL100 (above the
    transition altitude)."""
    qnh_alt = rng.choice([2000.0, 3000.0, 4000.0, 5000.0], n)
    pressure = np.round((qnh_alt - qnh_offset_ft) / 25.0) * 25.0 + 25.0 * rng.choice([-1, 0, 1], n, p=[0.2, 0.6, 0.2])
    alt = np.concatenate([pressure, [3300.0, 10000.0]]) * FT
    level = np.concatenate([np.ones(n, dtype=bool), [False, True]])
    return alt, level


def test_the_estimate_finds_the_qnh_the_traffic_flies_and_follows_it() -> None:
    rng = np.random.default_rng(4)
    q = QnhEstimate(window_s=600.0)
    offsets = [q.update(float(t), *_picture(rng, 375.0)).qnh_offset_m / FT for t in range(0, 300, 5)]
    assert offsets[0] == 0.0  # fewer than 100 samples: no grid yet
    assert offsets[-1] == 375.0
    # the QNH falls to 1,006 hPa (-200 ft): once the old pictures leave the window, the estimate follows
    later = [q.update(float(t), *_picture(rng, -200.0)).qnh_offset_m / FT for t in range(300, 1200, 5)]
    assert later[-1] == -200.0
    assert 375.0 in later[:20]  # not at once: the window still holds the old grid


def test_no_clear_grid_reads_the_pressure_grid() -> None:
    """A third of the aircraft on a QNH 375 ft above the pressure grid, a third 250 ft below, a third 125 ft above
    (three weather systems in one picture): no grid holds half the samples, no offset."""
    rng = np.random.default_rng(5)
    q = QnhEstimate()
    for t in range(0, 600, 5):
        parts = [_picture(rng, offset_ft, 3) for offset_ft in (375.0, -250.0, 125.0)]
        altimetry = q.update(float(t), np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    assert altimetry.qnh_offset_m == 0.0
    # one of them alone is found
    for t in range(600, 1300, 5):
        altimetry = q.update(float(t), *_picture(rng, 125.0))
    assert altimetry.qnh_offset_m / FT == 125.0
