"""Every URL pattern of the portal, walked through the resolver, with sample values for its parts."""

import re

from django.urls import URLResolver, get_resolver

_ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def url_patterns(patterns=None, prefix=""):
    """``(route, pattern)`` for every pattern, the route written as in ``urls.py`` (``admin/`` etc. included)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def sample_path(route: str, values: dict[str, str]) -> str:
    """``route`` with each of its parts replaced by ``values[name]`` (``"1"`` for a name not given)."""

    def value(match):
        return values.get(match["name"], "1")

    path = _REGEX_GROUP.sub(value, route).replace("^", "").replace("$", "")
    return "/" + _ROUTE_PART.sub(value, path)


def string_parts(route: str) -> list[str]:
    """The names of the parts of ``route`` that take any text (``str``, ``path`` or untyped)."""
    regex_parts = [m["name"] for m in _REGEX_GROUP.finditer(route)]
    route = _REGEX_GROUP.sub("", route)
    return regex_parts + [m["name"] for m in _ROUTE_PART.finditer(route) if m["converter"] in (None, "str", "path")]
