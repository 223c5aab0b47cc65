# Single sign-on providers: filled in by the change that adds them.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workshops", "0016_account_audit")]
    operations = []
