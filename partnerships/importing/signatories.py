"""Importing the signatories of an appeal (``appeal-2020-signatories.csv``)."""

from __future__ import annotations

from django.utils.translation import gettext

from partnerships.importing.base import CREATED, UNCHANGED, UPDATED, Importer
from partnerships.importing.errors import RowError
from partnerships.models import Appeal, Initiative, Signatory
from partnerships.models.appeals import Participation, participation_of
from partnerships.vocabulary import MunicipalityKind, OrganisationKind

DEFAULT_APPEAL = "drf-solidarity-appeal-2020"

ORGANISATION_OF_KIND = {
    MunicipalityKind.REGION: OrganisationKind.LAND,
    MunicipalityKind.DISTRICT: OrganisationKind.DISTRICT,
    MunicipalityKind.RAYON: OrganisationKind.DISTRICT,
}


class SignatoryImporter(Importer):
    """Signatories of one appeal (by default the German-Russian Forum's 2020 appeal).

    ``municipality`` names a municipality of the registry (any spelling); otherwise the
    ``organisation`` is matched against the initiatives, and kept as named if none fits.
    A role saying the appeal was supported, not signed, makes the row a supporter, who
    may be an organisation without a person's name. Optional columns give the role and
    the organisation in English and Russian (``TRANSLATIONS``).
    """

    name = "signatories"
    columns = ["name", "role", "organisation", "municipality", "source"]
    field_columns = {"person_name": "name", "role": "role", "source_url": "source"}
    TRANSLATIONS = ["role_en", "role_ru", "organisation_en", "organisation_ru"]

    def __init__(self, appeal_slug: str = DEFAULT_APPEAL) -> None:
        super().__init__()
        self.appeal_slug = appeal_slug

    def import_row(self, row: dict[str, str]) -> str:
        appeal = Appeal.objects.filter(slug=self.appeal_slug).first()
        if appeal is None:
            raise RowError(
                gettext("no appeal '%(appeal)s' in the registry") % {"appeal": self.appeal_slug}
            )
        participation = participation_of(row["role"])
        if not row["name"] and participation != Participation.SUPPORTER:
            raise RowError(gettext("the signatory's name is missing"), column="name")
        municipality = initiative = None
        kind = OrganisationKind.OTHER
        if row["municipality"]:
            municipality = self.matcher.find_any(row["municipality"])
            if municipality is None:
                raise RowError(
                    gettext("no municipality '%(name)s' in the registry")
                    % {"name": row["municipality"]},
                    "municipality",
                )
            kind = ORGANISATION_OF_KIND.get(municipality.kind, OrganisationKind.MUNICIPALITY)
        elif row["organisation"]:
            initiative = Initiative.objects.filter(name=row["organisation"]).first()
            if initiative is not None:
                kind = OrganisationKind.INITIATIVE
        values = {
            "participation": participation,
            "role": row["role"],
            **{column: row.get(column, "") for column in self.TRANSLATIONS},
            "organisation_kind": kind,
            "municipality": municipality,
            "initiative": initiative,
            "source_url": row["source"],
        }
        signatory = Signatory.objects.filter(
            appeal=appeal, person_name=row["name"], organisation=row["organisation"]
        ).first()
        if signatory is None:
            signatory = Signatory(
                appeal=appeal, person_name=row["name"], organisation=row["organisation"], **values
            )
            signatory.full_clean()
            signatory.save()
            return CREATED
        changed = {
            k: v for k, v in values.items() if v not in ("", None) and getattr(signatory, k) != v
        }
        for key, value in changed.items():
            setattr(signatory, key, value)
        if changed:
            signatory.full_clean()
            signatory.save()
        return UPDATED if changed else UNCHANGED
