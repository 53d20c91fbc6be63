"""What the API says about a record: stable names, codes, no editor data.

Field names are the CSV exports' headers where those exist (``docs/EXPORTS.md``:
``german_land_iso``, ``russian_oktmo``, ``status_since`` …) and keep their meaning; what
the CSV joins into one cell is a JSON list here (``sources``, ``partnerships``). Values
are codes (``suspended``, ``DE-NW``) and names in their own languages (``name``,
``name_de``, ``name_en``, ``name_ru``): the same in every language. Unknown is ``null``.

Only what the public pages show is here: no drafts (a draft partner, seat or initiative
is left out), no editors' provenance notes of municipalities, no conflicts or workflow
fields, and no initiative's contact address (the registry shows it on the initiative's
own page only, never in bulk).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnerships.exports import partial_iso
from partnerships.models import (
    AlternativeName,
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Signatory,
    StatusEvent,
)
from partnerships.vocabulary import Country

# Stands for the slug or id while reversing (digits: ids only match digits).
PLACEHOLDER = "31415926535897932"


@extend_schema_field({"type": "string", "nullable": True})
class OptionalText(serializers.Field):
    """Text that may be missing: empty in the registry, ``null`` here."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True)  # also through a missing relation
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(value) if value not in (None, "") else None


@extend_schema_field(OpenApiTypes.URI)
class Link(serializers.Field):
    """The absolute address of a record's page (``permalink``) or API answer (``api_url``).

    Reversed once per response with a placeholder, in the site's default language: a
    permalink has no language prefix, whatever the client's Accept-Language.
    """

    def __init__(self, url_name: str, lookup: str = "slug", **kwargs):
        self.url_name, self.lookup = url_name, lookup
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        patterns = self.context.setdefault("link_patterns", {})
        pattern = patterns.get(self.url_name)
        if pattern is None:
            with translation.override(settings.LANGUAGE_CODE):
                path = reverse(self.url_name, kwargs={self.lookup: PLACEHOLDER})
            pattern = patterns[self.url_name] = self.context["request"].build_absolute_uri(path)
        return pattern.replace(PLACEHOLDER, str(getattr(obj, self.lookup)))


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        "description": "YYYY-MM-DD, YYYY-MM or YYYY: as precise as the source.",
    }
)
class PartialDate(serializers.Field):
    """A date cut to its precision (``exports.partial_iso``), as the CSV writes it."""

    def __init__(self, precision_field: str, **kwargs):
        self.precision_field = precision_field
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str | None:
        date = getattr(obj, self.field_name)
        return partial_iso(date, getattr(obj, self.precision_field)) or None


class RecordSerializer(serializers.ModelSerializer):
    """A registry record: when it was created and last changed, in UTC."""

    created_at = serializers.DateTimeField(read_only=True, default_timezone=datetime.UTC)
    updated_at = serializers.DateTimeField(read_only=True, default_timezone=datetime.UTC)


class SourceSerializer(serializers.ModelSerializer):
    url = OptionalText()
    citation = OptionalText()

    class Meta:
        model = PartnershipSource
        fields = ["url", "citation"]


class StatusEventSerializer(serializers.ModelSerializer):
    """A dated statement about the status; `status` null: the founding (treaty signed)."""

    date = PartialDate("date_precision")
    status = serializers.SerializerMethodField()
    note = OptionalText()
    source = OptionalText(source="source_url")

    class Meta:
        model = StatusEvent
        fields = ["date", "date_precision", "status", "note", "source"]

    @extend_schema_field(
        {
            "type": "string",
            "nullable": True,
            "enum": ["active", "dormant", "suspended", "ended", "unknown", None],
        }
    )
    def get_status(self, event: StatusEvent) -> str | None:
        return event.status or None


class PartnershipSerializer(RecordSerializer):
    """A partnership, its partners as the CSV names them, its sources and status history."""

    permalink = Link("partnerships:partnership-detail")
    api_url = Link("api:partnership-detail")
    german_partner = serializers.CharField(source="german_partner.name", read_only=True)
    german_partner_en = OptionalText(source="german_partner.name_en")
    german_partner_kind = serializers.CharField(source="german_partner.kind", read_only=True)
    german_land_iso = OptionalText(source="german_partner.region.code")
    german_ags = OptionalText(source="german_partner.official_code")
    russian_partner_cyrillic = serializers.CharField(source="russian_partner.name", read_only=True)
    russian_partner_de = OptionalText(source="russian_partner.name_de")
    russian_partner_en = OptionalText(source="russian_partner.name_en")
    russian_partner_kind = serializers.CharField(source="russian_partner.kind", read_only=True)
    russian_region_iso = OptionalText(source="russian_partner.region.code")
    russian_oktmo = OptionalText(source="russian_partner.official_code")
    kind_wording = OptionalText()
    unverified = serializers.BooleanField(source="needs_verification", read_only=True)
    initiatives = serializers.SerializerMethodField()
    sources = SourceSerializer(many=True, read_only=True)
    status_since = PartialDate("status_since_precision")
    status_since_precision = OptionalText()
    status_events = StatusEventSerializer(many=True, read_only=True)
    notes = OptionalText()

    class Meta:
        model = Partnership
        fields = [
            "id",
            "slug",
            "permalink",
            "api_url",
            "german_partner_id",
            "german_partner",
            "german_partner_en",
            "german_partner_kind",
            "german_land_iso",
            "german_ags",
            "russian_partner_id",
            "russian_partner_cyrillic",
            "russian_partner_de",
            "russian_partner_en",
            "russian_partner_kind",
            "russian_region_iso",
            "russian_oktmo",
            "kind",
            "kind_wording",
            "status",
            "status_since",
            "status_since_precision",
            "since_year",
            "established_on",
            "unverified",
            "last_verified",
            "initiatives",
            "sources",
            "status_events",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_initiatives(self, partnership: Partnership) -> int:
        """The number of published initiatives carrying it (`public_initiatives`)."""
        return len(partnership.public_initiatives)


class AlternativeNameSerializer(serializers.ModelSerializer):
    language = OptionalText()

    class Meta:
        model = AlternativeName
        fields = ["name", "kind", "language", "until_year"]


class MunicipalitySerializer(RecordSerializer):
    """A municipality with its codes: ISO 3166-2 region, AGS or OKTMO, Wikidata, GeoNames."""

    permalink = Link("partnerships:municipality-detail")
    api_url = Link("api:municipality-detail")
    name_de = OptionalText()
    name_en = OptionalText()
    name_ru = OptionalText()
    region_iso = OptionalText(source="region.code")
    official_code = OptionalText()
    ags = serializers.SerializerMethodField()
    oktmo = serializers.SerializerMethodField()
    wikidata_id = OptionalText()
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    website = OptionalText()
    notes = OptionalText()
    alternative_names = AlternativeNameSerializer(many=True, read_only=True)

    class Meta:
        model = Municipality
        fields = [
            "id",
            "slug",
            "permalink",
            "api_url",
            "country",
            "name",
            "name_de",
            "name_en",
            "name_ru",
            "kind",
            "region_iso",
            "official_code",
            "ags",
            "oktmo",
            "wikidata_id",
            "geonames_id",
            "latitude",
            "longitude",
            "website",
            "notes",
            "alternative_names",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_ags(self, municipality: Municipality) -> str | None:
        """The Amtlicher Gemeindeschlüssel of a German municipality (`official_code`)."""
        if municipality.country == Country.GERMANY:
            return municipality.official_code or None
        return None

    def get_oktmo(self, municipality: Municipality) -> str | None:
        """The OKTMO code of a Russian municipality (`official_code`)."""
        if municipality.country == Country.RUSSIA:
            return municipality.official_code or None
        return None


class InitiativeSerializer(RecordSerializer):
    """An initiative, the partnerships it carries (published ones, by permalink slug)."""

    permalink = Link("partnerships:initiative-detail")
    api_url = Link("api:initiative-detail")
    seat = serializers.SerializerMethodField()
    seat_id = serializers.SerializerMethodField()
    seat_region_iso = serializers.SerializerMethodField()
    partnerships = serializers.SerializerMethodField()
    website = OptionalText()
    description = OptionalText()
    sources = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "id",
            "slug",
            "permalink",
            "api_url",
            "name",
            "kind",
            "seat",
            "seat_id",
            "seat_region_iso",
            "partnerships",
            "website",
            "founded_year",
            "description",
            "sources",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_seat(self, initiative: Initiative) -> str | None:
        """The seat's official name, or the place as the source writes it."""
        seat = initiative.public_seat
        return (seat.name if seat else initiative.seat_name) or None

    def get_seat_id(self, initiative: Initiative) -> int | None:
        seat = initiative.public_seat
        return seat.pk if seat else None

    def get_seat_region_iso(self, initiative: Initiative) -> str | None:
        seat = initiative.public_seat
        return seat.region.code if seat and seat.region else None

    def get_partnerships(self, initiative: Initiative) -> list[str]:
        return [partnership.slug for partnership in initiative.public_partnerships]

    def get_sources(self, initiative: Initiative) -> list[str]:
        return initiative.source_list()


class SignatorySerializer(RecordSerializer):
    """A signature of an appeal, or a public supporter's (`participation`)."""

    api_url = Link("api:signatory-detail", lookup="pk")
    appeal_id = serializers.IntegerField(read_only=True)
    appeal_slug = serializers.CharField(source="appeal.slug", read_only=True)
    appeal_date = serializers.DateField(source="appeal.date", read_only=True)
    name = OptionalText(source="person_name")
    role = OptionalText()
    role_en = OptionalText()
    role_ru = OptionalText()
    organisation = OptionalText()
    organisation_en = OptionalText()
    organisation_ru = OptionalText()
    municipality = serializers.SerializerMethodField()
    municipality_id = serializers.SerializerMethodField()
    land_iso = serializers.SerializerMethodField()
    initiative = serializers.SerializerMethodField()
    initiative_id = serializers.SerializerMethodField()
    source = OptionalText(source="source_url")

    class Meta:
        model = Signatory
        fields = [
            "id",
            "api_url",
            "appeal_id",
            "appeal_slug",
            "appeal_date",
            "participation",
            "name",
            "role",
            "role_en",
            "role_ru",
            "organisation",
            "organisation_en",
            "organisation_ru",
            "organisation_kind",
            "municipality",
            "municipality_id",
            "land_iso",
            "initiative",
            "initiative_id",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_municipality(self, signatory: Signatory) -> str | None:
        """The official name of the municipality signed for (if published)."""
        municipality = signatory.public_municipality
        return municipality.name if municipality else None

    def get_municipality_id(self, signatory: Signatory) -> int | None:
        municipality = signatory.public_municipality
        return municipality.pk if municipality else None

    def get_land_iso(self, signatory: Signatory) -> str | None:
        """The ISO 3166-2 code of that municipality's Land."""
        municipality = signatory.public_municipality
        return municipality.region.code if municipality and municipality.region else None

    def get_initiative(self, signatory: Signatory) -> str | None:
        initiative = signatory.public_initiative
        return initiative.name if initiative else None

    def get_initiative_id(self, signatory: Signatory) -> int | None:
        initiative = signatory.public_initiative
        return initiative.pk if initiative else None


class AppealSerializer(RecordSerializer):
    """An appeal in German (as published), English and Russian."""

    permalink = Link("partnerships:appeal-detail")
    api_url = Link("api:appeal-detail")
    title_en = OptionalText()
    title_ru = OptionalText()
    publisher_en = OptionalText()
    publisher_ru = OptionalText()
    summary = OptionalText()
    summary_en = OptionalText()
    summary_ru = OptionalText()
    full_text = OptionalText()
    full_text_en = OptionalText()
    full_text_ru = OptionalText()
    source = OptionalText(source="url")

    class Meta:
        model = Appeal
        fields = [
            "id",
            "slug",
            "permalink",
            "api_url",
            "title",
            "title_en",
            "title_ru",
            "date",
            "publisher",
            "publisher_en",
            "publisher_ru",
            "summary",
            "summary_en",
            "summary_ru",
            "full_text",
            "full_text_en",
            "full_text_ru",
            "source",
            "reported_signatories",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` says what went wrong; for 400, `errors` per parameter."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
