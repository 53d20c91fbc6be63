"""The registry as a Frictionless Data Package: the four CSV downloads, described.

``/data/datapackage.json`` describes the unfiltered CSV exports (``partnerships/exports.py``)
as a tabular Data Package: a Table Schema per list, built from the exports' own
``Column`` definitions (one list of columns for the file and its description), primary and
foreign keys, the licence (CC BY 4.0) and the sources. Its resources point at the download
addresses in the language of the package's address (``/ru/data/datapackage.json``
describes ``/ru/partnerships/export.csv``).

``/data/registry.zip`` holds the same package with relative paths and the four files, byte
for byte the downloads without a filter (the export views write them), with their sizes
and SHA-256 hashes. The zip is written to a spooled temporary file, so memory stays bounded
at any size of the registry (about 25 MB of CSV at 100,000 partnerships).

Both answer with an ETag of the registry's generation (``partnerships/caching.py``), the
language, the host and the schema: a client that has the current version gets 304 after
one small query. Drafts never appear: every export starts from ``published()``.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import FileResponse, HttpRequest, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.views.decorators.http import condition, require_safe

from partnerships import exports, views
from partnerships.caching import current_generation
from partnerships.models import Appeal, Initiative, Municipality, Partnership, Signatory

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}

# The public sources the About page names (templates/partnerships/about.html); each
# partnership names its own in the ``sources`` column.
SOURCES = [
    {"title": "Municipal websites and regional press, named per record in the `sources` columns"},
    {
        "title": "German-Russian Forum: portal of German-Russian partnerships",
        "path": "http://www.russlandpartner.de/",
    },
    {
        "title": "English Wikipedia: List of twin towns and sister cities in Germany",
        "path": "https://en.wikipedia.org/wiki/List_of_twin_towns_and_sister_cities_in_Germany",
    },
    {
        "title": "English Wikipedia: List of twin towns and sister cities in Russia",
        "path": "https://en.wikipedia.org/wiki/List_of_twin_towns_and_sister_cities_in_Russia",
    },
    {
        "title": "Wikidata property P190 (twinned administrative body), 2016 extract "
        "(github.com/L3viathan/sister-cities, relations.tsv)",
        "path": "https://github.com/L3viathan/sister-cities",
    },
    {
        "title": "Wikidata: Wikidata IDs and coordinates",
        "path": "https://www.wikidata.org/",
    },
    {
        "title": "Statistisches Bundesamt (Destatis): Gemeindeverzeichnis, 31.12.2020 (AGS codes)",
        "path": "https://www.destatis.de/",
    },
    {"title": "Russian city lists (OKTMO codes)"},
    {
        "title": "GeoNames gazetteer, licensed under CC BY 4.0: names in other languages "
        "and scripts",
        "path": "https://www.geonames.org/",
    },
]

CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True}


@dataclass(frozen=True)
class Table:
    """One list as a resource of the package: its export view, its keys."""

    name: str
    title: str
    view: type[views.CSVExportView]
    url_name: str
    primary_key: tuple[str, ...] = ()
    # (fields here, resource, fields there)
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[exports.Column]:
        return self.view.columns

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [column.schema_field() for column in self.columns],
            "missingValues": [""],
        }
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(here), "reference": {"resource": resource, "fields": list(there)}}
                for here, resource, there in self.foreign_keys
            ]
        return schema


# A municipality is known by its official name and its region's code (unique per country;
# the code names the country): the partners, and the municipality a signatory signed for,
# are rows of the municipalities' list.
MUNICIPALITY_KEY = ("name", "region_iso")

TABLES = [
    Table(
        "partnerships",
        "German–Russian municipal partnerships",
        views.PartnershipExportView,
        "partnerships:partnership-export",
        primary_key=("permalink",),
        foreign_keys=(
            (("german_partner", "german_land_iso"), "municipalities", MUNICIPALITY_KEY),
            (
                ("russian_partner_cyrillic", "russian_region_iso"),
                "municipalities",
                MUNICIPALITY_KEY,
            ),
        ),
    ),
    Table(
        "municipalities",
        "Municipalities, districts and regions",
        views.MunicipalityExportView,
        "partnerships:municipality-export",
        primary_key=("permalink",),
    ),
    Table(
        "initiatives",
        "Initiatives carrying partnerships",
        views.InitiativeExportView,
        "partnerships:initiative-export",
        primary_key=("permalink",),
    ),
    # A signatory has no identifier of its own (a supporter may have no name).
    Table(
        "signatories",
        "Signatories and supporters of appeals",
        views.SignatoryExportView,
        "partnerships:signatory-export",
        foreign_keys=(
            (("municipality", "land_iso"), "municipalities", MUNICIPALITY_KEY),
            (("initiative",), "initiatives", ("name",)),
        ),
    ),
]


@functools.cache
def schema_digest() -> str:
    """A digest of every table's schema: a new column or constraint is a new version."""
    schemas = [table.schema() for table in TABLES]
    return hashlib.sha256(json.dumps(schemas, sort_keys=True).encode()).hexdigest()


def last_change(request: HttpRequest) -> datetime.datetime | None:
    """When a published record last changed: the package's ``created``. Asked once per
    request and kept for the registry's generation (at 100,000 partnerships the maximum
    reads every row)."""
    if not hasattr(request, "registry_last_change"):
        key = f"datapackage-created:{current_generation(request)}"
        seconds = settings.PAGE_CACHE_SECONDS
        found = cache.get(key) if seconds else None
        if found is None:
            moments = [
                model.objects.published().aggregate(last=Max("updated_at"))["last"]
                for model in (Partnership, Municipality, Initiative, Signatory, Appeal)
            ]
            found = max((moment for moment in moments if moment), default="")
            if seconds:
                cache.set(key, found, seconds)
        request.registry_last_change = found or None
    return request.registry_last_change


def descriptor(request: HttpRequest, *, relative: bool = False) -> dict[str, Any]:
    """The package: with the download addresses, or (``relative``) the files' names."""
    language = get_language_info(get_language())["name"]
    created = last_change(request)
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "german-russian-municipal-partnerships",
        "title": "German–Russian Partnership Registry",
        "description": (
            "The registry of German–Russian municipal partnerships: partners, kind, "
            "since when, status and sources; the municipalities, the initiatives that "
            "carry partnerships and the signatories of appeals. Published records only. "
            "Codes, vocabularies, numbers and dates are the same in every language; "
            f"region names, the *_label columns and the appeal's title are in {language}, "
            "the language of this package's address."
        ),
        "homepage": request.build_absolute_uri(reverse("partnerships:about")),
        "licenses": [LICENSE],
        "sources": SOURCES,
        "keywords": ["twinning", "town twinning", "Germany", "Russia", "municipalities"],
    }
    if created:
        package["created"] = created.astimezone(datetime.UTC).isoformat(timespec="seconds")
    package["resources"] = [
        {
            "profile": "tabular-data-resource",
            "name": table.name,
            "title": table.title,
            "path": table.filename
            if relative
            else request.build_absolute_uri(reverse(table.url_name)),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": CSV_DIALECT,
            "schema": table.schema(),
        }
        for table in TABLES
    ]
    return package


def package_etag(request: HttpRequest, *args, **kwargs) -> str:
    """The version of what the package's addresses answer: the data, the language, the
    host (permalinks are absolute) and the schema."""
    raw = "|".join(
        [
            str(current_generation(request)),
            get_language(),
            request.build_absolute_uri("/"),
            schema_digest(),
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _revalidate(response):
    # Clients may keep the answer, but ask again (a 304 if nothing changed).
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@condition(etag_func=package_etag)
def datapackage_json(request: HttpRequest) -> JsonResponse:
    """``/data/datapackage.json``: the package, its resources the CSV downloads."""
    return _revalidate(
        JsonResponse(
            descriptor(request),
            json_dumps_params={"ensure_ascii": False, "indent": 2},
            content_type="application/json; charset=utf-8",
        )
    )


def unfiltered_export(table: Table, request: HttpRequest):
    """The table's CSV download without a filter, written by its export view."""
    plain = copy.copy(request)
    plain.method = "GET"
    plain.GET = QueryDict()
    return table.view.as_view()(plain)


def write_zip(request: HttpRequest, target) -> None:
    """The four CSV downloads and the package that describes them, into ``target``.

    The files go first, so the package can give each one's size and hash. Every member
    carries the time of the last change: the same data gives the same bytes.
    """
    created = last_change(request)
    stamp = (created.astimezone(datetime.UTC) if created else timezone.now()).timetuple()[:6]
    package = descriptor(request, relative=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table, resource in zip(TABLES, package["resources"], strict=True):
            response = unfiltered_export(table, request)
            digest, size = hashlib.sha256(), 0
            member = zipfile.ZipInfo(table.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            # Read to its end, not closed: closing a response ends the request
            # (request_finished), which would close the database connection.
            with archive.open(member, "w") as stream:
                for chunk in response.streaming_content:
                    digest.update(chunk)
                    size += len(chunk)
                    stream.write(chunk)
            resource["bytes"] = size
            resource["hash"] = f"sha256:{digest.hexdigest()}"
        member = zipfile.ZipInfo("datapackage.json", date_time=stamp)
        member.compress_type = zipfile.ZIP_DEFLATED
        text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
        archive.writestr(member, text.encode())


# Below this size the zip stays in memory; above, it goes to a temporary file.
ZIP_IN_MEMORY = 8 * 1024 * 1024


@require_safe
@condition(etag_func=package_etag)
def registry_zip(request: HttpRequest) -> FileResponse:
    """``/data/registry.zip``: every list (unfiltered) and ``datapackage.json``."""
    # The response closes the file once it is sent (no ``with``).
    spool = tempfile.SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)  # noqa: SIM115
    try:
        write_zip(request, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    filename = f"registry-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(
        spool, as_attachment=True, filename=filename, content_type="application/zip"
    )
    return _revalidate(response)
