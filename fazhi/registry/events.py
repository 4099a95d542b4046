"""The directory's audit events and the actions its refusals name (``<entity>.<verb>``).

A refused write is named by the event it would have written (``entity.created``); a refused read
by ``<entity>.listed`` or ``<entity>.viewed``. ``LEGACY`` keeps a Chinese label for the older
three-part names (``registry.entity.created``) found in existing chains, event names and the
``attempted`` actions of denials alike: the chain itself never changes.
"""

from __future__ import annotations

from fazhi.core.events import EventName


class EntityEvent(EventName):
    CREATED = "entity.created", "登记检查对象"
    UPDATED = "entity.updated", "修改检查对象信息"
    DEACTIVATED = "entity.deactivated", "停用检查对象"
    REACTIVATED = "entity.reactivated", "恢复检查对象在册"
    DELETED = "entity.deleted", "删除检查对象"
    REGRADED = "entity.regraded", "调整风险等级"
    EXPORTED = "entity.exported", "导出检查对象名录"
    LISTED = "entity.listed", "查看检查对象名录"
    VIEWED = "entity.viewed", "查看检查对象"


class LicenceEvent(EventName):
    ADDED = "licence.added", "登记许可证"
    UPDATED = "licence.updated", "修改许可证"
    LISTED = "licence.listed", "查看许可证"


class ImportBatchEvent(EventName):
    STAGED = "import_batch.staged", "上传名录导入文件"
    CONFIRMED = "import_batch.confirmed", "确认导入检查对象"
    DISCARDED = "import_batch.discarded", "放弃导入批次"
    LISTED = "import_batch.listed", "查看导入批次"
    VIEWED = "import_batch.viewed", "查看导入批次详情"


EVENTS = (EntityEvent, LicenceEvent, ImportBatchEvent)

_RENAMED: dict[str, EventName] = {
    # events
    "registry.entity.created": EntityEvent.CREATED,
    "registry.entity.updated": EntityEvent.UPDATED,
    "registry.entity.deactivated": EntityEvent.DEACTIVATED,
    "registry.entity.reactivated": EntityEvent.REACTIVATED,
    "registry.entity.deleted": EntityEvent.DELETED,
    "registry.entity.risk_grade_set": EntityEvent.REGRADED,
    "registry.entity.exported": EntityEvent.EXPORTED,
    "registry.licence.added": LicenceEvent.ADDED,
    "registry.licence.updated": LicenceEvent.UPDATED,
    "registry.import.staged": ImportBatchEvent.STAGED,
    "registry.import.confirmed": ImportBatchEvent.CONFIRMED,
    "registry.import.discarded": ImportBatchEvent.DISCARDED,
    # the actions refusals were recorded under
    "registry.entity.create": EntityEvent.CREATED,
    "registry.entity.update": EntityEvent.UPDATED,
    "registry.entity.deactivate": EntityEvent.DEACTIVATED,
    "registry.entity.reactivate": EntityEvent.REACTIVATED,
    "registry.entity.delete": EntityEvent.DELETED,
    "registry.entity.risk_grade": EntityEvent.REGRADED,
    "registry.entity.export": EntityEvent.EXPORTED,
    "registry.entity.read": EntityEvent.VIEWED,
    "registry.licence.add": LicenceEvent.ADDED,
    "registry.licence.update": LicenceEvent.UPDATED,
    "registry.licence.read": LicenceEvent.LISTED,
    "registry.import.stage": ImportBatchEvent.STAGED,
    "registry.import.confirm": ImportBatchEvent.CONFIRMED,
    "registry.import.discard": ImportBatchEvent.DISCARDED,
    "registry.importbatch.read": ImportBatchEvent.VIEWED,
}

# The directory's own practice points, retired for credit's (decision 0083): their events stay
# readable in existing chains; the rows were copied into credit's point entries.
RETIRED_POINTS_LABEL = "记录不良执业行为记分（名录库旧记分）"
_RETIRED: dict[str, tuple[str, str]] = {
    name: ("", RETIRED_POINTS_LABEL)
    for name in ("practice_points.recorded", "registry.points.recorded", "registry.points.record")
}

LEGACY: dict[str, tuple[str, str]] = {
    **{old: (str(new), new.label) for old, new in _RENAMED.items()},
    **_RETIRED,
}
