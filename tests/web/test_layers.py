"""The live run's map layers (`web.layers`), on the Diyala scenario's pipeline: the first view is the extent of its
intents and zones (continent-wide zones left out), computed here from the scenario; the base layers hold every
country and land border in view (found here from the bundled world) and nothing far outside; the plan layers hold
one volume per intent volume, with corridor centre lines; each layer is built once; unknown layers are refused."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import box, shape

from commonsky.airspace.volume import CorridorShape
from commonsky.errors import NotFoundError
from commonsky.geo.world import load_world
from commonsky.sim.runner import LiveRunner
from commonsky.web.layers import LAYERS, VIEW_MARGIN_DEG, LayerStore


@pytest.fixture
def store(runner: LiveRunner) -> LayerStore:
    return LayerStore(runner.pipeline)


def test_the_view_is_the_extent_of_the_plan(store: LayerStore, runner: LiveRunner) -> None:
    plan = runner.pipeline.plan
    shapes = [v.footprint for i in plan.intents for v in i.volumes]
    shapes += [z.geometry for z in plan.zones if z.area_km2() < 1e6]
    expected = shapely.union_all(shapes).bounds
    assert store.fit_bbox() == pytest.approx(expected)
    m = VIEW_MARGIN_DEG
    assert store.view_bbox() == pytest.approx((expected[0] - m, expected[1] - m, expected[2] + m, expected[3] + m))


def test_base_layers_hold_what_is_in_view(store: LayerStore) -> None:
    view = box(*store.view_bbox())
    world = load_world()
    in_view = {c.iso3 for c in world.countries() if c.geometry.intersects(view)}
    countries = store.get("countries")["features"]
    assert {f["properties"]["iso3"] for f in countries} == in_view and {"IRQ", "IRN"} <= in_view
    assert all(shape(f["geometry"]).within(view.buffer(5.01)) for f in countries)
    borders = {tuple(sorted((f["properties"]["a"], f["properties"]["b"]))) for f in store.get("border")["features"]}
    assert ("IRN", "IRQ") in borders and all(a in in_view and b in in_view for a, b in borders)
    provinces = store.get("provinces")["features"]
    assert provinces and all(shape(f["geometry"]).within(view.buffer(1e-3)) for f in provinces)


def test_plan_layers_follow_the_plan(store: LayerStore, runner: LiveRunner) -> None:
    plan = runner.pipeline.plan
    features = store.get("intents")["features"]
    volumes = [f for f in features if f["properties"]["role"] == "volume"]
    assert len(volumes) == sum(len(i.volumes) for i in plan.intents)
    corridors = sum(isinstance(v.shape, CorridorShape) for i in plan.intents for v in i.volumes)
    assert sum(f["properties"]["role"] == "centreline" for f in features) == corridors
    assert [f["properties"]["name"] for f in store.get("zones")["features"]] == [z.name for z in plan.zones]


def test_layers_are_built_once_and_unknown_ones_refused(store: LayerStore) -> None:
    assert store.get("countries") is store.get("countries")
    assert store.get("coverage", alt_m=3_000.0) is store.get("coverage", alt_m=3_000.0)
    assert store.get("coverage", alt_m=3_000.0) is not store.get("coverage", alt_m=300.0)
    with pytest.raises(NotFoundError, match="unknown layer 'roads' .layers: " + ", ".join(LAYERS)):
        store.get("roads")
