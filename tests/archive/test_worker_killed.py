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
from commonsky.archive.engine import merge, plan
from commonsky.archive.source import open_archive

from .test_equivalence import assert_same, episodes, settings, single_process


@pytest.mark.slow
def test_killed_worker_is_survived(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    folder, frame = opensky_archive
    config = settings(1.0)
    with dask_client(workers=2, memory_limit="1GiB") as client:
        assert isinstance(client, Client)
        futures = client.compute(plan(open_archive(str(folder)), config, pieces=12))  # work left after the first
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
