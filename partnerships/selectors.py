"""The public reads: one selector per list, page and detail page.

A list's rows before its filters are ``listed_*()``: published, with what the rows show,
in the order of the names the reader sees, collated as the reader's language sorts
(``partnerships.filters.shown_name``). The list's FilterSet (``partnerships.filters``)
filters them; ``*_filterset(params)`` binds the two to a query string. The HTML list, its
CSV export, the map, the statistics and the API all start from them, so they always hold
the same rows.

The home page reads through ``home_page()``, the initiative and appeal pages through
``initiative_pages()`` and ``appeal_pages()``; the partnership and municipality pages each
in one query (``partnership_page``, ``municipality_page``, below).
"""

from __future__ import annotations

import functools
import json
import weakref
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models import Prefetch, QuerySet

from partnerships.filters import (
    COLLATIONS,
    SHOWN_NAME_FIELDS,
    InitiativeFilter,
    MunicipalityFilter,
    PartnershipFilter,
    SignatoryFilter,
    collated,
    reader_language,
    shown_name,
    shown_signatory,
)
from partnerships.models import (
    AlternativeName,
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    Signatory,
    StatusEvent,
)

# Columns no page shows (search keys, merge bookkeeping): left out of the lists' rows and
# of the detail pages' JSON. A list's 50 rows with both partners carried them for nothing.
UNSHOWN = {
    Partnership: ["conflicts", "conflicts_reviewed", "decided_fields"],
    Municipality: ["search_key", "search_names", "gazetteer_key", "gazetteer_names"],
}


def unshown(model, prefix: str = "") -> list[str]:
    """``UNSHOWN`` of ``model`` as field paths through ``prefix`` (for ``defer``)."""
    return [prefix + name for name in UNSHOWN[model]]


def listed_partnerships() -> QuerySet[Partnership]:
    """The partnerships the public list shows before its filters: published, with both
    partners and their regions, in the order of the partners' names as the reader sees them."""
    return (
        Partnership.objects.published()
        .select_related("german_partner__region", "russian_partner__region")
        .defer(
            *unshown(Partnership),
            *unshown(Municipality, "german_partner__"),
            *unshown(Municipality, "russian_partner__"),
        )
        .order_by(shown_name("german_partner__"), shown_name("russian_partner__"), "pk")
    )


# What a row of a list shows (the partnership list's ``partnership_rows`` in
# templatetags/registry.py; the municipality list's template): names in every language,
# regions, kinds, years, status and address. A list page reads only these columns: reading
# all 26 of a partnership and 27 of each partner, and making instances of them, took 15.5
# against 11.6 ms for a page of 50 rows (docs/PERFORMANCE.md, "sixth session").
MUNICIPALITY_ROW_FIELDS = ["slug", "country", "kind", "name", "name_de", "name_en", "name_ru"]
REGION_ROW_FIELDS = ["kind", "name_de", "name_en", "name_ru"]
LIST_ROW_FIELDS = {
    Partnership: [
        "slug",
        "kind",
        "needs_verification",
        "since_year",
        "status",
        "status_since",
        "status_since_precision",
        *(
            f"{partner}__{field}"
            for partner in ("german_partner", "russian_partner")
            for field in [*MUNICIPALITY_ROW_FIELDS, "region_id"]
        ),
        *(
            f"{partner}__region__{field}"
            for partner in ("german_partner", "russian_partner")
            for field in REGION_ROW_FIELDS
        ),
    ],
    Municipality: [
        *MUNICIPALITY_ROW_FIELDS,
        "region_id",
        *(f"region__{field}" for field in REGION_ROW_FIELDS),
    ],
}


def list_rows(queryset: QuerySet) -> QuerySet:
    """The records of a list page, with only what its rows show (``LIST_ROW_FIELDS``; the
    lists without an entry read their rows whole)."""
    fields = LIST_ROW_FIELDS.get(queryset.model)
    return queryset if fields is None else queryset.only(*fields)


def listed_municipalities() -> QuerySet[Municipality]:
    """The municipalities the public list shows before its filters, with their regions,
    in the order of the names the reader sees."""
    return (
        Municipality.objects.published()
        .select_related("region")
        .defer(*unshown(Municipality))
        .order_by(shown_name(), "pk")
    )


def listed_initiatives() -> QuerySet[Initiative]:
    """The initiatives the public list shows before its filters, with their seats."""
    return (
        Initiative.objects.published()
        .select_related("seat__region")
        .order_by(collated("name"), "pk")
    )


def listed_signatories() -> QuerySet[Signatory]:
    """The signatories the public list shows before its filters: published, of a
    published appeal, with what they signed for."""
    return (
        Signatory.objects.published()
        .filter(appeal__is_published=True)
        .select_related("appeal", "municipality__region", "initiative__seat__region")
        .order_by(shown_signatory(), "pk")
    )


class PartnershipList:
    """The public partnership list as every view showing it takes it (the page, its CSV,
    the API, the GeoJSON): its FilterSet over its rows."""

    filterset_class = PartnershipFilter

    def get_queryset(self) -> QuerySet[Partnership]:
        return listed_partnerships()


class MunicipalityList:
    """The public municipality list (see ``PartnershipList``)."""

    filterset_class = MunicipalityFilter

    def get_queryset(self) -> QuerySet[Municipality]:
        return listed_municipalities()


class InitiativeList:
    """The public initiative list (see ``PartnershipList``)."""

    filterset_class = InitiativeFilter

    def get_queryset(self) -> QuerySet[Initiative]:
        return listed_initiatives()


class SignatoryList:
    """The public signatory list (see ``PartnershipList``)."""

    filterset_class = SignatoryFilter

    def get_queryset(self) -> QuerySet[Signatory]:
        return listed_signatories()


def partnership_filterset(params) -> PartnershipFilter:
    """The partnership list's FilterSet bound to ``params`` (a query string): its ``qs`` is
    the rows the page, the export, the map and the API show under it."""
    return PartnershipFilter(params, queryset=listed_partnerships())


# Home, initiative and appeal pages -----------------------------------------------------


@dataclass
class HomePage:
    counts: dict[str, int]
    latest: list[Partnership]
    appeal: Appeal | None


def home_page() -> HomePage:
    """What the home page shows: how many partnerships (and of them suspended), German and
    Russian partners and initiatives the registry publishes, the eight partnerships changed
    last, and the first appeal."""
    partnerships = Partnership.objects.published()
    municipalities = Municipality.objects.published()
    counts = {
        "partnerships": partnerships.count(),
        "suspended": partnerships.suspended().count(),
        "german": municipalities.german().count(),
        "russian": municipalities.russian().count(),
        "initiatives": Initiative.objects.published().count(),
    }
    latest = list(
        partnerships.select_related("german_partner", "russian_partner").order_by(
            "-updated_at", "-pk"
        )[:8]
    )
    return HomePage(
        counts=counts,
        latest=latest,
        appeal=Appeal.objects.published().order_by("date").first(),
    )


def _shown(queryset: QuerySet, drafts: bool) -> QuerySet:
    """``queryset`` as its reader may see it: published only, or with drafts for editors."""
    return queryset if drafts else queryset.published()


def initiative_pages(*, drafts: bool = False) -> QuerySet[Initiative]:
    """The initiatives whose pages a reader may open (``drafts``: editors, who see drafts
    too), each with its seat and the partnerships it carries that the reader may see."""
    partnerships = _shown(Partnership.objects.all(), drafts).select_related(
        "german_partner", "russian_partner"
    )
    return (
        _shown(Initiative.objects.all(), drafts)
        .select_related("seat__region")
        .prefetch_related(Prefetch("partnerships", queryset=partnerships))
    )


def appeal_pages(*, drafts: bool = False) -> QuerySet[Appeal]:
    """The appeals whose pages a reader may open, each with the signatories and supporters
    the reader may see, in the order of their names."""
    signatories = (
        _shown(Signatory.objects.all(), drafts)
        .select_related("municipality", "initiative")
        .order_by(shown_signatory(), "pk")
    )
    return _shown(Appeal.objects.all(), drafts).prefetch_related(
        Prefetch("signatories", queryset=signatories)
    )


# Detail pages ------------------------------------------------------------------------------
#
# A detail page reads its record and everything its article shows in one query: the
# related rows come as JSON arrays (``json_agg``), the whole answer as one JSON document,
# and become model instances here (``_instance``). The SQL is fixed text, built once per
# process for each language (the collation of the partners' order) and for the public or
# the editors (drafts); who may see a record comes from the models' own ``published()``
# (``_visible``), the reader's names from ``SHOWN_NAME_FIELDS`` and ``COLLATIONS``. Building
# and compiling querysets cost 2-3 ms per query, the queries themselves well under one
# (docs/PERFORMANCE.md, "Detail pages").

# ``UNSHOWN`` by table: left out of the JSON (deferred on the instances: reading one would
# cost a query of its own).
_UNSHOWN = {
    model._meta.db_table: [model._meta.get_field(name).column for name in names]
    for model, names in UNSHOWN.items()
}
# What a partnership in a municipality's list shows of its partners (``display_name``).
_PARTNER_COLUMNS = ["id", "slug", "country", "name", "name_de", "name_en", "name_ru"]
# ... and of the partnership itself.
_LISTED_PARTNERSHIP_COLUMNS = [
    "id",
    "slug",
    "is_published",
    "german_partner_id",
    "russian_partner_id",
    "kind",
    "since_year",
    "status",
]


def _row(alias: str, table: str) -> str:
    """A table's row as JSON, without the columns no page shows."""
    unshown = _UNSHOWN.get(table)
    if not unshown:
        return f"to_jsonb({alias})"
    return f"(to_jsonb({alias}) - '{{{','.join(unshown)}}}'::text[])"


def _columns(alias: str, columns: list[str]) -> str:
    return "json_build_object({})".format(", ".join(f"'{c}', {alias}.{c}" for c in columns))


@functools.cache
def _visible(model, drafts: bool) -> str:
    """Who may see a row of ``model``, as SQL on its table: ``published()``, or all for
    editors (drafts)."""
    if drafts:
        return "TRUE"
    query = model.objects.published().query
    sql, params = query.get_compiler(DEFAULT_DB_ALIAS).compile(query.where)
    assert not params, params
    return sql


def _shown_name_sql(alias: str, language: str) -> str:
    """``filters.shown_name`` of the municipality ``alias``, as SQL."""
    names = [f"NULLIF({alias}.{field}, '')" for field in SHOWN_NAME_FIELDS[language]]
    return f'COALESCE({", ".join(names)}, {alias}.name) COLLATE "{COLLATIONS[language]}"'


_GENERATION = "(SELECT value FROM partnerships_registrygeneration LIMIT 1)"


@functools.cache
def _partnership_sql(drafts: bool) -> str:
    partnership = _row("partnerships_partnership", "partnerships_partnership")
    return f"""
SELECT json_build_object(
    'partnership', {partnership},
    'german_partner', {_row("g", "partnerships_municipality")},
    'german_region', to_jsonb(gr),
    'russian_partner', {_row("r", "partnerships_municipality")},
    'russian_region', to_jsonb(rr),
    'status_events', (
        SELECT json_agg(e ORDER BY e.date ASC NULLS FIRST, e.recorded_at, e.id)
        FROM partnerships_statusevent e
        WHERE e.partnership_id = partnerships_partnership.id),
    'sources', (
        SELECT json_agg(s ORDER BY s.id) FROM partnerships_partnershipsource s
        WHERE s.partnership_id = partnerships_partnership.id),
    'initiatives', (
        SELECT json_agg(partnerships_initiative ORDER BY partnerships_initiative.name)
        FROM partnerships_initiative
        JOIN partnerships_initiative_partnerships link
          ON link.initiative_id = partnerships_initiative.id
        WHERE link.partnership_id = partnerships_partnership.id
          AND {_visible(Initiative, drafts)}),
    'generation', {_GENERATION}
)::text
FROM partnerships_partnership
JOIN partnerships_municipality g ON g.id = partnerships_partnership.german_partner_id
LEFT JOIN partnerships_region gr ON gr.id = g.region_id
JOIN partnerships_municipality r ON r.id = partnerships_partnership.russian_partner_id
LEFT JOIN partnerships_region rr ON rr.id = r.region_id
WHERE partnerships_partnership.slug = $1 AND {_visible(Partnership, drafts)}
"""  # noqa: S608 (fixed text of our own; the slug is a parameter)


@functools.cache
def _municipality_sql(drafts: bool, language: str) -> str:
    return f"""
SELECT json_build_object(
    'municipality', {_row("partnerships_municipality", "partnerships_municipality")},
    'region', to_jsonb(region),
    'alternative_names', (
        SELECT json_agg(a ORDER BY a.kind, a.name) FROM partnerships_alternativename a
        WHERE a.municipality_id = partnerships_municipality.id),
    'partnerships', (
        SELECT json_agg(
            json_build_object(
                'partnership', {_columns("partnerships_partnership", _LISTED_PARTNERSHIP_COLUMNS)},
                'german_partner', {_columns("g", _PARTNER_COLUMNS)},
                'russian_partner', {_columns("r", _PARTNER_COLUMNS)})
            ORDER BY {_shown_name_sql("g", language)}, {_shown_name_sql("r", language)},
                partnerships_partnership.id)
        FROM partnerships_partnership
        JOIN partnerships_municipality g ON g.id = partnerships_partnership.german_partner_id
        JOIN partnerships_municipality r ON r.id = partnerships_partnership.russian_partner_id
        WHERE (partnerships_partnership.german_partner_id = partnerships_municipality.id
               OR partnerships_partnership.russian_partner_id = partnerships_municipality.id)
          AND {_visible(Partnership, drafts)}),
    'initiatives', (
        SELECT json_agg(
            partnerships_initiative
            ORDER BY partnerships_initiative.name COLLATE "{COLLATIONS[language]}")
        FROM partnerships_initiative
        WHERE partnerships_initiative.seat_id = partnerships_municipality.id
          AND {_visible(Initiative, drafts)}),
    'generation', {_GENERATION}
)::text
FROM partnerships_municipality
LEFT JOIN partnerships_region region ON region.id = partnerships_municipality.region_id
WHERE partnerships_municipality.slug = $1 AND {_visible(Municipality, drafts)}
"""  # noqa: S608 (fixed text of our own; the slug is a parameter)


# Prepared statements of the pages, per connection of the pool: the psycopg connection ->
# the names prepared on it.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _read_page(model, name: str, sql: str, slug: str) -> tuple[str, dict | None]:
    """The database read from, and the page's JSON document (None: no such record).

    A page's query is fixed text (``$1`` is the slug). With ``settings.PREPARED_STATEMENTS``
    it is prepared once on each pooled connection (``PREPARE``, not logged, like the
    connection's own settings) and run with ``EXECUTE``: PostgreSQL then parses and plans
    it once per connection instead of on every request, 2-6 ms of a page, more than
    running it (docs/PERFORMANCE.md).
    """
    database = router.db_for_read(model) or DEFAULT_DB_ALIAS
    connection = connections[database]
    with connection.cursor() as cursor:
        if settings.PREPARED_STATEMENTS:
            names = _prepared.setdefault(connection.connection, set())
            if name not in names:
                connection.connection.execute(f"PREPARE {name}(text) AS {sql}")
                names.add(name)
            cursor.execute(f"EXECUTE {name}(%s)", [slug])
        else:
            cursor.execute(sql.replace("$1", "%s"), [slug])
        row = cursor.fetchone()
    # Decimals stay decimals ("52.520000", as the ORM reads them), never floats.
    return database, None if row is None else json.loads(row[0], parse_float=Decimal)


_PARSED = (models.DateField, models.DecimalField)  # DateTimeField is a DateField


def _instance(database: str, model, data: dict | None):
    """A model instance as the ORM reads it, from a row as JSON (``to_jsonb``): dates and
    times parsed; columns the JSON lacks are deferred."""
    if data is None:
        return None
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in data:
            value = data[field.attname]
            if value is not None and isinstance(field, _PARSED):
                value = field.to_python(value)
            names.append(field.attname)
            values.append(value)
    return model.from_db(database, names, values)


def _with_region(database: str, municipality: Municipality, region: dict | None):
    municipality.region = _instance(database, Region, region)
    return municipality


@dataclass
class PartnershipPage:
    partnership: Partnership
    status_events: list[StatusEvent]
    sources: list[PartnershipSource]
    initiatives: list[Initiative]
    generation: int


@dataclass
class MunicipalityPage:
    municipality: Municipality
    alternative_names: list[AlternativeName]
    partnerships: list[Partnership]
    initiatives: list[Initiative]
    generation: int


def partnership_page(slug: str, *, drafts: bool = False) -> PartnershipPage | None:
    """A partnership's page in one query: the partnership, its partners with their regions,
    its status events, sources and initiatives, and the registry's generation. None when
    there is no such partnership or the public may not see it (``drafts``: editors may)."""
    name = "partnership_page_drafts" if drafts else "partnership_page"
    db, page = _read_page(Partnership, name, _partnership_sql(drafts), slug)
    if page is None:
        return None
    partnership = _instance(db, Partnership, page["partnership"])
    partnership.german_partner = _with_region(
        db, _instance(db, Municipality, page["german_partner"]), page["german_region"]
    )
    partnership.russian_partner = _with_region(
        db, _instance(db, Municipality, page["russian_partner"]), page["russian_region"]
    )
    return PartnershipPage(
        partnership=partnership,
        status_events=[_instance(db, StatusEvent, row) for row in page["status_events"] or []],
        sources=[_instance(db, PartnershipSource, row) for row in page["sources"] or []],
        initiatives=[_instance(db, Initiative, row) for row in page["initiatives"] or []],
        generation=page["generation"] or 0,
    )


def municipality_page(slug: str, *, drafts: bool = False) -> MunicipalityPage | None:
    """A municipality's page in one query: the municipality with its region, its other
    names, its partnerships (each with both partners' names, in the order of the names the
    reader sees) and the initiatives based there, and the registry's generation."""
    language = reader_language()
    name = f"municipality_page_{language}{'_drafts' if drafts else ''}"
    db, page = _read_page(Municipality, name, _municipality_sql(drafts, language), slug)
    if page is None:
        return None
    municipality = _with_region(
        db, _instance(db, Municipality, page["municipality"]), page["region"]
    )
    partnerships = []
    for row in page["partnerships"] or []:
        partnership = _instance(db, Partnership, row["partnership"])
        partnership.german_partner = _instance(db, Municipality, row["german_partner"])
        partnership.russian_partner = _instance(db, Municipality, row["russian_partner"])
        partnerships.append(partnership)
    return MunicipalityPage(
        municipality=municipality,
        alternative_names=[
            _instance(db, AlternativeName, row) for row in page["alternative_names"] or []
        ],
        partnerships=partnerships,
        initiatives=[_instance(db, Initiative, row) for row in page["initiatives"] or []],
        generation=page["generation"] or 0,
    )
