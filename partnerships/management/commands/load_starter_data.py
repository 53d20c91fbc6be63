"""python manage.py load_starter_data: the real starter data shipped with the project.

The files are imported in order, then every municipality is matched to the GeoNames
gazetteer (``refresh_gazetteer``) for its names in every language.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from partnerships import gazetteer
from partnerships.importing.initiatives import InitiativeImporter
from partnerships.importing.municipalities import MunicipalityReferenceImporter
from partnerships.importing.partnerships import PartnershipImporter
from partnerships.importing.signatories import SignatoryImporter
from partnerships.importing.status_events import StatusEventImporter

STARTER = Path(__file__).resolve().parents[2] / "data" / "starter"

# Order matters: partnerships create the municipalities the other files refer to.
STEPS = [
    (PartnershipImporter, "partnerships-de-ru.csv"),
    (MunicipalityReferenceImporter, "municipalities-reference.csv"),
    (StatusEventImporter, "status-events-dated.csv"),
    (InitiativeImporter, "initiatives-de-ru.csv"),
    (SignatoryImporter, "appeal-2020-signatories.csv"),
]


class Command(BaseCommand):
    help = "Import the starter data (partnerships, reference data, initiatives, signatories)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options) -> None:
        # One transaction for all files: a failure in any leaves the registry untouched.
        with translation.override("en"), transaction.atomic():
            for importer_class, filename in STEPS:
                report = importer_class().run(STARTER / filename, dry_run=options["dry_run"])
                if not report.ok:
                    raise CommandError(report.summary())
                self.stdout.write(report.summary())
            if not options["dry_run"]:
                # Names in every language for the towns just imported (GeoNames).
                self.stdout.write(gazetteer.refresh().summary())
