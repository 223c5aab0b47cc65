from django.db import migrations, models

IN_PLAN = ["not_started", "in_progress", "blocked", "done"]


def mark_agreed_actions(apps, schema_editor):
    """Actions already in an agreed plan, and made before it was agreed, were agreed in it."""
    ImprovementPlan = apps.get_model("workshops", "ImprovementPlan")
    Action = apps.get_model("workshops", "Action")
    for plan in ImprovementPlan.objects.filter(version__gt=0, agreed_at__isnull=False):
        Action.objects.filter(
            assessment_id=plan.assessment_id,
            status__in=IN_PLAN,
            created_at__lte=plan.agreed_at,
        ).update(agreed_in=plan.version)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0011_verified_partnerships"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="agreed_in",
            field=models.PositiveIntegerField(
                blank=True, help_text="The plan version the board first agreed it in.", null=True
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="withdrawn_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="action",
            name="status",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed"),
                    ("rejected", "Rejected"),
                    ("not_started", "Not started"),
                    ("in_progress", "In progress"),
                    ("done", "Done"),
                    ("blocked", "Blocked"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="proposed",
                max_length=12,
            ),
        ),
        migrations.RunPython(mark_agreed_actions, migrations.RunPython.noop),
    ]
