from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL extensions the registry relies on: trigram search and accent folding."""

    initial = True
    dependencies = []
    operations = [TrigramExtension(), UnaccentExtension()]
