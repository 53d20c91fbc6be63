"""Importing initiatives (``initiatives-de-ru.csv``) and linking them to partnerships."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext

from partnerships.importing.base import CREATED, UNCHANGED, UPDATED, Importer, parse_year
from partnerships.importing.errors import RowError
from partnerships.importing.matching import unique_slug
from partnerships.importing.partnerships import split_sources
from partnerships.models import Initiative, Partnership
from partnerships.vocabulary import InitiativeKind


def normalise_website(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        return f"https://{value}"
    return value


class InitiativeImporter(Importer):
    """One initiative per (name, seat); a row links it to one partnership.

    The partnership is named as in the partnership file: the German partner's name and
    the Russian partner's Latin spelling (any spelling the registry knows). The seat is
    looked up among all municipalities; a seat the registry does not hold is kept as
    written.
    """

    name = "initiatives"
    columns = [
        "name",
        "kind",
        "seat_municipality",
        "partnership_german",
        "partnership_russian",
        "website",
        "founded_year",
        "source",
    ]
    field_columns = {"website": "website", "founded_year": "founded_year", "name": "name"}

    def partnership(self, german_name: str, russian_name: str) -> Partnership:
        return self.matcher.find_partnership(
            german_name, russian_name, columns=("partnership_german", "partnership_russian")
        )

    def import_row(self, row: dict[str, str]) -> str:
        if not row["name"]:
            raise RowError(gettext("the name is missing"), column="name")
        if row["kind"] not in InitiativeKind.values:
            known = ", ".join(InitiativeKind.values)
            raise RowError(
                gettext("unknown kind '%(kind)s' (known: %(known)s)")
                % {"kind": row["kind"], "known": known},
                column="kind",
            )
        founded_year = parse_year(row["founded_year"], "founded_year", 1800, 2100)
        partnership = None
        if row["partnership_german"] or row["partnership_russian"]:
            partnership = self.partnership(row["partnership_german"], row["partnership_russian"])
        seat = self.matcher.find_any(row["seat_municipality"]) if row["seat_municipality"] else None
        values = {
            "kind": row["kind"],
            "seat": seat,
            "website": normalise_website(row["website"]),
            "founded_year": founded_year,
            "sources": "\n".join(split_sources(row["source"])),
        }
        initiative = Initiative.objects.filter(
            name=row["name"], seat_name=row["seat_municipality"]
        ).first()
        if initiative is None:
            initiative = Initiative(name=row["name"], seat_name=row["seat_municipality"], **values)
            initiative.slug = unique_slug(
                f"{row['name'][:80]} {slugify(row['seat_municipality'])}",
                None,
                lambda slug: Initiative.objects.filter(slug=slug).exists(),
            )
            initiative.full_clean()
            initiative.save()
            outcome = CREATED
        else:
            changed = {
                key: value
                for key, value in values.items()
                if value not in ("", None) and getattr(initiative, key) != value
            }
            for key, value in changed.items():
                setattr(initiative, key, value)
            if changed:
                initiative.full_clean()
                initiative.save()
            outcome = UPDATED if changed else UNCHANGED
        if (
            partnership is not None
            and not initiative.partnerships.filter(pk=partnership.pk).exists()
        ):
            initiative.partnerships.add(partnership)
            outcome = outcome if outcome == CREATED else UPDATED
        return outcome
