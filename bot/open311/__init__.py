"""Client for any city's back office over Open311 GeoReport v2.

`client` talks HTTP, `wire` encodes requests and reads answers, `models` holds the values and the lenient
parsers of what real servers answer. Import from here:

    from bot.open311 import Open311Client, Open311Error
"""

from bot.open311.client import Open311Client
from bot.open311.models import (
    Attribute,
    AttributeValue,
    ErrorKind,
    NewRequest,
    Open311Error,
    Service,
    ServiceDefinition,
    ServiceRequest,
    SubmitResult,
)

__all__ = [
    "Attribute",
    "AttributeValue",
    "ErrorKind",
    "NewRequest",
    "Open311Client",
    "Open311Error",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
    "SubmitResult",
]
