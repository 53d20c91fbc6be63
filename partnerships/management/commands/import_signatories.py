"""python manage.py import_signatories FILE [--appeal SLUG] [--dry-run]"""

from partnerships.importing.command import ImportCommand
from partnerships.importing.signatories import DEFAULT_APPEAL, SignatoryImporter


class Command(ImportCommand):
    help = (
        "Import signatories of an appeal (name, role, organisation, municipality, source). "
        "All or nothing; idempotent."
    )
    importer_class = SignatoryImporter

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--appeal", default=DEFAULT_APPEAL, help="the appeal's permalink")

    def make_importer(self, options) -> SignatoryImporter:
        return SignatoryImporter(appeal_slug=options["appeal"])
