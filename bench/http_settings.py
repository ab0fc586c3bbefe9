"""Production settings plus one bare view (``/bench/bare/``), for the HTTP benchmarks only: gunicorn
runs with ``--pythonpath bench`` and ``DJANGO_SETTINGS_MODULE=http_settings`` (see ``_http.py``)."""

from onestop.settings import *  # noqa: F403

ROOT_URLCONF = "http_urls"
