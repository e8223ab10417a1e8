"""A real OpenID Connect provider (npm ``oidc-provider``) on loopback, and the app signed in to it.

``start_provider`` runs ``provider.mjs`` under node with the users the test names;
``write_secrets`` writes the ``[auth]`` section Streamlit's ``st.login`` reads; ``sign_in``
drives the provider's own login and consent pages in the browser.

Pitfalls this follows (see ``../shared/recipes/oidc-e2e.md``): the provider lives on
``127.0.0.1`` and the app is opened on ``localhost`` (the redirect's host, which holds
Streamlit's state cookie); Streamlit's default ``prompt=select_account`` is refused by
oidc-provider, so the secrets ask for ``prompt=login``; the provider's dev pages import
Google fonts, which are aborted so a test can never wait on the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.server import ServedProcess, free_port, start_streamlit

REPO = Path(__file__).resolve().parents[3]
PROVIDER_SCRIPT = Path(__file__).with_name("provider.mjs")
PROVIDER_MODULE = REPO / ".ci" / "node_modules" / "oidc-provider" / "lib" / "index.js"
CLIENT_ID = "outcomes-dashboard-test"
CLIENT_SECRET = "loopback-test-client-secret-0123456789abcdef"
STARTUP_TIMEOUT_S = 30
SIGN_IN_TIMEOUT_MS = 90_000
FONTS = re.compile(r"^https?://fonts\.(googleapis|gstatic)\.com/")


def missing_tools() -> list[str]:
    """Names what the sign-in tests need and this machine lacks (empty when all is there)."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node (apt-get install nodejs)")
    if not PROVIDER_MODULE.exists():
        missing.append(f"{PROVIDER_MODULE} (cd .ci && npm install --prefix . oidc-provider@9)")
    return missing


class Provider(ServedProcess):
    """A running provider; its ``base_url`` is the issuer."""

    @property
    def issuer(self) -> str:
        return self.base_url


def start_provider(port: int, callback: str, users: dict[str, dict], log_path: Path) -> Provider:
    """Starts the provider on ``127.0.0.1:port`` and returns it once discovery answers."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "OIDC_PROVIDER_MODULE": str(PROVIDER_MODULE),
        "OP_PORT": str(port),
        "CALLBACK": callback,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "USERS_JSON": json.dumps(users),
    }
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["node", str(PROVIDER_SCRIPT)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    provider = Provider(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(
                f"{provider.issuer}/.well-known/openid-configuration", timeout=2
            ) as answer:
                if answer.status == 200:
                    return provider
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    provider.stop()
    raise RuntimeError(f"the OIDC provider did not start.\n--- its log ---\n{provider.log()}")


def write_secrets(path: Path, provider: Provider, callback: str) -> Path:
    """Writes the ``[auth]`` section of a Streamlit secrets file for ``provider``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{callback}"\n'
        'cookie_secret = "loopback-test-cookie-secret-at-least-32-characters"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n'
        'client_kwargs = { prompt = "login" }\n'
    )
    return path


def new_context(browser: Browser, viewport: dict) -> BrowserContext:
    """A fresh context (no cookies) in which the provider's font imports fail at once."""
    context = browser.new_context(viewport=viewport)
    context.route(FONTS, lambda route: route.abort())
    return context


def sign_in(page: Page, app_url: str, login: str) -> None:
    """Opens the app, presses "Sign in" and signs in as ``login`` on the provider's pages.

    Returns once the browser is back on the app (the caller asserts what the user sees).
    """
    page.goto(app_url)
    page.get_by_role("button", name="Sign in").click(timeout=SIGN_IN_TIMEOUT_MS)
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password: the dev provider does not check it")
    page.get_by_role("button", name="Sign-in").click()
    # The first authorisation of the client shows the provider's consent page.
    consent = page.locator("input[name=prompt][value=consent]")
    back = page.locator('[data-testid="stApp"]')
    expect(consent.or_(back)).to_be_attached(timeout=SIGN_IN_TIMEOUT_MS)
    if consent.count():
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/"), timeout=SIGN_IN_TIMEOUT_MS)


@dataclass
class SignedInApp:
    """The app in ``oidc`` mode on a private warehouse, with its provider: URL and data dir."""

    url: str
    data_dir: Path
    stop: Callable[[], None]


def start_signed_in_app(root: Path, demo_dir: Path, users: dict[str, dict]) -> SignedInApp:
    """Returns the app in ``oidc`` mode on a private copy of ``demo_dir``, with a provider
    that knows ``users``; skips (fails in CI) when node or oidc-provider are missing."""
    missing = missing_tools()
    if missing:
        reason = "sign-in tests need " + " and ".join(missing) + "; .ci/run installs them"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    data_dir = root / "data"
    shutil.copytree(demo_dir, data_dir)
    provider_port, app_port = free_port(), free_port()
    # The redirect must name the host the browser opens the app on: localhost holds
    # Streamlit's state cookie, the provider on 127.0.0.1 keeps its own apart.
    callback = f"http://localhost:{app_port}/oauth2callback"
    provider = start_provider(provider_port, callback, users, root / "provider.log")
    secrets = write_secrets(root / "secrets.toml", provider, callback)
    try:
        server = start_streamlit(
            data_dir,
            root / "streamlit.log",
            env={"OUTCOMES_AUTH_MODE": "oidc"},
            extra_args=("--secrets.files", str(secrets)),
            host="localhost",
            port=app_port,
        )
    except Exception:
        provider.stop()
        raise

    def stop() -> None:
        server.stop()
        provider.stop()

    return SignedInApp(server.base_url, data_dir, stop)
