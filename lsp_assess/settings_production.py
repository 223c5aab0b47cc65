"""Production settings: everything in settings.py, hardened.

Use with DJANGO_SETTINGS_MODULE=lsp_assess.settings_production. It refuses to
start without SECRET_KEY and ALLOWED_HOSTS, and passes ``check --deploy``
with no warnings.
"""

from django.core.exceptions import ImproperlyConfigured

from lsp_assess.env import env_bool, env_int, env_str
from lsp_assess.settings import *  # noqa: F403
from lsp_assess.settings import ALLOWED_HOSTS, BASE_DIR, CACHE_BACKEND

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random text.")
if CACHE_BACKEND == "memory":
    # Several app server processes must share one count of wrong codes and links.
    raise ImproperlyConfigured(
        "Production needs a cache every app server shares: set REDIS_URL to the Redis "
        "server's URL, or CACHE_BACKEND=database (then run manage.py createcachetable)."
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) this site is served on.")

# For `make run-prod` only: the production configuration served over plain HTTP
# on this machine. Browsers (and HTTP clients) do not send Secure cookies over
# http://, so signing in would fail; this turns off the HTTPS-only settings, and
# is refused for any host name but this machine's, so it cannot leak into a
# real deployment. `check --deploy` warns about exactly what it turns off.
LOCAL_PLAIN_HTTP = env_bool("LOCAL_PLAIN_HTTP", False)
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
if LOCAL_PLAIN_HTTP and not set(ALLOWED_HOSTS) <= _LOCAL_HOSTS:
    raise ImproperlyConfigured(
        "LOCAL_PLAIN_HTTP is for this machine only: ALLOWED_HOSTS may then name only "
        "127.0.0.1, localhost and [::1]."
    )
_HTTPS = not LOCAL_PLAIN_HTTP

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True) and _HTTPS
# Load balancers probe /healthz over plain HTTP inside the network; a redirect
# to HTTPS would read as a failed check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0) if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Links in account emails (password reset) use https://.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if _HTTPS else "http"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

# Plan PDFs are rendered by `manage.py run_pdf_worker`, never in a request.
PDF_WORKER = env_bool("PDF_WORKER", True)

STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
