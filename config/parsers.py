"""A JSON parser that refuses bodies over a sane size before reading them, and NUL in text.

PostgreSQL cannot store NUL (U+0000) in text, and no field of ours has a use for it: a body
with one anywhere (a value or a key) is a 400 naming the field, before any view or query runs.
"""

import io
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


NUL_MESSAGE = "Text cannot contain the NUL character (U+0000)."


def nul_fields(data: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Where in parsed JSON a string holds NUL; a key with NUL counts for its object."""
    if isinstance(data, str):
        return [path] if "\x00" in data else []
    found: list[tuple[str, ...]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if "\x00" in str(key):
                found.append((*path, "non_field_errors"))
            else:
                found.extend(nul_fields(value, (*path, str(key))))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(nul_fields(value, (*path, str(index))))
    return found


def nul_errors(paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """The field errors, nested like the serializers' own ({"parents": {"0": {...}}})."""
    errors: dict[str, Any] = {}
    for path in paths:
        node = errors
        steps = path or ("non_field_errors",)
        for step in steps[:-1]:
            child = node.setdefault(step, {})
            if not isinstance(child, dict):  # a message already sits here
                break
            node = child
        else:
            last = node.get(steps[-1])
            if isinstance(last, dict):  # the object has errors inside already
                last.setdefault("non_field_errors", [NUL_MESSAGE])
            else:
                node[steps[-1]] = [NUL_MESSAGE]
    return errors


class LimitedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BodyTooLarge
        data = super().parse(io.BytesIO(body), media_type, parser_context)
        if paths := nul_fields(data):
            raise ValidationError(nul_errors(paths))
        return data
