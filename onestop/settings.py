"""Settings of the one-stop portal, read from the environment (django-environ).

With no environment at all you get the embedded default: SQLite under ``var/``, Celery tasks run
in-process, mail and SMS written to files under ``var/``. Production differs only by environment
(see ``.env.example`` and ``docs/deployment.md``): with ``DEBUG=False`` no secret has a default and
``manage.py check --deploy`` is clean.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# The environment file: .env beside the code, or the one ONESTOP_ENV_FILE names (/etc/onestop/onestop.env
# on the plain systemd route). Variables already set in the process win over the file.
ENV_FILE = Path(os.environ.get("ONESTOP_ENV_FILE") or BASE_DIR / ".env")
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="local-only-insecure-key-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "onestop.errors.csrf_failure"  # in the person's language, with a way back
# The portal's public address, for links in mail, SMS and QR codes.
# The portal's address as people reach it: every link that leaves a page (SMS, e-mail, QR codes, the
# payment gateway's return and notification addresses, verification links) starts with it. `make run`
# sets it from HOST and PORT.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")
# Demo users have published passwords: `seed_demo` refuses to load them unless this is on.
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=DEBUG)

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "accounts",
    "procedures",
    "dossiers",
    "reports",
    "feedback",
    "operations",  # database roles, backup and restore
    "onestop",  # project-wide commands (seed_demo) that use every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # every page's Content-Security-Policy (static files need none)
    "onestop.middleware.LanguageMiddleware",
    "onestop.middleware.RequestSizeLimitMiddleware",  # before anything reads the body (CSRF does)
    # Input guard: a NUL or a lone surrogate anywhere in a request is a 400, before the
    # session (its cookie is a database key) and every view; INPUT_GUARD_ANSWERS below.
    "onestop.middleware.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # answers RATELIMIT_VIEW (429) when a limit is hit
]

# Input guard: where a refused request must be answered in another format than the
# portal's 400 page (or JSON under /api/): path prefix → dotted path of a view taking the request.
INPUT_GUARD_ANSWERS = {"/thanh-toan/vnpay/ipn/": "onestop.errors.payment_notification_refused"}

ROOT_URLCONF = "onestop.urls"
WSGI_APPLICATION = "onestop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "dossiers.context_processors.notifications",
                "dossiers.context_processors.site_script",
                "feedback.context_processors.feedback_handler",
                "onestop.page_cache.csrf_placeholder",  # last: wins over the built-in csrf_token
            ],
        },
    },
]

# Database: SQLite file for the embedded default, PostgreSQL in production and CI.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A desk clerk and a citizen may write at the same moment: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", False):
        # PostgreSQL's JIT compiles the report queries for longer than they run (measured in
        # bench/report_06a.py); the portal's queries are short, so it is off unless DATABASE_JIT=true.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Users and login
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses while a login is cooling off
    "accounts.backends.EmailOrPhoneBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
# Where staff land after logging in (unless they were on their way to a page): the first of their
# roles found in this order. Citizens land on LOGIN_REDIRECT_URL.
STAFF_LANDING_PAGES = [
    ("clerk", "dossiers:queue"),
    ("specialist", "dossiers:queue"),
    ("leader", "reports:dashboard"),
    ("feedback", "feedback:staff_inbox"),
]
# More indicators on the leaders' dashboard, counted by apps that reports does not import: each a
# function (agency, period, units, now) giving a reports.dashboard.ExtraIndicator.
DASHBOARD_EXTRA_INDICATORS = ["feedback.indicators.feedback_handled_on_time"]
LOGOUT_REDIRECT_URL = "home"
# Sessions end after SESSION_IDLE_MINUTES without a request (each request renews them).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
# Login lockout and phone confirmation (docs/accounts.md).
# Brute force: 5 failed logins for one account, on any of its identifiers (email, phone in any
# spelling) and from any address, pause logins to that account for 15 minutes; a value that names no
# account is counted as typed, so the answer never tells whether an account exists. On top, one
# client address that fails LOGIN_ADDRESS_FAILURE_LIMIT times within LOGIN_ADDRESS_WINDOW_MINUTES,
# over any accounts, may not log in for the same cool-off (accounts/lockout.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.backends.login_identifier"
AXES_HANDLER = "accounts.lockout.AccountLockoutHandler"
# axes.W006 asks for "ip_address" among the lockout parameters: axes would count it with the account's
# limit of 5 and forget it at every success from that address; the handler above counts the address on
# its own (20 an hour over any accounts) instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The reports' covering indexes include columns only PostgreSQL stores in an index (INCLUDE); SQLite
    # builds them on their key columns, which is all the embedded default needs: no warning at every start.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_WINDOW = timedelta(minutes=env.int("LOGIN_ADDRESS_WINDOW_MINUTES", default=60))
# Where a phone confirmation code is handed for sending: the notification outbox (the sender belongs
# to the dossiers app; accounts names it here and does not import it).
PHONE_CODE_SENDER = "dossiers.outbox.phone_code_send"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# Proxies in front of the portal that append to X-Forwarded-For (nginx: 1). Rate limits and login
# cool-offs count the client's address they recorded, not the proxy's.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "onestop.client_ip.client_ip"
RATELIMIT_VIEW = "onestop.views.rate_limited"
RATELIMIT_IP_META_KEY = "onestop.client_ip.client_ip"
# A cache outage must not lock citizens out of the status lookup.
RATELIMIT_FAIL_OPEN = True
# Public lookup and verification limits (dossiers/limits.py): the budgets of the status
# lookup (/tra-cuu/) and the verification page (/xac-thuc/), per client address, per code (however it
# is spelled) and for all addresses together; "<count>/<s|m|h|d>".
LOOKUP_RATE_PER_ADDRESS = env.str("LOOKUP_RATE_PER_ADDRESS", default="20/m")
LOOKUP_RATE_PER_CODE = env.str("LOOKUP_RATE_PER_CODE", default="10/h")
LOOKUP_RATE_ALL = env.str("LOOKUP_RATE_ALL", default="3000/h")
# Other codes the status lookup answers besides dossiers' (dossiers/views/citizen.py LookupView): dotted
# paths of objects with ``hint`` (shown under the form) and ``find(*, code, secret)`` returning None or
# {"template": ..., "result": ...}; asked in turn when no dossier matches. The apps named here depend on
# dossiers, never the reverse.
LOOKUP_PROVIDERS = ["feedback.lookup.provider"]
VERIFY_RATE_PER_ADDRESS = env.str("VERIFY_RATE_PER_ADDRESS", default="60/h")
VERIFY_RATE_PER_CODE = env.str("VERIFY_RATE_PER_CODE", default="10/h")
VERIFY_RATE_ALL = env.str("VERIFY_RATE_ALL", default="3000/h")
EMAIL_VERIFICATION_DAYS = 3
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Vietnamese first, English second; all times are Vietnam time.
LANGUAGE_CODE = "vi"
LANGUAGES = [
    ("vi", "Tiếng Việt"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Days typed and read day first (dd/mm/yyyy) in every form and the admin, in both languages.
FORMAT_MODULE_PATH = ["onestop.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Static files: our own copies (no CDN), served compressed by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# What no page loads, left out of STATIC_ROOT by scripts/collect_static.py (``make run``), which passes
# these to collectstatic as --ignore. A file a kept stylesheet or script names (its url(), its
# sourceMappingURL) has to stay: the manifest storage of production refuses to collect without it.
STATICFILES_IGNORE_PATTERNS = [
    "drf_spectacular_sidecar/redoc/*",  # only the Swagger UI is routed (/api/docs/), never ReDoc
    "drf_spectacular_sidecar/swagger-ui-dist/*.js.map",  # source maps its scripts do not name
    "drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.*",  # the API signs in by session, not OAuth2
    # The browsable API loads bootstrap.min.css (with its glyphicons fonts) and its own scripts only.
    "rest_framework/css/bootstrap-theme.min.css*",
    "rest_framework/css/font-awesome-*.css",
    "rest_framework/fonts/fontawesome-webfont.*",
    "rest_framework/img/glyphicons-halflings*.png",
    "fonts/DejaVu*",  # read from static/fonts by the PDF code (slips, registers, stamps), never by a browser
]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"
# Behind nginx: files are sent by nginx after Django's permission check (onestop/files.py); the prefix of
# nginx's internal location, e.g. /_protected/. Empty: Django streams them itself.
MEDIA_ACCEL_PREFIX = env.str("MEDIA_ACCEL_PREFIX", default="")
# Dossier files: checked by content, limited per file and per dossier, never served from MEDIA_URL.
DOSSIER_UPLOAD_TYPES = env.list("DOSSIER_UPLOAD_TYPES", default=["application/pdf", "image/jpeg", "image/png"])
DOSSIER_MAX_FILE_BYTES = env.int("DOSSIER_MAX_FILE_MB", default=10) * 1024 * 1024
DOSSIER_MAX_TOTAL_BYTES = env.int("DOSSIER_MAX_TOTAL_MB", default=50) * 1024 * 1024
DOSSIER_MAX_FILES = env.int("DOSSIER_MAX_FILES", default=30)
# Whether waiting for the applicant's financial obligation (national status 6) pauses the dossier's
# clock. Off by default: Decree 61/2018/NĐ-CP sets one time limit from reception to result; turn it on
# where the procedures' own law leaves that time out (land registration, for one). See docs/reports.md.
DOSSIER_PAYMENT_PAUSES_CLOCK = env.bool("DOSSIER_PAYMENT_PAUSES_CLOCK", default=False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 3600 if DEBUG else 365 * 24 * 3600
# Serve the collected, pre-compressed files even locally, as production does (``make run`` collects
# them). WHITENOISE_AUTOREFRESH=True serves the source files instead while editing CSS.
WHITENOISE_AUTOREFRESH = env.bool("WHITENOISE_AUTOREFRESH", default=False)
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH

# Caches. "default" holds the rate limits' counters: in-process by default, Redis in production
# (CACHE_URL). "pages" holds the public pages' copies (onestop/page_cache.py), only ever on a shared Redis
# and never in the counters' alias: PAGE_CACHE_URL, by default CACHE_URL when that is Redis (under a key
# prefix of its own); PAGE_CACHE_URL=off, or no Redis at all (the embedded mode), renders every page.
# On either, an unreachable Redis is a miss, never an error page (onestop/cache.py).
redis_backend = "django.core.cache.backends.redis.RedisCache"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == redis_backend:
    CACHES["default"]["BACKEND"] = "onestop.cache.FailOpenRedisCache"
PAGE_CACHE_URL = env.str("PAGE_CACHE_URL", default="") or (
    env.str("CACHE_URL") if CACHES["default"]["BACKEND"] == "onestop.cache.FailOpenRedisCache" else "off"
)
if PAGE_CACHE_URL != "off":
    CACHES["pages"] = env.cache_url_config(PAGE_CACHE_URL)
    if CACHES["pages"]["BACKEND"] != redis_backend:
        raise ImproperlyConfigured("PAGE_CACHE_URL must be a redis:// or rediss:// URL, or off")
    CACHES["pages"].update(BACKEND="onestop.cache.FailOpenPagesCache", KEY_PREFIX="pages")

# Mail: files under var/mail unless EMAIL_URL names a real server (smtp+tls://user:pass@host:587).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")
# A mail server that hangs holds one send this long at most (then it is retried), not a worker for good.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Một cửa điện tử <no-reply@motcua.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: written to files under var/sms by default (see onestop/sms.py).
SMS_BACKEND = env.str("SMS_BACKEND", default="onestop.sms.FileBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=VAR_DIR / "sms")
# SMS_BACKEND=onestop.sms.HttpGatewayBackend sends through an HTTP gateway configured here.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_USER = env.str("SMS_GATEWAY_USER", default="")
SMS_GATEWAY_PASSWORD = env.str("SMS_GATEWAY_PASSWORD", default="")
SMS_GATEWAY_SENDER = env.str("SMS_GATEWAY_SENDER", default="MOTCUA")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
# Texts without diacritics (GSM 7-bit, 160 characters, readable on any phone); off for a Unicode gateway.
SMS_PLAIN_TEXT = env.bool("SMS_PLAIN_TEXT", default=True)

# Agencies' signing keys and certificates for electronic results (dossiers/signing.py).
SIGNING_DIR = env.path("SIGNING_DIR", default=VAR_DIR / "signing")
# Where `manage.py backup` writes (operations/backup.py): keep it off the machine too.
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")

# Online payment through VNPAY (merchant code and secret from VNPAY). Without them the portal's own
# gateway simulator (/mo-phong/vnpay/) plays VNPAY, so a demo citizen can pay; never in production.
VNPAY_TMN_CODE = env.str("VNPAY_TMN_CODE", default="MOTCUA01")
# Without a secret in production, online payment is simply not offered.
VNPAY_HASH_SECRET = env.str("VNPAY_HASH_SECRET", default="demo-secret-for-the-simulator-only" if DEBUG else "")
# Empty: the portal's own simulator at PORTAL_URL (read when a payment starts, so `make run PORT=N`,
# which sets PORTAL_URL, sends the citizen to the simulator on that port).
VNPAY_URL = env.str("VNPAY_URL", default="")
VNPAY_EXPIRE_MINUTES = env.int("VNPAY_EXPIRE_MINUTES", default=15)
VNPAY_SIMULATOR = env.bool("VNPAY_SIMULATOR", default=DEBUG)
if VNPAY_SIMULATOR and not DEBUG:
    # The simulator signs "paid" notifications with the portal's secret: in production, free payments.
    raise ImproperlyConfigured("VNPAY_SIMULATOR is for the demo only: turn it off where DEBUG is off.")

# Celery: with no broker configured, tasks run in-process (eager) so the portal needs no services.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers keep their database connection between tasks, as the web keeps it between requests: each task
# starts with Django's per-request check (onestop/celery.py), so CONN_MAX_AGE and CONN_HEALTH_CHECKS
# apply, and a broken connection is replaced before the task's first query. Without this setting,
# Celery's Django fixup closes the connection around every task (a new PostgreSQL connection per
# message). The fixup still closes it after this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Each outside channel has its own queue, so a hung mail server or SMS gateway holds up only the workers
# that serve it (docs/deployment.md runs one worker per queue). A worker started without -Q serves all.
CELERY_TASK_DEFAULT_QUEUE = "celery"
NOTIFICATION_QUEUES = {"email": "mail", "sms": "sms"}
CELERY_TASK_QUEUES = [Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, *NOTIFICATION_QUEUES.values())]
# A task's hard and soft time limits (seconds); the outbox treats a send older than the hard limit and a
# minute as interrupted (dossiers/outbox.py). Shorter only for drills (bench/fault_drill.py).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = TIME_ZONE
# A web request must never wait long on a dead broker: one connection attempt of at most half a second,
# no publish retries (the outbox sweep re-queues what could not be queued, within a minute).
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 5,
    # Connecting to publish: one attempt, no waiting between retries (kombu's failover options).
    "max_retries": 0,
    "interval_start": 0,
    # A message taken by a worker that died without rejecting it comes back after this long; the
    # sweep has re-queued its outbox row long before, and delivery under a row lock sends it once.
    "visibility_timeout": 3600,
}
CELERY_RESULT_BACKEND = None
# A broker blip does not cancel a send in flight: it finishes and settles its outbox row; the message
# comes back from the broker later and finds the row sent (acks_late), so nothing is sent twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Periodic tasks, all of them, each with its schedule and why (times in TIME_ZONE).
CELERY_BEAT_SCHEDULE = {
    # Re-queue outbox rows still pending (broker down at commit, worker killed, retry time come).
    "notifications-sweep": {"task": "dossiers.tasks.notifications_sweep_task", "schedule": 60.0},
    # Before the working day: remind holders of dossiers due within one working day.
    "reminders": {"task": "dossiers.tasks.reminders_send_task", "schedule": crontab(hour=7, minute=0)},
    # Tell the leaders of each dossier that went overdue (once per dossier and deadline).
    "escalations": {"task": "dossiers.tasks.escalations_send_task", "schedule": crontab(hour=7, minute=5)},
    # Each morning: mail the reports of a cut-off month (and quarter) just closed, if not mailed yet.
    "reports-mailing": {"task": "reports.tasks.reports_mail_due_task", "schedule": crontab(hour=6, minute=30)},
    # Monday morning: each unit's overdue dossiers to its leaders.
    "weekly-digest": {
        "task": "dossiers.tasks.digests_send_task",
        "schedule": crontab(day_of_week="mon", hour=7, minute=10),
    },
    # Working mornings: remind feedback handlers of what is due by the next working day's close.
    "feedback-reminders": {
        "task": "feedback.tasks.feedback_reminders_send_task",
        "schedule": crontab(hour=7, minute=15),
    },
    # Tell the leaders of the unit holding each feedback left unanswered past its due time (once).
    "feedback-escalations": {
        "task": "feedback.tasks.feedback_escalations_send_task",
        "schedule": crontab(hour=7, minute=20),
    },
    # Each morning: each unit's overdue, due-today and new feedback to its leaders (districts read it daily).
    "feedback-digest": {
        "task": "feedback.tasks.feedback_digests_send_task",
        "schedule": crontab(hour=7, minute=25),
    },
    # Remove files visitors joined to feedback they never confirmed by SMS code (kept one day).
    "feedback-pending-files": {
        "task": "feedback.tasks.pending_files_sweep_task",
        "schedule": crontab(hour=7, minute=30),
    },
}
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=0.5)

# Forms and API
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
REST_FRAMEWORK = {
    # drf-spectacular's schema, with the errors each operation answers; JSON
    # nested too deep for Python is a 400 (DRF's own parser lets it through as a 500).
    "DEFAULT_SCHEMA_CLASS": "onestop.api_schema.PortalAutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "onestop.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # The API is used from the portal's own pages with the session cookie (and CSRF). HTTP Basic,
    # which sends the password with every request, is for trying the API by hand in development only;
    # either way the password is checked by authenticate(), under the login cool-offs.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        *(["rest_framework.authentication.BasicAuthentication"] if DEBUG else []),
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Một cửa điện tử API",
    "DESCRIPTION": _("API of the electronic one-stop portal for administrative procedures."),
    "VERSION": "1.0.0",
    # Swagger UI from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "dossiers.constants.Status",
        "ResultDeliveryEnum": "dossiers.constants.ResultDelivery",
        "FeedbackStatusEnum": "feedback.constants.FeedbackStatus",
        "FeedbackEventKindEnum": "feedback.constants.FeedbackEventKind",
    },
}

# Security. Production (DEBUG=False) is HTTPS-only behind a proxy that sets X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp) on every page. Everything comes from the portal itself, no
# inline script and no style attribute in the markup. A page that needs an inline block (the Swagger UI
# initialiser of /api/docs/) marks it with the request's nonce, which goes into the header of that page only.
# Forms are sent to the portal, and through a redirect to the payment gateway (browsers check form-action
# on the redirect too), so VNPAY_URL's origin is allowed, and PORTAL_URL's for the simulator's way back.


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *dict.fromkeys(filter(None, (_origin(PORTAL_URL), _origin(VNPAY_URL))))],
    },
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # fontTools reports every glyph it subsets while a result is signed, WeasyPrint every step of every
    # slip it lays out: only their warnings are news.
    "loggers": {
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}
