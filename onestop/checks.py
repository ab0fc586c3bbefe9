"""Deploy checks on the portal's secrets (``manage.py check --deploy``).

With ``DEBUG`` off, a secret that is a known placeholder (``change-me``, the values ``.env.example``
ships, ``django-insecure-…``, the demo's own keys), too short, made of too few different characters, or
empty where its feature is on is an Error, so ``check --deploy`` (and the deploy scripts that run it)
fails. With ``DEBUG`` on (``make run``, the tests) the embedded defaults are placeholders on purpose and
nothing is reported.

Minimum lengths (see docs/deployment.md, "Secrets"):

- ``SECRET_KEY`` (and each of ``SECRET_KEY_FALLBACKS``): 50 characters, Django's own bar;
- ``VNPAY_HASH_SECRET``: 32 characters, the length of the secrets VNPAY issues;
- passwords the operator chooses (the database in ``DATABASE_URL``, the broker and the cache): 16;
- passwords a provider issues (the mail server in ``EMAIL_URL``, ``SMS_GATEWAY_PASSWORD``): 8.
"""

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core import checks

SECRET_KEY_MIN_LENGTH = 50
VNPAY_SECRET_MIN_LENGTH = 32
CHOSEN_PASSWORD_MIN_LENGTH = 16
ISSUED_PASSWORD_MIN_LENGTH = 8
# Fewer different characters than this is a pattern ("aaaa…", "0000…"), not a secret.
MIN_DIFFERENT_CHARACTERS = 8

# Compared with letters and digits only, lower case: "Change-Me", "change_me" and "changeme" are one.
PLACEHOLDERS = frozenset(
    {
        "admin",
        "changeme",
        "default",
        "demo",
        "guest",
        "password",
        "postgres",
        "secret",
        "test",
        # the portal's own embedded defaults (onestop/settings.py, the Dockerfile's build step)
        "buildtimeonly",
        "demosecretforthesimulatoronly",
        "localonlyinsecurekeyneveruseinproduction",
    }
)
# A value containing one of these is a placeholder someone forgot to replace.
PLACEHOLDER_WORDS = ("changeme", "replacewith", "placeholder", "insecure", "yoursecret", "simulatoronly")
# Hosts reserved for documentation (RFC 2606, RFC 6761): an address there is a placeholder.
EXAMPLE_HOST = re.compile(r"(^|\.)(example(\.[a-z]+)?|invalid|test)$")


def secret_weakness(value: str | None, *, min_length: int) -> str | None:
    """Why ``value`` cannot serve as a secret ("empty", "a placeholder", ...), or None when it can."""
    if not value:
        return "empty"
    folded = re.sub(r"[^a-z0-9]", "", value.lower())
    if folded in PLACEHOLDERS or any(word in folded for word in PLACEHOLDER_WORDS):
        return "a placeholder"
    if len(value) < min_length:
        return f"shorter than {min_length} characters"
    if len(set(value)) < MIN_DIFFERENT_CHARACTERS:
        return f"made of fewer than {MIN_DIFFERENT_CHARACTERS} different characters"
    return None


def _url_password(url: str) -> str:
    try:
        password = urlsplit(url).password
    except ValueError:
        return ""
    return unquote(password or "")


def _error(what: str, problem: str, hint: str, id: str) -> checks.Error:
    return checks.Error(f"{what} is {problem}.", hint=hint, id=id)


@checks.register(checks.Tags.security, deploy=True)
def secrets_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An Error for each secret of the production environment that is a placeholder or weak."""
    if settings.DEBUG:
        return []
    errors = []
    generate = 'python -c "import secrets; print(secrets.token_urlsafe(64))"'

    for index, key in enumerate([settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]):
        problem = secret_weakness(key, min_length=SECRET_KEY_MIN_LENGTH)
        if problem:
            name = "SECRET_KEY" if index == 0 else f"SECRET_KEY_FALLBACKS[{index - 1}]"
            errors.append(_error(name, problem, f"Set it to a new random value: {generate}.", "onestop.E001"))

    secret = settings.VNPAY_HASH_SECRET
    if secret:
        problem = secret_weakness(secret, min_length=VNPAY_SECRET_MIN_LENGTH)
        if problem:
            errors.append(
                _error(
                    "VNPAY_HASH_SECRET",
                    problem,
                    "Set it to the hash secret of the merchant contract with VNPAY, or leave it empty (and "
                    "VNPAY_URL with it) to offer no online payment. The IPN refuses every notification meanwhile.",
                    "onestop.E002",
                )
            )
        if not settings.VNPAY_URL and not settings.VNPAY_SIMULATOR:
            errors.append(
                checks.Error(
                    "VNPAY_HASH_SECRET is set but VNPAY_URL is empty: citizens would be sent to the demo "
                    "simulator, which is off.",
                    hint="Set VNPAY_URL to VNPAY's payment page (https://pay.vnpay.vn/vpcpay.html).",
                    id="onestop.E003",
                )
            )
    elif settings.VNPAY_URL:
        errors.append(
            _error(
                "VNPAY_HASH_SECRET",
                "empty while VNPAY_URL is set (online payment is then not offered)",
                "Set it to the hash secret of the merchant contract, or leave VNPAY_URL empty.",
                "onestop.E002",
            )
        )

    for alias, database in settings.DATABASES.items():
        password = database.get("PASSWORD") or ""
        # No password at all: the role logs in another way (peer, certificate, .pgpass).
        problem = password and secret_weakness(password, min_length=CHOSEN_PASSWORD_MIN_LENGTH)
        if problem:
            name = "DATABASE_URL" if alias == "default" else f"the URL of database {alias!r}"
            errors.append(
                _error(
                    f"The password in {name}",
                    problem,
                    "Give the portal's role a new random password (db_roles sets it from DATABASE_URL).",
                    "onestop.E004",
                )
            )

    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        user, password = settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD
        problem = (user or password) and secret_weakness(password, min_length=ISSUED_PASSWORD_MIN_LENGTH)
        if problem:
            errors.append(
                _error(
                    "The mail server's password in EMAIL_URL",
                    problem,
                    "Put the mailbox's real password in EMAIL_URL (percent-encoded), or no user and no "
                    "password for a relay that needs none.",
                    "onestop.E005",
                )
            )

    if settings.SMS_BACKEND == "onestop.sms.HttpGatewayBackend":
        host = (urlsplit(settings.SMS_GATEWAY_URL).hostname or "").lower()
        if not host or EXAMPLE_HOST.search(host):
            errors.append(
                checks.Error(
                    f"SMS_GATEWAY_URL ({settings.SMS_GATEWAY_URL or 'empty'}) is not a real gateway's address.",
                    hint="Set it to the address of the SMS gateway in the contract.",
                    id="onestop.E006",
                )
            )
        user, password = settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_PASSWORD
        problem = (user or password) and secret_weakness(password, min_length=ISSUED_PASSWORD_MIN_LENGTH)
        if problem:
            errors.append(
                _error(
                    "SMS_GATEWAY_PASSWORD",
                    problem,
                    "Set it to the key the SMS gateway issued for this account.",
                    "onestop.E007",
                )
            )

    locations = []
    for cache in settings.CACHES.values():
        location = cache.get("LOCATION") or ""
        locations += [("CACHE_URL", url) for url in ([location] if isinstance(location, str) else location)]
    for name, url in [("CELERY_BROKER_URL", settings.CELERY_BROKER_URL), *locations]:
        password = _url_password(url or "")
        problem = password and secret_weakness(password, min_length=CHOSEN_PASSWORD_MIN_LENGTH)
        if problem:
            errors.append(
                _error(
                    f"The password in {name}",
                    problem,
                    "Give the broker or cache a new random password and put it in the URL.",
                    "onestop.E008",
                )
            )
    return errors
