from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0014_answer_versions"),
    ]

    operations = []
