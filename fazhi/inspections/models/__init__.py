"""Random inspections (双随机、一公开): the item list and inspector pool (一单两库 with the entity
directory of ``registry``), plans and their strata, announcements, draws and tasks; one module per
area, imported here because Django finds an app's models in ``fazhi.inspections.models``.

State changes go through ``fazhi.inspections.services``; reads through ``selectors``.
Every row reaches an organisation (directly or through its plan) for data scope.
"""

from fazhi.inspections.models.draws import (
    AnnouncementState,
    Draw,
    DrawAnnouncement,
    DrawState,
    EntropyKind,
    ReannouncementRequest,
    RedrawRequest,
    RedrawState,
    Witness,
)
from fazhi.inspections.models.items import (
    ConflictDeclaration,
    InspectionItem,
    InspectorLeave,
    InspectorProfile,
)
from fazhi.inspections.models.plans import (
    PLANNED_KINDS,
    InspectionPlan,
    NamesPublic,
    PlanKind,
    PlanState,
    PlanStratum,
    default_risk_weights,
)
from fazhi.inspections.models.tasks import (
    FindingResult,
    InspectionTask,
    InspectorRole,
    OutcomeReason,
    TaskFinding,
    TaskInspector,
    TaskOutcome,
    TaskPhoto,
    TaskState,
)

__all__ = [
    "PLANNED_KINDS",
    "AnnouncementState",
    "ConflictDeclaration",
    "Draw",
    "DrawAnnouncement",
    "DrawState",
    "EntropyKind",
    "FindingResult",
    "InspectionItem",
    "InspectionPlan",
    "InspectionTask",
    "InspectorLeave",
    "InspectorProfile",
    "InspectorRole",
    "NamesPublic",
    "OutcomeReason",
    "PlanKind",
    "PlanState",
    "PlanStratum",
    "ReannouncementRequest",
    "RedrawRequest",
    "RedrawState",
    "TaskFinding",
    "TaskInspector",
    "TaskOutcome",
    "TaskPhoto",
    "TaskState",
    "Witness",
    "default_risk_weights",
]
