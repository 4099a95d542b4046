"""Rule packs: statutory time limits, thresholds and rates as data, each with its source.

``rules/national.yaml`` holds the national rules; ``rules/provinces/<2-digit code>.yaml`` overrides
them for one province (the first two digits of an organisation's division code). A province entry
either replaces the national rule of the same key (``mode: replace``, the default) or adds dated
versions to it (``mode: add_versions``). Every rule keeps a list of versions by ``effective_from``;
a case whose start date is before a revision uses the older version.

Validation is strict: a pack with an unknown field, a bad unit, a non-positive amount, a missing
source, missing or unsorted dates or a duplicate key raises ``RulePackError`` naming the file, the
key and the problem, and ``CoreConfig.ready()`` lets it stop start-up.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from fazhi.core import errors

UNITS = ("calendar_days", "working_days", "months", "years", "hours")
UNIT_LABELS = {
    "calendar_days": "日（自然日）",
    "working_days": "个工作日",
    "months": "个月",
    "years": "年",
    "hours": "小时",
}
STARTS = ("next_day", "same_day")
STATUSES = ("V-text", "V-page", "UNVERIFIED")
STATUS_LABELS = {"V-text": "已核对法条原文", "V-page": "已核对网页摘录", "UNVERIFIED": "未核实"}
KINDS = ("period", "extension", "notice", "rate", "thresholds", "percentage", "count", "scores")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
PROVINCE_RE = re.compile(r"^[1-9][0-9]$")

_VALUE_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required fields, optional fields), besides "kind"
    "period": ({"amount", "unit"}, {"start", "extension", "variants"}),
    "extension": ({"amount", "unit", "approver"}, {"start", "max_times"}),
    # a minimum notice period: an event may be held no earlier than ``amount`` units after the
    # notice is served (e.g. the hearing notice); never a deadline that can become overdue
    "notice": ({"amount", "unit"}, set()),
    "rate": ({"percent_per_day", "cap_percent", "base"}, set()),
    "thresholds": ({"amounts"}, {"currency"}),
    "percentage": ({"percent"}, set()),
    "count": ({"counts", "per"}, set()),
    # a scoring checklist: item → the points it carries (e.g. the case-file review's 评查标准)
    "scores": ({"scores"}, set()),
}
_RULE_FIELDS = {"key", "title", "versions", "mode"}
_VERSION_FIELDS = {"effective_from", "value", "source"}
_SOURCE_FIELDS = {"law", "article", "status", "note"}
_PACK_FIELDS = {"pack", "title", "province", "rules", "sample"}


@dataclass(frozen=True)
class Source:
    law: str
    article: str
    status: str
    note: str = ""

    @property
    def citation(self) -> str:
        """The law and article, as every page and document cites them. Whether the text was
        checked is for administrators (``marked_citation``, ``docs/rules.md``), not for every
        sentence a citizen reads."""
        return f"《{self.law}》{self.article}" if self.article else f"《{self.law}》"

    @property
    def marked_citation(self) -> str:
        """The citation with （未核实） after a basis whose official text was not checked."""
        return self.citation + ("（未核实）" if self.status == "UNVERIFIED" else "")


@dataclass(frozen=True)
class Value:
    """A rule's value. Which fields are set depends on ``kind``."""

    kind: str
    amount: int = 0
    unit: str = ""
    start: str = "next_day"
    extension: str = ""  # period: the key of the extension rule that may prolong it
    variants: Mapping[str, int] = field(default_factory=dict)  # period: other amounts, same unit
    approver: str = ""  # extension: who must approve
    max_times: int = 1  # extension: how many times it may be granted
    percent_per_day: float = 0.0  # rate
    cap_percent: float = 0.0  # rate: cap, as a percentage of ``base``
    base: str = ""  # rate: what the percentage applies to
    amounts: Mapping[str, float] = field(default_factory=dict)  # thresholds, in yuan
    currency: str = "CNY"
    percent: float = 0.0  # percentage
    counts: Mapping[str, int] = field(default_factory=dict)  # count
    per: str = ""  # count: per what period
    scores: Mapping[str, int] = field(default_factory=dict)  # scores: item → points, in order

    @property
    def is_period(self) -> bool:
        return self.kind in ("period", "extension", "notice")

    def describe(self) -> str:
        """A short Chinese description, e.g. "90日（自然日）" or "每日3%，上限为罚款数额的100%"."""
        if self.is_period:
            text = f"{self.amount}{UNIT_LABELS[self.unit]}"
            if self.start == "same_day":
                text += "（含起算当日）"
            for name, amount in self.variants.items():
                text += f"；{name}：{amount}{UNIT_LABELS[self.unit]}"
            if self.kind == "extension":
                text = f"延长{text}，须经{self.approver}批准"
            if self.kind == "notice":
                text = f"至少提前{text}通知"
            return text
        if self.kind == "rate":
            return (
                f"每日{_num(self.percent_per_day)}%，上限为{self.base}的{_num(self.cap_percent)}%"
            )
        if self.kind == "thresholds":
            return "；".join(f"{name}：{_num(v)}元" for name, v in self.amounts.items())
        if self.kind == "percentage":
            return f"{_num(self.percent)}%"
        if self.kind == "scores":
            return "；".join(f"{name}：{v}分" for name, v in self.scores.items())
        return "；".join(f"{name}：{v}次/{self.per}" for name, v in self.counts.items())


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Rule:
    """One version of one rule, as it applies on a given date."""

    key: str
    title: str
    effective_from: dt.date
    value: Value
    source: Source
    pack: str  # "national" or a two-digit province code
    sample: bool = False  # from a sample pack (demo data, not a province's real rule)

    @property
    def citation(self) -> str:
        return self.source.citation


@dataclass
class RuleDef:
    key: str
    title: str
    versions: list[Rule]
    path: str

    def on(self, day: dt.date) -> Rule:
        dates = [v.effective_from for v in self.versions]
        index = bisect.bisect_right(dates, day) - 1
        if index < 0:
            raise errors.UnknownRule(
                f"规则 {self.key} 自{self.versions[0].effective_from.isoformat()}起施行，"
                f"{day.isoformat()}时尚无该规则。",
                key=self.key,
            )
        return self.versions[index]


@dataclass
class Packs:
    national: dict[str, RuleDef]
    provinces: dict[str, dict[str, RuleDef]]  # province code -> merged rules (national + override)
    titles: dict[str, str]  # pack name -> title
    files: dict[str, str]  # pack name -> path
    samples: frozenset[str] = frozenset()  # pack names loaded from sample packs


_packs: Packs | None = None


# --- validation -----------------------------------------------------------------------------


class _Checker:
    def __init__(self, path: str):
        self.path = path

    def fail(self, key: str, problem: str) -> errors.RulePackError:
        return errors.RulePackError(path=self.path, key=key, problem=problem)

    def fields(
        self, key: str, where: str, data: Any, allowed: set[str], required: set[str]
    ) -> None:
        if not isinstance(data, dict):
            raise self.fail(key, f"{where}应为映射（键: 值）")
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(key, f"{where}含未知字段 {', '.join(map(str, unknown))}")
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(key, f"{where}缺少字段 {', '.join(missing)}")

    def text(self, key: str, where: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"{where}应为非空文本")
        return value.strip()

    def positive_int(self, key: str, where: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"{where}应为整数，实为 {value!r}")
        if value <= 0:
            raise self.fail(key, f"{where}应为正数，实为 {value}")
        return value

    def positive_number(self, key: str, where: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"{where}应为数字，实为 {value!r}")
        if value <= 0:
            raise self.fail(key, f"{where}应为正数，实为 {value}")
        return float(value)

    def date(self, key: str, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            raise self.fail(key, "effective_from 应为日期（YYYY-MM-DD），不应含时间")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, f"effective_from 不是有效日期：{value!r}")

    def value(self, key: str, data: Any) -> Value:
        if not isinstance(data, dict):
            raise self.fail(key, "value 应为映射")
        kind = data.get("kind")
        if kind not in KINDS:
            raise self.fail(key, f"value.kind 应为 {'/'.join(KINDS)} 之一，实为 {kind!r}")
        required, optional = _VALUE_FIELDS[kind]
        self.fields(key, "value", data, required | optional | {"kind"}, required | {"kind"})
        if kind in ("period", "extension", "notice"):
            unit = data["unit"]
            if unit not in UNITS:
                raise self.fail(key, f"单位 unit 应为 {'/'.join(UNITS)} 之一，实为 {unit!r}")
            start = data.get("start", "next_day")
            if start not in STARTS:
                raise self.fail(key, f"start 应为 {'/'.join(STARTS)} 之一，实为 {start!r}")
            amount = self.positive_int(key, "amount", data["amount"])
            if kind == "period":
                variants_raw = data.get("variants", {})
                if not isinstance(variants_raw, dict):
                    raise self.fail(key, "variants 应为映射（名称: 数量）")
                variants = {
                    self.text(key, "variants 名称", k): self.positive_int(key, f"variants.{k}", v)
                    for k, v in variants_raw.items()
                }
                extension = data.get("extension", "")
                if extension and not (isinstance(extension, str) and KEY_RE.match(extension)):
                    raise self.fail(key, f"extension 应为规则键，实为 {extension!r}")
                return Value(
                    kind=kind,
                    amount=amount,
                    unit=unit,
                    start=start,
                    variants=variants,
                    extension=extension,
                )
            if kind == "notice":
                return Value(kind=kind, amount=amount, unit=unit, start=start)
            return Value(
                kind=kind,
                amount=amount,
                unit=unit,
                start=start,
                approver=self.text(key, "approver", data["approver"]),
                max_times=self.positive_int(key, "max_times", data.get("max_times", 1)),
            )
        if kind == "rate":
            return Value(
                kind=kind,
                percent_per_day=self.positive_number(
                    key, "percent_per_day", data["percent_per_day"]
                ),
                cap_percent=self.positive_number(key, "cap_percent", data["cap_percent"]),
                base=self.text(key, "base", data["base"]),
            )
        if kind == "thresholds":
            amounts = data["amounts"]
            if not isinstance(amounts, dict) or not amounts:
                raise self.fail(key, "amounts 应为非空映射（名称: 元）")
            return Value(
                kind=kind,
                amounts={
                    self.text(key, "amounts 名称", k): self.positive_number(key, f"amounts.{k}", v)
                    for k, v in amounts.items()
                },
                currency=self.text(key, "currency", data.get("currency", "CNY")),
            )
        if kind == "percentage":
            percent = self.positive_number(key, "percent", data["percent"])
            if percent > 100:
                raise self.fail(key, f"percent 不应大于100，实为 {percent}")
            return Value(kind=kind, percent=percent)
        if kind == "scores":
            scores = data["scores"]
            if not isinstance(scores, dict) or not scores:
                raise self.fail(key, "scores 应为非空映射（评分项: 分值）")
            return Value(
                kind=kind,
                scores={
                    self.text(key, "scores 评分项", k): self.positive_int(key, f"scores.{k}", v)
                    for k, v in scores.items()
                },
            )
        counts = data["counts"]
        if not isinstance(counts, dict) or not counts:
            raise self.fail(key, "counts 应为非空映射（名称: 次数）")
        return Value(
            kind=kind,
            counts={
                self.text(key, "counts 名称", k): self.positive_int(key, f"counts.{k}", v)
                for k, v in counts.items()
            },
            per=self.text(key, "per", data["per"]),
        )

    def source(self, key: str, data: Any) -> Source:
        if data is None:
            raise self.fail(key, "缺少 source（法律依据）")
        self.fields(key, "source", data, _SOURCE_FIELDS, {"law", "article", "status"})
        status = data["status"]
        if status not in STATUSES:
            raise self.fail(key, f"source.status 应为 {'/'.join(STATUSES)} 之一，实为 {status!r}")
        note = data.get("note", "") or ""
        if not isinstance(note, str):
            raise self.fail(key, "source.note 应为文本")
        article = data["article"]
        if not isinstance(article, str):
            raise self.fail(key, "source.article 应为文本")
        return Source(
            law=self.text(key, "source.law", data["law"]),
            article=article.strip(),
            status=status,
            note=note.strip(),
        )

    def rule(self, data: Any, pack: str, *, override: bool) -> tuple[RuleDef, str]:
        key = data.get("key") if isinstance(data, dict) else None
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise self.fail(str(key), "规则键 key 缺失或格式不对（应如 penalty.decision）")
        self.fields(key, "规则", data, _RULE_FIELDS, {"key", "versions"})
        mode = data.get("mode", "replace")
        if mode not in ("replace", "add_versions") or (mode != "replace" and not override):
            raise self.fail(key, f"mode 只能在省级规则包中为 replace/add_versions，实为 {mode!r}")
        title = data.get("title")
        if title is None and not override:
            raise self.fail(key, "缺少 title（中文名称）")
        title = self.text(key, "title", title) if title is not None else ""
        versions_raw = data["versions"]
        if not isinstance(versions_raw, list) or not versions_raw:
            raise self.fail(key, "versions 应为非空列表")
        versions: list[Rule] = []
        for raw in versions_raw:
            self.fields(key, "版本", raw, _VERSION_FIELDS, _VERSION_FIELDS)
            effective_from = self.date(key, raw["effective_from"])
            if versions and effective_from <= versions[-1].effective_from:
                raise self.fail(
                    key,
                    f"versions 应按 effective_from 升序且不重复：{effective_from.isoformat()} "
                    f"不晚于 {versions[-1].effective_from.isoformat()}",
                )
            versions.append(
                Rule(
                    key=key,
                    title=title,
                    effective_from=effective_from,
                    value=self.value(key, raw["value"]),
                    source=self.source(key, raw["source"]),
                    pack=pack,
                )
            )
        return RuleDef(key=key, title=title, versions=versions, path=self.path), mode


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise errors.RulePackError(
            path=str(path), key="-", problem=f"YAML 语法错误：{exc}"
        ) from exc


def _parse_pack(
    path: Path, *, province: str | None
) -> tuple[str, str, list[tuple[RuleDef, str]], bool]:
    checker = _Checker(str(path))
    data = _read_yaml(path)
    checker.fields("-", "规则包", data, _PACK_FIELDS, {"rules"})
    sample = data.get("sample", False)
    if not isinstance(sample, bool) or (sample and province is None):
        raise checker.fail("-", "sample 只能在省级规则包中为 true/false")
    if province is not None:
        declared = str(data.get("province", ""))
        if declared != province:
            raise checker.fail("-", f"province 应为 {province}（与文件名一致），实为 {declared!r}")
    elif "province" in data:
        raise checker.fail("-", "全国规则包不应有 province 字段")
    pack = province or "national"
    title = data.get("title") or ("全国规则包" if province is None else f"{province} 省级规则包")
    rules_raw = data["rules"]
    if not isinstance(rules_raw, list):
        raise checker.fail("-", "rules 应为列表")
    seen: set[str] = set()
    parsed = []
    for raw in rules_raw:
        rule_def, mode = checker.rule(raw, pack, override=province is not None)
        if rule_def.key in seen:
            raise checker.fail(rule_def.key, "规则键重复")
        seen.add(rule_def.key)
        if sample:
            rule_def.versions = [dataclasses.replace(v, sample=True) for v in rule_def.versions]
        parsed.append((rule_def, mode))
    return pack, str(title), parsed, sample


def _merge(
    national: dict[str, RuleDef], override: list[tuple[RuleDef, str]], path: str
) -> dict[str, RuleDef]:
    merged = dict(national)
    for rule_def, mode in override:
        base = national.get(rule_def.key)
        title = rule_def.title or (base.title if base else "")
        if not title:
            raise errors.RulePackError(path=path, key=rule_def.key, problem="新增规则缺少 title")
        versions = [_retitle(v, title) for v in rule_def.versions]
        if mode == "add_versions":
            if base is None:
                raise errors.RulePackError(
                    path=path, key=rule_def.key, problem="add_versions 的规则在全国规则包中不存在"
                )
            by_date = {v.effective_from: v for v in base.versions}
            by_date.update({v.effective_from: v for v in versions})
            versions = [by_date[d] for d in sorted(by_date)]
        merged[rule_def.key] = RuleDef(key=rule_def.key, title=title, versions=versions, path=path)
    return merged


def _retitle(rule: Rule, title: str) -> Rule:
    return rule if rule.title == title else dataclasses.replace(rule, title=title)


def _check_links(rules: dict[str, RuleDef]) -> None:
    """A period's ``extension`` must name an extension rule in the same effective set."""
    for rule_def in rules.values():
        for version in rule_def.versions:
            target = version.value.extension
            if not target:
                continue
            other = rules.get(target)
            if other is None or other.versions[0].value.kind != "extension":
                raise errors.RulePackError(
                    path=rule_def.path,
                    key=rule_def.key,
                    problem=f"extension 指向的 {target} 不存在或不是延长规则（kind: extension）",
                )


def parse_packs(directory: Path, *, samples: bool | None = None) -> Packs:
    """Every pack under ``directory``. Packs marked ``sample: true`` (illustrative figures for the
    demo province, not any province's rule) load only when ``samples`` (default: the setting
    ``FAZHI_RULES_SAMPLES``, on outside production) is true."""
    if samples is None:
        samples = bool(getattr(settings, "FAZHI_RULES_SAMPLES", False))
    national_path = directory / "national.yaml"
    if not national_path.exists():
        raise errors.RulePackError(path=str(national_path), key="-", problem="文件不存在")
    _, national_title, national_rules, _ = _parse_pack(national_path, province=None)
    national = {r.key: r for r, _ in national_rules}
    _check_links(national)
    provinces: dict[str, dict[str, RuleDef]] = {}
    titles = {"national": national_title}
    files = {"national": str(national_path)}
    sample_packs: set[str] = set()
    province_dir = directory / "provinces"
    if province_dir.is_dir():
        for path in sorted(province_dir.iterdir()):
            if path.suffix not in (".yaml", ".yml"):
                continue
            code = path.stem
            if not PROVINCE_RE.match(code):
                raise errors.RulePackError(
                    path=str(path), key="-", problem="省级规则包文件名应为两位省级行政区划代码"
                )
            pack, title, override, sample = _parse_pack(path, province=code)
            if sample and not samples:
                continue  # a sample pack (demo data) is loaded only where samples are allowed
            merged = _merge(national, override, str(path))
            _check_links(merged)
            provinces[code] = merged
            titles[pack] = title + ("（示例数据，非正式规定）" if sample else "")
            files[pack] = str(path)
            if sample:
                sample_packs.add(pack)
    return Packs(
        national=national,
        provinces=provinces,
        titles=titles,
        files=files,
        samples=frozenset(sample_packs),
    )


def load_packs(directory: Path | str | None = None) -> Packs:
    """Parse and validate every pack, and make them the ones ``rule()`` answers from."""
    global _packs
    _packs = parse_packs(Path(directory or settings.FAZHI_RULES_DIR))
    return _packs


def packs() -> Packs:
    return _packs if _packs is not None else load_packs()


def province_pack_title(province: str | None) -> str | None:
    """The title of the provincial pack that applies to ``province`` (a two-digit code), if any."""
    if not province:
        return None
    current = packs()
    for pack, path in current.files.items():
        if Path(path).stem == province[:2]:
            return current.titles.get(pack)
    return None


# --- queries --------------------------------------------------------------------------------


def _rules_for(province: str | None) -> dict[str, RuleDef]:
    current = packs()
    if province:
        return current.provinces.get(province[:2], current.national)
    return current.national


def rule_def(key: str, *, province: str | None = None) -> RuleDef:
    found = _rules_for(province).get(key)
    if found is None:
        raise errors.UnknownRule(f"规则 {key} 不存在。", key=key)
    return found


def rule(key: str, *, on: dt.date, province: str | None = None) -> Rule:
    """The version of rule ``key`` that applies on ``on`` (in ``province``, when given)."""
    return rule_def(key, province=province).on(on)


def all_rules(*, province: str | None = None) -> list[RuleDef]:
    """Every rule in force for ``province`` (national when None), sorted by key."""
    rules = _rules_for(province)
    return [rules[k] for k in sorted(rules)]


def period_rules(*, province: str | None = None) -> list[RuleDef]:
    """Rules whose value is a time limit (what the deadline calculator offers)."""
    return [r for r in all_rules(province=province) if r.versions[-1].value.kind == "period"]
