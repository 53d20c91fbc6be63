"""Importing partnerships: the starter-data format and the registry's own CSV export.

The starter format (``partnerships-de-ru.csv``) is the importer's own; a file with the
columns of the registry's partnership export (``docs/EXPORTS.md``) is mapped onto it, so
that both go through the same matching and the same rules.
"""

from __future__ import annotations

from partnerships.exports import FORMULA_PREFIXES
from partnerships.importing.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    FileFormat,
    Importer,
    parse_year,
    split_sources,
)
from partnerships.importing.errors import RowError
from partnerships.models import Partnership, PartnershipSource, StatusEvent
from partnerships.models.partnerships import FIRST_YEAR, LAST_YEAR
from partnerships.vocabulary import (
    KIND_WORDING,
    STATUS_WORDING,
    WIKIDATA_2016_MARKER,
    Country,
    PartnershipKind,
    Status,
)

REGISTRY_EXPORT = "registry export"
# The registry's export column -> the starter column it carries.
EXPORT_COLUMNS = {
    "german_partner": "german_name",
    "german_land": "german_state",
    "russian_partner_de": "russian_name_latin",
    "russian_partner_cyrillic": "russian_name_cyrillic",
    "russian_region": "russian_region",
    "kind": "kind_code",
    "since_year": "since_year",
    "status": "status",
    "sources": "source",
}


def source_fields(text: str) -> dict[str, str]:
    """``https://x.org/a (what it is)`` -> url and citation; plain text -> citation."""
    if text.startswith(("http://", "https://")):
        url, _sep, rest = text.partition(" ")
        return {"url": url[:500], "citation": rest.strip()[:500]}
    return {"url": "", "citation": text[:500]}


def only_wikidata_2016(sources: list[str]) -> bool:
    return bool(sources) and all(WIKIDATA_2016_MARKER in s.casefold() for s in sources)


def unneutralise(value: str) -> str:
    """Undo the export's protection against spreadsheet formulas (``'=x`` -> ``=x``)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def from_export(row: dict[str, str]) -> dict[str, str]:
    """A row of the registry's partnership export, in the starter columns.

    The export's ``kind`` is the registry's own vocabulary and ``kind_wording`` the
    source's wording; both are kept (``kind_code`` and ``kind``).
    """
    row = {key: unneutralise(value) for key, value in row.items()}
    converted = {starter: row.get(column, "") for column, starter in EXPORT_COLUMNS.items()}
    converted["kind"] = row.get("kind_wording", "")
    return converted


EXPORT_FORMAT = FileFormat(
    name=REGISTRY_EXPORT,
    columns=tuple(EXPORT_COLUMNS),
    signature=frozenset({"german_partner", "russian_partner_cyrillic"}),
    convert=from_export,
    file_columns={
        **{starter: column for column, starter in EXPORT_COLUMNS.items()},
        "kind": "kind_wording",
        "kind_code": "kind",
    },
    notice="The file is the registry's own partnership export.",
)


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


class PartnershipImporter(Importer):
    """One partnership per row; the partners are found or created by the shared matcher.

    Blank cells mean "unknown" and never erase what the registry knows. A status becomes
    an undated status event unless the same status from the same source is already
    recorded (for the registry's own export: unless it is the partnership's status).
    A Cyrillic name that is blank, or lost to an encoding without Cyrillic letters
    ("???"), is looked up by the Latin name among the registry's Russian partners.
    """

    name = "partnerships"
    columns = [
        "german_name",
        "german_state",
        "russian_name_latin",
        "russian_name_cyrillic",
        "russian_region",
        "kind",
        "since_year",
        "status",
        "source",
    ]
    field_columns = {"since_year": "since_year", "kind": "kind"}
    other_formats = [EXPORT_FORMAT]

    def describe(self, row: dict[str, str]) -> str:
        russian = row.get("russian_name_cyrillic", "")
        if not has_letters(russian):
            russian = row.get("russian_name_latin", "")
        return f"{row.get('german_name', '')} – {russian}"

    def import_row(self, row: dict[str, str]) -> str:
        matcher = self.matcher
        exported = "kind_code" in row
        if not row["german_name"]:
            raise RowError("the German partner's name is missing", column="german_name")
        cyrillic, latin = row["russian_name_cyrillic"], row["russian_name_latin"]
        if not cyrillic and not latin:
            raise RowError(
                "the Russian partner's Cyrillic name is missing", column="russian_name_cyrillic"
            )
        kind, wording = self.kind(row)
        status = None
        if row["status"]:
            status = STATUS_WORDING.get(row["status"].casefold())
            if status is None:
                known = ", ".join(sorted(STATUS_WORDING))
                raise RowError(f"unknown status {row['status']!r} (known: {known})", "status")
        since_year = parse_year(row["since_year"], "since_year", FIRST_YEAR, LAST_YEAR)
        german_region = matcher.region(row["german_state"], Country.GERMANY, "german_state")
        russian_region = matcher.region(row["russian_region"], Country.RUSSIA, "russian_region")
        sources = split_sources(row["source"])

        russian = None
        if not has_letters(cyrillic):
            russian = self.russian_by_latin(cyrillic, latin, russian_region)
        german = matcher.german(row["german_name"], german_region)
        if russian is None:
            russian = matcher.russian(cyrillic, latin, russian_region)

        partnership = Partnership.objects.filter(
            german_partner=german, russian_partner=russian
        ).first()
        outcome = UNCHANGED
        if partnership is None:
            partnership = Partnership(
                german_partner=german,
                russian_partner=russian,
                kind=kind,
                kind_wording=wording,
                since_year=since_year,
                needs_verification=only_wikidata_2016(sources),
            )
            partnership.full_clean()
            partnership.save()
            outcome = CREATED
            self.change("kind", "", kind)
            if wording:
                self.change("kind_wording", "", wording)
            if since_year is not None:
                self.change("since_year", "", since_year)
            if partnership.needs_verification:
                self.change("needs_verification", "", "yes")
        else:
            self.row_record_id, self.row_version = partnership.pk, partnership.version
            changes = {}
            if exported:
                if partnership.kind != kind:
                    changes["kind"] = kind
                if wording and partnership.kind_wording != wording:
                    changes["kind_wording"] = wording
            elif partnership.kind_wording != wording:
                changes.update(kind=kind, kind_wording=wording)
            if since_year is not None and partnership.since_year != since_year:
                changes["since_year"] = since_year
            if changes:
                for field_name, value in changes.items():
                    old = getattr(partnership, field_name)
                    if old != value:
                        self.change(field_name, old, value)
                    setattr(partnership, field_name, value)
                partnership.full_clean()
                partnership.save()
                outcome = UPDATED

        known = {(s.url, s.citation) for s in partnership.sources.all()}
        known_urls = {url for url, _citation in known if url}
        for text in sources:
            fields = source_fields(text)
            if (fields["url"], fields["citation"]) in known:
                continue
            if fields["url"] in known_urls and not fields["citation"]:
                continue  # the same address (the export writes a source's address only)
            PartnershipSource.objects.create(partnership=partnership, **fields)
            known.add((fields["url"], fields["citation"]))
            known_urls.add(fields["url"])
            self.change("source", "", text)
            outcome = outcome if outcome == CREATED else UPDATED

        if status is not None and status != Status.UNKNOWN:
            if exported and status == partnership.status:
                return outcome  # the export's status is the partnership's current one
            source_url = next((f["url"] for f in map(source_fields, sources) if f["url"]), "")
            before = partnership.status
            # The file gives no date: the event stays undated, and the page says so.
            _event, created = StatusEvent.objects.get_or_create(
                partnership=partnership, status=status, source_url=source_url
            )
            if created:
                if partnership.status != before:
                    self.change("status", before, partnership.status)
                else:
                    self.change("status_event", "", f"{status} (undated) {source_url}".strip())
                if outcome != CREATED:
                    outcome = UPDATED
        return outcome

    def kind(self, row: dict[str, str]) -> tuple[str, str]:
        """The registry's kind and the source's wording of it."""
        wording, code = row["kind"], row.get("kind_code", "")
        if code:
            if code not in PartnershipKind.values:
                known = ", ".join(PartnershipKind.values)
                raise RowError(f"unknown kind {code!r} (known: {known})", column="kind_code")
            return code, wording
        kind = KIND_WORDING.get(wording.casefold())
        if kind is None:
            raise RowError(f"unknown kind {wording!r}", column="kind")
        return kind, wording

    def russian_by_latin(self, cyrillic: str, latin: str, region):
        """The Russian partner of a row without a usable Cyrillic name, by its Latin name."""
        found = self.matcher.find_russian_by_latin(latin, region) if latin else None
        if found is not None:
            return found
        if cyrillic:
            reason = (
                f"{cyrillic!r} is not a Cyrillic name (an encoding without Cyrillic letters "
                "may have replaced them: save the file as 'CSV UTF-8')"
            )
        else:
            reason = "the Russian partner's Cyrillic name is missing"
        if latin:
            reason += f", and {latin!r} is not a Russian partner in the registry"
        raise RowError(reason, column="russian_name_cyrillic")
