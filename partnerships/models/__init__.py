"""The registry's domain model; each concept lives in the module named after it."""

from partnerships.models.appeals import Appeal, Signatory
from partnerships.models.claims import Claim
from partnerships.models.generation import RegistryGeneration
from partnerships.models.initiatives import Initiative
from partnerships.models.municipalities import AlternativeName, Municipality
from partnerships.models.partnerships import Partnership, PartnershipSource, StatusEvent
from partnerships.models.regions import Region
from partnerships.models.suggestions import Suggestion

__all__ = [
    "AlternativeName",
    "Appeal",
    "Claim",
    "Initiative",
    "Municipality",
    "Partnership",
    "PartnershipSource",
    "Region",
    "RegistryGeneration",
    "Signatory",
    "StatusEvent",
    "Suggestion",
]
