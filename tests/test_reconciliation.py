"""Reconciliation with Wikidata: the shipped P190 result against the starter data.

The sample's real rows are the starter data's 2016 P190 pairs; its constructed rows make
every kind of difference occur (partnerships/data/wikidata/README.md says which is which).
"""

import csv
import io
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from partnerships.models import Municipality, Partnership
from partnerships.reconciliation import (
    SAMPLE_FILE,
    Kind,
    ResultFileError,
    parse_results,
    reconcile_file,
)

pytestmark = pytest.mark.django_db

# In English, so that the assertions hold whatever the translations say.
PAGE = "/en/admin/partnerships/partnership/wikidata/"
ENTITY = "http://www.wikidata.org/entity/"

ONLY_IN_WIKIDATA = {("Q10780", "Q103439"), ("Q3004", "Q649")}
ONLY_IN_REGISTRY = {
    ("Q1715", "Q2630"),  # Hannover – Ivanovo
    ("Q715", "Q15760"),  # Heilbronn – Novorossiysk
    ("Q3004", "Q190412"),  # Ingolstadt – Central AO of Moscow (Wikidata 2016: Moscow)
    ("Q1208", "Q1749"),  # Land Brandenburg – Kaliningrad Oblast
    ("Q1208", "Q1697"),  # Land Brandenburg – Moscow Oblast
    ("Q14925", "Q1829"),  # Mühlhausen – Kaliningrad
    ("Q7044", "Q157688"),  # Oberursel – Lomonosov
    ("Q3042", "Q3118"),  # Offenbach – Oryol
    ("Q16008", "Q196702"),  # Schwedt – Tuapse
    ("Q572559", "Q72536"),  # Spremberg – Zheleznogorsk
    ("Q3865", "Q2770"),  # Villingen-Schwenningen – Tula
}
YEARS = {("Q1295", "Q908"): (1977, {1978}), ("Q3933", "Q5815"): (None, {1990})}
ENDS = {
    ("Q2100", "Q915"): ("active", {"2022-03-01"}),
    ("Q2916", "Q2288"): ("suspended", {"2022-01-01"}),
    ("Q2865", "Q175470"): ("ended", set()),
}


def qids(difference):
    if difference.wikidata is not None:
        return (difference.wikidata.german, difference.wikidata.russian)
    return (difference.german.wikidata_id, difference.russian.wikidata_id)


def binding(de, ru, **extra):
    row = {"de": {"type": "uri", "value": ENTITY + de}, "ru": {"type": "uri", "value": ENTITY + ru}}
    for name, value in extra.items():
        if name == "ref":
            row[name] = {"type": "uri", "value": value}
        else:
            row[name] = {"type": "literal", "value": value}
    return row


def result(*bindings, variables=("de", "deLabel", "ru", "ruLabel", "start", "end", "ref")):
    return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": list(bindings)}})


@pytest.fixture
def report():
    return reconcile_file(SAMPLE_FILE.read_bytes(), source=SAMPLE_FILE.name)


def table_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_app_config("partnerships").get_models()
    }


# The comparison --------------------------------------------------------------------------


def test_the_sample_shows_each_kind_of_difference(report):
    assert report.rows == 93
    assert report.pairs == 89
    assert report.matched == 87
    assert report.registry_partnerships == 120
    assert report.not_comparable == 22

    assert {qids(d) for d in report.of_kind(Kind.ONLY_IN_WIKIDATA)} == ONLY_IN_WIKIDATA
    assert {qids(d) for d in report.of_kind(Kind.ONLY_IN_REGISTRY)} == ONLY_IN_REGISTRY
    assert {
        qids(d): (d.partnership.since_year, d.wikidata.start_years)
        for d in report.of_kind(Kind.YEAR)
    } == YEARS
    assert {
        qids(d): (d.partnership.status, d.wikidata.end_dates) for d in report.of_kind(Kind.END)
    } == ENDS

    without = {d.town.name for d in report.of_kind(Kind.NO_WIKIDATA_ID)}
    assert len(without) == 31
    assert {"Bad Orb", "Idstein", "Углич", "Петроградский район (Санкт-Петербург)"} <= without
    assert without == set(
        Municipality.objects.filter(wikidata_id="").values_list("name", flat=True)
    )


def test_pairs_only_in_wikidata_say_which_towns_the_registry_knows(report):
    found = {qids(d): d for d in report.of_kind(Kind.ONLY_IN_WIKIDATA)}
    grimma = found[("Q10780", "Q103439")]
    assert grimma.german is None and grimma.russian is None
    assert grimma.wikidata.german_label == "Grimma"
    ingolstadt = found[("Q3004", "Q649")]
    assert (ingolstadt.german.name, ingolstadt.russian.name) == ("Ingolstadt", "Москва")


def test_a_year_equal_to_the_registry_is_no_difference(report):
    wolfsburg = Partnership.objects.get(german_partner__wikidata_id="Q3014")
    assert wolfsburg.since_year == 1991
    compared = {qids(d) for d in report.differences if d.partnership}
    assert ("Q3014", "Q1341") not in compared


def test_rows_of_one_pair_are_merged_references_and_directions(report):
    pairs = {(p.german, p.russian): p for p in parse_results(SAMPLE_FILE.read_bytes()).pairs}
    duisburg = pairs[("Q2100", "Q915")]
    assert duisburg.rows == 3
    assert duisburg.references == [
        "https://example.org/constructed-reference/duisburg-perm-1",
        "https://example.org/constructed-reference/duisburg-perm-2",
    ]
    dortmund = pairs[("Q1295", "Q908")]
    assert dortmund.rows == 2 and dortmund.start_years == {1978}
    assert len(pairs) == 89


def test_a_pair_named_the_other_way_round_is_one_pair():
    # Dortmund – Rostov from Dortmund's item and from Rostov's, the second with the
    # Russian item as ?de: one pair, oriented by the registry's countries.
    data = result(
        binding("Q1295", "Q908", start="1978-01-01T00:00:00Z"),
        binding("Q908", "Q1295", start="1974-05-01T00:00:00Z", ref="https://example.org/a"),
        binding("Q908", "Q1295", ref="https://example.org/b"),
    )
    parsed = parse_results(data)
    assert len(parsed.pairs) == 1
    pair = parsed.pairs[0]
    assert (pair.german, pair.russian) == ("Q1295", "Q908")
    assert pair.start_years == {1974, 1978}
    report = reconcile_file(data)
    assert report.matched == 1
    assert not report.of_kind(Kind.ONLY_IN_WIKIDATA)
    [year] = report.of_kind(Kind.YEAR)
    assert qids(year) == ("Q1295", "Q908")

    # Only the other way round: the registry still recognises the pair.
    report = reconcile_file(result(binding("Q908", "Q1295")))
    assert report.matched == 1
    assert not report.of_kind(Kind.ONLY_IN_WIKIDATA)


def test_drafts_are_compared_and_marked(report):
    hannover = Partnership.objects.get(german_partner__wikidata_id="Q1715")
    Partnership.objects.filter(pk=hannover.pk).update(is_published=False)
    report = reconcile_file(SAMPLE_FILE.read_bytes())
    [draft] = [d for d in report.of_kind(Kind.ONLY_IN_REGISTRY) if d.partnership.pk == hannover.pk]
    assert draft.partnership.is_draft
    text = io.StringIO()
    call_command("reconcile_wikidata", str(SAMPLE_FILE), stdout=text)
    assert "Hannover – Иваново (Q1715 – Q2630) [draft]" in text.getvalue()


def test_only_http_references_are_kept():
    data = result(
        binding("Q1295", "Q908", ref="javascript:alert(1)"),
        binding("Q1295", "Q908", ref="https://example.org/ok"),
    )
    assert parse_results(data).pairs[0].references == ["https://example.org/ok"]


# The command ------------------------------------------------------------------------------


def test_the_command_prints_every_kind_with_counts_and_links():
    out = io.StringIO()
    call_command("reconcile_wikidata", str(SAMPLE_FILE), stdout=out)
    text = out.getvalue()
    for heading in [
        "Pairs only in Wikidata (2)",
        "Pairs only in the registry (11)",
        "Start year differs (2)",
        "End time against the registry's status (3)",
        "Partners without a Wikidata ID (31)",
    ]:
        assert heading in text
    assert "Grimma – Алексин (Q10780 – Q103439): neither partner is in the registry" in text
    assert "Dortmund – Ростов-на-Дону (Q1295 – Q908): registry 1977, Wikidata start 1978" in text
    assert "Celle – Тюмень (Q3933 – Q5815): registry no year, Wikidata start 1990" in text
    assert "Duisburg – Пермь (Q2100 – Q915): registry active, Wikidata end 2022-03-01" in text
    assert "Osnabrück – Тверь (Q2916 – Q2288): registry suspended, Wikidata end 2022-01-01" in text
    assert "Kassel – Новый Уренгой (Q2865 – Q175470): registry ended, Wikidata no end time" in text
    dortmund = Partnership.objects.get(german_partner__wikidata_id="Q1295")
    assert f"/admin/partnerships/partnership/{dortmund.pk}/change/" in text
    assert "https://www.wikidata.org/wiki/Q1295" in text
    assert "Nothing was written." in text


def test_the_command_writes_csv_and_takes_a_base_url():
    out = io.StringIO()
    call_command(
        "reconcile_wikidata",
        "sample",
        format="csv",
        base_url="https://registry.example.org/",
        stdout=out,
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 2 + 11 + 2 + 3 + 31
    [dortmund] = [
        r for r in rows if r["kind"] == "year_mismatch" and r["german_name"] == "Dortmund"
    ]
    assert dortmund["registry"] == "1977"
    assert dortmund["russian_wikidata_id"] == "Q908"
    assert dortmund["registry_admin_url"].startswith(
        "https://registry.example.org/admin/partnerships/partnership/"
    )
    assert "https://www.wikidata.org/wiki/Q1295" in dortmund["wikidata_urls"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8 \x80", "not UTF-8"),
        (b"german_name,russian_name\nAachen,Kostroma\n", "not JSON (line 1, column 1)"),
        (b'{"head": {"vars": ["de", "ru"]}, "results": {', "not JSON"),
        (b'[{"de": "Q1"}]', "plain JSON list"),
        (b'{"head": {}, "boolean": true}', "ASK query"),
        (b'{"type": "FeatureCollection", "features": []}', "not a SPARQL JSON result"),
        (result(variables=("item", "partner")).encode(), "lacks the variables ?de, ?ru"),
        (result({"de": {"type": "literal", "value": "Aachen"}}).encode(), "Result 1 does not"),
        (result(binding("Q1295", "Q908", start="sometime")).encode(), "Result 1: ?start"),
        (result("row").encode(), "Result 1 is not an object"),
    ],
)
def test_a_bad_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "result.json"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(ResultFileError) as error:
        parse_results(content)
    assert message in str(error.value)
    with pytest.raises(CommandError) as command_error:
        call_command("reconcile_wikidata", str(path), stdout=io.StringIO())
    assert message in str(command_error.value)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("reconcile_wikidata", str(tmp_path / "none.json"), stdout=io.StringIO())


# The admin --------------------------------------------------------------------------------


def test_the_changelist_links_to_the_page(editor_client):
    page = editor_client.get("/en/admin/partnerships/partnership/")
    assert page.status_code == 200
    assert f'href="{PAGE}"' in page.content.decode()
    assert "Compare with Wikidata" in page.content.decode()


def test_the_page_shows_the_report_with_links_to_both_sides(editor_client):
    before = table_counts()
    page = editor_client.get(PAGE)
    assert page.status_code == 200
    upload = SimpleUploadedFile(
        "p190.json", SAMPLE_FILE.read_bytes(), content_type="application/sparql-results+json"
    )
    page = editor_client.post(PAGE, {"file": upload, "compare": "Compare"})
    assert page.status_code == 200
    html = page.content.decode()
    for heading in [
        "Pairs only in Wikidata (2)",
        "Pairs only in the registry (11)",
        "Start year differs (2)",
        "End time against the registry&#x27;s status (3)",
        "Partners without a Wikidata ID (31)",
    ]:
        assert heading in html
    dortmund = Partnership.objects.get(german_partner__wikidata_id="Q1295")
    change = reverse("admin:partnerships_partnership_change", args=[dortmund.pk])
    assert f'href="{change}"' in html
    assert 'href="https://www.wikidata.org/wiki/Q1295"' in html
    assert 'href="https://www.wikidata.org/wiki/Q103439"' in html
    grimma_ref = "https://example.org/constructed-reference/grimma-aleksin-1"
    assert f'href="{grimma_ref}"' in html
    moscow = Municipality.objects.get(wikidata_id="Q649")
    assert f'href="{reverse("admin:partnerships_municipality_change", args=[moscow.pk])}"' in html
    uglich = Municipality.objects.get(name="Углич")
    assert f'href="{reverse("admin:partnerships_municipality_change", args=[uglich.pk])}"' in html
    assert table_counts() == before


def test_the_page_compares_the_shipped_sample(editor_client):
    page = editor_client.post(PAGE, {"sample": "1"})
    assert page.status_code == 200
    assert page.context["report"].pairs == 89
    assert "Report for p190-de-ru-sample.json" in page.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "The file is not JSON"),
        (b'{"head": {"vars": []}, "results": {"bindings": []}}', "lacks the variables"),
        (b"\x89PNG\r\n\x1a\n\x00", "not UTF-8"),
    ],
)
def test_a_bad_upload_is_a_form_error(editor_client, content, message):
    before = table_counts()
    upload = SimpleUploadedFile("result.json", content)
    page = editor_client.post(PAGE, {"file": upload})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert page.context["report"] is None
    assert page.context["form"].errors["file"]
    assert table_counts() == before


def test_no_file_is_a_form_error(editor_client):
    page = editor_client.post(PAGE, {"compare": "Compare"})
    assert page.status_code == 200
    assert "Choose a result file" in page.content.decode()


@pytest.mark.parametrize(
    ("prefix", "texts"),
    [
        ("", ["Abgleich mit Wikidata", "Paare nur in Wikidata (2)", "Laut Register", "Entwurf"]),
        ("/ru", ["Сверка с Викиданными", "Пары только в Викиданных (2)", "В реестре", "черновик"]),
    ],
)
def test_the_page_in_german_and_russian(editor_client, prefix, texts):
    Partnership.objects.filter(german_partner__wikidata_id="Q1715").update(is_published=False)
    page = editor_client.post(f"{prefix}/admin/partnerships/partnership/wikidata/", {"sample": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    for text in texts:
        assert text in html
    for english in ["Pairs only", "Registry says", "Compare with the shipped sample", "no year"]:
        assert english not in html


def test_a_bad_upload_is_an_error_in_the_editors_language(editor_client):
    upload = SimpleUploadedFile("result.json", b"[]")
    page = editor_client.post("/ru/admin/partnerships/partnership/wikidata/", {"file": upload})
    assert "простой список JSON" in page.content.decode()


def test_the_page_needs_a_login(client):
    page = client.get(PAGE)
    assert page.status_code == 302
    assert "/login/" in page["Location"]
