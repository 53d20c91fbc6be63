"""python manage.py import_partnerships FILE [--dry-run]"""

from partnerships.importing.command import ImportCommand
from partnerships.importing.partnerships import PartnershipImporter


class Command(ImportCommand):
    help = (
        "Import partnerships from a CSV file in the starter-data format "
        "(german_name, german_state, russian_name_latin, russian_name_cyrillic, russian_region, "
        "kind, since_year, status, source). All or nothing; idempotent."
    )
    importer_class = PartnershipImporter
