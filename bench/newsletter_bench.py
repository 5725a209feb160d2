"""bench/newsletter: the newsletter engine against a plain smtplib loop (issue 6, "Performance").

1. A fresh PostgreSQL database (mentorwijs_bench, migrated), Redis db 12 as broker and db 13 as cache;
   SIZE confirmed subscribers on one list (bulk_create in chunks) and one newsletter.
2. A counting SMTP sink (bench/smtp_sink.py, aiosmtpd, its own process) on loopback.
3. PLAIN LOOP: SIZE pre-built messages (the real newsletter, Message-ID and To varied) sent with
   smtplib over one connection to a sink: messages per second.
4. CAMPAIGN: a real `celery worker --concurrency C` (prefork) with EMAIL_URL pointing at a fresh sink;
   the newsletter is scheduled to send now (which queues dissemination.start_due_newsletters) and the
   bench queues that task again every --tick-seconds (default 60), as beat does. The senders the first
   tick queues keep the campaign going by queuing their successors; later ticks only matter after a
   kill (a killed sender's slot and rows come free after NEWSLETTER_STALE_SECONDS). From
   scheduling until every Delivery is SENT: messages per second, ratio to the plain loop, peak RSS of
   every worker process (sampled from /proc every 0.2 s). Checks: SIZE Delivery rows SENT, SIZE distinct
   Message-IDs at the sink.
5. --kill: SIGKILL a busy worker pool process at three random moments during the send (the prefork
   parent starts a replacement; the bench waits until it is there), let the campaign finish (the killed
   sender's rows come back after NEWSLETTER_STALE_SECONDS, lowered for this run), then count at the sink:
   every subscriber present, extra copies at most one per kill. The plain loop is skipped.

Cleanup: the worker and sinks are stopped, Redis dbs 12 and 13 flushed, the database dropped.
"""

import argparse
import contextlib
import json
import os
import random
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = BASE_DIR / ".venv" / "bin"
DB_NAME = "mentorwijs_bench"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "mentorwijs"]
BROKER_DB, CACHE_DB = 12, 13
CHUNK = 10_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# Processes ----------------------------------------------------------------------------------------


class Sink:
    def __init__(self, workdir: Path, name: str):
        self.port = free_port()
        self.outfile = workdir / f"{name}-message-ids.txt"
        self.process = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "bench" / "smtp_sink.py"), str(self.port), str(self.outfile)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout.readline().strip() == "ready", "the SMTP sink did not start"

    def stop(self) -> list[str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        return self.outfile.read_text().split() if self.outfile.exists() else []


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return 0


class Worker:
    """`celery -A mentorwijs worker --concurrency C` in its own process group; RSS sampled per process."""

    def __init__(self, environment: dict, concurrency: int, logfile: Path):
        self.logfile = logfile
        self.nodename = f"bench-{os.getpid()}@localhost"
        command = [
            str(VENV_BIN / "celery"), "-A", "mentorwijs", "worker", "--pool", "prefork",
            "--concurrency", str(concurrency), "--loglevel", "WARNING", "--hostname", self.nodename,
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with logfile.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=environment, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        self.peak_kb: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        while not self._stop.is_set():
            pids = [self.process.pid, *children(self.process.pid)]
            for pid in pids:
                self.roles.setdefault(pid, "main" if pid == self.process.pid else "pool")
                self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), rss_kb(pid))
            self._stop.wait(0.2)

    def pool(self) -> list[int]:
        return children(self.process.pid)

    def wait_ready(self, app, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited ({self.process.returncode}); see {self.logfile}")
            replies = app.control.ping(destination=[self.nodename], timeout=1, limit=1)
            if any(self.nodename in reply for reply in replies):
                return
        raise RuntimeError(f"the worker did not answer within {timeout} s; see {self.logfile}")

    def busiest(self) -> int | None:
        """The pool process that used the most CPU in the last 0.3 s (the one sending)."""
        pool = self.pool()
        before = {pid: cpu_ticks(pid) for pid in pool}
        time.sleep(0.3)
        deltas = {pid: cpu_ticks(pid) - before[pid] for pid in pool}
        return max(deltas, key=deltas.get) if deltas else None

    def stop(self):
        self._stop.set()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # pool processes left behind (none expected)
            os.killpg(self.process.pid, signal.SIGKILL)


# Steps --------------------------------------------------------------------------------------------


def seed(size: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dissemination.enums import SubscriberStatus
    from dissemination.models import MailingList, Newsletter, Subscriber
    from dissemination.services.newsletters import newsletter_save

    started = time.monotonic()
    user = get_user_model().objects.create_user("bench@mentorwijs.local", first_name="Bench")
    mailing_list = MailingList.objects.create(name="Nieuwsbrief")
    now = timezone.now()
    through = Subscriber.lists.through
    for start in range(0, size, CHUNK):
        subscribers = Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"lezer{i}@example.org",
                    name=f"Lezer {i}",
                    first_name="Lezer",
                    language="en" if i % 10 == 0 else "nl",  # one in ten reads the English version
                    status=SubscriberStatus.CONFIRMED,
                    confirmed_at=now,
                    created_at=now,
                )  # fmt: skip
                for i in range(start, min(start + CHUNK, size))
            ]
        )
        through.objects.bulk_create(
            [through(subscriber_id=subscriber.pk, mailinglist_id=mailing_list.pk) for subscriber in subscribers]
        )
    body = "\n\n".join(
        [
            "## Nieuws uit het netwerk",
            "Dit kwartaal startten **twaalf nieuwe trainingen** in vijf regio's. Lees hoe mentoren in "
            "Utrecht en Zwolle hun eerste groep begeleidden, en wat zij anders zouden doen.",
            "- Nieuwe materialen voor de terugkomdag\n- Certificering: de nieuwe termijnen\n- Agenda voor het voorjaar",
            "Meer weten? Kijk op [de website](https://mentorwijs.nl/agenda/) of antwoord op deze mail.",
        ]
        * 2
    )
    newsletter = newsletter_save(
        newsletter=Newsletter(),
        data={
            "subject": "Mentorwijs nieuwsbrief",
            "body": body,
            "subject_en": "Mentorwijs newsletter",
            "body_en": body,
            "lists": [mailing_list],
        },
        created_by=user,
    )  # fmt: skip
    log(f"seeded {size:,} confirmed subscribers and newsletter {newsletter.pk} in {time.monotonic() - started:.1f} s")
    return newsletter


def plain_loop(workdir: Path, newsletter, size: int) -> dict:
    """SIZE pre-built messages over one smtplib connection; only the loop is timed."""
    from django.conf import settings

    from dissemination import newsletter_mail
    from dissemination.models import Subscriber

    subscriber = Subscriber.objects.order_by("pk").first()
    rendered = newsletter_mail.render_campaign(subject=newsletter.subject, body=newsletter.body)
    template = newsletter_mail.build_message(rendered=rendered, newsletter_id=newsletter.pk, subscriber=subscriber)
    raw = template.message().as_bytes(linesep="\r\n")
    old_id = newsletter_mail.message_id(newsletter_id=newsletter.pk, subscriber_id=subscriber.pk).encode()
    messages = [
        (f"lezer{i}@example.org", raw.replace(old_id, f"<plain-{i}@bench>".encode()).replace(
            subscriber.email.encode(), f"lezer{i}@example.org".encode()))
        for i in range(size)
    ]  # fmt: skip
    log(f"plain loop: {size:,} messages of {len(raw):,} bytes pre-built")
    sink = Sink(workdir, "plain")
    try:
        started = time.monotonic()
        smtp = smtplib.SMTP("127.0.0.1", sink.port)
        for to, message in messages:
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [to], message)
        smtp.quit()
        seconds = time.monotonic() - started
    finally:
        ids = sink.stop()
    result = {
        "messages": size,
        "seconds": round(seconds, 1),
        "per_second": round(size / seconds, 1),
        "sink_messages": len(ids),
        "sink_distinct_ids": len(set(ids)),
        "message_bytes": len(raw),
    }
    log(f"plain loop: {result}")
    return result


def campaign(
    workdir: Path, newsletter, size: int, concurrency: int, kills: int, environment: dict, tick_seconds: float
) -> dict:
    from django.db.models import Count, Max, Min

    from dissemination.enums import DeliveryStatus, NewsletterStatus
    from dissemination.models import Delivery, Newsletter, Subscriber
    from dissemination.services.newsletters import (
        BATCHES_PER_SENDER,
        PARALLEL_SENDERS,
        STALE_AFTER,
        newsletter_schedule,
    )
    from dissemination.tasks import start_due_newsletters
    from mentorwijs.celery import app

    sink = Sink(workdir, "campaign")
    environment = {**environment, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
    worker = Worker(environment, concurrency, workdir / "worker.log")
    kill_log = []
    try:
        worker.wait_ready(app)
        log(f"worker {worker.nodename} ready (pid {worker.process.pid}, pool {worker.pool()})")
        # Kill moments: three random points between 10 % and 85 % of the rows sent.
        kill_at = sorted(random.sample(range(int(size * 0.10), int(size * 0.85)), kills)) if kills else []
        started = time.monotonic()
        newsletter_schedule(newsletter=newsletter)  # queues start_due_newsletters on commit
        ticks = 1
        last_tick = time.monotonic()
        sent = 0
        deadline = started + max(900, size / 20)
        while True:
            time.sleep(1)  # a count of 100,000 rows costs the database CPU the workers need
            sent = Delivery.objects.filter(newsletter=newsletter, status=DeliveryStatus.SENT).count()
            if sent >= size:
                break
            if kill_at and sent >= kill_at[0]:
                kill_at.pop(0)
                victim = worker.busiest()
                if victim:
                    os.kill(victim, signal.SIGKILL)
                    killed_at = time.monotonic()
                    while victim in worker.pool() or len(worker.pool()) < concurrency:
                        time.sleep(0.05)
                        if time.monotonic() - killed_at > 30:
                            raise RuntimeError("the worker did not replace its killed pool process")
                    kill_log.append(
                        {"at_sent": sent, "pid": victim, "replaced_in_s": round(time.monotonic() - killed_at, 2)}
                    )
                    log(f"SIGKILL pool process {victim} at {sent:,} sent; replaced: {worker.pool()}")
            if time.monotonic() - last_tick >= tick_seconds:
                start_due_newsletters.delay()  # what beat does every minute
                ticks += 1
                last_tick = time.monotonic()
            if worker.process.poll() is not None:
                raise RuntimeError(f"the worker died; see {worker.logfile}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not done after {deadline - started:.0f} s: {sent:,} sent")
        seconds = time.monotonic() - started
        # Let the last batch's closing writes and the campaign's status land.
        for _ in range(40):
            if Newsletter.objects.get(pk=newsletter.pk).status == NewsletterStatus.SENT:
                break
            time.sleep(0.25)
    finally:
        worker.stop()
        ids = sink.stop()

    statuses = dict(
        Delivery.objects.filter(newsletter=newsletter)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    window = Delivery.objects.filter(newsletter=newsletter).aggregate(first=Min("sent_at"), last=Max("sent_at"))
    send_seconds = (window["last"] - window["first"]).total_seconds()
    newsletter.refresh_from_db()
    expected = {
        f"<newsletter-{newsletter.pk}-{pk}@mentorwijs.nl>" for pk in Subscriber.objects.values_list("pk", flat=True)
    }
    distinct = set(ids)
    pool_peaks = [kb for pid, kb in worker.peak_kb.items() if worker.roles[pid] == "pool"]
    main_peak = worker.peak_kb.get(worker.process.pid, 0)
    result = {
        "messages": size,
        "concurrency": concurrency,
        "parallel_senders": PARALLEL_SENDERS,
        "batches_per_sender": BATCHES_PER_SENDER,
        "stale_after_s": STALE_AFTER.total_seconds(),
        "seconds_from_schedule": round(seconds, 1),
        "per_second": round(size / seconds, 1),
        "seconds_first_to_last_sent_at": round(send_seconds, 1),
        "per_second_sending": round(size / send_seconds, 1) if send_seconds else None,
        "start_to_sending_s": round(
            (newsletter.started_at and (window["first"] - newsletter.started_at).total_seconds()) or 0, 1
        ),
        "tick_seconds": tick_seconds,
        "ticks_queued": ticks,
        "delivery_statuses": statuses,
        "newsletter_status": newsletter.status,
        "sink_messages": len(ids),
        "sink_distinct_ids": len(distinct),
        "subscribers_missing_at_sink": len(expected - distinct),
        "unexpected_ids_at_sink": len(distinct - expected),
        "extra_copies": len(ids) - len(distinct),
        "kills": kill_log,
        "peak_rss_mb_main": round(main_peak / 1024, 1),
        "peak_rss_mb_pool_max": round(max(pool_peaks, default=0) / 1024, 1),
        "pool_processes_seen": len(pool_peaks),
    }
    log(f"campaign: {json.dumps(result, default=str)}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    # Four pool processes on two cores: a sender mostly waits for the SMTP server and PostgreSQL, and
    # PARALLEL_SENDERS (4) senders can then each have a connection at once.
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--kill", action="store_true", help="SIGKILL a worker process three times during the send")
    parser.add_argument("--stale-seconds", type=int, default=15, help="NEWSLETTER_STALE_SECONDS for --kill")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the kill moments")
    parser.add_argument("--tick-seconds", type=float, default=60, help="how often the periodic task is queued")
    args = parser.parse_args()
    random.seed(args.seed)

    import redis

    for db in (BROKER_DB, CACHE_DB):
        if redis.Redis(host="127.0.0.1", port=6379, db=db).dbsize():
            sys.exit(f"Redis db {db} is not empty; the bench uses dbs {BROKER_DB} and {CACHE_DB} and flushes them")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorwijs.settings",
        "DATABASE_URL": f"postgres://mentorwijs@127.0.0.1:5432/{DB_NAME}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{BROKER_DB}",
        "CACHE_URL": f"rediscache://127.0.0.1:6379/{CACHE_DB}",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        # DEBUG off: the production checks (mentorwijs/checks.py) ask for these too.
        "TRUSTED_PROXY_COUNT": "0",
        "EVALUATION_PSEUDONYM_KEY": "bench-pseudonym-key",
        "EMAIL_URL": "",  # the bench process itself sends nothing; the worker gets the sink
    }
    if args.kill:
        environment["NEWSLETTER_STALE_SECONDS"] = str(args.stale_seconds)
    os.environ.update(environment)

    workdir = Path(tempfile.mkdtemp(prefix="bench-newsletter-"))
    log(f"work files in {workdir}")
    subprocess.run(["dropdb", *PG, "--if-exists", DB_NAME], check=True)
    subprocess.run(["createdb", *PG, DB_NAME], check=True)
    try:
        started = time.monotonic()
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=BASE_DIR, env=environment, check=True)
        log(f"created and migrated {DB_NAME} in {time.monotonic() - started:.1f} s")
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        newsletter = seed(args.size)
        report = {"size": args.size, "kill": args.kill}
        if not args.kill:
            report["plain"] = plain_loop(workdir, newsletter, args.size)
        report["campaign"] = campaign(
            workdir, newsletter, args.size, args.concurrency, 3 if args.kill else 0, environment, args.tick_seconds
        )
        if "plain" in report:
            report["ratio"] = round(report["campaign"]["per_second"] / report["plain"]["per_second"], 2)
            report["ratio_sending"] = round(
                (report["campaign"]["per_second_sending"] or 0) / report["plain"]["per_second"], 2
            )
        c = report["campaign"]
        checks = {
            "all_rows_sent": c["delivery_statuses"].get("sent", 0) == args.size,
            "every_subscriber_at_sink": c["subscribers_missing_at_sink"] == 0 and c["unexpected_ids_at_sink"] == 0,
            "worker_peak_under_200_mb": max(c["peak_rss_mb_main"], c["peak_rss_mb_pool_max"]) < 200,
        }
        if args.kill:
            checks["extra_copies_at_most_one_per_kill"] = c["extra_copies"] <= len(c["kills"])
            checks["three_kills"] = len(c["kills"]) == 3
        else:
            checks["distinct_ids_equal_size"] = c["sink_distinct_ids"] == args.size and c["extra_copies"] == 0
            checks["ratio_at_least_0_5"] = report["ratio"] >= 0.5
        report["checks"] = checks
        print(json.dumps(report, indent=2, default=str), flush=True)
        return 0 if all(checks.values()) else 1
    finally:
        from django.db import connections

        connections.close_all()
        for db in (BROKER_DB, CACHE_DB):
            redis.Redis(host="127.0.0.1", port=6379, db=db).flushdb()
        subprocess.run(["dropdb", *PG, "--if-exists", "--force", DB_NAME], check=False)
        log(f"dropped {DB_NAME}, flushed Redis dbs {BROKER_DB} and {CACHE_DB}; worker log kept in {workdir}")


if __name__ == "__main__":
    sys.exit(main())
