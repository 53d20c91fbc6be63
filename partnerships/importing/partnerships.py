"""Importing partnerships: the starter-data format and the registry's own CSV export.

The starter format (``partnerships-de-ru.csv``) is the importer's own; a file with the
columns of the registry's partnership export (``docs/EXPORTS.md``) is mapped onto it, so
that both go through the same matching and the same rules.

Files of any size (up to ``files.MAX_ROWS``) are imported in two phases:

1. Every row is checked and matched in memory, without writing: the registry's
   municipalities of the regions the file names, their partnerships, sources and status
   events are loaded once, and the shared matching rules run on them
   (``partnerships.importing.index``). A row that fails is undone in memory, and the
   report says what each row does (or would do): outcome, changes, record and version.
2. Only when no row failed, and not in a dry run: everything is written in bulk in the
   import's transaction, with history (new records with PostgreSQL's COPY,
   ``copying.copy_with_history``, changed ones with ``bulk_update_with_history``: the
   import's change reason and editor). Records the
   file changes are locked first and their versions compared with those phase 1 read:
   a record changed meanwhile refuses the import (optimistic locking), and the database's
   constraints stay the last safety net (a refusal rolls everything back).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history
from tqdm import tqdm

from partnerships.exports import FORMULA_PREFIXES
from partnerships.importing.base import (
    CREATED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    FileFormat,
    Importer,
    ImportReport,
    Problem,
    history_defaults,
    parse_year,
    split_sources,
)
from partnerships.importing.copying import copy_with_history
from partnerships.importing.errors import RowError
from partnerships.importing.index import (
    AnyOf,
    MunicipalityIndex,
    Place,
    chunks,
    grouped,
    in_chunks,
)
from partnerships.importing.matching import Matcher
from partnerships.models import (
    AlternativeName,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    StatusEvent,
)
from partnerships.models.base import StaleRecordError
from partnerships.models.partnerships import FIRST_YEAR, LAST_YEAR
from partnerships.vocabulary import (
    KIND_WORDING,
    STATUS_WORDING,
    WIKIDATA_2016_MARKER,
    Country,
    PartnershipKind,
    Status,
)

REGISTRY_EXPORT = "registry export"
# The registry's export column -> the starter column it carries.
EXPORT_COLUMNS = {
    "german_partner": "german_name",
    "german_land": "german_state",
    "russian_partner_de": "russian_name_latin",
    "russian_partner_cyrillic": "russian_name_cyrillic",
    "russian_region": "russian_region",
    "kind": "kind_code",
    "since_year": "since_year",
    "status": "status",
    "sources": "source",
}


def source_fields(text: str) -> dict[str, str]:
    """``https://x.org/a (what it is)`` -> url and citation; plain text -> citation."""
    if text.startswith(("http://", "https://")):
        url, _sep, rest = text.partition(" ")
        return {"url": url[:500], "citation": rest.strip()[:500]}
    return {"url": "", "citation": text[:500]}


def only_wikidata_2016(sources: list[str]) -> bool:
    return bool(sources) and all(WIKIDATA_2016_MARKER in s.casefold() for s in sources)


def unneutralise(value: str) -> str:
    """Undo the export's protection against spreadsheet formulas (``'=x`` -> ``=x``)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def from_export(row: dict[str, str]) -> dict[str, str]:
    """A row of the registry's partnership export, in the starter columns.

    The export's ``kind`` is the registry's own vocabulary and ``kind_wording`` the
    source's wording; both are kept (``kind_code`` and ``kind``).
    """
    row = {key: unneutralise(value) for key, value in row.items()}
    converted = {starter: row.get(column, "") for column, starter in EXPORT_COLUMNS.items()}
    converted["kind"] = row.get("kind_wording", "")
    return converted


EXPORT_FORMAT = FileFormat(
    name=REGISTRY_EXPORT,
    columns=tuple(EXPORT_COLUMNS),
    signature=frozenset({"german_partner", "russian_partner_cyrillic"}),
    convert=from_export,
    file_columns={
        **{starter: column for column, starter in EXPORT_COLUMNS.items()},
        "kind": "kind_wording",
        "kind_code": "kind",
    },
    notice="The file is the registry's own partnership export.",
)


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


class Link:
    """A partnership as an import sees it: loaded from the registry, or new in this run."""

    __slots__ = (
        "changed",
        "dated_status",
        "events",
        "german",
        "kind",
        "kind_wording",
        "line",
        "loaded_status",
        "needs_verification",
        "new",
        "pk",
        "russian",
        "since_year",
        "slug",
        "sources",
        "status",
        "version",
    )

    def __init__(self, *, pk, german: Place, russian: Place, **fields) -> None:
        self.pk = pk
        self.new = pk is None
        self.german = german
        self.russian = russian
        self.kind = fields.get("kind", "")
        self.kind_wording = fields.get("kind_wording", "")
        self.since_year = fields.get("since_year")
        self.needs_verification = fields.get("needs_verification", False)
        self.status = self.loaded_status = fields.get("status", Status.UNKNOWN)
        self.version = fields.get("version", 1)
        self.slug = fields.get("slug", "")
        # Immutable (and empty ones shared): cheap to hold for many partnerships.
        self.sources: tuple[tuple[str, str], ...] = ()  # (url, citation)
        self.events: tuple[tuple[str, str], ...] = ()  # (status, source_url)
        # The status of the latest dated event: undated ones (what a file adds) come first.
        self.dated_status: str | None = None
        self.changed: frozenset[str] = frozenset()
        self.line: int | None = None  # the first line that created or changed it

    def has_url(self, url: str) -> bool:
        return any(known == url for known, _citation in self.sources)


BATCH_SIZE = 2000
LOCK_CHUNK = 5000
KIND_WORDING_FIELD = Partnership._meta.get_field("kind_wording")
# The fields of an alternative name an import gives (historic names all, variants some).
ALTERNATIVE_NAME_FIELDS = {
    name: AlternativeName._meta.get_field(name).get_default()
    for name in ["name", "kind", "language", "until_year", "note"]
}


class Refused(Exception):
    """Phase 2 found records changed since phase 1 read them (reported row by row)."""


class PartnershipImporter(Importer):
    """One partnership per row; the partners are found or created by the shared rules.

    Blank cells mean "unknown" and never erase what the registry knows. A status becomes
    an undated status event unless the same status from the same source is already
    recorded (for the registry's own export: unless it is the partnership's status).
    A Cyrillic name that is blank, or lost to an encoding without Cyrillic letters
    ("???"), is looked up by the Latin name among the registry's Russian partners.
    """

    name = "partnerships"
    columns = [
        "german_name",
        "german_state",
        "russian_name_latin",
        "russian_name_cyrillic",
        "russian_region",
        "kind",
        "since_year",
        "status",
        "source",
    ]
    field_columns = {"since_year": "since_year", "kind": "kind"}
    other_formats = [EXPORT_FORMAT]

    def __init__(self) -> None:
        super().__init__()
        self.index: MunicipalityIndex | None = None
        self.links: dict[tuple[Place, Place], Link] = {}
        self.new_links: list[Link] = []
        self.new_sources: list[tuple[Link, str, str]] = []
        self.new_events: list[tuple[Link, str, str]] = []
        self._partnership_slugs: set[str] | None = None
        self._regions: dict[tuple[str, str, str], Region | tuple[str, str] | None] = {}
        # Phase 2: the records the file changes, locked, by model and key.
        self._current: dict[type[models.Model], dict[int, models.Model]] = {}

    def describe(self, row: dict[str, str]) -> str:
        russian = row.get("russian_name_cyrillic", "")
        if not has_letters(russian):
            russian = row.get("russian_name_latin", "")
        return f"{row.get('german_name', '')} – {russian}"

    # Phase 1: check and match every row in memory ------------------------------------------

    def import_rows(
        self, rows: list[tuple[int, dict[str, str]]], report: ImportReport, *, progress: bool
    ) -> None:
        self.matcher = Matcher()  # the regions
        self.load(rows)
        index = self.index
        for line, row in tqdm(rows, disable=not progress, desc=self.name, unit="row"):
            index.begin_row()
            self.row_changes, self.row_record_id, self.row_version = [], None, None
            try:
                outcome = self.plan_row(line, row)
            except (RowError, ValidationError, DatabaseError) as error:
                index.undo_row()
                self.reject(line, row, error, report)
            else:
                self.accept(line, row, outcome, index.log, report)
        report.municipalities_created = index.created
        report.municipalities_updated = index.updated
        if report.ok and not report.dry_run:
            self.write(report)

    def load(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        """The registry's municipalities the rows can meet, and their partnerships.

        Each query reads one table, by keys already in memory (in chunks): the plans do not
        depend on the planner's statistics, which lag behind right after a large import.
        """
        self.index = index = MunicipalityIndex(self.matcher.regions())
        index.load(Municipality.objects.filter(self.scope(rows)))
        places = {place.pk: place for place in index.places}
        germans = [place.pk for place in index.places if place.country == Country.GERMANY]
        links: dict[int, Link] = {}
        for (
            pk,
            german_id,
            russian_id,
            kind,
            wording,
            year,
            status,
            version,
            slug,
        ) in in_chunks(
            Partnership.objects.values_list(
                "pk",
                "german_partner_id",
                "russian_partner_id",
                "kind",
                "kind_wording",
                "since_year",
                "status",
                "version",
                "slug",
            ),
            "german_partner_id",
            germans,
        ):
            russian = places.get(russian_id)
            if russian is None:
                continue  # a partner no row can name
            german = places[german_id]
            link = Link(
                pk=pk,
                german=german,
                russian=russian,
                kind=kind,
                kind_wording=wording,
                since_year=year,
                status=status,
                version=version,
                slug=slug,
            )
            links[pk] = self.links[(german, russian)] = link
        sources = grouped(
            PartnershipSource.objects.values_list("partnership_id", "url", "citation"),
            "partnership_id",
            list(links),
        )
        for partnership_id, known in sources.items():
            links[partnership_id].sources = known
        events = defaultdict(list)
        latest: dict[int, tuple] = {}
        for partnership_id, status, source_url, date, recorded_at, pk in in_chunks(
            StatusEvent.objects.values_list(
                "partnership_id", "status", "source_url", "date", "recorded_at", "pk"
            ),
            "partnership_id",
            list(links),
        ):
            events[partnership_id].append((status, source_url))
            if date is not None:  # undated events (what a file adds) come before dated ones
                order = (date, recorded_at, pk)
                if partnership_id not in latest or latest[partnership_id][0] < order:
                    latest[partnership_id] = (order, status)
        for partnership_id, known in events.items():
            links[partnership_id].events = tuple(known)
        for partnership_id, (_order, status) in latest.items():
            links[partnership_id].dated_status = status

    def scope(self, rows: Iterable[tuple[int, dict[str, str]]]) -> models.Q:
        """The municipalities to load: of the regions the rows name, and those without one.

        A row without a region may name a municipality of any region of its country: then
        the whole country is loaded.
        """
        regions: dict[str, set[int] | None] = {Country.GERMANY: set(), Country.RUSSIA: set()}
        for _line, row in rows:
            for column, country in (
                ("german_state", Country.GERMANY),
                ("russian_region", Country.RUSSIA),
            ):
                try:
                    region = self.region(row.get(column, ""), country, column)
                except RowError:
                    continue  # the row fails anyway
                if region is None:
                    regions[country] = None
                elif regions[country] is not None:
                    regions[country].add(region.pk)
        scope = models.Q(pk__in=[])
        for country, region_ids in regions.items():
            if region_ids is None:
                scope |= models.Q(country=country)
            elif region_ids:
                scope |= models.Q(country=country) & (
                    models.Q(region__in=sorted(region_ids)) | models.Q(region__isnull=True)
                )
        return scope

    def region(self, text: str, country: str, column: str) -> Region | None:
        """``Matcher.region``, remembered: a file names the same few regions again and again."""
        key = (text, country, column)
        if key not in self._regions:
            try:
                self._regions[key] = self.matcher.region(text, country, column)
            except RowError as error:
                self._regions[key] = (error.reason, error.column)
        found = self._regions[key]
        if isinstance(found, tuple):
            raise RowError(*found)
        return found

    def plan_row(self, line: int, row: dict[str, str]) -> str:
        """What one row does, in memory: as the row-by-row import did it, rule for rule."""
        index = self.index
        exported = "kind_code" in row
        if not row["german_name"]:
            raise RowError("the German partner's name is missing", column="german_name")
        cyrillic, latin = row["russian_name_cyrillic"], row["russian_name_latin"]
        if not cyrillic and not latin:
            raise RowError(
                "the Russian partner's Cyrillic name is missing", column="russian_name_cyrillic"
            )
        kind, wording = self.kind(row)
        status = None
        if row["status"]:
            status = STATUS_WORDING.get(row["status"].casefold())
            if status is None:
                known = ", ".join(sorted(STATUS_WORDING))
                raise RowError(f"unknown status {row['status']!r} (known: {known})", "status")
        since_year = parse_year(row["since_year"], "since_year", FIRST_YEAR, LAST_YEAR)
        german_region = self.region(row["german_state"], Country.GERMANY, "german_state")
        russian_region = self.region(row["russian_region"], Country.RUSSIA, "russian_region")
        sources = split_sources(row["source"])

        russian = None
        if not has_letters(cyrillic):
            russian = self.russian_by_latin(cyrillic, latin, russian_region)
        german = index.german(line, row["german_name"], german_region)
        if russian is None:
            russian = index.russian(line, cyrillic, latin, russian_region)

        link = self.links.get((german, russian))
        outcome = UNCHANGED
        if link is None:
            link = Link(
                pk=None,
                german=german,
                russian=russian,
                kind=kind,
                kind_wording=wording,
                since_year=since_year,
                needs_verification=only_wikidata_2016(sources),
                # As Partnership.assign_slug.
                slug=f"{german.slug}--{russian.slug}"[:250],
            )
            self.check_new(link)
            link.line = line
            self.links[(german, russian)] = link
            self.new_links.append(link)
            outcome = CREATED
            self.change("kind", "", kind)
            if wording:
                self.change("kind_wording", "", wording)
            if since_year is not None:
                self.change("since_year", "", since_year)
            if link.needs_verification:
                self.change("needs_verification", "", "yes")
        else:
            if link.pk is not None:
                self.row_record_id, self.row_version = link.pk, link.version
            changes = {}
            if exported:
                if link.kind != kind:
                    changes["kind"] = kind
                if wording and link.kind_wording != wording:
                    changes["kind_wording"] = wording
            elif link.kind_wording != wording:
                changes.update(kind=kind, kind_wording=wording)
            if since_year is not None and link.since_year != since_year:
                changes["since_year"] = since_year
            if changes:
                if "kind_wording" in changes:
                    check_kind_wording(changes["kind_wording"])
                for field_name, value in changes.items():
                    old = getattr(link, field_name)
                    if old != value:
                        self.change(field_name, old, value)
                    setattr(link, field_name, value)
                link.changed = link.changed | set(changes)
                if link.line is None:
                    link.line = line
                outcome = UPDATED

        for text in sources:
            fields = source_fields(text)
            url, citation = fields["url"], fields["citation"]
            if (url, citation) in link.sources:
                continue
            if url and not citation and link.has_url(url):
                continue  # the same address (the export writes a source's address only)
            link.sources = (*link.sources, (url, citation))
            self.new_sources.append((link, url, citation))
            self.change("source", "", text)
            outcome = outcome if outcome == CREATED else UPDATED

        if status is not None and status != Status.UNKNOWN:
            if exported and status == link.status:
                return outcome  # the export's status is the partnership's current one
            source_url = next((f["url"] for f in map(source_fields, sources) if f["url"]), "")
            before = link.status
            # The file gives no date: the event stays undated, and the page says so.
            if (str(status), source_url) not in link.events:
                link.events = (*link.events, (str(status), source_url))
                self.new_events.append((link, str(status), source_url))
                # As Partnership.refresh_status: an undated event is the latest one unless
                # a dated one exists.
                link.status = link.dated_status if link.dated_status is not None else str(status)
                if link.status != before:
                    self.change("status", before, link.status)
                else:
                    self.change("status_event", "", f"{status} (undated) {source_url}".strip())
                if outcome != CREATED:
                    outcome = UPDATED
        return outcome

    def check_new(self, link: Link) -> None:
        """What ``full_clean`` could refuse in a new partnership: as it would say it."""
        errors: dict[str, list] = {}
        try:
            check_kind_wording(link.kind_wording)
        except ValidationError as error:
            errors.update(error.error_dict)
        if self._partnership_slugs is None:
            self._partnership_slugs = set(Partnership.objects.values_list("slug", flat=True))
        if link.slug in self._partnership_slugs:
            errors["slug"] = [Partnership().unique_error_message(Partnership, ("slug",))]
        if errors:
            raise ValidationError(errors)
        self._partnership_slugs.add(link.slug)

    def kind(self, row: dict[str, str]) -> tuple[str, str]:
        """The registry's kind and the source's wording of it."""
        wording, code = row["kind"], row.get("kind_code", "")
        if code:
            if code not in PartnershipKind.values:
                known = ", ".join(PartnershipKind.values)
                raise RowError(f"unknown kind {code!r} (known: {known})", column="kind_code")
            return code, wording
        kind = KIND_WORDING.get(wording.casefold())
        if kind is None:
            raise RowError(f"unknown kind {wording!r}", column="kind")
        return kind, wording

    def russian_by_latin(self, cyrillic: str, latin: str, region) -> Place:
        """The Russian partner of a row without a usable Cyrillic name, by its Latin name."""
        found = self.index.find_russian_by_latin(latin, region) if latin else None
        if found is not None:
            return found
        if cyrillic:
            reason = (
                f"{cyrillic!r} is not a Cyrillic name (an encoding without Cyrillic letters "
                "may have replaced them: save the file as 'CSV UTF-8')"
            )
        else:
            reason = "the Russian partner's Cyrillic name is missing"
        if latin:
            reason += f", and {latin!r} is not a Russian partner in the registry"
        raise RowError(reason, column="russian_name_cyrillic")

    # Phase 2: write everything in bulk -------------------------------------------------------

    def write(self, report: ImportReport) -> None:
        """Write what phase 1 planned; refused as a whole if the registry changed meanwhile."""
        if not report.changed_anything:
            return
        try:
            with transaction.atomic():
                self.check_versions(report)
                self.write_municipalities()
                self.write_partnerships()
        except Refused:
            pass
        except DatabaseError as error:
            report.problems.append(
                Problem(1, None, f"rejected by the database, nothing was imported: {error}")
            )

    def check_versions(self, report: ImportReport) -> None:
        """Lock the records the file changes; refuse if one moved past the version read."""
        stale: list[tuple[int, StaleRecordError]] = []
        for model, records in (
            (Municipality, self.index.changed_places()),
            (Partnership, [link for link in self.links.values() if link.pk and link.changed]),
        ):
            current = self._current[model] = locked(model, [record.pk for record in records])
            for record in records:
                instance = current.get(record.pk)
                if instance is None or instance.version != record.version:
                    error = StaleRecordError(
                        f"{model._meta.verbose_name} {record.pk} was changed by someone else "
                        f"since version {record.version}"
                    )
                    stale.append((record.line, error))
        if not stale:
            return
        at = {row.line: row for row in report.rows}
        for line, error in sorted(stale, key=lambda item: item[0]):
            problems = self.problems(line, error)
            report.problems += problems
            row = at[line]
            if row.outcome != REJECTED:
                report.counts[row.outcome] -= 1
                row.outcome, row.changes, row.record_id, row.version = REJECTED, [], None, None
            row.problems += problems
        raise Refused

    def write_municipalities(self) -> None:
        index = self.index
        # The search keys are the place's: as save() computes them from the same names.
        create_in_bulk(
            Municipality,
            [
                "country",
                "kind",
                "region_id",
                "name",
                "name_de",
                "slug",
                "search_key",
                "search_names",
            ],
            index.new,
            lambda place: (
                place.country,
                place.kind,
                place.region_id,
                place.name,
                place.name_de,
                place.slug,
                place.search_key,
                place.search_names,
            ),
        )

        current = self._current[Municipality]
        now = timezone.now()
        updated = []
        for place in index.changed_places():
            municipality = current[place.pk]
            municipality.region_id = place.region_id
            municipality.name_de = place.name_de
            municipality.refresh_search(place.alternative_names())
            municipality.version += 1
            municipality.updated_at = now
            updated.append(municipality)
        for chunk in chunks(updated, BATCH_SIZE):
            bulk_update_with_history(
                chunk,
                Municipality,
                ["region", "name_de", "search_key", "search_names", "version", "updated_at"],
                batch_size=BATCH_SIZE,
                **history_defaults(Municipality),
            )

        additions = [(place, fields) for place in index.places for fields in place.additions]
        create_in_bulk(
            AlternativeName,
            ["municipality_id", *ALTERNATIVE_NAME_FIELDS],
            additions,
            lambda item: (
                item[0].pk,
                *(item[1].get(name, default) for name, default in ALTERNATIVE_NAME_FIELDS.items()),
            ),
        )

    def write_partnerships(self) -> None:
        create_in_bulk(
            Partnership,
            [
                "german_partner_id",
                "russian_partner_id",
                "kind",
                "kind_wording",
                "since_year",
                "needs_verification",
                "status",
                "slug",
            ],
            self.new_links,
            lambda link: (
                link.german.pk,
                link.russian.pk,
                link.kind,
                link.kind_wording,
                link.since_year,
                link.needs_verification,
                link.status,
                link.slug,
            ),
        )

        current = self._current[Partnership]
        now = timezone.now()
        updated, fields = [], set()
        new_status: dict[str, list[int]] = defaultdict(list)
        for link in self.links.values():
            if link.pk in current and link.changed:
                partnership = current[link.pk]
                for field_name in link.changed:
                    setattr(partnership, field_name, getattr(link, field_name))
                partnership.version += 1
                partnership.updated_at = now
                updated.append(partnership)
                fields |= link.changed
            if not link.new and link.status != link.loaded_status:
                new_status[link.status].append(link.pk)
        for chunk in chunks(updated, BATCH_SIZE):
            bulk_update_with_history(
                chunk,
                Partnership,
                [*sorted(fields), "version", "updated_at"],
                batch_size=BATCH_SIZE,
                **history_defaults(Partnership),
            )
        # As Partnership.refresh_status: the status follows the events, without a version.
        for status, pks in new_status.items():
            for chunk in chunks(pks, LOCK_CHUNK):
                Partnership.objects.filter(pk__in=chunk).update(status=status)

        create_in_bulk(
            PartnershipSource,
            ["partnership_id", "url", "citation"],
            self.new_sources,
            lambda item: (item[0].pk, item[1], item[2]),
        )
        create_in_bulk(
            StatusEvent,
            ["partnership_id", "status", "source_url"],
            self.new_events,
            lambda item: (item[0].pk, item[1], item[2]),
        )


def create_in_bulk(model: type[models.Model], fields: list[str], items: list, values) -> None:
    """Create a record (with its history) of ``values(item)``, the ``fields``, per item.

    Written with COPY (``copying.copy_with_history``); an item with a ``pk`` slot (a
    ``Place`` or ``Link``) learns its record's key.
    """
    if not items:
        return
    pks = copy_with_history(
        model, fields, [values(item) for item in items], **history_defaults(model)
    )
    if hasattr(items[0], "pk"):
        for item, pk in zip(items, pks, strict=True):
            item.pk = pk


def check_kind_wording(wording: str) -> None:
    """The field's own validation (its length), with the error keyed as full_clean keys it."""
    if len(wording) > KIND_WORDING_FIELD.max_length:
        try:
            KIND_WORDING_FIELD.clean(wording, None)
        except ValidationError as error:
            raise ValidationError({"kind_wording": error.error_list}) from None


def locked(model: type[models.Model], pks: list[int]) -> dict[int, models.Model]:
    """The records with these keys, locked until the transaction ends (in key order)."""
    records = {}
    for chunk in chunks(sorted(pks), LOCK_CHUNK):
        records.update(
            (record.pk, record)
            for record in model._base_manager.select_for_update()
            .filter(AnyOf(models.F("pk"), chunk))
            .order_by("pk")
        )
    return records
