"""`LiveTracks`: read-only columns, rows taken and joined without mixing columns, geodetic positions that are the
geodesic distance and azimuth from the frame's centre (pyproj's Geod, an independent geodesic), and the 64-bit
sensor mask."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from pyproj import Geod

from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.surveillance.tracking.tracks import MAX_SENSORS, LiveTracks, sensor_bit


def _tracks(n: int, first_id: int = 0) -> LiveTracks:
    rng = np.random.default_rng(first_id)
    x = rng.uniform(-100e3, 100e3, (n, 6))
    return LiveTracks.new(5.0, np.arange(first_id, first_id + n), x, np.broadcast_to(np.eye(6), (n, 6, 6)).copy())


def test_columns_are_read_only_copies() -> None:
    x = np.zeros((2, 6))
    tracks = LiveTracks.new(0.0, [1, 2], x, np.zeros((2, 6, 6)))
    x[0, 0] = 9.0
    assert tracks.x[0, 0] == 0.0
    for f in fields(tracks):
        value = getattr(tracks, f.name)
        if isinstance(value, np.ndarray):
            with pytest.raises(ValueError):
                value.flat[0:1] = value.flat[0:1]


def test_take_and_concat_keep_rows_whole() -> None:
    a, b = _tracks(5), _tracks(3, first_id=10)
    both = a.concat(b)
    assert both.track_id.tolist() == [0, 1, 2, 3, 4, 10, 11, 12] and both.t_s == a.t_s
    picked = both.take([6, 0])
    np.testing.assert_array_equal(picked.x, np.stack([b.x[1], a.x[0]]))
    np.testing.assert_array_equal(picked.pos_m, picked.x[:, :3])
    np.testing.assert_array_equal(picked.vel_ms, picked.x[:, 3:])
    for f in fields(both):
        if f.name != "t_s":
            assert len(getattr(picked, f.name)) == 2, f.name
    assert len(LiveTracks.empty()) == 0 and len(both.confirmed_only()) == 0


@pytest.mark.parametrize(("lat0", "lon0"), [(33.7, 44.6), (-45.0, 179.9), (68.0, -20.0)])
def test_geodetic_positions_are_geodesics_from_the_centre(lat0: float, lon0: float) -> None:
    tracks = _tracks(50)
    lat, lon = tracks.geodetic(LocalFrame(lat0, lon0))
    geod = Geod(ellps="WGS84")
    az, _, dist = geod.inv(np.full(50, lon0), np.full(50, lat0), lon, lat)
    east, north = tracks.x[:, 0], tracks.x[:, 1]
    np.testing.assert_allclose(dist, np.hypot(east, north), rtol=1e-9, atol=1e-4)
    np.testing.assert_allclose(np.radians(az), np.arctan2(east, north), atol=1e-8)


def test_sensor_bits() -> None:
    bits = [int(sensor_bit(k)) for k in range(MAX_SENSORS)]
    assert bits == [2**k for k in range(64)]
    for bad in (-1, 64):
        with pytest.raises(InputError, match=r"ids 0\.\.63"):
            sensor_bit(bad)
