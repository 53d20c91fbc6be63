"""python manage.py refresh_gazetteer [--dry-run]: names from the GeoNames gazetteer.

Matches every municipality to its GeoNames entry (country, coordinates and name), stores
the GeoNames ID and the gazetteer's names (searched), and fills the Russian display name of
German partners from the gazetteer or by transcription (``partnerships.gazetteer`` has the
rules). An editor's Russian name is never replaced. Run it after adding municipalities;
a second run changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from partnerships import gazetteer


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Match the municipalities to GeoNames (ID, names in every script) and fill the "
        "Russian names of German partners. Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change, change nothing."
        )

    def handle(self, *args, **options) -> None:
        try:
            with transaction.atomic():
                counts = gazetteer.refresh()
                if options["dry_run"]:
                    raise DryRun
        except DryRun:
            self.stdout.write("Dry run: nothing was saved.")
        self.stdout.write(counts.summary())
