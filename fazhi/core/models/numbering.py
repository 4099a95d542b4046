"""Document numbers such as 泉卫医罚〔2024〕12号: per organisation, type and year, never reused."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class DocumentType(models.Model):
    """A kind of numbered document (e.g. 行政处罚决定书) and its code-word for one organisation."""

    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="机构",
        on_delete=models.PROTECT,
        related_name="document_types",
    )
    key = models.SlugField("类型代码", max_length=40)
    name = models.CharField("文书名称", max_length=100)
    prefix = models.CharField("文号代字", max_length=30, help_text="如“泉卫医罚”。")

    class Meta:
        verbose_name = "文书类型"
        verbose_name_plural = "文书类型"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="doctype_unique_key"),
            # Two types sharing a code-word would compete for the same numbers.
            models.UniqueConstraint(fields=["prefix"], name="doctype_unique_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}）"


class DocumentNumberCounter(models.Model):
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document_type", "year"], name="counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document_type_id}/{self.year}: {self.last}"


class DocumentNumber(models.Model):
    """Every issued number, kept so that a number is provably issued once, with the document it
    numbers (``subject``: a decision, a notice …); none for a number taken by hand on the
    numbering page."""

    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    text = models.CharField("文号", max_length=60, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name="文书类别", null=True, blank=True, on_delete=models.PROTECT
    )
    object_id = models.CharField("文书编号", max_length=64, blank=True)
    subject = GenericForeignKey("content_type", "object_id")

    class Meta:
        verbose_name = "文号"
        verbose_name_plural = "文号"
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "year", "serial"], name="docnumber_unique"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="docnumber_subject")]

    def __str__(self) -> str:
        return self.text
