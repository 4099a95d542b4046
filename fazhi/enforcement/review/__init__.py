"""Case-file review (案卷评查): the archive catalogue per outcome (``catalogue``), the automatic
pre-check of a concluded case (``precheck``) and the background job over a year's cases
(``jobs``). Decision 0069."""
