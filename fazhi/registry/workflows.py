"""The directory's one workflow: an import batch, from its preview to confirmed or discarded.

An entity's 经营状态 (``Entity.status``), its risk grade and its being in the directory
(``is_active``) are attributes that services set, not states of a workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fazhi.core import errors
from fazhi.core.workflow import Action, Guard, Workflow
from fazhi.registry.events import ImportBatchEvent
from fazhi.registry.models import ImportBatch, ImportState


def _batch_is_clean(batch: ImportBatch, ctx: Mapping[str, Any]) -> None:
    if not batch.is_clean:
        raise errors.Conflict("该批次存在错误，请修改文件后重新上传。", code="batch_has_errors")


IMPORT_BATCH: Workflow[ImportBatch] = Workflow(
    name="import_batch",
    label="导入批次",
    model=ImportBatch,
    states=ImportState,
    initial=(ImportState.PREVIEWED,),
    actions=[
        Action(
            name="confirm",
            label="确认导入",
            sources=(ImportState.PREVIEWED,),
            target=ImportState.CONFIRMED,
            event=ImportBatchEvent.CONFIRMED,
            guards=(Guard("批次有数据行且没有任何错误", _batch_is_clean),),
            refusal="batch_not_pending",
        ),
        Action(
            name="discard",
            label="放弃导入",
            sources=(ImportState.PREVIEWED,),
            target=ImportState.DISCARDED,
            event=ImportBatchEvent.DISCARDED,
            refusal="batch_not_pending",
        ),
    ],
)
