"""JSON request bodies are read as typed: a value of the wrong JSON type is a 400, never
coerced. DRF's fields coerce on purpose (they also read form data, where everything is a
string): `{"question": 12}` would be asked as "12", `{"fiscal_year": "2024"}` taken as 2024
and `{"document_ids": [5]}` turned into a UUID. The schema promises a string, an integer, a
UUID string; a client that sends something else has a bug it should hear about. The parsers:
JSON (the default for every endpoint) and multipart (the upload's, with a size bound)."""

import json

from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError

from ragplatform.exceptions import DomainError


class RequestTooLarge(DomainError):
    code = "request_too_large"
    status_code = 413


class JsonParser(parsers.JSONParser):
    """JSON whose strings PostgreSQL can store. (Its size: DRF reads request.body, which
    Django holds to DATA_UPLOAD_MAX_MEMORY_SIZE; ragplatform.errors makes that a 413.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        try:  # JSON can spell lone surrogates (\ud800), which no UTF-8 column can store.
            json.dumps(parsed, ensure_ascii=False).encode()
        except UnicodeEncodeError as exc:
            raise ParseError("JSON parse error - a string is not valid Unicode.") from exc
        return parsed


class MultiPartParser(parsers.MultiPartParser):
    """Multipart bodies within `max_body_bytes()`: a 413 before anything is read."""

    def max_body_bytes(self) -> int | None:
        return None

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = self.max_body_bytes()
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if limit and length and length.isascii() and length.isdigit() and int(length) > limit:
            raise RequestTooLarge(f"The request is over the {limit:,}-byte limit.")
        return super().parse(stream, media_type, parser_context)


# The JSON type each field kind reads, by the first matching class (subclasses first).
_JSON_TYPES: tuple[tuple[type, tuple[type, ...], str], ...] = (
    (serializers.BooleanField, (bool,), "a boolean"),
    (serializers.IntegerField, (int,), "an integer"),
    (serializers.FloatField, (int, float), "a number"),
    (serializers.ListField, (list,), "an array"),
    (serializers.DictField, (dict,), "an object"),
    (serializers.CharField, (str,), "a string"),
    (serializers.ChoiceField, (str,), "a string"),
    (serializers.UUIDField, (str,), "a string"),
    (serializers.DateField, (str,), "a string"),
    (serializers.DateTimeField, (str,), "a string"),
)


def json_type_error(field: serializers.Field, value) -> str | None:
    """Why ``value`` is not of the JSON type ``field`` reads, or None when it is."""
    if value is None:
        return None  # the field's own allow_null decides
    for kind, types, name in _JSON_TYPES:
        if isinstance(field, kind):
            # bool is an int in Python, never in JSON.
            if isinstance(value, bool) and bool not in types:
                return f"Must be {name}, not a boolean."
            if not isinstance(value, types):
                return f"Must be {name}, not {_json_name(value)}."
            if isinstance(field, serializers.ListField):
                for index, item in enumerate(value):
                    problem = json_type_error(field.child, item)
                    if problem:
                        return f"Item {index}: {problem}"
            return None
    return None


def _json_name(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class JsonInput(serializers.Serializer):
    """An input serializer for a JSON body: an object whose values have the fields' types.
    `json_schema_extra` goes into its OpenAPI schema (ragplatform.schema), for rules of the
    whole object (`additionalProperties`, `minProperties`) that its validate() enforces."""

    json_schema_extra: dict = {}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [f"Send a JSON object, not {_json_name(data)}."]}
            )
        errors = {}
        for name, field in self.fields.items():
            if field.read_only or field.source == "*" or name not in data:
                continue
            problem = json_type_error(field, data[name])
            if problem:
                errors[name] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
