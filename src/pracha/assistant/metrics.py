"""The assistant's answers, counted where they are made (`assistant.service.answer`)."""

from __future__ import annotations

from prometheus_client import Counter

from pracha.http.metrics import PROCESS

ANSWERS = Counter("pracha_assistant_answers",
                  "Assistant answers, by intent (answer, generated, status, sign_in, greeting, thanks, out_of_scope) "
                  "and channel (web, line).", ["intent", "channel"], registry=PROCESS)
