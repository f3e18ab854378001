"""The application state machine. Pure: imports nothing of ours.

    draft ─submit→ submitted ─review→ in_review ─approve→ approved
                                         │  └──reject→ rejected
                                   request_info
                                         ↓
                                    needs_info ─resubmit→ resubmitted ─(approve | reject | request_info)
    withdraw: by the citizen from any state before a decision (draft … resubmitted) → withdrawn
"""

from __future__ import annotations

DRAFT, SUBMITTED, IN_REVIEW, NEEDS_INFO, RESUBMITTED = "draft", "submitted", "in_review", "needs_info", "resubmitted"
APPROVED, REJECTED, WITHDRAWN = "approved", "rejected", "withdrawn"
STATUSES = (DRAFT, SUBMITTED, IN_REVIEW, NEEDS_INFO, RESUBMITTED, APPROVED, REJECTED, WITHDRAWN)
FINAL = frozenset({APPROVED, REJECTED, WITHDRAWN})
OPEN = frozenset({SUBMITTED, IN_REVIEW, NEEDS_INFO, RESUBMITTED})  # with the agency, SLA running

CITIZEN_ACTIONS = frozenset({"submit", "resubmit", "withdraw"})
OFFICER_ACTIONS = frozenset({"review", "request_info", "approve", "reject"})
NEEDS_MESSAGE = frozenset({"request_info", "reject", "resubmit"})

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "submit"): SUBMITTED,
    (SUBMITTED, "review"): IN_REVIEW,
    (IN_REVIEW, "request_info"): NEEDS_INFO,
    (IN_REVIEW, "approve"): APPROVED,
    (IN_REVIEW, "reject"): REJECTED,
    (NEEDS_INFO, "resubmit"): RESUBMITTED,
    (RESUBMITTED, "request_info"): NEEDS_INFO,
    (RESUBMITTED, "approve"): APPROVED,
    (RESUBMITTED, "reject"): REJECTED,
    **{(s, "withdraw"): WITHDRAWN for s in (DRAFT, SUBMITTED, IN_REVIEW, NEEDS_INFO, RESUBMITTED)},
}


def next_status(status: str, action: str) -> str | None:
    """The status after `action`, or None when the action is not allowed from `status`."""
    return TRANSITIONS.get((status, action))


def actions_from(status: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status]
