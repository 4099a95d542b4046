"""A sample benchmark of common health violations (示例数据, not an issued benchmark).

Thirteen violations with their articles. The statutory ranges of items marked "已核对法律法规文本"
(V-text) are
quoted from the texts in ``shared/laws/`` (基本医疗卫生与健康促进法 2019, 医师法 2021, 医疗机构管理
条例 2016 numbering, 公共场所卫生管理条例 2019); the others cite ministry rules not in that folder
and are marked "未核对正式文本" (UNVERIFIED). The division of each statutory range into tiers is
illustrative (LEGAL.md §9: at least three tiers, 一般 in the middle); a commission replaces it
with its own benchmark by importing a file. Loaded by ``fazhi discretion_sample`` and by
``fazhi demo``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fazhi.core.models import Organisation
from fazhi.discretion.engine import TierRule
from fazhi.discretion.models import Benchmark
from fazhi.discretion.services import benchmarks as benchmark_services
from fazhi.discretion.services.benchmarks import BenchmarkMeta, ItemData

TITLE = "卫生健康行政处罚裁量基准（示例）"
EFFECTIVE_FROM = dt.date(2025, 1, 1)
D = Decimal
FLOOR = D("10000")

# circumstance sets used by several items
FIRST_MINOR = ("first_violation", "minor_harm", "corrected")
LIGHTER_ANY = ("eliminated_harm", "coerced", "confessed", "meritorious", "minor_age")
HEAVIER_ANY = ("repeat", "harm_caused", "serious_harm", "obstruction", "emergency", "vulnerable")


def _multiple(tier: str, low: str, high: str, conditions: str, **kw: Any) -> TierRule:
    return TierRule(
        tier=tier,
        conditions=conditions,
        fine_kind="multiple",
        multiple_min=D(low),
        multiple_max=D(high),
        gains_floor=FLOOR,
        **kw,
    )


def _amount(tier: str, low: str, high: str, conditions: str, **kw: Any) -> TierRule:
    return TierRule(
        tier=tier,
        conditions=conditions,
        fine_kind="amount",
        fine_min=D(low),
        fine_max=D(high),
        **kw,
    )


def _none(tier: str, conditions: str, **kw: Any) -> TierRule:
    return TierRule(tier=tier, conditions=conditions, **kw)


def _graded_multiple(
    low: str, q1: str, q2: str, high: str, *, confiscation: str, extra: str = "", **kw: Any
) -> list[TierRule]:
    """减轻 below the statutory minimum, then 从轻 / 一般 / 从重 across the statutory range."""
    common = {"confiscation": confiscation, "other_measures": extra, **kw}
    return [
        _multiple(
            "mitigated",
            "0",
            low,
            "具有行政处罚法第三十二条规定情形之一，且违法行为轻微",
            requires_all=("minor_harm",),
            requires_any=("coerced", "meritorious"),
            **common,
        ),
        _multiple(
            "lighter",
            low,
            q1,
            "持续时间短、规模小，或主动消除危害后果、主动供述等",
            requires_any=("short_duration", "small_scale", *LIGHTER_ANY),
            **common,
        ),
        _multiple("general", q1, q2, "不具有从轻、减轻、从重情节", **common),
        _multiple(
            "heavier",
            q2,
            high,
            "曾受过处罚、造成危害后果、阻碍执法、突发事件期间等",
            requires_any=HEAVIER_ANY,
            **common,
        ),
    ]


def _items() -> list[ItemData]:
    unlicensed = ItemData(
        "YL-01",
        "未取得医疗机构执业许可证擅自执业",
        "《基本医疗卫生与健康促进法》第三十八条",
        "《基本医疗卫生与健康促进法》第九十九条第一款（已核对法律法规文本）",
        tiers=_graded_multiple(
            "5",
            "10",
            "15",
            "20",
            confiscation="没收违法所得和药品、医疗器械",
            extra="责令停止执业活动",
        ),
    )
    non_physician = ItemData(
        "YS-01",
        "非医师行医",
        "《医师法》第十三条",
        "《医师法》第五十九条（已核对法律法规文本）",
        tiers=_graded_multiple(
            "2",
            "4",
            "7",
            "10",
            confiscation="没收违法所得和药品、医疗器械",
            extra="责令停止非法执业活动",
        ),
    )
    licence_trade = ItemData(
        "YL-02",
        "伪造、变造、买卖、出租、出借医疗机构执业许可证",
        "《基本医疗卫生与健康促进法》第九十九条第二款",
        "《基本医疗卫生与健康促进法》第九十九条第二款（已核对法律法规文本）",
        tiers=[
            _multiple(
                "lighter",
                "5",
                "8",
                "违法行为持续时间短，或主动消除危害后果等",
                requires_any=("short_duration", *LIGHTER_ANY),
                confiscation="没收违法所得",
            ),
            _multiple("general", "8", "12", "不具有从轻、从重情节", confiscation="没收违法所得"),
            _multiple(
                "heavier",
                "12",
                "15",
                "情节严重：曾受过处罚、造成危害后果等",
                requires_any=HEAVIER_ANY,
                confiscation="没收违法所得",
                revocation="吊销医疗机构执业许可证",
            ),
        ],
    )
    beyond_scope = ItemData(
        "YL-03",
        "诊疗活动超出登记范围",
        "《医疗机构管理条例》第二十七条（2016年文本条号）",
        "《医疗机构管理条例》第四十七条（2016年文本条号，已核对法律法规文本）",
        first_violation_list=True,
        tiers=[
            _none(
                "no_penalty",
                "初次违法、危害后果轻微并及时改正",
                requires_all=FIRST_MINOR,
                other_measures="责令改正，批评教育",
            ),
            _amount(
                "lighter",
                "0",
                "1000",
                "未造成危害后果且主动改正",
                requires_all=("no_harm", "corrected"),
                warning=True,
                other_measures="责令改正",
            ),
            _amount(
                "general",
                "1000",
                "2000",
                "不具有从轻、从重情节",
                warning=True,
                other_measures="责令改正",
            ),
            _amount(
                "heavier",
                "2000",
                "3000",
                "情节严重：造成危害后果、曾受过处罚等（可吊销执业许可证）",
                requires_any=HEAVIER_ANY,
                warning=True,
                revocation="情节严重的，吊销医疗机构执业许可证",
            ),
        ],
    )
    non_technician = ItemData(
        "YL-04",
        "使用非卫生技术人员从事医疗卫生技术工作",
        "《医疗机构管理条例》第二十八条（2016年文本条号）",
        "《医疗机构管理条例》第四十八条（2016年文本条号，已核对法律法规文本）",
        tiers=[
            _amount(
                "lighter",
                "0",
                "1500",
                "使用人数少、时间短，未造成危害后果",
                requires_any=("short_duration", "small_scale", *LIGHTER_ANY),
                other_measures="责令限期改正",
            ),
            _amount(
                "general", "1500", "3500", "不具有从轻、从重情节", other_measures="责令限期改正"
            ),
            _amount(
                "heavier",
                "3500",
                "5000",
                "情节严重：造成危害后果、曾受过处罚等",
                requires_any=HEAVIER_ANY,
                revocation="情节严重的，吊销医疗机构执业许可证",
            ),
        ],
    )
    false_certificate = ItemData(
        "YL-05",
        "医疗机构出具虚假证明文件",
        "《医疗机构管理条例》第三十二条（2016年文本条号）",
        "《医疗机构管理条例》第四十九条（2016年文本条号，已核对法律法规文本）",
        tiers=[
            _none("general", "未造成危害后果", warning=True),
            _amount(
                "heavier",
                "0",
                "1000",
                "造成危害后果",
                requires_any=("harm_caused", "serious_harm"),
                warning=True,
            ),
        ],
    )
    not_validated = ItemData(
        "YL-06",
        "逾期不校验医疗机构执业许可证仍从事诊疗活动",
        "《医疗机构管理条例》第二十二条（2016年文本条号）",
        "《医疗机构管理条例》第四十五条（2016年文本条号，已核对法律法规文本）",
        tiers=[
            _none("general", "责令限期补办校验手续", other_measures="责令限期补办校验手续"),
            _none(
                "heavier",
                "拒不校验",
                requires_all=("refused_correction",),
                revocation="吊销医疗机构执业许可证",
            ),
        ],
    )
    public_place_permit = ItemData(
        "GG-01",
        "公共场所未取得卫生许可证擅自营业",
        "《公共场所卫生管理条例》第八条",
        "《公共场所卫生管理条例》第十四条第一款第（四）项（已核对法律法规文本）；"
        "《公共场所卫生管理条例实施细则》第三十五条（罚款幅度未核对正式文本）",
        tiers=[
            _amount(
                "lighter",
                "500",
                "2000",
                "擅自营业时间短、规模小，主动停止营业",
                requires_any=("short_duration", "small_scale", *LIGHTER_ANY),
                warning=True,
            ),
            _amount("general", "2000", "5000", "不具有从轻、从重情节", warning=True),
            _amount(
                "heavier",
                "5000",
                "30000",
                "曾受过处罚、擅自营业三个月以上、使用伪造或转让的许可证等",
                requires_any=("repeat", "obstruction", "harm_caused", "serious_harm"),
                warning=True,
            ),
        ],
    )
    health_certificate = ItemData(
        "GG-02",
        "公共场所安排未获得有效健康合格证明的从业人员直接为顾客服务",
        "《公共场所卫生管理条例》第七条",
        "《公共场所卫生管理条例》第十四条第一款第（二）项（已核对法律法规文本）；"
        "《公共场所卫生管理条例实施细则》第三十八条（罚款幅度未核对正式文本）",
        first_violation_list=True,
        tiers=[
            _none(
                "no_penalty",
                "初次违法、危害后果轻微并及时改正",
                requires_all=FIRST_MINOR,
                other_measures="责令改正，批评教育",
            ),
            _amount(
                "lighter",
                "500",
                "1500",
                "涉及人数少并及时改正",
                requires_all=("corrected",),
                requires_any=("small_scale", "minor_harm"),
                warning=True,
            ),
            _amount(
                "general",
                "1500",
                "5000",
                "不具有从轻、从重情节",
                warning=True,
                other_measures="责令限期改正",
            ),
            _amount(
                "heavier",
                "5000",
                "15000",
                "逾期不改正",
                requires_any=("refused_correction", "repeat"),
                warning=True,
            ),
        ],
    )
    public_place_quality = ItemData(
        "GG-03",
        "公共场所卫生质量不符合国家卫生标准和要求而继续营业",
        "《公共场所卫生管理条例》第三条",
        "《公共场所卫生管理条例》第十四条第一款第（一）项（已核对法律法规文本）；罚款幅度未核对正式文本",
        tiers=[
            _amount(
                "lighter",
                "0",
                "2000",
                "一项指标轻微超标并及时改正",
                requires_all=("corrected",),
                requires_any=("minor_harm", "no_harm"),
                warning=True,
            ),
            _amount("general", "2000", "10000", "不具有从轻、从重情节", warning=True),
            _amount(
                "heavier",
                "10000",
                "20000",
                "造成危害后果、逾期不改正等",
                requires_any=("harm_caused", "serious_harm", "refused_correction", "repeat"),
                suspension="责令停业整顿",
            ),
        ],
    )
    water = ItemData(
        "SS-01",
        "集中式供水单位未取得卫生许可证擅自供水",
        "《生活饮用水卫生监督管理办法》第七条（未核对正式文本）",
        "《生活饮用水卫生监督管理办法》第二十六条（未核对正式文本）",
        tiers=[
            _amount(
                "lighter",
                "20",
                "1000",
                "供水规模小、时间短，水质检测合格",
                requires_any=("small_scale", "short_duration", "no_harm"),
                other_measures="责令限期改进",
            ),
            _amount(
                "general", "1000", "3000", "不具有从轻、从重情节", other_measures="责令限期改进"
            ),
            _amount(
                "heavier",
                "3000",
                "5000",
                "造成危害后果或者逾期不改进",
                requires_any=("harm_caused", "serious_harm", "refused_correction", "repeat"),
                other_measures="责令限期改进",
            ),
        ],
    )
    disinfection = ItemData(
        "XD-01",
        "生产经营无生产企业卫生许可证的消毒产品",
        "《消毒管理办法》第三十一条（未核对正式文本）",
        "《消毒管理办法》第四十七条（未核对正式文本）",
        first_violation_list=True,
        tiers=[
            _none(
                "no_penalty",
                "初次违法、危害后果轻微并及时改正",
                requires_all=FIRST_MINOR,
                other_measures="责令限期改正",
            ),
            _amount(
                "lighter",
                "0",
                "2000",
                "货值小、及时下架",
                requires_any=("small_scale", "eliminated_harm"),
                other_measures="责令限期改正",
            ),
            _amount(
                "general", "2000", "5000", "不具有从轻、从重情节", other_measures="责令限期改正"
            ),
            _amount(
                "heavier",
                "5000",
                "20000",
                "造成感染性疾病暴发",
                requires_any=("serious_harm",),
                other_measures="责令限期改正",
            ),
        ],
    )
    radiology = ItemData(
        "FS-01",
        "未取得放射诊疗许可从事放射诊疗工作",
        "《放射诊疗管理规定》第十一条（未核对正式文本）",
        "《放射诊疗管理规定》第三十八条（未核对正式文本）",
        tiers=[
            _amount(
                "lighter",
                "0",
                "1000",
                "开展时间短、未造成危害后果",
                requires_any=("short_duration", "no_harm", *LIGHTER_ANY),
                warning=True,
                other_measures="责令限期改正",
            ),
            _amount(
                "general",
                "1000",
                "2000",
                "不具有从轻、从重情节",
                warning=True,
                other_measures="责令限期改正",
            ),
            _amount(
                "heavier",
                "2000",
                "3000",
                "情节严重：造成危害后果、曾受过处罚等",
                requires_any=HEAVIER_ANY,
                warning=True,
                suspension="情节严重的，责令暂停执业活动",
                revocation="直至吊销医疗机构执业许可证",
            ),
        ],
    )
    return [
        unlicensed,
        non_physician,
        licence_trade,
        beyond_scope,
        non_technician,
        false_certificate,
        not_validated,
        public_place_permit,
        health_certificate,
        public_place_quality,
        water,
        disinfection,
        radiology,
    ]


SOURCES = (
    "示例数据，非正式发布的裁量基准。"
    "标注“已核对法律法规文本”的法定罚款幅度，已与本项目收录的法律、法规文本核对："
    "《基本医疗卫生与健康促进法》（2019）第九十九条，《医师法》（2021）第五十九条，"
    "《医疗机构管理条例》（2016年文本）第四十五条至第四十九条，"
    "《公共场所卫生管理条例》（2019）第十四条；"
    "标注“未核对正式文本”的（部门规章：公共场所卫生管理条例实施细则、生活饮用水卫生监督管理办法、"
    "消毒管理办法、"
    "放射诊疗管理规定）未与正式文本核对。阶次划分参照国办发〔2022〕27号及地方基准的通行做法（示例）。"
)


def load_sample(*, organisation: Organisation) -> tuple[Benchmark, bool]:
    """The sample benchmark of ``organisation``, created if missing (idempotent)."""
    found = Benchmark.objects.filter(organisation=organisation, title=TITLE, is_sample=True).first()
    if found is not None:
        return found, False
    benchmark = benchmark_services.benchmark_create(
        actor=None,
        organisation=organisation,
        meta=BenchmarkMeta(
            title=TITLE,
            issuing_body=f"{organisation.name}（示例）",
            effective_from=EFFECTIVE_FROM,
            is_sample=True,
            sources=SOURCES,
        ),
        items=_items(),
    )
    return benchmark, True
