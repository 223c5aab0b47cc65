"""Run the test provider: ``python -m tests.oidc_provider.serve SETUP.json``.

Binds a free port on 127.0.0.1 first (so the issuer URL is known before Django
starts), creates the database, the users and the application the setup file
lists, prints ``listening <port>`` and serves until it is stopped.
"""

from __future__ import annotations

import json
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name wsgiref uses
        sys.stderr.write("provider: " + format % args + "\n")


def _setup(setup: dict) -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from tests.oidc_provider.validator import UNVERIFIED

    call_command("migrate", verbosity=0, interactive=False)
    unverified, _ = Group.objects.get_or_create(name=UNVERIFIED)
    for person in setup["users"]:
        user = User.objects.create_user(
            username=person["username"],
            email=person["email"],
            password=person["password"],
            first_name=person.get("name", ""),
        )
        if not person.get("verified", True):
            user.groups.add(unverified)
    application = setup["application"]
    Application.objects.create(
        name="LSP Assess",
        client_id=application["client_id"],
        client_secret=application["client_secret"],  # hashed as it is saved
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(application["redirect_uris"]),
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        setup = json.load(file)
    server = make_server("127.0.0.1", 0, None, server_class=_Server, handler_class=_QuietHandler)
    port = server.server_address[1]
    os.environ["OIDC_TEST_ISSUER"] = f"http://127.0.0.1:{port}/o"
    os.environ["OIDC_TEST_DATABASE"] = setup["database"]
    os.environ["OIDC_TEST_CODE_SECONDS"] = str(setup.get("code_seconds", 3))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    _setup(setup)
    server.set_app(get_wsgi_application())
    print(f"listening {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
