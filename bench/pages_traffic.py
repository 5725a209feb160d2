"""bench/pages --writers: writes at a national rate through the real services, and visitors who read
pages at a human pace, to see how often a page is served from the page cache under real traffic.

Writers (a thread of the bench process, Django set up on the benchmark database and the shared cache):
events arrive at random (a Poisson process) at the rates of WRITE_RATES times --write-rate, each one
call of a service as a web request would make it:
- contact: `dissemination.services.outreach.contact_log` by one of the seeded ambassadors, with an
  organisation of their region;
- attendance: `trainings.services.attendance.attendance_record` for every active participant of a
  past meeting of a running run, by its lead trainer (the sheet is saved again: one row per person);
- enrolment: `trainings.services.enrolment.enrolment_create` on the public path (consent, a new person
  and a new organisation) in a run that takes public enrolments (it fills, then waitlists).
The reasons for the rates are in bench/README.md ("Mixed mode").

Visitors (threads of the bench process, plain HTTP): logged-in users of each role and anonymous
visitors, each opening one of the pages of their role after a random pause (mean THINK_SECONDS).
Each response says whether the page came from the page cache (X-Page-Cache: hit, set only when
BENCH_PAGE_CACHE_HEADER=true). Besides the measured hit rate, the visitors keep for every cache key
when it would have been stored under two rules, from the writes the writers made: one generation for
every table (the rule of mentorwijs/page_cache.py, removed since; it checks the model against the measurement) and
one generation per kind of write that a page shows (PAGE_SHOWS), the best that generations per table
could do.
"""

import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict

# Writes per second at --write-rate 1: a national busy hour (bench/README.md, "Mixed mode").
WRITE_RATES = {
    "contact": 0.0625,  # 300 ambassadors x 3 contacts a working day, 8 office hours, busy hour twice the mean
    "attendance": 0.0019,  # 4,300 meetings a year: 17 a working day, saved over 5 hours, busy hour twice
    "enrolment": 0.0042,  # 9,000 public enrolments a year in two 6-week seasons, 14 hours a day, busy hour twice
}

THINK_SECONDS = 30.0  # mean pause of a visitor between two pages
PAGE_CACHE_SECONDS = 600  # the default kept-for time of a cached page (settings.PAGE_CACHE_SECONDS)

# Which kinds of write change what a page shows (its tables, as a per-table generation would declare
# them): a contact adds a row to contacts (and may add a person or an organisation), attendance
# changes attendance and may complete enrolments (certificates), a public enrolment adds a person, an
# organisation, an enrolment and scheduled mail and may fill a run.
PAGE_SHOWS = {
    "home: staff": {"contact", "attendance", "enrolment"},  # coming meetings, quality to-dos, follow-ups
    "home: master trainer": {"attendance", "enrolment"},
    "home: trainer": {"attendance", "enrolment"},
    "home: ambassador": {"contact"},  # own follow-ups
    "training list": {"enrolment"},  # places held, status (full)
    "training detail": {"attendance", "enrolment"},
    "attendance page": {"attendance", "enrolment"},
    "outreach log (ambassador)": {"contact", "enrolment"},  # contacts with organisations and persons
    "organisations, filtered": {"contact", "enrolment"},
    "dissemination dashboard": {"contact", "attendance", "enrolment"},
    "lineage tree": set(),  # trainer certifications: none of these writes
}  # the public training list is not in the page cache (its list is a fragment kept for 60 s)
# Pages kept per minute (page_cache_vary_on_minute) or per day (the others).
PER_MINUTE = {"home: staff", "home: master trainer", "home: trainer", "home: ambassador", "training detail",
              "attendance page"}  # fmt: skip


class WriteData:
    """What the writers write about, read once from the seeded data."""

    def __init__(self):
        from django.db.models import Count
        from django.utils import timezone

        from dissemination.models import Organisation
        from mentorwijs.accounts.models import User
        from trainings.enums import ACTIVE_STATUSES, AssignmentRole, TrainingStatus
        from trainings.models import Assignment, Meeting, Training
        from trainings.queries.enrolment import _publicly_enrollable

        self.ambassadors = list(
            User.objects.filter(groups__name="ambassador").annotate(n=Count("outreach_contacts")).filter(n__gt=0)
        )
        self.organisations = defaultdict(list)
        for pk, region_id in Organisation.objects.values_list("pk", "region_id"):
            self.organisations[region_id].append(pk)
        self.ambassador_region = {}
        for user in self.ambassadors:
            contact = user.outreach_contacts.select_related("organisation").first()
            self.ambassador_region[user.pk] = contact.organisation.region_id
        running = Training.objects.filter(status=TrainingStatus.RUNNING).order_by("pk")[:60]
        self.meetings = []
        for run in running:
            meeting = (
                Meeting.objects.filter(training=run, starts_at__lt=timezone.now()).exclude(status="cancelled")
                .order_by("-number").first()
            )  # fmt: skip
            lead = Assignment.objects.filter(training=run, role=AssignmentRole.LEAD).first()
            if meeting and lead and run.enrolments.filter(status__in=ACTIVE_STATUSES).exists():
                self.meetings.append((meeting.pk, lead.trainer_id))
        self.open_runs = list(_publicly_enrollable().values_list("pk", flat=True))
        if not (self.ambassadors and self.meetings and self.open_runs):
            raise RuntimeError("the seeded data has no ambassadors, running runs or open runs for the writers")


class Writers(threading.Thread):
    """Writes at random at the given rates until stop(); counts and times each kind. The same seed
    gives the same kinds at the same moments after start()."""

    def __init__(self, data: WriteData, rate: float, page_cache_hook: bool, seed: int = 7):
        super().__init__(daemon=True)
        self.data = data
        self.rates = {kind: value * rate for kind, value in WRITE_RATES.items()}
        self.page_cache_hook = page_cache_hook
        self.random = random.Random(seed)
        self.halt = threading.Event()
        self.done = defaultdict(list)  # kind -> [seconds per call]
        self.failed = defaultdict(int)
        self.log = []  # (monotonic time, kind) of every write, for the visitors' model
        self.lock = threading.Lock()

    def summary(self) -> dict:
        with self.lock:
            return {
                kind: {
                    "rate_per_second": round(self.rates[kind], 5),
                    "calls": len(times),
                    "failed": self.failed[kind],
                    "mean_ms": round(1000 * sum(times) / len(times), 1) if times else None,
                    "max_ms": round(1000 * max(times), 1) if times else None,
                }
                for kind, times in ((kind, self.done[kind]) for kind in self.rates)
            }

    def stop(self):
        self.halt.set()
        self.join(timeout=60)

    def run(self):
        from django.db import connection

        total = sum(self.rates.values())
        if total <= 0:
            return
        kinds, weights = list(self.rates), list(self.rates.values())
        connection.ensure_connection()
        if not self.page_cache_hook:
            # As without the page cache: no round trips to the cache for each write statement.
            connection.execute_wrappers[:] = [w for w in connection.execute_wrappers if w.__name__ != "_note_writes"]
        try:
            while not self.halt.wait(self.random.expovariate(total)):
                kind = self.random.choices(kinds, weights)[0]
                started = time.perf_counter()
                try:
                    getattr(self, kind)()
                except Exception as error:  # noqa: BLE001 - a refusal counts; the run goes on
                    with self.lock:
                        self.failed[kind] += 1
                    print(f"writer {kind} refused: {error!r}", flush=True)
                    continue
                with self.lock:
                    self.done[kind].append(time.perf_counter() - started)
                    self.log.append((time.monotonic(), kind))
        finally:
            connection.close()

    def contact(self):
        from dissemination.enums import OutreachChannel, Stage
        from dissemination.models import Organisation
        from dissemination.services.outreach import contact_log

        data = self.data
        user = self.random.choice(data.ambassadors)
        region_id = data.ambassador_region[user.pk]
        organisation = Organisation.objects.get(pk=self.random.choice(data.organisations[region_id]))
        contact_log(
            by=user, organisation=organisation, channel=self.random.choice(OutreachChannel.values),
            stage=self.random.choice(Stage.values[:3]), notes="bench/pages writer",
        )  # fmt: skip

    def attendance(self):
        from mentorwijs.accounts.models import User
        from trainings.enums import ACTIVE_STATUSES
        from trainings.models import Meeting
        from trainings.services.attendance import attendance_record

        meeting_pk, trainer_pk = self.random.choice(self.data.meetings)
        meeting = Meeting.objects.select_related("training").get(pk=meeting_pk)
        enrolments = meeting.training.enrolments.filter(status__in=ACTIVE_STATUSES)
        entries = [(enrolment, self.random.random() < 0.85, "") for enrolment in enrolments]
        attendance_record(meeting=meeting, entries=entries, by=User.objects.get(pk=trainer_pk))

    def enrolment(self):
        from dissemination.enums import TargetGroup
        from trainings.models import Training
        from trainings.services.enrolment import enrolment_create

        code = uuid.uuid4().hex[:10]
        enrolment_create(
            training=Training.objects.get(pk=self.random.choice(self.data.open_runs)),
            first_name="Bench", last_name=f"Deelnemer {code}", email=f"bench-{code}@example.org",
            new_organisation={"name": f"Bench Bedrijf {code}", "city": "Tiel", "target_group": TargetGroup.EMPLOYERS},
            consent=True, language="nl",
        )  # fmt: skip


class Visitors:
    """Virtual users opening pages at a human pace against one server, with the hits counted and
    the page cache's two rules modelled from the writers' log."""

    def __init__(self, base: str, visitors: list[tuple[str | None, list[tuple[str, str]]]], seed: int = 11):
        self.base = base
        self.visitors = visitors  # (Cookie header or None, [(page name, url)])
        self.seed = seed

    def run(self, seconds: float, writers: Writers | None) -> dict:
        self.results = defaultdict(lambda: {"requests": 0, "hits": 0, "non_200": 0, "ms": []})
        self.lock = threading.Lock()
        self.started = time.monotonic()
        deadline = self.started + seconds
        threads = [
            threading.Thread(target=self._visit, args=(cookie, pages, deadline, random.Random(self.seed + index)))
            for index, (cookie, pages) in enumerate(self.visitors)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        log = list(writers.log) if writers else []
        return self._report(log, seconds)

    def _visit(self, cookie, pages, deadline, rng):
        opener = urllib.request.build_opener(_NoRedirect)
        time.sleep(rng.uniform(0, THINK_SECONDS))  # visitors do not all start at once
        while time.monotonic() < deadline:
            name, url = rng.choice(pages)
            request = urllib.request.Request(self.base + url, headers={"Cookie": cookie} if cookie else {})
            started = time.monotonic()
            try:
                with opener.open(request, timeout=30) as response:
                    response.read()
                    status, hit = response.status, response.headers.get("X-Page-Cache") == "hit"
            except urllib.error.HTTPError as error:
                status, hit = error.code, False
            elapsed = time.monotonic() - started
            with self.lock:
                row = self.results[name]
                row["requests"] += 1
                row["hits"] += hit
                row["non_200"] += status != 200
                row["ms"].append(elapsed * 1000)
                row.setdefault("visits", []).append((started, cookie, url))
            time.sleep(min(rng.expovariate(1 / THINK_SECONDS), max(0.0, deadline - time.monotonic())))

    def _report(self, log, seconds) -> dict:
        rows = {}
        for name, row in sorted(self.results.items()):
            visits, cached = row.get("visits", []), name in PAGE_SHOWS
            times = sorted(row["ms"])
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else None
            rows[name] = {
                "requests": row["requests"], "non_200": row["non_200"],
                "hit_rate": round(row["hits"] / row["requests"], 3) if row["requests"] else None,
                "median_ms": round(times[len(times) // 2], 1) if times else None,
                "p95_ms": round(p95, 1) if p95 is not None else None,
                "model_one_generation": _model(name, visits, log, None) if cached else None,
                "model_per_table": _model(name, visits, log, PAGE_SHOWS[name]) if cached else None,
            }  # fmt: skip
        total = sum(r["requests"] for r in rows.values())
        hits = sum(r["hit_rate"] * r["requests"] for r in rows.values() if r["hit_rate"] is not None)
        return {
            "seconds": seconds, "requests": total, "per_second": round(total / seconds, 2),
            "hit_rate": round(hits / total, 3) if total else None, "writes": len(log), "pages": rows,
        }  # fmt: skip


def _model(name, visits, log, shows):
    """The hit rate one rule would give these visits: a key (user, URL) is stored when it is
    rendered and served while no write that moves its generation came since, within the kept-for
    time (and, for pages kept per minute, in the same minute). `shows` None: every write moves it.
    The writes before the first visit count (the cache starts empty)."""
    if not visits:
        return None
    writes = [at for at, kind in log if shows is None or kind in shows]
    stored = {}
    hits = 0
    for at, cookie, url in sorted(visits, key=lambda visit: visit[0]):
        key = (cookie, url)
        minute = int(time.time() - (time.monotonic() - at)) // 60 if name in PER_MINUTE else None
        kept = stored.get(key)
        if (
            kept is not None and at - kept[0] < PAGE_CACHE_SECONDS and kept[1] == minute
            and not any(kept[0] < write <= at for write in writes)
        ):  # fmt: skip
            hits += 1
        else:
            stored[key] = (at, minute)
    return round(hits / len(visits), 3)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
