"""The CKAN actions, one plain function each over the catalogue: `(call, params) -> result`, where
`params` is the action's data dict as the client sent it (query string or JSON body) and the result is
what CKAN puts under "result". The route (`ckan`) wraps them in CKAN's envelope.

Bad parameters raise `PackageInvalid({field: [message]})`, CKAN's "Validation Error"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from pracha.opendata import catalogue, datastore, metadata, search
from pracha.opendata.catalogue import OpenData, Upload, only_public
from pracha.opendata.errors import DatasetNotFound, NotPublisher, PackageInvalid, ResourceNotFound
from pracha.opendata.models import ACTIVE, OpenDataset
from pracha.opendata.publishers import Publisher

CKAN_VERSION = "2.11.0"
MAX_ROWS = 1000  # CKAN's ckan.search.rows_max: the most datasets one call returns
MAX_OFFSET = 10**9
SITE_TITLE = "ประชา — ข้อมูลเปิดภาครัฐ (Pracha open government data)"
SQL_REFUSED = ("ระบบนี้ไม่เปิดให้ค้นด้วยคำสั่ง SQL กรุณาใช้ datastore_search พร้อมตัวกรอง "
               "(SQL queries are not offered here; use datastore_search with filters)")


@dataclass(frozen=True)
class Call:
    session: Session
    od: OpenData
    publisher: Publisher | None
    upload: Upload | None = None


class OrganisationNotFound(DatasetNotFound):
    code = "organization_not_found"
    message_th = "ไม่พบหน่วยงานนี้"
    message_en = "Organization not found."


class GroupNotFound(DatasetNotFound):
    code = "group_not_found"
    message_th = "ไม่พบกลุ่มนี้"
    message_en = "Group not found."


# --- parameters -------------------------------------------------------------------------------------


def invalid(field: str, th: str, en: str) -> PackageInvalid:
    return PackageInvalid({field: [f"{th} ({en})"]})


def whole(params: Mapping[str, Any], key: str, default: int | None, low: int, high: int) -> int | None:
    """An integer parameter (a number or its digits), `low`..`high`; `default` when not given."""
    value = params.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(key, f"ต้องเป็นจำนวนเต็ม {low}–{high}", f"Must be a whole number from {low} to {high}")
    return value


def flag(params: Mapping[str, Any], key: str, default: bool) -> bool:
    value = params.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.lower() in ("true", "1", "yes")
    raise invalid(key, "ต้องเป็น true หรือ false", "Must be true or false")


def text(params: Mapping[str, Any], *keys: str) -> str:
    """The first of `keys` given, as text (an id or a name)."""
    for key in keys:
        value = params.get(key)
        if isinstance(value, str) and value.strip() and len(value) <= 1000:
            return value.strip()
        if value not in (None, ""):
            raise invalid(key, "ต้องเป็นข้อความ", "Must be text")
    raise invalid(keys[0], "ต้องกรอก", "Missing value")


def page(params: Mapping[str, Any], default_limit: int | None) -> tuple[int | None, int]:
    return (whole(params, "limit", default_limit, 0, MAX_ROWS), whole(params, "offset", 0, 0, MAX_OFFSET) or 0)


# --- reading ----------------------------------------------------------------------------------------


def status_show(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"site_title": SITE_TITLE, "site_description": "แคตตาล็อกข้อมูลเปิดของแพลตฟอร์มประชา",
            "site_url": call.od.site_url.rstrip("/"), "ckan_version": CKAN_VERSION, "error_emails_to": None,
            "locale_default": "th", "extensions": ["datastore", "dcat"]}


def site_read(call: Call, params: Mapping[str, Any]) -> bool:
    return True


def package_list(call: Call, params: Mapping[str, Any]) -> list[str]:
    limit, offset = page(params, None)
    return list(call.session.scalars(only_public(select(OpenDataset.name)).order_by(OpenDataset.name)
                                     .limit(limit).offset(offset)))


def package_show(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    dataset = catalogue.get_dataset(call.session, text(params, "id", "name_or_id"), call.publisher)
    return catalogue.package_dict(dataset, call.od)


def package_search(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    return search.package_search(call.session, call.od, params)


def current_package_list_with_resources(call: Call, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    limit, offset = page(params, MAX_ROWS)
    return [catalogue.package_dict(d, call.od) for d in catalogue.public_datasets(call.session, limit=limit,
                                                                                  offset=offset)]


def organisation_dict(org: metadata.Organisation, count: int) -> dict[str, Any]:
    return {"id": org.name, "name": org.name, "title": org.title_th, "title_th": org.title_th,
            "title_en": org.title_en, "display_name": org.title_th, "description": "", "image_url": "",
            "type": "organization", "is_organization": True, "approval_status": "approved", "state": ACTIVE,
            "package_count": count}


def group_dict(group: metadata.Group, count: int) -> dict[str, Any]:
    return {"id": group.name, "name": group.name, "title": group.title_th, "title_th": group.title_th,
            "title_en": group.title_en, "display_name": group.title_th, "description": group.description_th,
            "description_en": group.description_en, "image_url": "", "type": "group", "is_organization": False,
            "approval_status": "approved", "state": ACTIVE, "package_count": count}


def organisation_counts(session: Session) -> Counter[str]:
    rows = session.execute(only_public(select(OpenDataset.owner_org, func.count())).group_by(OpenDataset.owner_org))
    return Counter({org: count for org, count in rows})


def group_counts(session: Session) -> Counter[str]:
    """Groups are a JSON list on each dataset: counted here, the same way on both engines."""
    return Counter(name for groups in session.scalars(only_public(select(OpenDataset.groups))) for name in groups or [])


def listing(call: Call, params: Mapping[str, Any], dicts: list[dict[str, Any]]) -> list[Any]:
    limit, offset = page(params, None)
    chosen = dicts[offset:None if limit is None else offset + limit]
    return chosen if flag(params, "all_fields", False) else [d["name"] for d in chosen]


def organization_list(call: Call, params: Mapping[str, Any]) -> list[Any]:
    counts = organisation_counts(call.session)
    orgs = sorted(metadata.organisations(call.od.catalog).values(), key=lambda o: o.name)
    return listing(call, params, [organisation_dict(o, counts[o.name]) for o in orgs])


def group_list(call: Call, params: Mapping[str, Any]) -> list[Any]:
    counts = group_counts(call.session)
    groups = sorted(metadata.groups(call.od.catalog_dir).values(), key=lambda g: g.name)
    return listing(call, params, [group_dict(g, counts[g.name]) for g in groups])


def newest_public(call: Call, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    return [catalogue.package_dict(d, call.od) for d in catalogue.public_datasets(call.session, where, limit=MAX_ROWS)]


def organization_show(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    name = text(params, "id")
    org = metadata.organisations(call.od.catalog).get(name)
    if org is None:
        raise OrganisationNotFound()
    found = organisation_dict(org, organisation_counts(call.session)[name])
    if flag(params, "include_datasets", False):
        found["packages"] = newest_public(call, OpenDataset.owner_org == name)
    return found


def group_show(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    name = text(params, "id")
    group = metadata.groups(call.od.catalog_dir).get(name)
    if group is None:
        raise GroupNotFound()
    found = group_dict(group, group_counts(call.session)[name])
    if flag(params, "include_datasets", False):
        ids = [i for i, groups in call.session.execute(only_public(select(OpenDataset.id, OpenDataset.groups)))
               if name in (groups or [])]
        found["packages"] = newest_public(call, OpenDataset.id.in_(ids)) if ids else []
    return found


def tag_list(call: Call, params: Mapping[str, Any]) -> list[Any]:
    query = params.get("query") or params.get("q") or ""
    if not isinstance(query, str) or len(query) > 100:
        raise invalid("query", "ต้องเป็นข้อความยาวไม่เกิน 100 ตัวอักษร", "Text of at most 100 characters")
    names = sorted({t for tags in call.session.scalars(only_public(select(OpenDataset.tags))) for t in tags or []
                    if query.casefold() in t.casefold()})
    if flag(params, "all_fields", False):
        return [{"id": t, "name": t, "display_name": t, "vocabulary_id": None} for t in names]
    return names


def license_list(call: Call, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"id": lic.id, "title": lic.title_th, "title_th": lic.title_th, "title_en": lic.title_en,
             "url": lic.url, "status": "active"} for lic in metadata.licences(call.od.catalog_dir).values()]


def resource_show(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    resource = catalogue.get_resource(call.session, text(params, "id"), call.publisher)
    return catalogue.resource_dict(resource, call.od)


def datastore_search(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    resource = catalogue.get_resource(call.session, text(params, "resource_id", "id"), call.publisher)
    if not resource.datastore_active:
        raise ResourceNotFound("ทรัพยากรนี้ไม่มีตารางข้อมูลให้ค้น", "This resource has no datastore table.")
    found: dict[str, Any] = datastore.search(call.session, resource, params)
    return found


def datastore_search_sql(call: Call, params: Mapping[str, Any]) -> Any:
    raise NotPublisher(SQL_REFUSED, SQL_REFUSED)


# --- writing (publishers only: the route refuses anyone else before calling these) -------------------


def package_create(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    dataset = catalogue.create_package(call.session, call.od, call.publisher, dict(params))
    return catalogue.package_dict(dataset, call.od)


def package_update(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    dataset = catalogue.update_package(call.session, call.od, call.publisher, text(params, "id", "name"),
                                       dict(params), partial=False)
    return catalogue.package_dict(dataset, call.od)


def package_patch(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    dataset = catalogue.update_package(call.session, call.od, call.publisher, text(params, "id", "name"),
                                       {k: v for k, v in params.items() if k != "id"}, partial=True)
    return catalogue.package_dict(dataset, call.od)


def package_delete(call: Call, params: Mapping[str, Any]) -> None:
    catalogue.delete_package(call.session, call.publisher, text(params, "id", "name"))


def resource_create(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    dataset = catalogue.get_dataset(call.session, text(params, "package_id"), call.publisher)
    resource = catalogue.add_resource(call.session, call.od, call.publisher, dataset, dict(params), call.upload)
    return catalogue.resource_dict(resource, call.od)


def resource_update(call: Call, params: Mapping[str, Any]) -> dict[str, Any]:
    resource = catalogue.update_resource(call.session, call.od, call.publisher, text(params, "id"), dict(params),
                                         call.upload)
    return catalogue.resource_dict(resource, call.od)


Action = Callable[[Call, Mapping[str, Any]], Any]
READS: dict[str, Action] = {f.__name__: f for f in (
    status_show, site_read, package_list, package_show, package_search, current_package_list_with_resources,
    organization_list, organization_show, group_list, group_show, tag_list, license_list, resource_show,
    datastore_search, datastore_search_sql)}
WRITES: dict[str, Action] = {f.__name__: f for f in (
    package_create, package_update, package_patch, package_delete, resource_create, resource_update)}
