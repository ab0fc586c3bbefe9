"""The API's request parsers (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, which also refuses (400) a body nested too deep for Python to read, where DRF's
    own lets the RecursionError through as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deep") from error
