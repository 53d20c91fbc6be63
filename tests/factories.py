"""factory_boy factories for the registry's models."""

import factory

from partnerships.models import Initiative, Municipality, Partnership, Region, StatusEvent
from partnerships.vocabulary import Country, InitiativeKind, Status


def region(code: str) -> Region:
    return Region.objects.get(code=code)


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


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    german_partner = factory.SubFactory(MunicipalityFactory)
    russian_partner = factory.SubFactory(RussianMunicipalityFactory)
    kind_wording = "Städtepartnerschaft"


class StatusEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusEvent

    partnership = factory.SubFactory(PartnershipFactory)
    status = Status.SUSPENDED


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    name = factory.Sequence(lambda n: f"Partnerschaftsverein {n} e.V.")
    kind = InitiativeKind.ASSOCIATION
    slug = factory.Sequence(lambda n: f"verein-{n}")
