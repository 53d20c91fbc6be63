"""Importing partnerships in the starter-data format (``partnerships-de-ru.csv``)."""

from __future__ import annotations

from partnerships.importing.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
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
    Status,
)


def source_fields(text: str) -> dict[str, str]:
    """``https://x.org/a (what it is)`` -> url and citation; plain text -> citation."""
    if text.startswith(("http://", "https://")):
        url, _sep, rest = text.partition(" ")
        return {"url": url[:500], "citation": rest.strip()[:500]}
    return {"url": "", "citation": text[:500]}


def only_wikidata_2016(sources: list[str]) -> bool:
    return bool(sources) and all(WIKIDATA_2016_MARKER in s.casefold() for s in sources)


class PartnershipImporter(Importer):
    """One partnership per row; the partners are found or created by the shared matcher.

    Blank cells mean "unknown" and never erase what the registry knows. A status becomes
    a status event (dated when the file is the registry's own export; undated otherwise)
    unless the same status from the same source is already recorded.
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

    def import_row(self, row: dict[str, str]) -> str:
        matcher = self.matcher
        if not row["german_name"]:
            raise RowError("the German partner's name is missing", column="german_name")
        if not row["russian_name_cyrillic"]:
            raise RowError(
                "the Russian partner's Cyrillic name is missing", column="russian_name_cyrillic"
            )
        kind = KIND_WORDING.get(row["kind"].casefold())
        if kind is None:
            raise RowError(f"unknown kind {row['kind']!r}", column="kind")
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

        german = matcher.german(row["german_name"], german_region)
        russian = matcher.russian(
            row["russian_name_cyrillic"], row["russian_name_latin"], russian_region
        )

        partnership = Partnership.objects.filter(
            german_partner=german, russian_partner=russian
        ).first()
        outcome = UNCHANGED
        if partnership is None:
            partnership = Partnership(
                german_partner=german,
                russian_partner=russian,
                kind=kind,
                kind_wording=row["kind"],
                since_year=since_year,
                needs_verification=only_wikidata_2016(sources),
            )
            partnership.full_clean()
            partnership.save()
            outcome = CREATED
        else:
            changes = {}
            if partnership.kind_wording != row["kind"]:
                changes.update(kind=kind, kind_wording=row["kind"])
            if since_year is not None and partnership.since_year != since_year:
                changes["since_year"] = since_year
            if changes:
                for field_name, value in changes.items():
                    setattr(partnership, field_name, value)
                partnership.full_clean()
                partnership.save()
                outcome = UPDATED

        known = {(s.url, s.citation) for s in partnership.sources.all()}
        for text in sources:
            fields = source_fields(text)
            if (fields["url"], fields["citation"]) not in known:
                PartnershipSource.objects.create(partnership=partnership, **fields)
                known.add((fields["url"], fields["citation"]))
                outcome = outcome if outcome == CREATED else UPDATED

        if status is not None and status != Status.UNKNOWN:
            source_url = next((f["url"] for f in map(source_fields, sources) if f["url"]), "")
            # The file gives no date: the event stays undated, and the page says so.
            _event, created = StatusEvent.objects.get_or_create(
                partnership=partnership, status=status, source_url=source_url
            )
            if created and outcome != CREATED:
                outcome = UPDATED
        return outcome
