"""Reading a dossier's row again inside an action, with the rows every action needs beside it.

Only the dossier's own row is ever locked: its procedure version, units and applicant are read, not
locked (other dossiers of the same procedure or unit go on meanwhile), so a copy of them the caller
read earlier in the same request is as good as one read with the lock, and is taken instead of a
second read.
"""

import copy

from django.db import connection

from ..models import Dossier

# What an action reads with the dossier: the event's unit, the applicant's message, the procedure.
RELATED = ("procedure_version", "agency", "current_agency", "applicant")


def read_row(dossier: Dossier, *, lock: bool) -> Dossier:
    """``dossier``'s row as it is now (locked for this transaction when ``lock``), with the related rows
    beside it: a plain read of the row when the caller's copy holds them all (an empty one counts),
    else one read with those it lacks."""
    held = dossier._state.fields_cache
    wanted = [name for name in RELATED if name not in held and getattr(dossier, f"{name}_id") is not None]
    if wanted:
        query = Dossier.objects.select_for_update(of=("self",)) if lock else Dossier.objects
        return _with_related(query.select_related(*wanted).get(pk=dossier.pk), dossier)
    quote, meta = connection.ops.quote_name, Dossier._meta
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = f"SELECT * FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s{suffix}"  # noqa: S608
    rows = list(Dossier.objects.raw(sql, [dossier.pk]))
    if not rows:
        raise Dossier.DoesNotExist(f"dossier {dossier.pk}")
    return _with_related(rows[0], dossier)


def _with_related(fresh: Dossier, dossier: Dossier) -> Dossier:
    """``fresh`` with the related rows the caller's copy ``dossier`` holds, where ``fresh`` still points
    to them (one that changed meanwhile is read when first used); and with the steps the copy holds
    when nobody acted on the dossier since it was read: every change of its steps is an action, and
    every action moves the version on and writes the row (``updated_at``), so the copy's version and
    last write are still the row's (a copy left by an action that was undone has a write the row
    never kept)."""
    held = dossier._state.fields_cache
    for name in RELATED:
        if name in held and getattr(fresh, f"{name}_id") == getattr(held[name], "pk", None):
            fresh._state.fields_cache[name] = held[name]
    unchanged = (fresh.version, fresh.updated_at) == (dossier.version, dossier.updated_at)
    if "_steps" in dossier.__dict__ and unchanged:
        # Copies: what this action changes stays off the caller's copy until it is written (an action
        # undone leaves the caller's steps as they are in the database).
        fresh.__dict__["_steps"] = [copy.copy(step) for step in dossier.__dict__["_steps"]]
    return fresh
