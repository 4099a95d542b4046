"""Demo data: a fictional province, loaded through the real services (so every row has its audit
event). Idempotent: each step looks for its row first and creates only what is missing, so a second
run changes nothing and prints the same logins.

The names are invented and the division codes only have the right shape (GB/T 2260 structure);
they do not describe any real place.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

from fazhi.core import clock
from fazhi.core.models import (
    CalendarYear,
    Credential,
    Deadline,
    Department,
    DocumentNumber,
    DocumentType,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    Role,
    SiteSettings,
    User,
)
from fazhi.core.services import org as org_services
from fazhi.core.services import people as people_services

DEMO_PASSWORD = "Fazhi-Demo-2026"  # noqa: S105  (documented demo password, printed on purpose)
DEMO_HOOKS = [
    "fazhi.registry.demo",
    "fazhi.inspections.demo",
    "fazhi.discretion.demo",
    "fazhi.enforcement.demo",
    "fazhi.matters.demo",
    "fazhi.credit.demo",
    "fazhi.appeals.demo",
    "fazhi.matters.demo_proposals",
    "fazhi.disputes.demo",
]

PROVINCE = ("清源省", "360000", "清卫")
CITIES = [
    ("青川市", "360100", "青卫", [("松溪区", "360102", "松卫"), ("柳岸区", "360103", "柳卫")]),
    ("澄江市", "360200", "澄卫", [("梅岭区", "360202", "梅卫"), ("桂湖区", "360203", "桂卫")]),
]
COMMISSION_DEPARTMENTS = ["办公室", "政策法规科", "医政医管科", "疾病预防控制科"]
INSTITUTE_DEPARTMENTS = ["综合监督科", "医疗卫生监督科", "公共卫生监督科"]
DOCUMENT_TYPES = [
    ("penalty_decision", "行政处罚决定书", "{short}医罚"),
    ("penalty_notice", "行政处罚事先告知书", "{short}医罚告"),
    ("disclosure_reply", "政府信息公开申请答复书", "{short}依复"),
]

# (username, full name, role, organisation label) — one login per role, plus a city admin to show
# how scope narrows administration.
LOGINS = [
    ("demo_admin", "演示系统管理员", Role.SYSTEM_ADMIN, "清源省"),
    ("demo_city_admin", "澄江市系统管理员", Role.SYSTEM_ADMIN, "澄江市"),
    ("demo_leader", "青川市分管领导", Role.LEADER, "青川市"),
    ("demo_legal", "松溪区法制审核员", Role.LEGAL_REVIEWER, "松溪区"),
    ("demo_supervisor", "松溪区监督员", Role.SUPERVISOR, "松溪区监督所"),
    ("demo_petition", "松溪区信访办理员", Role.PETITION_OFFICER, "松溪区"),
    ("demo_viewer", "省级只读查看", Role.VIEWER, "清源省"),
]

# Officers per supervision institute (district institutes get the most; they do the inspections).
OFFICER_NAMES = {
    OrganisationLevel.PROVINCE: ["周建国", "吴晓梅"],
    OrganisationLevel.CITY: ["郑海涛", "王丽华", "冯志强"],
    OrganisationLevel.DISTRICT: [
        "陈立",
        "褚思远",
        "卫红",
        "蒋文博",
        "沈佳",
        "韩晓东",
        "杨帆",
        "朱敏",
    ],
}


@dataclass
class DemoResult:
    province: Organisation
    created: int


class _Loader:
    def __init__(self, stdout: Any, today: dt.date):
        self.stdout = stdout
        self.today = today
        self.created = 0
        self.orgs: dict[str, Organisation] = {}

    # --- organisations ---------------------------------------------------------------------------

    def organisation(
        self,
        *,
        name: str,
        kind: str,
        level: str,
        code: str,
        parent: Organisation | None,
        short_name: str,
    ) -> Organisation:
        existing = Organisation.objects.filter(parent=parent, name=name).first()
        if existing is not None:
            return existing
        self.created += 1
        return org_services.organisation_create(
            actor=None,
            name=name,
            kind=kind,
            level=level,
            division_code=code,
            parent=parent,
            short_name=short_name,
        )

    def commission(
        self, *, label: str, code: str, short: str, level: str, parent: Organisation | None
    ) -> Organisation:
        suffix = "卫生健康委员会" if level != OrganisationLevel.DISTRICT else "卫生健康局"
        prefix = "" if parent is None or level == OrganisationLevel.CITY else parent_label(parent)
        commission = self.organisation(
            name=f"{prefix}{label}{suffix}",
            kind=OrganisationKind.COMMISSION,
            level=level,
            code=code,
            parent=parent,
            short_name=short,
        )
        institute = self.organisation(
            name=f"{prefix}{label}卫生健康监督所",
            kind=OrganisationKind.SUPERVISION_INSTITUTE,
            level=level,
            code=code,
            parent=commission,
            short_name=f"{short}监",
        )
        self.orgs[label] = commission
        self.orgs[f"{label}监督所"] = institute
        for name in COMMISSION_DEPARTMENTS:
            self.department(commission, name)
        for name in INSTITUTE_DEPARTMENTS:
            self.department(institute, name)
        for key, doc_name, pattern in DOCUMENT_TYPES:
            self.document_type(commission, key, doc_name, pattern.format(short=short))
        return commission

    def department(self, organisation: Organisation, name: str) -> Department:
        existing = Department.objects.filter(organisation=organisation, name=name).first()
        if existing is not None:
            return existing
        self.created += 1
        return org_services.department_create(actor=None, organisation=organisation, name=name)

    def document_type(self, organisation: Organisation, key: str, name: str, prefix: str) -> None:
        try:
            from fazhi.core.services.numbering import document_type_create
        except ImportError:  # numbering not installed in this build
            return
        if DocumentType.objects.filter(organisation=organisation, key=key).exists():
            return
        self.created += 1
        document_type_create(
            actor=None, organisation=organisation, key=key, name=name, prefix=prefix
        )

    # --- people ----------------------------------------------------------------------------------

    def user(self, username: str, full_name: str, role: str, organisation: Organisation) -> User:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            return existing
        self.created += 1
        return people_services.user_create(
            actor=None,
            username=username,
            full_name=full_name,
            organisation=organisation,
            role=role,
            password=DEMO_PASSWORD,
        )

    def officers(self, institute: Organisation, names: list[str], serial_base: int) -> None:
        department = Department.objects.filter(organisation=institute).order_by("name").first()
        for index, name in enumerate(names):
            officer = Officer.objects.filter(organisation=institute, name=name).first()
            if officer is None:
                self.created += 1
                officer = people_services.officer_create(
                    actor=None,
                    organisation=institute,
                    name=name,
                    department=department,
                    title="监督员" if index else "科长",
                    has_legal_qualification=index == 1,
                )
            number = f"{institute.division_code}{serial_base + index:06d}"
            if Credential.objects.filter(number=number).exists():
                continue
            expires_on = self.today + dt.timedelta(days=self.expiry_days(serial_base + index))
            issued_on = min(self.today, expires_on) - dt.timedelta(days=5 * 365)
            self.created += 1
            people_services.credential_issue(
                actor=None,
                officer=officer,
                number=number,
                issued_on=issued_on,
                expires_on=expires_on,
                issuing_authority="清源省人民政府（演示）",
            )

    @staticmethod
    def expiry_days(serial: int) -> int:
        """Spread of expiry dates: most valid for years, a few expiring within 60 days, one
        expired (the third officer of the first district institute)."""
        if serial == 3:
            return -20
        if serial % 7 == 1:
            return 25 + serial % 30
        return 400 + (serial * 37) % 900


def parent_label(parent: Organisation) -> str:
    """ "青川市卫生健康委员会" -> "青川市": district names carry their city, as in real usage."""
    return parent.name.removesuffix("卫生健康委员会")


def load(*, stdout: Any, today: dt.date | None = None) -> DemoResult:
    loader = _Loader(stdout, today or clock.today())
    p_label, p_code, p_short = PROVINCE
    province = loader.commission(
        label=p_label, code=p_code, short=p_short, level=OrganisationLevel.PROVINCE, parent=None
    )
    serial = 1
    institutes = [(loader.orgs[f"{p_label}监督所"], OrganisationLevel.PROVINCE)]
    for c_label, c_code, c_short, districts in CITIES:
        city = loader.commission(
            label=c_label, code=c_code, short=c_short, level=OrganisationLevel.CITY, parent=province
        )
        institutes.append((loader.orgs[f"{c_label}监督所"], OrganisationLevel.CITY))
        for d_label, d_code, d_short in districts:
            loader.commission(
                label=d_label,
                code=d_code,
                short=d_short,
                level=OrganisationLevel.DISTRICT,
                parent=city,
            )
            institutes.append((loader.orgs[f"{d_label}监督所"], OrganisationLevel.DISTRICT))
    # district institutes first, so the expired credential (serial 3) is in 松溪区
    institutes.sort(key=lambda item: item[1] != OrganisationLevel.DISTRICT)
    for institute, level in institutes:
        names = OFFICER_NAMES[OrganisationLevel(level)]
        loader.officers(institute, names, serial)
        serial += len(names)

    users = {}
    for username, full_name, role, label in LOGINS:
        users[username] = loader.user(username, full_name, role, loader.orgs[label])
    supervisor = users["demo_supervisor"]
    officer = Officer.objects.filter(organisation=supervisor.organisation).order_by("pk").first()
    if officer is not None and officer.user_id is None and not hasattr(supervisor, "officer"):
        loader.created += 1
        people_services.officer_update(actor=None, officer=officer, user=supervisor)

    _suspend_one_credential(loader, loader.orgs[f"{CITIES[0][0]}监督所"])
    _seed_calendar(loader)
    _demo_documents(loader, users)
    _demo_deadlines(loader, users)
    _demo_site()
    return DemoResult(province=province, created=loader.created)


def _suspend_one_credential(loader: _Loader, institute: Organisation) -> None:
    """One suspended credential shows the credential workflow on the officer pages: the last
    officer of a city institute (no inspector of the demo pool). Only a credential that never
    changed state is suspended, so a reinstatement made in the demo stays."""
    from fazhi.core.models.org import CredentialState

    name = OFFICER_NAMES[OrganisationLevel.CITY][-1]
    credential = Credential.objects.filter(
        officer__organisation=institute,
        officer__name=name,
        state=CredentialState.VALID,
        state_changed_on__isnull=True,
    ).first()
    if credential is None:
        return
    loader.created += 1
    people_services.credential_suspend(
        actor=None, credential=credential, reason="涉嫌违规执法，调查期间暂扣（演示）"
    )


# (login, title, rule key, days before today the period started)
DEMO_DEADLINES = [
    (
        "demo_legal",
        "答复政府信息公开申请（松卫信公〔{year}〕31号，申请人王某）",
        "disclosure.reply",
        20,
    ),
    ("demo_legal", "提交行政复议答复书（复议申请人：某诊所）", "reconsideration.answer", 5),
    (
        "demo_legal",
        "规范性文件报送备案：《松溪区医疗美容机构监督管理办法》",
        "normative.filing",
        10,
    ),
    ("demo_supervisor", "行政处罚决定公示：松卫医罚〔{year}〕7号", "penalty.publicity", 14),
    ("demo_supervisor", "行政处罚决定书送达：松卫医罚〔{year}〕8号", "penalty.service", 2),
]

# The documents the deadlines cite, in the numbering register: (organisation, document type, the
# last serial). The serials before it stand for the year's earlier documents of that type; all are
# taken by ``demo_legal`` through the numbering service, as on the 文书编号 page.
DEMO_DOCUMENTS = [("松溪区", "penalty_decision", 8)]


def _demo_documents(loader: _Loader, users: dict[str, User]) -> None:
    """松卫医罚〔year〕1号 … 8号, so that the numbers the deadlines cite exist (idempotent)."""
    try:
        from fazhi.core.services.numbering import document_number_take
    except ImportError:  # numbering not installed in this build
        return
    year = loader.today.year
    for label, key, last in DEMO_DOCUMENTS:
        organisation = loader.orgs[label]
        doc_type = DocumentType.objects.filter(organisation=organisation, key=key).first()
        if doc_type is None:
            continue
        issued = DocumentNumber.objects.filter(document_type=doc_type, year=year).count()
        for _ in range(issued, last):
            loader.created += 1
            document_number_take(
                actor=users["demo_legal"], organisation=organisation, type_key=key, year=year
            )


# The public site's identity (网站信息), fictional like everything else here.
DEMO_SITE = {
    "sponsor": "清源省卫生健康委员会",
    "organiser": "清源省卫生健康监督所",
    "contact_phone": "0791-86000000",
    "contact_address": "清源省青川市府前路1号（虚构）",
    "site_code": "3600000001",
    "icp_number": "清ICP备20260001号",
}


def _demo_site() -> None:
    """Once: an administrator's later changes survive another run."""
    from fazhi.core.services.site import site_settings_update

    if not SiteSettings.objects.exists():
        site_settings_update(actor=None, **DEMO_SITE)


def _demo_deadlines(loader: _Loader, users: dict[str, User]) -> None:
    """A few open obligations so that the workbench shows what is due soon and overdue."""
    from fazhi.core.services import deadlines as deadline_services

    for username, template, rule_key, days_ago in DEMO_DEADLINES:
        title = template.format(year=loader.today.year)
        owner = users[username]
        assert owner.organisation is not None
        if Deadline.objects.filter(organisation=owner.organisation, title=title).exists():
            continue
        loader.created += 1
        deadline_services.deadline_open(
            actor=owner,
            organisation=owner.organisation,
            title=title,
            rule_key=rule_key,
            start_date=loader.today - dt.timedelta(days=days_ago),
            assignee=owner,
            today=loader.today,
        )


def _seed_calendar(loader: _Loader) -> None:
    try:
        module = importlib.import_module("fazhi.core.calendar")
    except ImportError:
        module = None
    seed = getattr(module, "calendar_seed_from_package", None)
    if seed is None:
        loader.stdout.write("（节假日日历模块尚未安装，跳过。）\n")
        return
    seed(actor=None)
    years = sorted(CalendarYear.objects.values_list("year", flat=True))
    if years:
        loader.stdout.write(f"工作日历：已载入{years[0]}–{years[-1]}年的节假日安排。\n")


def run_hooks(*, province: Organisation, stdout: Any) -> list[str]:
    """Call ``load(*, province, stdout)`` of every domain app's demo module that is installed."""
    ran = []
    for module_name in DEMO_HOOKS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that app has no demo module in this build
            raise
        module.load(province=province, stdout=stdout)
        ran.append(module_name)
    return ran


def logins_text() -> str:
    """Every demo login that exists, as the demo made it: the role logins first, then those the
    domain demos added (registry clerks, inspectors). All share the public demo password."""
    lines = ["演示账号（密码均为 " + DEMO_PASSWORD + "）："]
    main = [username for username, *_ in LOGINS]
    users = {
        user.username: user
        for user in User.objects.select_related("organisation").filter(username__startswith="demo_")
    }
    others = sorted(name for name in users if name not in main)
    for username in [*main, *others]:
        user = users.get(username)
        if user is None:
            continue
        org = user.organisation.name if user.organisation else ""
        lines.append(f"  {username:<22} {Role(user.role).label}，{org}")
    return "\n".join(lines)
