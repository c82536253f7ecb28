"""gunicorn's settings for the portal: the Dockerfile, docker-compose and `make bench` (bench/http.py) all
serve with these, so the benchmarks measure the server as production runs it.

Sync workers, twice the cores plus one (gunicorn's own rule): each process serves one request at a time, and
the requests waiting for a process queue in the kernel's accept queue, first come first served. The portal's
requests are short and spend their time in Python, so at the 09:00 rush, when the cores are the limit, a
family waits behind those who tapped before them and no longer. The extra processes overlap the waits on
PostgreSQL, Redis and pagoPA (GPD answers within its 5-second timeout).

gthread workers (threads > 1) were measured worse under that load (`make bench`, bench_rush): a kept-alive
connection stays with the process that accepted it (16 clients were split 12/3/1 over three processes), and
the threads of one process share its interpreter lock, so the requests of the crowded process took three
times as long as the others'. p99 went from 249-270 ms to 136-175 ms (10 runs), at a higher rate.

Sync workers close the connection after each answer and read the request as it arrives: like every Django
deployment on them, they sit behind the TLS-terminating reverse proxy that production has anyway
(`SECURE_PROXY_SSL_HEADER`), which buffers slow clients. WEB_CONCURRENCY (gunicorn's own variable),
GUNICORN_THREADS (gthread when above 1) and GUNICORN_TIMEOUT override the defaults.
"""

import multiprocessing
import os

# The cores this process may run on (a container's cpuset), not the host's; a CPU quota needs WEB_CONCURRENCY.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else multiprocessing.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * CORES + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
# A sync worker busy past the timeout is killed by the arbiter; a long office export must still finish.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
# The workers' heartbeat files in memory: on a container's disk-backed /tmp, os.fchmod can block a worker
# (gunicorn's FAQ, "How do I avoid Gunicorn excessively blocking in os.fchmod?").
SHM = "/dev/shm"  # noqa: S108 - gunicorn creates its files there itself, unguessable (mkstemp)
worker_tmp_dir = SHM if os.path.isdir(SHM) else None


def post_worker_init(worker):
    """Once the app is loaded in a worker: its import-time objects (Django, templates, translations) leave the
    garbage collector's generations for good (gc.freeze), and young objects are collected less often, so a
    request no longer pays for walking hundreds of thousands of long-lived objects in a full collection."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
