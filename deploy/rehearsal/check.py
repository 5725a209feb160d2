"""The rehearsal's checks, over HTTPS through nginx as a visitor would (deploy/rehearse starts everything).

Each check prints one line; the first that fails ends the run with exit code 1. Reads the rehearsal's
settings from the environment: REHEARSAL, HTTP_PORT, HTTPS_PORT, PGDATABASE (and the PG* connection
variables psql reads), STAFF_EMAIL, STAFF_PASSWORD, INVITATION_URL (the link `manage.py createstaff`
printed), TRAINING_ID, GUNICORN_PID.

The staff member starts as an operator does (docs/operations.md, "The first staff member"): the
invitation mail arrives, the printed link is opened, the invitation accepted with a name and password,
the authenticator app linked on the two-factor pages with the secret the page shows; then log out and
log in with password and TOTP.
"""

import base64
import email
import email.policy
import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import requests

REHEARSAL = Path(os.environ["REHEARSAL"])
HOST = "localhost"
BASE = f"https://{HOST}:{os.environ['HTTPS_PORT']}"
PLAIN = f"http://{HOST}:{os.environ['HTTP_PORT']}"
UNITS = Path(__file__).with_name("units.py")
WEB_UNIT = Path(__file__).resolve().parents[1] / "systemd" / "mentorwijs-web.service"
# A client that claims another address: the app must read the one nginx appended after it.
FORGED = "203.0.113.66"
PARTICIPANT = "rehearsal.participant@example.org"


class Failed(Exception):
    pass


def check(name: str, passed: bool, detail: str = "") -> None:
    print(f"  {'ok  ' if passed else 'FAIL'} {name}" + (f": {detail}" if detail else ""), flush=True)
    if not passed:
        raise Failed(name)


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238, as an authenticator app computes it (SHA-1, 30 s, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


_used_codes: set[str] = set()


def fresh_totp(secret: str) -> str:
    """A code not typed before in this run: allauth refuses a code used twice, so the login right after
    the activation takes the next period's code when needed (MFA_TOTP_TOLERANCE = 1 accepts it)."""
    for at in (time.time(), time.time() + 30):
        code = totp(secret, at)
        if code not in _used_codes:
            _used_codes.add(code)
            return code
    raise Failed("both codes of this minute were used")


class _Inputs(HTMLParser):
    """The <input> elements of a page, as attribute dictionaries."""

    def __init__(self):
        super().__init__()
        self.inputs: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append({name: value or "" for name, value in attrs})


def input_value(html: str, **attributes: str) -> str:
    """The value of the first <input> with these attributes (id="…", name="…")."""
    parser = _Inputs()
    parser.feed(html)
    for each in parser.inputs:
        if all(each.get(name) == value for name, value in attributes.items()):
            return each.get("value", "")
    raise Failed(f"no input {attributes} on the page")


def psql(sql: str) -> str:
    result = subprocess.run(
        ["psql", "--no-psqlrc", "-tAc", sql], capture_output=True, text=True, check=True, env=os.environ
    )
    return result.stdout.strip()


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise Failed("no CSRF token on the page")
    return found.group(1)


def set_cookies(response) -> dict[str, str]:
    """Name → the whole Set-Cookie line, from every response of the redirect chain."""
    lines = []
    for each in [*response.history, response]:
        lines += each.raw.headers.getlist("Set-Cookie")
    return {line.split("=", 1)[0]: line for line in lines}


def new_session() -> requests.Session:
    """A client that trusts the rehearsal's certificate and nothing from the environment (a CA bundle
    or a proxy set there would win over the certificate given here)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(REHEARSAL / "tls" / "fullchain.pem")
    return session


def check_redirect_to_https() -> None:
    response = new_session().get(f"{PLAIN}/trainingen/aanbod/?region=1", allow_redirects=False, timeout=10)
    location = response.headers.get("Location", "")
    check("HTTP answers with a permanent redirect to HTTPS", response.status_code == 301, str(response.status_code))
    check(
        "the redirect keeps host, path and query", location == f"https://{HOST}/trainingen/aanbod/?region=1", location
    )


def check_headers(session) -> str:
    response = session.get(f"{BASE}/accounts/login/", timeout=10)
    check("the login page answers over HTTPS", response.status_code == 200, str(response.status_code))
    hsts = response.headers.get("Strict-Transport-Security", "")
    check("HSTS for a year", re.fullmatch(r"max-age=31536000(; .*)?", hsts) is not None, hsts)
    csp = response.headers.get("Content-Security-Policy", "")
    check(
        "the CSP allows only this origin's scripts and styles, nothing inline",
        "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp,
        csp[:80] + "…",
    )
    check("nosniff", response.headers.get("X-Content-Type-Options") == "nosniff")
    check("no framing", response.headers.get("X-Frame-Options") == "DENY")
    csrf = set_cookies(response).get("csrftoken", "")
    check("the CSRF cookie is Secure", "; Secure" in csrf, csrf.split(";", 1)[-1].strip())
    return response.text


def check_static(session, html: str) -> None:
    found = re.search(r'(/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js))"', html)
    check("the page links a static file by its hashed name", found is not None)
    response = session.get(BASE + found.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
    cache = response.headers.get("Cache-Control", "")
    check("the hashed static file is served", response.status_code == 200, found.group(1))
    age = re.search(r"max-age=(\d+)", cache)
    check("and cached for a year or longer", bool(age) and int(age.group(1)) >= 31536000, cache)
    check(
        "compressed",
        response.headers.get("Content-Encoding") in ("gzip", "br"),
        response.headers.get("Content-Encoding"),
    )


def check_login(session, html: str, secret: str) -> None:
    response = session.post(
        f"{BASE}/accounts/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(html),
            "login": os.environ["STAFF_EMAIL"],
            "password": os.environ["STAFF_PASSWORD"],
        },
        timeout=20,
    )
    check(
        "the password is accepted; two-factor asked", response.url.endswith("/accounts/2fa/authenticate/"), response.url
    )
    response = session.post(
        response.url,
        data={"csrfmiddlewaretoken": csrf_token(response.text), "code": fresh_totp(secret)},
        timeout=20,
    )
    check(
        "the TOTP code logs in: the home page", response.status_code == 200 and response.url == f"{BASE}/", response.url
    )
    session_cookie = set_cookies(response).get("sessionid", "")
    check(
        "the session cookie is Secure and HttpOnly",
        "; Secure" in session_cookie and "; HttpOnly" in session_cookie,
        "; ".join(part.strip() for part in session_cookie.split(";")[1:] if "expires" not in part.lower()),
    )
    check("the home page is the staff member's", "Rehearsal" in response.text)


def check_enrolment() -> None:
    visitor = new_session()
    url = f"{BASE}/trainingen/aanbod/{os.environ['TRAINING_ID']}/inschrijven/"
    page = visitor.get(url, timeout=10)
    check("the public enrolment page of the open run", page.status_code == 200, url)
    response = visitor.post(
        url,
        data={
            "csrfmiddlewaretoken": csrf_token(page.text),
            "first_name": "Repetitie",
            "last_name": "Deelnemer",
            "email": PARTICIPANT,
            "organisation_name": "Repetitiebedrijf",
            "organisation": "",
            "organisation_city": "Tiel",
            "organisation_target_group": "employers",
            "consent": "on",
        },
        headers={"Referer": url, "X-Forwarded-For": FORGED},
        timeout=20,
    )
    check("the enrolment is taken: check your mail", response.url.endswith("/ingeschreven/"), response.url)
    enrolled = psql(
        "SELECT count(*) FROM trainings_enrolment e JOIN dissemination_person p ON p.id = e.person_id "
        f"WHERE e.training_id = {int(os.environ['TRAINING_ID'])} AND p.email = '{PARTICIPANT}'"
    )
    check("stored in PostgreSQL", enrolled == "1", enrolled)
    seen = psql(
        "SELECT host(remote_addr) FROM auditlog_logentry l JOIN django_content_type t ON t.id = l.content_type_id "
        "WHERE t.app_label = 'trainings' AND t.model = 'enrolment' ORDER BY l.id DESC LIMIT 1"
    )
    check(
        f"the audit trail has the address nginx saw (127.0.0.1), not the forged {FORGED}",
        seen == "127.0.0.1",
        seen or "(none)",
    )


def wait_for_mail(name: str, wanted) -> email.message.EmailMessage:
    """The first message in the SMTP sink's folder for which wanted(message) holds, waiting up to 60 s."""
    folder = REHEARSAL / "mail"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if wanted(message):
                check(name, True, str(message["Subject"]))
                return message
        time.sleep(0.5)
    check(name, False, f"none in {folder} after 60 s")


def plain_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def check_invitation_mail() -> None:
    """createstaff queued the invitation mail; the worker sends it (before it is accepted: an accepted
    invitation is not mailed any more)."""
    message = wait_for_mail(
        "the worker sent createstaff's invitation through SMTP", lambda m: os.environ["STAFF_EMAIL"] in str(m["To"])
    )
    check("its link points at the site's invitation page", f"{BASE}/team/uitnodiging/" in plain_body(message))


def check_first_staff_member(session) -> str:
    """Accept the invitation from createstaff's link and link an authenticator app, as the pages ask.
    Returns the TOTP secret the page showed."""
    url = os.environ["INVITATION_URL"]
    check("createstaff printed a link on the site", url.startswith(f"{BASE}/team/uitnodiging/"), url)
    page = session.get(url, timeout=10)
    check(
        "the invitation page opens", page.status_code == 200 and 'name="password1"' in page.text, str(page.status_code)
    )
    password = os.environ["STAFF_PASSWORD"]
    response = session.post(
        url,
        data={
            "csrfmiddlewaretoken": csrf_token(page.text),
            "first_name": "Rehearsal",
            "last_name": "Staff",
            "password1": password,
            "password2": password,
        },
        timeout=20,
    )
    check(
        "accepted with a name and password: the two-factor set-up page",
        response.url == f"{BASE}/team/tweestapsverificatie/",
        response.url,
    )
    found = re.search(r'href="(/[^"]*/totp/activate/)"', response.text)
    check("it offers the authenticator app", found is not None)
    response = session.get(BASE + found.group(1), timeout=10)
    check("allauth asks for the password again", "/accounts/reauthenticate/" in response.url, response.url)
    response = session.post(
        response.url, data={"csrfmiddlewaretoken": csrf_token(response.text), "password": password}, timeout=20
    )
    check("then shows the activation page", response.url.endswith(found.group(1)), response.url)
    secret = input_value(response.text, id="authenticator_secret")
    check("with the secret to type into an app", re.fullmatch(r"[A-Z2-7]{16,}", secret) is not None)
    response = session.post(
        response.url, data={"csrfmiddlewaretoken": csrf_token(response.text), "code": fresh_totp(secret)}, timeout=20
    )
    check(
        "the app's code activates it: the recovery codes",
        response.url == f"{BASE}/accounts/2fa/recovery-codes/",
        response.url,
    )
    stored = psql(
        "SELECT string_agg(a.type, ',' ORDER BY a.type) FROM mfa_authenticator a "
        f"JOIN accounts_user u ON u.id = a.user_id WHERE u.email = '{os.environ['STAFF_EMAIL']}'"
    )
    check("stored: TOTP and recovery codes", stored == "recovery_codes,totp", stored)
    page = session.get(f"{BASE}/", timeout=10)
    response = session.post(f"{BASE}/accounts/logout/", data={"csrfmiddlewaretoken": csrf_token(page.text)}, timeout=20)
    check("logged out", response.url == f"{BASE}/accounts/login/", response.url)
    return secret


def check_mail() -> None:
    """The enrolment confirmation: to the participant, with the run's meetings as a calendar file."""
    message = wait_for_mail(
        "the worker sent the enrolment confirmation through SMTP",
        lambda m: PARTICIPANT in str(m["To"]) and "text/calendar" in [p.get_content_type() for p in m.walk()],
    )
    check("its personal link points at the site", f"{BASE}/trainingen/" in plain_body(message))


def check_beat() -> None:
    deadline = time.monotonic() + 30
    count = "0"
    while time.monotonic() < deadline and count == "0":
        count = psql("SELECT count(*) FROM django_celery_beat_periodictask WHERE name = 'trainings-send-due-messages'")
        time.sleep(0.5)
    check("beat runs on the DatabaseScheduler: the schedule is in the database", count == "1")


def workers(pid: str) -> set[str]:
    result = subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True, check=False)
    return set(result.stdout.split())


def check_reload(session) -> None:
    """The unit's ExecReload (SIGHUP) while requests keep coming: none may fail, and the workers are new.

    gunicorn stops the old workers as soon as it has started the new ones, so the requests of the next
    moments wait in the socket's queue until a new worker has loaded the app: they are answered late,
    not dropped. The longest wait is printed (a few seconds; more on a busy machine)."""
    pid = os.environ["GUNICORN_PID"]
    before = workers(pid)
    failures, waits, stop = [], [], threading.Event()

    def keep_asking():
        while not stop.is_set():
            began = time.monotonic()
            try:
                response = session.get(f"{BASE}/healthz", timeout=60)
                waits.append(time.monotonic() - began)
                if response.status_code != 200:
                    failures.append(response.status_code)
            except requests.RequestException as error:
                failures.append(repr(error))

    threads = [threading.Thread(target=keep_asking) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    subprocess.run([sys.executable, str(UNITS), "reload", str(WEB_UNIT), pid], check=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (workers(pid) & before or len(workers(pid)) < len(before)):
        time.sleep(0.2)
    # Until the new workers answer again.
    answered = len(waits)
    while time.monotonic() < deadline and len(waits) < answered + 6:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join()
    after = workers(pid)
    check("ExecReload replaced every gunicorn worker", bool(after) and not (after & before), f"{len(after)} new")
    check(
        "no request failed during the reload",
        not failures and len(waits) > answered,
        f"{len(waits)} answered, the longest in {max(waits, default=0):.1f} s; {failures[:3]}",
    )


def main() -> int:
    session = new_session()
    # Django's CSRF check wants an HTTPS form post to say where it came from, as a browser does.
    session.headers["Referer"] = f"{BASE}/accounts/login/"
    try:
        check_redirect_to_https()
        html = check_headers(session)
        check_static(session, html)
        check_invitation_mail()
        secret = check_first_staff_member(session)
        check_login(session, session.get(f"{BASE}/accounts/login/", timeout=10).text, secret)
        check_enrolment()
        check_mail()
        check_beat()
        check_reload(session)
    except Failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
