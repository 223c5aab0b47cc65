from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0009_one_person_one_vote"),
    ]

    operations = []
