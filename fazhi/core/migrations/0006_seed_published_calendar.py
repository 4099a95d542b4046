"""A fresh install knows the published holiday calendar.

Loads every year the pinned ``chinesecalendar`` package carries (the State Council notices
2004–2026 for 1.11.0) that the table does not have yet, so that right after ``fazhi migrate`` a
working-day question about those years answers. Years already present are left alone (they may
carry hand corrections). Later years stay an administrator's act (the calendar page or
``fazhi calendar publish``). Reference data, not an act of any user: no audit event; the
``calendar.seeded`` events of later ``fazhi calendar seed`` runs record additions after install.
"""

from django.db import migrations
from django.db.models import F

SOURCE = "chinesecalendar 1.11.0（国务院办公厅部分节假日安排通知）"
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarRevision = apps.get_model("core", "CalendarRevision")
    years = sorted({d.year for d in constants.holidays})
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    added = [y for y in years if y not in existing]
    if not added:
        return
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source=SOURCE) for y in added])
    wanted = set(added)
    rows = [
        CalendarDay(date=day, kind=kind, name=NAMES.get(name, name))
        for kind, table in (("holiday", constants.holidays), ("workday", constants.workdays))
        for day, name in table.items()
        if day.year in wanted
    ]
    CalendarDay.objects.filter(date__year__in=added).delete()
    CalendarDay.objects.bulk_create(rows, batch_size=500)
    if CalendarRevision.objects.filter(pk=1).update(version=F("version") + 1) == 0:
        CalendarRevision.objects.create(pk=1, version=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_documenttype_unique_prefix")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
