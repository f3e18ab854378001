"""Proof of what was published: every version of a file, its SHA-256, and the public ledger entry
(kind `opendata.published`, object `opendata/<resource id>/v<n>/sha256:<hex>`) that the catalogue
recorded when it was published. Anyone may list a public resource's versions, download each, fetch
its receipt, and ask which published version a file (or a hash) is.

Only datasets the public may see are served; a dataset made private, deleted, or of a personal-data
category shows nothing here, though its entries stay in the log (they name only hashes).

    VersionNotFound (404)   no such version, or a link resource (no file to version)
    HashInvalid (422)       a "SHA-256" that is not 64 hex digits
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.errors import InvalidInput, NotFound
from pracha.ledger import leaves
from pracha.ledger.receipts import Check
from pracha.opendata import catalogue
from pracha.opendata.catalogue import OpenData
from pracha.opendata.errors import ResourceNotFound
from pracha.opendata.models import OpenResource, ResourceVersion

OBJECT = re.compile(r"^opendata/([0-9a-f-]{36})/v([0-9]+)/sha256:([0-9a-f]{64})$")
SHA256 = re.compile(r"^(?:sha256:|sha-256:)?([0-9a-fA-F]{64})$")
CHUNK = 1 << 20


class VersionNotFound(NotFound):
    code = "version_not_found"
    message_th = "ไม่พบไฟล์ฉบับนี้ของทรัพยากรข้อมูล"
    message_en = "This version of the resource's file was not found."


class HashInvalid(InvalidInput):
    code = "hash_invalid"
    message_th = "ค่า SHA-256 ต้องเป็นเลขฐานสิบหก 64 ตัว"
    message_en = "A SHA-256 is 64 hexadecimal digits."


def public_resource(session: Session, resource_id: str, dataset: str | None = None) -> OpenResource:
    """The resource if the public may see it (and, given `dataset`, it belongs to that dataset, by name
    or id); ResourceNotFound otherwise."""
    resource = catalogue.get_resource(session, resource_id)
    if dataset is not None and dataset not in (resource.dataset.name, resource.dataset.id):
        raise ResourceNotFound()
    return resource


def get_version(resource: OpenResource, number: int | None = None) -> ResourceVersion:
    """Version `number`, or the current one (None)."""
    wanted = resource.version if number is None else number
    for version in resource.versions:
        if version.number == wanted:
            return version
    raise VersionNotFound()


def object_of(version: ResourceVersion) -> str:
    """The object the version's ledger entry names (see catalogue.publish_version)."""
    return f"opendata/{version.resource_id}/v{version.number}/sha256:{version.sha256}"


def paths_of(resource: OpenResource, number: int) -> dict[str, str]:
    return {"download_url": f"/data/dataset/{resource.dataset.name}/resource/{resource.id}/v/{number}",
            "receipt_url": f"/api/v1/opendata/resources/{resource.id}/versions/{number}/receipt"}


def version_dict(version: ResourceVersion, od: OpenData | None = None) -> dict[str, Any]:
    """One version as the API shows it; URLs absolute with `od`, else paths on this site."""
    paths = paths_of(version.resource, version.number)
    entry = version.ledger_entry
    return {"number": version.number, "filename": version.filename, "mimetype": version.mimetype,
            "size": version.size, "sha256": version.sha256,
            "published_at": leaves.exact_time(version.published_at), "ledger_index": entry.index if entry else None,
            "current": version.number == version.resource.version,
            **{key: od.url(path) if od else path for key, path in paths.items()}}


def versions_for(session: Session, resource: OpenResource, od: OpenData | None = None) -> list[dict[str, Any]]:
    """Every published version of the resource, oldest first (the dataset page lists them)."""
    rows = session.scalars(select(ResourceVersion).where(ResourceVersion.resource_id == resource.id)
                           .order_by(ResourceVersion.number))
    return [version_dict(v, od) for v in rows]


def content_digest(content: bytes | str) -> str:
    """The hex SHA-256 of a file's bytes; or, given text, the hash it names (checked)."""
    if isinstance(content, str):
        match = SHA256.match(content.strip())
        if match is None:
            raise HashInvalid()
        return match.group(1).lower()
    return hashlib.sha256(content).hexdigest()


def stream_digest(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def verify_file(session: Session, content: bytes | str, od: OpenData | None = None) -> list[dict[str, Any]]:
    """Which published versions, of datasets the public may see, have this file's hash (bytes) or
    this hash (text, 64 hex digits, optionally "sha256:"). Empty: not published by Pracha."""
    digest = content_digest(content)
    matches = []
    for version in session.scalars(select(ResourceVersion).where(ResourceVersion.sha256 == digest)
                                   .order_by(ResourceVersion.published_at, ResourceVersion.id)):
        dataset = version.resource.dataset
        if not catalogue.is_public(dataset):
            continue
        matches.append({**version_dict(version, od), "dataset": dataset.name, "dataset_title": dataset.title_th,
                        "dataset_title_en": dataset.title_en, "resource_id": version.resource_id,
                        "resource_name": version.resource.name_th, "resource_name_en": version.resource.name_en,
                        "organization": dataset.owner_org})
    return matches


def digest_headers(version: ResourceVersion) -> dict[str, str]:
    """ETag and the representation digest (RFC 9530 Repr-Digest; RFC 3230 Digest for older clients)."""
    b64 = base64.b64encode(bytes.fromhex(version.sha256)).decode()
    return {"ETag": f'"{version.sha256}"', "Repr-Digest": f"sha-256=:{b64}:", "Digest": f"SHA-256={b64}"}


def check_file_against_receipt(receipt: Any, check: Check, sha256: str) -> Check:
    """A receipt that verified (`check`), narrowed to a file: the receipt's public entry must be an
    `opendata.published` entry whose object names this SHA-256 (hex)."""
    leaf = receipt.get("leaf") if isinstance(receipt, dict) else None
    obj = str(leaf.get("object", "")) if isinstance(leaf, dict) else ""
    match = OBJECT.match(obj)
    if not check.ok or not isinstance(leaf, dict) or leaf.get("category") != catalogue.PUBLISHED or match is None:
        return Check(False, "ใบรับรองนี้ไม่ใช่การเผยแพร่ไฟล์ข้อมูลเปิด",
                     "This receipt does not record a published open-data file.")
    if match.group(3) != sha256:
        return Check(False, f"ไฟล์ไม่ตรงกับที่เผยแพร่: SHA-256 ของไฟล์คือ {sha256} แต่ใบรับรองระบุ {match.group(3)}",
                     f"The file is not the one published: its SHA-256 is {sha256}, the receipt names "
                     f"{match.group(3)}.")
    th = f"{check.message_th} ไฟล์นี้คือฉบับที่ {match.group(2)} ของทรัพยากร {match.group(1)} ตรงตามที่เผยแพร่"
    en = f"{check.message_en} The file is version {match.group(2)} of resource {match.group(1)}, as published."
    return Check(True, th, en, check.index, check.tree_size, check.statement)
