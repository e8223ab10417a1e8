"""A Streamlit server in its own process, on a free loopback port, for the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO / "dashboard" / "app.py"
STARTUP_TIMEOUT_S = 90
NGINX = Path("/usr/sbin/nginx")
NGINX_CONF = REPO / "docs" / "nginx.conf"


class ServerDidNotStart(RuntimeError):
    """The server exited or did not answer its health check in time; the message holds its log."""


@dataclass
class ServedProcess:
    """A process the tests started that serves on loopback: its URL, process and log."""

    base_url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """Returns everything the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stops the process (by its PID) and waits for it to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


class StreamlitServer(ServedProcess):
    """A running ``streamlit run``."""


def free_port() -> int:
    """Returns a loopback port that nothing listens on at this moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(data_dir: Path, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Returns the environment for a server on ``data_dir``: demo build off, no sign-in.

    ``overrides`` replace any of these (a sign-in test sets ``OUTCOMES_AUTH_MODE=oidc``).
    """
    env = dict(os.environ)
    env.update(
        OUTCOMES_DATA_DIR=str(data_dir),
        OUTCOMES_DEMO_ON_FIRST_START="false",
        # A developer's own settings must not point the tests at another warehouse or
        # turn sign-in on.
        OUTCOMES_WAREHOUSE="",
        OUTCOMES_LAKE_DATA_PATH="",
        OUTCOMES_AUTH_MODE="none",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides or {})
    return env


def start_streamlit(
    data_dir: Path,
    log_path: Path,
    script: Path = APP_SCRIPT,
    timeout_s: float = STARTUP_TIMEOUT_S,
    env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
    host: str = "127.0.0.1",
    port: int | None = None,
) -> StreamlitServer:
    """Returns a started server for ``script`` on ``data_dir``, once ``/_stcore/health`` says ok.

    ``env`` overrides the environment of ``server_env``; ``extra_args`` go to ``streamlit
    run`` (e.g. ``--secrets.files``); ``port`` defaults to a free one; ``host`` is the name the returned URL uses (the server
    always listens on 127.0.0.1; a sign-in test needs ``localhost``, the redirect's host).

    Raises ``ServerDidNotStart`` with the server's log when it exits or stays silent for
    ``timeout_s`` seconds.
    """
    port = port or free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_env(data_dir, env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = StreamlitServer(f"http://{host}:{port}", process, log_path)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(
                f"streamlit exited with code {process.returncode} before answering.\n"
                f"--- server log ({log_path}) ---\n{server.log()}"
            )
        if _healthy(server.base_url):
            return server
        time.sleep(0.25)
    server.stop()
    raise ServerDidNotStart(
        f"streamlit did not answer {server.base_url}/_stcore/health within {timeout_s:.0f} s.\n"
        f"--- server log ({log_path}) ---\n{server.log()}"
    )


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200 and answer.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start_nginx(prefix: Path, servers: list[str], timeout_s: float = 15) -> ServedProcess:
    """Returns nginx in the foreground with docs/nginx.conf in front of ``servers`` (two URLs).

    The configuration is the deployment guide's own file, its placeholders filled in: the
    listen address (a free loopback port), the two app servers and ``prefix``, the folder
    for nginx's logs and temporary files. Raises ``ServerDidNotStart`` with nginx's log.
    """
    port = free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    conf = NGINX_CONF.read_text()
    for placeholder, value in {
        "__LISTEN__": f"127.0.0.1:{port}",
        "__SERVER_A__": servers[0].removeprefix("http://"),
        "__SERVER_B__": servers[1].removeprefix("http://"),
        "__PREFIX__": str(prefix),
    }.items():
        conf = conf.replace(placeholder, value)
    (prefix / "nginx.conf").write_text(conf)
    log_path = prefix / "nginx.out"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(NGINX), "-p", str(prefix), "-c", "nginx.conf", "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    proxy = ServedProcess(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if _healthy(proxy.base_url):
            return proxy
        time.sleep(0.2)
    proxy.stop()
    error_log = prefix / "error.log"
    raise ServerDidNotStart(
        f"nginx did not answer {proxy.base_url}/_stcore/health within {timeout_s:.0f} s.\n"
        f"{proxy.log()}\n{error_log.read_text() if error_log.exists() else ''}"
    )
