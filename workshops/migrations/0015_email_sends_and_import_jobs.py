import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0014_answer_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailSend",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("invitation", "Invitation to answer"),
                            ("reminder", "Reminder to answer"),
                            ("member", "Invitation to join the partnership"),
                        ],
                        max_length=12,
                    ),
                ),
                ("to", models.EmailField(max_length=254)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sent", "Sent"),
                            ("failed", "Could not be sent"),
                            ("cancelled", "No longer needed"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True, help_text="Why the last try failed, or why it was not sent."
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "invitation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_sends",
                        to="workshops.invitation",
                    ),
                ),
                (
                    "member_invitation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_sends",
                        to="workshops.memberinvitation",
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_sends",
                        to="workshops.partnership",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("state__in", ["pending", "failed"])),
                        fields=["claimed_at"],
                        name="email_send_queue",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("invitees", "People to invite"), ("responses", "Answers")],
                        max_length=10,
                    ),
                ),
                ("data", models.TextField(blank=True)),
                ("digest", models.CharField(max_length=64)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to start"),
                            ("running", "Importing"),
                            ("done", "Imported"),
                            ("failed", "Not imported"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                (
                    "step",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting for its turn"),
                            ("checking", "Checking every row"),
                            ("storing", "Storing the rows"),
                            ("emailing", "Sending the invitation emails"),
                            ("finished", "Finished"),
                        ],
                        default="waiting",
                        max_length=10,
                    ),
                ),
                ("rows", models.PositiveIntegerField(default=0, help_text="Rows in the file.")),
                ("emails_to_send", models.PositiveIntegerField(default=0)),
                ("emails_sent", models.PositiveIntegerField(default=0)),
                ("emails_failed", models.PositiveIntegerField(default=0)),
                ("problems", models.JSONField(blank=True, default=list)),
                ("summary", models.TextField(blank=True)),
                ("warning", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="import_jobs",
                        to="workshops.assessment",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("state__in", ["pending", "running"])),
                        fields=["created_at"],
                        name="import_job_queue",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state__in", ["pending", "running"])),
                        fields=("assessment", "kind", "digest"),
                        name="one_unfinished_import_per_file",
                    )
                ],
            },
        ),
    ]
