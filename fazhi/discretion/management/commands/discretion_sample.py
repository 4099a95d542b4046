"""``fazhi discretion_sample [--organisation ID]``: load the sample benchmark (示例数据) for an
organisation (default: the root), idempotently. Exit 2: no such organisation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhi.core.models import Organisation
from fazhi.discretion.sample import load_sample


class Command(BaseCommand):
    help = "加载示例裁量基准（示例数据，幂等）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", type=int, default=None, help="机构编号（默认根机构）")

    def handle(self, *args: Any, **options: Any) -> None:
        org_id = options["organisation"]
        qs = Organisation.objects.all()
        organisation = (
            qs.filter(pk=org_id).first()
            if org_id
            else qs.filter(parent__isnull=True).order_by("pk").first()
        )
        if organisation is None:
            self.stderr.write("机构不存在。")
            raise SystemExit(2)
        benchmark, created = load_sample(organisation=organisation)
        state = "已加载" if created else "已存在"
        self.stdout.write(f"示例裁量基准{state}：{benchmark.title}（编号 {benchmark.pk}）")
