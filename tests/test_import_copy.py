"""The importer's COPY writer stores what ``bulk_create_with_history`` would store.

``copying.copy_with_history`` writes new records and their history rows with PostgreSQL's
COPY instead of ``bulk_create_with_history``: for each model the importer creates, the
same values are written both ways (each in a savepoint that is rolled back) and the
stored records and history rows compared, field by field. Only the keys and the times of
writing differ; the history rows must name their record and carry the same type, reason
and editor.
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from partnerships.importing import copying
from partnerships.models import (
    AlternativeName,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    StatusEvent,
)
from partnerships.vocabulary import Country, MunicipalityKind

pytestmark = pytest.mark.django_db

TIMES = {"created_at", "updated_at", "recorded_at", "history_date"}
KEYS = {"id", "history_id"}


def stored(model, pks: list[int]) -> tuple[list[dict], list[dict]]:
    """The records with these keys and their history rows, in the order of ``pks``.

    Keys are replaced by their position among ``pks``; the times of writing are checked
    to be recent and left out.
    """
    position = {pk: n for n, pk in enumerate(pks)}
    now = timezone.now()
    records = {row["id"]: row for row in model.objects.filter(pk__in=pks).values()}
    history = {row["id"]: row for row in model.history.filter(id__in=pks).values()}
    assert len(records) == len(history) == len(pks)
    result = []
    for rows in (records, history):
        comparable = []
        for pk in pks:
            row = dict(rows[pk])
            for name in TIMES & set(row):
                assert now - datetime.timedelta(minutes=5) < row.pop(name) <= now
            for name in KEYS & set(row):
                row.pop(name)
            row["record"] = position[pk]
            comparable.append(row)
        result.append(comparable)
    return result[0], result[1]


def both_ways(model, fields: list[str], rows: list[tuple], user=None, reason="import x.csv"):
    """What COPY stores, and what bulk_create_with_history stores, for the same values."""
    with transaction.atomic():
        pks = copying.copy_with_history(
            model, fields, rows, default_user=user, default_change_reason=reason
        )
        copied = stored(model, pks)
        transaction.set_rollback(True)
    with transaction.atomic():
        records = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        bulk_create_with_history(
            records, model, batch_size=1000, default_user=user, default_change_reason=reason
        )
        bulk = stored(model, [record.pk for record in records])
        transaction.set_rollback(True)
    assert pks == sorted(pks)
    return copied, bulk


@pytest.fixture
def importing_user():
    return User.objects.create_user("copy-editor")


def municipality_rows() -> tuple[list[str], list[tuple]]:
    hessen = Region.objects.get(country=Country.GERMANY, code="DE-HE")
    fields = ["country", "kind", "region_id", "name", "name_de", "slug"]
    fields += ["search_key", "search_names"]
    rows = [
        (
            Country.GERMANY,
            MunicipalityKind.TOWN,
            hessen.pk,
            "Großröhrsdorf\tam See",  # a tab, umlauts and ß: COPY's escaping
            "Großröhrsdorf\tam See",
            "grossroehrsdorf-copy",
            "|grosrorsdorf am se|",
            "|großröhrsdorf am see|",
        ),
        (Country.RUSSIA, MunicipalityKind.RAYON, None, "Новоград\\", "", "novograd-copy", "", ""),
    ]
    return fields, rows


def test_municipalities_and_their_history_as_bulk_create_writes_them(importing_user):
    fields, rows = municipality_rows()
    copied, bulk = both_ways(Municipality, fields, rows, user=importing_user)
    assert copied == bulk
    records, history = copied
    assert records[0]["name"] == "Großröhrsdorf\tam See"
    assert records[1]["name"] == "Новоград\\"
    assert [row["version"] for row in records] == [1, 1]
    assert {(row["history_type"], row["history_change_reason"]) for row in history} == {
        ("+", "import x.csv")
    }
    assert {row["history_user_id"] for row in history} == {importing_user.pk}


def test_the_importers_other_models_as_bulk_create_writes_them(importing_user):
    fields, rows = municipality_rows()
    german, russian = copying.copy_with_history(Municipality, fields, rows)
    partnership_fields = ["german_partner_id", "russian_partner_id", "kind", "kind_wording"]
    partnership_fields += ["since_year", "needs_verification", "status", "slug"]
    partnership_fields += ["status_since", "status_since_precision", "conflicts"]
    partnership_fields += ["conflicts_reviewed", "decided_fields"]
    disagreement = [{"field": "kind", "values": [["contact", "a"], ["official", "b"]]}]
    for model, model_fields, model_rows in [
        (
            AlternativeName,
            ["municipality_id", "name", "kind", "language", "until_year", "note"],
            [
                (german, "Karl-Marx-Stadt", "historic", "de", 1990, "a note"),
                (russian, "N", "variant", "", None, ""),
            ],
        ),
        (
            Partnership,
            partnership_fields,
            [
                (
                    german,
                    russian,
                    "official",
                    "Städtepartnerschaft",
                    1990,
                    True,
                    "active",
                    "g--r",
                    datetime.date(2022, 3, 1),
                    "month",
                    disagreement,
                    [],
                    ["kind"],
                )
            ],
        ),
    ]:
        copied, bulk = both_ways(model, model_fields, model_rows, user=importing_user)
        assert copied == bulk, model

    (partnership,) = copying.copy_with_history(
        Partnership,
        partnership_fields,
        [(german, russian, "friendship", "", None, False, "unknown", "g--r", None, "", [], [], [])],
    )
    for model, model_fields, model_rows in [
        (
            PartnershipSource,
            ["partnership_id", "url", "citation"],
            [(partnership, "https://example.org/a", ""), (partnership, "", "Zeitung, 1990")],
        ),
        (
            StatusEvent,
            ["partnership_id", "status", "source_url"],
            [(partnership, "active", "https://example.org/a"), (partnership, "ended", "")],
        ),
    ]:
        copied, bulk = both_ways(model, model_fields, model_rows, user=None, reason="")
        assert copied == bulk, model
        assert {row["history_user_id"] for row in copied[1]} == {None}


def test_the_database_refuses_what_it_refuses_an_insert():
    fields, rows = municipality_rows()
    copying.copy_with_history(Municipality, fields, rows[:1])
    with pytest.raises(IntegrityError), transaction.atomic():
        copying.copy_with_history(Municipality, fields, rows[:1])  # the same slug again


def test_the_keys_are_the_sequences_next_ones_and_an_insert_after_takes_the_one_after():
    fields, rows = municipality_rows()
    before = Municipality.objects.create(name="Vorher", slug="vorher-copy").pk
    pks = copying.copy_with_history(Municipality, fields, rows)
    after = Municipality.objects.create(name="Nachher", slug="nachher-copy").pk
    assert pks == [before + 1, before + 2]
    assert after == before + 3
