"""Production settings: everything in settings.py, hardened.

Use with DJANGO_SETTINGS_MODULE=lsp_assess.settings_production. It refuses to
start without SECRET_KEY and ALLOWED_HOSTS, and passes ``check --deploy``
with no warnings.
"""

from django.core.exceptions import ImproperlyConfigured

from lsp_assess.env import env_bool, env_int, env_str
from lsp_assess.settings import *  # noqa: F403
from lsp_assess.settings import ALLOWED_HOSTS, BASE_DIR, REDIS_URL

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random text.")
if not REDIS_URL:
    # Several app server processes must share one count of wrong join codes.
    raise ImproperlyConfigured("REDIS_URL must name the Redis server used as the shared cache.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) this site is served on.")

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe /healthz over plain HTTP inside the network; a redirect
# to HTTPS would read as a failed check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
