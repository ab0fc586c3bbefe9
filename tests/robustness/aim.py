"""Aiming generated API cases at real objects, for the schemathesis runs of every app."""

import hashlib
import json

from schemathesis.core import NotSet
from schemathesis.core.parameters import ParameterLocation


def aim_at(case, values: dict[str, list]) -> bool:
    """Aim every other case at real objects: in each part of the request that was generated valid
    (path, query, body), the parameters and fields named in ``values`` get one of its real values. The
    choice follows from the generated values, so the same case always aims the same way. Returns whether
    the case was aimed."""
    generated = json.dumps(
        [case.path_parameters, case.query, None if isinstance(case.body, NotSet) else case.body],
        sort_keys=True,
        default=repr,
    )
    digest = hashlib.sha256(generated.encode()).digest()
    if digest[0] % 2:
        return False
    for location, container in (
        (ParameterLocation.PATH, case.path_parameters),
        (ParameterLocation.QUERY, case.query),
        (ParameterLocation.BODY, case.body),
    ):
        if not isinstance(container, dict) or (case.meta and case.meta.is_negative_at(location)):
            continue
        for position, name in enumerate(sorted(container)):
            if name in values:
                container[name] = values[name][digest[1 + position % 31] % len(values[name])]
    return True
