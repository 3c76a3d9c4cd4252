"""Request body parsers for the API."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 for a body nested too deep for Python's parser.

    `[[[[…` a hundred thousand deep makes `json.loads` raise RecursionError, which DRF does not
    catch: every endpoint, signed in or not, answered 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from None
