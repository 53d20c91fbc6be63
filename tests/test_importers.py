"""The importers on the real starter files: counts, idempotency, atomicity, spellings."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from partnerships.importing.initiatives import InitiativeImporter
from partnerships.importing.partnerships import PartnershipImporter
from partnerships.models import AlternativeName, Initiative, Municipality, Partnership
from partnerships.vocabulary import Country, PartnershipKind, Status
from tests.import_files import PARTNERSHIP_HEADER as HEADER
from tests.import_files import run_import

pytestmark = pytest.mark.django_db


def run(text: str, **kwargs):
    return run_import(PartnershipImporter(), text, **kwargs)


def test_the_starter_data_holds_its_known_numbers_of_records():
    assert Partnership.objects.count() == 120
    assert Municipality.objects.filter(country=Country.GERMANY).count() == 108
    assert Municipality.objects.filter(country=Country.RUSSIA).count() == 95
    assert Initiative.objects.count() == 154
    assert Partnership.objects.filter(initiatives__isnull=False).distinct().count() == 59


def test_second_import_creates_and_changes_nothing(starter_file):
    out = io.StringIO()
    call_command("import_partnerships", starter_file("partnerships-de-ru.csv"), stdout=out)
    assert "created 0, updated 0, unchanged 120, rejected 0" in out.getvalue()
    assert "Nothing to do" in out.getvalue()
    assert Municipality.objects.count() == 203


@pytest.mark.parametrize(
    ("importer", "filename", "rows"),
    [
        ("import_municipalities", "municipalities-reference.csv", 203),
        ("import_initiatives", "initiatives-de-ru.csv", 154),
        ("import_signatories", "appeal-2020-signatories.csv", 2),
    ],
)
def test_other_starter_files_are_idempotent(importer, filename, rows, starter_file):
    out = io.StringIO()
    call_command(importer, starter_file(filename), stdout=out)
    assert f"created 0, updated 0, unchanged {rows}, rejected 0" in out.getvalue()


def test_a_file_with_one_bad_row_imports_nothing_and_names_it(empty_registry, starter_file):
    lines = starter_file("partnerships-de-ru.csv").read_text(encoding="utf-8").splitlines()
    lines[17] = lines[17].replace(lines[17].split(",")[5], "Blutsbrüderschaft", 1)
    broken = "\n".join(lines) + "\n"
    report = run(broken)
    assert not report.ok
    assert report.rejected == 1
    problem = report.problems[0]
    assert (problem.line, problem.column) == (18, "kind")
    assert "Blutsbrüderschaft" in problem.reason
    assert Partnership.objects.count() == 0
    assert Municipality.objects.count() == 0


def test_the_command_fails_with_the_report(tmp_path, starter_file):
    text = starter_file("partnerships-de-ru.csv").read_text(encoding="utf-8")
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace("Oblast Kostroma", "Oblast Atlantis", 1), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_partnerships", broken)
    assert "line 2, column 'russian_region': unknown region 'Oblast Atlantis'" in str(error.value)
    assert "Nothing was imported" in str(error.value)


def test_dry_run_reports_and_writes_nothing(empty_registry, starter_file):
    out = io.StringIO()
    call_command(
        "import_partnerships", starter_file("partnerships-de-ru.csv"), dry_run=True, stdout=out
    )
    assert "created 120, updated 0, unchanged 0, rejected 0" in out.getvalue()
    assert "municipalities: created 203" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert Partnership.objects.count() == 0


def test_a_fresh_import_makes_one_town_of_its_spellings(empty_registry, starter_file):
    report = PartnershipImporter().run(starter_file("partnerships-de-ru.csv"))
    assert report.ok, report.summary()
    assert report.counts["created"] == 120
    assert Municipality.objects.russian().count() == 95
    assert Municipality.objects.german().count() == 108
    petrozavodsk = Municipality.objects.get(name="Петрозаводск")
    assert petrozavodsk.partnerships_as_russian.count() == 2  # Petrozavodsk and Petrosawodsk
    kaliningrad = Municipality.objects.get(name="Калининград")
    assert kaliningrad.name_de == "Kaliningrad"
    assert kaliningrad.alternative_names.filter(
        name="Königsberg", kind=AlternativeName.Kind.HISTORIC
    ).exists()
    assert kaliningrad.partnerships_as_russian.count() >= 2
    petersburg = Municipality.objects.get(name="Санкт-Петербург")
    assert petersburg.name_de == "Sankt Petersburg"
    oblast = Municipality.objects.filter(name="Калининградская область")
    assert oblast.count() == 1
    assert oblast.get().kind == "region"


def test_wikidata_only_rows_are_unverified():
    unverified = Partnership.objects.filter(needs_verification=True)
    assert unverified.count() == 13
    assert all("Wikidata P190" in p.kind_wording for p in unverified)
    assert not Partnership.objects.filter(
        needs_verification=True, kind_wording="Städtepartnerschaft"
    ).exists()


def test_kind_wording_is_mapped_and_kept():
    partnership = Partnership.objects.get(
        german_partner__name="Land Brandenburg", russian_partner__name="Московская область"
    )
    assert partnership.kind == PartnershipKind.REGIONAL
    assert partnership.kind_wording == "Partnerschaft (Region)"


def test_a_status_in_a_file_becomes_a_status_event():
    aachen = Partnership.objects.get(german_partner__name="Aachen")
    assert aachen.status == Status.SUSPENDED
    undated = aachen.status_events.get(date__isnull=True)
    assert undated.status == Status.SUSPENDED
    assert undated.source_url.startswith("https://aachen-kostroma.de/")
    assert not undated.by_editor
    # The dated statements: founding events (no status) and the council's decision.
    dated = list(aachen.status_events.filter(date__isnull=False).values_list("date", "status"))
    assert (datetime.date(2005, 6, 9), "") in dated
    assert (datetime.date(2022, 3, 30), Status.SUSPENDED) in dated
    assert aachen.status_since == datetime.date(2022, 3, 30)
    assert aachen.sources.count() == 3


def test_reference_data_fills_codes_and_names():
    aachen = Municipality.objects.get(name="Aachen")
    assert (aachen.official_code, aachen.wikidata_id) == ("05334002", "Q1017")
    assert aachen.latitude is not None
    munster = Municipality.objects.get(name="Munster")
    muenster = Municipality.objects.get(name="Münster")
    assert munster.wikidata_id == "Q506599"
    assert muenster.wikidata_id == "Q2742"


@pytest.mark.parametrize(
    ("cell", "column", "reason"),
    [
        ("since_year=18x", "since_year", "not a year"),
        ("since_year=1700", "since_year", "not a year"),
        ("status=vielleicht", "status", "unknown status"),
        ("german_name=", "german_name", "missing"),
        ("russian_name_cyrillic=", "russian_name_cyrillic", "missing"),
    ],
)
def test_row_errors_name_column_and_reason(empty_registry, cell, column, reason):
    values = {
        "german_name": "Teststadt",
        "german_state": "Hessen",
        "russian_name_latin": "Testograd",
        "russian_name_cyrillic": "Тестоград",
        "russian_region": "Oblast Kaluga",
        "kind": "Städtepartnerschaft",
        "since_year": "1990",
        "status": "",
        "source": "https://example.org/a",
    }
    key, value = cell.split("=")
    values[key] = value
    report = run(HEADER + ",".join(values.values()) + "\n")
    assert [(p.line, p.column) for p in report.problems] == [(2, column)]
    assert reason in report.problems[0].reason
    assert not Municipality.objects.exists()


def test_semicolons_and_bom_from_german_excel_are_read(empty_registry):
    text = HEADER.replace(",", ";") + (
        "Teststadt;Hessen;Testograd;Тестоград;Oblast Kaluga;Partnerschaft;1991;aktiv;"
        "https://example.org/a\n"
    )
    report = run_import(PartnershipImporter(), b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert report.ok, report.summary()
    assert Partnership.objects.get().status == Status.ACTIVE


def test_a_file_that_is_not_utf8_is_refused_clearly(empty_registry):
    data = (HEADER + "Köln,Nordrhein-Westfalen,Wolgograd,Волгоград,,Partnerschaft,,,\n").encode(
        "utf-8"
    )
    data = data.replace("Köln".encode(), "Köln".encode("cp1252"))
    report = run_import(PartnershipImporter(), data)
    assert "not UTF-8" in report.problems[0].reason
    assert not Partnership.objects.exists()


def test_missing_columns_are_refused(empty_registry):
    report = run("german_name,kind\nAachen,Partnerschaft\n")
    assert report.problems[0].line == 1
    assert "missing column(s): german_state" in report.problems[0].reason


def test_initiative_rows_need_a_known_partnership():
    text = (
        "name,kind,seat_municipality,partnership_german,partnership_russian,website,"
        "founded_year,source\n"
        "Freundeskreis Atlantis,association,Aachen,Aachen,Atlantis,,,\n"
    )
    report = run_import(InitiativeImporter(), text)
    assert report.problems[0].column == "partnership_russian"
    assert not Initiative.objects.filter(name="Freundeskreis Atlantis").exists()


def test_initiatives_match_historic_spellings_and_keep_unknown_seats():
    dresden = Initiative.objects.filter(partnerships__german_partner__name="Dresden")
    assert dresden.filter(partnerships__russian_partner__name="Санкт-Петербург").exists()
    schorndorf = Initiative.objects.filter(seat_name="Schorndorf")
    assert schorndorf.exists()
    assert all(initiative.seat is None for initiative in schorndorf)


def test_load_starter_data_is_idempotent():
    out = io.StringIO()
    call_command("load_starter_data", stdout=out)
    assert out.getvalue().count("Nothing to do") == 5
