"""Run the same job in several threads at once, as two Celery workers or two browser tabs would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def run_at_once(job: Callable[[int], Any], workers: int) -> list[Any]:
    """Call job(n) for n in range(workers), each in its own thread, all released by one barrier.

    Returns the results in the order of n; the first exception a thread raised is raised here.
    Every thread closes its own database connections, so the test database can be dropped.
    """
    from django.db import connections

    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = job(n)
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
