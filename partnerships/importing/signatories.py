"""Importing the signatories of an appeal (``appeal-2020-signatories.csv``)."""

from __future__ import annotations

from django.utils.translation import gettext

from partnerships.importing.base import CREATED, UNCHANGED, UPDATED, Importer
from partnerships.importing.errors import RowError
from partnerships.models import Appeal, Initiative, Signatory
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
    """

    name = "signatories"
    columns = ["name", "role", "organisation", "municipality", "source"]
    field_columns = {"person_name": "name", "role": "role", "source_url": "source"}

    def __init__(self, appeal_slug: str = DEFAULT_APPEAL) -> None:
        super().__init__()
        self.appeal_slug = appeal_slug

    def import_row(self, row: dict[str, str]) -> str:
        appeal = Appeal.objects.filter(slug=self.appeal_slug).first()
        if appeal is None:
            raise RowError(
                gettext("no appeal '%(appeal)s' in the registry") % {"appeal": self.appeal_slug}
            )
        if not row["name"]:
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
            "role": row["role"],
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
