"""The working-day calendar: engine, cache invalidation, services and their guards."""

from __future__ import annotations

import datetime as dt

import pytest
from chinese_calendar import constants
from django.db.models import F
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core import calendar as workcal
from fazhi.core import errors, periods
from fazhi.core.models import AuditEvent, CalendarDay, CalendarRevision, CalendarYear, Role
from fazhi.core.models.calendar import DayKind
from fazhi.core.services import calendar as calendar_services
from fazhi.core.tests.factories import make_org_tree, make_user

D = dt.date


def package_calendar(years: tuple[int, ...] = (2024, 2025, 2026)) -> workcal.Calendar:
    """A snapshot built straight from the package, for pure (database-free) properties."""
    return workcal.Calendar(
        version=-1,
        years=frozenset(years),
        holidays=frozenset(d for d in constants.holidays if d.year in years),
        workdays=frozenset(d for d in constants.workdays if d.year in years),
        names={
            d: calendar_services.PACKAGE_HOLIDAY_NAMES[n]
            for table in (constants.holidays, constants.workdays)
            for d, n in table.items()
            if d.year in years
        },
    )


CAL = package_calendar()


@pytest.fixture
def seeded(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])


@pytest.fixture
def admin(db):
    return make_user(make_org_tree().province, Role.SYSTEM_ADMIN)


# --- engine --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2025, 1, 26), True),  # Sunday, make-up working day before the Spring Festival
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),  # 除夕
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday, make-up working day
        (D(2025, 2, 9), False),  # ordinary Sunday
        (D(2025, 9, 28), True),  # Sunday, make-up before National Day
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up
        (D(2025, 10, 12), False),
    ],
)
def test_is_workday_2025(seeded, day, expected):
    assert workcal.is_workday(day) is expected


def test_next_workday_and_counting(seeded):
    assert workcal.next_workday(D(2025, 9, 30)) == D(2025, 10, 9)
    assert workcal.next_workday(D(2025, 1, 27)) == D(2025, 2, 5)
    assert workcal.add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)
    assert workcal.add_working_days(D(2025, 9, 26), 0) == D(2025, 9, 26)
    assert workcal.working_days_between(D(2025, 9, 26), D(2025, 10, 13)) == 7
    assert {2024, 2025, 2026} <= set(workcal.known_years())


def test_unknown_year_fails_closed(seeded):
    with pytest.raises(errors.CalendarUnknown) as exc:
        workcal.is_workday(D(2027, 1, 4))  # a Monday: a weekend-only guess would say yes
    assert exc.value.year == 2027 and exc.value.code == "calendar_unknown"
    assert "2027" in exc.value.message
    with pytest.raises(errors.CalendarUnknown):
        workcal.add_working_days(D(2026, 12, 28), 5)


def test_empty_calendar_knows_nothing(empty_cal):
    with pytest.raises(errors.CalendarUnknown):
        workcal.is_workday(D(2025, 3, 3))


def test_cache_reloads_when_the_version_changes(seeded, django_assert_num_queries):
    workcal.current()
    with django_assert_num_queries(1):  # warm: only the version read
        assert workcal.current().is_workday(D(2025, 3, 3))
    before = workcal.current().version
    # Another process changes a day and bumps the version: no signal reaches this process.
    CalendarDay.objects.filter(date=D(2025, 10, 1)).update(kind=DayKind.WORKDAY)
    assert not workcal.current().is_workday(D(2025, 10, 1))  # same version: cached
    CalendarRevision.objects.filter(pk=1).update(version=F("version") + 1)
    after = workcal.current()
    assert after.version == before + 1
    assert after.is_workday(D(2025, 10, 1))


def test_orm_writes_invalidate_this_process(seeded):
    assert workcal.is_workday(D(2025, 3, 3))
    CalendarDay.objects.create(date=D(2025, 3, 3), kind=DayKind.HOLIDAY)
    assert not workcal.is_workday(D(2025, 3, 3))


def test_describe(seeded):
    cal = workcal.current()
    assert cal.describe(D(2025, 10, 1)) == "2025-10-01 周三 国庆节（法定节假日）"
    assert cal.describe(D(2025, 9, 28)) == "2025-09-28 周日 国庆节调休上班"
    assert cal.describe(D(2027, 1, 1)).endswith("日历未知")


# --- properties (pure snapshot, no database) -------------------------------------------------

known_days = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 9, 30))


@given(start=known_days, n=st.integers(min_value=0, max_value=40))
def test_add_working_days_counts_exactly_n(start, n):
    due = CAL.add_working_days(start, n)
    assert due >= start
    assert CAL.working_days_between(start, due) == n
    if n:
        assert CAL.is_workday(due)


@given(a=known_days, b=known_days, n=st.integers(min_value=1, max_value=30))
def test_add_working_days_is_monotone(a, b, n):
    a, b = min(a, b), max(a, b)
    assert CAL.add_working_days(a, n) <= CAL.add_working_days(b, n)


@given(day=known_days)
def test_roll_forward_lands_on_the_first_workday(day):
    rolled = CAL.roll_forward(day)
    assert CAL.is_workday(rolled)
    probe = day
    while probe < rolled:
        assert not CAL.is_workday(probe)
        probe += dt.timedelta(days=1)


# --- services ------------------------------------------------------------------------------


def test_seed_is_idempotent_and_audited(empty_cal, admin):
    added = calendar_services.calendar_seed_from_package(actor=admin, years=[2025])
    assert added == [2025]
    assert CalendarYear.objects.get(year=2025).source.startswith("chinesecalendar")
    assert CalendarDay.objects.filter(date__year=2025, kind=DayKind.WORKDAY).count() == 5
    assert CalendarDay.objects.get(date=D(2025, 10, 1)).name == "国庆节"
    event = AuditEvent.objects.get(action="calendar.seeded")
    assert event.actor_id == admin.pk and '"years":[2025]' in event.details_json
    assert calendar_services.calendar_seed_from_package(actor=admin, years=[2025]) == []
    assert AuditEvent.objects.filter(action="calendar.seeded").count() == 1


def test_seed_keeps_hand_corrections(empty_cal, admin):
    calendar_services.calendar_seed_from_package(actor=admin, years=[2025])
    calendar_services.calendar_day_set(
        actor=admin, day=D(2025, 3, 3), kind=DayKind.HOLIDAY, name="测试"
    )
    calendar_services.calendar_seed_from_package(actor=admin)
    assert CalendarDay.objects.get(date=D(2025, 3, 3)).name == "测试"
    assert CalendarYear.objects.count() == len(calendar_services.package_years())


def test_seed_refuses_years_the_package_does_not_know(empty_cal, admin):
    with pytest.raises(errors.ValidationFailed) as exc:
        calendar_services.calendar_seed_from_package(actor=admin, years=[2027])
    assert exc.value.code == "calendar_year_not_in_package"
    assert not CalendarYear.objects.exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.SUPERVISOR, Role.VIEWER])
def test_calendar_services_need_the_calendar_capability(empty_cal, role):
    user = make_user(make_org_tree().province, role)
    for call in (
        lambda: calendar_services.calendar_seed_from_package(actor=user, years=[2025]),
        lambda: calendar_services.calendar_year_publish(
            actor=user, year=2027, source="通知", holidays=[], workdays=[]
        ),
        lambda: calendar_services.calendar_day_set(
            actor=user, day=D(2025, 3, 3), kind=DayKind.HOLIDAY
        ),
        lambda: calendar_services.calendar_day_delete(actor=user, day=D(2025, 10, 1)),
    ):
        with pytest.raises(errors.PermissionDenied):
            call()
    assert not CalendarYear.objects.exists()


NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（测试用虚构数据）"


def test_publish_a_year(admin):
    # Fictional 2027 data for the test: the real notice is not out yet.
    year = calendar_services.calendar_year_publish(
        actor=admin,
        year=2027,
        source=NOTICE_2027,
        holidays=[D(2027, 1, 1), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)],
        workdays=[D(2027, 2, 20)],
        names={D(2027, 2, 6): "春节"},
    )
    assert year.year == 2027
    assert not workcal.is_workday(D(2027, 2, 8))
    assert workcal.is_workday(D(2027, 2, 20))  # Saturday make-up day
    assert workcal.is_workday(D(2027, 3, 1))
    assert CalendarDay.objects.get(date=D(2027, 2, 6)).name == "春节"
    assert AuditEvent.objects.filter(action="calendar_year.published").count() == 1
    with pytest.raises(errors.Conflict) as exc:
        calendar_services.calendar_year_publish(
            actor=admin, year=2027, source=NOTICE_2027, holidays=[], workdays=[]
        )
    assert exc.value.code == "calendar_year_exists"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"source": "  "}, "source_required"),
        ({"holidays": [D(2026, 12, 31)]}, "date_outside_year"),
        ({"workdays": [D(2028, 1, 1)]}, "date_outside_year"),
        ({"workdays": [D(2027, 2, 22)]}, "workday_not_weekend"),  # a Monday
        ({"holidays": [D(2027, 2, 6), D(2027, 2, 6)]}, "duplicate_date"),
        ({"holidays": [D(2027, 2, 20)], "workdays": [D(2027, 2, 20)]}, "duplicate_date"),
        ({"year": 1800}, "invalid_year"),
    ],
)
def test_publish_validation_leaves_nothing(empty_cal, admin, kwargs, code):
    args = {"year": 2027, "source": NOTICE_2027, "holidays": [], "workdays": []} | kwargs
    with pytest.raises(errors.ValidationFailed) as exc:
        calendar_services.calendar_year_publish(actor=admin, **args)
    assert exc.value.code == code
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_a_holiday_on_a_weekend_is_accepted(admin):
    calendar_services.calendar_year_publish(
        actor=admin, year=2027, source=NOTICE_2027, holidays=[D(2027, 2, 6)], workdays=[]
    )
    assert not workcal.is_workday(D(2027, 2, 6))


def test_day_set_and_delete(seeded, admin):
    calendar_services.calendar_day_set(
        actor=admin, day=D(2025, 3, 3), kind=DayKind.HOLIDAY, name="更正"
    )
    assert not workcal.is_workday(D(2025, 3, 3))
    calendar_services.calendar_day_set(
        actor=admin, day=D(2025, 3, 3), kind=DayKind.HOLIDAY, name="再更正"
    )
    assert CalendarDay.objects.get(date=D(2025, 3, 3)).name == "再更正"
    calendar_services.calendar_day_delete(actor=admin, day=D(2025, 3, 3))
    assert workcal.is_workday(D(2025, 3, 3))
    actions = list(
        AuditEvent.objects.filter(action__startswith="calendar_day.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["calendar_day.set", "calendar_day.set", "calendar_day.deleted"]


def test_day_guards(seeded, admin):
    with pytest.raises(errors.ValidationFailed) as exc:
        calendar_services.calendar_day_set(actor=admin, day=D(2025, 3, 3), kind=DayKind.WORKDAY)
    assert exc.value.code == "workday_not_weekend"
    with pytest.raises(errors.ValidationFailed) as exc:
        calendar_services.calendar_day_set(actor=admin, day=D(2030, 3, 2), kind=DayKind.WORKDAY)
    assert exc.value.code == "calendar_year_missing"
    with pytest.raises(errors.ValidationFailed) as exc:
        calendar_services.calendar_day_set(actor=admin, day=D(2025, 3, 3), kind="nap")
    assert exc.value.code == "invalid_kind"
    with pytest.raises(errors.NotFound):
        calendar_services.calendar_day_delete(actor=admin, day=D(2025, 3, 3))


def test_calendar_command_seed(empty_cal, capsys):
    from django.core.management import call_command

    call_command("calendar", "seed", "--years", "2025")
    assert "seeded: 2025" in capsys.readouterr().out
    call_command("calendar", "seed", "--years", "2025")
    assert "nothing new" in capsys.readouterr().out
    call_command("calendar", "years")
    assert "2025" in capsys.readouterr().out


def test_seed_is_reachable_from_the_calendar_module(empty_cal):
    """The demo loader looks the seed up in ``fazhi.core.calendar``."""
    assert workcal.calendar_seed_from_package(actor=None, years=[2025]) == [2025]
    assert workcal.known_years() == [2025]


def test_a_fresh_install_knows_the_published_calendar(db):
    """Migration 0006 loads every year the pinned package carries: no demo, no command."""
    assert workcal.known_years() == calendar_services.package_years()
    assert not workcal.is_workday(D(2025, 10, 1))
    assert workcal.is_workday(D(2025, 9, 28))  # make-up working day
    assert CalendarDay.objects.get(date=D(2025, 10, 1)).name == "国庆节"
    due = periods.compute_due("penalty.payment", D(2025, 9, 20))
    assert due.due == D(2025, 10, 9)  # 15 days end on 10-05, in the holiday: rolled to 10-09
