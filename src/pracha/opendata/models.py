"""Open data's tables. Organisations are the catalogue's agencies (plus the platform itself); groups
are themes kept in the catalogue folder; neither has a table.

    OpenDataset ─< OpenResource ─< ResourceVersion    a file's every published version, never replaced
                                    └── LedgerEntry    its SHA-256, public in the log
    CatalogueState                                     one row: bumped on every change (caches agree)
    ds_<resource hex>                                  the datastore: one table per tabular resource
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.ledger.models import LedgerEntry

ACTIVE, DELETED = "active", "deleted"


def new_id() -> str:
    return str(uuid.uuid4())


class OpenDataset(Base):
    """A CKAN package. The Thai metadata fields keep the names data.go.th's schema uses."""

    __tablename__ = "od_datasets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # the URL slug: a-z, 0-9, - and _
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    notes_th: Mapped[str] = mapped_column(Text, default="")
    notes_en: Mapped[str | None] = mapped_column(Text)
    owner_org: Mapped[str] = mapped_column(String(64), index=True)  # an agency code, or "pracha"
    license_id: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    data_type: Mapped[str] = mapped_column(String(64))
    objective: Mapped[list[Any]] = mapped_column(JSON, default=list)
    update_frequency_unit: Mapped[str] = mapped_column(String(64))
    update_frequency_interval: Mapped[int | None] = mapped_column(Integer)
    geo_coverage: Mapped[str] = mapped_column(String(64))
    data_source: Mapped[str] = mapped_column(String(300))
    data_format: Mapped[list[Any]] = mapped_column(JSON, default=list)
    data_category: Mapped[str] = mapped_column(String(64))
    disclosure: Mapped[str] = mapped_column(String(64))  # data.go.th's data_classification: เปิดเผย, ลับ …
    maintainer: Mapped[str] = mapped_column(String(200))
    maintainer_email: Mapped[str] = mapped_column(String(200))
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=ACTIVE, index=True)
    # What Pracha computes itself: the statistics job's key ("applications-by-service"), else None
    platform_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    privacy: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the disclosure-control method, shown
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(100))  # "user:12", "token:3" or "system"

    resources: Mapped[list[OpenResource]] = relationship(
        back_populates="dataset", order_by="OpenResource.position", cascade="all, delete-orphan")


class OpenResource(Base):
    """A file (uploaded, versioned) or a link. `datastore_active`: its rows are in table `ds_<id hex>`."""

    __tablename__ = "od_resources"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("od_datasets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(32), default="")  # CSV, XLSX, JSON, PDF …
    url: Mapped[str | None] = mapped_column(String(1000))  # a link resource; None for an upload
    mimetype: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))  # the current version's
    version: Mapped[int] = mapped_column(Integer, default=0)  # the current version's number (0: a link)
    datastore_active: Mapped[bool] = mapped_column(Boolean, default=False)
    table_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # Frictionless table schema
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    dataset: Mapped[OpenDataset] = relationship(back_populates="resources")
    versions: Mapped[list[ResourceVersion]] = relationship(
        back_populates="resource", order_by="ResourceVersion.number", cascade="all, delete-orphan")


class ResourceVersion(Base):
    """One published file: its bytes as published, its hash, and the ledger entry that makes it public."""

    __tablename__ = "od_resource_versions"
    __table_args__ = (UniqueConstraint("resource_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("od_resources.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # /data/verify looks files up by hash
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when served: lists skip it
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(100))
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))

    resource: Mapped[OpenResource] = relationship(back_populates="versions")
    ledger_entry: Mapped[LedgerEntry | None] = relationship()


class CatalogueState(Base):
    """One row, `version` bumped in the transaction of every catalogue change: each process's search
    index compares it (one indexed read) and rebuilds when it moved, so workers never disagree."""

    __tablename__ = "od_catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
