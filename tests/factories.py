"""factory_boy factories for the registry's models: one per model.

Regions are shipped with the project (a data migration), so ``RegionFactory`` finds the
shipped region by its code rather than making a new one.
"""

import datetime

import factory
from django.utils.translation import override

from partnerships.models import (
    AlternativeName,
    Appeal,
    Claim,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    Signatory,
    StatusEvent,
    Suggestion,
)
from partnerships.vocabulary import Country, InitiativeKind, PartnershipKind, Status


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class RegionFactory(factory.django.DjangoModelFactory):
    """A shipped region (Nordrhein-Westfalen unless another ``code`` is given)."""

    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "DE-NW"
    country = factory.LazyAttribute(lambda o: o.code[:2])


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    country = Country.GERMANY
    name = factory.Sequence(lambda n: f"Teststadt {n}")
    name_de = factory.SelfAttribute("name")
    slug = factory.Sequence(lambda n: f"teststadt-{n}")
    region = factory.LazyAttribute(lambda o: region("DE-NW" if o.country == "DE" else "RU-KGD"))


class RussianMunicipalityFactory(MunicipalityFactory):
    country = Country.RUSSIA
    name = factory.Sequence(lambda n: f"Тестоград {n}")
    name_de = factory.Sequence(lambda n: f"Testograd {n}")
    slug = factory.Sequence(lambda n: f"testograd-{n}")


class AlternativeNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlternativeName

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Altstadt {n}")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    german_partner = factory.SubFactory(MunicipalityFactory)
    russian_partner = factory.SubFactory(RussianMunicipalityFactory)
    kind_wording = "Städtepartnerschaft"


class OfAPartnershipFactory(factory.django.DjangoModelFactory):
    """What is recorded of one partnership: a source, a status event, a claim."""

    class Meta:
        abstract = True

    partnership = factory.SubFactory(PartnershipFactory)


class PartnershipSourceFactory(OfAPartnershipFactory):
    class Meta:
        model = PartnershipSource

    url = factory.Sequence(lambda n: f"https://example.org/quelle-{n}")


class StatusEventFactory(OfAPartnershipFactory):
    class Meta:
        model = StatusEvent

    status = Status.SUSPENDED


class ClaimFactory(OfAPartnershipFactory):
    class Meta:
        model = Claim

    source = factory.Sequence(lambda n: f"https://example.org/claim-{n}")
    kind = PartnershipKind.OFFICIAL


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    name = factory.Sequence(lambda n: f"Partnerschaftsverein {n} e.V.")
    kind = InitiativeKind.ASSOCIATION
    slug = factory.Sequence(lambda n: f"verein-{n}")


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appeal

    title = factory.Sequence(lambda n: f"Aufruf {n}")
    date = datetime.date(2021, 1, 1)
    publisher = "Deutsch-Russisches Forum"
    slug = factory.Sequence(lambda n: f"aufruf-{n}")


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    appeal = factory.SubFactory(AppealFactory)
    person_name = factory.Sequence(lambda n: f"Person {n}")


def german_address(record) -> str:
    with override("de"):
        return record.get_absolute_url()


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A reader's correction of a record (a partnership unless ``record`` says otherwise)."""

    class Meta:
        model = Suggestion

    record = factory.SubFactory(PartnershipFactory)
    page_url = factory.LazyAttribute(lambda o: german_address(o.record))
    message = "Tippfehler im Namen"
