"""The ledger's gauges, read from the database at scrape time: entries waiting to be sequenced, the
sequenced size, and the age of the newest checkpoint. (The sequencer signs a checkpoint only when
something is pending, so alert on an old checkpoint *while* entries are pending.)"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.http.metrics import QueryCollector
from pracha.ledger import log


class LedgerCollector(QueryCollector):
    name = "ledger"

    def read(self, session: Session) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("pracha_ledger_pending_entries", "Ledger entries recorded but not yet sequenced.",
                                value=log.pending_count(session))
        yield GaugeMetricFamily("pracha_ledger_size", "Ledger entries sequenced (the tree size).",
                                value=log.head(session).size)
        checkpoint = log.latest_checkpoint(session)
        if checkpoint is not None:
            age = (utcnow() - checkpoint.created_at).total_seconds()
            yield GaugeMetricFamily("pracha_ledger_checkpoint_age_seconds",
                                    "Seconds since the newest checkpoint was signed.", value=max(0.0, age))
