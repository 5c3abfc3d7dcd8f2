"""Feature properties as tooltip rows: each wording rule of `feature_rows` on a property that needs it, miles
converted here from the international mile (1609.344 m)."""

from __future__ import annotations

from commonsky.render.describe import feature_rows, feature_title


def test_title_is_the_name_or_the_layer() -> None:
    assert feature_title({"name": "Jalawla"}, "places") == "Jalawla"
    assert feature_title({"name": "  "}, "places") == "places"
    assert feature_title({"name": 7}, "places") == "places"
    assert feature_title({}, "places") == "places"


def test_rows_follow_the_wording_rules() -> None:
    props = {
        "name": "Zone A",
        "role": "zone",
        "_internal": 1,
        "floor": "SFC",
        "ceiling": "FL320",
        "valid_from": None,
        "valid_to": "2014-12-02T18:00Z",
        "applies_to": [],
        "width_km": 16.09344,
        "width_mi": 10.0,
        "edge_km": -2.5,
        "binding": True,
        "population": 12345,
        "area_share": 0.01234,
        "provenance": {"source": "GeoNames", "id": 99, "note": None},
        "tags": ["a", "b"],
        "missing": None,
    }
    assert feature_rows(props) == [
        ("floor", "SFC"),
        ("ceiling", "FL320"),
        ("valid from", "open"),
        ("valid to", "2014-12-02T18:00Z"),
        ("applies to", "everyone"),
        ("width", "16.1 km / 10.0 mi"),
        ("outside by", f"2.5 km / {2500 / 1609.344:.1f} mi"),
        ("binding", "yes"),
        ("population", "12,345"),
        ("area share", "0.0123"),
        ("provenance", "source: GeoNames; id: 99"),
        ("tags", "a, b"),
    ]


def test_an_unreadable_altitude_is_shown_as_given_and_a_lone_mile_value_kept() -> None:
    rows = feature_rows({"floor": "somewhere low", "edge_km": 0.0, "range_mi": 3.0})
    assert rows == [("floor", "somewhere low"), ("inside by", "0.0 km / 0.0 mi"), ("range mi", "3.0")]
