"""System checks for operators (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection


@checks.register("signing", deploy=True)
def signing_credentials_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An Error naming every agency that offers level-4 procedures but cannot sign their results.

    Says nothing when the database cannot be reached at all (``check --deploy`` also runs where
    there is none, such as an image build; ``/healthz`` is what reports a database that is down),
    and a Warning when it answers but cannot be read (not migrated): the check could not look."""
    from .signing import agencies_without_signing

    try:
        connection.ensure_connection()
    except DatabaseError:
        return []
    try:
        missing = agencies_without_signing()
    except DatabaseError as error:
        return [
            checks.Warning(
                f"Could not look for agencies without signing credentials: {error}".strip(),
                hint="Run `manage.py migrate`, then `manage.py check --deploy` again.",
                id="dossiers.W001",
            )
        ]
    if not missing:
        return []
    names = "; ".join(f"{agency.name} ({agency.code})" for agency in missing)
    return [
        checks.Error(
            "These active agencies offer level-4 procedures but have no signing credentials, so their "
            f"results cannot be signed: {names}.",
            hint=(
                f"Put each agency's private key and certificate in SIGNING_DIR ({settings.SIGNING_DIR}) as "
                "<agency code>.key.pem and <agency code>.cert.pem, with the issuing authority's ca.cert.pem "
                "beside them (see docs/results.md)."
            ),
            id="dossiers.E001",
        )
    ]
