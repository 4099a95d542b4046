"""Password policy beyond Django's validators: at least three of four character classes."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    classes = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")

    def validate(self, password: str, user: Any = None) -> None:
        found = sum(1 for pattern in self.classes if re.search(pattern, password))
        if found < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。",
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
