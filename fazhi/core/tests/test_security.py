"""Security basics end to end: password policy, lockout, session idle timeout, headers and CSP,
and logins, logouts, failures and denials in the audit chain."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core import audit_verify, clock
from fazhi.core.models import AuditEvent, Role
from fazhi.core.passwords import CharacterClassValidator
from fazhi.core.tests.factories import (
    PASSWORD,
    make_org_tree,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    tree = make_org_tree()
    return make_user(tree.districts[0], Role.SUPERVISOR, username="wangqiang")


def login(client: Client, username: str, password: str):
    return client.post(
        reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.8"
    )


# --- password policy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Short1!",  # under 10 characters
        "password123",  # common
        "12345678901234",  # numeric
        "onlylowercaseletters",  # one character class
        "lowercase1234567",  # two classes
        "Wangqiang2026!",  # too similar to the username
    ],
)
def test_weak_passwords_are_refused(user, password):
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.parametrize("password", [PASSWORD, "Zhifa#2026xyz", "correct horse Battery 9"])
def test_strong_passwords_pass(user, password):
    validate_password(password, user)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=10, max_size=30))
def test_two_character_classes_never_suffice(password):
    with pytest.raises(ValidationError):
        CharacterClassValidator().validate(password)


def test_password_change_page_applies_the_policy(user):
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("core:password_change"),
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Better-Pass-77",
            "new_password2": "Better-Pass-77",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Better-Pass-77")
    assert AuditEvent.objects.filter(action="user.password_changed", actor_id=user.pk).exists()


# --- login, logout, failures, lockout ------------------------------------------------------------


def test_login_and_logout_are_in_the_audit_chain(user):
    client = Client()
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="session.started").latest("seq")
    assert event.actor_id == user.pk
    assert '"ip":"10.0.0.8"' in event.details_json
    client.post(reverse("core:logout"))
    assert AuditEvent.objects.filter(action="session.ended", actor_id=user.pk).exists()
    assert audit_verify.verify().ok


def test_failed_login_is_recorded_without_the_password(user):
    client = Client()
    response = login(client, user.username, "Wrong-Password-1")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    event = AuditEvent.objects.get(action="login.failed")
    assert event.object_id == str(user.pk)
    assert "Wrong-Password-1" not in event.details_json
    login(client, "nobody-here", "whatever")
    assert AuditEvent.objects.filter(action="login.failed").count() == 2


def test_sixth_attempt_is_refused_even_with_the_right_password(user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "Wrong-Password-1")
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "账号已被临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="account.locked").exists()
    locked = AuditEvent.objects.filter(action="account.locked").latest("seq")
    assert user.username in locked.details_json
    assert not AuditEvent.objects.filter(action="session.started", actor_id=user.pk).exists()
    assert audit_verify.verify().ok


def test_lockout_is_per_account_and_an_admin_unlocks_it(user):
    other = make_user(user.organisation, Role.SUPERVISOR)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "Wrong-Password-1")
    # the same office IP can still sign in another account
    assert login(Client(), other.username, PASSWORD).status_code == 302
    admin = make_user(user.organisation, Role.SYSTEM_ADMIN)
    admin_client = Client()
    admin_client.force_login(admin)
    edit = admin_client.get(reverse("core:user_edit", args=[user.pk])).content.decode()
    assert "已锁定" in edit
    admin_client.post(reverse("core:user_unlock", args=[user.pk]))
    assert login(Client(), user.username, PASSWORD).status_code == 302


# --- session idle timeout ------------------------------------------------------------------------


def test_session_expires_after_the_idle_window_and_each_request_renews_it(user):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    login(client, user.username, PASSWORD)
    key = client.session.session_key
    session = Session.objects.get(session_key=key)
    remaining = session.expire_date - clock.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)
    # nearly idle for the whole window: a request (a minute or more after the last renewal, the
    # login's) renews it
    Session.objects.filter(session_key=key).update(
        expire_date=clock.now() + dt.timedelta(minutes=2)
    )
    with time_machine.travel(clock.now() + dt.timedelta(seconds=61), tick=False):
        assert client.get(reverse("core:password_change")).status_code == 200
        renewed = Session.objects.get(session_key=key).expire_date - clock.now()
    assert renewed > dt.timedelta(minutes=29)
    # idle past the window: signed out
    Session.objects.filter(session_key=key).update(
        expire_date=clock.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("core:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_the_idle_window_is_renewed_at_most_once_a_minute_and_reads_write_nothing(user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with time_machine.travel(clock.now(), tick=False) as traveller:
        login(client, user.username, PASSWORD)  # the login saves a fresh window
        page = reverse("core:password_change")
        key = client.session.session_key
        first = Session.objects.get(session_key=key).expire_date
        traveller.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
        assert Session.objects.get(session_key=key).expire_date == first
        traveller.shift(dt.timedelta(seconds=31))  # a minute since the renewal
        assert client.get(page).status_code == 200
        renewed = Session.objects.get(session_key=key).expire_date
    assert renewed - first == dt.timedelta(seconds=61)


def test_a_stale_session_cookie_creates_no_session(db):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    before = Session.objects.count()
    assert client.get(reverse("core:login")).status_code == 200
    assert Session.objects.count() == before


# --- headers, CSP, CSRF --------------------------------------------------------------------------


def test_security_headers_and_csp_on_a_page(user):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:password_change"))
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    body = response.content.decode()
    assert "<script>" not in body and "style=" not in body
    assert "http://" not in body and "https://" not in body  # no CDN


def test_login_page_has_csrf_and_the_check_is_enforced(user):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("core:login")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post(reverse("core:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403


# --- denials -------------------------------------------------------------------------------------


def test_page_denials_are_recorded(user):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:user_list"))
    assert response.status_code == 403
    assert "没有执行此操作的权限" in response.content.decode()
    event = AuditEvent.objects.filter(action="access.denied").latest("seq")
    assert event.actor_id == user.pk
    assert reverse("core:user_list") in event.details_json
    assert audit_verify.verify().ok


def test_out_of_scope_page_is_404_and_recorded(user):
    tree = make_org_tree()
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:organisation_detail", args=[tree.districts[1].pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=user.pk).count() == 1
    response = client.get(reverse("core:organisation_detail", args=[10**8]))
    assert response.status_code == 404


def test_admin_site_is_for_system_admins_only(user):
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302  # to the admin login
    admin = make_user(user.organisation, Role.SYSTEM_ADMIN)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_every_asset_of_a_page_is_served_by_the_app(user):
    import re

    from django.contrib.staticfiles import finders

    client = Client()
    client.force_login(user)
    body = client.get(reverse("core:officer_list")).content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', body)
    assert {"fazhi/fazhi.css", "fazhi/fazhi.js", "css/bootstrap.min.css", "htmx/htmx.min.js"} <= {
        a.removeprefix("/static/") for a in assets
    }
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), url


def test_api_token_failures_are_recorded_and_locked_out(user):
    from rest_framework.test import APIClient

    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("api-token"), {"username": user.username, "password": "Wrong-Password-1"}
        )
        assert response.status_code == 400
        assert "token" not in response.json()
    assert AuditEvent.objects.filter(action="login.failed").count() >= 5
    response = client.post(reverse("api-token"), {"username": user.username, "password": PASSWORD})
    assert "token" not in response.json()  # locked: the right password does not help
    assert AuditEvent.objects.filter(action="account.locked").exists()


def test_api_token_issue_is_audited(user):
    from rest_framework.test import APIClient

    response = APIClient().post(
        reverse("api-token"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="api_token.issued")
    assert event.actor_id == user.pk
    assert event.details["ip"] == "10.1.2.3"
    assert event.details["created"] is True


def test_api_tokens_expire_after_their_lifetime(user, settings):
    """A token lives FAZHI_API_TOKEN_HOURS; then it is refused and a new issue replaces it."""
    import datetime as dt

    import time_machine
    from rest_framework.test import APIClient

    from fazhi.core import clock

    settings.FAZHI_API_TOKEN_HOURS = 8
    client = APIClient()
    start = clock.now()
    with time_machine.travel(start, tick=False):
        body = client.post(
            reverse("api-token"), {"username": user.username, "password": PASSWORD}
        ).json()
    assert dt.datetime.fromisoformat(body["expires_at"]) == start + dt.timedelta(hours=8)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=59), tick=False):
        assert api.get("/api/organisations/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=8), tick=False):
        refused = api.get("/api/organisations/")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "token_expired"
        again = client.post(
            reverse("api-token"), {"username": user.username, "password": PASSWORD}
        ).json()
    assert again["token"] != body["token"]
    event = AuditEvent.objects.filter(action="api_token.issued").latest("seq")
    assert event.details["replaced_expired"] is True
