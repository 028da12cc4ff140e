"""The OpenAPI schema says what the API does: every operation lists the error responses it can
give, each with the one error body `{"error": {"code", "message"}}`.

`ApiAutoSchema` (drf-spectacular's DEFAULT_SCHEMA_CLASS here) adds them from what the view is:
401 when it needs a key, 429 when it is rate limited (throttle classes), 404 when the path names
something, 400/413/415 when it takes a body, 400 when it takes query parameters. A view that
declares one of these itself (a more specific body or description) keeps its own.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

JSON = "application/json"
# Strings as DRF's CharField reads them (JSON Schema patterns are ECMA regexes): never U+0000
# (PostgreSQL text cannot hold it); unless blank is allowed, something besides the whitespace
# str.strip() removes (ECMA's \s lacks \x1c-\x1f and \x85, Python's has them).
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"


class ErrorDetailOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: `not_found`, `no_files`, …")
    message = serializers.CharField(help_text="For a person; may change.")
    fields = serializers.DictField(
        required=False,
        help_text="With invalid_request: the message(s) of each invalid field, by name.",
    )


class ErrorOutput(serializers.Serializer):
    """Every error response of the API has this body."""

    error = ErrorDetailOutput()


def error_response(description: str, serializer=ErrorOutput) -> OpenApiResponse:
    """An error response with the API's error body, for a view's own `responses`."""
    return OpenApiResponse(serializer, description=description)


_STRING = {"schema": {"type": "string"}}
ERROR_HEADERS = {
    "401": {"WWW-Authenticate": {**_STRING, "description": "`Bearer realm=…`: send a bearer key."}},
    "429": {"Retry-After": {**_STRING, "description": "Seconds until the limit resets."}},
}

_DESCRIPTIONS = {
    "400": "Invalid request (`invalid_request` with `fields`, `parse_error`, or a rule of the "
    "operation's own code).",
    "401": "No key, or a key that is invalid, revoked or of a deactivated tenant.",
    "404": "No such object for this key (another tenant's objects are 404 too), no such page "
    "of a list, or no such endpoint.",
    "413": "The request body is larger than the server accepts (`request_too_large`).",
    "415": "A content type this operation does not read (`unsupported_media_type`).",
    "429": "The tenant's requests_per_minute is used up (`rate_limited`); retry after "
    "Retry-After seconds.",
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses each operation can give."""

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request":
            schema.update(getattr(serializer, "json_schema_extra", {}))
        return schema

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # A PATCH input's fields are all optional, so drf-spectacular calls its body optional;
        # one that needs at least one field (minProperties) needs a body.
        if body:
            serializer = force_instance(self.get_request_serializer())
            if getattr(serializer, "json_schema_extra", {}).get("minProperties"):
                body["required"] = True
        return body

    def _map_basic_serializer(self, serializer, direction):
        self._direction = direction  # for _insert_field_validators, which is not told
        return super()._map_basic_serializer(serializer, direction)

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if getattr(self, "_direction", None) != "request":
            return
        if isinstance(field, serializers.ListField) and not field.allow_empty:
            schema.setdefault("minItems", 1)
        # allow_blank fields are oneOf [the string, ""]: the rule goes on the first.
        string = schema["oneOf"][0] if "oneOf" in schema else schema
        if (
            isinstance(field, serializers.CharField)
            and string.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(string)
        ):
            blank_refused = field.trim_whitespace and not field.allow_blank
            string["pattern"] = NOT_BLANK if blank_refused else NO_NUL

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._error_for_code(code)
        return dict(sorted(responses.items()))

    def _error_for_code(self, code: str) -> dict:
        response = self._get_response_for_code(
            error_response(_DESCRIPTIONS[code]), code, media_types=[JSON]
        )
        if code in ERROR_HEADERS:
            response["headers"] = {**response.get("headers", {}), **ERROR_HEADERS[code]}
        return response

    def _error_codes(self) -> list[str]:
        codes = []
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            codes.append("401")
            if self.view.get_throttles():
                codes.append("429")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")  # the object named, or a page past the last
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "413", "415"]
        elif self._has_query_parameters():
            codes.append("400")
        return codes

    def _has_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())
