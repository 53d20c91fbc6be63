"""CSV exports of exactly what a public list shows.

The export runs the list's own selector, adds the columns it needs as SQL annotations
(one query, whatever the number of rows: no prefetching per chunk) and streams the rows
from a server-side cursor, so memory stays flat. The files are UTF-8 with a BOM (Excel
opens them as UTF-8), ``,``-separated or ``;``-separated for German Excel, and every cell
that a spreadsheet would read as a formula is neutralised (OWASP "CSV injection").

The column sets are documented in ``docs/EXPORTS.md`` and are part of the registry's
interface: add columns at the end, never rename or reorder them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import StreamingHttpResponse
from django.utils import timezone

from partnerships.models import Initiative, Partnership, PartnershipSource

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_ROWS = 2000


def neutralise(value: Any) -> str:
    """A cell as text; one that starts like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer streaming."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def region_name(region) -> str:
    return region.name_de if region else ""


def region_code(region) -> str:
    return region.code if region else ""


PARTNERSHIP_COLUMNS = [
    Column("permalink", lambda p: p.get_absolute_url()),
    Column("german_partner", lambda p: p.german_partner.name),
    Column("german_partner_en", lambda p: p.german_partner.name_en),
    Column("german_partner_kind", lambda p: p.german_partner.kind),
    Column("german_land", lambda p: region_name(p.german_partner.region)),
    Column("german_land_iso", lambda p: region_code(p.german_partner.region)),
    Column("german_ags", lambda p: p.german_partner.official_code),
    Column("russian_partner_cyrillic", lambda p: p.russian_partner.name),
    Column("russian_partner_de", lambda p: p.russian_partner.name_de),
    Column("russian_partner_en", lambda p: p.russian_partner.name_en),
    Column("russian_partner_kind", lambda p: p.russian_partner.kind),
    Column("russian_region", lambda p: region_name(p.russian_partner.region)),
    Column("russian_region_iso", lambda p: region_code(p.russian_partner.region)),
    Column("russian_oktmo", lambda p: p.russian_partner.official_code),
    Column("kind", lambda p: p.kind),
    Column("kind_wording", lambda p: p.kind_wording),
    Column("status", lambda p: p.status),
    Column("since_year", lambda p: p.since_year),
    Column("established_on", lambda p: p.established_on),
    Column("unverified", lambda p: p.needs_verification),
    Column("last_verified", lambda p: p.last_verified),
    Column("initiatives", lambda p: p.initiative_count),
    Column("sources", lambda p: p.source_text),
]

MUNICIPALITY_COLUMNS = [
    Column("permalink", lambda m: m.get_absolute_url()),
    Column("country", lambda m: m.country),
    Column("name", lambda m: m.name),
    Column("name_de", lambda m: m.name_de),
    Column("name_en", lambda m: m.name_en),
    Column("name_ru", lambda m: m.name_ru),
    Column("kind", lambda m: m.kind),
    Column("region", lambda m: region_name(m.region)),
    Column("region_iso", lambda m: region_code(m.region)),
    Column("official_code", lambda m: m.official_code),
    Column("wikidata_id", lambda m: m.wikidata_id),
    Column("latitude", lambda m: m.latitude),
    Column("longitude", lambda m: m.longitude),
    Column("website", lambda m: m.website),
]

INITIATIVE_COLUMNS = [
    Column("permalink", lambda i: i.get_absolute_url()),
    Column("name", lambda i: i.name),
    Column("kind", lambda i: i.kind),
    Column("seat", lambda i: i.public_seat.name if i.public_seat else i.seat_name),
    Column("seat_region_iso", lambda i: region_code(i.public_seat.region) if i.public_seat else ""),
    Column("partnerships", lambda i: i.partnership_text),
    Column("website", lambda i: i.website),
    Column("founded_year", lambda i: i.founded_year),
    Column("sources", lambda i: " | ".join(i.source_list())),
]

SIGNATORY_COLUMNS = [
    Column("appeal", lambda s: s.appeal.title),
    Column("appeal_date", lambda s: s.appeal.date),
    Column("name", lambda s: s.person_name),
    Column("role", lambda s: s.role),
    Column("organisation", lambda s: s.organisation),
    Column("organisation_kind", lambda s: s.organisation_kind),
    Column("municipality", lambda s: s.public_municipality.name if s.public_municipality else ""),
    Column(
        "land_iso",
        lambda s: region_code(s.public_municipality.region) if s.public_municipality else "",
    ),
    Column("initiative", lambda s: s.public_initiative.name if s.public_initiative else ""),
    Column("source", lambda s: s.source_url),
]


def _joined(queryset: QuerySet, expression, field: str) -> Subquery:
    return Subquery(
        queryset.values(field)
        .annotate(joined=StringAgg(expression, delimiter=" | ", order_by="pk"))
        .values("joined")[:1]
    )


def prepare_partnerships(queryset: QuerySet) -> QuerySet:
    sources = PartnershipSource.objects.filter(partnership=OuterRef("pk"))
    links = Initiative.partnerships.through.objects.filter(
        partnership=OuterRef("pk"), initiative__is_published=True
    )
    return queryset.annotate(
        source_text=Coalesce(
            _joined(
                sources,
                Coalesce(NullIf("url", Value("")), "citation", output_field=TextField()),
                "partnership",
            ),
            Value(""),
            output_field=TextField(),
        ),
        initiative_count=Coalesce(
            Subquery(links.values("partnership").annotate(n=Count("pk")).values("n")[:1]),
            0,
        ),
    )


def prepare_initiatives(queryset: QuerySet) -> QuerySet:
    through = Initiative.partnerships.through.objects.filter(
        initiative=OuterRef("pk"), partnership__in=Partnership.objects.published()
    )
    return queryset.annotate(
        partnership_text=Coalesce(
            Subquery(
                through.values("initiative")
                .annotate(
                    joined=StringAgg(
                        "partnership__slug", delimiter=" | ", order_by="partnership__slug"
                    )
                )
                .values("joined")[:1]
            ),
            Value(""),
            output_field=TextField(),
        )
    )


def rows(queryset: QuerySet, columns: list[Column], base_url: str) -> Iterator[list[str]]:
    """The header, then one line per object; permalinks become absolute addresses."""
    yield [column.header for column in columns]
    base_url = base_url.rstrip("/")
    for obj in queryset.iterator(chunk_size=CHUNK_ROWS):
        yield [
            neutralise(base_url + value if column.header == "permalink" else value)
            for column in columns
            for value in [column.value(obj)]
        ]


def stream_csv(
    lines: Iterable[list[str]], *, name: str, semicolon: bool = False
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";" if semicolon else ",")

    def content() -> Iterator[str]:
        yield BOM
        for line in lines:
            yield writer.writerow(line)

    filename = f"{name}-{timezone.localdate():%Y-%m-%d}{'-semicolon' if semicolon else ''}.csv"
    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
