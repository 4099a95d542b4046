"""Form widgets of the shell.

``RemotePicker``: a searchable select whose choices come from a scoped JSON search endpoint
(the entity directory has tens of thousands of rows, too many to render into the page). Tom Select
(decision 0016) reads ``data-remote`` in ``fazhi.js`` and asks the endpoint as the user types;
without JavaScript the select keeps the chosen row only. The form field stays an id field
(``FormIdField``): the view reads the id through its scoped selector as before, and gives the
widget the chosen row's label with ``picked`` so a form shown again after an error keeps it.
"""

from __future__ import annotations

from typing import Any

from django import forms


class RemotePicker(forms.Select):
    """A select filled by searching ``url`` (``?q=…`` → ``{"results": [{"value", "text"}]}``)."""

    def __init__(self, url: str, *, placeholder: str = "输入名称或代码搜索", attrs: Any = None):
        base = {
            "class": "form-select",
            "data-remote": url,
            "data-placeholder": placeholder,
        }
        super().__init__(attrs={**base, **(attrs or {})}, choices=[("", "")])

    def picked(self, value: Any, label: str) -> None:
        """Show ``label`` as the chosen option for ``value`` (after the view looked it up)."""
        self.choices = [("", ""), (value, label)]


def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Give every field of ``form`` the shell's control class (Bootstrap) unless it has one, for
    forms rendered by ``core/org_form_fields.html``."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
    return form
