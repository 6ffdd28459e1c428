"""Turning rows into the JSON shapes of Open311 GeoReport v2 (and the staff API's richer view).

The Open311 view never carries personal fields (email, names, phone, device and account ids).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .models import Service, ServiceAttribute, ServiceRequest, StatusChange

_DATATYPE_DESCRIPTIONS = {
    "string": "A short line of text.",
    "text": "Free text, several lines allowed.",
    "number": "A number; a dot separates decimals.",
    "datetime": "A W3C date and time, for example 2024-05-01T14:30:00+03:00.",
    "singlevaluelist": "One of the keys listed in values.",
    "multivaluelist": "One or more of the keys listed in values, each as attribute[code][].",
}


def w3c(moment: datetime | None) -> str | None:
    """A timestamp as a W3C (ISO 8601) string in UTC, to the second."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def service_json(service: Service) -> dict[str, Any]:
    """One entry of `services.json`."""
    return {
        "service_code": service.service_code,
        "service_name": service.service_name,
        "description": service.description,
        "metadata": any(a.active for a in service.attributes),
        "type": service.type,
        "keywords": service.keywords,
        "group": service.group,
    }


def attribute_json(attribute: ServiceAttribute) -> dict[str, Any]:
    """One attribute of a service definition (Open311 fields only)."""
    return {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": bool(attribute.required),
        "datatype_description": _DATATYPE_DESCRIPTIONS.get(attribute.datatype),
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": v["key"], "name": v["name"]} for v in attribute.values or []],
    }


def definition_json(service: Service) -> dict[str, Any]:
    """`services/{code}.json`: the service definition with its active attributes."""
    return {
        "service_code": service.service_code,
        "attributes": [attribute_json(a) for a in service.attributes if a.active],
    }


def request_json(request: ServiceRequest, distance_m: float | None = None) -> dict[str, Any]:
    """One request as Open311 GETs show it, with our extension fields; no personal data."""
    body: dict[str, Any] = {
        "service_request_id": request.public_id,
        "status": request.status,
        "status_notes": request.status_notes,
        "service_name": request.service.service_name,
        "service_code": request.service.service_code,
        "description": request.description,
        "agency_responsible": request.agency_responsible,
        "service_notice": request.service_notice,
        "requested_datetime": w3c(request.requested_datetime),
        "updated_datetime": w3c(request.updated_datetime),
        "expected_datetime": w3c(request.expected_datetime),
        "address": request.address,
        "address_id": request.address_id,
        "zipcode": request.zipcode,
        "lat": request.lat,
        "long": request.lon,
        "media_url": request.media_url,
        "detailed_status": request.detailed_status,
        "followers": request.followers,
        "closing_media_url": request.closing_media_url,
        "district": request.district,
    }
    if distance_m is not None:
        body["distance_m"] = round(distance_m, 1)
    return body


def change_json(change: StatusChange) -> dict[str, Any]:
    """One step of a request's history, for staff."""
    return {
        "detailed_status": change.detailed_status,
        "note": change.note,
        "photo_url": change.photo_url,
        "staff_user": change.staff_user.username if change.staff_user else None,
        "changed_at": w3c(change.changed_at),
    }


def staff_request_json(request: ServiceRequest) -> dict[str, Any]:
    """One request as staff see it: the public view plus attributes, personal fields and history."""
    body = request_json(request)
    body.update(
        {
            "attributes": request.attributes,
            "email": request.email,
            "first_name": request.first_name,
            "last_name": request.last_name,
            "phone": request.phone,
            "device_id": request.device_id,
            "account_id": request.account_id,
            "history": [change_json(c) for c in request.history],
        }
    )
    return body
