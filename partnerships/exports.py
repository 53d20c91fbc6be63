"""CSV exports of exactly what a public list shows.

The export runs the list's own selector, adds the columns it needs as SQL annotations
(one query, whatever the number of rows: no prefetching per chunk) and streams the rows,
so memory stays flat. The files are UTF-8 with a BOM (Excel opens them as UTF-8),
``,``-separated or ``;``-separated for German Excel, and every cell that a spreadsheet
would read as a formula is neutralised (OWASP "CSV injection").

Two ways to the same bytes:

* ``rows()`` + ``stream_csv()``: model instances from a server-side cursor, one
  ``Column.value`` and ``neutralise()`` per cell, Python's ``csv`` module. Used by the
  small exports (initiatives, signatories), and the reference the tests hold the fast
  path to.
* ``cells_*()`` + ``copy_csv()``: the cells are computed in SQL (text already
  neutralised, booleans as yes/no, dates as YYYY-MM-DD, empty text and unknown values as
  NULL) and PostgreSQL writes the CSV itself (``COPY (<query>) TO STDOUT``), streamed
  through psycopg. PostgreSQL's CSV differs from Python's only in the line end (``\n``
  against ``\r\n``), which is put right outside quoted cells. Used by the large lists
  (partnerships, municipalities): about ten times faster than the model path.

The column sets are documented in ``docs/EXPORTS.md`` and are part of the registry's
interface: add columns at the end, never rename or reorder them. The header and every
code (ISO 3166-2, AGS, OKTMO, Wikidata IDs, the vocabularies' values) are the same in every
language; names of regions and the ``*_label`` columns are in the reader's language (the
language of the export's address: ``/en/partnerships/export.csv``).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, NullIf
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Initiative, Partnership, PartnershipSource, Region
from partnerships.models.claims import DatePrecision
from partnerships.vocabulary import MunicipalityKind, PartnershipKind, Status

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_ROWS = 2000
# The COPY path passes PostgreSQL's lines on in pieces of about this size.
COPY_CHUNK_BYTES = 128 * 1024


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


# An ISO 8601 date cut to the precision its source gives: YYYY, YYYY-MM (else YYYY-MM-DD).
ISO_CUT = {DatePrecision.YEAR.value: 4, DatePrecision.MONTH.value: 7}


def partial_iso(date, precision: str) -> str:
    """``2022-03-30``, ``2022-03`` or ``2022`` by the precision; empty without a date."""
    if date is None:
        return ""
    return date.isoformat()[: ISO_CUT.get(precision, 10)]


def region_name(region) -> str:
    """The region's name in the reader's language."""
    return region.localized_name if region else ""


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
    Column("status_since", lambda p: partial_iso(p.status_since, p.status_since_precision)),
    Column("german_partner_kind_label", lambda p: p.german_partner.get_kind_display()),
    Column("russian_partner_kind_label", lambda p: p.russian_partner.get_kind_display()),
    Column("kind_label", lambda p: p.get_kind_display()),
    Column("status_label", lambda p: p.get_status_display()),
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
    Column("kind_label", lambda m: m.get_kind_display()),
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
    Column("kind_label", lambda i: i.get_kind_display()),
]

SIGNATORY_COLUMNS = [
    Column("appeal", lambda s: s.appeal.localized_title.text),
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
    Column("participation", lambda s: s.participation),
    Column("participation_label", lambda s: s.get_participation_display()),
    Column("organisation_kind_label", lambda s: s.get_organisation_kind_display()),
    Column("role_en", lambda s: s.role_en),
    Column("role_ru", lambda s: s.role_ru),
    Column("organisation_en", lambda s: s.organisation_en),
    Column("organisation_ru", lambda s: s.organisation_ru),
]


def _joined(queryset: QuerySet, expression, field: str) -> Subquery:
    return Subquery(
        queryset.values(field)
        .annotate(joined=StringAgg(expression, delimiter=" | ", order_by="pk"))
        .values("joined")[:1]
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

    return _attachment(content(), name=name, semicolon=semicolon)


def _attachment(content: Iterator, *, name: str, semicolon: bool) -> StreamingHttpResponse:
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}{'-semicolon' if semicolon else ''}.csv"
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the fast path: PostgreSQL computes the cells and writes the CSV ------------------

_SQL_PREFIXES = ", ".join(
    f"'{prefix}'" if prefix.isprintable() else f"chr({ord(prefix)})" for prefix in FORMULA_PREFIXES
)


class _Cell(Func):
    """A cell as text, from one expression that the SQL may name more than once."""

    output_field = TextField()
    arity = 1
    sql_template = ""

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        uses = self.sql_template.count("{0}")
        return self.sql_template.format(sql), tuple(params) * uses


class Neutralised(_Cell):
    """``neutralise()`` of a text: a formula start gets a leading apostrophe; NULL and ''
    give NULL (COPY writes NULL as an empty cell, but '' as a quoted ``""``)."""

    sql_template = (
        "(CASE WHEN left({0}, 1) IN (" + _SQL_PREFIXES + ") THEN '''' || {0} "
        "ELSE NULLIF({0}, '') END)"
    )


class NeutralisedNumber(_Cell):
    """``neutralise()`` of an integer or decimal: PostgreSQL's text of a number is
    Python's ``str()`` of it (numerics keep their scale, as Decimal does); a minus sign is
    a formula start."""

    sql_template = "(CASE WHEN {0} < 0 THEN '''' || ({0})::text ELSE ({0})::text END)"


class YesNo(_Cell):
    """``neutralise()`` of a boolean."""

    sql_template = "(CASE WHEN {0} THEN 'yes' WHEN NOT {0} THEN 'no' END)"


class IsoDate(_Cell):
    """``neutralise()`` of a date (``str(date)``), whatever the session's DateStyle."""

    sql_template = "to_char({0}, 'YYYY-MM-DD')"


class PartialIsoDate(Func):
    """``partial_iso()`` of a date and its precision: the ISO date cut to YYYY-MM or YYYY.

    (A date's text never starts like a formula: no neutralising needed.)
    """

    output_field = TextField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        date, date_params = compiler.compile(self.source_expressions[0])
        precision, precision_params = compiler.compile(self.source_expressions[1])
        cuts = " ".join(f"WHEN '{name}' THEN {length}" for name, length in ISO_CUT.items())
        sql = f"left(to_char({date}, 'YYYY-MM-DD'), CASE {precision} {cuts} ELSE 10 END)"
        return sql, (*date_params, *precision_params)


def permalink(base_url: str, url_name: str) -> Expression:
    """``neutralise(base_url + get_absolute_url())`` for every row: one ``reverse()`` with a
    placeholder slug, the database puts in each row's slug."""
    placeholder = "0slug0"
    before, after = reverse(url_name, kwargs={"slug": placeholder}).split(placeholder)
    # The address starts with the scheme: neutralising the start is enough.
    before = neutralise(base_url.rstrip("/") + before)
    return Func(Value(before), F("slug"), Value(after), function="concat", output_field=TextField())


def text(path: str) -> Neutralised:
    return Neutralised(F(path))


def label(path: str, choices) -> Case:
    """A choice's label in the reader's language (``get_FOO_display()``), as SQL. Labels are
    the registry's own words: none starts like a formula."""
    return Case(
        *[When(**{path: value}, then=Value(str(name))) for value, name in choices],
        default=NullIf(F(path), Value("")),
        output_field=TextField(),
    )


def region(path: str) -> Neutralised:
    """The name of the region through ``path`` (``german_partner__region``) in the reader's
    language."""
    return text(f"{path}__{Region.name_field()}")


def cells(queryset: QuerySet, expressions: list[Expression]) -> QuerySet:
    """The queryset's rows (its filters and order untouched) as exactly these cells."""
    names = [f"cell_{number:02d}" for number in range(len(expressions))]
    return queryset.annotate(**dict(zip(names, expressions, strict=True))).values_list(*names)


def cells_partnerships(queryset: QuerySet, base_url: str = "http://testserver/") -> QuerySet:
    """PARTNERSHIP_COLUMNS as SQL (the cells the model path of tests/test_export.py writes)."""
    sources = (
        PartnershipSource.objects.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(
            joined=StringAgg(
                Coalesce(NullIf("url", Value("")), "citation", output_field=TextField()),
                delimiter=" | ",
                order_by="pk",
            )
        )
        .annotate(cell=Neutralised("joined"))
        .values("cell")[:1]
    )
    links = (
        Initiative.partnerships.through.objects.filter(
            partnership=OuterRef("pk"), initiative__is_published=True
        )
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    german, russian = "german_partner__", "russian_partner__"
    return cells(
        queryset,
        [
            permalink(base_url, "partnerships:partnership-detail"),
            text(german + "name"),
            text(german + "name_en"),
            text(german + "kind"),
            region(german + "region"),
            text(german + "region__code"),
            text(german + "official_code"),
            text(russian + "name"),
            text(russian + "name_de"),
            text(russian + "name_en"),
            text(russian + "kind"),
            region(russian + "region"),
            text(russian + "region__code"),
            text(russian + "official_code"),
            text("kind"),
            text("kind_wording"),
            text("status"),
            NeutralisedNumber(F("since_year")),
            IsoDate(F("established_on")),
            YesNo(F("needs_verification")),
            IsoDate(F("last_verified")),
            # A count is never negative: no CASE, which would run the subquery thrice.
            Coalesce(Subquery(links), 0),
            Subquery(sources, output_field=TextField()),
            PartialIsoDate(F("status_since"), F("status_since_precision")),
            label(german + "kind", MunicipalityKind.choices),
            label(russian + "kind", MunicipalityKind.choices),
            label("kind", PartnershipKind.choices),
            label("status", Status.choices),
        ],
    )


def cells_municipalities(queryset: QuerySet, base_url: str = "http://testserver/") -> QuerySet:
    """MUNICIPALITY_COLUMNS as SQL."""
    return cells(
        queryset,
        [
            permalink(base_url, "partnerships:municipality-detail"),
            text("country"),
            text("name"),
            text("name_de"),
            text("name_en"),
            text("name_ru"),
            text("kind"),
            region("region"),
            text("region__code"),
            text("official_code"),
            text("wikidata_id"),
            NeutralisedNumber(F("latitude")),
            NeutralisedNumber(F("longitude")),
            text("website"),
            label("kind", MunicipalityKind.choices),
        ],
    )


def crlf(data: bytes, quoted: bool = False) -> tuple[bytes, bool]:
    """PostgreSQL's CSV with csv.writer's line end: ``\\n`` becomes ``\\r\\n``, except
    inside a quoted cell (kept as it is, as csv.writer keeps it). ``quoted``: whether
    ``data`` starts inside a quoted cell; returns the result and the same for what follows.
    """
    if b'"' not in data:
        return (data if quoted else data.replace(b"\n", b"\r\n")), quoted
    parts = data.split(b'"')
    # Between quotes alternate outside and inside; a doubled quote in a cell is an empty
    # part outside, which keeps the count right.
    outside = 1 if quoted else 0
    parts[outside::2] = [part.replace(b"\n", b"\r\n") for part in parts[outside::2]]
    return b'"'.join(parts), quoted ^ (len(parts) % 2 == 0)


def copy_csv(
    queryset: QuerySet, headers: list[str], *, name: str, semicolon: bool = False
) -> StreamingHttpResponse:
    """``queryset`` (text cells, from ``cells()``) as the file ``stream_csv`` would write,
    byte for byte, with PostgreSQL writing the lines: ``COPY (<query>) TO STDOUT``.

    The SQL is built before the view returns (an error there is an error page, not a
    truncated file). The COPY, one statement, runs while the response is read, as any
    query of the request would (autocommit: no transaction to keep open). When the
    client goes away the response closes the generator: psycopg cancels the COPY and the
    connection stays usable (it goes back to the pool at the request's end). The COPY is
    logged like any query (``connection.queries``, the ``django.db.backends`` logger).
    """
    delimiter = ";" if semicolon else ","
    database = queryset.db
    try:
        # elide_empty=False: a filter that can match nothing (a search without any
        # matching name) gives "WHERE 0 = 1" rather than no SQL at all.
        sql, params = queryset.query.get_compiler(database, elide_empty=False).as_sql()
    except EmptyResultSet:
        sql = None
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')"
    header = io.StringIO()
    csv.writer(header, delimiter=delimiter).writerow(headers)

    def content() -> Iterator[bytes | str]:
        yield BOM + header.getvalue()
        if sql is None:
            return
        with connections[database].cursor() as cursor:
            logged = getattr(cursor, "debug_sql", None)  # when queries are logged
            with (
                logged(statement, params) if logged else contextlib.nullcontext(),
                cursor.cursor.copy(statement, params) as stream,
            ):
                pieces, size, quoted = [], 0, False
                for block in stream:
                    pieces.append(block)
                    size += len(block)
                    if size >= COPY_CHUNK_BYTES:
                        data, quoted = crlf(b"".join(pieces), quoted)
                        pieces, size = [], 0
                        yield data
                if pieces:
                    yield crlf(b"".join(pieces), quoted)[0]

    return _attachment(content(), name=name, semicolon=semicolon)
