from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0011_verified_partnerships"),
    ]

    operations = []
