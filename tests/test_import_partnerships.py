"""The partnership import of large files: two phases, in bulk, with every guarantee kept.

Phase 1 checks and matches every row in memory; phase 2 writes in bulk (with history).
These tests pin what the bulk path must keep: history with reason and editor, versions,
search keys, the undoing of failed rows, refusal when the registry moved meanwhile, the
database as the last safety net, and a number of queries that does not grow with the file.
"""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from partnerships.importing import files
from partnerships.importing.partnerships import PartnershipImporter
from partnerships.models import (
    AlternativeName,
    Municipality,
    Partnership,
    PartnershipSource,
    RegistryGeneration,
    StatusEvent,
)
from partnerships.vocabulary import Status
from tests.import_files import PARTNERSHIP_HEADER as HEADER
from tests.import_files import run_import

pytestmark = pytest.mark.django_db

IMPORT_URL = "/en/admin/partnerships/partnership/import/"


def run(text: str, name: str = "file.csv", **kwargs):
    return run_import(PartnershipImporter(), HEADER + text, name, **kwargs)


def synthetic(rows: int, start: int = 0) -> str:
    """Rows of new partners: German towns in Hessen, Russian ones in the Kaluga oblast."""
    return "".join(
        f"Synthstadt {n},Hessen,Sintograd {n},Синтоград {n},Oblast Kaluga,Partnerschaft,"
        f"{1950 + n % 70},{'aktiv' if n % 2 else ''},https://example.org/{n}\n"
        for n in range(start, start + rows)
    )


def koeln_sources() -> str:
    """The sources of Köln's row in the starter file (each one's claim gives the year)."""
    return " | ".join(f"{source.url} {source.citation}".strip() for source in koeln().sources.all())


def koeln() -> Partnership:
    return Partnership.objects.get(german_partner__name="Köln", russian_partner__name="Волгоград")


def test_history_names_the_import_and_the_editor():
    editor = User.objects.create_user("importer")
    koeln_line = "Köln,Nordrhein-Westfalen,Wolgograd,Волгоград,Oblast Wolgograd,"
    before = koeln()
    report = run(
        synthetic(1, start=1) + koeln_line + f"{before.kind_wording},1989,,{koeln_sources()}\n",
        name="history.csv",
        user=editor,
    )
    assert report.ok, report.summary()
    assert (report.counts["created"], report.counts["updated"]) == (1, 1)

    new = Partnership.objects.get(german_partner__name="Synthstadt 1")
    for record in [
        new,
        new.german_partner,
        new.russian_partner,
        new.sources.get(),
        new.status_events.get(),
    ]:
        entry = record.history.get()
        assert (entry.history_type, entry.history_change_reason) == ("+", "import history.csv")
        assert entry.history_user == editor
    assert new.version == 1
    assert new.status == Status.ACTIVE

    after = koeln()
    assert after.since_year == 1989
    assert after.version == before.version + 1
    entry = after.history.first()
    assert (entry.history_type, entry.history_user, entry.version) == ("~", editor, after.version)
    assert entry.history_change_reason == "import history.csv"


def test_new_municipalities_get_search_keys_and_historic_names(empty_registry):
    report = run(
        "Chemnitz,Sachsen,Wolgograd,Волгоград,Oblast Wolgograd,Partnerschaft,,,\n"
        "Chemnitz,Sachsen,Wolgagrad,Волгоград,Oblast Wolgograd,Partnerschaft,,,\n"
    )
    assert report.ok, report.summary()
    chemnitz = Municipality.objects.get(name="Chemnitz")
    assert chemnitz.alternative_names.filter(
        name="Karl-Marx-Stadt", kind=AlternativeName.Kind.HISTORIC
    ).exists()
    volgograd = Municipality.objects.get(name="Волгоград")
    assert volgograd.name_de == "Wolgograd"
    assert volgograd.alternative_names.filter(name="Wolgagrad").exists()
    for municipality in Municipality.objects.all():
        stored = (municipality.search_key, municipality.search_names)
        municipality.refresh_search()  # what save() computes
        assert stored == (municipality.search_key, municipality.search_names)
    assert list(Municipality.objects.search("Karl-Marx-Stadt")) == [chemnitz]
    assert list(Municipality.objects.search("Wolgagrad")) == [volgograd]


def test_a_failed_row_is_undone_for_the_rows_after_it(empty_registry):
    long_latin = "W" * 201
    report = run(
        f"Fehlstadt,Hessen,{long_latin},Фельград,Oblast Kaluga,Partnerschaft,,,\n"
        "Fehlstadt,Hessen,Felgrad,Фельград,Oblast Kaluga,Partnerschaft,,,\n",
        dry_run=True,
    )
    failed, second = report.rows
    assert failed.outcome == "rejected"
    assert [(p.line, p.column) for p in failed.problems] == [(2, "russian_name_latin")]
    assert "200" in failed.problems[0].reason  # the model field's own message
    # The failed row's municipalities are gone again: the next row creates them.
    assert second.outcome == "created"
    assert "german_partner: – → Fehlstadt (new municipality)" in map(str, second.changes)
    assert report.municipalities_created == 2


def test_validation_errors_name_the_column_as_full_clean_does(empty_registry):
    report = run(f"{'L' * 201},Hessen,,Тестоград,Oblast Kaluga,Partnerschaft,,,\n")
    assert sorted((p.line, p.column) for p in report.problems) == [(2, "name"), (2, "name_de")]
    assert "200" in report.problems[0].reason  # Django's message (in the active language)
    assert not Municipality.objects.exists()


def test_a_record_changed_after_reading_refuses_the_import(monkeypatch, starter_file):
    lines = starter_file("partnerships-de-ru.csv").read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("Köln,"))
    cells = lines[index].split(",")
    cells[6] = "1989"
    lines[index] = ",".join(cells)
    text = "\n".join(lines[1:]) + "\n" + synthetic(1)
    partnership = koeln()
    check_versions = PartnershipImporter.check_versions

    def someone_saves_meanwhile(self, report):
        Partnership.objects.filter(pk=partnership.pk).update(version=F("version") + 1)
        return check_versions(self, report)

    monkeypatch.setattr(PartnershipImporter, "check_versions", someone_saves_meanwhile)
    report = run(text)
    assert not report.ok
    assert [(p.line, p.column) for p in report.problems] == [(index + 1, None)]
    assert "changed by someone else meanwhile" in report.problems[0].reason
    assert report.rows[index - 1].outcome == "rejected"
    assert koeln().since_year == 1988
    assert not Partnership.objects.filter(german_partner__name="Synthstadt 0").exists()


def test_the_database_stays_the_last_safety_net(monkeypatch):
    write = PartnershipImporter.write_municipalities

    def someone_adds_the_same_town_meanwhile(self):
        Municipality.objects.create(
            country="DE", name="Synthstadt 0", region=self.index.new[0].region, slug="other"
        )
        return write(self)

    monkeypatch.setattr(
        PartnershipImporter, "write_municipalities", someone_adds_the_same_town_meanwhile
    )
    report = run(synthetic(3))
    assert not report.ok
    assert report.problems[0].line == 1
    assert "rejected by the database" in report.problems[0].reason
    assert not Municipality.objects.filter(name__startswith="Synthstadt").exists()
    assert not Partnership.objects.filter(german_partner__name__startswith="Synth").exists()


def test_queries_do_not_grow_with_the_file(django_assert_max_num_queries):
    with django_assert_max_num_queries(60):
        report = run(synthetic(300))
    assert report.ok, report.summary()
    assert report.counts["created"] == 300
    assert PartnershipSource.objects.filter(url__startswith="https://example.org/").count() == 300
    assert StatusEvent.objects.filter(partnership__german_partner__name__startswith="Synth").count()
    with django_assert_max_num_queries(15):
        again = run(synthetic(300))
    assert again.counts["unchanged"] == 300
    assert not again.changed_anything


def test_a_committed_import_outdates_the_cached_pages():
    before = RegistryGeneration.objects.get().value
    run(synthetic(2), dry_run=True)
    assert RegistryGeneration.objects.get().value == before
    run(synthetic(2))
    assert RegistryGeneration.objects.get().value > before


def test_a_row_without_its_land_finds_the_town_in_any_land():
    report = run_import(
        PartnershipImporter(),
        HEADER.strip()
        + ",confirm_new\n"
        + "Aachen,,,Новоград,Oblast Kaluga,Partnerschaft,,,,yes\n",
    )
    assert report.ok, report.summary()
    assert [str(c) for c in report.rows[0].changes if "german" in c.field] == []
    assert Municipality.objects.filter(name="Aachen").count() == 1


def test_a_region_learnt_together_with_a_new_spelling_is_kept(empty_registry):
    report = run(
        "Ostadt,Hessen,Ograd,Оград,,Partnerschaft,,,\n"
        "Ostadt2,Hessen,Ogradsk,Оград,Oblast Kaluga,Partnerschaft,,,\n"
    )
    assert report.ok, report.summary()
    ograd = Municipality.objects.get(name="Оград")
    assert ograd.region.code == "RU-KLU"
    assert ograd.alternative_names.filter(name="Ogradsk").exists()
    assert [str(c) for c in report.rows[1].changes][-2:] == [
        "russian_partner.region: – → Oblast Kaluga",
        "russian_partner.alternative_name: – → Ogradsk",
    ]


def test_an_undated_event_does_not_override_a_dated_one():
    partnership = koeln()
    StatusEvent.objects.create(partnership=partnership, status=Status.ACTIVE, date="2020-01-01")
    report = run(
        "Köln,Nordrhein-Westfalen,Wolgograd,Волгоград,Oblast Wolgograd,,,ruht,\n".replace(
            ",,,ruht", f",{partnership.kind_wording},,ruht"
        )
    )
    assert report.ok, report.summary()
    assert [str(c) for c in report.rows[0].changes] == [
        f"claim: – → {partnership.kind_wording}, suspended",
        "status_event: – → suspended (undated)",
    ]
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    partnership.refresh_status()  # the stored status is what the events say
    assert partnership.status == Status.ACTIVE


def test_a_file_naming_a_new_pair_twice_can_be_confirmed(admin_client, tmp_path, settings):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    text = HEADER + (
        "Doppelstadt,Hessen,Doppelgrad,Доппельград,Oblast Kaluga,Partnerschaft,1990,,\n"
        "Doppelstadt,Hessen,Doppelgrad,Доппельград,Oblast Kaluga,Freundschaft,1991,aktiv,\n"
    )
    preview = admin_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("twice.csv", text.encode())}
    )
    assert [row["outcome"] for row in preview.context["rows"]] == ["created", "created"]
    confirmed = admin_client.post(IMPORT_URL, {"confirm": "1", "token": preview.context["token"]})
    assert confirmed.status_code == 302
    partnership = Partnership.objects.get(german_partner__name="Doppelstadt")
    # Two sources (no source given, twice) disagree: the rule takes the earliest year and,
    # of a tie between kinds, the vocabulary's first (official partnership).
    assert (partnership.kind_wording, partnership.since_year) == ("Partnerschaft", 1990)
    assert {c["field"] for c in partnership.conflicts} == {"kind", "since_year"}
    assert partnership.status == Status.ACTIVE


def test_a_file_of_a_hundred_thousand_rows_is_read_and_one_more_row_is_refused():
    """The import page promises editors files of up to 100,000 rows."""
    header = "german_name,russian_name_cyrillic\n"
    rows = "".join(f"Stadt {n},Город {n}\n" for n in range(100_000))
    table = files.read_table((header + rows).encode("utf-8"), "large.csv")
    assert len(table.rows) == 100_000
    with pytest.raises(files.FileError, match="more than 100000 rows"):
        files.read_table((header + rows + "Stadt X,Город X\n").encode("utf-8"), "large.csv")
