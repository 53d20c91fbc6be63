"""The management-command face of an importer: ``FILE [--dry-run]`` and the report."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from partnerships.importing.base import Importer


class ImportCommand(BaseCommand):
    importer_class: type[Importer]

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", help="CSV file (UTF-8 or Windows-1252, ',' or ';' separated) or XLSX workbook"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen, write nothing"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar even on a terminal"
        )

    def make_importer(self, options) -> Importer:
        return self.importer_class()

    def handle(self, *args, **options) -> None:
        with translation.override("en"):
            self.run_import(options)

    def run_import(self, options) -> None:
        importer = self.make_importer(options)
        report = importer.run(
            options["file"],
            dry_run=options["dry_run"],
            progress=False if options["no_progress"] else None,
        )
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
