"""Date formats of the portal, for Vietnamese and English alike: days are read and typed day first
(dd/mm/yyyy) everywhere, the admin included; 02/09/2021 is 2 September, and an impossible day (31/02)
is refused, never read the other way round. Django's own English formats read 02/09/2021 as 9 February;
its Vietnamese ones have no input formats at all and fall back to the same month-first list."""

# Day first only: no month-first pattern, so nothing is ever swapped. ISO (as date inputs, links and the
# API send it) is understood too.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%H:%M %d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
]
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
