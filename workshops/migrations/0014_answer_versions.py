from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0013_member_invitations"),
    ]

    operations = []
