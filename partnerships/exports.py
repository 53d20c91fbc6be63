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
from partnerships.models.appeals import Participation
from partnerships.models.claims import DatePrecision
from partnerships.models.municipalities import AGS_PATTERN, OKTMO_PATTERN, QID_PATTERN
from partnerships.models.partnerships import FIRST_YEAR, LAST_YEAR, published_initiative_links
from partnerships.vocabulary import (
    Country,
    InitiativeKind,
    MunicipalityKind,
    OrganisationKind,
    PartnershipKind,
    Status,
)

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
    """A column of an export: its header, its cell for one object and what the cells hold.

    ``header`` and ``value`` make the CSV; the rest describes the cells for the data
    package (``partnerships/datapackage.py``) as a Table Schema field: ``type`` is a Table
    Schema type (string, integer, number, date, boolean), ``required`` says that the cell
    is never empty, ``enum``, ``pattern`` (anchored, as Table Schema reads it), ``minimum``
    and ``maximum`` what a non-empty cell may be. The descriptions say what
    docs/EXPORTS.md says.
    """

    header: str
    value: Callable[[Any], Any]
    description: str = ""
    type: str = "string"
    format: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str = ""
    minimum: int | None = None
    maximum: int | None = None

    def schema_field(self) -> dict[str, Any]:
        """The column as a Table Schema field, for the cells ``neutralise()`` writes."""
        field: dict[str, Any] = {"name": self.header, "type": self.type}
        if self.format:
            field["format"] = self.format
        if self.description:
            field["description"] = self.description
        if self.type == "boolean":
            field["trueValues"], field["falseValues"] = ["yes"], ["no"]
        if self.type == "number":
            # A negative number starts like a formula: neutralise() puts an apostrophe
            # before it, which a reader of a non-bare number strips.
            field["bareNumber"] = False
        constraints = {
            "required": self.required or None,
            "enum": list(self.enum) or None,
            "pattern": self.pattern or None,
            "minimum": self.minimum,
            "maximum": self.maximum,
        }
        constraints = {name: value for name, value in constraints.items() if value is not None}
        if constraints:
            field["constraints"] = constraints
        return field


def whole(pattern: str) -> str:
    """A model's anchored regular expression as a Table Schema pattern (matched whole)."""
    return pattern.removeprefix("^").removesuffix("$")


# What the cells hold, for the data package (the language-dependent columns follow the
# language of the download's address).
PERMALINK = "Absolute address of the record's page (stable)."
IN_LANGUAGE = "in the download's language"
LABEL = "`{}` as the page names it, " + IN_LANGUAGE + "."
REGION_CODE = r"(DE|RU)-[A-Z]{2,3}"
LAND_CODE, SUBJECT_CODE = r"DE-[A-Z]{2,3}", r"RU-[A-Z]{2,3}"
JOINED = "joined by ` | `"
PARTIAL_DATE = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"


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
    Column("permalink", lambda p: p.get_absolute_url(), PERMALINK, format="uri", required=True),
    Column(
        "german_partner",
        lambda p: p.german_partner.name,
        "Official German name of the German partner.",
        required=True,
    ),
    Column("german_partner_en", lambda p: p.german_partner.name_en, "Its English name."),
    Column(
        "german_partner_kind",
        lambda p: p.german_partner.kind,
        "What the German partner is: town, association, district, city_district or region "
        "(a whole Land).",
        required=True,
        enum=tuple(MunicipalityKind.values),
    ),
    Column(
        "german_land",
        lambda p: region_name(p.german_partner.region),
        f"The Land, {IN_LANGUAGE}.",
    ),
    Column(
        "german_land_iso",
        lambda p: region_code(p.german_partner.region),
        "ISO 3166-2 code of the Land (DE-NW).",
        pattern=LAND_CODE,
    ),
    Column(
        "german_ags",
        lambda p: p.german_partner.official_code,
        "Amtlicher Gemeindeschlüssel (2, 5, 8 or 9 digits).",
        pattern=whole(AGS_PATTERN),
    ),
    Column(
        "russian_partner_cyrillic",
        lambda p: p.russian_partner.name,
        "Official Russian name of the Russian partner, in Cyrillic.",
        required=True,
    ),
    Column("russian_partner_de", lambda p: p.russian_partner.name_de, "Its German name."),
    Column("russian_partner_en", lambda p: p.russian_partner.name_en, "Its English name."),
    Column(
        "russian_partner_kind",
        lambda p: p.russian_partner.kind,
        "What the Russian partner is: town, rayon, city_district or region.",
        required=True,
        enum=tuple(MunicipalityKind.values),
    ),
    Column(
        "russian_region",
        lambda p: region_name(p.russian_partner.region),
        f"The federal subject, {IN_LANGUAGE}.",
    ),
    Column(
        "russian_region_iso",
        lambda p: region_code(p.russian_partner.region),
        "ISO 3166-2 code of the federal subject (RU-KGD).",
        pattern=SUBJECT_CODE,
    ),
    Column(
        "russian_oktmo",
        lambda p: p.russian_partner.official_code,
        "OKTMO code (8 or 11 digits).",
        pattern=whole(OKTMO_PATTERN),
    ),
    Column(
        "kind",
        lambda p: p.kind,
        "Kind of partnership.",
        required=True,
        enum=tuple(PartnershipKind.values),
    ),
    Column("kind_wording", lambda p: p.kind_wording, "The source's own wording of the kind."),
    Column(
        "status",
        lambda p: p.status,
        "Status, from the latest status event.",
        required=True,
        enum=tuple(Status.values),
    ),
    Column(
        "since_year",
        lambda p: p.since_year,
        "Year established.",
        type="integer",
        minimum=FIRST_YEAR,
        maximum=LAST_YEAR,
    ),
    Column(
        "established_on",
        lambda p: p.established_on,
        "Date established, where known.",
        type="date",
    ),
    Column(
        "unverified",
        lambda p: p.needs_verification,
        "yes while the only source is uncertain (2016 Wikidata extract).",
        type="boolean",
        required=True,
    ),
    Column(
        "last_verified",
        lambda p: p.last_verified,
        "Date an editor last checked the partnership.",
        type="date",
    ),
    Column(
        "initiatives",
        lambda p: p.initiative_count,
        "Number of published initiatives carrying the partnership.",
        type="integer",
        required=True,
        minimum=0,
    ),
    Column(
        "sources",
        lambda p: p.source_text,
        f"Source addresses or citations, {JOINED}.",
    ),
    Column(
        "status_since",
        lambda p: partial_iso(p.status_since, p.status_since_precision),
        "Since when the current status holds, at the precision the source gives: "
        "YYYY-MM-DD, YYYY-MM or YYYY.",
        pattern=PARTIAL_DATE,
    ),
    Column(
        "german_partner_kind_label",
        lambda p: p.german_partner.get_kind_display(),
        LABEL.format("german_partner_kind"),
        required=True,
    ),
    Column(
        "russian_partner_kind_label",
        lambda p: p.russian_partner.get_kind_display(),
        LABEL.format("russian_partner_kind"),
        required=True,
    ),
    Column("kind_label", lambda p: p.get_kind_display(), LABEL.format("kind"), required=True),
    Column("status_label", lambda p: p.get_status_display(), LABEL.format("status"), required=True),
]

MUNICIPALITY_COLUMNS = [
    Column("permalink", lambda m: m.get_absolute_url(), PERMALINK, format="uri", required=True),
    Column("country", lambda m: m.country, "DE or RU.", required=True, enum=tuple(Country.values)),
    Column(
        "name",
        lambda m: m.name,
        "Official name in its own language (German, or Russian in Cyrillic).",
        required=True,
    ),
    Column("name_de", lambda m: m.name_de, "German name."),
    Column("name_en", lambda m: m.name_en, "English name."),
    Column("name_ru", lambda m: m.name_ru, "Russian name (Cyrillic)."),
    Column(
        "kind",
        lambda m: m.kind,
        "town, association (Amt), district, rayon, city_district or region.",
        required=True,
        enum=tuple(MunicipalityKind.values),
    ),
    Column(
        "region",
        lambda m: region_name(m.region),
        f"Land or federal subject, {IN_LANGUAGE}.",
    ),
    Column(
        "region_iso",
        lambda m: region_code(m.region),
        "ISO 3166-2 code of the Land or federal subject.",
        pattern=REGION_CODE,
    ),
    Column(
        "official_code",
        lambda m: m.official_code,
        "AGS (Germany: 2, 5, 8 or 9 digits) or OKTMO (Russia: 8 or 11 digits).",
        pattern=f"{whole(AGS_PATTERN)}|{whole(OKTMO_PATTERN)}",
    ),
    Column(
        "wikidata_id",
        lambda m: m.wikidata_id,
        "Wikidata item (Q-number).",
        pattern=whole(QID_PATTERN),
    ),
    Column(
        "latitude",
        lambda m: m.latitude,
        "WGS 84, degrees north.",
        type="number",
        minimum=-90,
        maximum=90,
    ),
    Column(
        "longitude",
        lambda m: m.longitude,
        "WGS 84, degrees east.",
        type="number",
        minimum=-180,
        maximum=180,
    ),
    Column("website", lambda m: m.website, "Official website.", format="uri"),
    Column("kind_label", lambda m: m.get_kind_display(), LABEL.format("kind"), required=True),
]

INITIATIVE_COLUMNS = [
    Column("permalink", lambda i: i.get_absolute_url(), PERMALINK, format="uri", required=True),
    Column(
        "name",
        lambda i: i.name,
        "Name of the association, school, church ...",
        required=True,
    ),
    Column(
        "kind",
        lambda i: i.kind,
        "Kind of initiative.",
        required=True,
        enum=tuple(InitiativeKind.values),
    ),
    Column(
        "seat",
        lambda i: i.public_seat.name if i.public_seat else i.seat_name,
        "Official name of the municipality where it is based (or the place as the source "
        "writes it).",
    ),
    Column(
        "seat_region_iso",
        lambda i: region_code(i.public_seat.region) if i.public_seat else "",
        "ISO 3166-2 code of the seat's region.",
        pattern=REGION_CODE,
    ),
    Column(
        "partnerships",
        lambda i: i.partnership_text,
        "Permalink slugs of the partnerships it carries (the last part of a partnership's "
        f"permalink), {JOINED}.",
    ),
    Column("website", lambda i: i.website, "Website.", format="uri"),
    Column(
        "founded_year",
        lambda i: i.founded_year,
        "Year founded.",
        type="integer",
        minimum=1800,
        maximum=2100,
    ),
    Column("sources", lambda i: " | ".join(i.source_list()), f"Source addresses, {JOINED}."),
    Column("kind_label", lambda i: i.get_kind_display(), LABEL.format("kind"), required=True),
]

SIGNATORY_COLUMNS = [
    Column(
        "appeal",
        lambda s: s.appeal.localized_title.text,
        f"Title of the appeal, {IN_LANGUAGE}.",
        required=True,
    ),
    Column(
        "appeal_date",
        lambda s: s.appeal.date,
        "Date of the appeal.",
        type="date",
        required=True,
    ),
    Column("name", lambda s: s.person_name, "The signatory's name (empty for a supporter)."),
    Column("role", lambda s: s.role, "Role or title, as the source gives it (German)."),
    Column(
        "organisation",
        lambda s: s.organisation,
        "The organisation as the signature names it (German).",
    ),
    Column(
        "organisation_kind",
        lambda s: s.organisation_kind,
        "What the signatory speaks for.",
        required=True,
        enum=tuple(OrganisationKind.values),
    ),
    Column(
        "municipality",
        lambda s: s.public_municipality.name if s.public_municipality else "",
        "Official name of the municipality signed for.",
    ),
    Column(
        "land_iso",
        lambda s: region_code(s.public_municipality.region) if s.public_municipality else "",
        "ISO 3166-2 code of that municipality's Land.",
        pattern=REGION_CODE,
    ),
    Column(
        "initiative",
        lambda s: s.public_initiative.name if s.public_initiative else "",
        "Name of the initiative signed for.",
    ),
    Column("source", lambda s: s.source_url, "Source address.", format="uri"),
    Column(
        "participation",
        lambda s: s.participation,
        "signatory, or supporter (supported the appeal, not a signatory).",
        required=True,
        enum=tuple(Participation.values),
    ),
    Column(
        "participation_label",
        lambda s: s.get_participation_display(),
        LABEL.format("participation"),
        required=True,
    ),
    Column(
        "organisation_kind_label",
        lambda s: s.get_organisation_kind_display(),
        LABEL.format("organisation_kind"),
        required=True,
    ),
    Column("role_en", lambda s: s.role_en, "The role in English, where known."),
    Column("role_ru", lambda s: s.role_ru, "The role in Russian, where known."),
    Column("organisation_en", lambda s: s.organisation_en, "The organisation in English."),
    Column("organisation_ru", lambda s: s.organisation_ru, "The organisation in Russian."),
]


def joined(queryset: QuerySet, expression, owner: str, order_by: str = "pk") -> QuerySet:
    """One cell per ``owner``: ``expression`` of the queryset's rows, joined by " | "."""
    return (
        queryset.order_by()
        .values(owner)
        .annotate(joined=StringAgg(expression, delimiter=" | ", order_by=order_by))
    )


def prepare_initiatives(queryset: QuerySet) -> QuerySet:
    through = Initiative.partnerships.through.objects.filter(
        initiative=OuterRef("pk"), partnership__in=Partnership.objects.published()
    )
    slugs = joined(through, "partnership__slug", "initiative", order_by="partnership__slug")
    return queryset.annotate(
        partnership_text=Coalesce(
            Subquery(slugs.values("joined")[:1]), Value(""), output_field=TextField()
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
        joined(
            PartnershipSource.objects.filter(partnership=OuterRef("pk")),
            Coalesce(NullIf("url", Value("")), "citation", output_field=TextField()),
            "partnership",
        )
        .annotate(cell=Neutralised("joined"))
        .values("cell")[:1]
    )
    links = (
        published_initiative_links()
        .filter(partnership=OuterRef("pk"))
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
