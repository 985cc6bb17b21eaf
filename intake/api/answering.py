"""A parent's own questionnaire, reached only through their private link.

Every way a token can be wrong (unknown, tampered, expired, revoked) gets the same 404 body,
and nothing in a response depends on the other parent.
"""

from typing import Any

from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.strict_fields import StrictCharField
from config.throttling import SettingsScopedRateThrottle
from intake.answers import answers_save_draft, answers_submit, questionnaire_for
from intake.autosave import draft_link_resolve
from intake.links import LinkInvalid, link_resolve
from intake.models import IntakeLink, QuestionnaireResponse
from intake.questionnaire import Questionnaire

LINK_NOT_FOUND = (
    "This link is not valid any more. Ask your family counselling office for a new one."
)


def _questionnaire_data(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as the API shows it, built once per version (it is immutable data)."""
    data = _QUESTIONNAIRE_DATA.get(questionnaire.version)
    if data is None:
        data = _QUESTIONNAIRE_DATA[questionnaire.version] = _questionnaire_build(questionnaire)
    return data


_QUESTIONNAIRE_DATA: dict[str, dict[str, Any]] = {}


def _questionnaire_build(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "version": questionnaire.version,
        "title": questionnaire.title.as_dict(),
        "items": [
            {
                "id": item.id,
                "domain": item.domain,
                "kind": item.kind,
                "required": item.required,
                "text": item.text.as_dict(),
                "help": item.help.as_dict() if item.help else None,
                "choices": [
                    {"value": choice.value, "text": choice.text.as_dict()}
                    for choice in item.choices
                ],
            }
            for item in questionnaire.items
        ],
    }


def _prefers_minimal(request: Request) -> bool:
    prefer = request.headers.get("Prefer", "")
    return any(part.strip() == "return=minimal" for part in prefer.replace(";", ",").split(","))


class IntakeBaseApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [SettingsScopedRateThrottle]
    throttle_scope = "intake"

    def link(self, token: str) -> IntakeLink:
        try:
            return link_resolve(token, with_response=True)
        except LinkInvalid:
            raise NotFound(LINK_NOT_FOUND) from None

    def own_view(self, link: IntakeLink, response: QuestionnaireResponse | None = None) -> Response:
        """The parent's view; `response` is the row just written, if any (no second read)."""
        parent = link.parent
        if response is None:
            response = getattr(parent, "response", None)
        return Response(
            {
                "reference": parent.case.reference,
                "parent": {"given_name": parent.given_name, "language": parent.language},
                "link_expires_at": link.expires_at,
                "questionnaire": _questionnaire_data(questionnaire_for(response)),
                "answers": response.answers if response else {},
                "submitted_at": response.submitted_at if response else None,
            }
        )


class IntakeApi(IntakeBaseApi):
    class DraftSerializer(serializers.Serializer[dict[str, Any]]):
        answers = serializers.DictField(child=StrictCharField(allow_null=True, allow_blank=True))

    @extend_schema(responses={200: None})
    def get(self, request: Request, token: str) -> Response:
        return self.own_view(self.link(token))

    @extend_schema(
        request=DraftSerializer,
        responses={200: None},
        parameters=[
            OpenApiParameter(
                "Prefer",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="`return=minimal`: answer only `saved_at` and `submitted_at` "
                "(RFC 7240), for autosaves; otherwise the parent's whole view.",
            )
        ],
    )
    def put(self, request: Request, token: str) -> Response:
        if _prefers_minimal(request):
            # An autosave needs only to know it landed (RFC 7240 `Prefer: return=minimal`);
            # the full view repeats the whole questionnaire in three languages on every save.
            # It reads only the draft, not the parent's view (intake.autosave).
            try:
                draft = draft_link_resolve(token)
            except LinkInvalid:
                raise NotFound(LINK_NOT_FOUND) from None
            saved = answers_save_draft(
                parent=draft.parent, response=draft.response, answers=self._answers(request)
            )
            minimal = Response({"saved_at": saved.updated_at, "submitted_at": saved.submitted_at})
            minimal["Preference-Applied"] = "return=minimal"
            patch_vary_headers(minimal, ["Prefer"])
            return minimal
        link = self.link(token)
        saved = answers_save_draft(parent=link.parent, answers=self._answers(request))
        return self.own_view(link, saved)

    def _answers(self, request: Request) -> dict[str, Any]:
        data = self.DraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data["answers"])


class IntakeSubmitApi(IntakeBaseApi):
    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request, token: str) -> Response:
        link = self.link(token)
        return self.own_view(link, answers_submit(parent=link.parent))
