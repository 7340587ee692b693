"""Run deploy/nginx.conf on this machine's loopback, in front of app processes on local ports.

Used by tests/deploy/test_balancer.py and ``bench/load.py --replicas N``, so that what they test is the file
compose and the docs ship.  Only what differs on loopback is filled in: the listen address, the upstream
servers (one per local port, with the file's own parameters) and the paths (pid, temporary files and logs in a
fresh temporary directory).  Each substitution must match exactly once, so a change of the config that the
loopback run would silently miss stops it instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tools.serve import answers_health, free_port

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "nginx.conf"
UPSTREAM = re.compile(r"server app:8501((?: [a-z_]+=[^ ;]+)*);")


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)


def render(text: str, ports: list[int], listen: int, workdir: str) -> str:
    """The config for loopback: ``listen`` on 127.0.0.1, the app on ``ports``, files under ``workdir``."""

    def once(pattern: str, replacement, source: str, regex: bool = False) -> str:
        found = len(re.findall(pattern, source)) if regex else source.count(pattern)
        if found != 1:
            raise ValueError(f"deploy/nginx.conf: expected one {pattern!r}, found {found}")
        return re.sub(pattern, replacement, source) if regex else source.replace(pattern, replacement)

    if "/tmp/" not in text:
        raise ValueError("deploy/nginx.conf: no /tmp/ paths to move")
    text = text.replace("/tmp/", f"{workdir}/")
    text = once("listen 8080;", f"listen 127.0.0.1:{listen};", text)
    text = once(UPSTREAM.pattern, lambda m: "\n        ".join(f"server 127.0.0.1:{p}{m.group(1)};" for p in ports),
                text, regex=True)
    text = once("access_log /dev/stdout;", f"access_log {workdir}/access.log;", text)
    return once("error_log /dev/stderr warn;", f"error_log {workdir}/error.log warn;", text)


class Balancer:
    """nginx with the repository's config in front of the app processes on ``ports``, on 127.0.0.1."""

    def __init__(self, ports: list[int], config: Path = CONFIG):
        self.ports = list(ports)
        self.config = config
        self.listen = free_port()
        self.workdir: str | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listen}"

    def start(self, timeout: float = 20) -> None:
        nginx = find_nginx()
        if nginx is None:
            raise FileNotFoundError("nginx is not installed (apt-get install -y nginx)")
        self.workdir = tempfile.mkdtemp(prefix="losslab-nginx-")
        # As root nginx's workers drop to 'nobody', which must reach the temporary directories.
        os.chmod(self.workdir, 0o755)
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            path = Path(self.workdir) / f"nginx_{name}"
            path.mkdir()
            os.chmod(path, 0o777)
        conf = Path(self.workdir) / "nginx.conf"
        conf.write_text(render(self.config.read_text(), self.ports, self.listen, self.workdir))
        check = subprocess.run([nginx, "-t", "-q", "-p", self.workdir, "-e", f"{self.workdir}/error.log",
                                "-c", str(conf)], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the config: {check.stderr.strip()}")
        self.proc = subprocess.Popen([nginx, "-p", self.workdir, "-e", f"{self.workdir}/error.log", "-c", str(conf),
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if answers_health(self.url, self.proc, timeout):
            return
        if self.proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {self.log()[-2000:]}")
        raise RuntimeError(f"nginx did not answer on {self.url}: {self.log()[-2000:]}")

    def log(self) -> str:
        path = Path(self.workdir or "/nonexistent") / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown, workers included
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> Balancer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
