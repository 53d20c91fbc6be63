"""Importing reference data for municipalities (``municipalities-reference.csv``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from partnerships.importing.base import UNCHANGED, UPDATED, Importer
from partnerships.importing.errors import RowError
from partnerships.vocabulary import Country


def parse_decimal(value: str, column: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise RowError(not_a_number(value), column=column) from error
    if not number.is_finite():
        raise RowError(not_a_number(value), column=column)
    return number.quantize(Decimal("0.000001"))


def not_a_number(value: str) -> str:
    return gettext("'%(value)s' is not a number") % {"value": value}


class MunicipalityReferenceImporter(Importer):
    """Adds Wikidata IDs, coordinates, AGS/OKTMO codes and names to known municipalities.

    A row names a municipality as the partnership file does (German name, or Cyrillic
    name); it must already be in the registry. Empty cells mean unknown and change
    nothing; a replaced German or English name stays searchable as another spelling.
    """

    name = "municipalities"
    columns = [
        "country",
        "name_in_file",
        "wikidata_qid",
        "lat",
        "lon",
        "official_code",
        "name_en",
        "name_de",
        "source",
    ]
    field_columns = {
        "wikidata_id": "wikidata_qid",
        "latitude": "lat",
        "longitude": "lon",
        "official_code": "official_code",
        "name_en": "name_en",
        "name_de": "name_de",
        "__all__": "name_in_file",
    }

    def import_row(self, row: dict[str, str]) -> str:
        country = row["country"].upper()
        if country not in Country.values:
            raise RowError(
                gettext("country must be DE or RU, not '%(country)s'")
                % {"country": row["country"]},
                column="country",
            )
        if country == Country.GERMANY:
            municipality = self.matcher.find_german(row["name_in_file"])
        else:
            municipality = self.matcher.find_russian(row["name_in_file"], None)
        if municipality is None:
            raise RowError(
                gettext(
                    "no municipality '%(name)s' in the registry (import the partnerships first)"
                )
                % {"name": row["name_in_file"]},
                column="name_in_file",
            )
        values = {
            "wikidata_id": row["wikidata_qid"],
            "latitude": parse_decimal(row["lat"], "lat"),
            "longitude": parse_decimal(row["lon"], "lon"),
            "official_code": row["official_code"],
            "name_en": row["name_en"],
            "name_de": row["name_de"],
            "sources": row["source"],
        }
        changed = {
            key: value
            for key, value in values.items()
            if value not in ("", None) and getattr(municipality, key) != value
        }
        if not changed:
            return UNCHANGED
        replaced = [getattr(municipality, key) for key in ("name_de", "name_en") if key in changed]
        for key, value in changed.items():
            setattr(municipality, key, value)
        municipality.full_clean()
        municipality.save()
        for old_name in replaced:
            municipality.keep_as_alternative(old_name)
        return UPDATED
