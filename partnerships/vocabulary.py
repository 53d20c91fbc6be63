"""The registry's controlled vocabularies and how source wording maps onto them.

Every choice list lives here, next to the table that translates the wording found in
sources (German, English or Russian) into it. Unknown wording is never guessed: importers report
it as a row error, and an editor extends the table here.
"""

from __future__ import annotations

import re

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
    # Labels in the reader's language only: the German terms (Stadt/Gemeinde, Amt,
    # Landkreis/Kreis, Bezirk) are the German translations, never part of the others.
    TOWN = "town", _("town or municipality")
    ASSOCIATION = "association", _("association of municipalities")
    DISTRICT = "district", _("district")
    RAYON = "rayon", _("rayon")
    CITY_DISTRICT = "city_district", _("city district")
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


# The sources' wording of a partnership's kind, in German, English and Russian (compared
# case-insensitively, "ё" as "е"). A wording that combines terms ("sister city / Treaty of
# Friendship and Cooperation", "Städtepartnerschaft (1992 Städtefreundschaft)") maps by its
# main term: the whole wording if listed, else its first part that is (``kind_of``).
KIND_WORDING = {
    # German
    "städtepartnerschaft": PartnershipKind.OFFICIAL,
    "staedtepartnerschaft": PartnershipKind.OFFICIAL,
    "partnerstadt": PartnershipKind.OFFICIAL,
    "partnerstädte": PartnershipKind.OFFICIAL,
    "partnerschaft": PartnershipKind.OFFICIAL,
    "partnerschaftsvertrag": PartnershipKind.OFFICIAL,
    "partnerschaftsabkommen": PartnershipKind.OFFICIAL,
    "offizielle partnerschaft": PartnershipKind.OFFICIAL,
    "offizielle partnerschaft (freundschaftsvertrag 1999)": PartnershipKind.OFFICIAL,
    "städtefreundschaft / partnerschaftsvertrag": PartnershipKind.OFFICIAL,
    "kreispartnerschaft": PartnershipKind.OFFICIAL,
    "gemeindepartnerschaft": PartnershipKind.OFFICIAL,
    "städtefreundschaft": PartnershipKind.FRIENDSHIP,
    "freundschaft": PartnershipKind.FRIENDSHIP,
    "freundschaftsvertrag": PartnershipKind.FRIENDSHIP,
    "freundschaftsabkommen": PartnershipKind.FRIENDSHIP,
    "freundschaftsvereinbarung": PartnershipKind.FRIENDSHIP,
    "freundschaftliche beziehung": PartnershipKind.FRIENDSHIP,
    "freundschaftliche beziehungen": PartnershipKind.FRIENDSHIP,
    "kooperation": PartnershipKind.CONTACT,
    "kooperationsvereinbarung": PartnershipKind.CONTACT,
    "kooperationsabkommen": PartnershipKind.CONTACT,
    "zusammenarbeit": PartnershipKind.CONTACT,
    "verbindung": PartnershipKind.CONTACT,
    "kontakt": PartnershipKind.CONTACT,
    "kontakte": PartnershipKind.CONTACT,
    "partnerschaftliche beziehungen": PartnershipKind.CONTACT,
    "partnerschaft (agrar)": PartnershipKind.PROJECT,
    "projektpartnerschaft": PartnershipKind.PROJECT,
    "partnerschaft (region)": PartnershipKind.REGIONAL,
    "regionalpartnerschaft": PartnershipKind.REGIONAL,
    "regionale partnerschaft": PartnershipKind.REGIONAL,
    # English
    "twin town / sister city": PartnershipKind.OFFICIAL,
    "twin town": PartnershipKind.OFFICIAL,
    "twin towns": PartnershipKind.OFFICIAL,
    "twin city": PartnershipKind.OFFICIAL,
    "twinned city": PartnershipKind.OFFICIAL,
    "town twinning": PartnershipKind.OFFICIAL,
    "twinning": PartnershipKind.OFFICIAL,
    "sister city": PartnershipKind.OFFICIAL,
    "sister cities": PartnershipKind.OFFICIAL,
    "partner city": PartnershipKind.OFFICIAL,
    "partner town": PartnershipKind.OFFICIAL,
    "partnership": PartnershipKind.OFFICIAL,
    "town partnership": PartnershipKind.OFFICIAL,
    "city partnership": PartnershipKind.OFFICIAL,
    "twinned administrative body": PartnershipKind.OFFICIAL,
    "twinned administrative body (wikidata p190)": PartnershipKind.OFFICIAL,
    "official partnership": PartnershipKind.OFFICIAL,
    "friendship": PartnershipKind.FRIENDSHIP,
    "friendship city": PartnershipKind.FRIENDSHIP,
    "friendship agreement": PartnershipKind.FRIENDSHIP,
    "treaty of friendship": PartnershipKind.FRIENDSHIP,
    "friendship and cooperation": PartnershipKind.FRIENDSHIP,
    "treaty of friendship and cooperation": PartnershipKind.FRIENDSHIP,
    "contact": PartnershipKind.CONTACT,
    "contacts": PartnershipKind.CONTACT,
    "cooperation": PartnershipKind.CONTACT,
    "cooperation agreement": PartnershipKind.CONTACT,
    "project partnership": PartnershipKind.PROJECT,
    "regional partnership": PartnershipKind.REGIONAL,
    # Russian
    "побратимство": PartnershipKind.OFFICIAL,
    "побратимы": PartnershipKind.OFFICIAL,
    "город-побратим": PartnershipKind.OFFICIAL,
    "города-побратимы": PartnershipKind.OFFICIAL,
    "породнённые города": PartnershipKind.OFFICIAL,
    "партнёрство": PartnershipKind.OFFICIAL,
    "партнерство": PartnershipKind.OFFICIAL,
    "город-партнёр": PartnershipKind.OFFICIAL,
    "город-партнер": PartnershipKind.OFFICIAL,
    "города-партнёры": PartnershipKind.OFFICIAL,
    "соглашение о партнёрстве": PartnershipKind.OFFICIAL,
    "договор о партнёрстве": PartnershipKind.OFFICIAL,
    "дружба": PartnershipKind.FRIENDSHIP,
    "договор о дружбе": PartnershipKind.FRIENDSHIP,
    "соглашение о дружбе": PartnershipKind.FRIENDSHIP,
    "дружба и сотрудничество": PartnershipKind.FRIENDSHIP,
    "договор о дружбе и сотрудничестве": PartnershipKind.FRIENDSHIP,
    "сотрудничество": PartnershipKind.CONTACT,
    "соглашение о сотрудничестве": PartnershipKind.CONTACT,
    "договор о сотрудничестве": PartnershipKind.CONTACT,
    "контакты": PartnershipKind.CONTACT,
    "проектное партнёрство": PartnershipKind.PROJECT,
    "региональное партнёрство": PartnershipKind.REGIONAL,
    "межрегиональное сотрудничество": PartnershipKind.REGIONAL,
}
# The registry's own values (as its CSV export writes them) are accepted too, in every
# language of the interface.
KIND_WORDING.update({choice.value: choice for choice in PartnershipKind})
for _language in ("en", "de", "ru"):
    with translation.override(_language):
        KIND_WORDING.update({str(c.label).casefold(): c for c in PartnershipKind})

STATUS_WORDING = {
    # English
    "active": Status.ACTIVE,
    "continues": Status.ACTIVE,
    "continued": Status.ACTIVE,
    "dormant": Status.DORMANT,
    "inactive": Status.DORMANT,
    "suspended": Status.SUSPENDED,
    "on hold": Status.SUSPENDED,
    "on ice": Status.SUSPENDED,
    "frozen": Status.SUSPENDED,
    "paused": Status.SUSPENDED,
    "ended": Status.ENDED,
    "terminated": Status.ENDED,
    "dissolved": Status.ENDED,
    "expired": Status.ENDED,
    "unknown": Status.UNKNOWN,
    # German
    "aktiv": Status.ACTIVE,
    "besteht": Status.ACTIVE,
    "fortgesetzt": Status.ACTIVE,
    "inaktiv": Status.DORMANT,
    "ruhend": Status.DORMANT,
    "ruht": Status.SUSPENDED,
    "auf eis": Status.SUSPENDED,
    "auf eis gelegt": Status.SUSPENDED,
    "ausgesetzt": Status.SUSPENDED,
    "eingefroren": Status.SUSPENDED,
    "beendet": Status.ENDED,
    "aufgelöst": Status.ENDED,
    "gekündigt": Status.ENDED,
    "unbekannt": Status.UNKNOWN,
    # Russian
    "действует": Status.ACTIVE,
    "действующее": Status.ACTIVE,
    "активно": Status.ACTIVE,
    "неактивно": Status.DORMANT,
    "приостановлено": Status.SUSPENDED,
    "приостановлена": Status.SUSPENDED,
    "заморожено": Status.SUSPENDED,
    "прекращено": Status.ENDED,
    "расторгнуто": Status.ENDED,
    "неизвестно": Status.UNKNOWN,
}
STATUS_WORDING.update({choice.value: choice for choice in Status})
for _language in ("en", "de", "ru"):
    with translation.override(_language):
        STATUS_WORDING.update({str(c.label).casefold(): c for c in Status})

# Where a combined wording is split into its terms: " / ", ";", ",", brackets, dashes.
_TERM_SEPARATORS = re.compile(r"\s*(?:/|;|,|\(|\)|\[|\]|\s[–—-]\s|\bund\b|\band\b|\bи\b)\s*")


def _key(wording: str) -> str:
    return " ".join(wording.casefold().replace("ё", "е").split())


def _lookup(table: dict, wording: str):
    """The choice for a wording by its main term: the whole, else its first known part."""
    found = table.get(_key(wording)) or _FOLDED[id(table)].get(_key(wording))
    if found is not None:
        return found
    for part in _TERM_SEPARATORS.split(wording):
        if part and part.strip():
            found = _FOLDED[id(table)].get(_key(part))
            if found is not None:
                return found
    return None


_FOLDED = {
    id(table): {_key(wording): choice for wording, choice in table.items()}
    for table in (KIND_WORDING, STATUS_WORDING)
}


def kind_of(wording: str) -> str | None:
    """The registry's kind for a source's wording (by its main term), or None if unknown."""
    return _lookup(KIND_WORDING, wording) if wording.strip() else None


def status_of(wording: str) -> str | None:
    """The registry's status for a source's wording (by its main term), or None if unknown."""
    return _lookup(STATUS_WORDING, wording) if wording.strip() else None


# The wording that marks a source as the 2016 Wikidata extract (least certain).
WIKIDATA_2016_MARKER = "wikidata p190"
