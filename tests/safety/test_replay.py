"""`replay`: alerts and their quality on the recorded file of tests/safety/conftest.py (encounters known by
construction)."""

from __future__ import annotations

from pathlib import Path

from commonsky.airspace.zone import read_zones
from commonsky.safety.replay import NuisanceCause, replay
from commonsky.safety.track_files import read_tracks


def test_replay_alerts_and_quality(replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path) -> None:
    tracks_path, zones_path, _ = replay_files
    result = replay(read_tracks(tracks_path), read_zones(zones_path))
    q = result.summary["quality"]
    los_pairs = sorted(zip(result.losses.id_a.tolist(), result.losses.id_b.tolist(), strict=True))
    assert los_pairs == [("aaa001", "aaa002"), ("ddd001", "ddd002")]
    assert q["warned"] == 1 and q["missed"] == 1
    assert q["missed_at_first_sight"] == 1  # ddd002 appears already beside ddd001
    # Head-on from 200 km at 920 kt closing: the alert comes when the entry is 120 s away (STCA look-ahead).
    assert 115.0 <= q["warning_time_s"]["median"] <= 125.0
    nuisance = [a for a in result.alerts if a.subjects == ("ccc001", "ccc002")]
    assert len(nuisance) == 1 and nuisance[0].actual_s is None
    assert q["nuisance_alerts"] == 1
    assert list(result.nuisance.values()) == [NuisanceCause.ONE_CLIMBING_OR_DESCENDING]
    zone_alerts = [a for a in result.alerts if a.kind.value == "incursion"]
    assert [a.subjects for a in zone_alerts] == [("eee001", "Training area")]
    assert zone_alerts[0].actual_s is not None and zone_alerts[0].warning_time_s > 200.0
