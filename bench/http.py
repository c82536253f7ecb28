"""Served throughput: gunicorn on loopback, wrk as the load generator, same server for every URL."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(workers: int | None = 2, env: dict[str, str] | None = None, threads: int | None = 1) -> Iterator[str]:
    """A production-like server of the project on the benchmark database; yields its base URL.

    gunicorn.conf.py (production's settings) applies; workers/threads given here override it, None keeps it."""
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", **(env or {})}
    sizing = [*(["--workers", str(workers)] if workers is not None else []),
              *(["--threads", str(threads)] if threads is not None else [])]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "omnibus.wsgi:application", "--config",
         str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}", *sizing, "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=1)  # noqa: S310 - loopback only
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def procfile_worker() -> dict:
    """The worker `make run` starts (Procfile's `worker:` line): its queues, concurrency and nice level, as
    keyword arguments of celery_worker."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    nice = re.search(r"\bnice -n (\d+)", line)
    return {"queues": re.search(r"-Q[= ](\S+)", line).group(1).split(","),
            "concurrency": int(re.search(r"--concurrency[= ](\d+)", line).group(1)),
            "nice": int(nice.group(1)) if nice else 0}


def compose_worker(service: str) -> dict:
    """A worker of docker-compose.yml (`worker-interattiva`, `worker-massiva`, ...): its queues, concurrency,
    name and the nice level standing for its `cpu_shares`, as keyword arguments of celery_worker.

    The kernel weighs each nice level 1.25 times less than the one below it (1024 at nice 0), so shares of 256,
    a quarter of the default 1024, are nice 6 and 512 nice 3. An approximation: a container's shares weigh all
    its processes together, a nice level each process on its own."""
    import math

    import yaml

    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]
    command = " ".join(spec["command"])
    return {"queues": re.search(r"-Q[= ](\S+)", command).group(1).split(","),
            "concurrency": int(re.search(r"--concurrency[= ](\d+)", command).group(1)),
            "name": service.removeprefix("worker-"),
            "nice": round(math.log(1024 / spec.get("cpu_shares", 1024), 1.25))}


@contextlib.contextmanager
def celery_worker(env: dict[str, str] | None = None, concurrency: int = 1, queues: list[str] | None = None,
                  nice: int = 10, name: str = "celery") -> Iterator[subprocess.Popen]:
    """A Celery worker of the project (Redis broker) on `queues` (the Procfile's: every queue, unless given);
    yields its process. At a lower CPU priority (the Procfile's nice 10 unless given; docker-compose gives its
    workers cpu_shares, compose_worker): background jobs take the cores the requests leave, never a family's
    time. `name` is its node name (two workers on one machine need two) and its role in cpu_by_role."""
    env = {**os.environ, **(env or {})}
    queues = queues or procfile_worker()["queues"]
    process = subprocess.Popen(
        ["nice", "-n", str(nice), str(Path(sys.executable).parent / "celery"), "-A", "omnibus", "worker",
         "-Q", ",".join(queues), "--hostname", f"{name}@%h", "--concurrency", str(concurrency),
         "--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env,
    )
    try:
        yield process
    finally:
        process.terminate()  # warm shutdown: the tasks under way end first
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a task still running what the bench no longer waits for
            process.kill()
            process.wait(timeout=30)


def cpu_seconds(pid: int, children: bool = True) -> float:
    """CPU time (user + system) used so far by a process and its live children (Linux /proc; the
    PostgreSQL backend of a connection too, its pid from `pg_backend_pid()`, when the server is local)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ... utime is field 14 and stime 15 of the whole line.
        if stat.parent.name == str(pid) or (children and fields[1] == str(pid)):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wrk(url: str, seconds: int, connections: int = 8, cookie: str = "", threads: int = 2) -> dict:
    """Requests per second and latency percentiles from wrk (Debian package `wrk`)."""
    if not shutil.which("wrk"):
        raise SystemExit("make bench needs wrk: apt-get install wrk")
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} failed responses\n{out}")

    def percentile(p: str) -> float:
        match = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "p50_ms": percentile("50"), "p99_ms": percentile("99")}


def _proc_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command line, CPU seconds so far) from /proc (Linux); empty elsewhere."""
    table = {}
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        table[int(entry.name)] = (int(stat[1]), cmdline, (int(stat[11]) + int(stat[12])) / hz)
    return table


def machine_cpu() -> float:
    """CPU seconds the whole machine has used since boot, every process's (Linux /proc/stat): less this
    benchmark's (cpu_by_role) over a run, what others on a shared machine took meanwhile."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpu_by_pid(database: str = "") -> dict[int, tuple[str, float]]:
    """This benchmark's processes now, pid -> (role, CPU seconds so far): the client (this process), the served
    app (gunicorn), the Celery workers ("celery", or "celery <name>" for a named one), each with its children,
    PostgreSQL's backends of `database`, and Redis."""
    table = _proc_table()
    me = os.getpid()
    processes = {}

    def root_child(pid: int) -> int | None:  # our direct child this process descends from
        while pid in table and table[pid][0] not in (me, 0, 1):
            pid = table[pid][0]
        return pid if pid in table and table[pid][0] == me else None

    for pid, (_, cmdline, seconds) in table.items():
        if pid == me:
            processes[pid] = ("client", seconds)
        elif database and cmdline.startswith("postgres") and f" {database} " in cmdline:
            processes[pid] = ("postgres", seconds)
        elif cmdline.startswith("redis-server"):  # sessions, cache and broker (shared, if others use it too)
            processes[pid] = ("redis", seconds)
        elif (child := root_child(pid)) is not None:
            command = table[child][1]
            node = re.search(r"--hostname (\S+)@", command)
            processes[pid] = ("gunicorn" if "gunicorn" in command else
                              "other" if "celery" not in command else
                              "celery" if not node or node.group(1) == "celery" else f"celery {node.group(1)}",
                              seconds)
    return processes


def _roles(now: dict[int, tuple[str, float]], since: dict[int, tuple[str, float]]) -> dict[str, float]:
    totals = {"client": 0.0, "gunicorn": 0.0, "postgres": 0.0}
    for pid, (role, seconds) in now.items():
        earlier = since.get(pid)
        totals[role] = totals.get(role, 0.0) + seconds - (earlier[1] if earlier and earlier[0] == role else 0.0)
    return totals


def cpu_by_role(database: str = "") -> dict[str, float]:
    """CPU seconds used so far by this benchmark's live processes, by role (cpu_by_pid)."""
    return _roles(cpu_by_pid(database), {})


@contextlib.contextmanager
def cpu_during(database: str = "", interval: float = 1.0) -> Iterator[dict[str, float]]:
    """The CPU seconds each role (cpu_by_pid) uses while the block runs, in the dict yielded, filled in when the
    block ends: who used the machine's cores during a run. Each process is sampled every `interval` seconds,
    so one that ends meanwhile keeps what it used up to its last sample: PostgreSQL's backends end with their
    connections, every CONN_MAX_AGE (60 s) in the web processes, and a difference of two samples alone would
    miss their work. A process started meanwhile counts whole."""
    import threading

    totals: dict[str, float] = {}
    first = cpu_by_pid(database)
    last = dict(first)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(interval):
            last.update(cpu_by_pid(database))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield totals
    finally:
        stop.set()
        thread.join()
        last.update(cpu_by_pid(database))
        totals.update(_roles(last, first))
