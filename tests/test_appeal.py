"""The 2020 appeal: its page in each language, its signatories and its supporters apart.

The starter data holds one confirmed signatory (Henriette Reker for Köln) and one
organisation that supported the appeal publicly without signing it (the German section of
the CEMR, whose role cell says "unterstützt den Aufruf (Unterstützer, nicht Unterzeichner)").
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from partnerships.importing.signatories import SignatoryImporter
from partnerships.models import Appeal, Municipality, Signatory
from partnerships.models.appeals import Participation, participation_of
from tests.factories import SignatoryFactory
from tests.import_files import run_import

pytestmark = pytest.mark.django_db

APPEAL_URL = "/appeals/drf-solidarity-appeal-2020/"
PREFIX = {"de": "", "en": "/en", "ru": "/ru"}
SUMMARY_START = {
    "de": "Brief des Deutsch-Russischen Forums vom 30. April 2020",
    "en": "Letter of 30 April 2020 from the German-Russian Forum",
    "ru": "Письмо Германо-Российского форума от 30 апреля 2020 года",
}
TITLE = {
    "de": "Solidaritätsappell des Deutsch-Russischen Forums an die russischen Partnerkommunen",
    "en": "The German-Russian Forum's solidarity appeal to the Russian partner municipalities",
    "ru": "Обращение Германо-Российского форума к российским муниципалитетам-партнёрам",
}
COUNT = {
    "de": "Gemeldet wurden mehr als 100 Unterzeichner(innen); das Register verzeichnet 1 davon.",
    "en": "More than 100 signatories were reported; the registry records 1 of them.",
    "ru": "Сообщалось о более чем 100 подписантах; в реестре 1 из них.",
}
SUPPORTERS = {
    "de": "1 Organisation hat den Appell öffentlich unterstützt",
    "en": "1 organisation publicly supported the appeal",
    "ru": "1 организация публично поддержала обращение",
}
CEMR = {
    "de": "Deutsche Sektion des Rates der Gemeinden und Regionen Europas (RGRE)",
    "en": "German Section of the Council of European Municipalities and Regions (CEMR)",
    "ru": "Германская секция Совета европейских муниципалитетов и регионов (СЕМР)",
}
REKER = {
    "de": "Henriette Reker, Oberbürgermeisterin",
    "en": "Henriette Reker, Lord Mayor",
    "ru": "Henriette Reker, обер-бургомистр",
}
COLOGNE = {"de": "Stadt Köln", "en": "City of Cologne", "ru": "город Кёльн"}


def text(response) -> str:
    """The page's text, tags removed, whitespace collapsed."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    content = content.replace("&#x27;", "'").replace("&amp;", "&").replace("&quot;", '"')
    return " ".join(content.split())


def section(page: str, heading: str, until: str) -> str:
    start = page.index(heading)
    return page[start : page.index(until, start + len(heading))]


@pytest.mark.parametrize("language", ["de", "en", "ru"])
def test_the_appeal_page_speaks_the_readers_language(client, language):
    response = client.get(PREFIX[language] + APPEAL_URL)
    assert response.status_code == 200
    page = text(response)
    assert TITLE[language] in page
    assert SUMMARY_START[language] in page
    assert COUNT[language] in page
    assert SUPPORTERS[language] in page
    assert REKER[language] in page and COLOGNE[language] in page
    assert CEMR[language] in page
    with translation.override(language):
        assert response.context["object"].localized_summary.language == language


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_german_text_of_the_appeal_on_the_english_and_russian_page(client, language):
    page = text(client.get(PREFIX[language] + APPEAL_URL))
    appeal = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    for german in [appeal.title, appeal.summary, "Oberbürgermeisterin", "Stadt Köln"]:
        assert german not in page
    assert "Deutsche Sektion des Rates" not in page
    assert "Unterstützer" not in page and "unterstützt den Aufruf" not in page
    assert "Deutsch-Russisches Forum e.V." not in page


def test_the_appeal_page_tells_signatories_from_supporters(client):
    page = text(client.get("/en" + APPEAL_URL))
    signatories = section(page, "Signatories More than", "Supporters")
    supporters = section(page, "Supporters 1 organisation", "Search and filter")
    assert "Henriette Reker" in signatories and "CEMR" not in signatories
    assert "CEMR" in supporters and "Henriette Reker" not in supporters


def test_the_appeal_page_links_to_the_letter_and_to_reporting_a_signatory(client):
    response = client.get("/en" + APPEAL_URL)
    content = response.content.decode()
    assert re.search(
        r'<a href="https://friedenkoeln\.de/\?p=14959"[^>]*>The letter as published', content
    )
    report = re.search(r'<a href="([^"]+)">Tell the editors, with a source', content)
    assert report and report.group(1) == f"/en{APPEAL_URL}suggest/"
    assert client.get(report.group(1)).status_code == 200


def test_the_count_follows_the_registry(client):
    appeal = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    cologne = Municipality.objects.get(slug="koeln")
    for n in range(2):
        SignatoryFactory(appeal=appeal, person_name=f"Person {n}", municipality=cologne)
    SignatoryFactory(
        appeal=appeal, person_name="Nicht öffentlich", organisation="Geheim", is_published=False
    )
    page = text(client.get("/en" + APPEAL_URL))
    assert "More than 100 signatories were reported; the registry records 3 of them." in page
    appeal.reported_signatories = None
    appeal.save()
    page = text(client.get("/en" + APPEAL_URL))
    assert "The registry records 3 signatories." in page


def test_the_signatory_list_shows_and_filters_both(client):
    page = text(client.get("/ru/signatories/"))
    assert "Подписанты и поддержавшие обращение 2020 года" in page
    assert "поддержал, но не подписант" in page and "подписант" in page
    supporters = client.get("/signatories/", {"participation": "supporter"})
    assert [s.organisation for s in supporters.context["object_list"]] == [CEMR["de"]]
    signers = client.get("/signatories/", {"participation": "signatory"})
    assert [s.person_name for s in signers.context["object_list"]] == ["Henriette Reker"]
    facet = next(f for f in supporters.context["facets"] if f.name == "participation")
    assert {(o.value, o.count) for o in facet.options} == {("signatory", 1), ("supporter", 1)}


def test_the_signatory_export_says_who_supported_and_who_signed(client):
    raw = b"".join(client.get("/en/signatories/export.csv").streaming_content)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    by_participation = {row["participation"]: row for row in rows}
    assert set(by_participation) == {"signatory", "supporter"}
    supporter = by_participation["supporter"]
    assert supporter["name"] == "" and supporter["organisation"] == CEMR["de"]
    assert supporter["participation_label"] == "supporter (not a signatory)"
    assert supporter["organisation_en"] == CEMR["en"]
    assert by_participation["signatory"]["role_en"] == "Lord Mayor"
    assert by_participation["signatory"]["appeal"] == TITLE["en"]


# --- the importer and the model ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "participation"),
    [
        ("unterstützt den Aufruf (Unterstützer, nicht Unterzeichner)", Participation.SUPPORTER),
        ("Unterstützerin", Participation.SUPPORTER),
        ("supports the appeal", Participation.SUPPORTER),
        ("поддерживает обращение", Participation.SUPPORTER),
        ("Oberbürgermeisterin", Participation.SIGNATORY),
        ("", Participation.SIGNATORY),
    ],
)
def test_the_role_cell_says_whether_a_row_is_a_supporter(role, participation):
    assert participation_of(role) == participation


def test_the_starter_file_gives_a_supporter_without_a_name(starter_file):
    supporter = Signatory.objects.get(participation=Participation.SUPPORTER)
    assert supporter.person_name == ""
    assert supporter.organisation == CEMR["de"]
    assert (supporter.organisation_en, supporter.organisation_ru) == (CEMR["en"], CEMR["ru"])
    assert supporter.municipality is None and supporter.initiative is None
    signer = Signatory.objects.get(participation=Participation.SIGNATORY)
    assert (signer.role, signer.role_en, signer.role_ru) == (
        "Oberbürgermeisterin",
        "Lord Mayor",
        "обер-бургомистр",
    )
    assert signer.municipality.slug == "koeln"
    report = SignatoryImporter().run(starter_file("appeal-2020-signatories.csv"))
    assert (report.counts["unchanged"], report.counts["created"]) == (2, 0)


def test_a_signatory_row_without_a_name_is_still_an_error(empty_registry):
    report = run_import(
        SignatoryImporter(),
        "name,role,organisation,municipality,source\n"
        ",Bürgermeister,Gemeinde Irgendwo,,https://example.org/\n",
        "signatories.csv",
    )
    assert not report.ok
    assert report.problems[0].column == "name"


def test_the_translation_columns_are_optional(empty_registry):
    report = run_import(
        SignatoryImporter(),
        "name,role,organisation,municipality,source\n"
        ",unterstützt den Aufruf,Verein der Freunde e.V.,,https://example.org/\n",
        "supporters.csv",
    )
    assert report.ok, report.problems
    supporter = Signatory.objects.get(organisation="Verein der Freunde e.V.")
    assert supporter.is_supporter and supporter.organisation_en == ""


def test_only_a_supporter_may_be_unnamed():
    appeal = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    unnamed = Signatory(appeal=appeal, organisation="Irgendwer")
    with pytest.raises(ValidationError):
        unnamed.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        unnamed.save()
    unnamed.participation = Participation.SUPPORTER
    unnamed.full_clean()
    unnamed.save()


def test_an_untranslated_role_is_left_out_and_an_organisation_falls_back(client):
    appeal = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    cologne = Municipality.objects.get(slug="koeln")
    SignatoryFactory(
        appeal=appeal,
        person_name="Erika Mustermann",
        role="Bezirksbürgermeisterin",
        organisation="Bezirk Köln-Mitte",
        municipality=cologne,
    )
    with translation.override("en"):
        cologne_en = cologne.display_name
    page = text(client.get("/en" + APPEAL_URL))
    assert f"Erika Mustermann · {cologne_en}" in page
    assert "Bezirksbürgermeisterin" not in page and "Bezirk Köln-Mitte" not in page
    assert "Erika Mustermann, Bezirksbürgermeisterin · Bezirk Köln-Mitte" in text(
        client.get(APPEAL_URL)
    )
