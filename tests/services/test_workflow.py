"""The state machine, pure."""

from __future__ import annotations

import pytest

from pracha.services import workflow as wf


def test_happy_path_and_needs_info_loop() -> None:
    status = wf.DRAFT
    for action, expected in [("submit", wf.SUBMITTED), ("review", wf.IN_REVIEW), ("request_info", wf.NEEDS_INFO),
                             ("resubmit", wf.RESUBMITTED), ("request_info", wf.NEEDS_INFO),
                             ("resubmit", wf.RESUBMITTED), ("approve", wf.APPROVED)]:
        nxt = wf.next_status(status, action)
        assert nxt == expected, (status, action)
        status = nxt


@pytest.mark.parametrize("status", [wf.DRAFT, wf.SUBMITTED, wf.IN_REVIEW, wf.NEEDS_INFO, wf.RESUBMITTED])
def test_withdraw_before_decision(status: str) -> None:
    assert wf.next_status(status, "withdraw") == wf.WITHDRAWN


@pytest.mark.parametrize("status", sorted(wf.FINAL))
def test_final_states_allow_nothing(status: str) -> None:
    assert wf.actions_from(status) == []
    for action in wf.CITIZEN_ACTIONS | wf.OFFICER_ACTIONS:
        assert wf.next_status(status, action) is None


def test_illegal_moves() -> None:
    assert wf.next_status(wf.DRAFT, "approve") is None
    assert wf.next_status(wf.SUBMITTED, "approve") is None  # an officer opens it for review first
    assert wf.next_status(wf.NEEDS_INFO, "approve") is None
    assert wf.next_status(wf.IN_REVIEW, "resubmit") is None
    assert wf.next_status(wf.SUBMITTED, "submit") is None  # a second submit changes nothing


def test_every_status_reachable_from_draft() -> None:
    seen, frontier = {wf.DRAFT}, [wf.DRAFT]
    while frontier:
        status = frontier.pop()
        for action in wf.actions_from(status):
            nxt = wf.next_status(status, action)
            assert nxt is not None
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(wf.STATUSES)
