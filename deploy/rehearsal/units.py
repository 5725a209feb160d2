"""Start what deploy/ describes, without systemd: the rehearsal's half of the units and the nginx site.

deploy/rehearse runs the commands of deploy/systemd/*.service and serves deploy/nginx/mentorwijs.conf
as they are written, with only these substitutions (SUBSTITUTIONS), because the rehearsal runs from a
checkout in a scratch folder and not on a server:

    /srv/mentorwijs                       -> the checkout (the install directory)
    /etc/mentorwijs                       -> REHEARSAL/etc (the environment file)
    /run/mentorwijs                       -> REHEARSAL/run (gunicorn's socket)
    /etc/letsencrypt/live/mentorwijs.nl   -> REHEARSAL/tls (a self-signed certificate for localhost)
    listen 80 / listen 443                -> listen 127.0.0.1:HTTP_PORT / 127.0.0.1:HTTPS_PORT
    listen [::]:…                         -> left out

Everything else, the ExecStart and ExecReload command lines included, is the file's own. A unit's
process gets what systemd would give it: the variables of its EnvironmentFile and nothing of the
caller's environment (PATH and LANG aside), in its WorkingDirectory. User= and the sandboxing options
are not applied (the rehearsal runs as whoever runs it).

    units.py render FILE OUT                  write FILE with the substitutions to OUT
    units.py exec UNIT                        become the unit's ExecStart (exec: same pid)
    units.py reload UNIT MAINPID              run the unit's ExecReload with $MAINPID
    units.py run UNIT -- COMMAND...           run COMMAND as the unit would (environment, folder)
    units.py notify-wait SOCKET SECONDS       be systemd's end of Type=notify: wait for READY=1

A Type=notify unit gets NOTIFY_SOCKET=REHEARSAL/run/<unit>.notify, as systemd would give it its own;
`notify-wait` on that path (started first) exits 0 when the service says READY=1, 1 after SECONDS.

UNIT is a file of deploy/systemd as written (the substitutions are made here, once).

Reads REHEARSAL, HTTP_PORT and HTTPS_PORT from the environment. Only the standard library.
"""

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def substitutions() -> list[tuple[str, str]]:
    """(regular expression, replacement) pairs, applied in order."""
    rehearsal = os.environ["REHEARSAL"]
    return [
        (r"/srv/mentorwijs\b", str(CHECKOUT)),
        (r"/etc/mentorwijs\b", f"{rehearsal}/etc"),
        (r"/run/mentorwijs\b", f"{rehearsal}/run"),
        (r"/etc/letsencrypt/live/mentorwijs\.nl\b", f"{rehearsal}/tls"),
        (r"(?m)^(\s*)listen 80\b", rf"\g<1>listen 127.0.0.1:{os.environ['HTTP_PORT']}"),
        (r"(?m)^(\s*)listen 443\b", rf"\g<1>listen 127.0.0.1:{os.environ['HTTPS_PORT']}"),
        (r"(?m)^\s*listen \[::\]:.*\n", ""),
    ]


def render(text: str) -> str:
    for pattern, replacement in substitutions():
        text = re.sub(pattern, replacement, text)
    return text


def service_section(path: Path) -> dict[str, str]:
    """The [Service] keys of a unit file as systemd reads them: comments skipped, a line ending in a
    backslash continued on the next, the last assignment of a key winning."""
    keys, section, pending = {}, None, ""
    for raw in render(path.read_text()).splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            keys[key.strip()] = value.strip()
    return keys


def environment_file(path: Path) -> dict[str, str]:
    """An EnvironmentFile as systemd reads it: KEY=VALUE lines, # and ; comments, a value in single or
    double quotes taken without them."""
    variables = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, separator, value = line.partition("=")
        if not separator:
            raise SystemExit(f"{path}: not KEY=VALUE: {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        variables[key.strip()] = value
    return variables


def unit_environment(service: dict[str, str]) -> dict[str, str]:
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    name = service.get("EnvironmentFile", "")
    if name:
        optional = name.startswith("-")
        path = Path(name.lstrip("-"))
        if path.exists():
            environment.update(environment_file(path))
        elif not optional:
            raise SystemExit(f"EnvironmentFile {path} does not exist")
    return environment


def command(service: dict[str, str], key: str, **variables) -> list[str]:
    """ExecStart or ExecReload as an argument list; systemd's prefixes (-, @, +, !) are not used in
    deploy/systemd, and $MAINPID is the only variable."""
    line = service[key]
    if line[:1] in "-@+!:":
        raise SystemExit(f"{key} prefix {line[0]!r} is not supported by the rehearsal")
    for name, value in variables.items():
        line = line.replace(f"${name}", value).replace(f"${{{name}}}", value)
    argv = shlex.split(line)
    if not os.path.isabs(argv[0]):
        raise SystemExit(f"{key} must start with an absolute path, as systemd wants: {argv[0]}")
    return argv


def notify_socket(unit: Path) -> str:
    return f"{os.environ['REHEARSAL']}/run/{unit.stem}.notify"


def notify_wait(path: str, seconds: float) -> int:
    """Receive sd_notify datagrams on `path` until one says READY=1."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        listener.settimeout(seconds)
        try:
            while b"READY=1" not in listener.recv(4096).split(b"\n"):
                pass
        except TimeoutError:
            return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 4 and argv[1] == "render":
        Path(argv[3]).write_text(render(Path(argv[2]).read_text()))
        return 0
    if len(argv) == 4 and argv[1] == "notify-wait":
        return notify_wait(argv[2], float(argv[3]))
    if len(argv) < 3:
        print(__doc__)
        return 2
    action, service = argv[1], service_section(Path(argv[2]))
    environment = unit_environment(service)
    folder = service.get("WorkingDirectory", "/")
    if action == "exec":
        start = command(service, "ExecStart")
        if service.get("Type") == "notify":
            environment["NOTIFY_SOCKET"] = notify_socket(Path(argv[2]))
        os.chdir(folder)
        os.execve(start[0], start, environment)
    if action == "reload" and len(argv) == 4:
        return subprocess.run(command(service, "ExecReload", MAINPID=argv[3]), env=environment, check=False).returncode
    if action == "run" and len(argv) > 4 and argv[3] == "--":
        return subprocess.run(argv[4:], env=environment, cwd=folder, check=False).returncode
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
