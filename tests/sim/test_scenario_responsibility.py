"""A scenario's area of responsibility (``responsibility:``, entries as under ``zones:``) reaches the live run: an
unknown aircraft inside it raises an alert there, beside those near its intents and binding zones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from commonsky.sim.assembly import pipeline_from_scenario
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import load_scenario
from commonsky.sim.scenario_yaml import ScenarioError

from .test_scenario_errors import GOOD

SECTOR = """\
responsibility:
  - name: Diyala sector
    circle: {centre: [33.9, 45.0], radius: 30NM}
    floor: SFC
    ceiling: FL450
"""


def test_the_area_of_responsibility_reaches_the_concern_of_unknowns(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(GOOD + SECTOR, encoding="utf-8")
    scenario = load_scenario(path)
    assert [z.name for z in scenario.responsibility] == ["Diyala sector"]
    pipeline = pipeline_from_scenario(scenario, RunConfig(unknowns=0))
    assert pipeline.config.responsibility == scenario.responsibility
    frame = pipeline.frame
    # 20 NM from the sector's centre (inside), 40 NM (outside), both far from the intents and the closed zone
    inside, outside = (
        frame.to_local(33.9, 45.0 + nm * 1852.0 / (111_320.0 * np.cos(np.radians(33.9)))) for nm in (-20, -40)
    )
    pos = np.array([[*map(float, inside), 9_000.0], [*map(float, outside), 9_000.0]])
    reasons = pipeline.parts.concern(pipeline.intents, pipeline.zones, frame).reasons(pos, scenario.start_s)
    assert reasons.tolist() == ["in the area of responsibility 'Diyala sector'", ""]


def test_a_bad_entry_is_named_with_its_section(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(GOOD + SECTOR.replace("circle:", "circel:"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"responsibility\[0\]"):
        load_scenario(path)
