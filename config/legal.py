"""Every legal period and limit the service applies, each with its source, in one table.

Norway is replacing the Children Act (Prop. 117 L (2024–2025) moves the mediation rules to a
new chapter 10), so paragraph numbers and periods will change: change them here, nowhere else.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LegalRule:
    key: str
    value: int | None
    unit: str
    source: str
    summary: str


# fmt: off
_RULES = (
    LegalRule(
        "duty_child_age_limit",
        16,
        "years",
        "ekteskapsloven § 26, barneloven § 51",
        "Parents separating with a common child under 16 must attend mediation.",
    ),
    LegalRule(
        "basis_separation",
        None,
        "",
        "ekteskapsloven § 26",
        "Married parents need a certificate to apply for separation or divorce.",
    ),
    LegalRule(
        "basis_cohabitation_breakup",
        None,
        "",
        "barneloven § 51",
        "Cohabiting parents need a certificate for extended child benefit.",
    ),
    LegalRule(
        "basis_court",
        None,
        "",
        "barneloven §§ 51, 56",
        "Parents who consider a court case must attach a certificate to the writ.",
    ),
    LegalRule(
        "basis_relocation",
        None,
        "",
        "barneloven § 42a, § 51",
        "A parent who wants to move with the child, when the other objects, must mediate.",
    ),
    LegalRule(
        "basis_court_referral",
        None,
        "",
        "barneloven § 61 første ledd nr. 2",
        "The court may refer parents back to mediation; the mediator notes if no agreement.",
    ),
    LegalRule(
        "basis_enforcement",
        None,
        "",
        "barneloven § 65a",
        "Mediation when enforcement of contact is sought; not where there is risk of violence.",
    ),
    LegalRule(
        "exemption_cohabitants_abroad",
        None,
        "",
        "meklingsforskriften § 7",
        "Cohabitants where one or both live abroad have no duty to mediate.",
    ),
    LegalRule(
        "exemption_other_parent_abroad",
        None,
        "",
        "meklingsforskriften § 7",
        "A parent who did not request mediation and lives abroad need not attend.",
    ),
    LegalRule(
        "court_child_age_limit",
        18,
        "years",
        "barneloven §§ 51, 56",
        "Parents of a child under 18 must mediate before bringing a case to court.",
    ),
    LegalRule(
        "relocation_notice_months",
        3,
        "months",
        "barneloven § 42a",
        "A parent who wants to move with the child must notify the other 3 months ahead.",
    ),
    LegalRule(
        "compulsory_hours",
        1,
        "hours",
        "meklingsforskriften § 1",
        "The first hour of mediation is compulsory.",
    ),
    LegalRule(
        "max_hours",
        7,
        "hours",
        "meklingsforskriften § 1",
        "Mediation may last at most 7 hours in all.",
    ),
    LegalRule(
        "certificate_validity_months",
        6,
        "months",
        "barneloven § 54",
        "A mediation certificate (meklingsattest) is valid for 6 months.",
    ),
    LegalRule(
        "certificate_after_first_hour", None, "", "meklingsforskriften § 8",
        "The certificate is issued after the first hour, to each parent who attended.",
    ),
    LegalRule(
        "certificate_expiry_notice_days", 14, "days", "service guidance",
        "Parents are told this many days before their certificate stops being valid.",
    ),
    LegalRule(
        "child_talk_consent_age",
        16,
        "years",
        "barneloven § 51, 000 §5",
        "Both parents must consent to a child talk when the child is under 16.",
    ),
    LegalRule(
        "answers_retention_days", 30, "days",
        "meklingsforskriften § 9 (only the protocol is kept); setting RETENTION_ANSWERS_DAYS",
        "Questionnaire answers and classification details are purged this long after close.",
    ),
    LegalRule(
        "protocol_retention_years",
        3,
        "years",
        "meklingsforskriften § 9",
        "The mediation protocol is destroyed after 3 years.",
    ),
    LegalRule(
        "offer_within_weeks",
        3,
        "weeks",
        "Bufdir guidance (domain brief)",
        "An appointment should be offered within 3 weeks of the request (guidance, not law).",
    ),
    LegalRule(
        "max_journey_minutes",
        120,
        "minutes",
        "Bufdir guidance (domain brief)",
        "Parents should travel at most about 2 hours each way (guidance, not law).",
    ),
)
# fmt: on

RULES: dict[str, LegalRule] = {rule.key: rule for rule in _RULES}


def rule_value(key: str) -> int:
    value = RULES[key].value
    if value is None:
        raise KeyError(f"Legal rule {key} has no number.")
    return value


def rule_source(key: str) -> str:
    return RULES[key].source
