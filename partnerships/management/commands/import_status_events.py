"""python manage.py import_status_events FILE [--dry-run]"""

from partnerships.importing.command import ImportCommand
from partnerships.importing.status_events import StatusEventImporter


class Command(ImportCommand):
    help = "Import dated status statements (german_name, russian_name_cyrillic, status, date, date_precision, event, source). All or nothing; idempotent."
    importer_class = StatusEventImporter
