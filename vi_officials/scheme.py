"""The annotation scheme in one place: labels and which span types a relation may join.

Every other module (validator, converter, relation component, evaluator) reads these
constants, so the scheme cannot drift between annotation and modelling.
"""
import functools
from typing import Dict, FrozenSet, Tuple

ENTITY_LABELS: Tuple[str, ...] = ("OFFICIAL", "TITLE", "ORG", "DATE")
SPAN_LABELS: Tuple[str, ...] = ("COMMITMENT",)
ALL_SPAN_LABELS: Tuple[str, ...] = ENTITY_LABELS + SPAN_LABELS
COMMITMENTS_KEY = "commitments"

# relation label -> (allowed head labels, allowed child labels)
RELATION_TYPES: Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]] = {
    "HAS_TITLE": (frozenset({"OFFICIAL"}), frozenset({"TITLE"})),
    "COMMITS": (frozenset({"OFFICIAL", "TITLE", "ORG"}), frozenset({"COMMITMENT"})),
    "ASSIGNED_TO": (frozenset({"COMMITMENT"}), frozenset({"ORG", "OFFICIAL", "TITLE"})),
    "DEADLINE": (frozenset({"COMMITMENT"}), frozenset({"DATE"})),
}
RELATION_LABELS: Tuple[str, ...] = tuple(RELATION_TYPES)


def relation_allowed(label: str, head_label: str, child_label: str) -> bool:
    """True when `label` may join a `head_label` span to a `child_label` span."""
    if label not in RELATION_TYPES:
        return False
    heads, children = RELATION_TYPES[label]
    return head_label in heads and child_label in children


@functools.lru_cache(maxsize=None)
def candidate_labels(head_label: str, child_label: str) -> Tuple[str, ...]:
    """Relation labels that a (head, child) pair of these span labels could carry."""
    return tuple(l for l in RELATION_LABELS if relation_allowed(l, head_label, child_label))
