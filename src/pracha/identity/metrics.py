"""Sign-in protection, counted where it acts (`identity.service.authenticate`)."""

from __future__ import annotations

from prometheus_client import Counter

from pracha.http.metrics import PROCESS

ACCOUNTS = ("citizen", "staff")
SIGNIN_THROTTLED = Counter("pracha_signin_throttled",
                           "Sign-in attempts refused unchecked because the account was slowed down or locked, "
                           "by account kind (citizen, staff) and state (slowed, locked).",
                           ["account", "state"], registry=PROCESS)
SIGNIN_LOCKOUTS = Counter("pracha_signin_lockouts", "Accounts locked after too many failed sign-ins, by account kind.",
                          ["account"], registry=PROCESS)
for _account in ACCOUNTS:  # present from the start, so rate() sees the first event
    SIGNIN_LOCKOUTS.labels(_account)
    for _state in ("slowed", "locked"):
        SIGNIN_THROTTLED.labels(_account, _state)
