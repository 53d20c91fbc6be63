"""python manage.py reconcile_wikidata FILE [--format text|csv] [--base-url URL]

Compares the registry with a Wikidata P190 query result (SPARQL JSON results format, the
query in ``partnerships/reconciliation.py`` and the README) and prints where they differ:
pairs only in Wikidata, pairs only in the registry, start years, end times against the
registry's status, and partners without a Wikidata ID. Reads only; writes nothing.
``FILE`` may be ``sample`` for the result file the project ships.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from partnerships.reconciliation import (
    SAMPLE_FILE,
    ResultFileError,
    reconcile_file,
    render_csv,
    render_text,
)


class Command(BaseCommand):
    help = (
        "Compare the registry with a Wikidata P190 query result (SPARQL JSON) and print the "
        "differences grouped by kind. Nothing is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the SPARQL JSON result file, or 'sample'")
        parser.add_argument("--format", choices=["text", "csv"], default="text")
        parser.add_argument(
            "--base-url",
            default="",
            help="prefix for the admin links, e.g. https://registry.example.org",
        )

    @no_translations
    def handle(self, *args, **options) -> None:
        path = SAMPLE_FILE if options["file"] == "sample" else Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        try:
            report = reconcile_file(data, source=path.name)
        except ResultFileError as error:
            raise CommandError(f"{path.name}: {error}") from None
        base_url = options["base_url"].rstrip("/")
        render = render_csv if options["format"] == "csv" else render_text
        self.stdout.write(render(report, base_url=base_url), ending="")
