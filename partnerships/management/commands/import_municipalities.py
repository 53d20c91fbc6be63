"""python manage.py import_municipalities FILE [--dry-run]"""

from partnerships.importing.command import ImportCommand
from partnerships.importing.municipalities import MunicipalityReferenceImporter


class Command(ImportCommand):
    help = "Import reference data for municipalities (country, name_in_file, wikidata_qid, lat, lon, official_code, name_en, name_de, source). All or nothing; idempotent."
    importer_class = MunicipalityReferenceImporter
