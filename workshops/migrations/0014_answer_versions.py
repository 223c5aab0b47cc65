from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0013_member_invitations"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1),
        ),
        migrations.AddField(
            model_name="evidencenote",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1),
        ),
    ]
