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


def holds_related(dossier: Dossier) -> bool:
    """Whether the caller's copy holds every related row an action needs (an empty one counts)."""
    held = dossier._state.fields_cache
    return all(name in held or getattr(dossier, f"{name}_id") is None for name in RELATED)


def with_related(fresh: Dossier, dossier: Dossier) -> Dossier:
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


def read_again(query, dossier: Dossier) -> Dossier:
    """``dossier`` read again through ``query`` (locking it, say), the related rows the caller's copy
    does not hold read with it."""
    wanted = [name for name in RELATED if name not in dossier._state.fields_cache]
    return with_related((query.select_related(*wanted) if wanted else query).get(pk=dossier.pk), dossier)


def read_row(dossier: Dossier, *, lock: bool) -> Dossier:
    """``dossier``'s row as it is now (locked for this transaction when ``lock``), with the related rows
    beside it: a plain read of the row when the caller's copy holds them all, else one read with them."""
    if not holds_related(dossier):
        return read_again(Dossier.objects.select_for_update(of=("self",)) if lock else Dossier.objects, dossier)
    quote, meta = connection.ops.quote_name, Dossier._meta
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = f"SELECT * FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s{suffix}"  # noqa: S608
    rows = list(Dossier.objects.raw(sql, [dossier.pk]))
    if not rows:
        raise Dossier.DoesNotExist(f"dossier {dossier.pk}")
    return with_related(rows[0], dossier)
