"""The request body parsers of the API: DRF's, made safe against hostile bodies.

No legitimate request of this API nests JSON more than a few levels, while a 2 KB body
of a thousand brackets is enough to exhaust Python's recursion limit in the decoder or
in any code that walks the data afterwards. Bodies nested deeper than
``MAX_JSON_DEPTH`` are refused as a 400 while they are parsed, before any view,
serializer or service sees them.

The multipart and form parsers produce flat ``QueryDict``s, which cannot nest; what
they can meet is too many fields or files, which Django reports as a
``SuspiciousOperation`` and which these parsers answer as the same JSON 400 as any other
unreadable body.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Containers inside containers: ``{"a": [1]}`` is 2 deep. The API's deepest body is a
# list of ids inside an object; 32 leaves room for any future shape.
MAX_JSON_DEPTH = 32

_DJANGO_LIMITS = (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig)


class NestingTooDeep(ParseError):
    default_detail = f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
    default_code = "nesting_too_deep"


def json_nesting_exceeds(data: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON holds containers more than ``limit`` deep. Iterative, so a
    deep value cannot exhaust the stack while it is measured."""
    pending = [(data, 1)] if isinstance(data, dict | list) else []
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # deeper than the decoder itself can go
            raise NestingTooDeep() from exc
        if json_nesting_exceeds(data):
            raise NestingTooDeep()
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except _DJANGO_LIMITS as exc:
            raise ParseError(f"Form parse error - {exc}") from exc


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except _DJANGO_LIMITS as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc


# Endpoints that take a file upload, and JSON for their other writes.
UPLOAD_PARSERS = [MultiPartParser, FormParser, JSONParser]
