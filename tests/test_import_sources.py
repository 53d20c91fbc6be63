"""Files nobody here wrote: each partnership once per source, in any order, any code page.

The file is built from the starter partnerships as editors will meet them: the row of the
starter file, a row of an English list (English wording and transliteration, another
source, sometimes another founding year) and for some a Wikidata row, shuffled.
"""

from __future__ import annotations

import csv
import io
import random

import pytest

from partnerships.importing.partnerships import PartnershipImporter
from partnerships.models import Claim, Municipality, Partnership
from partnerships.vocabulary import kind_of, status_of
from tests.import_files import run_import

pytestmark = pytest.mark.django_db

COLUMNS = PartnershipImporter.columns
ENGLISH_KIND = ["town twinning", "twin town", "sister city", "partnership", "Partnerschaft"]


def starter_rows(starter_file) -> list[dict[str, str]]:
    with starter_file("partnerships-de-ru.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def english_names(starter_file) -> dict[str, str]:
    with starter_file("municipalities-reference.csv").open(encoding="utf-8", newline="") as f:
        return {row["name_in_file"]: row["name_en"] for row in csv.DictReader(f) if row["name_en"]}


def sources_file(starter_file) -> list[dict[str, str]]:
    """Every starter partnership two or three times, each time from another source."""
    english = english_names(starter_file)
    rows = []
    for n, row in enumerate(starter_rows(starter_file)):
        rows.append(row)
        other = {
            **row,
            "russian_name_latin": english.get(
                row["russian_name_cyrillic"], row["russian_name_latin"]
            ),
            "kind": ENGLISH_KIND[n % len(ENGLISH_KIND)]
            if kind_of(row["kind"]) == "official"
            else row["kind"],
            "status": "",
            "source": f"https://en.example.org/twin-towns#{n}",
        }
        if n % 4 == 0 and row["since_year"]:
            other["since_year"] = str(int(row["since_year"]) + 1)  # the sources disagree
        rows.append(other)
        if n % 3 == 0:
            rows.append(
                {
                    **row,
                    "kind": "twinned administrative body (Wikidata P190)",
                    "since_year": "",
                    "status": "",
                    "source": f"Wikidata P190 extract row {n}",
                }
            )
    return rows


def encode(rows: list[dict[str, str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(data: bytes, name: str = "sources.csv", **kwargs):
    return run_import(PartnershipImporter(), data, name, **kwargs)


def registry_state() -> list[tuple]:
    return sorted(
        Partnership.objects.values_list(
            "german_partner__name",
            "russian_partner__name",
            "kind",
            "kind_wording",
            "since_year",
            "status",
            "needs_verification",
            "conflicts",
        )
    )


def test_a_file_of_sources_in_any_order_gives_one_registry(empty_registry, starter_file):
    rows = sources_file(starter_file)
    assert len(rows) > 250
    random.Random(1).shuffle(rows)
    report = run(encode(rows))
    assert report.ok, report.summary()
    # No duplicate town or partnership: the 120 partnerships of 203 partners, once each.
    assert Partnership.objects.count() == 120
    assert Municipality.objects.count() == 203
    assert Claim.objects.count() > 250
    # Every conflict is reported with both lines and both values.
    assert report.conflicts
    years = [c for c in report.conflicts if ": since_year: " in c]
    # Every fourth partnership with a year got another year from its second source.
    assert len(years) >= 10
    dortmund = next(c for c in years if c.startswith("Dortmund – Ростов-на-Дону"))
    assert "says 1978" in dortmund and "says 1979" in dortmund
    assert dortmund.count("line ") == 2
    first = registry_state()

    # Again, in another order: nothing changes, every row is "unchanged".
    random.Random(2).shuffle(rows)
    again = run(encode(rows))
    assert again.ok, again.summary()
    assert set(again.counts) == {"unchanged"}
    assert not again.changed_anything
    assert registry_state() == first


def test_the_same_sources_in_another_order_give_the_same_values(empty_registry, starter_file):
    rows = sources_file(starter_file)
    random.Random(3).shuffle(rows)
    run(encode(rows))
    shuffled = registry_state()
    Partnership.objects.all().delete()
    Municipality.objects.all().delete()
    run(encode(list(reversed(rows))))
    assert registry_state() == shuffled
    dortmund = Partnership.objects.get(german_partner__name="Dortmund")
    # The documented rule: the earliest year any source gives, the kind most sources name.
    assert dortmund.since_year == 1978
    assert dortmund.kind == "official"
    assert {c["field"] for c in dortmund.conflicts} == {"since_year"}


def test_a_second_source_of_the_starter_registry_reports_its_conflicts(starter_file):
    rows = [row for row in sources_file(starter_file) if "en.example.org" in row["source"]]
    report = run(encode(rows), dry_run=True)
    assert report.ok, report.summary()
    assert report.counts["updated"] == len(rows)
    conflict = next(c for c in report.conflicts if c.startswith("Dortmund – Ростов-на-Дону"))
    assert "says 1979" in conflict and "the registry (" in conflict and "says 1978" in conflict


@pytest.mark.parametrize(
    "wording",
    [
        "partnership",
        "town twinning",
        "Freundschaftsvertrag",
        "sister city / Treaty of Friendship and Cooperation",
        "Städtepartnerschaft (1992 Städtefreundschaft)",
        "город-побратим",
        "соглашение о сотрудничестве",
        "Партнёрство",
    ],
)
def test_ordinary_wording_is_understood_and_kept(wording):
    assert kind_of(wording) is not None
    report = run(
        encode(
            [
                {
                    **dict.fromkeys(COLUMNS, ""),
                    "german_name": "Köln",
                    "german_state": "Nordrhein-Westfalen",
                    "russian_name_cyrillic": "Волгоград",
                    "kind": wording,
                    "source": "https://example.org/list",
                }
            ]
        )
    )
    assert report.ok, report.summary()
    assert Claim.objects.filter(kind_wording=wording, source="https://example.org/list").exists()


def test_status_wording_of_three_languages():
    assert status_of("ruht") == status_of("auf Eis") == status_of("приостановлено") == "suspended"
    assert status_of("Suspended") == "suspended"
    assert status_of("beendet") == status_of("прекращено") == "ended"
    assert status_of("vielleicht") is None


def test_unknown_wording_is_still_an_error_and_every_error_of_the_row_is_named():
    report = run(
        encode(
            [
                {
                    **dict.fromkeys(COLUMNS, ""),
                    "german_name": "Köln",
                    "german_state": "Nordrhein-Westfalen",
                    "russian_name_cyrillic": "Волгоград",
                    "kind": "Blutsbrüderschaft",
                    "status": "vielleicht",
                    "since_year": "neunzehnhundert",
                    "russian_region": "Atlantis",
                }
            ]
        ),
        dry_run=True,
    )
    assert sorted(p.column for p in report.problems) == [
        "kind",
        "russian_region",
        "since_year",
        "status",
    ]
    assert report.rejected == 1


def test_a_typo_does_not_create_a_second_town():
    row = {
        **dict.fromkeys(COLUMNS, ""),
        "german_name": "Nuess",
        "german_state": "Nordrhein-Westfalen",
        "russian_name_cyrillic": "Ростов-на-Дону",
        "kind": "Partnerschaft",
    }
    before = (Municipality.objects.count(), Partnership.objects.count())
    report = run(encode([row]))
    assert not report.ok
    (problem,) = report.problems
    assert problem.column == "german_name"
    assert "did you mean Neuss" in problem.reason
    assert (Municipality.objects.count(), Partnership.objects.count()) == before

    # A genuinely new town is confirmed in its own column.
    confirmed = run(encode([{**row, "german_name": "Nuessen", "confirm_new": "ja"}]))
    assert confirmed.ok, confirmed.summary()
    assert Municipality.objects.filter(name="Nuessen").exists()


def test_a_german_excel_file_with_umlauts_imports_like_utf8(starter_file):
    rows = [
        {**row, "russian_name_cyrillic": "", "source": ""}
        for row in starter_rows(starter_file)
        if row["german_name"] in {"Düsseldorf", "Gütersloh", "Köln", "Lüdenscheid", "Kühlungsborn"}
    ]
    assert len(rows) >= 3
    report = run(encode(rows, "cp1252", ";"), name="excel.csv", dry_run=True)
    assert report.ok, report.summary()
    assert report.encoding == "windows-1252"
    assert {row.label.split(" – ")[0] for row in report.rows} >= {"Düsseldorf", "Köln"}
    assert {row.outcome for row in report.rows} <= {"unchanged", "updated"}
    assert not report.municipalities_created


def test_a_file_whose_cyrillic_became_question_marks_is_refused(starter_file):
    rows = [
        {**row, "russian_name_cyrillic": "?" * len(row["russian_name_cyrillic"])}
        for row in starter_rows(starter_file)[:5]
    ]
    report = run(encode(rows, "utf-8"), dry_run=True)
    assert report.rejected == 5
    assert all("holds no Cyrillic letters" in p.reason for p in report.problems)


def test_a_source_that_lost_characters_is_flagged_not_offered(starter_file):
    row = next(r for r in starter_rows(starter_file) if r["german_name"] == "Köln")
    mangled = {**row, "source": row["source"].replace("↔", "?")}
    report = run(encode([mangled]), dry_run=True)
    assert not report.ok
    assert any("only by '?'" in p.reason and p.column == "source" for p in report.problems)


def test_an_editors_decision_wins_over_a_file(starter_file):
    row = next(r for r in starter_rows(starter_file) if r["german_name"] == "Köln")
    koeln = Partnership.objects.get(german_partner__name="Köln", russian_partner__name="Волгоград")
    koeln.since_year = 1987
    koeln.decide(["since_year"])
    koeln.save()
    report = run(encode([{**row, "since_year": "1989"}]))
    assert report.ok, report.summary()
    koeln.refresh_from_db()
    assert koeln.since_year == 1987  # the editor's value stays
    # ... while the source's new claim is kept, and the disagreement listed for editors.
    assert Claim.objects.filter(partnership=koeln, since_year=1989).exists()
    assert any(c["field"] == "since_year" for c in koeln.conflicts)


def test_an_editors_status_decision_outranks_dated_statements():
    from partnerships.models import StatusEvent

    hamburg = Partnership.objects.get(
        german_partner__name="Hamburg", russian_partner__name="Санкт-Петербург"
    )
    assert hamburg.has_unresolved_conflicts  # two reports of 2022-03-04 disagree
    StatusEvent.objects.create(
        partnership=hamburg, status="active", date="2022-03-01", note="Senate decision"
    )
    hamburg.refresh_from_db()
    assert hamburg.status == "active"
    assert str(hamburg.status_since) == "2022-03-01"


def test_a_gazetteer_name_in_a_file_is_asked_about_not_matched_silently():
    aachen = Municipality.objects.get(name="Aachen")
    Municipality.objects.filter(pk=aachen.pk).update(gazetteer_key="|aix la chapelle|akwisgran|")
    row = {
        **dict.fromkeys(COLUMNS, ""),
        "german_name": "Aix-la-Chapelle",
        "german_state": "Nordrhein-Westfalen",
        "russian_name_cyrillic": "Кострома",
        "kind": "sister city",
    }
    report = run(encode([row]), dry_run=True)
    assert not report.ok
    assert "did you mean Aachen" in report.problems[0].reason
