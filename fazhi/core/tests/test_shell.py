"""The shell: the menu registry by capability, breadcrumbs, red error alerts, codes off screen."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.test import Client, RequestFactory
from django.urls import reverse

from fazhi.core.context_processors import MENU, navigation
from fazhi.core.models import Role
from fazhi.core.roles import ROLE_GRANTS
from fazhi.core.tests.factories import make_org_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_org_tree()


def _nav(user, path):
    request = RequestFactory().get(path)
    request.user = user
    return navigation(request)


def test_every_menu_entry_resolves_and_names_a_granted_capability():
    granted = set().union(*(grant.caps for grant in ROLE_GRANTS.values()))
    anchors = [group.anchor for group in MENU]
    assert len(set(anchors)) == len(anchors) and all(a.isascii() and a for a in anchors)
    for group in MENU:
        for entry in group.entries:
            assert reverse(entry.url_name)
            assert entry.cap is None or entry.cap in granted


def test_groups_follow_the_capabilities(tree):
    inspector = make_user(tree.districts[0], Role.SUPERVISOR)
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    inspector_entries = {
        child["label"] for item in _nav(inspector, "/")["nav_items"] for child in item["children"]
    }
    admin_groups = [item["label"] for item in _nav(admin, "/")["nav_items"]]
    assert "我的检查任务" in inspector_entries and "用户管理" not in inspector_entries
    assert "系统" in admin_groups


def test_breadcrumbs_name_the_group_and_the_entry(tree):
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    top = _nav(admin, reverse("core:officer_list"))
    assert [c["label"] for c in top["breadcrumbs"]] == ["工作台", "机构与人员", "执法人员"]
    assert top["breadcrumb_deeper"] is False
    deeper = _nav(admin, reverse("core:deadline_calculator"))
    assert [c["label"] for c in deeper["breadcrumbs"]][-1] == "期限计算器"  # longest prefix wins
    assert _nav(admin, "/")["breadcrumbs"] == []


def test_a_page_has_the_shell_and_an_error_is_a_red_alert_without_its_code(tree, settings):
    assert settings.MESSAGE_TAGS[constants.ERROR] == "danger"
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    client = Client()
    client.force_login(admin)
    html = client.get(reverse("core:officer_list")).content.decode()
    assert 'id="side-menu"' in html and "favicon.svg" in html and "面包屑导航" in html
    assert tree.province.name in html  # the top bar names the organisation
    response = client.get(reverse("core:deadline_list"), {"state": "bogus"})
    assert response.status_code == 400 and response["X-Error-Code"] == "invalid_parameter"
    assert "invalid_parameter" not in response.content.decode()
    assert "alert-danger" in response.content.decode()


def test_listing_pages_with_a_size_choice_and_keeps_the_filters():
    from fazhi.core import errors, listing

    request = RequestFactory().get("/x/", {"q": "甲", "size": "20", "page": "2"})
    rows = listing.paginate(request, list(range(45)))
    assert rows.size == 20 and rows.total == 45 and next(iter(rows.page.object_list)) == 20
    assert rows.query == "q=%E7%94%B2&size=20" and rows.hidden == [("q", "甲")]
    odd = listing.paginate(RequestFactory().get("/x/", {"size": "30"}), list(range(5)))
    assert odd.size == 20  # the nearest offered size
    with pytest.raises(errors.InvalidParameter):
        listing.paginate(RequestFactory().get("/x/", {"size": "abc"}), [])


def test_a_list_page_has_the_filter_bar_pager_and_empty_state(tree):
    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    client = Client()
    client.force_login(admin)
    html = client.get(reverse("core:job_list")).content.decode()
    assert 'id="list-total"' in html and 'name="size"' in html and 'id="list-empty"' not in html
    html = client.get(reverse("inspections:plan_list"), {"q": "不存在的计划"}).content.decode()
    assert 'for="filter-q"' in html and 'id="list-empty"' in html and "清除筛选条件" in html


def test_a_page_below_a_menu_entry_ends_its_breadcrumbs_with_its_title(tree):
    from fazhi.core.tests.factories import make_officer

    admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    officer = make_officer(tree.districts[0], name="面包屑测试员")
    client = Client()
    client.force_login(admin)
    html = client.get(reverse("core:officer_detail", args=[officer.pk])).content.decode()
    crumbs = html.split('class="breadcrumb small mb-2"')[1].split("</ol>")[0]
    assert "执法人员</a>" in crumbs and "面包屑测试员" in crumbs


def test_detail_pages_end_with_the_record_timeline_for_those_who_may_read_it(tree):
    from fazhi.core.tests.factories import make_officer

    officer = make_officer(tree.districts[0], name="时间线测试员")
    url = reverse("core:officer_detail", args=[officer.pk])
    client = Client()
    client.force_login(make_user(tree.province, Role.SYSTEM_ADMIN))
    html = client.get(url).content.decode()
    timeline = html.split('id="sec-timeline"')[1]
    assert "办理记录" in html and "officer." not in timeline  # events by their Chinese names
    client.force_login(make_user(tree.districts[0], Role.SUPERVISOR))
    assert 'id="sec-timeline"' not in client.get(url).content.decode()


def test_the_rules_page_marks_unverified_bases_for_administrators_only(tree):
    client = Client()
    client.force_login(make_user(tree.province, Role.SYSTEM_ADMIN))
    html = client.get(reverse("core:rule_list")).content.decode()
    assert "未核实" in html and "penalty.publicity" not in html
    client.force_login(make_user(tree.districts[0], Role.SUPERVISOR))
    assert client.get(reverse("core:rule_list")).status_code == 403
