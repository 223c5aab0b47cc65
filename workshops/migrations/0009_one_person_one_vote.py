from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0008_plan_pdfs"),
    ]

    operations = []
