"""A parent's private questionnaire from their link: one question a screen, saved as they go.

Nothing here reads or tells anything about the other parent: not their answers, not whether
they have started or sent them. After sending, the same link is the parent's home: what
happens next, their own upcoming meetings and their certificate.
"""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.api_errors import ApplicationError
from config.forms import AccessibleForm
from config.legal import rule_value
from intake.answers import (
    FREE_TEXT_MAX,
    AlreadySubmitted,
    answers_missing,
    answers_save_draft,
    answers_submit,
    questionnaire_for,
)
from intake.models import IntakeLink, Parent, QuestionnaireResponse
from intake.pages.certificate import certificate_context
from intake.pages.common import appointment_texts, link_not_valid, remote_addr, with_intake_link
from intake.questionnaire import SAFETY_DOMAIN, Item, Questionnaire
from intake.selectors import parent_appointments_upcoming
from intake.services import parent_export
from scheduling.appointment_notices import appointment_link_token


def _language() -> str:
    return translation.get_language() or "nb"


def _response(parent: Parent) -> QuestionnaireResponse | None:
    response: QuestionnaireResponse | None = getattr(parent, "response", None)
    return response


def resume_at(questionnaire: Questionnaire, answers: dict[str, Any]) -> int | None:
    """The question to come back to (1-based), or None for the summary.

    That is the first unanswered question, except an optional one the parent already passed
    (a later question has an answer): skipping it was their choice.
    """
    items = questionnaire.items
    answered = [index for index, item in enumerate(items) if answers.get(item.id)]
    last = max(answered, default=-1)
    for index, item in enumerate(items):
        if not answers.get(item.id) and (item.required or index > last):
            return index + 1
    return None


class QuestionForm(AccessibleForm):
    def __init__(self, item: Item, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = _language()
        label = item.text.in_language(language)
        if item.is_choice:
            self.fields["answer"] = forms.ChoiceField(
                label=label,
                required=item.required,
                choices=[(c.value, c.text.in_language(language)) for c in item.choices],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer to go on."),
                    "invalid_choice": _("Choose one of the answers."),
                },
            )
        else:
            self.fields["answer"] = forms.CharField(
                label=label,
                required=item.required,
                max_length=FREE_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={
                    "max_length": _("Write at most %(max)d characters.") % {"max": FREE_TEXT_MAX}
                },
            )


def _question_url(token: str, number: int, *, from_summary: bool = False) -> str:
    url = reverse("parents:question", kwargs={"token": token, "number": number})
    return f"{url}?from=summary" if from_summary else url


@with_intake_link
def intake_home(request: HttpRequest, link: IntakeLink, token: str) -> HttpResponse:
    parent = link.parent
    response = _response(parent)
    questionnaire = questionnaire_for(response)
    if response and response.submitted_at:
        return render(request, "parents/intake_home.html", _home_context(parent, token))
    answers = response.answers if response else {}
    if answers and "intro" not in request.GET:
        step = resume_at(questionnaire, answers)
        if step is None:
            return redirect("parents:summary", token=token)
        return redirect(_question_url(token, step))
    intro = questionnaire.intro.in_language(_language()) if questionnaire.intro else ""
    return render(
        request,
        "parents/intake_intro.html",
        {
            "token": token,
            "parent": parent,
            "intro": intro,
            "title": questionnaire.title.in_language(_language()),
            "count": len(questionnaire.items),
            "first_url": _question_url(token, resume_at(questionnaire, answers) or 1),
            "started": bool(answers),
            "link_expires_at": link.expires_at,
        },
    )


def _home_context(parent: Parent, token: str) -> dict[str, Any]:
    appointments = [
        {
            **appointment_texts(appointment),
            "url": reverse(
                "parents:appointment",
                kwargs={"token": appointment_link_token(appointment, parent.role)},
            ),
        }
        for appointment in parent_appointments_upcoming(parent=parent)
    ]
    return {
        "token": token,
        "parent": parent,
        "case": parent.case,
        "office": parent.case.office,
        "appointments": appointments,
        "offer_weeks": rule_value("offer_within_weeks"),
        "export_url": reverse("parents:intake-export", kwargs={"token": token}),
        **certificate_context(
            parent, reverse("parents:intake-certificate-pdf", kwargs={"token": token})
        ),
    }


@with_intake_link
def question(request: HttpRequest, link: IntakeLink, token: str, number: int) -> HttpResponse:
    parent = link.parent
    response = _response(parent)
    if response and response.submitted_at:
        return redirect("parents:intake", token=token)
    questionnaire = questionnaire_for(response)
    items = questionnaire.items
    if not 1 <= number <= len(items):
        return link_not_valid(request)
    item = items[number - 1]
    from_summary = (request.GET.get("from") or request.POST.get("from")) == "summary"
    if request.method == "POST":
        form = QuestionForm(item, request.POST)
        if form.is_valid():
            try:
                answers_save_draft(
                    parent=parent, answers={item.id: form.cleaned_data["answer"] or None}
                )
            except AlreadySubmitted:
                return redirect("parents:intake", token=token)
            except ApplicationError:
                form.add_error("answer", _("Choose one of the answers."))
            else:
                if from_summary or number == len(items):
                    return redirect("parents:summary", token=token)
                return redirect(_question_url(token, number + 1))
    else:
        answers = response.answers if response else {}
        form = QuestionForm(item, initial={"answer": answers.get(item.id, "")})
    if from_summary:
        back = reverse("parents:summary", kwargs={"token": token})
    elif number > 1:
        back = _question_url(token, number - 1)
    else:
        back = reverse("parents:intake", kwargs={"token": token}) + "?intro=1"
    safety = item.domain == SAFETY_DOMAIN
    first_safety = safety and (number == 1 or items[number - 2].domain != SAFETY_DOMAIN)
    return render(
        request,
        "parents/question.html",
        {
            "token": token,
            "form": form,
            "field": form["answer"],
            "item": item,
            "help": item.help.in_language(_language()) if item.help else "",
            "number": number,
            "count": len(items),
            "back_url": back,
            "from_summary": from_summary,
            "safety": safety,
            "first_safety": first_safety,
            "last": number == len(items),
        },
        status=400 if form.errors else 200,
    )


def _summary_rows(
    questionnaire: Questionnaire, answers: dict[str, Any], token: str
) -> list[dict[str, Any]]:
    language = _language()
    rows = []
    for number, item in enumerate(questionnaire.items, start=1):
        value = answers.get(item.id)
        if value and item.is_choice:
            shown = item.choice(value).text.in_language(language)
        else:
            shown = value or ""
        rows.append(
            {
                "number": number,
                "id": item.id,
                "question": item.text.in_language(language),
                "answer": shown,
                "required": item.required,
                "free_text": not item.is_choice,
                "change_url": _question_url(token, number, from_summary=True),
            }
        )
    return rows


def _summary(
    request: HttpRequest, link: IntakeLink, token: str, *, missing: list[str] | None = None
) -> HttpResponse:
    response = _response(link.parent)
    questionnaire = questionnaire_for(response)
    answers = response.answers if response else {}
    rows = _summary_rows(questionnaire, answers, token)
    missing_ids = set(missing if missing is not None else [])
    return render(
        request,
        "parents/summary.html",
        {
            "token": token,
            "rows": rows,
            "missing": [row for row in rows if row["id"] in missing_ids],
            "unanswered": answers_missing(questionnaire, answers),
            "count": len(rows),
        },
        status=400 if missing_ids else 200,
    )


@with_intake_link
def summary(request: HttpRequest, link: IntakeLink, token: str) -> HttpResponse:
    response = _response(link.parent)
    if response and response.submitted_at:
        return redirect("parents:intake", token=token)
    return _summary(request, link, token)


@require_POST
@with_intake_link
def submit(request: HttpRequest, link: IntakeLink, token: str) -> HttpResponse:
    try:
        answers_submit(parent=link.parent)
    except AlreadySubmitted:
        return redirect("parents:intake", token=token)
    except ApplicationError as exc:
        return _summary(request, link, token, missing=list(exc.fields))
    return redirect("parents:intake", token=token)


@require_GET
@with_intake_link
def export(request: HttpRequest, link: IntakeLink, token: str) -> HttpResponse:
    """The parent's own data as JSON, to keep or take elsewhere."""
    data = parent_export(parent=link.parent, remote_addr=remote_addr(request))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"mekling-{link.parent.case.reference}-{link.parent.role}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
