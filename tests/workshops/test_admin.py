"""The admin site's own actions (workshops/admin.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.builders import make_staff
from tests.conftest import Cast
from workshops.models import Partnership


def test_support_staff_can_verify_from_the_admin_site_too(client, cast: Cast):
    staff = make_staff()
    staff.is_superuser = True
    staff.save()
    Partnership.objects.filter(pk=cast.partnership.pk).update(verified_at=None)
    client.force_login(staff)
    response = client.post(
        reverse("admin:workshops_partnership_changelist"),
        {"action": "verify", "_selected_action": [cast.partnership.pk]},
        follow=True,
    )
    assert "1 partnership verified." in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.verified_by == staff
    assert cast.partnership.audit_events.get().summary == "Partnership verified by support staff."
