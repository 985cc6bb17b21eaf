"""The duty outcome of a request in plain words, in the page's language (nb, nn or en).

The outcome itself (`Case.duty_outcome`, from `intake.duty_rules`) is decided once, when the
request is made; this only says each of its reasons to a parent.
"""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from config.legal import rule_value
from intake.duty_rules import AGE_LIMIT_RULE
from intake.models import Case, CaseType


def duty_sentences(case: Case) -> list[str]:
    outcome: dict[str, Any] = case.duty_outcome or {}
    limit = rule_value(AGE_LIMIT_RULE[CaseType(case.case_type)])
    months = rule_value("relocation_notice_months")
    sentences = {
        "child_under_limit": _("You have a common child under %(limit)d.") % {"limit": limit},
        "no_child_under_limit": _("None of your common children is under %(limit)d.")
        % {"limit": limit},
        "cohabitant_abroad": _(
            "When one of you lives abroad, cohabitants do not have to mediate "
            "(meklingsforskriften § 7)."
        ),
        "other_parent_abroad": _(
            "The other parent lives abroad and does not have to come (meklingsforskriften § 7)."
        ),
        # barneloven § 42a: the move must be notified 3 months ahead.
        "short_move_notice": _(
            "The move was announced less than %(months)d months before the planned date. The "
            "law asks for at least %(months)d months' notice (barneloven § 42a)."
        )
        % {"months": months},
    }
    english = (translation.get_language() or "nb") == "en"
    said = []
    for reason in outcome.get("reasons", []):
        text = sentences.get(reason.get("code", ""))
        said.append(text or reason.get("text_en" if english else "text_nb", ""))
    return [sentence for sentence in said if sentence]
