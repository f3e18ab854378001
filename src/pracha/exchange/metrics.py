"""The mediator's decisions, counted where each is logged (`mediator.write_log`)."""

from __future__ import annotations

from prometheus_client import Counter

from pracha.http.metrics import PROCESS

DECISIONS = Counter("pracha_exchange_decisions",
                    "Mediator decisions, by decision (allowed, denied) and reason (the refusal's error code; "
                    "`none` when allowed).", ["decision", "reason"], registry=PROCESS)
