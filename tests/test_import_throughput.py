"""The municipalities are written while the rows are merged (issue 14): nothing else changes.

Once every row is matched, a thread writes the municipalities on the import's own
connection and transaction (``overlap.Meanwhile``) while the importer merges the
partnerships. These tests pin that the overlap keeps the import's guarantees: it runs in
the import's transaction (a row refused while merging still leaves nothing), with the
history's change reason and editor, refused when a municipality changed meanwhile, and
never for a dry run.
"""

import threading

import pytest
from django.contrib.auth.models import User
from django.db.models import F

from partnerships.importing import copying
from partnerships.importing import partnerships as importing
from partnerships.importing.partnerships import PartnershipImporter
from partnerships.models import AlternativeName, Municipality, Partnership
from tests.import_files import PARTNERSHIP_HEADER as HEADER
from tests.import_files import run_import

pytestmark = pytest.mark.django_db

QUELLSTADT = "Quellstadt,Hessen,{latin},Квеллоград,Oblast Kaluga,Partnerschaft,,,{source}\n"


def run(text: str, **kwargs):
    return run_import(PartnershipImporter(), HEADER + text, **kwargs)


def synthetic(rows: int) -> str:
    return "".join(
        f"Durchsatz {n},Hessen,Propusk {n},Пропуск {n},Oblast Kaluga,Partnerschaft,,,"
        f"https://example.org/durchsatz/{n}\n"
        for n in range(rows)
    )


@pytest.fixture
def writer_threads(monkeypatch):
    """The threads that wrote each table with COPY."""
    seen: dict[str, set[int]] = {}
    write = copying.write

    def spy(cursor, table, columns, rows):
        seen.setdefault(table, set()).add(threading.get_ident())
        return write(cursor, table, columns, rows)

    monkeypatch.setattr(copying, "write", spy)
    return seen


@pytest.fixture
def quellstadt():
    report = run(QUELLSTADT.format(latin="Kwellograd", source="https://example.org/Köln"))
    assert report.ok, report.summary()


@pytest.fixture
def saved_meanwhile(monkeypatch):
    """An editor saves the registry's Квеллоград while the import's thread writes."""
    write = PartnershipImporter.lock_and_write_municipalities

    def someone_saves_meanwhile(self):
        Municipality.objects.filter(name="Квеллоград").update(version=F("version") + 1)
        return write(self)

    monkeypatch.setattr(
        PartnershipImporter, "lock_and_write_municipalities", someone_saves_meanwhile
    )


def test_municipalities_are_written_by_another_thread_in_the_same_transaction(writer_threads):
    user = User.objects.create_user("importer")
    report = run(synthetic(3), reason="issue 14", user=user)
    assert report.ok, report.summary()
    assert writer_threads["partnerships_municipality"] != {threading.get_ident()}
    assert writer_threads["partnerships_partnership"] == {threading.get_ident()}
    town = Municipality.objects.get(name="Durchsatz 0")
    history = town.history.get()
    assert (history.history_type, history.history_change_reason) == ("+", "issue 14")
    assert history.history_user == user
    partnership = Partnership.objects.get(german_partner=town)
    assert partnership.russian_partner.name == "Пропуск 0"
    assert partnership.partners_published == (
        town.is_published and partnership.russian_partner.is_published
    )


def test_a_row_refused_while_merging_leaves_nothing(quellstadt, writer_threads):
    mangled = QUELLSTADT.format(latin="Kwellograd", source="https://example.org/K?ln")
    report = run(synthetic(3) + mangled)
    assert not report.ok
    assert [p.line for p in report.problems] == [5]
    assert "only by '?'" in report.problems[0].reason
    # The thread had written the new towns; the import's rollback took them back.
    assert writer_threads["partnerships_municipality"] != {threading.get_ident()}
    assert not Municipality.objects.filter(name__startswith="Durchsatz").exists()


def test_a_municipality_changed_meanwhile_refuses_the_import(quellstadt, saved_meanwhile):
    # A new Latin spelling becomes another name of the registry's Квеллоград: a change.
    report = run(synthetic(2) + QUELLSTADT.format(latin="Istochnikowo", source=""))
    assert not report.ok
    assert [(p.line, p.column) for p in report.problems] == [(4, None)]
    assert "changed by someone else meanwhile" in report.problems[0].reason
    assert report.rows[2].outcome == "rejected"
    assert not Municipality.objects.filter(name__startswith="Durchsatz").exists()
    assert not AlternativeName.objects.filter(name="Istochnikowo").exists()


def test_the_refusal_is_in_the_language_of_the_run(quellstadt, saved_meanwhile):
    report = run(QUELLSTADT.format(latin="Istochnikowo", source=""), language="de")
    assert not report.ok
    english = "changed by someone else meanwhile"
    assert english not in report.problems[0].reason


def test_a_dry_run_writes_nothing_and_starts_no_thread(monkeypatch, writer_threads):
    started = []
    monkeypatch.setattr(importing, "Meanwhile", lambda work: started.append(work))
    report = run(synthetic(3), dry_run=True)
    assert report.ok
    assert report.municipalities_created == 6
    assert not started
    assert not writer_threads
    assert not Municipality.objects.filter(name__startswith="Durchsatz").exists()
