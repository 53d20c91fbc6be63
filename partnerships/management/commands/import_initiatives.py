"""python manage.py import_initiatives FILE [--dry-run]"""

from partnerships.importing.command import ImportCommand
from partnerships.importing.initiatives import InitiativeImporter


class Command(ImportCommand):
    help = "Import initiatives (name, kind, seat_municipality, partnership_german, partnership_russian, website, founded_year, source). All or nothing; idempotent."
    importer_class = InitiativeImporter
