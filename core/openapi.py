"""What the OpenAPI schema says about errors, for every operation at once.

drf-spectacular documents the responses a view declares; the errors any endpoint can answer —
a bad request, no or a bad credential, no permission, no such object (or a path that is not a
number), a row lock held elsewhere, a rate limit — come from DRF, our middleware and the
exception handler for all of them alike. A postprocessing hook adds them where a view did not
document its own, so that a client (and the fuzzer in the suite) reads the API as it answers."""

ERROR = {
    "type": "object",
    "description": "An error: a message in the reader's language, and a code for some.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field errors, {field: [message]}, or a `detail` message for the whole request.",
    "additionalProperties": True,
}
UNSAFE = {"post", "put", "patch", "delete"}


def _response(description: str, name: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def _decimal_inputs(schemas: dict) -> None:
    """Amounts are answered as strings ("250000.00", exact); a client may send a JSON number
    too, which DRF's DecimalField reads — say so for every field a client writes."""
    for component in schemas.values():
        for name, field in component.get("properties", {}).items():
            if field.get("format") != "decimal" or field.get("readOnly"):
                continue
            described = {key: field[key] for key in ("title", "description") if key in field}
            component["properties"][name] = {
                **described,
                "anyOf": [
                    {key: value for key, value in field.items() if key not in described},
                    {"type": "number", "nullable": bool(field.get("nullable"))},
                ],
            }


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Document 400, 401, 403, 404, 409 (writes), 429 on every operation that does not; empty
    filters and amounts sent as numbers as the API reads them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    _decimal_inputs(schemas)
    errors = {
        "400": _response("The request is not valid: field errors, or a message.", "FieldErrors"),
        "401": _response("No credential, or one that is wrong, expired or revoked.", "Error"),
        "403": _response("Not allowed for this person.", "Error"),
        "404": _response("No such object, not visible to this person, or no such page.", "Error"),
        "429": _response("Too many requests: wait for the seconds in Retry-After.", "Error"),
    }
    locked = _response("Someone else is changing this project: try again.", "Error")
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                # The API is JSON. Form and multipart bodies are read too (the browsable API
                # posts forms) but not documented: they carry no types, every value a string.
                for media in [media for media in body if media != "application/json"]:
                    del body[media]
            for parameter in operation.get("parameters", []):
                # A filter left empty (`?region=`, as an HTML form sends it) filters nothing; an
                # empty `page` is the first (DRF). A page size is a number or a 400.
                if parameter.get("in") == "query" and parameter["name"] != "page_size":
                    parameter["allowEmptyValue"] = True
            responses = operation["responses"]
            for status, response in errors.items():
                responses.setdefault(status, response)
            if method in UNSAFE:
                responses.setdefault("409", locked)
    return result
