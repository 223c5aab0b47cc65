# Entries written before the audit log kept action codes get one, so every entry has a
# code. Those written from the success message a coordinator saw become "message" and
# the audit page goes on showing their stored words; the one change recorded without a
# message, support staff verifying a partnership, gets its own code.

from django.db import migrations

# As the services wrote it (workshops.services.partnership), and as the audit page's
# words for "partnership.verified" still read.
VERIFIED = "Partnership verified by support staff."


def give_codes(apps, schema_editor):
    AuditEvent = apps.get_model("workshops", "AuditEvent")
    old = AuditEvent.objects.filter(action="")
    old.filter(summary=VERIFIED, account=None).update(action="partnership.verified")
    old.update(action="message")


def take_codes_away(apps, schema_editor):
    AuditEvent = apps.get_model("workshops", "AuditEvent")
    # Only entries with no data: ones recorded since (with data) keep their code.
    old = AuditEvent.objects.filter(data={}, target="")
    old.filter(action__in=["message", "partnership.verified"]).update(action="")


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0018_audit_targets_and_data"),
    ]

    operations = [migrations.RunPython(give_codes, take_codes_away)]
