"""Starting the test OpenID Connect provider (``tests.oidc_provider``) for a test
module: a real server in its own process on a free 127.0.0.1 port, reached by the
service over HTTP as a council's provider would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_PASSWORD = "provider-password-1"


@dataclass(frozen=True)
class ProviderUser:
    username: str
    email: str
    name: str = ""
    verified: bool = True


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str
    code_seconds: int
    log: Path

    @property
    def origin(self) -> str:
        return self.issuer.rsplit("/o", 1)[0]


@contextmanager
def oidc_provider(
    directory: Path,
    redirect_uris: list[str],
    users: list[ProviderUser],
    *,
    code_seconds: int = 3,
) -> Iterator[RunningProvider]:
    """Run the provider until the block ends; its users' password is PROVIDER_PASSWORD."""
    setup = {
        "database": str(directory / "provider.sqlite3"),
        "code_seconds": code_seconds,
        "users": [
            {
                "username": u.username,
                "email": u.email,
                "name": u.name,
                "verified": u.verified,
                "password": PROVIDER_PASSWORD,
            }
            for u in users
        ],
        "application": {
            "client_id": "lsp-assess-test",
            "client_secret": "provider-client-secret-" + os.urandom(8).hex(),
            "redirect_uris": redirect_uris,
        },
    }
    setup_file = directory / "setup.json"
    setup_file.write_text(json.dumps(setup), encoding="utf-8")
    log = directory / "provider.log"
    with log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(setup_file)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            # Not the service's settings: the provider is its own project.
            env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        )
        try:
            line = process.stdout.readline() if process.stdout else ""
            if not line.startswith("listening "):
                raise RuntimeError(f"The test provider did not start: {log.read_text()}")
            issuer = f"http://127.0.0.1:{int(line.split()[1])}/o"
            _wait_for(issuer + "/.well-known/openid-configuration", log)
            yield RunningProvider(
                issuer=issuer,
                client_id=setup["application"]["client_id"],
                client_secret=setup["application"]["client_secret"],
                code_seconds=code_seconds,
                log=log,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(url: str, log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"The test provider never answered {url}: {log.read_text()}")
