"""What the automation tests share: a submitted application made through the service layer."""

from __future__ import annotations

import io
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.services import service
from pracha.services.catalog import Catalog
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.services.helpers import ELDERLY_FORM, PDF

DOCUMENTS = {"elderly-allowance": ("id-card", "house-registration")}


def submit(db: Session, app: FastAPI, citizen: User, service_id: str = "elderly-allowance",
           form: dict[str, Any] | None = None) -> Application:
    catalog: Catalog = app.state.pracha.registry.get(CATALOG)
    settings = app.state.pracha.settings
    owner = Principal(user=citizen)
    application = service.create_application(db, catalog, owner, service_id, form or ELDERLY_FORM)
    storage = service.Storage(settings.upload_dir, settings.max_upload_bytes)
    svc = catalog.get(service_id)
    assert svc is not None
    for requirement in [d.id for d in svc.documents if d.required]:
        service.add_document(db, storage, catalog, owner, application, requirement=requirement,
                             filename="doc.pdf", content_type="application/pdf", stream=io.BytesIO(PDF))
    service.act(db, catalog, owner, application, "submit", declaration=True)
    db.commit()
    return application


def context(app: FastAPI, **extra: Any) -> tasks.Context:
    return tasks.Context(app.state.pracha.registry.get(CATALOG), app.state.pracha.settings, dict(extra))


def run_tasks(app: FastAPI, **extra: Any) -> int:
    return tasks.run_until_idle(app.state.pracha.db.sessions, context(app, **extra))
