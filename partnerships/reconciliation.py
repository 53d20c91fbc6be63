"""Reconciliation with Wikidata: where the registry and Wikidata's P190 statements differ.

Wikidata's property P190 ("twinned administrative body") links two items, with a start time
(qualifier P580), an end time (P582) and references (P854, reference URL). The editors run
the query below at the Wikidata Query Service and hand over its result in the SPARQL JSON
results format (the service's "JSON file (verbose)" download, or ``Accept:
application/sparql-results+json``); nothing here goes online, and nothing is written.

    SELECT DISTINCT ?de ?deLabel ?ru ?ruLabel ?start ?end ?ref WHERE {
      { ?de p:P190 ?statement . ?statement ps:P190 ?ru . }
      UNION
      { ?ru p:P190 ?statement . ?statement ps:P190 ?de . }
      ?de wdt:P17 wd:Q183 ; wdt:P31/wdt:P279* wd:Q56061 .
      ?ru wdt:P17 wd:Q159 ; wdt:P31/wdt:P279* wd:Q56061 .
      FILTER NOT EXISTS { ?statement wikibase:rank wikibase:DeprecatedRank . }
      OPTIONAL { ?statement pq:P580 ?start . }
      OPTIONAL { ?statement pq:P582 ?end . }
      OPTIONAL { ?statement prov:wasDerivedFrom/pr:P854 ?ref . }
      OPTIONAL { ?de rdfs:label ?deLabel . FILTER(LANG(?deLabel) = "de") }
      OPTIONAL { ?ru rdfs:label ?ruLabel . FILTER(LANG(?ruLabel) = "ru") }
    }
    ORDER BY ?deLabel ?ruLabel

The query collects P190 in either direction (a partnership is often stated on both items,
each statement with its own qualifiers) and gives one result row per statement and
reference, so a pair comes in several rows: ``parse_results`` merges them into one
``WikidataPair`` per pair of items, whichever item holds the statement, and also when a file
names the Russian item as ``?de`` (the registry's countries decide which side is which).

``reconcile`` matches the pairs to the registry by the Wikidata IDs of both partners and
reports five kinds of difference (``Kind``). The registry side is every partnership, drafts
included, each marked as such: a draft that matches a Wikidata pair is not "missing" from
the registry (reporting it would invite a duplicate), and a draft Wikidata lacks is still
worth an editor's look. Partnerships with a partner that has no Wikidata ID cannot be
compared; the report lists those partners instead.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Municipality, Partnership
from partnerships.vocabulary import Country, Status

SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "wikidata" / "p190-de-ru-sample.json"
ENTITY_PREFIXES = ("http://www.wikidata.org/entity/", "https://www.wikidata.org/entity/")
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/{qid}"
QID = re.compile(r"^Q[1-9][0-9]{0,11}$")
# xsd:dateTime as the query service writes it: "1990-01-01T00:00:00Z", "+1990-…", "-0500-…".
DATE_TIME = re.compile(r"^([+-]?)([0-9]{1,12})-([0-9]{2})-([0-9]{2})(T|$)")
MAX_RESULT_ROWS = 200_000
MAX_LABEL = 200
MAX_REFERENCE = 2000
MAX_ERRORS = 5


class ResultFileError(ValueError):
    """The file is not a usable SPARQL JSON result of the documented query."""

    def __init__(self, message) -> None:
        super().__init__(str(message))  # in the language active now, not when printed


class Kind(StrEnum):
    """The kinds of difference, in the order the report shows them."""

    ONLY_IN_WIKIDATA = "only_in_wikidata"
    ONLY_IN_REGISTRY = "only_in_registry"
    YEAR = "year_mismatch"
    END = "end_vs_status"
    NO_WIKIDATA_ID = "no_wikidata_id"

    @property
    def title(self) -> str:
        return str(KIND_TITLES[self])

    @property
    def explanation(self) -> str:
        return str(KIND_EXPLANATIONS[self])


KIND_TITLES = {
    Kind.ONLY_IN_WIKIDATA: _("Pairs only in Wikidata"),
    Kind.ONLY_IN_REGISTRY: _("Pairs only in the registry"),
    Kind.YEAR: _("Start year differs"),
    Kind.END: _("End time against the registry's status"),
    Kind.NO_WIKIDATA_ID: _("Partners without a Wikidata ID"),
}
KIND_EXPLANATIONS = {
    Kind.ONLY_IN_WIKIDATA: _(
        "Wikidata links the two items with P190; the registry has no partnership between "
        "municipalities with these IDs."
    ),
    Kind.ONLY_IN_REGISTRY: _(
        "Both partners have a Wikidata ID, but the file has no P190 statement linking them."
    ),
    Kind.YEAR: _(
        "The start time (P580) of a statement differs from the year of establishment in the "
        "registry, or the registry has no year."
    ),
    Kind.END: _(
        "Wikidata gives an end time (P582) while the registry does not call the partnership "
        "ended, or the registry calls it ended while Wikidata gives no end time."
    ),
    Kind.NO_WIKIDATA_ID: _(
        "Their partnerships cannot be compared with Wikidata until an editor adds the ID."
    ),
}


# The file ---------------------------------------------------------------------------------


@dataclass
class WikidataPair:
    """One German–Russian pair of items, merged from all result rows that name it."""

    german: str
    russian: str
    german_label: str = ""
    russian_label: str = ""
    start_years: set[int] = field(default_factory=set)
    end_dates: set[str] = field(default_factory=set)  # ISO dates; "" for an unknown value
    references: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def key(self) -> frozenset[str]:
        return frozenset((self.german, self.russian))

    def swapped(self) -> None:
        self.german, self.russian = self.russian, self.german
        self.german_label, self.russian_label = self.russian_label, self.german_label

    @property
    def end_display(self) -> str:
        return ", ".join(sorted(date or "?" for date in self.end_dates))

    @property
    def start_display(self) -> str:
        return ", ".join(str(year) for year in sorted(self.start_years))


@dataclass
class ParsedFile:
    pairs: list[WikidataPair]
    rows: int


def qid_of(value: object) -> str | None:
    """The Q-ID of an entity address (or of a bare Q-ID), None for anything else."""
    if not isinstance(value, str):
        return None
    for prefix in ENTITY_PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    return value if QID.match(value) else None


def _term(binding: dict, name: str) -> dict | None:
    term = binding.get(name)
    return term if isinstance(term, dict) and isinstance(term.get("value"), str) else None


def _literal(binding: dict, name: str, limit: int = MAX_LABEL) -> str:
    term = _term(binding, name)
    if term is None or term.get("type") not in ("literal", "typed-literal"):
        return ""
    return " ".join(term["value"].split())[:limit]


def _date(binding: dict, name: str, row: int) -> tuple[int, str] | None:
    """(year, ISO date) of a time qualifier; (0, "") for Wikidata's "unknown value"."""
    term = _term(binding, name)
    if term is None:
        return None
    if term.get("type") in ("bnode", "uri"):  # "somevalue": a time nobody knows
        return 0, ""
    match = DATE_TIME.match(term["value"].strip())
    if not match:
        raise ResultFileError(
            _("Result %(row)s: ?%(name)s is not a date and time: %(value)s.")
            % {"row": row, "name": name, "value": term["value"][:40]}
        )
    sign, year, month, day = match.group(1, 2, 3, 4)
    number = int(year) * (-1 if sign == "-" else 1)
    return number, f"{number:04d}-{month}-{day}"


def _reference(binding: dict) -> str:
    """A reference URL worth linking to: http(s) only, never ``javascript:`` or the like."""
    term = _term(binding, "ref")
    if term is None:
        return ""
    url = term["value"].strip()
    return url if re.match(r"^https?://[^\s<>\"]+$", url) and len(url) <= MAX_REFERENCE else ""


def parse_results(data: bytes | str) -> ParsedFile:
    """The pairs in a SPARQL JSON result of the documented query.

    Raises ``ResultFileError`` with a message for editors when the file is not UTF-8 JSON,
    not a SPARQL SELECT result, lacks ``?de``/``?ru``, or a row does not name two items.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ResultFileError(
                _("The file is not UTF-8 text (byte %(position)s): it is not a JSON result.")
                % {"position": error.start}
            ) from None
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, RecursionError) as error:
        where = (
            {"line": error.lineno, "column": error.colno}
            if isinstance(error, json.JSONDecodeError)
            else {"line": "?", "column": "?"}
        )
        raise ResultFileError(
            _("The file is not JSON (line %(line)s, column %(column)s).") % where
        ) from None
    if isinstance(document, list):
        raise ResultFileError(
            _(
                "The file is a plain JSON list, not a SPARQL JSON result: download the "
                "result as 'JSON file (verbose)' or ask for application/sparql-results+json."
            )
        )
    head = document.get("head") if isinstance(document, dict) else None
    if isinstance(document, dict) and "boolean" in document:
        raise ResultFileError(_("The file is the result of an ASK query, not of a SELECT query."))
    results = document.get("results") if isinstance(document, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    variables = head.get("vars") if isinstance(head, dict) else None
    if not isinstance(bindings, list) or not isinstance(variables, list):
        raise ResultFileError(
            _(
                'The file is not a SPARQL JSON result: it needs "head" with "vars" and '
                '"results" with "bindings".'
            )
        )
    missing = [name for name in ("de", "ru") if name not in variables]
    if missing:
        raise ResultFileError(
            _(
                "The query's result lacks the variables %(missing)s: run the query given in "
                "the README (variables ?de ?deLabel ?ru ?ruLabel ?start ?end ?ref)."
            )
            % {"missing": ", ".join(f"?{name}" for name in missing)}
        )
    if len(bindings) > MAX_RESULT_ROWS:
        raise ResultFileError(
            _("The file has more than %(limit)s results.") % {"limit": MAX_RESULT_ROWS}
        )

    pairs: dict[frozenset[str], WikidataPair] = {}
    errors: list[str] = []
    for row, binding in enumerate(bindings, start=1):
        if not isinstance(binding, dict):
            errors.append(str(_("Result %(row)s is not an object.") % {"row": row}))
            continue
        german = qid_of((_term(binding, "de") or {}).get("value"))
        russian = qid_of((_term(binding, "ru") or {}).get("value"))
        if not german or not russian or german == russian:
            errors.append(
                str(
                    _("Result %(row)s does not name two Wikidata items as ?de and ?ru.")
                    % {"row": row}
                )
            )
            if len(errors) >= MAX_ERRORS:
                break
            continue
        try:
            start, end = _date(binding, "start", row), _date(binding, "end", row)
        except ResultFileError as error:
            errors.append(str(error))
            if len(errors) >= MAX_ERRORS:
                break
            continue
        candidate = WikidataPair(
            german,
            russian,
            german_label=_literal(binding, "deLabel"),
            russian_label=_literal(binding, "ruLabel"),
        )
        pair = pairs.setdefault(candidate.key, candidate)
        if pair is not candidate and pair.german != german:
            candidate.swapped()  # the same pair, the other way round: keep the first order
        pair.german_label = pair.german_label or candidate.german_label
        pair.russian_label = pair.russian_label or candidate.russian_label
        pair.rows += 1
        if start is not None and start[1]:
            pair.start_years.add(start[0])
        if end is not None:
            pair.end_dates.add(end[1])
        reference = _reference(binding)
        if reference and reference not in pair.references:
            pair.references.append(reference)
    if errors:
        raise ResultFileError(" ".join(errors))
    return ParsedFile(pairs=list(pairs.values()), rows=len(bindings))


# The registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Town:
    """A partner as the registry holds it."""

    pk: int
    name: str
    country: str
    wikidata_id: str
    is_published: bool
    partnerships: int = 0


@dataclass(frozen=True)
class RegistryPartnership:
    pk: int
    slug: str
    german: Town
    russian: Town
    since_year: int | None
    status: str
    is_published: bool

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def is_draft(self) -> bool:
        return not (self.is_published and self.german.is_published and self.russian.is_published)


@dataclass(frozen=True)
class Difference:
    """One place where the registry and Wikidata differ."""

    kind: Kind
    wikidata: WikidataPair | None = None
    partnership: RegistryPartnership | None = None
    german: Town | None = None  # the registry's partners (for pairs only in Wikidata: if known)
    russian: Town | None = None
    town: Town | None = None  # for NO_WIKIDATA_ID

    @property
    def sort_key(self) -> tuple:
        if self.town is not None:
            return (self.town.country, self.town.name.casefold())
        german = self.german.name if self.german else self.wikidata.german_label
        russian = self.russian.name if self.russian else self.wikidata.russian_label
        return (
            german.casefold(),
            russian.casefold(),
            self.wikidata.german if self.wikidata else "",
        )


@dataclass
class Report:
    source: str
    rows: int
    pairs: int
    matched: int
    registry_partnerships: int
    not_comparable: int
    differences: list[Difference]

    def of_kind(self, kind: Kind) -> list[Difference]:
        return [difference for difference in self.differences if difference.kind == kind]

    def groups(self) -> list[tuple[Kind, list[Difference]]]:
        """Every kind, in order, with its differences (also when there are none)."""
        return [(kind, self.of_kind(kind)) for kind in Kind]

    @property
    def counts(self) -> dict[Kind, int]:
        return {kind: len(items) for kind, items in self.groups()}


def _towns() -> tuple[dict[str, Town], list[Town]]:
    """Partners by Wikidata ID, and the partners without one (with their partnerships)."""
    rows = Municipality.objects.annotate(
        partnership_count=Count("partnerships_as_german", distinct=True)
        + Count("partnerships_as_russian", distinct=True)
    ).values_list("pk", "name", "country", "wikidata_id", "is_published", "partnership_count")
    by_qid, without = {}, []
    for pk, name, country, qid, published, count in rows:
        town = Town(pk, name, country, qid, published, count)
        if qid:
            by_qid[qid] = town
        elif count:
            without.append(town)
    return by_qid, without


def _partnerships(towns_by_pk: dict[int, Town]) -> list[RegistryPartnership]:
    rows = Partnership.objects.values_list(
        "pk",
        "slug",
        "german_partner_id",
        "russian_partner_id",
        "since_year",
        "status",
        "is_published",
    ).order_by("pk")
    return [
        RegistryPartnership(
            pk, slug, towns_by_pk[german], towns_by_pk[russian], since, status, published
        )
        for pk, slug, german, russian, since, status, published in rows
        if german in towns_by_pk and russian in towns_by_pk
    ]


def reconcile(parsed: ParsedFile, *, source: str = "") -> Report:
    """Compare the pairs of a parsed result file with the registry (read only)."""
    by_qid, without = _towns()
    towns_by_pk = {town.pk: town for town in by_qid.values()}
    incomparable = Partnership.objects.filter(
        Q(german_partner__wikidata_id="") | Q(russian_partner__wikidata_id="")
    ).count()
    registry = _partnerships(towns_by_pk)
    registry_by_key = {
        frozenset((p.german.wikidata_id, p.russian.wikidata_id)): p for p in registry
    }

    differences: list[Difference] = []
    matched = set()
    for pair in parsed.pairs:
        german, russian = by_qid.get(pair.german), by_qid.get(pair.russian)
        if (german and german.country == Country.RUSSIA) or (
            russian and russian.country == Country.GERMANY
        ):
            pair.swapped()  # the file named the Russian item as ?de
            german, russian = russian, german
        partnership = registry_by_key.get(pair.key)
        if partnership is None:
            differences.append(
                Difference(Kind.ONLY_IN_WIKIDATA, wikidata=pair, german=german, russian=russian)
            )
            continue
        matched.add(pair.key)
        common = {
            "wikidata": pair,
            "partnership": partnership,
            "german": partnership.german,
            "russian": partnership.russian,
        }
        if pair.start_years and pair.start_years != {partnership.since_year}:
            differences.append(Difference(Kind.YEAR, **common))
        if bool(pair.end_dates) != (partnership.status == Status.ENDED):
            differences.append(Difference(Kind.END, **common))
    for key, partnership in registry_by_key.items():
        if key not in matched:
            differences.append(
                Difference(
                    Kind.ONLY_IN_REGISTRY,
                    partnership=partnership,
                    german=partnership.german,
                    russian=partnership.russian,
                )
            )
    differences.extend(Difference(Kind.NO_WIKIDATA_ID, town=town) for town in without)
    order = list(Kind)
    differences.sort(key=lambda d: (order.index(d.kind), d.sort_key))
    return Report(
        source=source,
        rows=parsed.rows,
        pairs=len(parsed.pairs),
        matched=len(matched),
        registry_partnerships=len(registry) + incomparable,
        not_comparable=incomparable,
        differences=differences,
    )


def reconcile_file(data: bytes | str, *, source: str = "") -> Report:
    """Parse and compare in one step (raises ``ResultFileError`` for a bad file)."""
    return reconcile(parse_results(data), source=source)


# Links and plain text ---------------------------------------------------------------------


def wikidata_url(qid: str) -> str:
    return WIKIDATA_PAGE.format(qid=qid)


def admin_url(obj: Town | RegistryPartnership) -> str:
    from django.urls import reverse

    model = "partnership" if isinstance(obj, RegistryPartnership) else "municipality"
    return reverse(f"admin:partnerships_{model}_change", args=[obj.pk])


def pair_label(difference: Difference) -> str:
    pair = difference.wikidata
    german = difference.german.name if difference.german else pair.german_label
    russian = difference.russian.name if difference.russian else pair.russian_label
    return f"{german or pair.german} – {russian or pair.russian}"


def registry_value(difference: Difference) -> str:
    """What the registry says, for the differences that compare a value."""
    partnership = difference.partnership
    if difference.kind == Kind.YEAR:
        return str(partnership.since_year) if partnership.since_year else str(_("no year"))
    if difference.kind == Kind.END:
        return partnership.status_label
    return ""


def wikidata_value(difference: Difference) -> str:
    pair = difference.wikidata
    if difference.kind == Kind.YEAR:
        return str(_("start %(years)s") % {"years": pair.start_display})
    if difference.kind == Kind.END:
        if pair.end_dates:
            return str(_("end %(dates)s") % {"dates": pair.end_display})
        return str(_("no end time"))
    return ""


def _line_links(difference: Difference, base_url: str) -> list[str]:
    links = []
    for town in (difference.german, difference.russian, difference.town):
        if town is not None and difference.partnership is None:
            links.append(base_url + admin_url(town))
    if difference.partnership is not None:
        links.append(base_url + admin_url(difference.partnership))
    qids = []
    if difference.wikidata is not None:
        qids = [difference.wikidata.german, difference.wikidata.russian]
    elif difference.partnership is not None:
        qids = [difference.german.wikidata_id, difference.russian.wikidata_id]
    links.extend(wikidata_url(qid) for qid in qids)
    return links


def render_text(report: Report, *, base_url: str = "") -> str:
    """The report as plain text, grouped by kind with counts and links to both sides."""
    lines = [
        f"Reconciliation with Wikidata (P190): {report.source}",
        f"{report.rows} result rows, {report.pairs} pairs in the file; "
        f"{report.matched} of them in the registry.",
        f"{report.registry_partnerships} partnerships in the registry; "
        f"{report.not_comparable} cannot be compared (a partner has no Wikidata ID).",
        "Nothing was written.",
    ]
    for kind, items in report.groups():
        lines += ["", f"{kind.title} ({len(items)})", f"  {kind.explanation}"]
        for difference in items:
            lines.append("  - " + _describe(difference))
            for reference in difference.wikidata.references if difference.wikidata else []:
                lines.append(f"      reference: {reference}")
            lines.append("      " + "  ".join(_line_links(difference, base_url)))
    return "\n".join(lines) + "\n"


def _describe(difference: Difference) -> str:
    if difference.kind == Kind.NO_WIKIDATA_ID:
        town = difference.town
        draft = ", draft" if not town.is_published else ""
        return f"{town.name} ({town.country}{draft}): {town.partnerships} partnership(s)"
    text = pair_label(difference)
    if difference.wikidata is not None:
        text += f" ({difference.wikidata.german} – {difference.wikidata.russian})"
    else:
        text += f" ({difference.german.wikidata_id} – {difference.russian.wikidata_id})"
    if difference.partnership is not None and difference.partnership.is_draft:
        text += " [draft]"
    if difference.kind == Kind.ONLY_IN_WIKIDATA:
        known = [town.name for town in (difference.german, difference.russian) if town]
        text += (
            f": in the registry: {', '.join(known)}, without this partnership"
            if known
            else ": neither partner is in the registry"
        )
    elif difference.kind in (Kind.YEAR, Kind.END):
        text += f": registry {registry_value(difference)}, Wikidata {wikidata_value(difference)}"
    elif difference.kind == Kind.ONLY_IN_REGISTRY:
        text += f": {difference.partnership.status_label}"
    return text


CSV_COLUMNS = [
    "kind",
    "german_wikidata_id",
    "russian_wikidata_id",
    "german_name",
    "russian_name",
    "registry",
    "wikidata",
    "draft",
    "registry_admin_url",
    "wikidata_urls",
    "references",
]


def render_csv(report: Report, *, base_url: str = "") -> str:
    """One row per difference, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for difference in report.differences:
        pair, partnership, town = difference.wikidata, difference.partnership, difference.town
        if town is not None:
            names = (town.name, "") if town.country == Country.GERMANY else ("", town.name)
            qids = ("", "")
            record = town
        else:
            german, russian = difference.german, difference.russian
            names = (
                german.name if german else pair.german_label,
                russian.name if russian else pair.russian_label,
            )
            qids = (
                (pair.german, pair.russian) if pair else (german.wikidata_id, russian.wikidata_id)
            )
            record = partnership
        draft = (partnership.is_draft if partnership else town and not town.is_published) or False
        writer.writerow(
            [
                difference.kind.value,
                *qids,
                *names,
                registry_value(difference),
                wikidata_value(difference),
                "yes" if draft else "",
                base_url + admin_url(record) if record is not None else "",
                " ".join(wikidata_url(qid) for qid in qids if qid),
                " ".join(pair.references) if pair else "",
            ]
        )
    return out.getvalue()
