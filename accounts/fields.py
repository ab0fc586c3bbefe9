"""Model fields for optional unique identifiers: blank is stored as NULL (so many people can leave it
empty) and the value is normalised when cleaned, whether it comes from a form, the admin or a service."""

from django.db import models

from .validators import normalize_phone


class NullableCharField(models.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return (value or "").strip() or None


class PhoneNumberField(NullableCharField):
    """Stored as ``0xxxxxxxxx``; accepts ``+84 912 345 678`` and other common spellings as input."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value) or None if value else None

    def formfield(self, **kwargs):
        # The typed spelling (spaces, +84) may be longer than the stored one.
        return super().formfield(**{"max_length": 20, **kwargs})


class NullableEmailField(models.EmailField):
    """Stored in lower case, so one address is one account whatever its spelling."""

    def to_python(self, value):
        value = super().to_python(value)
        return (value or "").strip().lower() or None
