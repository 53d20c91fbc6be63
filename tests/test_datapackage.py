"""The data package: /data/datapackage.json and /data/registry.zip, checked with frictionless.

The package must validate (types, constraints, primary and foreign keys, sizes and
hashes), hold as many rows per list as the list has, and the zip must hold exactly the
unfiltered CSV downloads, byte for byte. Drafts never appear.
"""

import functools
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import frictionless
import pytest

from partnerships import datapackage, exports, selectors, views
from partnerships.models import Municipality, Partnership
from tests.public_pages import filterset_of

pytestmark = pytest.mark.django_db

SELECTORS = {
    "partnerships": selectors.partnership_filterset,
    "municipalities": functools.partial(filterset_of, views.MunicipalityListView),
    "initiatives": functools.partial(filterset_of, views.InitiativeListView),
    "signatories": functools.partial(filterset_of, views.SignatoryListView),
}
FILES = ["datapackage.json", *(f"{name}.csv" for name in SELECTORS)]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def totals() -> dict[str, int]:
    """What the lists say: the number of results of each list without a filter."""
    return {name: selector({}).qs.count() for name, selector in SELECTORS.items()}


def validated(source, **options) -> dict[str, int]:
    """frictionless's report on the package (asserted valid): the rows per resource."""
    report = frictionless.validate(source, **options)
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    return {task.name: task.stats["rows"] for task in report.tasks}


def unzipped(client, tmp_path: Path, prefix: str = "") -> zipfile.ZipFile:
    response = client.get(f"{prefix}/data/registry.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    archive.extractall(tmp_path)
    return archive


def test_the_zip_holds_the_package_and_exactly_the_downloads(client, tmp_path):
    response = client.get("/data/registry.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="registry-')
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert sorted(archive.namelist()) == sorted(FILES)
    for name in SELECTORS:
        download = client.get(f"/{name}/export.csv")
        assert archive.read(f"{name}.csv") == body(download), name


def test_the_zipped_package_validates_and_counts_the_lists_rows(client, tmp_path):
    unzipped(client, tmp_path)
    rows = validated(str(tmp_path / "datapackage.json"))
    assert rows == totals()
    assert rows["partnerships"] == 120


def test_the_zipped_package_names_each_file_with_its_size_and_hash(client, tmp_path):
    archive = unzipped(client, tmp_path)
    package = json.loads(archive.read("datapackage.json"))
    for resource in package["resources"]:
        assert resource["path"] == f"{resource['name']}.csv"
        assert resource["bytes"] == len(archive.read(resource["path"]))
    # A file changed after the download (same size) no longer matches its hash.
    path = tmp_path / "signatories.csv"
    changed = path.read_bytes().replace(b"2020-04-30", b"2020-04-29")
    assert changed != path.read_bytes()
    path.write_bytes(changed)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert sorted(row[0] for row in report.flatten(["type"])) == ["hash-count"]


def test_the_published_package_describes_the_downloads_and_validates(client, tmp_path):
    response = client.get("/data/datapackage.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    package = response.json()
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert any("GeoNames" in source["title"] for source in package["sources"])
    assert package["created"]
    assert [resource["name"] for resource in package["resources"]] == list(SELECTORS)
    for resource in package["resources"]:
        url = urlsplit(resource["path"])
        assert (url.scheme, url.netloc) == ("http", "testserver")
        assert url.path == f"/{resource['name']}/export.csv"
        # frictionless reads the files the test client downloads from these addresses.
        (tmp_path / f"{resource['name']}.csv").write_bytes(body(client.get(url.path)))
        resource["path"] = f"{resource['name']}.csv"
    assert validated(package, basepath=str(tmp_path)) == totals()


def test_the_schema_is_the_exports_columns(client):
    package = client.get("/data/datapackage.json").json()
    for resource, table in zip(package["resources"], datapackage.TABLES, strict=True):
        fields = resource["schema"]["fields"]
        assert fields == [column.schema_field() for column in table.columns]
        header = body(client.get(f"/{resource['name']}/export.csv")).split(b"\r\n")[0]
        assert [field["name"] for field in fields] == header.decode("utf-8-sig").split(",")
        names = {field["name"] for field in fields}
        keys = resource["schema"].get("foreignKeys", [])
        assert set(resource["schema"].get("primaryKey", [])) <= names
        assert all(set(key["fields"]) <= names for key in keys)
    partnerships = package["resources"][0]["schema"]
    assert partnerships["primaryKey"] == ["permalink"]
    field = {field["name"]: field for field in partnerships["fields"]}
    assert field["status"]["constraints"] == {
        "required": True,
        "enum": ["active", "dormant", "suspended", "ended", "unknown"],
    }
    assert field["since_year"]["type"] == "integer"
    assert field["established_on"]["type"] == "date"
    assert field["status_since"]["type"] == "string"  # a date cut to its precision
    assert field["unverified"]["trueValues"] == ["yes"]


def test_drafts_never_appear(client, tmp_path):
    draft = Partnership.objects.published().order_by("pk").first()
    draft.is_published = False
    draft.save()
    # A draft partner hides its partnerships too: the foreign keys still hold.
    municipality = Municipality.objects.get(pk=draft.russian_partner_id)
    municipality.is_published = False
    municipality.save()
    archive = unzipped(client, tmp_path)
    assert validated(str(tmp_path / "datapackage.json")) == totals()
    assert totals()["partnerships"] < 120
    for name in ("partnerships.csv", "municipalities.csv"):
        text = archive.read(name).decode("utf-8-sig")
        assert f"/{draft.slug}/" not in text
        assert f"/municipalities/{municipality.slug}/" not in text


def test_cells_that_look_like_formulas_still_validate(client, tmp_path):
    """Neutralised cells (a leading apostrophe) keep their type: a negative number is a
    number, a name that starts with "-" still joins a partnership to its partner."""
    municipality = Partnership.objects.published().order_by("pk").first().russian_partner
    municipality.longitude, municipality.latitude = -170.25, 65.5
    municipality.name = "-" + municipality.name
    municipality.save()
    archive = unzipped(client, tmp_path)
    assert validated(str(tmp_path / "datapackage.json")) == totals()
    assert b"'-170.250000" in archive.read("municipalities.csv")


def test_a_client_with_the_current_version_gets_304(client):
    for url in ("/data/datapackage.json", "/data/registry.zip"):
        response = client.get(url)
        etag = response["ETag"]
        assert response["Cache-Control"] == "no-cache"
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get("/ru" + url, HTTP_IF_NONE_MATCH=etag).status_code == 200
        partnership = Partnership.objects.published().order_by("pk").first()
        partnership.notes = "changed"
        partnership.save()
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert response["ETag"] != etag


def test_another_language_describes_its_own_downloads(client, tmp_path):
    package = client.get("/ru/data/datapackage.json").json()
    paths = [urlsplit(resource["path"]).path for resource in package["resources"]]
    assert paths == [f"/ru/{name}/export.csv" for name in SELECTORS]
    assert "Russian" in package["description"]
    archive = unzipped(client, tmp_path, prefix="/ru")
    assert archive.read("partnerships.csv") == body(client.get("/ru/partnerships/export.csv"))
    assert validated(str(tmp_path / "datapackage.json")) == totals()


def test_every_column_says_what_it_holds():
    for table in datapackage.TABLES:
        for column in table.columns:
            assert isinstance(column, exports.Column)
            assert column.description, f"{table.name}.{column.header}"


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("/en", "All lists (zip)"), ("", "Alle Listen (ZIP)"), ("/ru", "Все списки (ZIP)")],
)
def test_the_about_page_links_to_the_zip_and_the_package(client, prefix, words):
    response = client.get(f"{prefix}/about/")
    assert response.status_code == 200
    assert f'<a href="{prefix}/data/registry.zip">{words}</a>' in response.text
    assert f'href="{prefix}/data/datapackage.json"' in response.text


def test_a_large_zip_goes_to_a_temporary_file_with_the_same_bytes(client, monkeypatch):
    in_memory = body(client.get("/data/registry.zip"))
    monkeypatch.setattr(datapackage, "ZIP_IN_MEMORY", 1024)
    response = client.get("/data/registry.zip")
    assert int(response["Content-Length"]) == len(in_memory) > 1024
    assert body(response) == in_memory
