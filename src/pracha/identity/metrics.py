"""Sign-in protection, counted where it acts (`identity.service.authenticate`)."""

from __future__ import annotations

from prometheus_client import Counter

from pracha.http.metrics import PROCESS

ACCOUNTS = ("citizen", "staff")
SIGNIN_THROTTLED = Counter("pracha_signin_throttled",
                           "Sign-in attempts refused unchecked because the client was slowed down or locked out of the "
                           "account, or tried too many accounts, by account kind (citizen, staff) and state "
                           "(slowed, locked, sprayed).",
                           ["account", "state"], registry=PROCESS)
SIGNIN_LOCKOUTS = Counter("pracha_signin_lockouts",
                          "Clients locked out of an account after too many failed sign-ins, by account kind.",
                          ["account"], registry=PROCESS)
for _account in ACCOUNTS:  # present from the start, so rate() sees the first event
    SIGNIN_LOCKOUTS.labels(_account)
    for _state in ("slowed", "locked", "sprayed"):
        SIGNIN_THROTTLED.labels(_account, _state)
