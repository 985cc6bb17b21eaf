"""Assignment of waiting cases to mediators (tildeling av mekler): the pure core.

No Django and no database: the service layer builds `CaseNeed` and `MediatorSlot` from rows,
calls these functions, and writes the results back under its own locks. Rules, numbers and
weights live in `rules.RULES` (explained in docs/assignment-rules.md).
"""

from mediators.assignment.baselines import status_quo, weighted_round_robin
from mediators.assignment.batch import evaluate
from mediators.assignment.cost import earliest_free, pair_cost, score, unassigned_cost
from mediators.assignment.eligibility import case_hours, exclusions, is_eligible
from mediators.assignment.journey import journey_minutes
from mediators.assignment.metrics import metrics
from mediators.assignment.office import OfficeResolutionError, resolve_office
from mediators.assignment.optimiser import optimise
from mediators.assignment.parties import party_keys
from mediators.assignment.rules import RULES, RULES_VERSION, AssignmentRule
from mediators.assignment.suggest import suggest
from mediators.assignment.types import (
    BatchResult,
    CaseNeed,
    Choice,
    Cost,
    Exclusion,
    LocationRef,
    MediatorSlot,
    Metrics,
    Place,
    Reason,
    Suggestion,
    Suggestions,
)
from mediators.assignment.urgency import urgency

__all__ = [
    "RULES",
    "RULES_VERSION",
    "AssignmentRule",
    "BatchResult",
    "CaseNeed",
    "Choice",
    "Cost",
    "Exclusion",
    "LocationRef",
    "MediatorSlot",
    "Metrics",
    "OfficeResolutionError",
    "Place",
    "Reason",
    "Suggestion",
    "Suggestions",
    "case_hours",
    "earliest_free",
    "evaluate",
    "exclusions",
    "is_eligible",
    "journey_minutes",
    "metrics",
    "optimise",
    "pair_cost",
    "party_keys",
    "resolve_office",
    "score",
    "status_quo",
    "suggest",
    "unassigned_cost",
    "urgency",
    "weighted_round_robin",
]
