"""The access helpers: who may reach a partnership's objects, then by which method.

The permission matrix (tests/test_permissions.py) walks every URL for every role;
these tests attack the order of the checks and the vocabulary of needs.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from tests.builders import make_user, make_workshop
from tests.conftest import Cast
from workshops import access
from workshops.access import Need
from workshops.models import Membership


@pytest.fixture
def post_only(cast: Cast, assessment) -> dict[str, str]:
    """One URL per kind of helper that takes POST only, with the role each needs."""
    participant = Membership.objects.get(partnership=cast.partnership, user=cast.participant)
    workshop = make_workshop(cast, assessment)
    ids = [cast.partnership.pk, assessment.pk]
    return {
        "manage": reverse("member-remove", args=[cast.partnership.pk, participant.pk]),
        "manage an assessment": reverse("assessment-remind", args=ids),
        "publish an assessment's summary": reverse("summary-publish", args=ids),
        "facilitate": reverse("workshop-control", args=[*ids, workshop.pk]),
        "facilitate an agenda item": reverse(
            "agenda-change", args=[*ids, workshop.pk, workshop.agenda.first().pk]
        ),
    }


@pytest.mark.parametrize("method", ["get", "head", "put", "delete"])
def test_an_outsider_gets_a_404_whatever_the_method(client, cast, post_only, method):
    client.force_login(cast.outsider)
    for name, url in post_only.items():
        response = getattr(client, method)(url)
        assert response.status_code == 404, name
        assert "Allow" not in response, name


@pytest.mark.parametrize("method", ["get", "head", "put"])
def test_a_member_without_the_role_gets_a_403_whatever_the_method(client, cast, post_only, method):
    client.force_login(cast.participant)
    for name, url in post_only.items():
        response = getattr(client, method)(url)
        assert response.status_code == 403, name
        assert "Allow" not in response, name


@pytest.mark.parametrize("method", ["get", "head", "put", "delete"])
def test_an_allowed_member_is_told_the_method_the_page_takes(client, cast, post_only, method):
    client.force_login(cast.coordinator)
    for name, url in post_only.items():
        response = getattr(client, method)(url)
        assert response.status_code == 405, name
        assert response["Allow"] == "POST", name
    # Refused before anything was done: the participant is still a member.
    assert cast.partnership.memberships.filter(user=cast.participant).exists()


def test_a_missing_object_is_a_404_before_the_method_is_checked(client, cast):
    client.force_login(cast.coordinator)
    theirs = Membership.objects.get(user=cast.outsider)
    response = client.get(reverse("member-remove", args=[cast.partnership.pk, theirs.pk]))
    assert response.status_code == 404


def test_a_page_that_only_shows_refuses_a_post_after_the_access_check(client, cast, assessment):
    url = reverse("plan-pdf-status", args=[cast.partnership.pk, assessment.pk])
    expected = {"outsider": 404, "participant": 403, "executive": 405, "coordinator": 405}
    for role, status in expected.items():
        client.force_login(cast.user(role))
        response = client.post(url)
        assert response.status_code == status, role
        if status == 405:
            assert response["Allow"] == "GET, HEAD"


def test_support_pages_check_staff_before_the_method(client, cast):
    url = reverse("support-account-reactivate", args=[cast.participant.pk])
    client.force_login(cast.coordinator)
    assert client.get(url).status_code == 403
    staff = make_user("support@lsp-assess.example.org", "Support")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


# Needs.


def test_needs_are_members_of_an_enum_so_a_misspelt_one_does_not_exist():
    assert Need["MANAGE"] is Need.MANAGE
    with pytest.raises(KeyError):
        Need["MANGE"]
    with pytest.raises(AttributeError):
        Need.MANGE  # noqa: B018 - the attribute look-up is what is tested


@pytest.mark.parametrize("need", ["manage", "MANAGE", "view", None])
def test_a_need_given_as_a_string_is_refused_even_for_a_coordinator(rf, cast, need):
    request = rf.get("/")
    request.user = cast.coordinator
    with pytest.raises(TypeError):
        access.get_partnership(request, cast.partnership.pk, need)


@pytest.mark.parametrize(
    "role, granted",
    [
        ("participant", {Need.VIEW}),
        ("executive", {Need.VIEW, Need.RESULTS}),
        ("facilitator", {Need.VIEW, Need.FACILITATE, Need.RESULTS}),
        ("coordinator", set(Need)),
    ],
)
def test_each_role_is_granted_its_needs_and_refused_the_rest(rf, cast, role, granted):
    request = rf.get("/")
    request.user = cast.user(role)
    for need in Need:
        if need in granted:
            partnership, membership = access.get_partnership(request, cast.partnership.pk, need)
            assert (partnership, membership.role) == (cast.partnership, role)
        else:
            with pytest.raises(PermissionDenied):
                access.get_partnership(request, cast.partnership.pk, need)


def test_the_method_is_checked_only_when_the_helper_is_told(rf, cast):
    request = rf.get("/")
    request.user = cast.coordinator
    assert access.get_partnership(request, cast.partnership.pk, Need.MANAGE)
    assert access.get_partnership(request, cast.partnership.pk, methods=access.READ_ONLY)
    with pytest.raises(access.MethodNotAllowed) as refused:
        access.get_partnership(request, cast.partnership.pk, methods=access.POST_ONLY)
    assert refused.value.allowed == ["POST"]
    request.user = cast.outsider
    with pytest.raises(Http404):
        access.get_partnership(request, cast.partnership.pk, methods=access.POST_ONLY)


def test_the_middleware_answers_only_for_a_refused_method(rf):
    middleware = access.MethodNotAllowedMiddleware(lambda request: None)
    request = rf.get("/")
    assert middleware.process_exception(request, ValueError("something else")) is None
    assert middleware.process_exception(request, Http404()) is None
    response = middleware.process_exception(request, access.MethodNotAllowed(access.READ_ONLY))
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
