"""A worker process killed in the middle of a run: Dask reruns its tasks elsewhere and the answer is the same."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, wait

from commonsky.archive.cluster import dask_client
from commonsky.archive.engine import direct_plan, merge
from commonsky.archive.source import open_archive

from .test_equivalence import assert_same, episodes, settings, single_process


@pytest.mark.slow
def test_killed_worker_is_survived(opensky_archive: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    """On the archive sorted by time in small row groups, so that it splits into many tasks that each read only
    their own row groups."""
    from .conftest import write_hourly

    _, frame = opensky_archive
    folder = write_hourly(frame.sort_values(["time", "icao24"]), tmp_path / "sorted", row_group_size=3000)
    config = settings(1.0)
    with dask_client(workers=2, memory_limit="1GiB") as client:
        assert isinstance(client, Client)
        tasks = direct_plan(open_archive(str(folder)), config, min_tasks=12)
        assert tasks is not None and len(tasks) >= 12
        futures = client.compute(tasks)  # work left after the first
        deadline = time.monotonic() + 120
        while not any(f.done() for f in futures) and time.monotonic() < deadline:
            time.sleep(0.05)
        pending = sum(not f.done() for f in futures)
        pids = client.run(os.getpid)
        victim = sorted(pids.items())[0][1]
        os.kill(victim, signal.SIGKILL)  # the worker process itself; its nanny starts a new one
        results = client.gather(futures)
        wait(futures)
        assert pending > 0  # the kill happened mid-run
        assert victim not in client.run(os.getpid).values()
    assert_same(episodes(merge(results, config)), single_process(frame))
