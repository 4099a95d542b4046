"""``fazhi demo``: load the fictional demo province (idempotent) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import demo


class Command(BaseCommand):
    help = "载入演示数据（虚构的清源省，可重复执行）并打印演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help="演示服务的地址（make demo 按 HOST 传入）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo.load(stdout=self.stdout)
        ran = demo.run_hooks(province=result.province, stdout=self.stdout)
        self.stdout.write(
            f"演示数据：{result.province.name}及其下属两个市、四个区的卫生健康委（局）和监督所。"
        )
        self.stdout.write(
            "以上机构名称均为虚构，行政区划代码仅具备正确格式（GB/T 2260），不指代任何真实地区。"
        )
        if ran:
            self.stdout.write("已载入各业务模块的演示数据：" + "、".join(ran))
        self.stdout.write(demo.logins_text())
        self.stdout.write(f"访问 {options['url']} 登录。")
