"""Text fields that refuse what is not text.

DRF's CharField turns a JSON number into a string ("given_name": 7 becomes "7"), which hides a
client's bug and stores nonsense. These fields refuse anything but a JSON string, with a message
per field like every other validation error.
"""

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers


class TextOnly(serializers.Field[Any, Any, Any, Any]):
    """Put before a DRF text field in the bases."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "not_text": _("Give this as text (a JSON string).")
    }

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class StrictCharField(TextOnly, serializers.CharField):
    pass


class StrictEmailField(TextOnly, serializers.EmailField):
    pass


class StrictRegexField(TextOnly, serializers.RegexField):
    pass
