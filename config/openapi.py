"""The OpenAPI schema's shared parts: every API error has one body (config/api_errors.py).

A drf-spectacular postprocessing hook documents the error answers on every operation, so the
schema tells clients (and schemathesis) the truth about 4xx responses and their shape.
"""

from typing import Any

ERROR_SCHEMA = "ApiError"
ERRORS = {
    "400": "Invalid input: `fields` says what is wrong with each field.",
    "401": "The token given is not valid.",
    "403": "Not logged in, or not allowed.",
    "404": "Not found, or not yours (the two are not told apart).",
    "409": "A rule of the domain refused it (the state does not allow it now).",
    "413": "The request body is too large.",
    "415": "Only application/json bodies are accepted.",
    "429": "Too many requests: try again later.",
}


def _error_component() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": True},
                },
            }
        },
    }


def error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Add the error responses (and the ApiError component) to every API operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA] = _error_component()
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description, "content": body})
    return result
