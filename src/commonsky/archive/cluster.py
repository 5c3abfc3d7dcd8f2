"""A Dask client: an in-process `LocalCluster` (worker processes on this machine) or a running scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from commonsky.errors import InputError

if TYPE_CHECKING:
    from distributed import Client


WORKER_ENVIRON = {
    "MALLOC_MMAP_THRESHOLD_": 256 << 20,
    "MALLOC_TRIM_THRESHOLD_": 1 << 30,
    "NUMPY_MADVISE_HUGEPAGE": 0,
}
"""Environment of the local workers. glibc: arrays under 256 MiB (a task's columns) come from the heap, and up to
1 GiB of freed heap is kept, so a task reuses the pages of the one before instead of faulting in fresh zeroed
ones (Dask's default trim threshold of 64 KiB pins the mmap threshold at 128 KiB); the cost is a resident memory
up to 1 GiB above what the worker uses. numpy: no transparent huge pages for its arrays, whose first touch then
stalls on memory compaction where the kernel compacts on madvise (measured: 1.4 s instead of 0.5 s for the
first partition keys of a 4-million-report task)."""


@contextmanager
def dask_client(
    scheduler: str | None = None, workers: int | None = None, timeout_s: float = 10.0, memory_limit: str = "auto"
) -> Iterator[Client]:
    """A client on ``scheduler`` (``tcp://host:port``) or on a new LocalCluster of ``workers`` single-threaded
    worker processes (default: one per core), listening on 127.0.0.1 only, closed on exit.
    An unreachable scheduler is an `InputError`."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if workers is not None:
            raise InputError("give --workers or --scheduler, not both")
        try:
            client = Client(scheduler, timeout=f"{timeout_s}s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as error:
            raise InputError(f"scheduler {scheduler}: unreachable ({' '.join(str(error).split())[:160]})") from error
        with client:
            yield client
        return
    if workers is not None and workers < 1:
        raise InputError(f"--workers {workers}: must be at least 1")
    environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **WORKER_ENVIRON}
    config = {"distributed.worker.daemon": False, "distributed.nanny.pre-spawn-environ": environ}
    with (
        dask.config.set(config),
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            memory_limit=memory_limit,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def dashboard(client: Client) -> str | None:
    """The dashboard's address, when the scheduler serves one (it needs bokeh)."""
    try:
        services = client.scheduler_info().get("services", {})
    except (OSError, KeyError):
        return None
    return str(client.dashboard_link) if "dashboard" in services else None
