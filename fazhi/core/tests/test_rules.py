"""Rule packs: the shipped packs, versions by effective date, province overrides, validation."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command

from fazhi.core import errors, rules, rules_docs

REQUIRED_KEYS = {
    "penalty.decision": (90, "calendar_days"),
    "penalty.decision_general": (90, "calendar_days"),
    "penalty.decision_extension": (30, "calendar_days"),
    "penalty.hearing_request": (5, "working_days"),
    "penalty.hearing_notice": (7, "working_days"),  # a minimum notice period (kind notice)
    "penalty.service": (7, "working_days"),
    "penalty.payment": (15, "calendar_days"),
    "penalty.limitation": (2, "years"),
    "penalty.limitation_health": (5, "years"),
    "penalty.publicity": (7, "working_days"),
    "penalty.publicity_withdraw": (3, "working_days"),
    "inspection.result_publicity": (20, "working_days"),
    "inspection.publicity_retention": (5, "years"),
    "disclosure.reply": (20, "working_days"),
    "disclosure.extension": (20, "working_days"),
    "disclosure.correction_notice": (7, "working_days"),
    "disclosure.third_party": (15, "working_days"),
    "petition.accept": (15, "calendar_days"),
    "petition.handle": (60, "calendar_days"),
    "petition.extension": (30, "calendar_days"),
    "petition.review_request": (30, "calendar_days"),
    "petition.review": (30, "calendar_days"),
    "petition.re_review": (30, "calendar_days"),
    "reconsideration.answer": (10, "working_days"),
    "reconsideration.answer_simple": (5, "working_days"),
    "reconsideration.decision": (60, "calendar_days"),
    "reconsideration.decision_extension": (30, "calendar_days"),
    "litigation.defence": (15, "calendar_days"),
    "normative.filing": (30, "calendar_days"),
    "normative.validity": (5, "years"),
    "normative.validity_provisional": (2, "years"),
    "police_transfer.approve": (3, "calendar_days"),
    "police_transfer.transfer": (24, "hours"),
}
UNVERIFIED = {
    "penalty.decision",  # 2025 version: 卫生健康行政处罚程序规定, text not seen
    "penalty.decision_extension",
    "normative.filing",
    "normative.validity",
    "normative.validity_provisional",
    "police_transfer.approve",
}
ON = dt.date(2025, 7, 1)


@pytest.mark.parametrize(("key", "expected"), sorted(REQUIRED_KEYS.items()))
def test_shipped_period_rules(key, expected):
    rule = rules.rule(key, on=ON)
    assert (rule.value.amount, rule.value.unit) == expected
    assert rule.source.law and rule.source.status in rules.STATUSES


@pytest.mark.parametrize("key", sorted(UNVERIFIED))
def test_items_marked_unverified_in_legal_digest_load_as_unverified(key):
    rule = rules.rule(key, on=ON)
    assert rule.source.status == "UNVERIFIED"
    assert rule.source.marked_citation.endswith("（未核实）")
    assert not rule.citation.endswith("（未核实）")  # not in every sentence: docs/rules.md marks it


def test_non_period_values():
    surcharge = rules.rule("penalty.late_surcharge", on=ON).value
    assert (surcharge.kind, surcharge.percent_per_day, surcharge.cap_percent) == ("rate", 3, 100)
    summary = rules.rule("penalty.summary_threshold", on=ON).value
    assert summary.amounts == {"公民": 200, "法人或者其他组织": 3000}
    cap = rules.rule("inspection.visit_cap", on=ON, province="36").value  # the sample pack
    assert cap.counts == {"同一层级": 2, "市县两级合计": 4}
    notice = rules.rule("penalty.hearing_notice", on=ON).value
    assert (notice.kind, notice.describe()) == ("notice", "至少提前7个工作日通知")
    retention = rules.rule("inspection.publicity_retention", on=ON).value
    assert retention.variants == {"当事人为自然人": 2}


def test_day_types_follow_the_statutes():
    # 行政处罚法 Art. 85: its 五日/七日 are working days; its 15 and 90 days are calendar days.
    assert "第八十五条" in rules.rule("penalty.hearing_request", on=ON).source.article
    # 行政复议法 Art. 88: 十日 is a working-day period since 2024; the 1999 text counted it natural.
    assert rules.rule("reconsideration.answer", on=dt.date(2024, 1, 1)).value.unit == "working_days"
    assert rules.rule("reconsideration.answer", on=dt.date(2023, 12, 31)).value.unit == (
        "calendar_days"
    )


def test_versions_by_effective_date():
    old = rules.rule("penalty.hearing_request", on=dt.date(2021, 7, 14))
    new = rules.rule("penalty.hearing_request", on=dt.date(2021, 7, 15))
    assert (old.value.amount, old.value.unit) == (3, "calendar_days")
    assert (new.value.amount, new.value.unit) == (5, "working_days")


def test_before_the_first_version_is_unknown():
    with pytest.raises(errors.UnknownRule) as exc:
        rules.rule("penalty.hearing_request", on=dt.date(1996, 9, 30))
    assert exc.value.code == "unknown_rule"
    assert "1996-10-01" in exc.value.message


def test_health_decision_period_follows_the_sector_rule_in_force_at_filing():
    """行政处罚法 Art. 60 yields to the sector rule (从其规定): three months under the 1997
    卫生行政处罚程序 Art. 29 until 2025-05-31, then the 2025 卫生健康行政处罚程序规定."""
    old = rules.rule("penalty.decision", on=dt.date(2025, 5, 31))
    new = rules.rule("penalty.decision", on=dt.date(2025, 6, 1))
    assert (old.value.amount, old.value.unit, old.source.article) == (3, "months", "第二十九条")
    assert "卫生部令第53号" in old.source.law and old.source.status == "V-page"
    assert "国家卫生健康委员会令第13号" in new.source.law and new.source.status == "UNVERIFIED"
    assert rules.rule("penalty.decision_extension", on=dt.date(2025, 5, 31)).value.approver == (
        "上一级卫生行政机关"
    )
    general = rules.rule("penalty.decision_general", on=ON)
    assert (general.value.amount, general.source.article) == (90, "第六十条")


def test_hearing_articles_are_the_right_items():
    assert "第六十四条第（一）项" in rules.rule("penalty.hearing_request", on=ON).source.article
    assert "第六十四条第（二）项" in rules.rule("penalty.hearing_notice", on=ON).source.article


def test_province_figures_have_no_national_default():
    """较大数额 (hearing) thresholds and the visit cap are set by each province."""
    for key in ("penalty.hearing_threshold", "inspection.visit_cap"):
        with pytest.raises(errors.UnknownRule):
            rules.rule(key, on=ON)
        with pytest.raises(errors.UnknownRule):
            rules.rule(key, on=ON, province="35")
    sample = rules.rule("penalty.hearing_threshold", on=ON, province="36")
    assert sample.sample and sample.source.status == "UNVERIFIED"
    assert "示例" in rules.packs().titles["36"]


def test_sample_packs_load_only_where_samples_are_allowed():
    directory = Path(rules.packs().files["national"]).parent
    without = rules.parse_packs(directory, samples=False)
    assert "36" not in without.provinces and "13" in without.provinces
    with_samples = rules.parse_packs(directory, samples=True)
    assert "36" in with_samples.samples


def test_unknown_key():
    with pytest.raises(errors.UnknownRule):
        rules.rule("penalty.nope", on=ON)


def test_province_override_replaces_the_national_rule():
    national = rules.rule("inspection.result_publicity", on=ON)
    hebei = rules.rule("inspection.result_publicity", on=ON, province="13")
    other = rules.rule("inspection.result_publicity", on=ON, province="35")
    assert "国办发〔2018〕118号" in national.source.law and national.source.status == "V-page"
    assert "冀政办发〔2015〕22号" in hebei.source.law and hebei.pack == "13"
    assert hebei.title == national.title  # inherited
    assert other == national  # no pack for 35: national rules
    # A six-digit division code selects its province.
    assert rules.rule("inspection.result_publicity", on=ON, province="130102") == hebei


def test_all_rules_sorted_and_period_rules_only_periods():
    keys = [r.key for r in rules.all_rules()]
    assert keys == sorted(keys)
    assert all(r.versions[-1].value.kind == "period" for r in rules.period_rules())
    assert "penalty.late_surcharge" not in {r.key for r in rules.period_rules()}


def test_docs_are_generated_and_current(tmp_path):
    text = rules_docs.render_docs()
    assert "| `penalty.decision` |" in text and "河北省规则包" in text
    output = tmp_path / "rules.md"
    call_command("rules", "docs", "--output", str(output))
    assert output.read_text(encoding="utf-8") == text
    call_command("rules", "docs", "--check", "--output", str(output))
    output.write_text(text + "edited by hand\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("rules", "docs", "--check", "--output", str(output))
    assert exc.value.code == 1


def test_committed_docs_are_not_stale():
    call_command("rules", "docs", "--check")


# --- malformed packs -----------------------------------------------------------------------

GOOD_RULE = """
  - key: a.period
    title: 测试期限
    versions:
      - effective_from: 2020-01-01
        value: {kind: period, amount: 5, unit: working_days}
        source: {law: 测试法, article: 第一条, status: V-text}
"""


def write_pack(directory: Path, body: str, *, name: str = "national.yaml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def national(body: str) -> str:
    return "pack: national\ntitle: 测试\nrules:\n" + body


@pytest.mark.parametrize(
    ("body", "key", "problem"),
    [
        (
            national(GOOD_RULE.replace("title: 测试期限", "title: 测试期限\n    colour: red")),
            "a.period",
            "未知字段 colour",
        ),
        (national(GOOD_RULE.replace("working_days", "fortnights")), "a.period", "单位 unit"),
        (national(GOOD_RULE.replace("amount: 5", "amount: -5")), "a.period", "应为正数"),
        (national(GOOD_RULE.replace("amount: 5", "amount: 0")), "a.period", "应为正数"),
        (national(GOOD_RULE.replace("amount: 5", "amount: five")), "a.period", "应为整数"),
        (
            national(
                GOOD_RULE.replace(
                    "        source: {law: 测试法, article: 第一条, status: V-text}\n", ""
                )
            ),
            "a.period",
            "缺少字段 source",
        ),
        (national(GOOD_RULE.replace("status: V-text", "status: maybe")), "a.period", "status"),
        (national(GOOD_RULE.replace("law: 测试法, ", "")), "a.period", "缺少字段 law"),
        (
            national(GOOD_RULE.replace("effective_from: 2020-01-01", "effective_from: soon")),
            "a.period",
            "不是有效日期",
        ),
        (
            national(GOOD_RULE.split("    versions:")[0] + "    versions: [x]\n"),
            "a.period",
            "版本应为映射",
        ),
        (national(GOOD_RULE + GOOD_RULE), "a.period", "规则键重复"),
        (
            national(GOOD_RULE.split("    versions:")[0] + "    versions: []\n"),
            "a.period",
            "versions 应为非空列表",
        ),
        (national(GOOD_RULE.replace("key: a.period", "key: Bad Key")), "Bad Key", "规则键"),
        (
            national(GOOD_RULE.replace("unit: working_days}", "unit: working_days, start: eve}")),
            "a.period",
            "start",
        ),
        (
            national(
                GOOD_RULE.replace("unit: working_days}", "unit: working_days, extension: b.ext}")
            ),
            "a.period",
            "extension 指向的 b.ext",
        ),
        (national(GOOD_RULE.replace("kind: period", "kind: guess")), "a.period", "value.kind"),
        ("pack: national\nrules:\n  - [1, 2]\n", "None", "规则键"),
        ("pack: national\ncolour: red\nrules: []\n", "-", "未知字段 colour"),
        ("pack: national\nrules: [\n", "-", "YAML 语法错误"),
    ],
)
def test_malformed_pack_names_file_key_and_problem(tmp_path, body, key, problem):
    path = write_pack(tmp_path, body)
    with pytest.raises(errors.RulePackError) as exc:
        rules.parse_packs(tmp_path)
    assert exc.value.path == str(path)
    assert exc.value.key == key
    assert problem in exc.value.problem
    assert str(path) in exc.value.message and key in exc.value.message


def test_unsorted_and_duplicate_version_dates(tmp_path):
    body = national(
        GOOD_RULE + "      - effective_from: 2019-01-01\n"
        "        value: {kind: period, amount: 3, unit: calendar_days}\n"
        "        source: {law: 测试法, article: 第一条, status: V-text}\n"
    )
    write_pack(tmp_path, body)
    with pytest.raises(errors.RulePackError, match="升序"):
        rules.parse_packs(tmp_path)
    write_pack(tmp_path, body.replace("2019-01-01", "2020-01-01"))
    with pytest.raises(errors.RulePackError, match="升序且不重复"):
        rules.parse_packs(tmp_path)


def test_every_value_kind_validates(tmp_path):
    kinds = {
        "rate": "{kind: rate, percent_per_day: 3, cap_percent: 100, base: 罚款数额}",
        "thresholds": "{kind: thresholds, amounts: {公民: 200}}",
        "percentage": "{kind: percentage, percent: 20}",
        "count": "{kind: count, counts: {同一层级: 2}, per: 年}",
        "points": "{kind: points, points: {重点监管: 12}}",
        "ext": "{kind: extension, amount: 30, unit: calendar_days, approver: 负责人}",
    }
    body = "".join(
        GOOD_RULE.replace("a.period", f"k.{name}").replace(
            "{kind: period, amount: 5, unit: working_days}", value
        )
        for name, value in kinds.items()
    )
    write_pack(tmp_path, national(body))
    packs = rules.parse_packs(tmp_path)
    assert set(packs.national) == {f"k.{n}" for n in kinds}
    bad = {
        "percentage": "{kind: percentage, percent: 120}",
        "thresholds": "{kind: thresholds, amounts: {}}",
        "ext": "{kind: extension, amount: 30, unit: calendar_days}",
        "rate": "{kind: rate, percent_per_day: -1, cap_percent: 100, base: 罚款}",
        "points": "{kind: points, points: {程序合法: 0}}",
    }
    for name, value in bad.items():
        write_pack(
            tmp_path,
            national(
                GOOD_RULE.replace("a.period", f"k.{name}").replace(
                    "{kind: period, amount: 5, unit: working_days}", value
                )
            ),
        )
        with pytest.raises(errors.RulePackError) as exc:
            rules.parse_packs(tmp_path)
        assert exc.value.key == f"k.{name}"


def test_province_packs(tmp_path):
    write_pack(tmp_path, national(GOOD_RULE))
    override = """
    province: "35"
    rules:
      - key: a.period
        mode: add_versions
        versions:
          - effective_from: 2024-01-01
            value: {kind: period, amount: 10, unit: working_days}
            source: {law: 福建测试规定, article: 第二条, status: V-page}
      - key: b.local
        title: 地方新增
        versions:
          - effective_from: 2024-01-01
            value: {kind: period, amount: 1, unit: months}
            source: {law: 福建测试规定, article: 第三条, status: UNVERIFIED}
    """
    write_pack(tmp_path, override, name="provinces/35.yaml")
    packs = rules.parse_packs(tmp_path)
    merged = packs.provinces["35"]["a.period"]
    assert [v.value.amount for v in merged.versions] == [5, 10]
    assert merged.on(dt.date(2023, 12, 31)).value.amount == 5
    assert merged.on(dt.date(2024, 1, 1)).value.amount == 10
    assert "b.local" in packs.provinces["35"] and "b.local" not in packs.national

    write_pack(tmp_path, override.replace('"35"', '"36"'), name="provinces/35.yaml")
    with pytest.raises(errors.RulePackError, match="province 应为 35"):
        rules.parse_packs(tmp_path)
    write_pack(tmp_path, override, name="provinces/35.yaml")
    write_pack(tmp_path, override, name="provinces/fujian.yaml")
    with pytest.raises(errors.RulePackError, match="两位"):
        rules.parse_packs(tmp_path)
    (tmp_path / "provinces/fujian.yaml").unlink()
    write_pack(
        tmp_path,
        override.replace("        title: 地方新增\n", ""),
        name="provinces/35.yaml",
    )
    with pytest.raises(errors.RulePackError, match="新增规则缺少 title"):
        rules.parse_packs(tmp_path)


def test_missing_national_pack(tmp_path):
    with pytest.raises(errors.RulePackError, match="文件不存在"):
        rules.parse_packs(tmp_path)


def test_bad_pack_stops_startup(tmp_path, settings):
    """CoreConfig.ready() calls load_packs(): a bad pack raises before anything is served."""
    from django.apps import apps

    write_pack(tmp_path, national(GOOD_RULE.replace("amount: 5", "amount: -1")))
    original = settings.FAZHI_RULES_DIR
    settings.FAZHI_RULES_DIR = tmp_path
    try:
        with pytest.raises(errors.RulePackError) as exc:
            apps.get_app_config("core").ready()
        assert exc.value.key == "a.period"
    finally:
        settings.FAZHI_RULES_DIR = original
        rules.load_packs(original)


def test_validate_command(tmp_path, capsys):
    call_command("rules", "validate")
    assert capsys.readouterr().out.startswith("OK:")
    write_pack(tmp_path, national(GOOD_RULE.replace("working_days", "weeks")))
    with pytest.raises(SystemExit) as exc:
        call_command("rules", "validate", str(tmp_path))
    assert exc.value.code == 1
    assert "rule_pack_invalid" in capsys.readouterr().err
