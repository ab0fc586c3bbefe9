"""Form widgets the apps share."""

from datetime import datetime

from django import forms

DAY_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]  # what a person types, and what links and the API send


class DayInput(forms.DateInput):
    """A day typed day first (dd/mm/yyyy), whatever the browser's own language: a text box, not the
    browser's date picker (which shows mm/dd/yyyy on a browser set to English). A day sent as
    yyyy-mm-dd is shown day first; anything else exactly as it was typed, to be corrected."""

    def __init__(self, attrs=None):
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs, format="%d/%m/%Y")

    def format_value(self, value):
        if isinstance(value, str):
            for pattern in DAY_FORMATS:
                try:
                    day = datetime.strptime(value.strip(), pattern).date()
                except ValueError:
                    continue
                return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"  # %Y would drop a year's zeros
            return value
        return super().format_value(value)


MOMENT_FORMATS = ["%d/%m/%Y %H:%M", "%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class MomentInput(forms.DateTimeInput):
    """A day and a time typed day first ("dd/mm/yyyy hh:mm"), whatever the browser's language; a value
    that does not read as one is shown back as it was typed, to be corrected."""

    def __init__(self, attrs=None):
        attrs = {"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs, format="%d/%m/%Y %H:%M")

    def format_value(self, value):
        if isinstance(value, str):
            for pattern in MOMENT_FORMATS:
                try:
                    return datetime.strptime(value.strip(), pattern).strftime("%d/%m/%Y %H:%M")
                except ValueError:
                    continue
            return value
        return super().format_value(value)
