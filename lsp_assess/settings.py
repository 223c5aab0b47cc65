"""Settings for LSP Assess, read from environment variables.

A fresh checkout runs with no environment at all: DEBUG on, a development
secret key and an SQLite file beside manage.py. Production sets DATABASE_URL,
SECRET_KEY and ALLOWED_HOSTS and uses ``lsp_assess.settings_production``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from lsp_assess.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-used-when-debug-is-off"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "django_ratelimit",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "questions",
    "workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the policy built once (lsp_assess.middleware).
    "lsp_assess.middleware.ContentSecurityPolicyMiddleware",
    # A phone's unchanged poll (304) and its script's vote need nothing below but the
    # CSRF check, which it makes itself: answered here, with the headers above. The
    # rest go on down.
    "lsp_assess.middleware.PhonePollMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Idle timeout and absolute lifetime of a signed-in session.
    "workshops.accounts.sessions.SessionLimitsMiddleware",
    # Roles in MFA_REQUIRED_ROLES set up a second factor before anything else.
    "workshops.accounts.mfa.RequireSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out sign-in into its own page (django-axes asks to be near the end).
    "axes.middleware.AxesMiddleware",
    # A view's access helper refuses a method it does not take (after the access
    # check) by raising; this answers 405 with the Allow header.
    "workshops.access.MethodNotAllowedMiddleware",
    # Last, so its process_exception is first to see a view's lost database: a 503 page.
    "lsp_assess.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "lsp_assess.urls"
WSGI_APPLICATION = "lsp_assess.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_config() -> dict:
    url = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    try:
        # Persistent connections with health checks: opening a PostgreSQL
        # connection per request cuts throughput about fourfold here, and the
        # health check quietly replaces a connection the server has dropped.
        # The check is a `SELECT 1` before a request's first query: a round trip,
        # which measured 0.9-1.5 ms of a 3.2 ms vote served in-process (0.15 ms in
        # the database alone). A phone's unchanged poll never reaches the database;
        # a vote skips the check and instead sends its one statement again on a new
        # connection if the server dropped the old one (services.voting._at_once).
        # Kept for every other request: without it the first request on each app
        # server process after a database restart or failover fails with the 503 page.
        # CONN_HEALTH_CHECKS=false turns it off (for measuring).
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("CONN_MAX_AGE", 600, minimum=0),
            conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from exc
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "workshops.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    # django-allauth signs people in by email address (and through single sign-on).
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify, and are upgraded to Argon2 at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves static files straight from static/ through the finders;
# production collects them into STATIC_ROOT (see settings_production).
WHITENOISE_USE_FINDERS = True

EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LSP Assess <no-reply@localhost>")

# Request sizes (Django's defaults, stated because gunicorn's limits in
# scripts/run_prod.sh and docs/deploy.md are set to agree with them).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# The address people reach this site on, for links in emails sent outside a
# request (reminders from a scheduler).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Invitation and reminder emails one partnership may send a day; the rest wait
# for the next day (workshops.services.mail).
PARTNERSHIP_EMAILS_PER_DAY = env_int("PARTNERSHIP_EMAILS_PER_DAY", 300, minimum=1)

# Days an emailed link to join a partnership works for (workshops.models.members).
MEMBER_INVITATION_DAYS = env_int("MEMBER_INVITATION_DAYS", 7, minimum=1)

# Groups smaller than this are never shown on their own in anonymous assessments.
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 3, minimum=1)
# Open answers (comments) in anonymous assessments need more people than figures do:
# what someone writes can point at them. Never below MIN_GROUP_SIZE.
MIN_GROUP_SIZE_COMMENTS = env_int("MIN_GROUP_SIZE_COMMENTS", 5, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.8.0"

# The instrument shipped with the product; load_question_bank reads it by default.
QUESTION_BANK_PATH = BASE_DIR / "fixtures" / "question_bank.yaml"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs a line per layout step at INFO; keep its warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pikepdf says at INFO that it has started its logging, once in every process.
        "pikepdf": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# The cache holds the guess counters (wrong workshop codes and personal links),
# which every app server process must share: Redis (REDIS_URL), or where there is
# no Redis a table in the database (CACHE_BACKEND=database, after
# `manage.py createcachetable`). "memory" keeps a count per process: fine for one
# development server, refused in production.
REDIS_URL = env_str("REDIS_URL", "")
CACHE_BACKEND = env_str("CACHE_BACKEND", "redis" if REDIS_URL else "memory").strip().lower()
_CACHE_BACKENDS = {
    "redis": {
        # Django's, with django-allauth's rate limits failing open (lsp_assess.cache).
        "BACKEND": "lsp_assess.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that stops answering must not hold a request for long: the site works on
        # without the cache (see /healthz and workshops.throttle).
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    },
    # Django's database cache, with an increment that is atomic (see lsp_assess.cache).
    "database": {"BACKEND": "lsp_assess.cache.DatabaseCache", "LOCATION": "lsp_assess_cache"},
    "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
if CACHE_BACKEND not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(
        f"CACHE_BACKEND={CACHE_BACKEND!r} is not one of: {', '.join(_CACHE_BACKENDS)}."
    )
if CACHE_BACKEND == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("CACHE_BACKEND=redis needs REDIS_URL, the Redis server's URL.")
CACHES = {"default": _CACHE_BACKENDS[CACHE_BACKEND]}
# django-ratelimit lists only third-party Redis backends as supported; Django's
# own Redis backend and our database cache increment atomically too. Its "not
# shared" error is true of the memory cache, which production refuses.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    ["django_ratelimit.E003"] if CACHE_BACKEND == "memory" else []
)
# Guessing workshop codes and personal links (workshops.throttle): after
# GUESSES_ALLOWED wrong ones, a network waits 1, 2, 4… seconds, up to
# GUESS_WAIT_MAX_SECONDS, before its next wrong guess. A right one always works.
GUESSES_ALLOWED = env_int("GUESSES_ALLOWED", 10, minimum=0)
GUESS_WAIT_MAX_SECONDS = env_int("GUESS_WAIT_MAX_SECONDS", 300, minimum=1)
# Phones joining one workshop from one network before the facilitator must let
# each new one in: PERCENT of the people expected, plus EXTRA (a venue's Wi-Fi).
WORKSHOP_PHONES_PER_NETWORK_PERCENT = env_int("WORKSHOP_PHONES_PER_NETWORK_PERCENT", 150, minimum=0)
WORKSHOP_PHONES_PER_NETWORK_EXTRA = env_int("WORKSHOP_PHONES_PER_NETWORK_EXTRA", 10, minimum=0)

# Content Security Policy: everything from this site, nothing inline, no
# framing. Scripts and styles live in static/, so 'unsafe-inline' is never
# needed; an injected <script> or style attribute is refused by the browser.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sign-in guessing: after LOGIN_FAILURE_LIMIT wrong passwords for one account
# from one address, that pair is refused for LOGIN_COOLOFF_MINUTES. Counting the
# pair (not the account alone) means nobody can lock a coordinator out from
# elsewhere; the attempts are kept in the database, so every app server sees them.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# Password spraying (a few guesses at each of many accounts) is held off by a
# second, higher limit on all failures from one address (workshops.signin).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "workshops.signin.SignInHandler"
AXES_USERNAME_CALLABLE = "workshops.throttle.sign_in_name"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Where the guess counters read a client's address. Without proxies, the
# connection's own address: an X-Forwarded-For header sent by a client is
# ignored, or every guess could claim a new address. Behind N reverse proxies
# that each append to X-Forwarded-For, set TRUSTED_PROXY_COUNT=N.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
RATELIMIT_IP_META_KEY = "workshops.throttle.client_address"
AXES_CLIENT_IP_CALLABLE = "workshops.throttle.client_address"

# Improvement plan PDFs: with PDF_WORKER on, a download only asks for the render
# and `manage.py run_pdf_worker` (a separate process) does it, so no app server
# worker is held for a second or two per PDF. Off, the request renders it, which
# keeps `make run` to one process; in both, many downloads at once cause one render.
PDF_WORKER = env_bool("PDF_WORKER", False)

# CSV imports of more rows than this are run by that same worker, and the
# coordinator watches a progress page; with PDF_WORKER off they run in the request.
IMPORT_INLINE_ROWS = env_int("IMPORT_INLINE_ROWS", 2000, minimum=1)

# Invitations (with their personal links) and workshop join records older than
# this many days are deleted by `manage.py purge_expired`; answers are kept.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 730, minimum=1)


# -- Passwords --
# Accounts (django-allauth). People sign in with their email address; accounts
# are made only by accepting an invitation (workshops.accounts.adapter), so the
# address is known to work and needs no separate confirmation.
ACCOUNT_ADAPTER = "workshops.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# Pages never say whether an address has an account (sign-in, password reset).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "LSP Assess: "
# A reset asked for an address with no account sends nothing: mail to addresses
# someone typed in is not ours to send.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_FORMS = {"login": "workshops.accounts.forms.LoginForm"}
# A password reset link works once (it changes the password it was made from)
# and for this many minutes.
PASSWORD_RESET_TIMEOUT = 60 * env_int("PASSWORD_RESET_MINUTES", 60, minimum=5)
# Wrong passwords are django-axes's to count (above); allauth limits the rest.
# "key" is the email address asked about, "ip" the network asking.
ACCOUNT_RATE_LIMITS = {
    "login_failed": False,
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "manage_email": "10/m/user",
    "signup": "20/m/ip",
    "login": "30/m/ip",
}
# The reset form and its link, in the site's words (workshops.accounts.adapter).
ACCOUNT_FORMS |= {
    "reset_password": "workshops.accounts.adapter.ResetPasswordForm",
    "user_token": "workshops.accounts.adapter.ResetLinkForm",
    "reset_password_from_key": "workshops.accounts.adapter.ResetPasswordKeyForm",
    "change_password": "workshops.accounts.adapter.ChangePasswordForm",
    "set_password": "workshops.accounts.adapter.SetPasswordForm",
}

# Invitations to join a partnership go to any address a coordinator types in, from
# our address (workshops.services.member_invitations). Besides the partnership's daily
# allowance (PARTNERSHIP_EMAILS_PER_DAY): at most this many invitation emails to
# one address from one partnership in a day, resends included…
MEMBER_INVITATION_EMAILS_PER_ADDRESS = env_int("MEMBER_INVITATION_EMAILS_PER_ADDRESS", 3, minimum=1)
# …and at most this many invitations (or resends) one person sends in an hour,
# across every partnership they belong to (support staff setting partnerships up too).
MEMBER_INVITATIONS_PER_SENDER_PER_HOUR = env_int(
    "MEMBER_INVITATIONS_PER_SENDER_PER_HOUR", 30, minimum=1
)

# -- Passwords (end) --

# -- Second factors --
# Second factors: an authenticator app (TOTP), recovery codes, and passkeys or
# security keys (WebAuthn). People in MFA_REQUIRED_ROLES (membership roles, and
# "staff" for support staff) must set one up before they can do anything else;
# "none" makes it optional for everyone (the demo).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "LSP Assess"
# Browsers allow passkeys on https:// and on this machine's own http://127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_REQUIRED_ROLES = [
    role for role in env_list("MFA_REQUIRED_ROLES", ["coordinator", "staff"]) if role != "none"
]
# Plain wording, and a limit on guessing codes (workshops.accounts.mfa): after
# MFA_CODE_FAILURE_LIMIT wrong codes an account's code entry waits
# MFA_CODE_COOLOFF_MINUTES. allauth's own limit is tied to the password limit,
# which django-axes does instead.
MFA_ADAPTER = "workshops.accounts.mfa.MFAAdapter"
MFA_FORMS = {
    "authenticate": "workshops.accounts.mfa.AuthenticateForm",
    "reauthenticate": "workshops.accounts.mfa.ReauthenticateForm",
    "activate_totp": "workshops.accounts.mfa.ActivateTOTPForm",
}
MFA_CODE_FAILURE_LIMIT = env_int("MFA_CODE_FAILURE_LIMIT", 5, minimum=1)
MFA_CODE_COOLOFF_MINUTES = env_int("MFA_CODE_COOLOFF_MINUTES", 15, minimum=1)
# A phone's clock a little out: the code of the 30 seconds before or after works too
# (once: a code used is refused for the whole window).
MFA_TOTP_TOLERANCE = 1

# -- Second factors (end) --

# -- Single sign-on --
# Single sign-on through an organisation's own OpenID Connect provider (Microsoft
# Entra ID and others). Support staff list the providers and the email domains
# each serves (workshops.accounts.sso); each client secret is read from the
# environment variable the provider names, never stored in the database.
SOCIALACCOUNT_ADAPTER = "workshops.accounts.sso.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# The page listing an account's links to organisation sign-ins, in our words.
SOCIALACCOUNT_FORMS = {"disconnect": "workshops.forms.sso.DisconnectForm"}
# Seconds to wait for a provider (discovery, token, keys, userinfo) before the
# sign-in says it cannot be reached.
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SSO_REQUESTS_TIMEOUT", 10, minimum=1)

# -- Single sign-on (end) --

# -- Sessions --
# Sessions: signed out after SESSION_IDLE_MINUTES without a request (a running
# workshop's console keeps itself alive), and SESSION_LIFETIME_HOURS after signing
# in, whatever happens.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_LIFETIME_HOURS = env_int("SESSION_LIFETIME_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_LIFETIME_HOURS * 3600
# The session list's "sign out of all other devices" is recorded in the audit log.
USERSESSIONS_ADAPTER = "workshops.accounts.sessions.UserSessionsAdapter"
# -- Sessions (end) --
