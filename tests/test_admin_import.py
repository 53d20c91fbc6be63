"""Importing partnerships in the admin: upload, preview of every row, confirm, no lost edits."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from partnerships.admin import imports
from partnerships.importing import files
from partnerships.importing.partnerships import PartnershipImporter, unneutralise
from partnerships.models import Municipality, Partnership
from tests.import_files import PARTNERSHIP_HEADER, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("upload_dir")]

# In English, so that the assertions hold whatever the translations say.
IMPORT_URL = "/en/admin/partnerships/partnership/import/"
CHANGELIST_URL = "/en/admin/partnerships/partnership/"
NEW_ROW = [
    "Teststadt",
    "Hessen",
    "Testograd",
    "Тестоград",
    "Oblast Kaluga",
    "Partnerschaft",
    "1995",
    "",
    "https://example.org/teststadt",
]


@pytest.fixture
def starter_rows(starter_file):
    with starter_file("partnerships-de-ru.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def to_csv(rows, delimiter=",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def koeln_index(rows) -> int:
    return next(i for i, row in enumerate(rows) if row[0] == "Köln" and row[3] == "Волгоград")


def koeln() -> Partnership:
    return Partnership.objects.get(german_partner__name="Köln", russian_partner__name="Волгоград")


def upload(client, data: bytes, name: str = "partnerships.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)})


def confirm(client, response):
    return client.post(IMPORT_URL, {"confirm": "1", "token": response.context["token"]})


def counts(response) -> tuple[int, int, int, int]:
    context = response.context
    return context["created"], context["updated"], context["unchanged"], context["rejected"]


def outcomes(response) -> list[tuple]:
    return [
        (row["line"], row["outcome"], [str(change) for change in row["changes"]])
        for row in response.context["rows"]
    ]


def form_errors(response) -> list[str]:
    return response.context["form"].errors.get("file", [])


# Previews --------------------------------------------------------------------------------------


def test_the_changelist_links_to_the_import(admin_client):
    response = admin_client.get(CHANGELIST_URL)
    assert IMPORT_URL in response.content.decode()
    assert admin_client.get(IMPORT_URL).status_code == 200


def test_the_starter_file_is_all_unchanged(admin_client, starter_file):
    response = upload(admin_client, starter_file("partnerships-de-ru.csv").read_bytes())
    assert response.status_code == 200
    assert counts(response) == (0, 0, 120, 0)
    assert len(response.context["rows"]) == 120
    assert not response.context["can_confirm"]
    assert "Nothing to import" in response.content.decode()


def test_preview_then_confirm_applies_and_records_history(admin_client, admin_user, starter_rows):
    index = koeln_index(starter_rows)
    assert starter_rows[index][6] == "1988"
    starter_rows[index][6] = "1989"
    starter_rows.append(NEW_ROW)
    before = koeln()
    response = upload(admin_client, to_csv(starter_rows).encode(), "changed.csv")

    assert counts(response) == (1, 1, 119, 0)
    rows = {row["line"]: row for row in response.context["rows"]}
    updated = rows[index + 1]
    assert updated["outcome"] == "updated"
    assert [str(change) for change in updated["changes"]] == [
        "claim: Partnerschaft, 1988 → Partnerschaft, 1989",
        "since_year: 1988 → 1989",
    ]
    with translation.override("en"):
        assert updated["url"] == reverse("admin:partnerships_partnership_change", args=[before.pk])
    assert rows[len(starter_rows)]["outcome"] == "created"
    assert "<code>since_year</code>: 1988 → 1989" in response.content.decode()
    assert response.context["can_confirm"]
    assert koeln().since_year == 1988  # a preview writes nothing
    assert not Partnership.objects.filter(german_partner__name="Teststadt").exists()

    response = confirm(admin_client, response)
    assert response.status_code == 302
    assert response.url == CHANGELIST_URL
    page = admin_client.get(response.url).content.decode()
    assert "Imported: created 1, updated 1, unchanged 119." in page

    after = koeln()
    assert after.since_year == 1989
    assert after.version == before.version + 1
    entry = after.history.first()
    assert entry.history_user == admin_user
    assert entry.history_change_reason == "import changed.csv"
    assert entry.history_type == "~"
    new = Partnership.objects.get(german_partner__name="Teststadt")
    assert new.history.first().history_change_reason == "import changed.csv"
    assert Municipality.objects.get(name="Тестоград").history.first().history_user == admin_user
    # The waiting file is gone and cannot be confirmed twice.
    assert imports.SESSION_KEY not in admin_client.session
    assert not list((imports.upload_dir()).iterdir())


def test_a_file_with_a_bad_row_cannot_be_confirmed(admin_client, starter_rows):
    starter_rows[17][5] = "Blutsbrüderschaft"
    starter_rows[koeln_index(starter_rows)][6] = "1989"
    response = upload(admin_client, to_csv(starter_rows).encode())
    assert counts(response)[3] == 1
    bad = next(row for row in response.context["rows"] if row["outcome"] == "rejected")
    assert bad["line"] == 18
    assert [(p.column, p.reason) for p in bad["problems"]] == [
        ("kind", "unknown kind 'Blutsbrüderschaft'")
    ]
    assert not response.context["can_confirm"]
    assert 'name="confirm" value="' in response.content.decode()
    assert "disabled" in response.content.decode()

    refused = confirm(admin_client, response)
    assert refused.status_code == 200
    assert "A file with errors cannot be imported" in refused.content.decode()
    assert koeln().since_year == 1988
    assert Partnership.objects.count() == 120


def test_windows_1252_is_read_with_a_notice_like_utf8(admin_client, starter_rows):
    """German Excel's CSV: umlauts in Windows-1252, Cyrillic letters lost as '?'."""

    def encodable(text: str) -> bool:
        try:
            text.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return True

    header, *rows = starter_rows
    for row in rows:  # keep the sources Windows-1252 can hold (no "↔")
        row[8] = " | ".join(part for part in row[8].split(" | ") if encodable(part))
    rows[koeln_index(rows)][6] = "1989"
    utf8 = upload(admin_client, to_csv([header, *rows]).encode("utf-8"))
    # Without its Cyrillic column (blank cells), a Windows-1252 file matches by Latin names.
    latin_only = [[*row[:3], "", *row[4:]] for row in rows]
    cp1252 = upload(admin_client, to_csv([header, *latin_only]).encode("cp1252"), "excel.csv")

    assert cp1252.status_code == 200
    assert "Windows-1252" in " ".join(cp1252.context["report"].notices)
    assert "Windows-1252" in cp1252.content.decode()
    # Rows whose sources lost a part name fewer sources: their claims are new (Köln's too).
    assert counts(cp1252) == counts(utf8)
    assert "updated" in {row["outcome"] for row in cp1252.context["rows"]}
    assert outcomes(cp1252) == outcomes(utf8)
    assert "Köln" in cp1252.content.decode()

    # Where the code page turned the Cyrillic letters into "?", every such row is refused.
    lost = [[*row[:3], "?" * len(row[3]), *row[4:]] for row in rows]
    refused = upload(admin_client, to_csv([header, *lost]).encode("cp1252"), "excel.csv")
    report = refused.context["report"]
    assert report.rejected == 120
    assert all("holds no Cyrillic letters" in p.reason for p in report.problems)
    assert "disabled" in refused.content.decode()


def test_utf8_with_bom_and_semicolons(admin_client, starter_rows):
    data = b"\xef\xbb\xbf" + to_csv(starter_rows, delimiter=";").encode()
    response = upload(admin_client, data)
    assert counts(response) == (0, 0, 120, 0)


def test_an_xlsx_workbook_is_read(admin_client, starter_rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header, *rows = starter_rows
    sheet.append(header)
    for row in rows:
        # Spreadsheets hold years as numbers.
        sheet.append([int(cell) if index == 6 and cell else cell for index, cell in enumerate(row)])
    sheet.append([None] * len(header))  # an empty row at the end is ignored
    sheet.cell(row=koeln_index(starter_rows) + 1, column=7, value=1989)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(admin_client, buffer.getvalue(), "partnerships.xlsx")
    assert counts(response) == (0, 1, 119, 0)
    updated = next(row for row in response.context["rows"] if row["outcome"] == "updated")
    assert updated["line"] == koeln_index(starter_rows) + 1
    assert [str(change) for change in updated["changes"]] == [
        "claim: Partnerschaft, 1988 → Partnerschaft, 1989",
        "since_year: 1988 → 1989",
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (bytes(range(1, 256)) * 40, "garbage.csv", "not UTF-8"),
        (b"german_name\x00\n", "nul.csv", "NUL bytes"),
        (b"this is not a zip archive", "fake.xlsx", "not a readable Excel workbook"),
        (b"PK\x03\x04broken zip", "broken.csv", "not a readable Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls", "Upload a CSV file"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.csv", "old Excel files"),
        (b"", "empty.csv", "empty"),
        (b"german_name,kind\nAachen,Partnerschaft\n", "columns.csv", "missing column(s)"),
        ("\ufeffgerman_name\n".encode("utf-16"), "unicode.csv", "UTF-16"),
    ],
)
def test_unreadable_files_are_form_errors(admin_client, data, name, message):
    response = upload(admin_client, data, name)
    assert response.status_code == 200
    errors = " ".join(form_errors(response))
    assert message in errors, errors
    assert imports.SESSION_KEY not in admin_client.session
    assert Partnership.objects.count() == 120


def test_a_file_too_large_is_refused(admin_client):
    response = upload(admin_client, b"a" * (imports.MAX_UPLOAD_BYTES + 1))
    assert "larger than 5 MB" in " ".join(form_errors(response))


def test_too_many_rows_are_refused(admin_client, starter_file, monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 100)
    response = upload(admin_client, starter_file("partnerships-de-ru.csv").read_bytes())
    assert "more than 100 rows" in " ".join(form_errors(response))


@pytest.mark.parametrize("query", ["", "?sep=semicolon"])
def test_the_registrys_own_export_reimports_unchanged(admin_client, client, query):
    export = client.get(reverse("partnerships:partnership-export") + query)
    assert export.status_code == 200
    data = b"".join(export.streaming_content)
    response = upload(admin_client, data, "partnerships-export.csv")
    assert response.status_code == 200, form_errors(response)
    assert response.context["report"].format == "registry export"
    assert counts(response) == (0, 0, 120, 0), [
        row for row in response.context["rows"] if row["outcome"] != "unchanged"
    ]


def test_an_edited_export_updates_and_names_the_exports_columns(admin_client, client):
    export = client.get(reverse("partnerships:partnership-export"))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["german_partner"] == "Köln")
    row["since_year"] = "1989"
    rows[0]["kind"] = "blood brotherhood"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    response = upload(admin_client, out.getvalue().encode())
    bad = next(r for r in response.context["rows"] if r["outcome"] == "rejected")
    assert (bad["line"], bad["problems"][0].column) == (2, "kind")


# No lost edits ---------------------------------------------------------------------------------


def test_a_change_between_preview_and_confirm_refuses_the_import(admin_client, starter_rows):
    starter_rows[koeln_index(starter_rows)][6] = "1989"
    starter_rows.append(NEW_ROW)
    preview = upload(admin_client, to_csv(starter_rows).encode())
    assert counts(preview) == (1, 1, 119, 0)

    partnership = koeln()  # another editor saves the same partnership meanwhile
    partnership.since_year = 2000
    partnership.save()

    refused = confirm(admin_client, preview)
    assert refused.status_code == 200
    assert "The registry has changed since your preview" in refused.content.decode()
    assert koeln().since_year == 2000
    assert not Partnership.objects.filter(german_partner__name="Teststadt").exists()
    updated = next(row for row in refused.context["rows"] if row["outcome"] == "updated")
    assert [str(change) for change in updated["changes"]] == [
        "claim: Partnerschaft, 1988 → Partnerschaft, 1989",
        "since_year: 2000 → 1989",
    ]

    # The new preview can be confirmed: the editor saw what it does now.
    assert confirm(admin_client, refused).status_code == 302
    assert koeln().since_year == 1989


def test_an_edit_of_a_partnership_the_file_updates_refuses_even_if_fields_match(
    admin_client, starter_rows
):
    starter_rows[koeln_index(starter_rows)][6] = "1989"
    preview = upload(admin_client, to_csv(starter_rows).encode())
    partnership = koeln()
    partnership.notes = "Edited by someone else."
    partnership.save()  # a new version: the preview's changes were based on the old one
    refused = confirm(admin_client, preview)
    assert "The registry has changed since your preview" in refused.content.decode()
    assert koeln().since_year == 1988


def test_a_confirm_without_a_waiting_upload_is_refused(admin_client):
    response = admin_client.post(IMPORT_URL, {"confirm": "1", "token": "x" * 43})
    assert response.status_code == 302
    assert response.url == IMPORT_URL


def test_cancel_discards_the_upload(admin_client, starter_file, upload_dir):
    preview = upload(admin_client, starter_file("partnerships-de-ru.csv").read_bytes())
    assert list(upload_dir.iterdir())
    response = admin_client.post(IMPORT_URL, {"cancel": "1", "token": preview.context["token"]})
    assert response.status_code == 302
    assert not list(upload_dir.iterdir())


# Who may import --------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response.url.startswith("/en/admin/login/")


def test_staff_without_the_add_permission_are_refused(client):
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_partnership"))
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": SimpleUploadedFile("a.csv", b"x")}).status_code == 403
    assert IMPORT_URL not in client.get(CHANGELIST_URL).content.decode()


def test_an_editor_with_add_and_change_permissions_may_import(client, starter_file):
    user = User.objects.create_user("editor", password="x", is_staff=True)
    for codename in ["view_partnership", "add_partnership", "change_partnership"]:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    assert IMPORT_URL in client.get(CHANGELIST_URL).content.decode()
    response = upload(client, starter_file("partnerships-de-ru.csv").read_bytes())
    assert counts(response) == (0, 0, 120, 0)


# The importer's row-by-row report (shared with the command line) -------------------------------


def test_the_report_lists_every_row(starter_file):
    report = PartnershipImporter().run(starter_file("partnerships-de-ru.csv"), dry_run=True)
    assert [row.line for row in report.rows] == list(range(2, 122))
    assert {row.outcome for row in report.rows} == {"unchanged"}
    assert all(row.record_id for row in report.rows)


def test_a_lost_cyrillic_name_of_an_unknown_town_is_an_error():
    text = (
        PARTNERSHIP_HEADER + "Teststadt,Hessen,Testograd,?????????,Oblast Kaluga,Partnerschaft,,,\n"
    )
    report = run_import(PartnershipImporter(), text, dry_run=True)
    problem = report.problems[0]
    assert problem.column == "russian_name_cyrillic"
    assert "holds no Cyrillic letters" in problem.reason
    assert not Municipality.objects.filter(name__startswith="?").exists()


def test_the_exports_formula_protection_is_undone():
    assert unneutralise("'=SUM(A1)") == "=SUM(A1)"
    assert unneutralise("'-Ost") == "-Ost"
    assert unneutralise("'s-Hertogenbosch") == "'s-Hertogenbosch"


def test_a_close_new_name_is_confirmed_by_a_checkbox_per_town(admin_client, starter_rows):
    header = starter_rows[0]
    typo = ["Nuess", "Nordrhein-Westfalen", "", "Ростов-на-Дону", "", "Partnerschaft", "", "", ""]
    preview = upload(admin_client, to_csv([header, typo]).encode())
    report = preview.context["report"]
    assert report.unconfirmed_new == {"Nuess": ["Neuss (DE-NW)"]}
    assert not preview.context["can_confirm"]
    page = preview.content.decode()
    assert 'name="new_name" value="Nuess"' in page
    assert "did you mean Neuss" in page

    rechecked = admin_client.post(
        IMPORT_URL,
        {"confirm_names": "1", "token": preview.context["token"], "new_name": ["Nuess"]},
    )
    assert rechecked.context["can_confirm"]
    assert counts(rechecked) == (1, 0, 0, 0)
    assert confirm(admin_client, rechecked).status_code == 302
    assert Municipality.objects.filter(name="Nuess").count() == 1


def test_the_preview_names_conflicting_sources_with_their_lines(admin_client, starter_rows):
    header, *rows = starter_rows
    koeln = list(rows[koeln_index(rows)])
    other = [*koeln[:6], "1990", "", "https://example.org/another-list"]
    preview = upload(admin_client, to_csv([header, koeln, other]).encode())
    conflicts = preview.context["report"].conflicts
    assert any("since_year: line 2 says 1988, line 3 says 1990" in c for c in conflicts)
    assert "Sources that disagree" in preview.content.decode()
