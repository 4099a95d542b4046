"""Fazhi settings: one module, configured from environment variables (see .env.example).

With no environment set it runs as the embedded demo: SQLite in ``var/``, DEBUG on, localhost only.
A deployment sets FAZHI_ENV=production and the variables ``fazhi check --deploy`` asks for.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FAZHI_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("FAZHI_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

# A development key is generated per checkout; production must set FAZHI_SECRET_KEY.
# An empty key in production makes Django refuse to start; check --deploy names the variable.
SECRET_KEY = os.environ.get("FAZHI_SECRET_KEY", "") or (
    "" if PRODUCTION else "django-insecure-development-only-" + str(BASE_DIR)
)

DEBUG = _env_bool("FAZHI_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = _env_list(
    "FAZHI_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = _env_list("FAZHI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_include_bootstrap",
    "js_lib_htmx",
    "js_lib_bootstrap_icons",
    "django_tomselect",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "fazhi.core",
    "fazhi.registry",
    "fazhi.inspections",
    "fazhi.enforcement",
    "fazhi.discretion",
    "fazhi.matters",
    "fazhi.credit",
    "fazhi.appeals",
    "fazhi.disputes",
    "fazhi.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fazhi.core.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fazhi.core.middleware.FazhiErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fazhi.urls"
WSGI_APPLICATION = "fazhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fazhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fazhi.core.context_processors.navigation",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
# FAZHI_DATABASE_URL (e.g. postgres://fazhi@db/fazhi); SQLite in var/ when unset.
# Tests use FAZHI_TEST_DATABASE_URL when it is set (make test sets it when PostgreSQL answers).
_test_db_url = os.environ.get("FAZHI_TEST_DATABASE_URL")
_db_url = _test_db_url or os.environ.get("FAZHI_DATABASE_URL")
if _db_url:
    # Tests close every connection after each request: a live-server thread's persistent
    # connection would otherwise keep the test database open at teardown.
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=0 if _test_db_url else 60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "fazhi.sqlite3"),
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fazhi.core.passwords.CharacterClassValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "core:login"

# --- security -----------------------------------------------------------------------------------
# Lockout: 5 failed logins for one account lock it for 30 minutes (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("FAZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FAZHI_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("FAZHI_SESSION_MINUTES", "30")) * 60
# Idle timeout: a request renews the window (SESSION_COOKIE_AGE from now), at most once a minute
# (fazhi.core.middleware.SessionRenewalMiddleware): pages that only read write nothing.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_https = _env_bool("FAZHI_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and _env_bool("FAZHI_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("FAZHI_HSTS_SECONDS", "31536000" if _https else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = False
if _env_bool("FAZHI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the site's operator, not for the application.
    "security.W021",
    # Lockout is per account (username); a per-IP lock would lock out a whole NATed office.
    "axes.W006",
]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
# Django's "error" message level renders as Bootstrap's red alert (alert-danger).
MESSAGE_TAGS = {40: "danger"}
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "fazhi" / "static"]  # the project's own CSS/JS (fazhi/static/fazhi/)
MEDIA_ROOT = Path(os.environ.get("FAZHI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Spreadsheet imports (fazhi.core.import_limits): refused over these, nothing written. 300,000
# rows of the 16-column entity template are about 20 MB and, written without shared strings
# (openpyxl, POI), about 400 MB unzipped; real sheets compress 10-20x, zip bombs 1000x.
FAZHI_IMPORT_MAX_BYTES = int(os.environ.get("FAZHI_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
FAZHI_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("FAZHI_IMPORT_MAX_UNZIPPED_BYTES", str(400 * 1024 * 1024))
)
FAZHI_IMPORT_MAX_RATIO = int(os.environ.get("FAZHI_IMPORT_MAX_RATIO", "100"))
FAZHI_IMPORT_MAX_ROWS = int(os.environ.get("FAZHI_IMPORT_MAX_ROWS", "300000"))
FAZHI_IMPORT_MAX_COLUMNS = int(os.environ.get("FAZHI_IMPORT_MAX_COLUMNS", "256"))
FAZHI_IMPORT_MAX_ERRORS = int(os.environ.get("FAZHI_IMPORT_MAX_ERRORS", "1000"))

# --- background jobs (decision 0014) -------------------------------------------------------------
# Jobs (``fazhi.core.models.Job``) are carried by Django's task API (the ``django-tasks`` backport
# until Django 6) on the database backend: ``fazhi db_worker`` processes, as many as wanted on as
# many machines as wanted, take them from the same database. No broker.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("FAZHI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A job still "running" with no progress for this long is taken as interrupted (its worker was
# stopped or killed) by ``fazhi jobs schedule``: failed, so that it can be retried.
FAZHI_JOB_STALE_MINUTES = int(os.environ.get("FAZHI_JOB_STALE_MINUTES", "60"))

# --- rule packs ---------------------------------------------------------------------------------
FAZHI_RULES_DIR = Path(os.environ.get("FAZHI_RULES_DIR", BASE_DIR / "rules"))
# Sample packs (``sample: true``: illustrative figures for the fictional demo province) load only
# where this is on: by default everywhere but production.
FAZHI_RULES_SAMPLES = _env_bool("FAZHI_RULES_SAMPLES", not PRODUCTION)

# --- API ----------------------------------------------------------------------------------------
# An API token lives this many hours from its issue; then the client asks for a new one.
FAZHI_API_TOKEN_HOURS = int(os.environ.get("FAZHI_API_TOKEN_HOURS", "24"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fazhi.core.api_auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "fazhi.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "fazhi.core.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fazhi 法治 API",
    "DESCRIPTION": "卫生健康法治工作平台接口。所有读取按用户的组织与角色限定范围。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "fazhi.core.api_schema.add_error_responses",
    ],
    # The path converters of fazhi.core.params (a test keeps these equal to the converters).
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2199},
    },
    # Choice sets that share a field name ("kind", "status") need explicit component names.
    "ENUM_NAME_OVERRIDES": {
        "EntityKindEnum": "fazhi.registry.models.EntityKind",
        "EntityStatusEnum": "fazhi.registry.models.EntityStatus",
        "LicenceKindEnum": "fazhi.registry.models.LicenceKind",
        "ImportStateEnum": "fazhi.registry.models.ImportState",
        "ImportFormatEnum": "fazhi.registry.models.ImportFormat",
        "RiskGradeEnum": "fazhi.registry.models.RiskGrade",
        "OrganisationKindEnum": "fazhi.core.models.org.OrganisationKind",
        "OrganisationLevelEnum": "fazhi.core.models.org.OrganisationLevel",
        "CredentialStateEnum": "fazhi.core.models.org.CredentialState",
        "UserRoleEnum": "fazhi.core.models.org.Role",
        "DeadlineStateEnum": "fazhi.core.models.deadlines.DeadlineState",
        "DayKindEnum": "fazhi.core.models.calendar.DayKind",
        "JobStateEnum": "fazhi.core.models.jobs.JobState",
        "PlanKindEnum": "fazhi.inspections.models.PlanKind",
        "EntropyKindEnum": "fazhi.inspections.models.EntropyKind",
        "PlanStateEnum": "fazhi.inspections.models.PlanState",
        "AnnouncementStateEnum": "fazhi.inspections.models.AnnouncementState",
        "DrawStateEnum": "fazhi.inspections.models.DrawState",
        "RedrawStateEnum": "fazhi.inspections.models.RedrawState",
        "TaskStateEnum": "fazhi.inspections.models.TaskState",
        "OutcomeReasonEnum": "fazhi.inspections.models.OutcomeReason",
        "InspectorRoleEnum": "fazhi.inspections.models.InspectorRole",
        "CaseLeadStateEnum": "fazhi.enforcement.models.CaseLeadState",
        "PenaltyCaseStateEnum": "fazhi.enforcement.models.CaseState",
        "PenaltyCaseOutcomeEnum": "fazhi.enforcement.models.CaseOutcome",
        "TaskOutcomeEnum": "fazhi.inspections.models.TaskOutcome",
        "PenaltyCaseProcedureEnum": "fazhi.enforcement.models.CaseProcedure",
        "ClockStopKindEnum": "fazhi.enforcement.models.ClockStopKind",
        "MatterStateEnum": "fazhi.matters.models.MatterState",
        "MatterChannelEnum": "fazhi.matters.models.Channel",
        "MatterReplyTypeEnum": "fazhi.matters.models.ReplyType",
        "MatterKindEnum": "fazhi.matters.models.MatterKind",
        "AppealKindEnum": "fazhi.appeals.models.AppealKind",
        "AppealStateEnum": "fazhi.appeals.models.AppealState",
        "AppealOutcomeEnum": "fazhi.appeals.models.Outcome",
        "AppealProcedureEnum": "fazhi.appeals.models.Procedure",
        "MatterRequesterKindEnum": "fazhi.matters.models.RequesterKind",
        "MatterCategoryEnum": "fazhi.matters.models.Category",
        "MatterUrgencyEnum": "fazhi.matters.models.Urgency",
        "MatterRouteEnum": "fazhi.matters.models.Route",
        "MatterSatisfactionEnum": "fazhi.matters.models.Satisfaction",
        "CreditListStateEnum": "fazhi.credit.models.ListState",
        "CreditListKindEnum": "fazhi.credit.models.ListKind",
        "PointAlertStateEnum": "fazhi.credit.models.AlertState",
        "PointSubjectEnum": "fazhi.credit.models.PointSubject",
        "MatterHandlingRoleEnum": "fazhi.matters.models_proposals.HandlingRole",
        "DisputeRouteEnum": "fazhi.disputes.models.DisputeRoute",
        "DisputeOutcomeEnum": "fazhi.disputes.models.DisputeOutcome",
        "DisputeStateEnum": "fazhi.disputes.models.DisputeState",
        "ProactiveCategoryEnum": "fazhi.matters.models.ProactiveCategory",
        "ProactiveStateEnum": "fazhi.matters.models.ProactiveState",
        "SupervisionStateEnum": "fazhi.matters.models.SupervisionState",
    },
    # Schema naming warnings are a development matter (tests check the schema); ``check --deploy``
    # lists only what a deployment must set.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FAZHI_LOG_LEVEL", "WARNING")},
}
