"""Forms on pages: errors tied to their fields for screen readers (WCAG 3.3.1, 4.1.2)."""

from typing import Any

from django import forms


class AccessibleForm(forms.Form):
    """After validation, a field with errors gets aria-invalid and points at its messages
    (`<id>_errors`, rendered by templates/pages/_field.html)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            auto_id = self[name].auto_id
            described = widget.attrs.get("aria-describedby", "")
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{described} {auto_id}_errors".strip()


def add_api_errors(form: forms.Form, errors: Any, path: str = "") -> None:
    """Put a DRF serializer's errors on the page form: the error at `parents.0.email` goes to
    the form field `parents_0_email` when there is one, else to the whole form."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            inner = path if key in ("non_field_errors", "__all__") else f"{path}_{key}".lstrip("_")
            add_api_errors(form, value, inner)
    elif isinstance(errors, list) and all(isinstance(value, str) for value in errors):
        target = path if path in form.fields else None
        for message in errors:
            form.add_error(target, str(message))
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            add_api_errors(form, value, f"{path}_{index}".lstrip("_"))
    else:
        form.add_error(path if path in form.fields else None, str(errors))
