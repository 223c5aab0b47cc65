from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0010_anonymity"),
    ]

    operations = []
