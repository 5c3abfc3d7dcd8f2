"""The scenario clock: pacing, pause, resume, speed, jump, and its limits (driven by a hand-wound wall clock)."""

from __future__ import annotations

import threading

import pytest

from commonsky.errors import InputError
from commonsky.sim.clock import MAX_SPEED, SimClock, iso_utc

START, END = 1_417_478_400.0, 1_417_564_800.0  # 2014-12-02T00:00Z .. +24 h


class Wall:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture()
def wall() -> Wall:
    return Wall()


def test_runs_at_speed_times_wall_time(wall: Wall) -> None:
    clock = SimClock(START, END, speed=10.0, wall=wall)
    wall.t += 3.0
    assert clock.now_s() == pytest.approx(START + 30.0)
    assert clock.state().iso == "2014-12-02T00:00:30Z"


def test_pause_freezes_and_resume_continues_without_a_jump(wall: Wall) -> None:
    clock = SimClock(START, END, speed=2.0, wall=wall)
    wall.t += 5.0
    paused = clock.pause()
    assert paused.paused and paused.time_s == pytest.approx(START + 10.0)
    wall.t += 100.0
    assert clock.now_s() == pytest.approx(START + 10.0)
    clock.resume()
    wall.t += 1.0
    assert clock.now_s() == pytest.approx(START + 12.0)


def test_speed_change_keeps_the_current_time(wall: Wall) -> None:
    clock = SimClock(START, END, speed=1.0, wall=wall)
    wall.t += 10.0
    clock.set_speed(60.0)
    assert clock.now_s() == pytest.approx(START + 10.0)
    wall.t += 1.0
    assert clock.now_s() == pytest.approx(START + 70.0)


def test_jump_moves_time_and_counts_epochs(wall: Wall) -> None:
    clock = SimClock(START, END, speed=1.0, wall=wall)
    epoch = clock.epoch
    state = clock.jump(START + 6.5 * 3600)
    assert state.iso == "2014-12-02T06:30:00Z"
    assert clock.epoch == epoch + 1
    wall.t += 2.0
    assert clock.now_s() == pytest.approx(START + 6.5 * 3600 + 2.0)


def test_time_stops_at_the_end(wall: Wall) -> None:
    clock = SimClock(START, START + 60.0, speed=100.0, wall=wall)
    wall.t += 10.0
    state = clock.state()
    assert state.time_s == START + 60.0 and state.finished


@pytest.mark.parametrize("speed", [0.0, -1.0, float("nan"), float("inf"), MAX_SPEED * 2])
def test_bad_speeds_are_refused(wall: Wall, speed: float) -> None:
    clock = SimClock(START, END, wall=wall)
    with pytest.raises(InputError, match="speed"):
        clock.set_speed(speed)
    assert clock.state().speed == 1.0


@pytest.mark.parametrize("target", [START - 1.0, END + 1.0, float("nan")])
def test_jumps_outside_the_scenario_are_refused(wall: Wall, target: float) -> None:
    clock = SimClock(START, END, wall=wall)
    with pytest.raises(InputError, match="outside the scenario"):
        clock.jump(target)


def test_a_clock_needs_a_window() -> None:
    with pytest.raises(InputError):
        SimClock(END, START)


def test_controls_from_many_threads_leave_a_consistent_clock(wall: Wall) -> None:
    clock = SimClock(START, END, wall=wall)

    def hammer(k: int) -> None:
        for i in range(200):
            clock.set_speed(1.0 + (i + k) % 7)
            clock.pause() if i % 2 else clock.resume()

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = clock.state()
    assert 1.0 <= state.speed <= 7.0 and START <= state.time_s <= END


def test_iso_utc() -> None:
    assert iso_utc(START) == "2014-12-02T00:00:00Z"


def test_module_examples() -> None:
    import doctest

    import commonsky.sim.clock as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
