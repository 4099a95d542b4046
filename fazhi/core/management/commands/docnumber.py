"""``fazhi docnumber ORG_ID TYPE_KEY [--year YEAR]``: issue one document number as the system."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import errors
from fazhi.core.models import Organisation
from fazhi.core.services.numbering import document_number_take


class Command(BaseCommand):
    help = "签发一个文号（以系统身份），打印文号。未知文书类型退出码2，其他错误退出码1。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation_id", type=int)
        parser.add_argument("type_key")
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(pk=options["organisation_id"]).first()
        if organisation is None:
            self.stderr.write(f"not_found: 机构 {options['organisation_id']} 不存在。")
            sys.exit(1)
        try:
            text = document_number_take(
                actor=None,
                organisation=organisation,
                type_key=options["type_key"],
                year=options["year"],
            )
        except errors.UnknownDocumentType as exc:
            self.stderr.write(f"{exc.code}: {exc.message}")
            sys.exit(2)
        except errors.FazhiError as exc:
            self.stderr.write(f"{exc.code}: {exc.message}")
            sys.exit(1)
        self.stdout.write(text)
