"""Web benchmark: directory search and API list under load, beside a bare Django view.

    .venv/bin/python bench/bench_web.py --orgs 20000 --duration 10 --connections 16
    .venv/bin/python bench/bench_web.py --quick          # smoke run: 2,000 orgs, 3 s per target
    .venv/bin/python bench/bench_web.py --database-url postgres://postgres@127.0.0.1:5432/grappe_bench

What it does, in one run:

1. Prepares a dedicated database: by default the SQLite file
   ``<var-dir>/grappe-<orgs>.sqlite3`` (var dir ``/tmp/grappe-bench``, or ``GRAPPE_VAR_DIR``),
   or the ``--database-url`` given (a PostgreSQL database is created if missing). Migrates and
   seeds it with ``grappe demo --seed-only --orgs N`` (idempotent: an existing seeded database
   is reused; a database holding more organisations than N is measured as it is, and the
   dataset line says so) and collects the static files into the var dir if they are missing
   or older than ``grappe/static`` (``grappe collectstatic`` with ``DEBUG=false`` fails on a
   source map missing from a package, see ``COLLECT_SETTINGS``: the bench works around it and
   says so). On PostgreSQL it runs ``ANALYZE`` after seeding. Each step is timed.
2. Starts the production server, ``grappe serve --bind 127.0.0.1:<free port> --workers W``
   (gunicorn) in its own process group, with ``DEBUG=false``, a throwaway ``SECRET_KEY``,
   ``ALLOWED_HOSTS=127.0.0.1`` and ``SECURE_SSL_REDIRECT=false``; its access log goes to a file
   in the var dir. The server is always stopped at the end.
3. Loads the same server, interleaved (A B C D A B C D ...) to spread the machine's noise over
   every target, with ``wrk`` (``apt-get install wrk``; a small Python keep-alive load
   generator is the fallback): ``/healthz`` (bare Django view, no database), the directory
   search page of ``federation-01``, the same search with filters, and the API list. Each
   target's ``--duration`` is cut into rounds of 5 s or more (wrk drops what is in flight when
   it stops: shorter slices would cut off the slow end); after each run the bench waits for
   the server to serve what was left queued, so the next target starts on an idle server.
   p50 and p95 merge the rounds (999 quantiles per wrk run, weighted by its requests).
4. Prints the dataset size, the settings, one request of each target profiled in-process
   (wall and CPU time, queries, SQL time, slowest query), then a table: requests/s, p50,
   p95, the server's CPU per request (user + system time of the gunicorn process group over
   the requests its access log shows, Linux ``/proc``), and the ratios of each target to the
   bare view. On a shared machine req/s and latency move with the neighbours' load; CPU per
   request hardly does.

``--quick`` (2,000 organisations, 3 s per target, one round) is a smoke run.
Load is loopback only and bounded: each wrk run has a fixed duration (its request timeout is
the run's length plus 5 s); the Python fallback stops at the deadline or at a request cap.
Figures depend on the machine (the load generator shares its CPUs with the server): read the
ratios. Never run as a test; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = next(
    (d for d in (ROOT / ".venv" / "bin", Path(sys.executable).parent) if (d / "grappe").exists()),
    ROOT / ".venv" / "bin",
)
CLUSTER = "federation-01"

# name, path. The first is the baseline every other target is compared with.
TARGETS = [
    ("bare view /healthz", "/healthz"),
    ("directory ?q=studio", f"/c/{CLUSTER}/directory/?q=studio"),
    ("directory ?q=studio+filters", f"/c/{CLUSTER}/directory/?q=studio&naf=59.20Z&tag=concert"),
    ("API list ?q=studio&limit=50", f"/api/clusters/{CLUSTER}/organisations?q=studio&limit=50"),
]

# wrk prints its own summary; this adds machine-readable lines: totals, errors, and 999
# latency quantiles (0.1 % steps, microseconds) so that several rounds merge into one p95.
WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout))
  io.write("BENCH quantiles")
  for i = 1, 999 do
    io.write(string.format(" %d", latency:percentile(i / 10)))
  end
  io.write("\n")
end
"""

# Run in the server's environment (``grappe shell -c``): dataset size, then each target once
# through Django's test client with the queries captured.
PROFILE_CODE = r"""
import json, statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from grappe.core.models import Cluster
from grappe.members.models import Membership, Organisation

TARGETS = json.loads(__TARGETS__)
CLUSTER = __CLUSTER__
out = {
    "vendor": connection.vendor,
    "orgs": Organisation.objects.count(),
    "generated": Organisation.objects.filter(
        memberships__cluster__slug__startswith="federation-"
    ).count(),
    "clusters": Cluster.objects.count(),
    "federation_clusters": Cluster.objects.filter(slug__startswith="federation-").count(),
    "cluster_active": Membership.objects.filter(
        cluster__slug=CLUSTER, status=Membership.Status.ACTIVE
    ).count(),
    "profiles": [],
}
client = Client(HTTP_HOST="127.0.0.1")
for name, path in TARGETS:
    client.get(path)
    walls, cpus = [], []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
    out["profiles"].append({
        "name": name,
        "status": response.status_code,
        "ms": statistics.median(walls),
        "cpu_ms": statistics.median(cpus),
        "queries": len(queries),
        "sql_ms": sum(float(q["time"]) for q in queries) * 1000,
        "slowest": [[float(q["time"]) * 1000, q["sql"]] for q in queries[:3]],
    })
print("BENCHJSON " + json.dumps(out))
"""


# --- environment and database -------------------------------------------------------------


def mask(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def bench_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="grappe.settings",
        DEBUG="false",
        SECRET_KEY="grappe-bench-" + "x" * 50,  # throwaway, loopback only
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        GRAPPE_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    for name in ("WEB_CONCURRENCY", "WEB_THREADS", "CACHE_URL"):
        env.pop(name, None)
    return env


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def pg_query(url: str, query: str) -> list[str]:
    """First column of a query's rows, through psycopg or else psql."""
    url = urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    try:
        import psycopg
    except ImportError:
        out = subprocess.run(
            ["psql", url, "-tAc", query], capture_output=True, text=True, check=True
        ).stdout
        return out.split()
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query)
        return [str(row[0]) for row in cursor.fetchall()] if cursor.description else []


def proc_cpu_ticks(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def pg_backends_cpu(url: str) -> dict[str, int]:
    """CPU ticks of each PostgreSQL backend connected to the bench database (same machine)."""
    pids = pg_query(
        url,
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    ticks = {pid: proc_cpu_ticks(pid) for pid in pids}
    return {pid: t for pid, t in ticks.items() if t is not None}


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL if it does not exist."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        names = subprocess.run(
            ["psql", admin_url, "-tAc", "SELECT datname FROM pg_database"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        if name not in names:
            subprocess.run(["createdb", "--maintenance-db", admin_url, name], check=True)
            print(f"created PostgreSQL database {name}")
        return
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created PostgreSQL database {name}")


def grappe(args: list[str], env: dict[str, str], *, capture: bool = False, check: bool = True):
    return subprocess.run(
        [str(VENV_BIN / "grappe"), *args],
        env=env,
        cwd=ROOT,
        check=check,
        text=True,
        capture_output=capture,
    )


# collectstatic with the production storage fails on a source map that the
# xstatic-leaflet-markercluster package does not ship (leaflet.markercluster.js ends with
# "//# sourceMappingURL=leaflet.markercluster.js.map"). The bench collects with the same
# storage minus the source-map rewriting; the manifest it writes is the one the unmodified
# production settings read at serve time.
COLLECT_SETTINGS = """
from grappe.settings import *  # noqa: F403
from whitenoise.storage import CompressedManifestStaticFilesStorage


class BenchCollectStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (ext, tuple(p for p in pats if "sourceMappingURL" not in str(p)))
        for ext, pats in CompressedManifestStaticFilesStorage.patterns
    )


STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "grappe_bench_collect.BenchCollectStorage"}}
"""


def collectstatic(env: dict[str, str], var_dir: Path) -> str:
    """Collect with the production settings; on the known source-map failure, work around it."""
    result = grappe(["collectstatic", "--noinput", "-v", "0"], env, capture=True, check=False)
    if result.returncode == 0:
        return "production storage"
    if "sourceMappingURL" not in result.stderr and ".js.map" not in result.stderr:
        raise RuntimeError("collectstatic failed:\n" + result.stderr[-3000:])
    print(
        "  NOTE: `grappe collectstatic` fails with DEBUG=false: "
        + result.stderr.strip().splitlines()[-1][:160]
    )
    module_dir = var_dir / "bench-settings"
    module_dir.mkdir(exist_ok=True)
    (module_dir / "grappe_bench_collect.py").write_text(COLLECT_SETTINGS)
    collect_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "grappe_bench_collect",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(module_dir), env.get("PYTHONPATH")])),
    }
    grappe(["collectstatic", "--noinput", "-v", "0"], collect_env)
    return "workaround: source-map references left as they are"


def prepare(env: dict[str, str], var_dir: Path, orgs: int, database_url: str) -> dict[str, float]:
    timings = {}
    started = time.perf_counter()
    grappe(["migrate", "--noinput", "-v", "0"], env)
    timings["migrate"] = time.perf_counter() - started
    started = time.perf_counter()
    result = grappe(["demo", "--seed-only", "--orgs", str(orgs)], env, capture=True)
    timings["seed"] = time.perf_counter() - started
    for line in result.stdout.splitlines():
        if "Fédération" in line or "Prêt" in line:
            print(f"  seed: {line}")
    if is_postgres(database_url):
        # Bulk-created rows have no planner statistics until autovacuum analyzes them (it may
        # be off: it is on this machine's server): measure the state a running instance has.
        started = time.perf_counter()
        pg_query(database_url, "ANALYZE")
        timings["analyze"] = time.perf_counter() - started
    manifest = var_dir / "static" / "staticfiles.json"
    newest = max(f.stat().st_mtime for f in (ROOT / "grappe" / "static").rglob("*") if f.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        started = time.perf_counter()
        how = collectstatic(env, var_dir)
        timings["collectstatic"] = time.perf_counter() - started
        print(f"  collectstatic into {var_dir / 'static'} ({how})")
    return timings


def profile(env: dict[str, str]) -> dict:
    code = PROFILE_CODE.replace("__TARGETS__", repr(json.dumps(TARGETS))).replace(
        "__CLUSTER__", repr(CLUSTER)
    )
    result = grappe(["shell", "-c", code], env, capture=True)
    for line in result.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line.removeprefix("BENCHJSON "))
    raise RuntimeError("profile printed nothing:\n" + result.stdout + result.stderr)


# --- server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def server(env: dict[str, str], port: int, workers: int, threads: int, log_path: Path):
    argv = [str(VENV_BIN / "grappe"), "serve", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", str(workers), "--threads", str(threads)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: gunicorn and its workers
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited ({proc.returncode}), see {log_path}")
                try:
                    status, _body = get(port, "/healthz", timeout=2)
                    if status < 500:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server not ready after 60 s, see {log_path}")
                time.sleep(0.2)
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def group_cpu_seconds(pgid: int) -> float | None:
    """User + system CPU of the server's process group (gunicorn master and workers), Linux."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ... utime stime
            total += int(fields[11]) + int(fields[12])
    return total / tick


def db_cpu_seconds(before: dict[str, int], after: dict[str, int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    return sum(t - before.get(pid, 0) for pid, t in after.items()) / tick


def served(log_path: Path, path: str) -> int:
    """Requests of ``path`` the server has answered so far, from its access log."""
    needle = f'"GET {path} '.encode()
    return log_path.read_bytes().count(needle)


def probe_ms(port: int) -> float:
    started = time.perf_counter()
    try:
        get(port, "/healthz", timeout=30)
    except OSError:
        return float("inf")
    return (time.perf_counter() - started) * 1000


def drain(port: int, idle_ms: float, limit: float = 30.0) -> float:
    """Wait until the requests a load run left queued are served: the next run starts idle.

    Idle: three probes of the bare view in a row, each on a new connection, answer about as
    fast as on the idle server. Returns the seconds waited.
    """
    started = time.monotonic()
    fast = 0
    while fast < 3 and time.monotonic() - started < limit:
        fast = fast + 1 if probe_ms(port) <= idle_ms else 0
    return time.monotonic() - started


# --- load ---------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int
    seconds: float
    errors: dict[str, int]
    samples: list[tuple[float, float]]  # (latency µs, weight)
    server_cpu: float | None = None  # seconds used by the server for the run and its drain
    db_cpu: float | None = None  # seconds used by the PostgreSQL backends in that time
    server_requests: int = 0  # requests it answered in that time (access log)
    probes: int = 0  # drain probes (bare view) among what the server answered in that time


@dataclass
class Result:
    name: str
    path: str
    runs: list[Run] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.runs)

    @property
    def rps(self) -> float:
        return self.requests / sum(r.seconds for r in self.runs)

    def quantile(self, q: float) -> float:
        """Latency (ms) at quantile q over every round, each weighted by its requests."""
        points = sorted(p for r in self.runs for p in r.samples)
        total = sum(w for _v, w in points)
        acc = 0.0
        for value, weight in points:
            acc += weight
            if acc >= q * total:
                return value / 1000
        return points[-1][0] / 1000 if points else float("nan")

    def cpu_ms(self, probe_ms: float = 0.0) -> float:
        """Server CPU per request served (every worker and thread, whatever the wall clock),
        less the drain probes at ``probe_ms`` each."""
        if not self.runs or any(r.server_cpu is None for r in self.runs):
            return float("nan")
        served = sum(r.server_requests for r in self.runs)
        cpu = 1000 * sum(r.server_cpu for r in self.runs) - probe_ms * sum(
            r.probes for r in self.runs
        )
        return cpu / served if served else float("nan")

    @property
    def db_cpu_ms(self) -> float:
        """PostgreSQL backends' CPU per request served (nan on SQLite: it is in the server)."""
        if not self.runs or any(r.db_cpu is None for r in self.runs):
            return float("nan")
        served = sum(r.server_requests for r in self.runs)
        return 1000 * sum(r.db_cpu for r in self.runs) / served if served else float("nan")

    def errors(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.runs:
            for k, v in r.errors.items():
                if v:
                    out[k] = out.get(k, 0) + v
        return out


def run_wrk(url: str, seconds: int, connections: int, threads: int, lua: Path) -> Run:
    # A request still running when the run ends is dropped by wrk anyway: the timeout only
    # needs to let every request that can finish inside the run be measured.
    timeout = f"{seconds + 5}s"
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", timeout]
    result = subprocess.run(
        [*argv, "-s", str(lua), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    totals: dict[str, int] = {}
    quantiles: list[float] = []
    for line in result.stdout.splitlines():
        if line.startswith("BENCH requests="):
            totals = {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
        elif line.startswith("BENCH quantiles"):
            quantiles = [float(v) for v in line.split()[2:]]
    if not totals or not quantiles:
        raise RuntimeError("unexpected wrk output:\n" + result.stdout + result.stderr)
    n = totals["requests"]
    errors = {k: totals[k] for k in ("connect", "read", "write", "status", "timeout")}
    weight = n / len(quantiles)
    return Run(n, totals["duration_us"] / 1e6, errors, [(q, weight) for q in quantiles])


def run_python(port: int, path: str, seconds: float, connections: int) -> Run:
    """Fallback load generator: keep-alive connections in threads, bounded by time and count."""
    cap = 200_000
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors = {"status": 0, "read": 0}

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds + 5)
        mine: list[float] = []
        bad = {"status": 0, "read": 0}
        while time.monotonic() < deadline and len(mine) < cap // connections:
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad["status"] += 1
            except (OSError, http.client.HTTPException):
                bad["read"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds + 5)
                continue
            mine.append((time.perf_counter() - started) * 1e6)
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in bad.items():
                errors[k] += v

    started = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(connections)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    elapsed = time.monotonic() - started
    return Run(len(latencies), elapsed, errors, [(v, 1.0) for v in latencies])


# --- report -------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    base = results[0]
    base_rps, base_p95, base_cpu = base.rps, base.quantile(0.95), base.cpu_ms()
    head = f"{'target':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'req/s ratio':>12}"
    head += f" {'p95 ratio':>10} {'CPU ms/req':>11} {'CPU ratio':>10} {'+DB CPU ms':>10}"
    print(head + f" {'rounds req/s':>13} {'requests':>9}  errors")
    for r in results:
        per_round = [run.requests / run.seconds for run in r.runs]
        spread = f"{min(per_round):.0f}–{max(per_round):.0f}"
        p95 = r.quantile(0.95)
        errors = ", ".join(f"{k} {v}" for k, v in r.errors().items()) or "-"
        db = "-" if math.isnan(r.db_cpu_ms) else f"{r.db_cpu_ms:.2f}"
        cpu = base_cpu if r is base else r.cpu_ms(base_cpu)
        print(
            f"{r.name:<30} {r.rps:8.1f} {r.quantile(0.5):8.1f} {p95:8.1f} "
            f"{r.rps / base_rps:11.3f}x {p95 / base_p95:9.1f}x "
            f"{cpu:11.2f} {cpu / base_cpu:9.1f}x {db:>10} {spread:>13} {r.requests:9d}  "
            f"{errors}"
        )
    print(
        f"Ratios against {base.name}: req/s and p95, target / bare.\n"
        "CPU ms/req: user + system CPU of the gunicorn processes over the run and the drain "
        "after it,\nper request their access log shows (drain probes deducted at the bare "
        "view's cost). It moves\nfar less than req/s with the neighbours' load; "
        f"{os.cpu_count()} CPUs / (CPU ms/req + DB CPU ms) bounds what\nan otherwise idle "
        "machine could serve. +DB CPU ms: the PostgreSQL backends' CPU per request,\non top "
        "(SQLite runs inside the server's processes: its share is in CPU ms/req)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=20_000, help="generated organisations")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target")
    parser.add_argument(
        "--rounds", type=int, default=0, help="interleaved rounds (default: slices of ≥5 s, ≤5)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--database-url", default="", help="default: SQLite in the var dir")
    parser.add_argument(
        "--var-dir",
        default=os.environ.get("GRAPPE_VAR_DIR", "/tmp/grappe-bench"),  # noqa: S108
    )
    parser.add_argument("--python-load", action="store_true", help="skip wrk even if present")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 orgs, 3 s")
    args = parser.parse_args()
    if args.quick:
        args.orgs, args.duration = 2_000, 3
    # Slices of 5 s or more: wrk drops the requests in flight when it stops, so slices close
    # to the latency would cut the slow end off the distribution.
    rounds = args.rounds or max(1, min(5, args.duration // 5))
    slice_seconds = max(1, args.duration // rounds)

    var_dir = Path(args.var_dir).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{var_dir / f'grappe-{args.orgs}.sqlite3'}"
    if is_postgres(database_url):
        ensure_postgres_database(database_url)
    env = bench_env(var_dir, database_url)

    print(f"database {mask(database_url)}, var dir {var_dir}")
    print(f"load average (1, 5, 15 min) at the start: {os.getloadavg()}")
    timings = prepare(env, var_dir, args.orgs, database_url)
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))

    info = profile(env)
    if info["generated"] != args.orgs:
        print(
            f"WARNING: {info['generated']} generated organisations in the database, "
            f"{args.orgs} asked"
        )
    print(
        f"\ndataset: {info['orgs']} organisations ({info['generated']} generated), "
        f"{info['clusters']} clusters ({info['federation_clusters']} generated), {CLUSTER}: "
        f"{info['cluster_active']} "
        f"active members; database {info['vendor']}"
    )
    print(
        "\none request of each, in-process (test client, median of 5; SQL of the last, wall clock):"
    )
    for p in info["profiles"]:
        slowest = p["slowest"][0] if p["slowest"] else [0.0, ""]
        print(
            f"  {p['name']:<30} {p['status']} {p['ms']:6.1f} ms (CPU {p['cpu_ms']:5.1f} ms), "
            f"{p['queries']:2d} queries, SQL {p['sql_ms']:5.1f} ms; slowest {slowest[0]:.1f} ms: "
            f"{slowest[1][:90]}"
        )

    use_wrk = shutil.which("wrk") is not None and not args.python_load
    port = free_port()
    log_path = var_dir / f"server-{port}.log"
    print(
        f"\nserver: grappe serve --bind 127.0.0.1:{port} --workers {args.workers} "
        f"--threads {args.threads} (gunicorn gthread, DEBUG=false, access log {log_path})"
    )
    print(
        f"load: {'wrk' if use_wrk else 'Python fallback'}, {args.connections} connections"
        + (f", {args.wrk_threads} threads" if use_wrk else "")
        + f", {rounds} interleaved rounds x {slice_seconds} s per target "
        f"({rounds * slice_seconds} s each), {os.cpu_count()} CPUs shared with the server"
    )

    results = [Result(name, path) for name, path in TARGETS]
    with (
        tempfile.TemporaryDirectory() as tmp,
        server(env, port, args.workers, args.threads, log_path) as proc,
    ):
        lua = Path(tmp) / "wrk_p95.lua"
        lua.write_text(WRK_LUA)
        for r in results:
            status, body = get(port, r.path)
            detail = f"{len(body)} bytes"
            if r.path.startswith("/api/") and status == 200:
                detail += f", count {json.loads(body)['count']}"
            print(f"  check {status} {r.path} ({detail})")
            if status != 200:
                if r.path == "/healthz":
                    raise SystemExit("/healthz is missing: the bare-view baseline needs it")
                raise SystemExit(f"{r.path} answered {status}")

        def load(r: Result, seconds: int) -> Run:
            if use_wrk:
                url = f"http://127.0.0.1:{port}{r.path}"
                return run_wrk(url, seconds, args.connections, args.wrk_threads, lua)
            return run_python(port, r.path, seconds, args.connections)

        idle = sorted(probe_ms(port) for _ in range(20))
        idle_ms = max(3 * idle[len(idle) // 2], idle[len(idle) // 2] + 5)
        drained = 0.0
        for r in results:  # warm every worker on every target; not recorded
            load(r, 1)
            drained += drain(port, idle_ms)
        for n in range(rounds):
            for r in results:
                cpu_before, served_before = group_cpu_seconds(proc.pid), served(log_path, r.path)
                probes_before = served(log_path, results[0].path)
                db_before = pg_backends_cpu(database_url) if is_postgres(database_url) else None
                run = load(r, slice_seconds)
                drained += drain(port, idle_ms)
                cpu_after = group_cpu_seconds(proc.pid)
                if cpu_before is not None and cpu_after is not None:
                    run.server_cpu = cpu_after - cpu_before
                if db_before is not None:
                    run.db_cpu = db_cpu_seconds(db_before, pg_backends_cpu(database_url))
                run.server_requests = served(log_path, r.path) - served_before
                if r is not results[0]:
                    run.probes = served(log_path, results[0].path) - probes_before
                r.runs.append(run)
            print(
                f"  round {n + 1}/{rounds}: " + ", ".join(f"{r.runs[-1].requests}" for r in results)
            )

        print(
            f"  between runs, waited {drained:.1f} s in all for the server to drain "
            f"(idle: /healthz under {idle_ms:.1f} ms three times in a row)"
        )

    print(f"\nload average (1, 5, 15 min) at the end: {os.getloadavg()}")
    print_table(results)
    for r in results:
        if r.quantile(0.95) > 1000 * slice_seconds / 5:
            print(
                f"WARNING: {r.name}: p95 is over a fifth of the {slice_seconds} s slice; the "
                "slowest requests may be cut off (longer --duration, fewer --rounds or "
                "--connections)"
            )


if __name__ == "__main__":
    main()
