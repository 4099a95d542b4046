"""Deputies' suggestions (人大代表建议) and CPPCC proposals (政协提案): the facts a ``Matter`` of
these kinds needs beyond the shared row (decision 0074): the number the congress or the CPPCC
gave it, the session, whether this organisation leads (主办) or co-handles (协办), the day it was
assigned (the start of the reply clock), the lead and co-handling units, and how many times it
was handled again after an unsatisfied answer."""

from __future__ import annotations

from django.db import models


class HandlingRole(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"


class ProposalDetail(models.Model):
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name="来件",
        on_delete=models.CASCADE,
        related_name="proposal_detail",
    )
    reference = models.CharField("建议（提案）编号", max_length=40)
    session = models.CharField("届次会议", max_length=60, blank=True, default="")
    role = models.CharField("办理方式", max_length=8, choices=HandlingRole.choices)
    assigned_on = models.DateField("交办日期")
    lead_unit = models.CharField("主办单位", max_length=100, blank=True, default="")
    co_units = models.CharField("协办单位", max_length=300, blank=True, default="")
    follow_ups = models.PositiveSmallIntegerField("再次办理次数", default=0)
    followed_up_on = models.DateField("最近一次再次办理日期", null=True, blank=True)

    class Meta:
        verbose_name = "建议提案办理信息"
        verbose_name_plural = "建议提案办理信息"
        indexes = [models.Index(fields=["assigned_on"], name="proposal_assigned")]

    def __str__(self) -> str:
        return self.reference
