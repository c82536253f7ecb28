"""gunicorn's settings for the portal: the Dockerfile, docker-compose and `make bench` (bench/http.py) all
serve with these, so the benchmarks measure the server as production runs it.

gthread workers: one process per core plus one, each with threads that overlap the requests' waits on
PostgreSQL and Redis. WEB_CONCURRENCY (gunicorn's own variable) and GUNICORN_THREADS override them.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)


def post_worker_init(worker):
    """Once the app is loaded in a worker: its import-time objects (Django, templates, translations) leave the
    garbage collector's generations for good (gc.freeze), and young objects are collected less often, so a
    request no longer pays for walking hundreds of thousands of long-lived objects in a full collection."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
