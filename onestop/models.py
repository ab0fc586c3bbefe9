from django.db import models
from django.db.models import Q


class PublicPagesVersion(models.Model):
    """One row: the token every cached copy of a public page carries (``onestop.page_cache``). A write to
    what those pages show sets a new random token in the writer's own transaction, so a copy is served
    only while nothing it shows has changed since it was made. Random, not a counter: a backup put back
    or a transaction rolled back brings an old token back, never one a later copy was made under."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="public_pages_version_one_row")]

    def __str__(self) -> str:
        return self.token
