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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
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
from partnerships.importing.bulk import indexes_built_after, with_history
from partnerships.importing.copying import copy_with_history
from partnerships.importing.errors import Collector, RowError, RowErrors
from partnerships.importing.files import differs_only_by_lost_characters as lost
from partnerships.importing.files import has_cyrillic
from partnerships.importing.index import MunicipalityIndex, Place
from partnerships.importing.matching import Matcher
from partnerships.importing.overlap import Meanwhile
from partnerships.models import (
    AlternativeName,
    Claim,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    StatusEvent,
)
from partnerships.models.base import StaleRecordError
from partnerships.models.claims import (
    Said,
    Statement,
    conflicts,
    derived_status,
    derived_values,
)
from partnerships.models.partnerships import FIRST_YEAR, LAST_YEAR
from partnerships.sql import AnyOf, chunks, grouped, in_chunks
from partnerships.vocabulary import (
    WIKIDATA_2016_MARKER,
    Country,
    PartnershipKind,
    Status,
    kind_of,
    status_of,
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
    notice=gettext_noop("The file is the registry's own partnership export."),
)


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


class Link:
    """A partnership as an import sees it: loaded from the registry, or new in this run."""

    __slots__ = (
        "changed",
        "claims",
        "conflicts",
        "decided",
        "events",
        "german",
        "kind",
        "kind_wording",
        "line",
        "loaded",
        "needs_verification",
        "new",
        "pk",
        "russian",
        "since_year",
        "slug",
        "sources",
        "statements",
        "status",
        "status_since",
        "status_since_precision",
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
        self.status = fields.get("status", Status.UNKNOWN)
        self.status_since = fields.get("status_since")
        self.status_since_precision = fields.get("status_since_precision", "")
        self.conflicts = fields.get("conflicts", [])
        self.decided = frozenset(fields.get("decided", ()))
        self.version = fields.get("version", 1)
        self.slug = fields.get("slug", "")
        # Immutable (and empty ones shared): cheap to hold for many partnerships.
        self.sources: tuple[tuple[str, str], ...] = ()  # (url, citation)
        self.events: tuple[tuple[str, str], ...] = ()  # (status, source_url)
        self.statements: tuple[Statement, ...] = ()  # every status event, as the rule sees it
        self.claims: tuple[Said, ...] = ()  # the claims of sources the registry holds
        # What the rule derives, as loaded: a change of it is written without a new version.
        self.loaded = self.derived()
        self.changed: frozenset[str] = frozenset()
        self.line: int | None = None  # the first line that created or changed it

    def derived(self) -> tuple:
        return (self.status, self.status_since, self.status_since_precision, self.conflicts)

    def has_url(self, url: str) -> bool:
        return any(known == url for known, _citation in self.sources)


@dataclass(slots=True)
class RowPlan:
    """One row, checked and matched: the partnership it names and what its source claims."""

    line: int
    row: dict[str, str]
    german: Place
    russian: Place
    said: tuple[Said, ...]  # one claim per source it names; none for the registry's export
    sources: list[str]
    status: str | None
    log: list
    exported: bool = False


# What a ``confirm_new`` cell says to confirm that a partner new to the registry is new.
CONFIRMING = {"yes", "y", "ja", "j", "x", "1", "true", "да", "new", "neu"}
BATCH_SIZE = 2000
LOCK_CHUNK = 5000
KIND_WORDING_FIELD = Partnership._meta.get_field("kind_wording")
# The fields of an alternative name an import gives (historic names all, variants some).
ALTERNATIVE_NAME_FIELDS = {
    name: AlternativeName._meta.get_field(name).get_default()
    for name in ["name", "kind", "language", "until_year", "note"]
}


def table_groups() -> tuple[list[type[models.Model]], list[type[models.Model]]]:
    """The tables an import writes, in its two groups (the municipalities, then the
    partnerships with everything hanging off them), each with its history tables; a
    group's indexes are set aside together on a first load (``bulk.indexes_built_after``).
    The benchmark writes the same groups to measure the writes alone (bench/django_tasks.py).
    """
    return (
        with_history(Municipality),
        with_history(Partnership, PartnershipSource, StatusEvent, Claim),
    )


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
        self.new_claims: list[tuple[Link, Said]] = []
        self.retired_claims: list[tuple[Link, Said]] = []
        # Names of new municipalities an editor confirmed as new (the admin preview).
        self.confirmed_names: set[str] = set()
        self._partnership_slugs: set[str] | None = None
        self._regions: dict[tuple[str, str, str], Region | tuple[str, str] | None] = {}
        # Phase 2: the records the file changes, locked, by model and key.
        self._current: dict[type[models.Model], dict[int, models.Model]] = {}
        # Records found stale, (line, model, key, version), and whether the municipalities
        # were written while the rows were merged (``writing_municipalities_meanwhile``).
        self._stale: list[tuple] = []
        self._municipalities_written = False

    def describe(self, row: dict[str, str]) -> str:
        russian = row.get("russian_name_cyrillic", "")
        if not has_letters(russian):
            russian = row.get("russian_name_latin", "")
        return f"{row.get('german_name', '')} – {russian}"

    # Phase 1: check and match every row in memory ------------------------------------------

    def import_rows(
        self, rows: list[tuple[int, dict[str, str]]], report: ImportReport, *, progress: bool
    ) -> None:
        """Check and match every row, then merge the rows of each partnership in one pass.

        A row is a claim by its source: the rows naming the same partnership (after
        matching the spellings) are merged whatever their order, so that the same file in
        any order gives the same registry, and a second run changes nothing.
        """
        self.matcher = Matcher()  # the regions
        self.load(rows)
        index = self.index
        groups: dict[tuple[Place, Place], list[RowPlan]] = defaultdict(list)
        for line, row in tqdm(rows, disable=not progress, desc=self.name, unit="row"):
            index.begin_row()
            try:
                plan = self.parse_row(line, row)
            except (RowError, RowErrors, ValidationError, DatabaseError) as error:
                index.undo_row()
                self.reject(line, row, error, report)
            else:
                groups[(plan.german, plan.russian)].append(plan)
        for plans in groups.values():
            plans.sort(key=lambda plan: plan.line)
        with self.writing_municipalities_meanwhile(report):
            for plans in sorted(groups.values(), key=lambda plans: plans[0].line):
                self.merge(plans, report)
            self.finish_report(groups, report)
        if report.ok and not report.dry_run:
            self.write(report)

    def finish_report(
        self, groups: dict[tuple[Place, Place], list[RowPlan]], report: ImportReport
    ) -> None:
        index = self.index
        report.rows.sort(key=lambda result: result.line)
        report.problems.sort(key=lambda problem: problem.line)
        if sum(len(plans) for plans in groups.values()) > len(groups):
            # "rows: 5" rather than "5 rows": no plural forms for two numbers in one sentence.
            report.notices.append(
                gettext(
                    "Several rows name the same partnership (rows: %(rows)s, partnerships: "
                    "%(partnerships)s): the rows of each partnership were merged as claims of "
                    "their sources."
                )
                % {"rows": sum(len(p) for p in groups.values()), "partnerships": len(groups)}
            )
        report.municipalities_created = index.created
        report.municipalities_updated = index.updated
        report.unconfirmed_new = dict(sorted(index.unconfirmed.items()))

    def load(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        """The registry's municipalities the rows can meet, and their partnerships.

        Each query reads one table, by keys already in memory (in chunks): the plans do not
        depend on the planner's statistics, which lag behind right after a large import.
        """
        self.index = index = MunicipalityIndex(self.matcher.regions())
        index.confirmed_names = self.confirmed_names
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
            since,
            precision,
            found_conflicts,
            decided,
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
                "status_since",
                "status_since_precision",
                "conflicts",
                "decided_fields",
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
                status_since=since,
                status_since_precision=precision,
                conflicts=found_conflicts,
                decided=decided,
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
        statements = defaultdict(list)
        for partnership_id, status, source_url, date, precision, by_editor in in_chunks(
            StatusEvent.objects.values_list(
                "partnership_id", "status", "source_url", "date", "date_precision", "by_editor"
            ),
            "partnership_id",
            list(links),
        ):
            events[partnership_id].append((status, source_url))
            statements[partnership_id].append(
                Statement(date, precision, status, by_editor, source_url)
            )
        for partnership_id, known in events.items():
            links[partnership_id].events = tuple(known)
            links[partnership_id].statements = tuple(statements[partnership_id])
        claims = grouped(
            Claim.objects.values_list(
                "partnership_id", "source", "kind", "kind_wording", "since_year", "status"
            ),
            "partnership_id",
            list(links),
        )
        for partnership_id, known in claims.items():
            links[partnership_id].claims = tuple(Said(*claim) for claim in known)

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

    def parse_row(self, line: int, row: dict[str, str]) -> RowPlan:
        """Check one row (every problem of it at once) and find or plan its two partners."""
        index = self.index
        exported = "kind_code" in row
        errors = Collector()
        if not row["german_name"]:
            errors.errors.append(
                RowError(gettext("the German partner's name is missing"), column="german_name")
            )
        cyrillic, latin = row["russian_name_cyrillic"], row["russian_name_latin"]
        if not cyrillic and not latin:
            errors.errors.append(
                RowError(
                    gettext("the Russian partner's Cyrillic name is missing"),
                    column="russian_name_cyrillic",
                )
            )
        elif cyrillic and not has_cyrillic(cyrillic):
            errors.errors.append(
                RowError(
                    gettext(
                        "'%(name)s' holds no Cyrillic letters: the file was probably saved in a "
                        "code page without them, which replaced them by '?'. Save it as "
                        "'CSV UTF-8' and import it again"
                    )
                    % {"name": cyrillic},
                    column="russian_name_cyrillic",
                )
            )
        kind, wording = errors.check(self.kind, row, default=("", ""))
        status = errors.check(self.status, row)
        since_year = errors.check(
            parse_year, row["since_year"], "since_year", FIRST_YEAR, LAST_YEAR
        )
        german_region = errors.check(
            self.region, row["german_state"], Country.GERMANY, "german_state"
        )
        russian_region = errors.check(
            self.region, row["russian_region"], Country.RUSSIA, "russian_region"
        )
        errors.raise_if_any()
        sources = split_sources(row["source"])
        confirmed = self.confirms_new(row)

        russian = None
        if not cyrillic:
            russian = errors.check(self.russian_by_latin, cyrillic, latin, russian_region)
        german = errors.check(
            index.german, line, row["german_name"], german_region, confirmed, default=None
        )
        if russian is None and cyrillic:
            russian = errors.check(
                index.russian, line, cyrillic, latin, russian_region, confirmed, default=None
            )
        errors.raise_if_any()
        said = ()
        if not exported:
            said = tuple(
                Said(source, kind, wording, since_year, status or "", origin=line)
                for source in sources or [""]
            )
        return RowPlan(
            line=line,
            row=row,
            german=german,
            russian=russian,
            said=said,
            sources=sources,
            status=status,
            log=index.log,
            exported=exported,
        )

    def confirms_new(self, row: dict[str, str]) -> bool:
        """Whether the row confirms that a partner new to the registry is really new."""
        return row.get("confirm_new", "").strip().casefold() in CONFIRMING

    def status(self, row: dict[str, str]) -> str | None:
        if not row["status"]:
            return None
        status = status_of(row["status"])
        if status is None:
            raise RowError(
                gettext("unknown status '%(status)s'") % {"status": row["status"]}, "status"
            )
        return None if status == Status.UNKNOWN else str(status)

    def merge(self, plans: list[RowPlan], report: ImportReport) -> None:
        """The rows of one partnership, merged: claims, sources, statements, then the rule."""
        first = plans[0]
        key = (first.german, first.russian)
        link = self.links.get(key)
        outcomes: dict[int, str] = {}
        changes: dict[int, list] = defaultdict(list)
        all_sources = [text for plan in plans for text in plan.sources]
        if link is None:
            link = Link(
                pk=None,
                german=first.german,
                russian=first.russian,
                needs_verification=only_wikidata_2016(all_sources),
                slug=Partnership.slug_of(first.german.slug, first.russian.slug),
            )
            link.line = first.line
            outcomes = {plan.line: CREATED for plan in plans}
            if link.needs_verification:
                changes[first.line].append(("needs_verification", "", "yes"))
        else:
            outcomes = {plan.line: UNCHANGED for plan in plans}
        if link.pk is not None:
            self.row_record_id, self.row_version = link.pk, link.version

        # Claims, sources and undated statements the rows add. A source's claims in the
        # file replace what the registry held from that source (it may have been corrected).
        said = {claim for plan in plans for claim in plan.said}
        speaking = {claim.source for claim in said}
        retired = [c for c in link.claims if c.source in speaking and c not in said]
        if retired:
            link.claims = tuple(c for c in link.claims if c not in retired)
            self.retired_claims += [(link, claim) for claim in retired]
        known_claims = set(link.claims)
        for plan in plans:
            for claim in plan.said:
                if claim in known_claims:
                    continue
                known_claims.add(claim)
                link.claims = (*link.claims, claim)
                self.new_claims.append((link, claim))
                old = [c for c in retired if c.source == claim.source]
                self.add_change(
                    outcomes, changes, plan.line, "claim", claim, old[0] if old else None
                )
            for text in plan.sources:
                fields = source_fields(text)
                url, citation = fields["url"], fields["citation"]
                if (url, citation) in link.sources:
                    continue
                mangled = [
                    known
                    for known in (f"{u} {c}".strip() for u, c in link.sources)
                    if lost(known, text)
                ]
                if mangled:
                    self.flag_lost(report, plan.line, "source", mangled[0], text)
                    continue
                if url and not citation and link.has_url(url):
                    continue  # the same address (the export writes a source's address only)
                link.sources = (*link.sources, (url, citation))
                self.new_sources.append((link, url, citation))
                self.add_change(outcomes, changes, plan.line, "source", text)
            if plan.status is not None:
                if plan.exported and plan.status == link.status:
                    continue  # the export's status is the partnership's current one
                source_url = next(
                    (f["url"] for f in map(source_fields, plan.sources) if f["url"]), ""
                )
                if (plan.status, source_url) not in link.events:
                    link.events = (*link.events, (plan.status, source_url))
                    link.statements = (
                        *link.statements,
                        Statement(None, "", plan.status, False, source_url),
                    )
                    self.new_events.append((link, plan.status, source_url))
                    self.add_change(
                        outcomes,
                        changes,
                        plan.line,
                        "status_event",
                        f"{plan.status} (undated) {source_url}".strip(),
                    )

        if not link.new and not changes and not any(plan.exported for plan in plans):
            # Nothing the registry does not hold already: its values follow from the same.
            self.report_conflicts(plans, link, report)
            for plan in plans:
                self.row_changes = []
                self.row_record_id, self.row_version = link.pk, link.version
                self.accept(plan.line, plan.row, UNCHANGED, plan.log, report)
            return

        # The partnership's values, by the rule (an editor's decision stays).
        values = derived_values(link.claims, link.statements)
        for plan in plans:
            if plan.exported:  # the registry's own values, as its export wrote them
                kind, wording, year = (
                    plan.row["kind_code"],
                    plan.row["kind"],
                    plan.row["since_year"],
                )
                values.update(kind=kind, **({"kind_wording": wording} if wording else {}))
                if year:
                    values["since_year"] = int(year)
                break
        field_changes = {}
        for field_name, value in values.items():
            if field_name in link.decided or getattr(link, field_name) == value:
                continue
            old = getattr(link, field_name)
            if isinstance(old, str) and isinstance(value, str) and lost(old, value):
                self.flag_lost(report, first.line, field_name, old, value)
                continue
            field_changes[field_name] = value
        target = (
            first.line
            if link.new
            else min(
                (line for line, outcome in outcomes.items() if outcome != UNCHANGED),
                default=first.line,
            )
        )
        for field_name, value in field_changes.items():
            changes[target].append((field_name, getattr(link, field_name), value))
            setattr(link, field_name, value)
        if field_changes and not link.new:
            link.changed = link.changed | set(field_changes)
            outcomes[target] = UPDATED
        status, since, precision = derived_status(link.statements)
        if status != link.status:
            changes[target].append(("status", link.status, status))
            if not link.new:
                outcomes[target] = UPDATED
        link.status, link.status_since, link.status_since_precision = status, since, precision
        decided = {name: getattr(link, name) for name in link.decided}
        link.conflicts = conflicts(link.claims, link.statements, decided)
        if link.new:
            self.check_new(link)
            self.links[key] = link
            self.new_links.append(link)
        elif link.line is None and any(o != UNCHANGED for o in outcomes.values()):
            link.line = target
        self.report_conflicts(plans, link, report)

        for plan in plans:
            self.row_changes = [self.make_change(*change) for change in changes[plan.line]]
            self.row_record_id = link.pk
            self.row_version = link.version if link.pk is not None else None
            self.accept(plan.line, plan.row, outcomes[plan.line], plan.log, report)

    def flag_lost(self, report: ImportReport, line: int, column: str, old: str, new: str):
        """A value that differs from the registry only by "?" for letters: flagged, not taken."""
        report.problems.append(
            Problem(
                line,
                self.file_format.file_column(column),
                gettext(
                    "'%(new)s' differs from the registry's '%(old)s' only by '?' in place of "
                    "characters: the file lost them to its code page. Save it as 'CSV UTF-8' "
                    "and import it again"
                )
                % {"new": new, "old": old},
            )
        )

    def add_change(self, outcomes, changes, line: int, field_name: str, value, old=None) -> None:
        if outcomes[line] == UNCHANGED:
            outcomes[line] = UPDATED
        if field_name == "claim":
            value, old = claim_text(value), claim_text(old)
        change = (field_name, old or "", value)
        if change not in changes[line]:  # the same claim of several sources: once
            changes[line].append(change)

    def make_change(self, field_name, old, new):
        self.row_changes = []
        self.change(field_name, old, new)
        return self.row_changes[0]

    def report_conflicts(self, plans: list[RowPlan], link: Link, report: ImportReport) -> None:
        """Where the file's rows (or a row and the registry) disagree: both lines, both values."""
        said = [(plan, claim) for plan in plans for claim in plan.said]
        if len(said) < 2 and not link.claims:
            return
        label = f"{link.german.name} – {link.russian.name}"
        for field_name in ("kind", "since_year", "status"):
            seen: dict[str, int | str] = {}
            for plan, claim in said:
                value = getattr(claim, field_name)
                if value in ("", None):
                    continue
                seen.setdefault(str(value), plan.line)
            for claim in link.claims:
                value = getattr(claim, field_name)
                if value not in ("", None) and str(value) not in seen:
                    seen[str(value)] = claim.source or gettext("no source")
            if len(seen) > 1:
                where = ", ".join(
                    gettext("line %(line)s says %(value)s") % {"line": at, "value": value}
                    if isinstance(at, int)
                    else gettext("the registry (%(source)s) says %(value)s")
                    % {"source": at, "value": value}
                    for value, at in seen.items()
                )
                report.conflicts.append(f"{label}: {field_name}: {where}")

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
        """The registry's kind and the source's wording of it (by its main term)."""
        wording, code = row["kind"], row.get("kind_code", "")
        if code:
            if code not in PartnershipKind.values:
                known = ", ".join(PartnershipKind.values)
                raise RowError(
                    gettext("unknown kind '%(kind)s' (known: %(known)s)")
                    % {"kind": code, "known": known},
                    column="kind_code",
                )
            return code, wording
        kind = kind_of(wording)
        if kind is None:
            raise RowError(gettext("unknown kind '%(kind)s'") % {"kind": wording}, column="kind")
        return str(kind), wording

    def russian_by_latin(self, cyrillic: str, latin: str, region) -> Place:
        """The Russian partner of a row without a usable Cyrillic name, by its Latin name."""
        found = self.index.find_russian_by_latin(latin, region) if latin else None
        if found is not None:
            return found
        if cyrillic:
            reason = gettext(
                "'%(name)s' is not a Cyrillic name (an encoding without Cyrillic letters may "
                "have replaced them: save the file as 'CSV UTF-8')"
            ) % {"name": cyrillic}
        else:
            reason = gettext("the Russian partner's Cyrillic name is missing")
        if latin:
            reason = gettext(
                "%(reason)s, and '%(latin)s' is not a Russian partner in the registry"
            ) % {"reason": reason, "latin": latin}
        raise RowError(reason, column="russian_name_cyrillic")

    # Phase 2: write everything in bulk -------------------------------------------------------

    @contextmanager
    def writing_municipalities_meanwhile(self, report: ImportReport) -> Iterator[None]:
        """Within this block, the municipalities are written while Python merges (issue 14).

        Once every row is matched, the municipalities the file creates and changes are
        settled (merging the partnerships changes none of them): a thread locks and writes
        them (``overlap.Meanwhile``, on the import's connection and in its transaction)
        while this one merges the rows, which needs no database. Only when every row was
        accepted so far and the run is not a dry run: otherwise nothing is written, as
        before. Whatever the block or the thread finds (a record changed meanwhile, a
        refusal of the database) is reported as ``write`` reports it, and nothing is
        imported (the import's transaction is rolled back when the report is not ok).
        """
        index = self.index
        overlap = (
            report.ok
            and not report.dry_run
            and connection.vendor == "postgresql"
            and (index.new or any(place.additions or place.changed for place in index.places))
        )
        if not overlap:
            yield
            return
        if self._partnership_slugs is None:  # merging reads them: before the thread starts
            self._partnership_slugs = set(Partnership.objects.values_list("slug", flat=True))
        with self.refusals(report), transaction.atomic():
            meanwhile = Meanwhile(self.lock_and_write_municipalities)
            try:
                yield
            finally:
                meanwhile.join()

    def lock_and_write_municipalities(self) -> None:
        """Lock the municipalities the file changes; write them all unless one is stale."""
        changed = self.index.changed_places()
        self._stale += stale_records(Municipality, self._lock(Municipality, changed), changed)
        if not self._stale:
            self.write_municipalities()
            self._municipalities_written = True

    @contextmanager
    def refusals(self, report: ImportReport) -> Iterator[None]:
        """A record changed meanwhile or a refusal of the database, in the report."""
        try:
            yield
        except Refused:
            pass
        except DatabaseError as error:
            report.problems.append(
                Problem(
                    1,
                    None,
                    gettext("rejected by the database, nothing was imported: %(error)s")
                    % {"error": error},
                )
            )

    def write(self, report: ImportReport) -> None:
        """Write what phase 1 planned; refused as a whole if the registry changed meanwhile."""
        if not report.changed_anything:
            return
        with self.refusals(report), transaction.atomic():
            self.check_versions(report)
            if not self._municipalities_written:
                self.write_municipalities()
            self.write_partnerships()

    def _lock(self, model: type[models.Model], records: list) -> dict[int, models.Model]:
        self._current[model] = locked(model, [record.pk for record in records])
        return self._current[model]

    def check_versions(self, report: ImportReport) -> None:
        """Lock the records the file changes; refuse if one moved past the version read.

        The municipalities may have been locked and compared already, while the rows were
        merged (``writing_municipalities_meanwhile``).
        """
        stale = list(self._stale)
        if Municipality not in self._current:
            changed = self.index.changed_places()
            stale += stale_records(Municipality, self._lock(Municipality, changed), changed)
        changed = [link for link in self.links.values() if link.pk and link.changed]
        stale += stale_records(Partnership, self._lock(Partnership, changed), changed)
        if not stale:
            return
        at = {row.line: row for row in report.rows}
        for line, model, pk, version in sorted(stale, key=lambda item: item[0]):
            error = StaleRecordError(
                gettext("%(record)s %(pk)s was changed by someone else since version %(version)s")
                % {"record": model._meta.verbose_name, "pk": pk, "version": version}
            )
            problems = self.problems(line, error)
            report.problems += problems
            row = at[line]
            if row.outcome != REJECTED:
                report.counts[row.outcome] -= 1
                row.outcome, row.changes, row.record_id, row.version = REJECTED, [], None, None
            row.problems += problems
        raise Refused

    def write_municipalities(self) -> None:
        municipalities, _partnerships = table_groups()
        with indexes_built_after(municipalities, len(self.index.new)):
            self._write_municipalities()

    def _write_municipalities(self) -> None:
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
        # First, while the claims' index on the partnership is there (one query each).
        for link, claim in self.retired_claims:
            Claim.objects.filter(
                partnership_id=link.pk,
                source=claim.source,
                kind=claim.kind,
                kind_wording=claim.kind_wording,
                since_year=claim.since_year,
                status=claim.status,
            ).delete()
        _municipalities, partnerships = table_groups()
        with indexes_built_after(partnerships, len(self.new_links)):
            self._write_partnerships()

    def _write_partnerships(self) -> None:
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
                "status_since",
                "status_since_precision",
                "conflicts",
                "conflicts_reviewed",
                "decided_fields",
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
                link.status_since,
                link.status_since_precision,
                link.conflicts,
                [],
                [],
            ),
        )

        current = self._current[Partnership]
        now = timezone.now()
        updated, fields = [], set()
        derived = []
        for link in self.links.values():
            if link.pk in current and link.changed:
                partnership = current[link.pk]
                for field_name in link.changed:
                    setattr(partnership, field_name, getattr(link, field_name))
                partnership.version += 1
                partnership.updated_at = now
                updated.append(partnership)
                fields |= link.changed
            if not link.new and link.derived() != link.loaded:
                derived.append(
                    Partnership(
                        pk=link.pk,
                        status=link.status,
                        status_since=link.status_since,
                        status_since_precision=link.status_since_precision,
                        conflicts=link.conflicts,
                    )
                )
        for chunk in chunks(updated, BATCH_SIZE):
            bulk_update_with_history(
                chunk,
                Partnership,
                [*sorted(fields), "version", "updated_at"],
                batch_size=BATCH_SIZE,
                **history_defaults(Partnership),
            )
        # As Partnership.refresh_status: what the rule derives, written without a version.
        Partnership.objects.bulk_update(
            derived,
            ["status", "status_since", "status_since_precision", "conflicts"],
            batch_size=BATCH_SIZE,
        )

        create_in_bulk(
            PartnershipSource,
            ["partnership_id", "url", "citation"],
            self.new_sources,
            lambda item: (item[0].pk, item[1], item[2]),
        )
        create_in_bulk(
            StatusEvent,
            ["partnership_id", "status", "source_url", "by_editor"],
            self.new_events,
            lambda item: (item[0].pk, item[1], item[2], False),
        )
        create_in_bulk(
            Claim,
            ["partnership_id", "source", "kind", "kind_wording", "since_year", "status"],
            self.new_claims,
            lambda item: (
                item[0].pk,
                item[1].source,
                item[1].kind,
                item[1].kind_wording,
                item[1].since_year,
                item[1].status,
            ),
        )


def claim_text(claim: Said | None) -> str:
    """A claim as the report shows it: "Partnerschaft, 1989, suspended"."""
    if claim is None:
        return ""
    parts = [claim.kind_wording or claim.kind, claim.since_year, claim.status]
    return ", ".join(str(part) for part in parts if part)


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


def stale_records(model, current: dict[int, models.Model], records: list) -> list[tuple]:
    """(line, model, key, version read) of each record that moved past the version read."""
    return [
        (record.line, model, record.pk, record.version)
        for record in records
        if (instance := current.get(record.pk)) is None or instance.version != record.version
    ]


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
