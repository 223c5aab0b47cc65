import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0008_plan_pdfs"),
    ]

    operations = [
        migrations.AddField(
            model_name="workshop",
            name="expected",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Left empty: everyone in the partnership's list of people.",
                null=True,
                verbose_name="People expected",
            ),
        ),
        migrations.CreateModel(
            name="WaitingPhone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("coordinator", "LSP coordinator"),
                            ("chair", "Chair"),
                            ("board_member", "Board member"),
                            ("executive", "Executive"),
                            ("theme_lead", "Theme or operational lead"),
                            ("elected_member", "Elected member"),
                            ("scrutiny_member", "Scrutiny member"),
                            ("officer", "Officer"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "sector",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("public", "Public sector"),
                            ("private", "Private sector"),
                            ("third", "Third sector"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "layer",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("strategic", "Strategic (board)"),
                            ("executive", "Executive"),
                            ("operational", "Operational or thematic"),
                        ],
                        max_length=20,
                    ),
                ),
                ("network", models.CharField(max_length=64)),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting"),
                            ("admitted", "Let in"),
                            ("turned_away", "Turned away"),
                        ],
                        default="waiting",
                        max_length=12,
                    ),
                ),
                ("asked_at", models.DateTimeField(auto_now_add=True)),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="workshops.respondent",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workshops.person",
                    ),
                ),
                (
                    "workshop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="waiting_phones",
                        to="workshops.workshop",
                    ),
                ),
            ],
            options={
                "ordering": ["asked_at", "pk"],
            },
        ),
    ]
