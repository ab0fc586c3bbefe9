"""Reads of the catalogue. The public sees only current versions: published, in effect, the latest."""

from datetime import date

from django.db.models import (
    Case,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import Agency

from .constants import VersionStatus
from .models import Field, ProcedureVersion, RouteStep
from .search import exact, has_diacritics, search_words


def version_list_current(*, today: date | None = None) -> QuerySet[ProcedureVersion]:
    """The version of each procedure that is in force ``today``; unpublished procedures have none."""
    today = today or timezone.localdate()
    in_force = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_from__lte=today)
    latest = in_force.filter(procedure=OuterRef("procedure")).order_by("-effective_from", "-number").values("pk")[:1]
    return in_force.filter(pk=Subquery(latest)).select_related("procedure", "field")


def procedure_search(
    *,
    query: str = "",
    field: Field | None = None,
    agency_level: str | None = None,
    service_level: int | None = None,
    agency: Agency | None = None,
    today: date | None = None,
) -> QuerySet[ProcedureVersion]:
    """Current versions matching the filters and every word of ``query`` (with or without diacritics,
    any case, at the start of a word), best match first: the code, the exact name, a name that starts
    with the words, the words in the name, then the words anywhere (field, result)."""
    versions = version_list_current(today=today)
    if field is not None:
        versions = versions.filter(field=field)
    if agency_level:
        versions = versions.filter(agency_level=agency_level)
    if service_level:
        versions = versions.filter(service_level=service_level)
    if agency is not None:
        versions = versions.filter(agencies=agency)

    phrase = search_words(query)
    if not phrase:
        return versions.order_by("field__order", "name")
    words = phrase.split()
    for word in words:
        versions = versions.filter(search_text__contains=_word_pattern(word))
    score = (
        Case(When(procedure__code=query.strip(), then=Value(10000)), default=Value(0))
        + Case(When(search_name=f" {phrase} ", then=Value(1000)), default=Value(0))
        + Case(When(search_name__startswith=f" {phrase}", then=Value(400)), default=Value(0))
        + Case(When(search_name__contains=f" {phrase}", then=Value(200)), default=Value(0))
        + Case(When(Q(*(Q(search_name__contains=_word_pattern(w)) for w in words)), then=Value(100)), default=Value(0))
    )
    if has_diacritics(query):
        # Typed with diacritics: the name spelled exactly so outranks one that only folds the same.
        score = score + Case(When(search_exact__contains=exact(query), then=Value(50)), default=Value(0))
    rank = ExpressionWrapper(score, output_field=IntegerField())
    return versions.annotate(rank=rank).order_by("-rank", Length("name"), "name")


def _word_pattern(word: str) -> str:
    """A word matches at the start of a word ("chung thu" finds "chứng thực" while typing); a word of one
    or two letters ("tu", "ky") must match a whole word, or "khai tu" would find "khai sinh ... tục"."""
    return f" {word} " if len(word) <= 2 else f" {word}"


def procedure_get_current(*, code: str, today: date | None = None) -> ProcedureVersion | None:
    """The version of procedure ``code`` in force, with everything its page shows, or None."""
    return (
        version_list_current(today=today)
        .filter(procedure__code=code)
        .prefetch_related(
            "fees",
            "documents",
            "agencies",
            Prefetch("steps", queryset=RouteStep.objects.select_related("agency")),
        )
        .first()
    )


def field_list() -> QuerySet[Field]:
    return Field.objects.all()
