"""bench/pages: the main pages under a bounded load at national scale (issue 7, "Performance").

1. A fresh PostgreSQL database (mentorwijs_pages, migrated) filled by `manage.py seed_large --scale S`
   (timed: the seed's own figure for the issue); VACUUM ANALYZE. The cache is Redis (database 13,
   flushed), shared by the workers as in production.
2. Sessions made directly (django.test.Client.force_login: a session row with the user's auth hash,
   as a login makes), for a staff member, a master trainer, a trainer and an ambassador. Every role
   has TOTP set up by the seed, so the two-factor middleware lets them through.
3. Every page once in-process (the test client, same database): status 200, no redirect, the number
   of queries and the size of the page; then over HTTP once more to check the server answers 200.
4. gunicorn (mentorwijs.wsgi, N sync workers, DEBUG off) on loopback, with BENCH_BARE_VIEW=true so
   /bench/bare/ returns a constant string through the same middleware. For each page: wrk with C
   connections for D seconds (after a short warm-up), a Lua script that counts every response that
   is not a 200 (a redirect to the login page counts as a failure) and reports p50/p95/p99. The bare
   view runs first and last; the pages are compared with the mean of the two.
5. Report (JSON on stdout and in the work folder): per page requests per second, p95, the ratio to
   the bare view, queries, bytes, and the checks p95 < 100 ms and ratio >= 0.10. Load average at the
   start and the end. Exit status 1 if a check fails or any response was not a 200.

Cleanup: gunicorn is stopped, the database dropped (unless --keep-db) and the cache flushed.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = BASE_DIR / ".venv" / "bin"
DB_NAME = "mentorwijs_pages"
CACHE_DB = 13  # Redis database of the shared cache (as production: CACHE_URL=rediscache://...); flushed
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "mentorwijs"]
P95_TARGET_MS = 100
RATIO_TARGET = 0.10

WRK_SCRIPT = r"""
-- Counts every response that is not a 200 and prints the figures as one JSON line.
local threads = {}
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  good = 0
  bad = 0
  hits = 0
end

function response(status, headers, body)
  if status == 200 then good = good + 1 else bad = bad + 1 end
  -- Served from the page cache (the header is set only with BENCH_PAGE_CACHE_HEADER=true).
  if headers["X-Page-Cache"] == "hit" or headers["x-page-cache"] == "hit" then hits = hits + 1 end
end

function done(summary, latency, requests)
  local g, b, h = 0, 0, 0
  for _, thread in ipairs(threads) do
    g = g + thread:get("good")
    b = b + thread:get("bad")
    h = h + thread:get("hits")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "status_200": %d, "status_other": %d, "page_cache_hits": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, g, b, h, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def ensure_wrk() -> str:
    """wrk from Debian's packages (a C load generator: a Python client would be the bottleneck)."""
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: apt-get install -y wrk")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


# Data and sessions -----------------------------------------------------------------------------


def choose_pages():
    """The pages of the issue with the user who reads each, on the seeded data.

    Returns (sessions: {role: user}, pages: [(name, url, role or None)])."""
    from django.db.models import Count
    from django.utils import timezone

    from dissemination.enums import TargetGroup
    from dissemination.models import Organisation
    from mentorwijs.accounts.models import User
    from trainings.enums import AssignmentRole, TrainingStatus
    from trainings.models import Assignment, Training

    staff = User.objects.get(email="staf1@example.org")
    master = User.objects.get(email="trainer1@example.org")  # an original master trainer
    ambassador = (
        User.objects.filter(groups__name="ambassador")
        .annotate(contacts=Count("outreach_contacts"))
        .order_by("-contacts", "pk")
        .first()
    )
    # A running run: its page lists participants with attendance so far; its lead trainer opens
    # the attendance page of its latest past meeting and is the trainer whose home page is measured.
    run = (
        Training.objects.filter(status=TrainingStatus.RUNNING, assignments__role=AssignmentRole.LEAD)
        .order_by("pk")
        .first()
    )
    lead = Assignment.objects.get(training=run, role=AssignmentRole.LEAD).trainer
    meeting = run.meetings.filter(starts_at__lt=timezone.now()).order_by("-number").first()
    region_id = (
        Organisation.objects.filter(target_group=TargetGroup.EMPLOYERS)
        .values("region")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["region"]
    )
    users = {"staff": staff, "master_trainer": master, "trainer": lead, "ambassador": ambassador}
    pages = [
        ("bare view", "/bench/bare/", None),
        ("home: staff", "/", "staff"),
        ("home: master trainer", "/", "master_trainer"),
        ("home: trainer", "/", "trainer"),
        ("home: ambassador", "/", "ambassador"),
        ("training list", "/trainingen/", "staff"),
        ("training detail", f"/trainingen/{run.pk}/", "staff"),
        ("attendance page", f"/trainingen/bijeenkomst/{meeting.pk}/aanwezigheid/", "trainer"),
        ("outreach log (ambassador)", "/relaties/contacten/", "ambassador"),
        (
            "organisations, filtered",
            f"/relaties/organisaties/?target_group={TargetGroup.EMPLOYERS}&region={region_id}",
            "staff",
        ),
        ("dissemination dashboard", "/voortgang/", "staff"),
        ("lineage tree", "/ambassadeurs/stamboom/", "staff"),
        ("public training list", "/trainingen/aanbod/", None),
    ]
    detail = {
        "run": {"pk": run.pk, "status": run.status, "enrolments": run.enrolments.count()},
        "meeting": meeting.pk,
        "trainer_runs": Assignment.objects.filter(trainer=lead).count(),
        "ambassador_contacts": ambassador.contacts,
        "organisation_filter_region": region_id,
    }
    return users, pages, detail


def make_sessions(users) -> dict[str, str]:
    """{role: Cookie header}: a session as a login makes it (session row with the auth hash)."""
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return cookies


def check_in_process(pages, cookies) -> dict:
    """Each page once through the test client: 200 and no redirect, with its queries and size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    found = {}
    for name, url, role in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if role:
            key, value = cookies[role].split("=", 1)
            client.cookies[key] = value
        # The first request fills the caches (cached fragments) that every later one finds full.
        with CaptureQueriesContext(connection) as cold_queries:
            started = time.perf_counter()
            client.get(url)
            cold = time.perf_counter() - started
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{name} ({url}) answered {response.status_code} in-process: {response.get('Location')}")
        found[name] = {
            "queries": len(queries), "queries_cold": len(cold_queries), "bytes": len(response.content),
            "in_process_ms": round(elapsed * 1000, 1), "in_process_cold_ms": round(cold * 1000, 1),
        }  # fmt: skip
        log(f"in-process {name}: {found[name]}")
    return found


# Server and load -------------------------------------------------------------------------------


class Server:
    def __init__(self, environment: dict, workers: int, logfile: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            str(VENV_BIN / "gunicorn"), "mentorwijs.wsgi:application", "--workers", str(workers),
            "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--error-logfile", str(logfile),
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/bench/bare/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {logfile}")
            time.sleep(0.3)

    def get(self, url: str, cookie: str | None) -> tuple[int, int]:
        """One request without following redirects: (status, bytes)."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(self.base + url, headers={"Cookie": cookie} if cookie else {})
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, len(response.read())
        except urllib.error.HTTPError as error:
            return error.code, 0

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn workers, from /proc."""
        ticks = 0
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as handle:
                workers = [int(pid) for pid in handle.read().split()]
        except OSError:
            workers = []
        for pid in workers:
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
            except OSError:
                pass
        return ticks / os.sysconf("SC_CLK_TCK")

    def drain(self, connections: int):
        """Wait until the requests wrk left behind are answered: sync workers finish a request whose
        client has gone, so the next page would otherwise start behind them. `connections` bare
        requests at once come back only when the workers are free again."""
        threads = [threading.Thread(target=self.get, args=("/bench/bare/", None)) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def run_wrk(wrk: str, script: Path, url: str, cookie: str | None, seconds: int, connections: int) -> dict:
    threads = min(2, connections)
    command = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{int(seconds)}s", "--timeout", "10s",
               "-s", str(script), url]  # fmt: skip
    result = subprocess.run(
        command, env={**os.environ, "BENCH_COOKIE": cookie or ""}, capture_output=True, text=True, check=True
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line[len("RESULT ") :])
    seconds_measured = figures["duration_us"] / 1e6
    figures["per_second"] = round(figures["requests"] / seconds_measured, 1)
    figures["p95_ms"] = round(figures["p95_us"] / 1000, 1)
    figures["p50_ms"] = round(figures["p50_us"] / 1000, 1)
    figures["p99_ms"] = round(figures["p99_us"] / 1000, 1)
    figures["errors"] = sum(figures[key] for key in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
    return figures


# Main ------------------------------------------------------------------------------------------


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        with open("/proc/cpuinfo") as handle:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
        with open("/proc/meminfo") as handle:
            info["mem_mb"] = int(handle.readline().split()[1]) // 1024
        info["postgresql"] = subprocess.run(
            ["psql", *PG, "-d", "postgres", "-tAc", "show server_version"], capture_output=True, text=True
        ).stdout.strip()
        info["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, StopIteration, IndexError):
        pass
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seed_large --scale (1.0: the issue's figures)")
    parser.add_argument("--seconds", type=int, default=10, help="load per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load per page before measuring")
    parser.add_argument("--database", default=DB_NAME, help=f"the database to create (or reuse); default {DB_NAME}")
    parser.add_argument("--reuse-db", action="store_true", help="measure the database as it is (seeded before)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--only", nargs="*", help="measure only these pages (names as in the report)")
    parser.add_argument(
        "--writers", action="store_true",
        help="mixed mode: every page with and without writers at a national rate, with and without the page cache, "
        "then visitors at a human pace (bench/pages_traffic.py)",
    )  # fmt: skip
    parser.add_argument("--write-rate", type=float, default=1.0, help="--writers: multiply the national rates by this")
    parser.add_argument("--visitors-seconds", type=int, default=120, help="--writers: seconds of each visitors phase")
    args = parser.parse_args()

    wrk = ensure_wrk()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorwijs.settings",
        "DATABASE_URL": f"postgres://mentorwijs@127.0.0.1:5432/{args.database}",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "BENCH_BARE_VIEW": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "",
        "CACHE_URL": f"rediscache://127.0.0.1:6379/{CACHE_DB}",
        "PYTHONUNBUFFERED": "1",
        "BENCH_PAGE_CACHE_HEADER": "true",  # X-Page-Cache: hit on a page served from the page cache
        # DEBUG off: the production checks (mentorwijs/checks.py) ask for these too.
        "TRUSTED_PROXY_COUNT": "0",
        "EVALUATION_PSEUDONYM_KEY": "bench-pseudonym-key",
    }
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    # Files the writers' services leave (the filesystem broker's queued mail tasks) stay in the work folder.
    environment["MENTORWIJS_VAR_DIR"] = str(workdir / "var")
    os.environ.update(environment)
    script = workdir / "check.lua"
    script.write_text(WRK_SCRIPT)
    log(f"work files in {workdir}")
    report = {"machine": machine(), "scale": args.scale, "seconds_per_page": args.seconds,
              "connections": args.connections, "gunicorn_workers": args.workers,
              "page_cache": page_cache_exists(), "load_average_start": load_average()}  # fmt: skip
    server = None
    servers = []
    try:
        if not args.reuse_db:
            subprocess.run(["dropdb", *PG, "--if-exists", args.database], check=True)
            subprocess.run(["createdb", *PG, args.database], check=True)
            manage = [sys.executable, "manage.py"]
            subprocess.run([*manage, "migrate", "-v", "0"], cwd=BASE_DIR, env=environment, check=True)
            log(f"seed_large --scale {args.scale} (load average {load_average()})")
            started = time.monotonic()
            seeded = subprocess.run(
                [*manage, "seed_large", "--scale", str(args.scale)], cwd=BASE_DIR, env=environment,
                capture_output=True, text=True,
            )  # fmt: skip
            if seeded.returncode:
                raise RuntimeError(f"seed_large failed:\n{seeded.stdout}\n{seeded.stderr}")
            report["seed_seconds"] = round(time.monotonic() - started, 1)
            report["seed_output"] = seeded.stdout.splitlines()
            log(f"seeded in {report['seed_seconds']} s:\n{seeded.stdout}")

        # Fresh statistics and visibility maps, as autovacuum keeps them on a database in use (the
        # seed's COPY leaves the visibility maps empty: index-only scans would read the tables).
        subprocess.run(["psql", *PG, "-d", args.database, "-qc", "VACUUM ANALYZE"], check=True, capture_output=True)
        import redis

        redis.Redis(host="127.0.0.1", port=6379, db=CACHE_DB).flushdb()
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        users, pages, report["objects"] = choose_pages()
        if args.only:
            pages = [page for page in pages if page[0] in args.only or page[0] == "bare view"]
        cookies = make_sessions(users)
        report["users"] = {role: user.email for role, user in users.items()}
        in_process = check_in_process(pages, cookies)
        from django.db import connections

        connections.close_all()

        if args.writers:
            return run_mixed(args, environment, pages, cookies, in_process, report, workdir, wrk, script, servers)
        server = Server(environment, args.workers, workdir / "gunicorn.log")
        for name, url, role in pages:
            status, size = server.get(url, cookies.get(role))
            if status != 200:
                raise RuntimeError(f"{name} ({url}) answered {status} over HTTP")
        log(f"gunicorn on {server.base} ({args.workers} workers); every page answers 200")

        measured = {}
        order = [*pages, pages[0]]  # the bare view first and last
        for index, (name, url, role) in enumerate(order):
            if args.warmup:
                run_wrk(wrk, script, server.base + url, cookies.get(role), args.warmup, args.connections)
                server.drain(args.connections)
            cpu_before = server.cpu_seconds()
            figures = run_wrk(wrk, script, server.base + url, cookies.get(role), args.seconds, args.connections)
            server.drain(args.connections)
            # Worker CPU per request: less dependent than requests per second on what else runs.
            figures["worker_cpu_ms"] = round(
                (server.cpu_seconds() - cpu_before) * 1000 / max(1, figures["requests"] + args.connections), 2
            )
            key = "bare view (end)" if index == len(order) - 1 else name
            measured[key] = figures
            log(f"{key}: {figures['per_second']} req/s, p95 {figures['p95_ms']} ms, "
                f"worker CPU {figures['worker_cpu_ms']} ms/request, "
                f"non-200 {figures['status_other']}, errors {figures['errors']}")  # fmt: skip

        bare = (measured["bare view"]["per_second"] + measured["bare view (end)"]["per_second"]) / 2
        rows = []
        for name, url, role in pages:
            figures = measured[name]
            row = {
                "page": name, "url": url, "as": role or "anonymous",
                "per_second": figures["per_second"], "p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"],
                "p99_ms": figures["p99_ms"], "requests": figures["requests"],
                "worker_cpu_ms": figures["worker_cpu_ms"],
                "ratio_to_bare": round(figures["per_second"] / bare, 3),
                "queries": in_process[name]["queries"], "queries_cold": in_process[name]["queries_cold"],
                "bytes": in_process[name]["bytes"], "in_process_ms": in_process[name]["in_process_ms"],
                "in_process_cold_ms": in_process[name]["in_process_cold_ms"],
                "non_200": figures["status_other"], "socket_errors": figures["errors"],
            }  # fmt: skip
            if name != "bare view":
                row["p95_ok"] = row["p95_ms"] < P95_TARGET_MS
                row["ratio_ok"] = row["ratio_to_bare"] >= RATIO_TARGET
            rows.append(row)
        report["bare_per_second"] = {
            "start": measured["bare view"]["per_second"], "end": measured["bare view (end)"]["per_second"],
            "mean": round(bare, 1),
        }  # fmt: skip
        bare_cpu = (measured["bare view"]["worker_cpu_ms"] + measured["bare view (end)"]["worker_cpu_ms"]) / 2
        report["bare_worker_cpu_ms"] = round(bare_cpu, 2)
        for row in rows:
            # The same comparison in worker CPU per request, which other load on the machine disturbs less.
            row["cpu_ratio_to_bare"] = round(bare_cpu / row["worker_cpu_ms"], 3) if row["worker_cpu_ms"] else None
        report["pages"] = rows
        report["load_average_end"] = load_average()
        every_response_200 = all(r["non_200"] == 0 and r["socket_errors"] == 0 for r in rows) and (
            measured["bare view (end)"]["status_other"] == 0
        )
        report["checks"] = {
            "every_response_200": every_response_200,
            "p95_under_100_ms": all(r.get("p95_ok", True) for r in rows),
            "ratio_at_least_0_10": all(r.get("ratio_ok", True) for r in rows),
        }
        (workdir / "report.json").write_text(json.dumps(report, indent=2, default=str))
        print(json.dumps(report, indent=2, default=str), flush=True)
        print_table(rows, report)
        return 0 if all(report["checks"].values()) else 1
    finally:
        for running in [server, *servers]:
            if running:
                running.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if not args.keep_db:
            subprocess.run(["dropdb", *PG, "--if-exists", "--force", args.database], check=False)
            log(f"dropped {args.database}")
        try:
            import redis

            redis.Redis(host="127.0.0.1", port=6379, db=CACHE_DB).flushdb()
        except Exception:  # noqa: BLE001 - Redis may be down; nothing of it is needed afterwards
            pass
        log(f"report and gunicorn log in {workdir}")


def print_table(rows, report):
    print(f"\nbare view: {report['bare_per_second']} req/s", file=sys.stderr)
    columns = ["page", "req/s", "p95 ms", "ratio", "cpu ms", "cpu ratio", "queries", "KB", "cold ms"]
    print(f"{columns[0]:28}" + "".join(f" {column:>9}" for column in columns[1:]), file=sys.stderr)
    for row in rows:
        cells = [row["per_second"], row["p95_ms"], row["ratio_to_bare"], row["worker_cpu_ms"],
                 row["cpu_ratio_to_bare"], row["queries"], row["bytes"] // 1024, row["in_process_cold_ms"]]  # fmt: skip
        print(f"{row['page']:28}" + "".join(f" {cell!s:>9}" for cell in cells), file=sys.stderr)


# Mixed mode (--writers) ------------------------------------------------------------------------


def page_cache_exists() -> bool:
    """The page cache is in the code under test: it was removed after this bench measured it (issue 16);
    at f9a4df9 and before, the mixed mode compares both."""
    return (BASE_DIR / "mentorwijs" / "page_cache.py").exists()


def generation_now():
    """The page cache's data generation (None without the page cache): moves once per write statement
    and once per commit."""
    if not page_cache_exists():
        return None
    from mentorwijs.page_cache import generation

    return generation()


def choose_visitors() -> list[tuple[str, list[tuple[str, str]]]]:
    """Visitors at a human pace: 40 ambassadors, the lead trainers of 40 running runs, 10 staff, 5 master
    trainers (each with the pages of their role) and 5 anonymous visitors of the public list.
    Returns [(role, [(page name, url)], user or None)]."""
    from django.db.models import Count
    from django.utils import timezone

    from dissemination.enums import TargetGroup
    from mentorwijs.accounts.models import User
    from trainings.enums import AssignmentRole, TrainingStatus
    from trainings.models import Assignment, Training

    led = Training.objects.filter(status=TrainingStatus.RUNNING, assignments__role=AssignmentRole.LEAD)
    runs = list(led.order_by("pk")[:40])
    regions = sorted({run.region_id for run in runs})
    staff_pages = [("home: staff", "/"), ("training list", "/trainingen/"), ("dissemination dashboard", "/voortgang/"),
                   ("lineage tree", "/ambassadeurs/stamboom/")]  # fmt: skip
    visitors = []
    for index, user in enumerate(User.objects.filter(email__startswith="staf").order_by("pk")[:10]):
        run, region = runs[index % len(runs)], regions[index % len(regions)]
        organisations = f"/relaties/organisaties/?target_group={TargetGroup.EMPLOYERS}&region={region}"
        visitors.append((user, [*staff_pages, ("training detail", f"/trainingen/{run.pk}/"),
                                ("organisations, filtered", organisations)]))  # fmt: skip
    masters = User.objects.filter(groups__name="master_trainer").order_by("pk")[:5]
    for user in masters:
        visitors.append((user, [("home: master trainer", "/"), ("training list", "/trainingen/"),
                                ("lineage tree", "/ambassadeurs/stamboom/")]))  # fmt: skip
    for run in runs:
        lead = Assignment.objects.get(training=run, role=AssignmentRole.LEAD).trainer
        meeting = run.meetings.filter(starts_at__lt=timezone.now()).order_by("-number").first()
        pages = [("home: trainer", "/"), ("training detail", f"/trainingen/{run.pk}/")]
        if meeting:
            pages.append(("attendance page", f"/trainingen/bijeenkomst/{meeting.pk}/aanwezigheid/"))
        visitors.append((lead, pages))
    ambassadors = (
        User.objects.filter(groups__name="ambassador").annotate(n=Count("outreach_contacts")).filter(n__gt=0)
        .order_by("pk")[:40]
    )  # fmt: skip
    for user in ambassadors:
        visitors.append((user, [("home: ambassador", "/"), ("outreach log (ambassador)", "/relaties/contacten/")]))
    public = [("public training list", "/trainingen/aanbod/"), ("public training list", "/trainingen/aanbod/?page=2")]
    visitors += [(None, public)] * 5
    cookies = make_sessions({str(user.pk): user for user, _pages in visitors if user is not None})
    return [(cookies[str(user.pk)] if user else None, pages) for user, pages in visitors]


def run_mixed(args, environment, pages, cookies, in_process, report, workdir, wrk, script, servers) -> int:
    """Every page with and without writers, with and without the page cache, measured back to back;
    then the visitors at a human pace (bench/pages_traffic.py)."""
    from pages_traffic import THINK_SECONDS, Visitors, WriteData, Writers

    modes = {"cached": environment} if page_cache_exists() else {}
    modes["rendered"] = {**environment, "PAGE_CACHE_SECONDS": "0"}
    started = {}
    for mode, env in modes.items():
        started[mode] = Server(env, args.workers, workdir / f"gunicorn-{mode}.log")
        servers.append(started[mode])
        for name, url, role in pages:
            status, _size = started[mode].get(url, cookies.get(role))
            if status != 200:
                raise RuntimeError(f"{name} ({url}) answered {status} over HTTP ({mode})")
    log(f"gunicorn {', '.join(f'{m} on {s.base}' for m, s in started.items())}; every page answers 200")
    data = WriteData()
    report["mixed"] = {"write_rate": args.write_rate, "modes": list(modes), "think_seconds": THINK_SECONDS}

    def slot(server, mode, name, url, role, writing, seed):
        writers = Writers(data, args.write_rate, page_cache_hook=mode == "cached", seed=seed) if writing else None
        if writers:
            writers.start()
        try:
            if args.warmup:
                run_wrk(wrk, script, server.base + url, cookies.get(role), args.warmup, args.connections)
                server.drain(args.connections)
            generation, load = generation_now(), load_average()
            cpu_before = server.cpu_seconds()
            figures = run_wrk(wrk, script, server.base + url, cookies.get(role), args.seconds, args.connections)
            server.drain(args.connections)
            figures["worker_cpu_ms"] = round(
                (server.cpu_seconds() - cpu_before) * 1000 / max(1, figures["requests"] + args.connections), 2
            )
            after = generation_now()
            figures["generation_moves"] = after - generation if generation is not None and after is not None else None
            figures["load_1min"] = load[0]
        finally:
            if writers:
                writers.stop()
        figures["hit_rate"] = round(figures["page_cache_hits"] / max(1, figures["requests"]), 4)
        summary = writers.summary() if writers else {}
        figures["writes"] = sum(kind["calls"] for kind in summary.values())
        figures["writes_by_kind"] = {kind: (values["calls"], values["failed"]) for kind, values in summary.items()}
        return figures

    rows = []
    for index, (name, url, role) in enumerate([*pages, pages[0]]):
        key = "bare view (end)" if index == len(pages) else name
        row = {"page": key, "url": url, "as": role or "anonymous", "queries": in_process[name]["queries"],
               "queries_cold": in_process[name]["queries_cold"]}  # fmt: skip
        for mode, server in started.items():
            for writing in (False, True):
                figures = slot(server, mode, name, url, role, writing, seed=index)
                label = f"{mode}{' + writers' if writing else ''}"
                row[label] = {k: figures[k] for k in ("per_second", "p50_ms", "p95_ms", "p99_ms", "requests",
                              "hit_rate", "writes", "writes_by_kind", "generation_moves", "worker_cpu_ms",
                              "status_other", "errors", "load_1min")}  # fmt: skip
                log(f"{key} [{label}]: {figures['per_second']} req/s, p95 {figures['p95_ms']} ms, "
                    f"hits {figures['hit_rate']:.1%}, writes {figures['writes']}, "
                    f"non-200 {figures['status_other']}, load {figures['load_1min']}")  # fmt: skip
        rows.append(row)
    bare = {label: (rows[0][label]["per_second"] + rows[-1][label]["per_second"]) / 2 for label in rows[0]
            if isinstance(rows[0][label], dict)}  # fmt: skip
    for row in rows:
        for label, mean in bare.items():
            row[label]["ratio_to_bare"] = round(row[label]["per_second"] / mean, 3)
    report["mixed"]["pages"] = rows

    if args.visitors_seconds:
        visitors = choose_visitors()
        report["mixed"]["visitors"] = {"users": len(visitors)}
        phases = [(mode, True) for mode in started] + ([("cached", False)] if "cached" in started else [])
        for mode, writing in phases:
            writers = Writers(data, args.write_rate, page_cache_hook=mode == "cached", seed=99) if writing else None
            if writers:
                writers.start()
            load = load_average()
            try:
                figures = Visitors(started[mode].base, visitors).run(args.visitors_seconds, writers)
            finally:
                if writers:
                    writers.stop()
            figures["writers"] = writers.summary() if writers else None
            figures["load_start"], figures["load_end"] = load, load_average()
            label = f"{mode}{' + writers' if writing else ''}"
            report["mixed"]["visitors"][label] = figures
            log(f"visitors [{label}]: {figures['requests']} requests ({figures['per_second']}/s), "
                f"hits {figures['hit_rate']}, writes {figures['writes']}")  # fmt: skip

    report["load_average_end"] = load_average()
    every_200 = all(
        row[label]["status_other"] == 0 and row[label]["errors"] == 0
        for row in rows for label in row if isinstance(row[label], dict)
    ) and all(
        page["non_200"] == 0
        for label, phase in report["mixed"].get("visitors", {}).items() if isinstance(phase, dict)
        for page in phase["pages"].values()
    )  # fmt: skip
    report["checks"] = {"every_response_200": every_200}
    (workdir / "report.json").write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report, indent=2, default=str), flush=True)
    print_mixed(report)
    return 0 if every_200 else 1


def print_mixed(report):
    mixed = report["mixed"]
    labels = [label for label in mixed["pages"][0] if isinstance(mixed["pages"][0][label], dict)]
    print(f"\nwrk, {report['connections']} connections; writers at {mixed['write_rate']} x the national rate",
          file=sys.stderr)  # fmt: skip
    print(f"{'page':28}" + "".join(f" | {label:>34}" for label in labels), file=sys.stderr)
    print(f"{'':28}" + " | req/s   p95 ms  ratio   hits  writes" * len(labels), file=sys.stderr)
    for row in mixed["pages"]:
        cells = "".join(
            f" | {row[label]['per_second']:>7} {row[label]['p95_ms']:>7} {row[label]['ratio_to_bare']:>6} "
            f"{row[label]['hit_rate']:>6.1%} {row[label]['writes']:>6}"
            for label in labels
        )
        print(f"{row['page']:28}{cells}", file=sys.stderr)
    for label, phase in mixed.get("visitors", {}).items():
        if not isinstance(phase, dict):
            continue
        print(f"\nvisitors [{label}]: {phase['requests']} requests in {phase['seconds']} s "
              f"({phase['per_second']}/s), hits {phase['hit_rate']}, writes {phase['writes']}, "
              f"load {phase['load_start']} -> {phase['load_end']}", file=sys.stderr)  # fmt: skip
        print(f"{'page':28} {'requests':>8} {'hits':>6} {'model 1 gen':>11} {'model/table':>11} {'median':>7} "
              f"{'p95 ms':>7}", file=sys.stderr)  # fmt: skip
        for name, page in phase["pages"].items():
            print(f"{name:28} {page['requests']:>8} {page['hit_rate']!s:>6} {page['model_one_generation']!s:>11} "
                  f"{page['model_per_table']!s:>11} {page['median_ms']!s:>7} {page['p95_ms']!s:>7}",
                  file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
