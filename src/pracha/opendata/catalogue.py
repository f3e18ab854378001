"""The catalogue's service: datasets and resources created, changed and read as CKAN dicts, every
file version kept and entered in the ledger, and the catalogue's version bumped with each change so
every process's search index stays in step. Routes (CKAN API and pages) are thin over this."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.orm import Session, selectinload

from pracha.db import utcnow
from pracha.ledger import log
from pracha.opendata import datastore, metadata
from pracha.opendata.errors import DatasetNotFound, NameTaken, NotPublisher, PackageInvalid, ResourceNotFound
from pracha.opendata.models import ACTIVE, DELETED, CatalogueState, OpenDataset, OpenResource, ResourceVersion
from pracha.opendata.publishers import Publisher
from pracha.services.catalog import Catalog

S = TypeVar("S", bound=Select)  # any select, whatever its rows  # any select, whatever its rows
PUBLISHED = "opendata.published"  # a public ledger kind: the object names the file's hash
TABULAR = ("CSV", "XLSX")


@dataclass(frozen=True)
class OpenData:
    """What the catalogue needs of the deployment: the service catalogue (its agencies publish), the
    catalogue folder (licences, groups) and the site's public address (for URLs in CKAN dicts)."""

    catalog: Catalog
    catalog_dir: Path
    site_url: str

    def url(self, path: str) -> str:
        return self.site_url.rstrip("/") + path


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    mimetype: str | None = None


# --- reading ----------------------------------------------------------------------------------------


def is_public(dataset: OpenDataset) -> bool:
    return (dataset.state == ACTIVE and not dataset.private
            and metadata.publishable(dataset.data_category, dataset.disclosure))


def may_see(dataset: OpenDataset, publisher: Publisher | None) -> bool:
    if dataset.state != ACTIVE:
        return False
    return is_public(dataset) or (publisher is not None and publisher.may_publish(dataset.owner_org))


def find_dataset(session: Session, id_or_name: str) -> OpenDataset | None:
    return session.scalar(select(OpenDataset).where(or_(OpenDataset.id == id_or_name,
                                                        OpenDataset.name == id_or_name)))


def get_dataset(session: Session, id_or_name: str, publisher: Publisher | None = None) -> OpenDataset:
    dataset = find_dataset(session, id_or_name) if isinstance(id_or_name, str) else None
    if dataset is None or not may_see(dataset, publisher):
        raise DatasetNotFound()
    return dataset


def get_resource(session: Session, resource_id: str, publisher: Publisher | None = None) -> OpenResource:
    resource = session.get(OpenResource, resource_id) if isinstance(resource_id, str) else None
    if resource is None or not may_see(resource.dataset, publisher):
        raise ResourceNotFound()
    return resource


def only_public(query: S) -> S:
    """`query` narrowed to what `is_public` lets the public see, said in SQL."""
    return query.where(OpenDataset.state == ACTIVE, OpenDataset.private.is_(False),
                       OpenDataset.data_category == metadata.PUBLIC_CATEGORY,
                       OpenDataset.disclosure == metadata.OPEN_DISCLOSURE)


def public_datasets(session: Session, *where: ColumnElement[bool], limit: int | None = None,
                    offset: int = 0) -> list[OpenDataset]:
    """The datasets the public may see (and `where` asks for), newest change first, with their resources
    (feeds, listings, the search index)."""
    return list(session.scalars(only_public(select(OpenDataset)).where(*where)
                                .options(selectinload(OpenDataset.resources))
                                .order_by(OpenDataset.modified_at.desc(), OpenDataset.name)
                                .limit(limit).offset(offset)))


def catalogue_version(session: Session) -> int:
    return session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1)) or 0


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def resource_dict(resource: OpenResource, od: OpenData) -> dict[str, Any]:
    dataset = resource.dataset
    url = resource.url or od.url(f"/data/dataset/{dataset.name}/resource/{resource.id}/download")
    return {
        "id": resource.id, "package_id": dataset.id, "position": resource.position,
        "name": resource.name_th, "name_th": resource.name_th, "name_en": resource.name_en,
        "description": resource.description, "format": resource.format, "url": url,
        "url_type": None if resource.url else "upload", "mimetype": resource.mimetype, "size": resource.size,
        "hash": f"sha256:{resource.sha256}" if resource.sha256 else "", "version": resource.version,
        "datastore_active": resource.datastore_active, "state": ACTIVE,
        "created": _stamp(resource.created_at), "last_modified": _stamp(resource.modified_at),
        "metadata_modified": _stamp(resource.modified_at),
    }


def package_dict(dataset: OpenDataset, od: OpenData) -> dict[str, Any]:
    """The CKAN package dict, with the Thai metadata fields at the top level as data.go.th has them."""
    orgs = metadata.organisations(od.catalog)
    org = orgs.get(dataset.owner_org)
    licence = metadata.licences(od.catalog_dir).get(dataset.license_id)
    known_groups = metadata.groups(od.catalog_dir)
    return {
        "id": dataset.id, "name": dataset.name, "type": "dataset", "state": dataset.state,
        "private": dataset.private, "title": dataset.title_th, "title_th": dataset.title_th,
        "title_en": dataset.title_en, "notes": dataset.notes_th, "notes_en": dataset.notes_en,
        "owner_org": dataset.owner_org,
        "organization": {"id": dataset.owner_org, "name": dataset.owner_org, "title": org.title_th if org else "",
                         "title_en": org.title_en if org else "", "type": "organization",
                         "is_organization": True, "state": ACTIVE} if org else None,
        "license_id": dataset.license_id, "license_title": licence.title_th if licence else dataset.license_id,
        "license_url": licence.url if licence else None,
        "tags": [{"name": t, "display_name": t, "state": ACTIVE} for t in dataset.tags],
        "groups": [{"name": g, "title": known_groups[g].title_th, "title_en": known_groups[g].title_en}
                   for g in dataset.groups if g in known_groups],
        "data_type": dataset.data_type, "objective": dataset.objective,
        "update_frequency_unit": dataset.update_frequency_unit,
        "update_frequency_interval": dataset.update_frequency_interval,
        "geo_coverage": dataset.geo_coverage, "data_source": dataset.data_source,
        "data_format": dataset.data_format, "data_category": dataset.data_category,
        "disclosure": dataset.disclosure, "maintainer": dataset.maintainer,
        "maintainer_email": dataset.maintainer_email, "author": None, "author_email": None,
        "privacy": dataset.privacy, "platform_statistics": dataset.platform_key is not None,
        "metadata_created": _stamp(dataset.created_at), "metadata_modified": _stamp(dataset.modified_at),
        "url": od.url(f"/data/dataset/{dataset.name}"), "num_tags": len(dataset.tags),
        "num_resources": len(dataset.resources),
        "resources": [resource_dict(r, od) for r in dataset.resources],
        "extras": [],
    }


# --- writing ----------------------------------------------------------------------------------------


def bump(session: Session) -> None:
    """Move the catalogue's version in this transaction (the migration made its one row), so every
    process's index rebuilds after the change commits."""
    session.execute(update(CatalogueState).where(CatalogueState.id == 1)
                    .values(version=CatalogueState.version + 1, changed_at=utcnow()))


def _check_publisher(publisher: Publisher | None, organisation: str) -> Publisher:
    if publisher is None or not publisher.may_publish(organisation):
        raise NotPublisher()
    return publisher


def create_package(session: Session, od: OpenData, publisher: Publisher | None, data: dict[str, Any],
                   *, platform_key: str | None = None, privacy: dict[str, Any] | None = None) -> OpenDataset:
    columns, errors = metadata.validate_package(data, catalog=od.catalog, catalog_dir=od.catalog_dir)
    if errors:
        raise PackageInvalid(errors)
    publisher = _check_publisher(publisher, columns["owner_org"])
    if find_dataset(session, columns["name"]) is not None:
        raise NameTaken()
    dataset = OpenDataset(**columns, created_by=publisher.actor, platform_key=platform_key, privacy=privacy)
    session.add(dataset)
    session.flush()
    for position, resource in enumerate(data.get("resources") or []):
        if isinstance(resource, dict):
            add_resource(session, od, publisher, dataset, {**resource, "position": position})
    bump(session)
    return dataset


def update_package(session: Session, od: OpenData, publisher: Publisher | None, id_or_name: str,
                   data: dict[str, Any], *, partial: bool) -> OpenDataset:
    """package_update (the whole dict; keys left out are cleared to their defaults where optional)
    and package_patch (`partial`: only the keys given). Resources are changed with resource_*."""
    dataset = get_dataset(session, id_or_name, publisher)
    _check_publisher(publisher, dataset.owner_org)
    columns, errors = metadata.validate_package(data, catalog=od.catalog, catalog_dir=od.catalog_dir,
                                                partial=partial)
    if errors:
        raise PackageInvalid(errors)
    if "owner_org" in columns:
        _check_publisher(publisher, columns["owner_org"])
    if columns.get("name", dataset.name) != dataset.name and find_dataset(session, columns["name"]) is not None:
        raise NameTaken()
    if not partial:
        columns = {"title_en": None, "notes_en": None, "tags": [], "groups": [], "update_frequency_interval": None,
                   **columns}
    for key, value in columns.items():
        setattr(dataset, key, value)
    dataset.modified_at = utcnow()
    bump(session)
    return dataset


def delete_package(session: Session, publisher: Publisher | None, id_or_name: str) -> None:
    """CKAN's delete: the dataset's state becomes "deleted"; its published versions stay on record."""
    dataset = get_dataset(session, id_or_name, publisher)
    _check_publisher(publisher, dataset.owner_org)
    dataset.state = DELETED
    dataset.modified_at = utcnow()
    for resource in dataset.resources:
        if resource.datastore_active:
            datastore.drop(session, resource)
    bump(session)


def _resource_fields(resource: OpenResource, data: dict[str, Any]) -> None:
    name = data.get("name_th", data.get("name"))
    if name is not None:
        if not isinstance(name, str) or not name.strip() or len(name) > 300:
            raise PackageInvalid({"name": ["ต้องกรอกชื่อทรัพยากร ยาวไม่เกิน 300 ตัวอักษร (Name: 1-300 characters)"]})
        resource.name_th = name.strip()
    for key, column, limit in (("name_en", "name_en", 300), ("description", "description", 5000),
                               ("format", "format", 32)):
        if isinstance(data.get(key), str):
            if len(data[key]) > limit:
                raise PackageInvalid({key: [f"ยาวไม่เกิน {limit} ตัวอักษร (At most {limit} characters)"]})
            setattr(resource, column, data[key].strip() if key != "format" else data[key].strip().upper())
    if isinstance(data.get("position"), int):
        resource.position = data["position"]


def add_resource(session: Session, od: OpenData, publisher: Publisher | None, dataset: OpenDataset,
                 data: dict[str, Any], upload: Upload | None = None) -> OpenResource:
    """resource_create: a link (`url`) or an uploaded file, whose first version is published."""
    _check_publisher(publisher, dataset.owner_org)
    assert publisher is not None
    resource = OpenResource(dataset=dataset, name_th="", position=len(dataset.resources))
    _resource_fields(resource, data)
    if not resource.name_th:
        resource.name_th = upload.filename if upload else str(data.get("url") or "")[:300]
    if upload is None:
        url = data.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > 1000:
            raise PackageInvalid({"url": ["ต้องแนบไฟล์หรือใส่ลิงก์ http(s) (Upload a file or give an http(s) URL)"]})
        resource.url = url
    session.add(resource)
    session.flush()
    if "schema" in data:  # the publisher's Frictionless table schema: files are validated against it
        datastore.set_schema(session, resource, data["schema"], reload=False)
    if upload is not None:
        publish_version(session, publisher, resource, upload)
    dataset.modified_at = utcnow()
    bump(session)
    return resource


def update_resource(session: Session, od: OpenData, publisher: Publisher | None, resource_id: str,
                    data: dict[str, Any], upload: Upload | None = None) -> OpenResource:
    """resource_update: new metadata, and with a file a new version (the old ones stay)."""
    resource = get_resource(session, resource_id, publisher)
    _check_publisher(publisher, resource.dataset.owner_org)
    assert publisher is not None
    _resource_fields(resource, data)
    if "schema" in data:  # without a new file, the current one is loaded again under the new schema
        datastore.set_schema(session, resource, data["schema"], reload=upload is None)
    if upload is not None:
        publish_version(session, publisher, resource, upload)
    elif isinstance(data.get("url"), str) and resource.url is not None:
        resource.url = data["url"]
    resource.modified_at = resource.dataset.modified_at = utcnow()
    bump(session)
    return resource


def format_of(upload: Upload, given: str) -> str:
    if given:
        return given.upper()
    return Path(upload.filename).suffix.lstrip(".").upper()


def publish_version(session: Session, publisher: Publisher, resource: OpenResource, upload: Upload) -> ResourceVersion:
    """Keep the file as version n+1 and enter its SHA-256 in the ledger, in this transaction. A CSV or
    XLSX is validated and loaded into the datastore first: a table with errors is not published
    (`datastore.TableInvalid` carries each error's row and column)."""
    digest = hashlib.sha256(upload.content).hexdigest()
    resource.format = format_of(upload, resource.format)
    mimetype = upload.mimetype or mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
    if resource.format in TABULAR:
        resource.table_schema = datastore.load(session, resource, upload.content, resource.format)
        resource.datastore_active = True
    elif resource.datastore_active:  # a table replaced by a file that is not one
        datastore.drop(session, resource)
        resource.table_schema = None
    number = resource.version + 1
    record = {"dataset": resource.dataset.id, "resource": resource.id, "version": number, "sha256": digest,
              "size": len(upload.content)}
    entry = log.record(session, PUBLISHED, actor=publisher.actor,
                       obj=f"opendata/{resource.id}/v{number}/sha256:{digest}", record=record)
    version = ResourceVersion(resource=resource, number=number, filename=Path(upload.filename).name[:200] or "data",
                              mimetype=mimetype, size=len(upload.content), sha256=digest, content=upload.content,
                              published_by=publisher.actor, ledger_entry=entry)
    session.add(version)
    resource.version, resource.sha256, resource.size, resource.mimetype = number, digest, len(upload.content), mimetype
    resource.modified_at = utcnow()
    return version
