"""Forms on pages: errors tied to their fields for screen readers (WCAG 3.3.1, 4.1.2)."""

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
