"""Demo data: the sample benchmark (示例), issued by the demo province's commission."""

from __future__ import annotations

from typing import Any

from fazhi.core.models import Organisation
from fazhi.discretion.sample import load_sample


def load(*, province: Organisation, stdout: Any) -> None:
    benchmark, created = load_sample(organisation=province)
    if created:
        stdout.write(f"裁量基准：加载示例基准（{benchmark.items.count()}个违法行为）。\n")
