"""Second factors: who must have one (MFA_REQUIRED_ROLES), the audit log of
adding, removing and resetting them, and support staff's reset.

django-allauth does the work (its views, forms, TOTP and WebAuthn); this module
decides who may not go on without a second factor, words its messages plainly,
limits guessing of codes and records what happens in the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

from allauth.mfa import signals
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from workshops import audit
from workshops.accounts.sessions import end_all_sessions
from workshops.models import Membership

log = logging.getLogger(__name__)

# What counts as a second factor. Recovery codes alone do not: they are the way
# back in when the real one is lost, and allauth makes them alongside it.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# "staff" in MFA_REQUIRED_ROLES means support staff (User.is_staff); the rest are
# membership roles in any partnership.
STAFF = "staff"

# What someone who must set up a second factor may still reach: the pages that
# set one up (allauth's mfa_* pages, and confirming their password first), signing
# out, and pages that hold nothing of anyone's.
ALLOWED_WITHOUT_SECOND_FACTOR = frozenset(
    {
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "logout",
        "account_logout",
        "healthz",
        "accessibility",
    }
)
SET_UP_PAGES = "mfa_"  # allauth names every page of its two-factor app so


def must_set_up_second_factor(user, roles: list[str]) -> bool:
    """Whether ``user`` holds a role in ``roles`` and has no TOTP or WebAuthn
    authenticator: at most one query, on the indexed user columns.

    Written as SQL because it runs on every signed-in request: the ORM took ten
    times longer to build this query than the database took to answer it.
    """
    member_roles = tuple(role for role in roles if role != STAFF)
    staff = bool(user.is_staff and STAFF in roles)
    if not staff and not member_roles:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            _missing_factor_sql(len(member_roles), staff),
            _missing_factor_params(user.pk, member_roles, staff),
        )
        return cursor.fetchone() is not None


@lru_cache(maxsize=32)
def _missing_factor_sql(member_roles: int, staff: bool) -> str:
    # Only the models' own table and column names go into the text; every value is a
    # bound parameter (_missing_factor_params).
    q = connection.ops.quote_name
    factors_table, members_table = q(Authenticator._meta.db_table), q(Membership._meta.db_table)
    user_id, kind, role = q("user_id"), q("type"), q("role")
    factors = f"SELECT 1 FROM {factors_table} WHERE {user_id} = %s AND {kind} IN (%s, %s)"  # noqa: S608
    if staff:
        # Support staff must have one whatever their memberships.
        return f"SELECT 1 WHERE NOT EXISTS ({factors})"
    roles = ", ".join(["%s"] * member_roles)
    members = f"SELECT 1 FROM {members_table} WHERE {user_id} = %s AND {role} IN ({roles})"  # noqa: S608
    return f"{members} AND NOT EXISTS ({factors}) LIMIT 1"


def _missing_factor_params(user_id: int, member_roles: tuple[str, ...], staff: bool) -> list:
    factors = [user_id, *SECOND_FACTORS]
    return factors if staff else [user_id, *member_roles, *factors]


class RequireSecondFactorMiddleware:
    """Sends anyone in MFA_REQUIRED_ROLES without a second factor to set one up.

    Checked in ``process_view`` so the URL's name is known. Requests without a
    session cookie (visitors, and the phones that poll a workshop every second)
    are passed without reading the session or the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        roles = settings.MFA_REQUIRED_ROLES
        if not roles or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in ALLOWED_WITHOUT_SECOND_FACTOR:
            return None
        user = request.user
        if not user.is_authenticated or not must_set_up_second_factor(user, roles):
            return None
        if name.startswith(SET_UP_PAGES):
            # The set-up pages say why they are shown (templates/mfa/index.html).
            request.second_factor_required = True
            return None
        if _wants_json(request):
            return JsonResponse(
                {"error": "Set up two-factor sign-in before you go on.", "url": _set_up_url()},
                status=403,
            )
        return redirect(_set_up_url())


def _set_up_url() -> str:
    return reverse("mfa_index")


def _wants_json(request: HttpRequest) -> bool:
    # The pages' scripts poll and post asking for JSON; a redirect to an HTML page
    # would only confuse them.
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


# Plain words, and a limit on guessing codes. allauth's own limit on wrong codes
# rides on its "login_failed" rate limit, which is off here because django-axes
# counts wrong passwords (settings: ACCOUNT_RATE_LIMITS), so codes have their own.


def _failures_key(user) -> str:
    return f"mfa-code-failures:{user.pk}"


def _count_failure(user) -> None:
    key = _failures_key(user)
    timeout = settings.MFA_CODE_COOLOFF_MINUTES * 60
    if not cache.add(key, 1, timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout)


class _LimitedCodeForm:
    wrong_code = "The code is not right, or it has been used already."

    def clean_code(self) -> str:
        try:
            return self._checked_code()
        except ValidationError:
            raise
        except Exception:  # noqa: BLE001 - any failure of the shared cache
            # Whether a code was used before, and how many were wrong, is kept in the
            # shared cache. Without it a code is refused plainly rather than taken
            # unchecked (a replayed code would pass) or answered with an error page.
            log.exception("Second-factor code refused: the shared cache cannot be reached")
            raise ValidationError(
                "Codes cannot be checked just now. Try again in a minute, or ask "
                "support staff if this goes on.",
                code="unavailable",
            ) from None

    def _checked_code(self) -> str:
        user = self.user
        if (cache.get(_failures_key(user)) or 0) >= settings.MFA_CODE_FAILURE_LIMIT:
            raise ValidationError(
                "Too many wrong codes. Wait "
                f"{settings.MFA_CODE_COOLOFF_MINUTES} minutes, then try again.",
                code="too_many_codes",
            )
        try:
            return super().clean_code()
        except ValidationError as error:
            if error.code != "incorrect_code":
                raise
            _count_failure(user)
            raise ValidationError(self.wrong_code, code="incorrect_code") from None


class AuthenticateForm(_LimitedCodeForm, AllauthAuthenticateForm):
    wrong_code = (
        "The code is not right, or it has been used already. Enter the code your "
        "authenticator app shows now, or one of your recovery codes you have not used."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app, or a recovery code"
        self.fields["code"].widget.attrs.pop("placeholder", None)
        self.fields["code"].error_messages["required"] = (
            "Enter the code from your authenticator app, or a recovery code."
        )


class ReauthenticateForm(_LimitedCodeForm, AllauthReauthenticateForm):
    wrong_code = AuthenticateForm.wrong_code

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app, or a recovery code"
        self.fields["code"].widget.attrs.pop("placeholder", None)
        self.fields["code"].error_messages["required"] = (
            "Enter the code from your authenticator app, or a recovery code."
        )


class ActivateTOTPForm(_LimitedCodeForm, AllauthActivateTOTPForm):
    wrong_code = "The code is not right. Enter the 6-digit code your authenticator app shows now."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = "The 6-digit code it shows now, for example 123456."
        self.fields["code"].widget.attrs.pop("placeholder", None)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
        self.fields["code"].error_messages["required"] = (
            "Enter the code from your authenticator app."
        )


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": AuthenticateForm.wrong_code,
        "cannot_delete_authenticator": "You cannot turn off two-factor sign-in.",
        "cannot_generate_recovery_codes": (
            "Set up an authenticator app or a passkey before making recovery codes."
        ),
        "unverified_email": (
            "Your email address must be confirmed before you can set up two-factor sign-in."
        ),
    }

    def get_totp_issuer(self) -> str:
        return settings.MFA_TOTP_ISSUER

    def generate_authenticator_name(self, user, type: Authenticator.Type) -> str:
        n = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return "Passkey" if n == 0 else f"Passkey {n + 1}"

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # The name browsers show when asking to use a passkey: the product, not a host.
        entity = super().get_public_key_credential_rp_entity()
        return {**entity, "name": settings.MFA_TOTP_ISSUER}


# The audit log.


def describe(authenticator: Authenticator) -> str:
    """What a second factor is, in the words the pages use."""
    if authenticator.type == Authenticator.Type.TOTP:
        return "an authenticator app"
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        name = authenticator.wrap().name
        return f"a passkey or security key ({name})" if name else "a passkey or security key"
    return "recovery codes"


@receiver(signals.authenticator_added, dispatch_uid="audit_mfa_added")
def _added(sender, request, user, authenticator, **kwargs) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        summary = "Recovery codes were made, to sign in with if the second factor is lost."
    else:
        summary = f"Added {describe(authenticator)} as a second factor."
    audit.record("account.mfa_added", summary, account=user, request=request)


@receiver(signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def _removed(sender, request, user, authenticator, **kwargs) -> None:
    audit.record(
        "account.mfa_removed",
        f"Removed {describe(authenticator)} as a second factor.",
        account=user,
        request=request,
    )


@receiver(signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def _reset(sender, request, user, authenticator, **kwargs) -> None:
    audit.record(
        "account.mfa_recovery_codes_replaced",
        "Made new recovery codes; the old ones no longer work.",
        account=user,
        request=request,
    )


@receiver(signals.authenticator_used, dispatch_uid="audit_mfa_used")
def _used(sender, request, user, authenticator, **kwargs) -> None:
    # Signing in itself is logged with the other sign-in events; a recovery code
    # used up is worth its own line (the person may have lost their device).
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        return
    # Read again: the instance allauth passes may predate the code being marked used.
    stored = Authenticator.objects.filter(pk=authenticator.pk).first()
    left = len(stored.wrap().get_unused_codes()) if stored else 0
    audit.record(
        "account.mfa_recovery_code_used",
        f"Used a recovery code as the second factor ({left} left).",
        account=user,
        request=request,
    )


@receiver(signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def _failed(sender, request, user, authenticator, **kwargs) -> None:
    audit.record(
        "account.mfa_failed",
        "A wrong two-factor code was entered.",
        account=user,
        request=request,
    )


# Support staff's reset, for someone who has lost their device and their codes.


class ResetRefused(Exception):
    """Why a reset cannot be done; the words are shown to support staff."""


@transaction.atomic
def reset_second_factors(account, by, request: HttpRequest | None = None) -> int:
    """Remove every second factor and recovery code of ``account``, end its
    sessions (a lost device may still be signed in) and log who did it.

    Returns how many authenticators were removed. Support staff may not reset
    their own: that would turn a stolen password into a way round the second factor.
    """
    if account.pk == by.pk:
        raise ResetRefused(
            "You cannot reset your own two-factor sign-in. Ask another member of support staff."
        )
    authenticators = list(Authenticator.objects.select_for_update().filter(user_id=account.pk))
    if not authenticators:
        raise ResetRefused(f"{account.email} has no two-factor sign-in to reset.")
    Authenticator.objects.filter(pk__in=[a.pk for a in authenticators]).delete()
    removed = ", ".join(sorted({describe(a) for a in authenticators}))
    audit.record(
        "account.mfa_reset",
        f"Support staff reset two-factor sign-in (removed {removed}).",
        account=account,
        by=by,
        request=request,
    )
    end_all_sessions(account)
    return len(authenticators)
