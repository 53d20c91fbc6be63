"""What each source says about a partnership, and the one rule that turns it into the record.

A row of an imported file is a *claim* by its source: the kind (with the source's own
wording), the founding year and the status it gives. A dated statement (a council
decision, a report) is a ``StatusEvent``. Sources disagree; the registry keeps every
claim and every statement, and derives the partnership's current values by the rule
below, the same rule for the admin, the importers and the data migration. Where sources
disagree, the partnership lists the conflict for editors until one of them has reviewed it.

The rule (also in the README, "Sources disagree: the rule"):

- **An editor's decision wins.** A field an editor has set in the admin (``kind``,
  ``kind_wording``, ``since_year``) is never changed by a file; a status event an editor
  recorded outranks every statement from a file.
- **Status**: the status of the latest dated statement (a date given as a month or a year
  counts from its first day). Statements of the same date that disagree are a conflict;
  until an editor decides, the more restrictive status holds (ended, then suspended, then
  dormant, then active). Undated statements count only while no dated one exists.
  ``status_since`` is the date from which the current status has held without
  interruption (the earliest of the latest run of statements giving it); empty when the
  status rests on undated statements only.
- **Founding year**: the earliest year any source gives (a friendship agreement that
  preceded the treaty counts), from the claims and the dated founding events.
- **Kind**: the kind named by most sources; a tie goes to the vocabulary's order
  (official partnership first). The wording shown is that of a source naming this kind.
- Claims of the least certain source (the 2016 Wikidata extract) count only where no
  other source says anything about the field.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.vocabulary import WIKIDATA_2016_MARKER, PartnershipKind, Status

# Of statements of the same date that disagree, the first of these holds until an editor decides.
RESTRICTIVENESS = [Status.ENDED, Status.SUSPENDED, Status.DORMANT, Status.ACTIVE, Status.UNKNOWN]
KIND_ORDER = list(PartnershipKind.values)
# Fields a file may set and an editor's decision protects.
CLAIMED_FIELDS = ("kind", "kind_wording", "since_year")


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class Claim(models.Model):
    """One source's statement about a partnership, as one row of an imported file made it."""

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.CASCADE,
        related_name="claims",
        verbose_name=_("partnership"),
    )
    source = models.CharField(
        _("source"),
        max_length=1000,
        blank=True,
        help_text=_("The source as the file gives it (addresses joined by ' | ')."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PartnershipKind.choices)
    kind_wording = models.CharField(_("wording of the source"), max_length=200, blank=True)
    since_year = models.PositiveSmallIntegerField(_("established (year)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    status_wording = models.CharField(_("status as the source says it"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("claim of a source")
        verbose_name_plural = _("claims of sources")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "source", "kind", "kind_wording", "since_year", "status"],
                name="claim_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source or _('(no source given)')}: {self.kind_wording or self.kind}"

    def as_said(self) -> Said:
        return Said(
            self.source, self.kind, self.kind_wording, self.since_year, self.status, origin=None
        )


# The rule, over plain values (the model, the importer and the migration call it) ---------------


@dataclass(frozen=True, slots=True)
class Said:
    """One claim, in plain values; ``origin`` is where it comes from (e.g. a file's line)."""

    source: str
    kind: str
    kind_wording: str
    since_year: int | None
    status: str
    # Where the claim comes from (a file's line): not part of what it says.
    origin: object = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Statement:
    """One status event, in plain values (``status`` empty for a founding event)."""

    date: datetime.date | None
    precision: str
    status: str
    by_editor: bool
    source: str = ""


def least_certain(source: str) -> bool:
    return WIKIDATA_2016_MARKER in source.casefold()


def _trusted(claims: list[Said]) -> list[Said]:
    certain = [claim for claim in claims if not least_certain(claim.source)]
    return certain or claims


def derived_values(
    claims: Iterable[Said], statements: Iterable[Statement] = ()
) -> dict[str, object]:
    """``kind``, ``kind_wording`` and ``since_year`` by the rule, for what the sources say.

    Only the fields some source speaks about are in the answer.
    """
    claims = list(claims)
    values: dict[str, object] = {}
    if claims:
        trusted = _trusted(claims)
        votes = Counter(claim.kind for claim in trusted)
        kind = min(votes, key=lambda k: (-votes[k], KIND_ORDER.index(k) if k in KIND_ORDER else 99))
        values["kind"] = kind
        values["kind_wording"] = min(c.kind_wording for c in trusted if c.kind == kind)
    years = [c.since_year for c in _trusted([c for c in claims if c.since_year])]
    years += founding_years(statements)
    if years:
        values["since_year"] = min(years)
    return values


def _order(statement: Statement) -> tuple:
    return (statement.date, RESTRICTIVENESS[::-1].index(statement.status))


def derived_status(statements: Iterable[Statement]) -> tuple[str, datetime.date | None, str]:
    """``(status, status_since, precision)`` by the rule."""
    statements = [s for s in statements if s.status]
    editors = [s for s in statements if s.by_editor]
    statements = editors or statements
    if not statements:
        return Status.UNKNOWN, None, ""
    dated = sorted((s for s in statements if s.date), key=_order)
    if not dated:
        status = min((s.status for s in statements), key=RESTRICTIVENESS.index)
        return status, None, ""
    latest = dated[-1]
    since = latest
    for statement in reversed(dated):
        if statement.status != latest.status:
            break
        since = statement
    return latest.status, since.date, since.precision


def _order_any(statement: Statement) -> tuple:
    return (
        statement.date or datetime.date.min,
        statement.status in RESTRICTIVENESS and _order(statement)[1],
    )


def founding_years(statements: Iterable[Statement]) -> list[int]:
    return [s.date.year for s in statements if not s.status and s.date]


def conflicts(
    claims: Iterable[Said], statements: Iterable[Statement], decided: dict | None = None
) -> list[dict]:
    """What the sources disagree on, sorted: ``[{"field", "values": [[value, source], ...]}]``.

    A stable list (the same sources give the same list in any order): stored on the
    partnership, compared with what an editor last reviewed. ``decided``: the values an
    editor set (field -> value); where the sources say otherwise, that is listed too.
    """
    claims, statements = list(claims), list(statements)
    found = []
    derived = derived_values(claims, statements) if decided else {}
    for field_name, value in sorted((decided or {}).items()):
        if field_name in derived and derived[field_name] != value:
            found.append(
                {
                    "field": field_name,
                    "values": [[str(value), "editor"], [str(derived[field_name]), "sources"]],
                }
            )

    def disagree(field: str, pairs: set[tuple[str, str]]) -> None:
        if len({value for value, _source in pairs}) > 1:
            found.append({"field": field, "values": [list(pair) for pair in sorted(pairs)]})

    disagree("kind", {(claim.kind, claim.source) for claim in claims})
    years = {(str(claim.since_year), claim.source) for claim in claims if claim.since_year}
    years |= {(str(s.date.year), s.source) for s in statements if not s.status and s.date}
    disagree("since_year", years)
    by_date: dict[datetime.date, set] = {}
    for statement in statements:
        if statement.status and statement.date:
            by_date.setdefault(statement.date, set()).add((statement.status, statement.source))
    for date, pairs in sorted(by_date.items()):
        disagree(f"status {date.isoformat()}", pairs)
    # An undated statement that no dated one bears out contradicts the dated record.
    status, _since, _precision = derived_status(statements)
    dated = {s.status for s in statements if s.status and s.date}
    undated = {(s.status, s.source) for s in statements if s.status and not s.date}
    undated |= {(c.status, c.source) for c in claims if c.status}
    unexplained = {(value, source) for value, source in undated if value not in dated | {status}}
    if unexplained and status != Status.UNKNOWN:
        latest = [
            s.source for s in sorted(statements, key=_order_any) if s.date and s.status == status
        ]
        disagree("status", unexplained | {(status, latest[-1] if latest else "")})
    return found
