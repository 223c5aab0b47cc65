import hashlib

import django.db.models.deletion
from django.db import migrations, models


def links_from_tokens(apps, schema_editor):
    """Each invitation's token becomes a personal link holding only its hash, so
    links already emailed keep working and the database no longer holds them."""
    Invitation = apps.get_model("workshops", "Invitation")
    PersonalLink = apps.get_model("workshops", "PersonalLink")
    links = []
    for pk, token, sent_at, email in Invitation.objects.values_list(
        "pk", "token", "sent_at", "person__email"
    ).iterator():
        links.append(
            PersonalLink(invitation_id=pk, token_hash=hashlib.sha256(token.encode()).hexdigest())
        )
        if sent_at is not None:
            # The best record there is of where the link went.
            Invitation.objects.filter(pk=pk).update(sent_to=email)
    PersonalLink.objects.bulk_create(links, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0009_one_person_one_vote"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="sent_to",
            field=models.EmailField(
                blank=True,
                help_text=(
                    "The address the link was first emailed to; reminders go there "
                    "and nowhere else."
                ),
                max_length=254,
            ),
        ),
        migrations.CreateModel(
            name="PersonalLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "token_hash",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="token"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "invitation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="workshops.invitation",
                    ),
                ),
            ],
        ),
        migrations.RunPython(links_from_tokens, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="invitation",
            name="token",
        ),
    ]
