"""The CSV exports: exactly the rows of the list, in a file spreadsheets open safely."""

import csv
import datetime
import functools
import io
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import QueryDict, StreamingHttpResponse
from django.utils import timezone, translation

from partnerships import exports, selectors, views
from partnerships.models import (
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Signatory,
)
from partnerships.vocabulary import InitiativeKind, Status
from tests.factories import (
    AppealFactory,
    InitiativeFactory,
    MunicipalityFactory,
    PartnershipFactory,
    PartnershipSourceFactory,
    RussianMunicipalityFactory,
    SignatoryFactory,
    StatusEventFactory,
    region,
)
from tests.public_pages import filterset_of

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
BASE = "http://testserver"

# The documented column sets: part of the registry's interface (append, never reorder).
DOCUMENTED_COLUMNS = {
    "partnerships": [
        "permalink",
        "german_partner",
        "german_partner_en",
        "german_partner_kind",
        "german_land",
        "german_land_iso",
        "german_ags",
        "russian_partner_cyrillic",
        "russian_partner_de",
        "russian_partner_en",
        "russian_partner_kind",
        "russian_region",
        "russian_region_iso",
        "russian_oktmo",
        "kind",
        "kind_wording",
        "status",
        "since_year",
        "established_on",
        "unverified",
        "last_verified",
        "initiatives",
        "sources",
        "status_since",
        "german_partner_kind_label",
        "russian_partner_kind_label",
        "kind_label",
        "status_label",
    ],
    "municipalities": [
        "permalink",
        "country",
        "name",
        "name_de",
        "name_en",
        "name_ru",
        "kind",
        "region",
        "region_iso",
        "official_code",
        "wikidata_id",
        "latitude",
        "longitude",
        "website",
        "kind_label",
    ],
    "initiatives": [
        "permalink",
        "name",
        "kind",
        "seat",
        "seat_region_iso",
        "partnerships",
        "website",
        "founded_year",
        "sources",
        "kind_label",
    ],
    "signatories": [
        "appeal",
        "appeal_date",
        "name",
        "role",
        "organisation",
        "organisation_kind",
        "municipality",
        "land_iso",
        "initiative",
        "source",
        "participation",
        "participation_label",
        "organisation_kind_label",
        "role_en",
        "role_ru",
        "organisation_en",
        "organisation_ru",
    ],
}
COLUMNS = {
    "partnerships": exports.PARTNERSHIP_COLUMNS,
    "municipalities": exports.MUNICIPALITY_COLUMNS,
    "initiatives": exports.INITIATIVE_COLUMNS,
    "signatories": exports.SIGNATORY_COLUMNS,
}


def list_url(name: str) -> str:
    return f"/{name}/"


def export_url(name: str) -> str:
    return f"/{name}/export.csv"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def table(response, delimiter=",") -> list[list[str]]:
    raw = body(response)
    assert raw.startswith(BOM)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def records(response) -> list[dict[str, str]]:
    header, *rows = table(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


# --- the same rows as the list -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("partnerships", {}),
        ("partnerships", {"status": "suspended"}),
        ("partnerships", {"german_state": "DE-NW"}),
        ("partnerships", {"german_state": "DE-NW", "status": "unknown", "sort": "-year"}),
        ("partnerships", {"q": "Wolgograd"}),
        ("partnerships", {"q": "Moskau", "sort": "german"}),
        ("partnerships", {"kind": "official", "level": "district"}),
        ("partnerships", {"has_initiative": "yes", "unverified": "no"}),
        ("partnerships", {"year_from": "1990", "year_to": "2005", "sort": "-year"}),
        ("partnerships", {"russian_region": "RU-KGD"}),
        ("municipalities", {}),
        ("municipalities", {"country": "RU", "sort": "-name"}),
        ("municipalities", {"q": "Nowgorod"}),
        ("municipalities", {"has_active": "yes", "sort": "region"}),
        ("municipalities", {"region": "DE-NW", "kind": "town"}),
        ("initiatives", {}),
        ("initiatives", {"q": "Aachen"}),
        ("initiatives", {"kind": "school", "region": "DE-NW", "sort": "-founded"}),
        ("signatories", {}),
        ("signatories", {"land": "DE-NW"}),
        ("signatories", {"q": "Reker", "sort": "organisation"}),
        ("signatories", {"organisation_kind": "initiative"}),
    ],
)
def test_the_export_has_as_many_rows_as_the_list(client, name, params):
    listed = client.get(list_url(name), params)
    assert listed.status_code == 200
    exported = client.get(export_url(name), params)
    assert exported.status_code == 200
    header, *rows = table(exported)
    assert len(rows) == listed.context["total"]
    if "permalink" in header and listed.context["total"] <= 50:
        on_page = {f"{BASE}{o.get_absolute_url()}" for o in listed.context["object_list"]}
        assert {row[header.index("permalink")] for row in rows} == on_page


def test_the_exports_of_the_unfiltered_lists_hold_all_public_records(client):
    assert len(table(client.get("/partnerships/export.csv"))) == 121
    assert len(table(client.get("/municipalities/export.csv"))) == 204
    assert len(table(client.get("/initiatives/export.csv"))) == 155
    assert len(table(client.get("/signatories/export.csv"))) == 3  # a signatory, a supporter


def test_the_export_keeps_the_order_of_the_list(client):
    params = {"q": "Moskau"}
    listed = client.get("/partnerships/", params)
    rows = records(client.get("/partnerships/export.csv", params))
    assert [row["permalink"] for row in rows] == [
        BASE + p.get_absolute_url() for p in listed.context["object_list"]
    ]


def test_the_list_links_to_the_export_of_the_same_query(client):
    content = client.get("/partnerships/", {"status": "suspended", "page": 2, "per_page": 25})
    text = content.content.decode()
    assert 'href="/partnerships/export.csv?status=suspended"' in text
    assert 'href="/partnerships/export.csv?status=suspended&amp;sep=semicolon"' in text


# --- the file ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(COLUMNS))
def test_the_file_is_a_streamed_utf8_csv_with_a_bom(client, name):
    response = client.get(export_url(name))
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = body(response)
    assert raw.startswith(BOM)
    assert not raw[3:].startswith(BOM)
    raw.decode("utf-8")


@pytest.mark.parametrize("name", list(COLUMNS))
@pytest.mark.parametrize("sep", ["", "semicolon"])
def test_the_file_is_an_attachment_named_with_todays_date(client, name, sep):
    response = client.get(export_url(name), {"sep": sep} if sep else {})
    disposition = response["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="([^"]+)"', disposition)
    assert match, disposition
    filename = match.group(1)
    assert filename.startswith(name)
    assert timezone.localdate().isoformat() in filename
    assert filename.endswith(".csv")
    assert "/" not in filename


@pytest.mark.parametrize("name", list(COLUMNS))
def test_the_header_is_the_documented_column_list(client, name):
    header, *_rows = table(client.get(export_url(name)))
    assert header == DOCUMENTED_COLUMNS[name]
    assert header == [column.header for column in COLUMNS[name]]


@pytest.mark.parametrize("name", list(COLUMNS))
def test_semicolon_separated_for_german_excel(client, name):
    comma = table(client.get(export_url(name)))
    semicolon_response = client.get(export_url(name), {"sep": "semicolon"})
    raw = body(semicolon_response).decode("utf-8-sig")
    semicolon = list(csv.reader(io.StringIO(raw, newline=""), delimiter=";"))
    assert semicolon == comma
    assert raw.splitlines()[0] == ";".join(DOCUMENTED_COLUMNS[name])
    width = len(DOCUMENTED_COLUMNS[name])
    assert all(len(row) == width for row in semicolon)


def test_an_unknown_separator_gives_commas(client):
    raw = body(client.get("/municipalities/export.csv", {"sep": "tab"})).decode("utf-8-sig")
    assert raw.splitlines()[0] == ",".join(DOCUMENTED_COLUMNS["municipalities"])


def test_a_partnership_row_carries_its_facts(client):
    rows = records(client.get("/partnerships/export.csv", {"q": "Aachen"}))
    row = next(r for r in rows if r["permalink"] == f"{BASE}/partnerships/aachen--kostroma/")
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    assert row["german_partner"] == "Aachen"
    assert row["russian_partner_cyrillic"] == "Кострома"
    assert row["german_land_iso"] == "DE-NW"
    assert row["status"] == partnership.status == "suspended"
    assert row["since_year"] == str(partnership.since_year)
    assert row["initiatives"] == "3"
    assert row["unverified"] == "no"
    assert row["sources"].split(" | ")[0] == partnership.sources.first().url
    assert len(row["sources"].split(" | ")) == partnership.sources.count()


# --- drafts stay out of the export ---------------------------------------------------


def test_a_draft_initiative_is_not_counted_in_the_partnership_export(client):
    """A partnership whose only initiative is a draft has no (public) initiative."""
    german = MunicipalityFactory(name="Vereinslos", slug="vereinslos")
    partnership = PartnershipFactory(german_partner=german)
    InitiativeFactory(is_published=False).partnerships.add(partnership)
    rows = records(client.get("/partnerships/export.csv", {"q": "Vereinslos"}))
    assert [r["permalink"] for r in rows] == [BASE + partnership.get_absolute_url()]
    assert rows[0]["initiatives"] == "0"
    without = client.get("/partnerships/", {"q": "Vereinslos", "has_initiative": "no"})
    assert without.context["total"] == 1
    carried = client.get("/partnerships/", {"q": "Vereinslos", "has_initiative": "yes"})
    assert carried.context["total"] == 0


def test_a_partnership_with_a_draft_partner_is_not_named_in_the_initiative_export(client):
    hidden = RussianMunicipalityFactory(slug="skrytograd", is_published=False)
    partnership = PartnershipFactory(
        german_partner=Municipality.objects.get(slug="aachen"), russian_partner=hidden
    )
    initiative = InitiativeFactory(name="Freunde von Skrytograd e.V.")
    initiative.partnerships.add(partnership)
    rows = records(client.get("/initiatives/export.csv", {"q": "Skrytograd"}))
    row = next(r for r in rows if r["name"] == initiative.name)
    assert "skrytograd" not in row["partnerships"]


def test_a_draft_signatory_is_not_exported(client):
    appeal = Signatory.objects.get(person_name="Henriette Reker").appeal
    SignatoryFactory(
        appeal=appeal, person_name="Nicht Öffentlich", organisation="Geheim", is_published=False
    )
    exported = body(client.get("/signatories/export.csv")).decode("utf-8-sig")
    assert "Nicht Öffentlich" not in exported
    assert "Henriette Reker" in exported


# --- formula injection ---------------------------------------------------------------

DANGEROUS = [
    '=HYPERLINK("http://evil.example/","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTAB=1",
    "\rCR=1",
]


def test_dangerous_partnership_cells_are_neutralised(client):
    german = MunicipalityFactory(name="@evil", name_de="@evil", name_en="+evil", slug="at-evil")
    russian = RussianMunicipalityFactory(
        name="=ЗЛО()", name_de="-Boese", name_en="\tevil", slug="zlo"
    )
    partnership = PartnershipFactory(
        german_partner=german,
        russian_partner=russian,
        kind_wording=DANGEROUS[0],
    )
    partnership.sources.create(citation="@citation")
    rows = records(client.get("/partnerships/export.csv"))
    row = next(r for r in rows if r["permalink"].endswith(partnership.get_absolute_url()))
    assert row["kind_wording"] == "'" + DANGEROUS[0]
    assert row["german_partner"] == "'@evil"
    assert row["german_partner_en"] == "'+evil"
    assert row["russian_partner_cyrillic"] == "'=ЗЛО()"
    assert row["russian_partner_de"] == "'-Boese"
    assert row["russian_partner_en"] == "'\tevil"
    assert row["sources"] == "'@citation"
    assert all(not value.startswith(exports.FORMULA_PREFIXES) for value in row.values())


@pytest.mark.parametrize("dangerous", DANGEROUS)
def test_every_formula_prefix_is_neutralised_in_the_municipality_export(client, dangerous):
    municipality = MunicipalityFactory(name=dangerous, name_en=dangerous, slug="dangerous")
    rows = records(client.get("/municipalities/export.csv"))
    row = next(r for r in rows if r["permalink"].endswith("/municipalities/dangerous/"))
    assert row["name"] == row["name_en"] == "'" + dangerous
    assert municipality.name == dangerous


def test_dangerous_initiative_and_signatory_cells_are_neutralised(client):
    initiative = InitiativeFactory(
        name="=cmd()", seat_name="+Stadt", sources="@source\nhttps://example.org"
    )
    SignatoryFactory(
        appeal=Signatory.objects.get(person_name="Henriette Reker").appeal,
        person_name="-Minus",
        role="=Rolle",
        organisation="@Org",
        initiative=initiative,
    )
    initiatives = records(client.get("/initiatives/export.csv"))
    row = next(r for r in initiatives if r["permalink"].endswith(initiative.get_absolute_url()))
    assert (row["name"], row["seat"]) == ("'=cmd()", "'+Stadt")
    assert row["sources"] == "'@source | https://example.org"
    signatories = records(client.get("/signatories/export.csv"))
    row = next(r for r in signatories if r["role"].endswith("Rolle"))
    assert (row["name"], row["role"], row["organisation"]) == ("'-Minus", "'=Rolle", "'@Org")
    assert row["initiative"] == "'=cmd()"


# What a spreadsheet reads as a formula (the test's own list, not the code's).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=cmd|' /C calc'!A0",
    "\r=cmd|' /C calc'!A0",
]


@pytest.fixture
def formulas(db):
    """Published records of every kind whose exported text cells start like a formula."""
    records = []
    for index, formula in enumerate(FORMULAS):
        names = {"name": formula, "name_de": formula, "name_en": formula}
        german = MunicipalityFactory(
            **names, name_ru=formula, region=region("DE-BY"), slug=f"formula-de-{index}"
        )
        russian = RussianMunicipalityFactory(
            **names, region=region("RU-MOW"), slug=f"formula-ru-{index}"
        )
        partnership = PartnershipFactory(
            german_partner=german, russian_partner=russian, kind_wording=formula
        )
        PartnershipSourceFactory(partnership=partnership, url="", citation=formula)
        initiative = InitiativeFactory(
            name=formula,
            kind=InitiativeKind.OTHER,
            seat_name=formula,
            sources=formula,
            slug=f"formula-initiative-{index}",
        )
        initiative.partnerships.add(partnership)
        appeal = AppealFactory(title=formula, publisher=formula, slug=f"formula-appeal-{index}")
        SignatoryFactory(appeal=appeal, person_name=formula, role=formula, organisation=formula)
        records.append(partnership)
    return records


@pytest.mark.parametrize("separator", [None, "semicolon"])
@pytest.mark.parametrize("url", [export_url(name) for name in DOCUMENTED_COLUMNS])
def test_no_exported_cell_of_any_export_starts_like_a_formula(anonymous, formulas, url, separator):
    params = {"sep": separator} if separator else {}
    response = anonymous.get(url, params)
    assert response.status_code == 200
    delimiter = ";" if separator else ","
    cells = [cell for row in table(response, delimiter) for cell in row]
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert dangerous == []
    for formula in FORMULAS:
        # Every formula was exported, as text behind an apostrophe.
        assert "'" + formula in cells, (url, formula)


# --- neutralise, unit by unit --------------------------------------------------------


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_prefixes_formula_starts(prefix):
    assert exports.neutralise(prefix + "A1") == "'" + prefix + "A1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        (True, "yes"),
        (False, "no"),
        (0, "0"),
        (2005, "2005"),
        (-3, "'-3"),
        (Decimal("54.710000"), "54.710000"),
        (Decimal("-12.5"), "'-12.5"),
        (datetime.date(2020, 4, 30), "2020-04-30"),
        ("Köln", "Köln"),
        ("Нижний Новгород", "Нижний Новгород"),
        (" =1+1", " =1+1"),
        ("a=b", "a=b"),
        ("'=already", "'=already"),
        ("\n=1", "\n=1"),
    ],
)
def test_neutralise_turns_every_value_into_safe_text(value, expected):
    assert exports.neutralise(value) == expected


def test_neutralise_always_returns_text():
    for value in [None, True, 1, 1.5, Decimal(1), datetime.date(2000, 1, 1), "x"]:
        assert isinstance(exports.neutralise(value), str)


# --- invalid filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("partnerships", {"status": "bogus"}, "status"),
        ("partnerships", {"year_from": "99999999999999999999"}, "year_from"),
        ("partnerships", {"sort": "bogus"}, "sort"),
        ("municipalities", {"country": "FR"}, "country"),
        ("municipalities", {"q": "x" * 101}, "q"),
        ("initiatives", {"kind": "club"}, "kind"),
        ("initiatives", {"q": "nul\x00byte"}, "q"),
        ("signatories", {"land": "RU-KGD"}, "land"),
    ],
)
def test_the_export_of_invalid_filters_answers_400_with_a_message(client, name, params, field):
    response = client.get("/en" + export_url(name), params)
    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("The export's filters could not be used")
    assert f"{field}: " in text
    assert "Content-Disposition" not in response


def test_the_export_of_invalid_filters_is_explained_in_the_readers_language(client):
    english = client.get("/en/partnerships/export.csv", {"status": "bogus"})
    german = client.get("/partnerships/export.csv", {"status": "bogus"})
    assert german.status_code == english.status_code == 400
    assert german.content != english.content
    assert german.content.decode().startswith("Die Filter des Exports")
    assert "status: " in german.content.decode()


def test_paging_parameters_do_not_cut_the_export(client):
    rows = table(client.get("/initiatives/export.csv", {"page": 2, "per_page": 25}))
    assert len(rows) - 1 == Initiative.objects.published().count()


# --- the fast path: PostgreSQL writes the CSV, byte for byte as csv.writer would ------


@pytest.fixture
def awkward_records(db):
    """Records with every kind of cell the CSV must get right."""
    german = MunicipalityFactory(
        name='Bad "Quote", Stadt',
        name_de="Semi;colon",
        name_en="",
        region=None,
        official_code="",
        latitude=Decimal("-0.000001"),
        longitude=Decimal("-12.500000"),
        website="=cmd|' /C calc'!A0",
        slug="bad-quote",
    )
    russian = RussianMunicipalityFactory(
        name="=ЗЛО()",
        name_de="\rCR",
        name_en="\tevil",
        name_ru=" =space first",
        latitude=Decimal("0.000000"),
        longitude=Decimal("104.000001"),
        slug="zlo",
    )
    other = RussianMunicipalityFactory(name="Тихий", name_de="Tichi", slug="tichi")
    lines = PartnershipFactory(
        german_partner=german,
        russian_partner=russian,
        kind_wording="Zeile 1\nZeile 2\r\nZeile 3\r",
        since_year=None,
        established_on=None,
        needs_verification=True,
        last_verified=None,
    )
    lines.sources.create(citation='Er sagte: "ja", dann;\nnichts')
    lines.sources.create(url="https://example.org/?a=1,2")
    dated = PartnershipFactory(
        german_partner=german,
        russian_partner=other,
        kind_wording='"',
        since_year=1991,
        established_on=datetime.date(1991, 5, 3),
        needs_verification=False,
        last_verified=datetime.date(2024, 12, 31),
    )
    dated.sources.create(citation="-minus")
    InitiativeFactory().partnerships.add(dated)
    InitiativeFactory(is_published=False).partnerships.add(dated, lines)
    # "status since" at the precision of its source: a month, a year; a third undated.
    StatusEventFactory(
        partnership=lines,
        status=Status.SUSPENDED,
        date=datetime.date(2022, 3, 1),
        date_precision="month",
    )
    StatusEventFactory(
        partnership=dated,
        status=Status.ACTIVE,
        date=datetime.date(1991, 1, 1),
        date_precision="year",
    )
    undated = PartnershipFactory(
        german_partner=MunicipalityFactory(name="Undatiert", slug="undatiert"),
        russian_partner=other,
    )
    StatusEventFactory(partnership=undated, status=Status.DORMANT, date=None)
    return lines, dated


def prepare_partnerships(queryset: QuerySet) -> QuerySet:
    """The model path's annotations of the partnership export (the reference for COPY)."""
    sources = PartnershipSource.objects.filter(partnership=OuterRef("pk"))
    links = Initiative.partnerships.through.objects.filter(
        partnership=OuterRef("pk"), initiative__is_published=True
    )
    return queryset.annotate(
        source_text=Coalesce(
            Subquery(
                exports.joined(
                    sources,
                    Coalesce(NullIf("url", Value("")), "citation", output_field=TextField()),
                    "partnership",
                ).values("joined")[:1]
            ),
            Value(""),
            output_field=TextField(),
        ),
        initiative_count=Coalesce(
            Subquery(links.values("partnership").annotate(n=Count("pk")).values("n")[:1]),
            0,
        ),
    )


REFERENCE = {
    # name: (selector, prepare, columns) of the model path, the reference
    "partnerships": (
        selectors.partnership_filterset,
        prepare_partnerships,
        exports.PARTNERSHIP_COLUMNS,
    ),
    "municipalities": (
        functools.partial(filterset_of, views.MunicipalityListView),
        lambda queryset: queryset,
        exports.MUNICIPALITY_COLUMNS,
    ),
}


def reference_body(name: str, params: dict, base: str = BASE, language: str = "de") -> bytes:
    """The file as the model path writes it: model instances, neutralise, csv.writer."""
    selector, prepare, columns = REFERENCE[name]
    filterset = selector(QueryDict(urlencode(params)))
    assert filterset.is_valid()
    with translation.override(language):
        lines = exports.rows(prepare(filterset.qs), columns, base + "/")
        response = exports.stream_csv(lines, name=name, semicolon=params.get("sep") == "semicolon")
        return body(response)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("partnerships", {}),
        ("partnerships", {"sep": "semicolon"}),
        ("partnerships", {"q": "Quote"}),
        ("partnerships", {"q": "Quote", "sep": "semicolon"}),
        ("partnerships", {"sort": "-year"}),
        ("partnerships", {"status": "unknown", "unverified": "yes", "sep": "semicolon"}),
        ("partnerships", {"german_state": "DE-NW", "has_initiative": "yes"}),
        ("partnerships", {"sort": "-status_since"}),
        ("partnerships", {"status_dated": "undated", "sep": "semicolon"}),
        ("partnerships", {"status_since_from": "1991", "status_since_to": "2022"}),
        ("municipalities", {}),
        ("municipalities", {"sep": "semicolon"}),
        ("municipalities", {"q": "Quote", "sep": "semicolon"}),
        ("municipalities", {"country": "RU", "sort": "-name"}),
        ("municipalities", {"has_active": "yes", "sort": "region"}),
    ],
)
def test_postgresql_writes_the_same_bytes_as_the_model_path(client, awkward_records, name, params):
    response = client.get(export_url(name), params)
    assert response.status_code == 200
    raw = body(response)
    assert raw.count(b"\r\n") > 1
    assert raw == reference_body(name, params)


@pytest.mark.parametrize("name", list(REFERENCE))
@pytest.mark.parametrize("params", [{"q": "!!!"}, {"q": "Nirgendwo", "sep": "semicolon"}])
def test_an_export_without_rows_is_the_header_alone(client, name, params):
    """A search that can match nothing compiles to no SQL at all in Django (!!!)."""
    raw = body(client.get(export_url(name), params))
    delimiter = ";" if params.get("sep") else ","
    assert raw == BOM + delimiter.join(DOCUMENTED_COLUMNS[name]).encode() + b"\r\n"
    assert raw == reference_body(name, params)


def test_the_same_bytes_in_another_language_and_on_another_host(client, awkward_records):
    response = client.get("/en/partnerships/export.csv", HTTP_HOST="localhost:8000", secure=True)
    raw = body(response)
    assert b"https://localhost:8000/en/partnerships/bad-quote--zlo/" in raw
    assert raw == reference_body("partnerships", {}, "https://localhost:8000", "en")


def test_awkward_cells_in_the_partnership_export(client, awkward_records):
    lines, dated = awkward_records
    raw = body(client.get("/partnerships/export.csv", {"q": "Quote"}))
    # csv.writer's line end after every row, a line break inside a cell kept as it is.
    assert raw.count(b"\r\n") == 3 + 1  # header, two rows, one inside a quoted cell
    assert b'"Zeile 1\nZeile 2\r\nZeile 3\r"' in raw
    rows = records(client.get("/partnerships/export.csv", {"q": "Quote"}))
    by_link = {row["permalink"]: row for row in rows}
    first = by_link[BASE + lines.get_absolute_url()]
    assert first["german_partner"] == 'Bad "Quote", Stadt'
    assert first["german_partner_en"] == ""
    assert first["german_land"] == first["german_land_iso"] == first["german_ags"] == ""
    assert first["russian_partner_cyrillic"] == "'=ЗЛО()"
    assert first["russian_partner_de"] == "'\rCR"
    assert first["kind_wording"] == "Zeile 1\nZeile 2\r\nZeile 3\r"
    assert first["since_year"] == first["established_on"] == first["last_verified"] == ""
    assert first["unverified"] == "yes"
    assert first["initiatives"] == "0"
    assert first["sources"] == 'Er sagte: "ja", dann;\nnichts | https://example.org/?a=1,2'
    second = by_link[BASE + dated.get_absolute_url()]
    assert second["kind_wording"] == '"'
    assert (second["since_year"], second["established_on"]) == ("1991", "1991-05-03")
    assert (second["unverified"], second["last_verified"]) == ("no", "2024-12-31")
    assert second["initiatives"] == "1"
    assert second["sources"] == "'-minus"


def test_status_since_is_added_after_the_first_columns_cut_to_its_precision(
    client, awkward_records
):
    """Added at the end of the columns of its time, after every column before it
    (consumers that read columns by position keep working); the labels came after it."""
    lines, dated = awkward_records
    exact = PartnershipFactory(german_partner=lines.german_partner)
    StatusEventFactory(
        partnership=exact, status=Status.ENDED, date=datetime.date(2024, 5, 2), date_precision="day"
    )
    header, *rows = table(client.get("/partnerships/export.csv", {"q": "Quote"}))
    position = header.index("status_since")
    assert position == 23 and header[:position] == DOCUMENTED_COLUMNS["partnerships"][:23]
    by_link = {row[0]: row[position] for row in rows}
    assert by_link[BASE + lines.get_absolute_url()] == "2022-03"
    assert by_link[BASE + dated.get_absolute_url()] == "1991"
    assert by_link[BASE + exact.get_absolute_url()] == "2024-05-02"
    rows = records(client.get("/partnerships/export.csv", {"q": "Undatiert"}))
    assert [row["status_since"] for row in rows] == [""]  # a status without a dated source


@pytest.mark.parametrize(
    ("date", "precision", "expected"),
    [
        (datetime.date(2022, 3, 30), "day", "2022-03-30"),
        (datetime.date(2022, 4, 1), "month", "2022-04"),
        (datetime.date(2022, 1, 1), "year", "2022"),
        (datetime.date(2022, 3, 30), "", "2022-03-30"),
        (None, "", ""),
    ],
)
def test_a_partial_date_is_written_only_to_its_precision(date, precision, expected):
    assert exports.partial_iso(date, precision) == expected


def test_awkward_cells_in_the_municipality_export(client, awkward_records):
    raw = body(client.get("/municipalities/export.csv", {"q": "Quote", "sep": "semicolon"}))
    assert b'"Bad ""Quote"", Stadt";"Semi;colon";;' in raw
    assert b";'-0.000001;'-12.500000;'=cmd|' /C calc'!A0;Stadt oder Gemeinde\r\n" in raw
    rows = records(client.get("/municipalities/export.csv"))
    zlo = next(row for row in rows if row["permalink"] == f"{BASE}/municipalities/zlo/")
    assert (zlo["name_en"], zlo["name_ru"]) == ("'\tevil", " =space first")
    assert (zlo["latitude"], zlo["longitude"]) == ("0.000000", "104.000001")


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        ([b"a,b\nc,d\n"], b"a,b\r\nc,d\r\n"),
        ([b'a,"x\ny"\n'], b'a,"x\ny"\r\n'),
        ([b'"say ""hi""\n",b\n', b'c,"\n"\n'], b'"say ""hi""\n",b\r\nc,"\n"\r\n'),
        ([b'a,"open\n', b"still\n", b'closed",b\n', b"c\n"], b'a,"open\nstill\nclosed",b\r\nc\r\n'),
        ([b'""\n', b'"""\n""",\n'], b'""\r\n"""\n""",\r\n'),
    ],
)
def test_crlf_changes_line_ends_outside_quoted_cells_only(pieces, expected):
    out, quoted = [], False
    for piece in pieces:
        data, quoted = exports.crlf(piece, quoted)
        out.append(data)
    assert b"".join(out) == expected
    assert not quoted


@pytest.mark.django_db(transaction=True)
def test_a_download_cut_short_leaves_the_connection_usable(client, monkeypatch):
    monkeypatch.setattr(exports, "COPY_CHUNK_BYTES", 100)
    response = client.get("/partnerships/export.csv")
    content = iter(response.streaming_content)
    assert next(content).startswith(BOM)
    next(content)
    next(content)
    response.close()
    assert not connection.in_atomic_block
    assert Partnership.objects.published().count() == 120
    assert len(table(client.get("/partnerships/export.csv"))) == 121
