"""The importers' messages in the editor's language: every error of every row, the notices
and the conflicts in German or Russian in the admin (the language of the page's address),
in English on the command line. Column names and values stay as the file has them.
"""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from partnerships.importing.partnerships import PartnershipImporter
from partnerships.models import Partnership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("upload_dir")]

IMPORTING = Path(__file__).resolve().parent.parent / "partnerships" / "importing"
HEADER = PartnershipImporter.columns  # the rows below fill them in this order
TESTSTADT = ["Teststadt", "Hessen", "Testograd", "Тестоград", "Oblast Kaluga", "Partnerschaft"]
# One problem per row, lines 2 to 7. The typo of Neuss is "Nesus", not "Nuess": GeoNames
# lists "Nuess" among Neuss's names, so whether that one is a typo is the gazetteer's call.
BAD_ROWS = [
    [*TESTSTADT[:5], "Blutsbrüderschaft", "", "", ""],
    [*TESTSTADT, "", "vielleicht", ""],
    [*TESTSTADT, "18x", "", ""],
    ["Nesus", "Nordrhein-Westfalen", "", "Ростов-на-Дону", "", "Partnerschaft", "", "", ""],
    [*TESTSTADT[:3], "????????", *TESTSTADT[4:], "", "", ""],
    [*TESTSTADT[:4], "Oblast Atlantis", "Partnerschaft", "", "", ""],
]
# What each row's problem says, by language: (line, column, the start of the reason).
EXPECTED = {
    "de": [
        (2, "kind", "unbekannte Art „Blutsbrüderschaft“"),
        (3, "status", "unbekannter Status „vielleicht“"),
        (4, "since_year", "„18x“ ist keine Jahreszahl zwischen "),
        (5, "german_name", "„Nesus“ steht nicht im Register: Meinten Sie Neuss (DE-NW)? "),
        (6, "russian_name_cyrillic", "„????????“ enthält keine kyrillischen Buchstaben: "),
        (7, "russian_region", "unbekannte Region „Oblast Atlantis“"),
    ],
    "ru": [
        (2, "kind", "неизвестный тип «Blutsbrüderschaft»"),
        (3, "status", "неизвестный статус «vielleicht»"),
        (4, "since_year", "«18x» — не год в диапазоне от "),
        (5, "german_name", "«Nesus» нет в реестре: может быть, имелся в виду Neuss (DE-NW)? "),
        (6, "russian_name_cyrillic", "в «????????» нет ни одной буквы кириллицы: "),
        (7, "russian_region", "неизвестный регион «Oblast Atlantis»"),
    ],
}
ENGLISH = [
    "line 2, column 'kind': unknown kind 'Blutsbrüderschaft'",
    "line 3, column 'status': unknown status 'vielleicht'",
    "line 4, column 'since_year': '18x' is not a year between ",
    "line 5, column 'german_name': 'Nesus' is not in the registry: did you mean Neuss (DE-NW)? ",
    "line 6, column 'russian_name_cyrillic': '????????' holds no Cyrillic letters: ",
    "line 7, column 'russian_region': unknown region 'Oblast Atlantis'",
]


def to_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def import_url(language: str) -> str:
    """German, the default language, has no prefix (``prefix_default_language=False``)."""
    prefix = "" if language == "de" else f"/{language}"
    return f"{prefix}/admin/partnerships/partnership/import/"


def upload(client, language: str, data: bytes, name: str = "partnerships.csv"):
    return client.post(import_url(language), {"file": SimpleUploadedFile(name, data)})


# The admin: the editor's language ---------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "ru"])
def test_every_error_of_a_bad_file_is_in_the_editors_language(admin_client, language):
    response = upload(admin_client, language, to_csv([HEADER, *BAD_ROWS]))
    assert response.status_code == 200
    problems = response.context["report"].problems
    assert [(p.line, p.column) for p in problems] == [
        (line, column) for line, column, _reason in EXPECTED[language]
    ]
    for problem, (_line, _column, reason) in zip(problems, EXPECTED[language], strict=True):
        assert problem.reason.startswith(reason), problem.reason
    page = response.content.decode()
    # Shown with the file's column names and values, and nothing left in English.
    assert "<code>kind</code>: " + EXPECTED[language][0][2] in page
    assert "<code>german_name</code>: " + EXPECTED[language][3][2].rstrip() in page
    for english in ["unknown", "is not a year", "did you mean", "holds no Cyrillic"]:
        assert english not in page
    assert Partnership.objects.count() == 120


@pytest.mark.parametrize(
    ("language", "confirm_new"),
    [("de", "(Spalte confirm_new = ja oder"), ("ru", "(столбец confirm_new = да или")],
)
def test_did_you_mean_names_the_confirming_word_of_the_editors_language(
    admin_client, language, confirm_new
):
    response = upload(admin_client, language, to_csv([HEADER, BAD_ROWS[3]]))
    (problem,) = response.context["report"].problems
    assert confirm_new in problem.reason
    assert response.context["report"].unconfirmed_new == {"Nesus": ["Neuss (DE-NW)"]}


@pytest.mark.parametrize(
    ("language", "data", "message"),
    [
        (
            "de",
            "\ufeffgerman_name\n".encode("utf-16"),
            "die Datei ist in UTF-16 („Unicode-Text“) gespeichert, nicht in UTF-8: "
            "speichern Sie sie als „CSV UTF-8“",
        ),
        (
            "ru",
            "\ufeffgerman_name\n".encode("utf-16"),
            "файл в кодировке UTF-16 («Текст в Юникоде»), а не UTF-8: "
            "сохраните его в формате «CSV UTF-8»",
        ),
        ("de", b"german_name,kind\nAachen,Partnerschaft\n", "fehlende Spalte(n): german_state"),
        ("ru", b"german_name,kind\nAachen,Partnerschaft\n", "не хватает столбцов: german_state"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_form_error_in_the_editors_language(
    admin_client, language, data, message
):
    response = upload(admin_client, language, data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors, errors


@pytest.mark.parametrize(
    ("language", "conflict", "notice"),
    [
        (
            "de",
            "since_year: Zeile 2 nennt 1988, Zeile 3 nennt 1990",
            "Mehrere Zeilen nennen dieselbe Partnerschaft (Zeilen: 2, Partnerschaften: 1)",
        ),
        (
            "ru",
            "since_year: в строке 2 — 1988, в строке 3 — 1990",
            "Несколько строк относятся к одному и тому же партнёрству (строк: 2, партнёрств: 1)",
        ),
    ],
)
def test_conflicts_and_notices_are_in_the_editors_language(
    admin_client, starter_file, language, conflict, notice
):
    with starter_file("partnerships-de-ru.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    koeln = next(row for row in rows if row[0] == "Köln" and row[3] == "Волгоград")
    other = [*koeln[:6], "1990", "", "https://example.org/another-list"]
    response = upload(admin_client, language, to_csv([header, koeln, other]))
    report = response.context["report"]
    assert any(conflict in line for line in report.conflicts), report.conflicts
    assert any(line.startswith(notice) for line in report.notices), report.notices
    page = response.content.decode()
    assert conflict in page
    assert notice in page


def test_a_preview_in_german_is_confirmed_in_german(admin_client):
    row = [*TESTSTADT, "1995", "", "https://example.org/teststadt"]
    preview = upload(admin_client, "de", to_csv([HEADER, row]))
    assert preview.context["can_confirm"]
    confirmed = admin_client.post(
        import_url("de"), {"confirm": "1", "token": preview.context["token"]}, follow=True
    )
    # The confirming run (in German, as the preview) does exactly what the preview showed.
    assert "Importiert: 1 neu, 0 aktualisiert, 0 unverändert." in confirmed.content.decode()
    assert Partnership.objects.filter(german_partner__name="Teststadt").exists()


# The command line and direct calls: English -----------------------------------------------


@pytest.mark.parametrize("active", ["de", "ru"])
def test_the_command_line_reports_the_same_file_in_english(tmp_path, active):
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv([HEADER, *BAD_ROWS]))
    with translation.override(active), pytest.raises(CommandError) as error:
        call_command("import_partnerships", path)
    text = str(error.value)
    for line in ENGLISH:
        assert line in text
    assert "«" not in text and "„" not in text


def test_a_direct_run_is_in_english_unless_a_language_is_given():
    data = to_csv([HEADER, BAD_ROWS[0]])
    with translation.override("de"):  # the settings' LANGUAGE_CODE, as outside a request
        english = PartnershipImporter().run(io.BytesIO(data), dry_run=True)
        russian = PartnershipImporter().run(io.BytesIO(data), dry_run=True, language="ru")
        assert translation.get_language() == "de"  # the run's language ends with the run
    assert english.problems[0].reason == "unknown kind 'Blutsbrüderschaft'"
    assert russian.problems[0].reason == "неизвестный тип «Blutsbrüderschaft»"


# The catalogues ---------------------------------------------------------------------------


def importer_messages() -> list[tuple[str, ...]]:
    """Every message marked in partnerships/importing: (msgid,) or (singular, plural)."""
    found = []
    for path in sorted(IMPORTING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            arguments = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id in {"gettext", "gettext_noop"} and arguments:
                found.append((arguments[0],))
            elif node.func.id == "ngettext" and len(arguments) >= 2:
                found.append((arguments[0], arguments[1]))
    return found


@pytest.mark.parametrize("language", ["de", "ru"])
def test_every_importer_message_is_translated(language):
    messages = importer_messages()
    assert len(messages) >= 60
    with translation.override(language):
        for message in messages:
            if len(message) == 1:
                assert translation.gettext(message[0]) != message[0], message
            else:
                for count in (1, 2, 5):
                    assert translation.ngettext(*message, count) not in message, message
