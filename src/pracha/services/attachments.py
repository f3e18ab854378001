"""What a citizen may take back before the agency has it: a document attached to a draft (or to an
application the agency asked more of), replaced or removed, and a whole draft, deleted.

A deleted draft leaves no ledger entry. The ledger records what the state was told and did; a draft was
never sent (creating it is not recorded either), no officer could see it, nothing was decided on it,
and PDPA asks us to keep no more than we need: a commitment to "citizen N deleted an unsent draft"
would be a record about the citizen with no purpose. The timeline of a submitted application keeps
its documents' changes through the next `resubmit`'s ledger entry (it commits to the document hashes)."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Forbidden
from pracha.identity.principal import Principal
from pracha.services import service, workflow
from pracha.services.catalog import Catalog
from pracha.services.errors import ApplicationNotFound, IllegalTransition, NotADraft
from pracha.services.files import release_files
from pracha.services.models import Application, Document
from pracha.services.service import Storage

CHANGEABLE = (workflow.DRAFT, workflow.NEEDS_INFO)


def _check_changeable(principal: Principal, application: Application) -> None:
    if not service.may_act(principal, application, "submit"):
        raise Forbidden()
    if application.status not in CHANGEABLE:
        raise IllegalTransition("เปลี่ยนเอกสารได้เฉพาะฉบับร่างหรือเมื่อเจ้าหน้าที่ขอข้อมูลเพิ่มเติม",
                                "Documents can be changed only on a draft or when more information is asked for.")


def _document(application: Application, document_id: int) -> Document:
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise ApplicationNotFound("ไม่พบเอกสารนี้ในคำขอ", "This application has no such document.")
    return document


def remove_document(session: Session, storage: Storage, principal: Principal, application: Application,
                    document_id: int) -> None:
    """Take a document off a draft (or a needs-info application); its file goes if nothing else names it."""
    _check_changeable(principal, application)
    document = _document(application, document_id)
    application.documents.remove(document)  # delete-orphan: the row goes at the flush
    application.updated_at = utcnow()
    release_files(session, storage.upload_dir, [document.sha256])


def replace_document(session: Session, storage: Storage, catalog: Catalog, principal: Principal,
                     application: Application, document_id: int, *, filename: str, content_type: str,
                     stream: BinaryIO, requirement: str | None = None) -> Document:
    """A new file in place of an old one, for the same requirement unless another is named."""
    _check_changeable(principal, application)
    old = _document(application, document_id)
    application.documents.remove(old)
    session.flush()  # the old one no longer counts against the documents-per-application quota
    document = service.add_document(session, storage, catalog, principal, application,
                                    requirement=requirement or old.requirement, filename=filename,
                                    content_type=content_type, stream=stream)
    release_files(session, storage.upload_dir, [old.sha256])
    return document


def delete_draft(session: Session, storage: Storage, principal: Principal, application: Application) -> None:
    """Delete a draft the citizen never submitted, with its documents (see the module note on the ledger)."""
    if not service.may_act(principal, application, "submit"):
        raise Forbidden()
    if application.status != workflow.DRAFT:
        raise NotADraft()
    hashes = [d.sha256 for d in application.documents]
    session.delete(application)
    release_files(session, storage.upload_dir, hashes)
