"""Settings for Omnibus, read from the environment (12-factor).

Development defaults need no server: SQLite under var/ and kombu's filesystem broker.
DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

INSECURE_DEFAULT_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105

DEBUG = env.bool("DEBUG", default=False)
# OMNIBUS_ENV=production switches on the production checks below.
PRODUCTION = env.str("OMNIBUS_ENV", default="development") == "production"
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (OMNIBUS_ENV=production).")
    if SECRET_KEY == INSECURE_DEFAULT_SECRET or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("Set a real SECRET_KEY (40+ characters) in production.")

INSTALLED_APPS = [
    "comuni.admin_site.OmnibusAdminConfig",  # django.contrib.admin, with the staff second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "identita",
    "django_celery_beat",
    "django_htmx",
    "bootstrap_italia_template",
    "comuni",
    "consumatori",
    "mensa",
    "trasporto",
    "pagamenti",
    "notifiche",
    "iscrizioni",
    "pwa",
    "ufficio",
    "attivazione",
    "demo",
    "esercizio",
]

# The local test identity provider (an OIDC provider standing in for the SPID/CIE gateway) exists
# only in development, the demo and the tests; production settings never mount it.
IDP_TEST_ENABLED = not PRODUCTION and env.bool("IDP_TEST_ENABLED", default=True)
if IDP_TEST_ENABLED:
    INSTALLED_APPS += ["oauth2_provider", "idp_test"]

MIDDLEWARE = [
    "esercizio.metrics.RequestMetricsMiddleware",
    "omnibus.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "omnibus.input.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "omnibus.locale.ItalianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "comuni.access.StaffAccessMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "omnibus.tenancy.ComuneScopeMiddleware",
]

ROOT_URLCONF = "omnibus.urls"
WSGI_APPLICATION = "omnibus.wsgi.application"

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
                "omnibus.tenancy.comune_context",
                "comuni.access.area_context",
                "iscrizioni.context_processors.iscrizioni_aperte",
                # The CSRF token as a placeholder while a cacheable family page renders (page_cache).
                "consumatori.page_cache.csrf_placeholder",
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'omnibus.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: our statements are short OLTP reads and set-based writes over a comune, where
    # PostgreSQL's cost threshold still starts it and compiling costs more than it saves (the debtors page
    # of 100,000 accounts spent 200 ms of its 660 compiling; EXPLAIN ANALYZE shows it as "JIT: Timing").
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# An optional read replica for the office's lists, reports and exports (omnibus.db_router); money paths and
# family pages always read the primary. In the tests it mirrors the primary (TEST MIRROR).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**env.db("DATABASE_REPLICA_URL"), "ATOMIC_REQUESTS": False,
                            "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0), "CONN_HEALTH_CHECKS": True,
                            "OPTIONS": DATABASES["default"].get("OPTIONS", {}), "TEST": {"MIRROR": "default"}}
USE_READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["omnibus.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "comuni.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: families log in with e-mail and password, or with SPID/CIE (OIDC, below).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "comuni.forms.RegistrazioneForm", "login": "comuni.forms.AccessoForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Omnibus] "
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
# After a password change this session stays; Django's session hash check ends every other one.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Rate limits per address (ip) and per account (key/user): login, registration, password reset and the
# family's linking-code attempts ("link_code", used by consumatori.linking).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "link_code": "10/h/ip,5/h/user",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "comuni.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "identita.adapters.IdentitaDigitaleAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the identity provider vouches for the e-mail it sends
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an account is found by codice fiscale, never by e-mail
SOCIALACCOUNT_STORE_TOKENS = False
# A CIE login without an e-mail claim: one short page asks for an address to verify.
SOCIALACCOUNT_FORMS = {"signup": "identita.forms.EmailIdentitaForm"}
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Omnibus")
# Staff accounts (any role) open nothing but public pages, logout and the TOTP set-up until their session
# passed a second factor: decided from the role in comuni.access.StaffAccessMiddleware, for every URL.

# SPID and CIE through the comune's identity gateway: a proxy speaking SPID SAML / CIE OIDC to the
# national identity providers and plain OIDC to us (see README). One OIDC client per button.
# Without configuration, in development, both buttons lead to the local test identity provider.
IDP_TEST_PORTAL_URL = f"http://{env.str('HOST', default='127.0.0.1')}:{env.str('PORT', default='8000')}"
_IDP_TEST_URL = f"{IDP_TEST_PORTAL_URL}/idp-test/o"
# The portal's public address, printed (with its QR code) on the families' letters (attivazione.lettere).
PORTALE_URL = env.str("PORTALE_URL", default=IDP_TEST_PORTAL_URL).rstrip("/")
SOCIALACCOUNT_PROVIDERS = {
    "spidcie": {
        "APPS": [
            {
                "provider_id": provider_id,
                "name": label,
                "client_id": env.str(f"{prefix}_OIDC_CLIENT_ID", default=f"omnibus-{provider_id}" * IDP_TEST_ENABLED),
                "secret": env.str(f"{prefix}_OIDC_CLIENT_SECRET", default="idp-test-secret" * IDP_TEST_ENABLED),
                "settings": {
                    "server_url": env.str(f"{prefix}_OIDC_SERVER_URL", default=_IDP_TEST_URL * IDP_TEST_ENABLED),
                    "oauth_pkce_enabled": True,
                    "token_auth_method": "client_secret_post",
                    "scope": ["openid", "profile", "email"],
                },
            }
            for provider_id, label, prefix in (("spid", "SPID", "SPID"), ("cie", "CIE", "CIE"))
            if IDP_TEST_ENABLED or env.str(f"{prefix}_OIDC_SERVER_URL", default="")
        ]
    }
}
LOGIN_URL = "home"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Private files (medical certificates of the enrolment applications): outside MEDIA_ROOT, never
# served by URL; iscrizioni's permission-checked view reads them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
# Largest medical certificate a family may upload.
ISCRIZIONI_CERTIFICATO_MAX_BYTES = 5 * 1024 * 1024
# Files (omnibus/storage.py): "default" (the comuni's stemmi) and "private" (medical certificates). FILE_STORAGE=local
# keeps them on disk (MEDIA_ROOT, PRIVATE_MEDIA_ROOT); FILE_STORAGE=s3 on S3-compatible object storage, in one
# private bucket under media/ and private/, encrypted at rest, never public: browsers get them only from our views.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
if FILE_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("FILE_STORAGE must be 'local' or 's3'.")
if FILE_STORAGE == "s3":
    _S3_OPTIONS = {
        "bucket_name": env.str("S3_BUCKET"),
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("S3_REGION", default="") or None,
        "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
        "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,
        # Server-side encryption of every object: AES256 (the store's keys) or aws:kms with S3_KMS_KEY_ID.
        "object_parameters": {"ServerSideEncryption": env.str("S3_SSE", default="AES256")}
        | ({"SSEKMSKeyId": env.str("S3_KMS_KEY_ID")} if env.str("S3_KMS_KEY_ID", default="") else {}),
    }
    _DEFAULT_STORAGE = {"BACKEND": "omnibus.storage_s3.MediaS3Storage", "OPTIONS": {**_S3_OPTIONS, "location": "media"}}
    _PRIVATE_STORAGE = {"BACKEND": "omnibus.storage_s3.PrivateS3Storage",
                        "OPTIONS": {**_S3_OPTIONS, "location": "private"}}
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _PRIVATE_STORAGE = {"BACKEND": "omnibus.storage.PrivateFileSystemStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "private": _PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or not PRODUCTION
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Backups (esercizio.backup, `make backup`, `make restore-drill`): where, how many, and the passphrase
# that encrypts them (gpg, AES-256; empty = not encrypted: keep the directory on encrypted storage).
BACKUP_DIR = env.path("BACKUP_DIR", default=str(VAR_DIR / "backups"))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
BACKUP_PASSPHRASE = env.str("BACKUP_PASSPHRASE", default="")

# E-mail: console in development; EMAIL_URL (smtp://...) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Omnibus <noreply@omnibus.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (no server needed).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "broker"
    for _sub in ("in", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "in"),
        "data_folder_out": str(_queue_dir / "in"),
        "processed_folder": str(_queue_dir / "processed"),
        # Broadcast (control) exchanges too, or kombu writes them into the current directory.
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # A broker that does not answer is noticed at once (omnibus.publish leaves the work to the sweepers).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a request: one quick retry, then omnibus.publish leaves the work to the outbox's sweeper.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queues by urgency, so that at 09:00 a family's confirmation never waits behind a clerk's 1,000 letters:
# - interattiva: what a family or a clerk is waiting for now (messages, payments made payable and credited,
#   the kitchen count at the cut-off, the watchdog);
# - massiva: letters, exports, reports, reminders, bounces, reconciliation, consolidation (and anything new);
# - notturna: the nightly debits and housekeeping.
# `make run` runs one worker on all three (Procfile); docker-compose one worker per queue.
CELERY_TASK_DEFAULT_QUEUE = "massiva"
CELERY_QUEUES_BY_URGENCY = ("interattiva", "massiva", "notturna")
CELERY_TASK_ROUTES = {
    "notifiche.tasks.*": {"queue": "interattiva"},
    "pagamenti.tasks.posizione_publish_task": {"queue": "interattiva"},
    "pagamenti.tasks.posizioni_poll_all": {"queue": "interattiva"},
    "pagamenti.tasks.posizioni_poll_task": {"queue": "interattiva"},
    "pagamenti.tasks.avviso_email_task": {"queue": "interattiva"},
    "mensa.tasks.kitchen_counts_due": {"queue": "interattiva"},
    "mensa.tasks.kitchen_count_send": {"queue": "interattiva"},
    "esercizio.tasks.*": {"queue": "interattiva"},
    "mensa.tasks.meal_debit_all": {"queue": "notturna"},
    "mensa.tasks.diete_scadute_elimina": {"queue": "notturna"},
    "mensa.tasks.meal_debit_comune": {"queue": "notturna"},
    "trasporto.tasks.mensilita_debit_due": {"queue": "notturna"},
    "trasporto.tasks.mensilita_debit_task": {"queue": "notturna"},
    "comuni.tasks.housekeeping": {"queue": "notturna"},
    "pagamenti.tasks.partizioni_prepara_task": {"queue": "notturna"},
    "ufficio.tasks.*": {"queue": "massiva"},
    "pagamenti.riconciliazione.tasks.*": {"queue": "massiva"},
    "pagamenti.tasks.saldi_consolida_task": {"queue": "massiva"},
    "mensa.tasks.variazione_menu_notify": {"queue": "massiva"},
    "trasporto.tasks.solleciti_trasporto_task": {"queue": "massiva"},
}
# The access log (comuni.EventoAccesso: e-mail and IP of logins, failures, locks) is deleted after these days by
# the daily housekeeping (comuni.tasks.housekeeping).
ACCESSI_CONSERVAZIONE_GIORNI = env.int("ACCESSI_CONSERVAZIONE_GIORNI", default=365)
if not 30 <= ACCESSI_CONSERVAZIONE_GIORNI <= 3650:
    raise ImproperlyConfigured("ACCESSI_CONSERVAZIONE_GIORNI: between 30 and 3650 days.")
# A consumer's diet (health data) is deleted these days after its end (mensa.tasks.diete_scadute_elimina, daily).
DIETE_CONSERVAZIONE_GIORNI = env.int("DIETE_CONSERVAZIONE_GIORNI", default=365)
if not 0 <= DIETE_CONSERVAZIONE_GIORNI <= 3650:
    raise ImproperlyConfigured("DIETE_CONSERVAZIONE_GIORNI: between 0 and 3650 days.")
CELERY_BEAT_SCHEDULE = {
    "pulizia-giornaliera": {
        "task": "comuni.tasks.housekeeping",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=3, minute=30),
    },
    # The applications' data life (iscrizioni.conservazione): certificates, anonymisation, drafts, download log.
    "iscrizioni-conservazione-dati": {
        "task": "iscrizioni.tasks.conservazione_dati_all",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=3, minute=45),
    },
    "mensa-diete-concluse": {
        "task": "mensa.tasks.diete_scadute_elimina",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=3, minute=50),
    },
    # Canteen: the kitchen count right after each comune's cut-off, the meal debit every night.
    "mensa-conteggio-cucina": {
        "task": "mensa.tasks.kitchen_counts_due",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(minute="*/5", hour="6-14"),
    },
    "mensa-addebito-notturno": {
        "task": "mensa.tasks.meal_debit_all",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=22, minute=30),
    },
    # The accounts' consolidated sums (pagamenti.consolidamento): every hour, so that the reads over every
    # account of a comune add at most an hour of movements (the night's meals from the 22:30 debit on).
    "pagamenti-saldi-consolidati": {
        "task": "pagamenti.tasks.saldi_consolida_task",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(minute=50),
    },
    # The ledger's partition of the next school year, made months before its first row (pagamenti.partizioni).
    "pagamenti-partizioni-registro": {
        "task": "pagamenti.tasks.partizioni_prepara_task",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=3, minute=10),
    },
    "pagopa-verifica-posizioni": {
        "task": "pagamenti.tasks.posizioni_poll_all",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(minute="*/10"),
    },
    # Each comune's transport fee, on the debit day it chose (the task checks the day per comune).
    # pagoPA reconciliation: the flows the intermediary drops in FDR_IMPORT_DIR, then open anomalies re-matched.
    "pagopa-flussi-rendicontazione": {
        "task": "pagamenti.riconciliazione.tasks.fdr_cartella_import",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(minute=15),
    },
    "pagopa-fdr-api": {
        "task": "pagamenti.riconciliazione.tasks.fdr_api_sync_all",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(minute=45),
    },
    "trasporto-mensilita": {
        "task": "trasporto.tasks.mensilita_debit_due",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=6, minute=0),
    },
    # The notifications' outbox and the office's queued reminder jobs: what was committed while the broker was
    # down, published again (omnibus.publish.sweepers_run).
    "notifiche-consegne-in-sospeso": {
        "task": "notifiche.tasks.consegne_in_sospeso",
        "schedule": 60.0,
    },
    # The watchdog of the nightly debits and the receipts poll (esercizio.alerts): missed deadlines e-mailed.
    "esercizio-lavori-controllo": {
        "task": "esercizio.tasks.lavori_check_task",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(minute="*/5"),
    },
    # The bounces of the reminder e-mails, read from BOUNCE_MAILBOX (nothing when it is empty).
    "ufficio-rimbalzi": {
        "task": "ufficio.tasks.rimbalzi_leggi_task",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(minute="*/15"),
    },
    # The registry files uploaded for a preview and never applied are emptied after a day.
    "attivazione-importazioni-pulisci": {
        "task": "attivazione.tasks.importazioni_pulisci",
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=3, minute=30),
    },
}

# Bounces of the reminder e-mails: the mailbox they reach (maildir:///path/Maildir, imaps://user:pass@host:993/INBOX,
# imap://...; empty = not read), the envelope sender of the reminders (empty = DEFAULT_FROM_EMAIL) and how many days
# back a bounce without the original headers is matched by address.
BOUNCE_MAILBOX = env.str("BOUNCE_MAILBOX", default="")
BOUNCE_ADDRESS = env.str("BOUNCE_ADDRESS", default="")
BOUNCE_FALLBACK_DAYS = env.int("BOUNCE_FALLBACK_DAYS", default=7)
# Reporting-MTA names whose DSNs may name a reminder by the failed address alone (no signed Message-ID).
BOUNCE_TRUSTED_MTAS = env.list("BOUNCE_TRUSTED_MTAS", default=[])

# Folder where the pagoPA intermediary drops FdR XML files (empty: no folder import); upload limit.
FDR_IMPORT_DIR = env.str("FDR_IMPORT_DIR", default="")
FDR_MAX_BYTES = env.int("FDR_MAX_BYTES", default=20 * 1024 * 1024)

CACHES = {
    "default": (
        # Django's backend, keeping one redis-py client per pool, whose errors are misses (omnibus/cache.py):
        # with Redis down the portal serves from PostgreSQL.
        {"BACKEND": "omnibus.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Where the keys an outage must not drop live while Redis is down (omnibus.cache): Django's database cache,
    # one table every process shares (created by the migration esercizio 0002). Room for an attack's keys.
    "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "omnibus_cache_fallback",
                 "OPTIONS": {"MAX_ENTRIES": 100_000}},
}
# The keys whose loss during a Redis outage would open a door: allauth's rate limits (login, sign-up, password
# reset, linking codes: ACCOUNT_RATE_LIMITS) and the TOTP codes already used (no replay). Prefixes.
CACHE_OUTAGE_FALLBACK_KEYS = ["allauth:rl:", "allauth.mfa.totp.used"]
# Entries that writes dropped during a Redis outage would leave stale: version stamps (omnibus.stamps) and
# cached sessions (a logout). Each process forgets them before using Redis again (omnibus.cache).
CACHE_FORGET_AFTER_OUTAGE = ["stamp:v1:*", "django.contrib.sessions.cached_db*"]

# Family pages (CITTADINO, Dettaglio, Pagamenti) cached whole in the shared cache, keyed on version
# stamps bumped by every write (consumatori.page_cache, omnibus.stamps). Only with Redis: with the
# in-process cache of `make run` the Celery worker's writes could not reach the web server's cache.
# 0 turns it off.
FAMILY_PAGE_CACHE_SECONDS = env.int("FAMILY_PAGE_CACHE_SECONDS", default=600 if REDIS_URL else 0)

# Sessions and cookies. With Redis, sessions are read from the cache and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
# Canteen operators who tick "tablet" at login stay signed in until the end of the service day, at most.
SESSION_TABLET_MAX_SECONDS = env.int("SESSION_TABLET_MAX_SECONDS", default=60 * 60 * 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own static files, no inline script, no
# third-party origin at all. Inline style attributes stay allowed: the admin and Bootstrap Italia use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

MESSAGE_TAGS = {40: "danger"}

# Logs: one JSON object per line in production (LOG_FORMAT=json; python-json-logger), each with the request
# id of the request, or of the request that queued the task (omnibus.logging); plain text in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "omnibus.logging.OneLineRefusals"},
                "request_id": {"()": "omnibus.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals", "request_id"],
                             "formatter": LOG_FORMAT if LOG_FORMAT in ("json", "text") else "text"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                # flufl.bounce logs every detector it runs at INFO.
                "flufl.bounce": {"level": "WARNING"}},
}

# The local test identity provider (django-oauth-toolkit with OpenID Connect), development only.
if IDP_TEST_ENABLED:
    OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": __import__("idp_test.keys", fromlist=["_"]).private_key_pem(VAR_DIR / "idp_rsa.pem"),
        "PKCE_REQUIRED": True,
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
        "SCOPES": {"openid": "OpenID Connect", "profile": "Nome e cognome", "email": "E-mail"},
        "OAUTH2_VALIDATOR_CLASS": "idp_test.validators.IdentitaTestValidator",
    }

# Web Push (RFC 8030/8291/8292). WEBPUSH_VAPID_PRIVATE_KEY: a P-256 key in PEM (newlines as \\n); without
# it production sends no push (development and tests make a key in var/). Endpoints must be https;
# WEBPUSH_ALLOWED_HTTP_HOSTS lists hosts allowed over http (the tests' local fake push service only).
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env.str("WEBPUSH_VAPID_SUBJECT", default="mailto:noreply@omnibus.localhost")
WEBPUSH_ALLOWED_HTTP_HOSTS = env.list("WEBPUSH_ALLOWED_HTTP_HOSTS", default=[])
# The browsers' push services a subscription may name (exact host, or "*.domain" for its subdomains); no
# other host is ever contacted, whatever it resolves to. Google FCM (Chrome, Edge on Android), Mozilla
# autopush (Firefox), Apple (Safari), Windows WNS (legacy Edge).
PUSH_SERVICE_HOSTS = env.list("PUSH_SERVICE_HOSTS", default=[
    "fcm.googleapis.com", "android.googleapis.com",
    "updates.push.services.mozilla.com", "push.services.mozilla.com",
    "web.push.apple.com", "*.push.apple.com",
    "*.notify.windows.com",
])
WEBPUSH_TIMEOUT_SECONDS = env.float("WEBPUSH_TIMEOUT_SECONDS", default=10.0)

# App IO (Services API). Each comune enters its services' keys in the admin.
APP_IO_BASE_URL = env.str("APP_IO_BASE_URL", default="https://api.io.pagopa.it/api/v1")
APP_IO_TIMEOUT_SECONDS = env.float("APP_IO_TIMEOUT_SECONDS", default=10.0)

# The store apps (README "App negli store", docs/app.md): one platform app for every comune, an Android
# Trusted Web Activity and an iOS WKWebView shell opening APP_HOST. /.well-known/assetlinks.json lists the
# Android packages (the first is the Play Store app's) with the SHA-256 fingerprints of their signing keys (the
# upload key's and Play App Signing's); /.well-known/apple-app-site-association the iOS team and bundle ids.
# Each answers 404 while empty.
APP_HOST = env.str("APP_HOST", default="")
APP_ANDROID_PACKAGES = env.list("APP_ANDROID_PACKAGES", default=[])
APP_ANDROID_FINGERPRINTS = [f.strip().upper() for f in env.list("APP_ANDROID_FINGERPRINTS", default=[])]
APP_IOS_TEAM_ID = env.str("APP_IOS_TEAM_ID", default="")
APP_IOS_BUNDLE_IDS = env.list("APP_IOS_BUNDLE_IDS", default=[])
for _fingerprint in APP_ANDROID_FINGERPRINTS:
    if not re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", _fingerprint):
        raise ImproperlyConfigured(f"APP_ANDROID_FINGERPRINTS: {_fingerprint!r} is not a SHA-256 fingerprint (AB:…).")
for _package in APP_ANDROID_PACKAGES:
    if not re.fullmatch(r"[a-zA-Z][\w]*(\.[a-zA-Z][\w]*)+", _package):
        raise ImproperlyConfigured(f"APP_ANDROID_PACKAGES: {_package!r} is not an Android package name.")
for _bundle in APP_IOS_BUNDLE_IDS:
    if not re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", _bundle):
        raise ImproperlyConfigured(f"APP_IOS_BUNDLE_IDS: {_bundle!r} is not a bundle id (it.omnibus.app).")
if APP_IOS_TEAM_ID and not re.fullmatch(r"[A-Z0-9]{10}", APP_IOS_TEAM_ID):
    raise ImproperlyConfigured("APP_IOS_TEAM_ID: ten capital letters or digits, as the Apple Developer account shows.")

# /metrics (esercizio.metrics) answers only with "Authorization: Bearer <METRICS_TOKEN>"; unset, it is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Optional error tracking (sentry-sdk): off unless SENTRY_DSN is set; no personal data is sent (no user,
# cookies, headers or bodies: send_default_pii=False, and request bodies never).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, max_request_body_size="never",
                    environment=env.str("SENTRY_ENVIRONMENT", default="production" if PRODUCTION else "development"),
                    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))

# Bootstrap Italia assets are served locally (no CDN: privacy and CSP).
DJANGO_BOOTSTRAP_ITALIA_USE_CDN = False
