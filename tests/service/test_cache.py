"""`VersionCache`: a value is made once per key while it stays among the most recently used, and the least
recently used key goes first."""

from __future__ import annotations

from commonsky.service.cache import VersionCache


def test_hits_do_not_remake_and_the_least_recently_used_goes_first() -> None:
    made: list[str] = []
    cache: VersionCache[str] = VersionCache(size=2)

    def get(key: str) -> str:
        return cache.get(key, lambda: made.append(key) or key.upper())

    assert [get("a"), get("b"), get("a")] == ["A", "B", "A"]
    assert made == ["a", "b"]
    get("c")  # evicts b: a was used more recently
    get("a")
    assert made == ["a", "b", "c"]
    get("b")
    assert made == ["a", "b", "c", "b"]
