"""The registry's controlled vocabularies and how source wording maps onto them.

Every choice list lives here, next to the table that translates the wording found in
sources (German or English) into it. Unknown wording is never guessed: importers report
it as a row error, and an editor extends the table here.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    GERMANY = "DE", _("Germany")
    RUSSIA = "RU", _("Russia")


class RegionKind(models.TextChoices):
    LAND = "land", _("Land")
    OBLAST = "oblast", _("oblast")
    KRAI = "krai", _("krai")
    REPUBLIC = "republic", _("republic")
    FEDERAL_CITY = "federal_city", _("federal city")
    AUTONOMOUS_OKRUG = "autonomous_okrug", _("autonomous okrug")
    AUTONOMOUS_OBLAST = "autonomous_oblast", _("autonomous oblast")


class MunicipalityKind(models.TextChoices):
    TOWN = "town", _("town or municipality (Stadt/Gemeinde)")
    ASSOCIATION = "association", _("association of municipalities (Amt)")
    DISTRICT = "district", _("district (Landkreis/Kreis)")
    RAYON = "rayon", _("rayon")
    CITY_DISTRICT = "city_district", _("city district (Bezirk, okrug)")
    REGION = "region", _("whole Land or region")


class PartnerLevel(models.TextChoices):
    """The level at which a partner acts, used to filter partnerships."""

    TOWN = "town", _("town")
    DISTRICT = "district", _("district")
    REGION = "region", _("Land or region")


LEVEL_OF_KIND = {
    MunicipalityKind.TOWN: PartnerLevel.TOWN,
    MunicipalityKind.ASSOCIATION: PartnerLevel.TOWN,
    MunicipalityKind.CITY_DISTRICT: PartnerLevel.TOWN,
    MunicipalityKind.DISTRICT: PartnerLevel.DISTRICT,
    MunicipalityKind.RAYON: PartnerLevel.DISTRICT,
    MunicipalityKind.REGION: PartnerLevel.REGION,
}


class PartnershipKind(models.TextChoices):
    OFFICIAL = "official", _("official partnership (twinning treaty)")
    FRIENDSHIP = "friendship", _("friendship")
    CONTACT = "contact", _("contact or cooperation")
    PROJECT = "project", _("project partnership")
    REGIONAL = "regional", _("regional partnership")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    DORMANT = "dormant", _("dormant")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("ended")
    UNKNOWN = "unknown", _("unknown")


class InitiativeKind(models.TextChoices):
    ASSOCIATION = "association", _("association or society")
    SCHOOL = "school", _("school")
    CHURCH = "church", _("church or parish")
    FOUNDATION = "foundation", _("foundation")
    COUNCIL_COMMITTEE = "council_committee", _("council committee")
    OTHER = "other", _("other group")


class OrganisationKind(models.TextChoices):
    """What a signatory of an appeal speaks for."""

    MUNICIPALITY = "municipality", _("town or municipality")
    DISTRICT = "district", _("district")
    LAND = "land", _("Land")
    INITIATIVE = "initiative", _("initiative or association")
    OTHER = "other", _("other organisation")


# The sources' wording of a partnership's kind (compared case-insensitively).
KIND_WORDING = {
    "städtepartnerschaft": PartnershipKind.OFFICIAL,
    "partnerstadt": PartnershipKind.OFFICIAL,
    "partnerschaft": PartnershipKind.OFFICIAL,
    "partnerschaftsvertrag": PartnershipKind.OFFICIAL,
    "offizielle partnerschaft": PartnershipKind.OFFICIAL,
    "offizielle partnerschaft (freundschaftsvertrag 1999)": PartnershipKind.OFFICIAL,
    "städtefreundschaft / partnerschaftsvertrag": PartnershipKind.OFFICIAL,
    "twin town / sister city": PartnershipKind.OFFICIAL,
    "twin town": PartnershipKind.OFFICIAL,
    "sister city": PartnershipKind.OFFICIAL,
    "twinned administrative body (wikidata p190)": PartnershipKind.OFFICIAL,
    "official partnership": PartnershipKind.OFFICIAL,
    "städtefreundschaft": PartnershipKind.FRIENDSHIP,
    "freundschaft": PartnershipKind.FRIENDSHIP,
    "freundschaftliche beziehung": PartnershipKind.FRIENDSHIP,
    "freundschaftliche beziehungen": PartnershipKind.FRIENDSHIP,
    "friendship": PartnershipKind.FRIENDSHIP,
    "kooperation": PartnershipKind.CONTACT,
    "verbindung": PartnershipKind.CONTACT,
    "kontakt": PartnershipKind.CONTACT,
    "partnerschaftliche beziehungen": PartnershipKind.CONTACT,
    "contact": PartnershipKind.CONTACT,
    "cooperation": PartnershipKind.CONTACT,
    "partnerschaft (agrar)": PartnershipKind.PROJECT,
    "projektpartnerschaft": PartnershipKind.PROJECT,
    "project partnership": PartnershipKind.PROJECT,
    "partnerschaft (region)": PartnershipKind.REGIONAL,
    "regionalpartnerschaft": PartnershipKind.REGIONAL,
    "regional partnership": PartnershipKind.REGIONAL,
}
# The registry's own values (as its CSV export writes them) are accepted too.
KIND_WORDING.update({choice.value: choice for choice in PartnershipKind})
with translation.override("en"):
    KIND_WORDING.update({str(choice.label).casefold(): choice for choice in PartnershipKind})

STATUS_WORDING = {
    "active": Status.ACTIVE,
    "aktiv": Status.ACTIVE,
    "dormant": Status.DORMANT,
    "inaktiv": Status.DORMANT,
    "suspended": Status.SUSPENDED,
    "ruht": Status.SUSPENDED,
    "auf eis": Status.SUSPENDED,
    "ausgesetzt": Status.SUSPENDED,
    "ended": Status.ENDED,
    "beendet": Status.ENDED,
    "unknown": Status.UNKNOWN,
}

# The wording that marks a source as the 2016 Wikidata extract (least certain).
WIKIDATA_2016_MARKER = "wikidata p190"
