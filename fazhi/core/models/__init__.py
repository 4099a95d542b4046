"""Core models, one module per area; import from ``fazhi.core.models``."""

from fazhi.core.models.audit import (
    Attachment,
    AttachmentKind,
    AttachmentLink,
    AuditEvent,
    ChainHead,
)
from fazhi.core.models.calendar import CalendarDay, CalendarRevision, CalendarYear
from fazhi.core.models.deadlines import Deadline, DeadlineExtension, DeadlineStop
from fazhi.core.models.jobs import Job, JobState
from fazhi.core.models.numbering import DocumentNumber, DocumentNumberCounter, DocumentType
from fazhi.core.models.org import (
    Credential,
    Department,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    Role,
    User,
)
from fazhi.core.models.site import SiteSettings

__all__ = [
    "Attachment",
    "AttachmentKind",
    "AttachmentLink",
    "AuditEvent",
    "CalendarDay",
    "CalendarRevision",
    "CalendarYear",
    "ChainHead",
    "Credential",
    "Deadline",
    "DeadlineExtension",
    "DeadlineStop",
    "Department",
    "DocumentNumber",
    "DocumentNumberCounter",
    "DocumentType",
    "Job",
    "JobState",
    "Officer",
    "Organisation",
    "OrganisationKind",
    "OrganisationLevel",
    "Role",
    "SiteSettings",
    "User",
]
