"""Booking throughput under concurrent load on PostgreSQL, beside a bare Django view.

    .venv/bin/python bench/bench_bookings.py
    .venv/bin/python bench/bench_bookings.py --duration 20 --connections 32 --workers 4
    .venv/bin/python bench/bench_bookings.py --hours 12 --resources 1   # heavy contention
    .venv/bin/python bench/bench_bookings.py --quick                    # smoke run, 3 s

What it does, in one run:

1. Prepares a PostgreSQL database (``--database-url``, created if missing), migrates it
   and sets up a cluster ``bench-bookings`` with ``--firms`` member firms (one person
   and one API token each) and ``--resources`` resources open around the clock, booked
   by the hour. Earlier runs' bookings are deleted, so every run starts empty.
2. Starts the production server, ``grappe serve --bind 127.0.0.1:<free port> --workers W``
   (gunicorn, ``DEBUG=false``) in its own process group; it is always stopped at the end.
3. Loads it with ``wrk`` (``apt-get install wrk``; a bounded Python load generator is the
   fallback), alternating rounds of the two targets so that the machine's noise spreads
   over both: the bare ``/healthz`` view (no database) and ``POST /api/clusters/
   bench-bookings/bookings``, each request a random firm (its token) asking a random
   one-hour slot among ``--hours`` hours of the coming days on a random resource. Once
   a slot is taken, later requests for it are refused (400, the French message): the
   bench measures the whole booking path, the refusal included, under contention.
4. Counts, afterwards, in the database: confirmed bookings, and pairs of confirmed
   bookings of one resource that overlap — the double bookings, which must be zero —
   and checks that every 201 answer has its row.
5. Prints requests/s, p50 and p95 of each target, their ratios to the bare view, the
   answers by status, and the double-booking count.

Load is loopback only and bounded (fixed durations; the fallback also caps requests).
Figures depend on the machine (the load generator shares its CPUs with the server):
read the ratios. Never run as a test; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CLUSTER = "bench-bookings"
BOOKINGS_PATH = f"/api/clusters/{CLUSTER}/bookings"

SETUP_CODE = r"""
import json
from decimal import Decimal
from django.db import transaction
from grappe.core.models import Cluster, User
from grappe.core.services import api_token_create, cluster_create
from grappe.members.models import Membership, Organisation, Person
from grappe.pooling.models import Booking, Resource, WaitlistEntry
from grappe.territory.models import Commune
from grappe.territory.services import reference_load_bundled
from grappe.engine.identifiers import luhn_complete

FIRMS, RESOURCES = __FIRMS__, __RESOURCES__
with transaction.atomic():
    if not Commune.objects.filter(code="75118").exists():
        reference_load_bundled()
    cluster = Cluster.objects.filter(slug="bench-bookings").first() or cluster_create(
        name="Bench réservations", slug="bench-bookings", commune_codes=["75118"]
    )
    WaitlistEntry.objects.filter(resource__cluster=cluster).delete()
    Booking.objects.filter(resource__cluster=cluster).delete()
    resources = []
    for i in range(RESOURCES):
        resource, _ = Resource.objects.get_or_create(
            cluster=cluster, name=f"Salle bench {i + 1}",
            defaults={"opening_hours": ["00:00-24:00"] * 7, "slot_minutes": 60,
                      "cancellation_deadline_hours": 0, "price": Decimal("10.00")},
        )
        resources.append(resource.pk)
    firms = []
    for i in range(FIRMS):
        siret = luhn_complete(luhn_complete(f"{70_000_000 + i:08d}") + "0001")
        org, _ = Organisation.objects.get_or_create(
            siret=siret,
            defaults={
                "siren": siret[:9], "name": f"Firme bench {i + 1}", "slug": f"firme-bench-{i + 1}"
            },
        )
        Membership.objects.get_or_create(
            cluster=cluster, organisation=org, defaults={"status": "active"}
        )
        user, _ = User.objects.get_or_create(email=f"bench{i + 1}@bench.invalid")
        Person.objects.get_or_create(organisation=org, user=user)
        _token, key = api_token_create(user=user, name="bench")
        firms.append({"org": org.slug, "token": key})
print("BENCH " + json.dumps({"resources": resources, "firms": firms}))
"""

COUNT_CODE = r"""
import json
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT count(*) FROM pooling_booking b JOIN pooling_resource r ON r.id = b.resource_id "
        "JOIN core_cluster c ON c.id = r.cluster_id "
        "WHERE c.slug = 'bench-bookings' AND b.status = 'confirmed'"
    )
    confirmed = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM pooling_booking a JOIN pooling_booking b "
        "ON a.resource_id = b.resource_id AND a.id < b.id "
        "AND a.status = 'confirmed' AND b.status = 'confirmed' "
        "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
    )
    overlaps = cursor.fetchone()[0]
print("BENCH " + json.dumps(
    {"confirmed": confirmed, "overlaps": overlaps, "vendor": connection.vendor}
))
"""

WRK_BOOKING_LUA = r"""
local firms = __FIRMS__
local resources = __RESOURCES__
local base, hours = __BASE__, __HOURS__
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  counts = {}
end

local function iso(t)
  return os.date("!%Y-%m-%dT%H:%M:%S+00:00", t)
end

function request()
  local firm = firms[math.random(#firms)]
  local start = base + math.random(0, hours - 1) * 3600
  local body = string.format(
    '{"resource": %d, "organisation": "%s", "start": "%s", "end": "%s"}',
    resources[math.random(#resources)], firm[1], iso(start), iso(start + 3600))
  return wrk.format("POST", "__PATH__", {
    ["Authorization"] = "Bearer " .. firm[2],
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%d": %d', status, n)) end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, '
    .. '"errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""

WRK_PLAIN_LUA = r"""
function done(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, '
    .. '"errors": %d, "statuses": {}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def run_grappe(args: list[str], env: dict, *, capture: bool = True) -> str:
    result = subprocess.run(
        [str(BIN / "grappe"), *args], env=env, cwd=ROOT, capture_output=capture, text=True
    )
    if result.returncode != 0:
        sys.exit(f"grappe {' '.join(args[:2])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def bench_line(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    sys.exit(f"no BENCH line in:\n{output[-2000:]}")


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.3)
    sys.exit("the server did not start")


def run_wrk(port: int, path: str, lua: str, *, duration: float, connections: int, threads: int):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua)
        script = handle.name
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                f"--timeout={round(duration) + 5}s",
                "-s",
                script,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    data = bench_line(out)
    data["statuses"] = {int(k): v for k, v in data["statuses"].items()}
    return data


def run_python(port: int, make_request, *, duration: float, connections: int, cap: int = 200_000):
    """Fallback: keep-alive connections in threads, bounded by time and a request cap."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + duration
    started = time.monotonic()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline and len(latencies) < cap:
            method, path, body, headers = make_request(rng)
            t0 = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e6)

    return {
        "requests": len(latencies),
        "duration_us": int((time.monotonic() - started) * 1e6),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "errors": 0,
        "statuses": statuses,
    }


def merge(rounds: list[dict]) -> dict:
    """Rounds of one target: summed requests and time; latencies weighted by requests."""
    requests = sum(r["requests"] for r in rounds)
    statuses: dict[int, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    weight = max(1, requests)
    return {
        "requests": requests,
        "rps": requests / (sum(r["duration_us"] for r in rounds) / 1e6),
        "p50_ms": sum(r["p50"] * r["requests"] for r in rounds) / weight / 1000,
        "p95_ms": sum(r["p95"] * r["requests"] for r in rounds) / weight / 1000,
        "errors": sum(r["errors"] for r in rounds),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/grappe_bench_bookings"
    )
    parser.add_argument("--duration", type=float, default=12, help="seconds per target")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=4, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--firms", type=int, default=20)
    parser.add_argument("--resources", type=int, default=4)
    parser.add_argument("--hours", type=int, default=24 * 14, help="one-hour slots asked for")
    parser.add_argument("--quick", action="store_true", help="3 s per target, one round")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.rounds = 3, 1
    if not args.database_url.startswith("postgres"):
        sys.exit("This benchmark measures PostgreSQL: give a postgres:// --database-url.")

    var_dir = Path(tempfile.mkdtemp(prefix="grappe-bench-bookings-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "GRAPPE_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "ERROR",
    }
    t0 = time.monotonic()
    ensure_database(args.database_url)
    run_grappe(["migrate", "--noinput"], env)
    code = SETUP_CODE.replace("__FIRMS__", str(args.firms)).replace(
        "__RESOURCES__", str(args.resources)
    )
    setup = bench_line(run_grappe(["shell", "-c", code], env))
    print(
        f"setup: {time.monotonic() - t0:.1f} s (migrate, {args.firms} firms, "
        f"{args.resources} resources, earlier bookings deleted)"
    )

    # Slots from the next whole hour of tomorrow (UTC), well clear of "now".
    base = (int(time.time()) // 3600 + 24) * 3600
    firms = setup["firms"]
    lua_firms = "{" + ", ".join(f'{{"{f["org"]}", "{f["token"]}"}}' for f in firms) + "}"
    lua_resources = "{" + ", ".join(map(str, setup["resources"])) + "}"
    booking_lua = (
        WRK_BOOKING_LUA.replace("__FIRMS__", lua_firms)
        .replace("__RESOURCES__", lua_resources)
        .replace("__BASE__", str(base))
        .replace("__HOURS__", str(args.hours))
        .replace("__PATH__", BOOKINGS_PATH)
    )

    def booking_request(rng: random.Random):
        firm = rng.choice(firms)
        start = base + rng.randrange(args.hours) * 3600
        iso = "%Y-%m-%dT%H:%M:%S+00:00"
        body = json.dumps(
            {
                "resource": rng.choice(setup["resources"]),
                "organisation": firm["org"],
                "start": time.strftime(iso, time.gmtime(start)),
                "end": time.strftime(iso, time.gmtime(start + 3600)),
            }
        )
        headers = {"Authorization": f"Bearer {firm['token']}", "Content-Type": "application/json"}
        return "POST", BOOKINGS_PATH, body, headers

    def healthz_request(rng: random.Random):
        return "GET", "/healthz", None, {}

    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "grappe"),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=open(var_dir / "access.log", "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    use_wrk = shutil.which("wrk") is not None
    results: dict[str, list[dict]] = {"bare view /healthz": [], "POST bookings": []}
    try:
        wait_ready(port)
        for _ in range(args.rounds):
            for name in results:
                if use_wrk:
                    lua = WRK_PLAIN_LUA if name.startswith("bare") else booking_lua
                    path = "/healthz" if name.startswith("bare") else BOOKINGS_PATH
                    data = run_wrk(
                        port,
                        path,
                        lua,
                        duration=args.duration / args.rounds,
                        connections=args.connections,
                        threads=args.threads,
                    )
                else:
                    make = healthz_request if name.startswith("bare") else booking_request
                    data = run_python(
                        port,
                        make,
                        duration=args.duration / args.rounds,
                        connections=args.connections,
                    )
                results[name].append(data)
                time.sleep(1)  # let the server drain what wrk left in flight
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=15)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)

    counted = bench_line(run_grappe(["shell", "-c", COUNT_CODE], env))
    merged = {name: merge(rounds) for name, rounds in results.items()}
    bare = merged["bare view /healthz"]
    print(
        f"\nPostgreSQL ({counted['vendor']}), gunicorn {args.workers} workers × 4 threads, "
        f"{args.connections} connections, {'wrk' if use_wrk else 'Python load generator'}, "
        f"{args.rounds} rounds of {args.duration / args.rounds:.1f} s per target"
    )
    print(
        f"{'target':<22}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'req/s ratio':>13}{'p95 ratio':>11}"
    )
    for name, m in merged.items():
        print(
            f"{name:<22}{m['requests']:>10}{m['rps']:>10.0f}{m['p50_ms']:>9.1f}{m['p95_ms']:>9.1f}"
            f"{m['rps'] / bare['rps']:>13.3f}{m['p95_ms'] / max(bare['p95_ms'], 1e-9):>11.1f}"
        )
    booked = merged["POST bookings"]
    created = booked["statuses"].get(201, 0)
    print(
        f"\nbooking answers by status: {dict(sorted(booked['statuses'].items()))}"
        f" (201 booked, 400 refused: slot taken); socket errors: {booked['errors']}"
    )
    print(
        f"confirmed bookings stored: {counted['confirmed']} (201 answers counted: {created}; "
        "requests still in flight when a wrk run stops complete on the server uncounted)"
    )
    print(f"double bookings (overlapping confirmed pairs of one resource): {counted['overlaps']}")
    if counted["overlaps"]:
        print("!!! DOUBLE BOOKINGS FOUND")
    shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
