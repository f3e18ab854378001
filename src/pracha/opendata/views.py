"""Page models of the /data pages: what a dataset page shows (metadata rows with Thai labels, the
resources with their preview, chart and versions, API examples, JSON-LD), and the publisher's form
turned into a CKAN package dict and back. Plain values for the templates; no HTTP here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.opendata import datastore, dcat, labels, metadata, versions
from pracha.opendata.catalogue import OpenData, package_dict
from pracha.opendata.models import ACTIVE, OpenDataset, OpenResource
from pracha.opendata.publishers import Publisher

# The metadata rows of the dataset page, in data.go.th's order
METADATA_ROWS = ("owner_org", "data_type", "objective", "update_frequency_unit", "update_frequency_interval",
                 "geo_coverage", "data_source", "data_format", "data_category", "disclosure", "maintainer",
                 "maintainer_email", "license_id", "metadata_created", "metadata_modified")
LIST_FIELDS = ("objective", "data_format", "groups")


def human_size(size: int | None, lang: str) -> str:
    if size is None:
        return ""
    units = ("ไบต์", "กิโลไบต์", "เมกะไบต์", "กิกะไบต์") if lang != "en" else ("bytes", "kB", "MB", "GB")
    amount, unit = float(size), 0
    while amount >= 1000 and unit < len(units) - 1:
        amount, unit = amount / 1000, unit + 1
    return f"{size:,} {units[0]}" if unit == 0 else f"{amount:.1f} {units[unit]}"


def organisation_title(od: OpenData, code: str, lang: str) -> str:
    org = metadata.organisations(od.catalog).get(code)
    if org is None:
        return code
    return org.title_en if lang == "en" and org.title_en else org.title_th


def _metadata_rows(dataset: OpenDataset, od: OpenData, lang: str) -> list[dict[str, Any]]:
    licence = metadata.licences(od.catalog_dir).get(dataset.license_id)
    rows = []
    for field in METADATA_ROWS:
        link = None
        if field == "owner_org":
            shown: Any = organisation_title(od, dataset.owner_org, lang)
            link = f"/data?organization={dataset.owner_org}"
        elif field == "license_id":
            shown = (licence.title_en if lang == "en" else licence.title_th) if licence else dataset.license_id
            link = licence.url if licence else None
        elif field in ("metadata_created", "metadata_modified"):
            shown = dataset.created_at if field == "metadata_created" else dataset.modified_at
        elif field == "update_frequency_interval":
            if dataset.update_frequency_interval is None:
                continue
            shown = str(dataset.update_frequency_interval)
        else:
            raw = getattr(dataset, field)
            shown = [labels.value(v, lang) for v in raw] if field in LIST_FIELDS else labels.value(raw, lang)
        rows.append({"field": field, "label": labels.label(field, lang), "value": shown, "link": link,
                     "date": field.startswith("metadata_")})
    return rows


def privacy_text(privacy: dict[str, Any] | None, lang: str) -> str | None:
    """The disclosure-control method in words (the statistics area's JSON: method, k, unit, secondary)."""
    if not privacy:
        return None
    given = privacy.get("text_en" if lang == "en" else "text_th")
    if isinstance(given, str) and given:
        return given
    k, secondary = privacy.get("k"), privacy.get("secondary")
    if lang == "en":
        text = f"Cells counting fewer than {k} {privacy.get('unit', 'people')} are suppressed"
        return text + (", with secondary suppression so totals cannot reveal them." if secondary else ".")
    text = f"ช่องที่นับได้น้อยกว่า {k} คนจะไม่แสดงค่า"
    return text + (" และปิดช่องอื่นเพิ่ม (secondary suppression) เพื่อไม่ให้คำนวณย้อนจากผลรวมได้" if secondary else "")


def _versions(session: Session, resource: OpenResource) -> list[dict[str, Any]]:
    """Newest first, with the time as a datetime (the page shows it in Thai, never as ISO text)."""
    found = versions.versions_for(session, resource)
    for version in found:
        version["published_at"] = dt.datetime.fromisoformat(str(version["published_at"]).replace("Z", "+00:00"))
    return found[::-1]


def _resource_view(session: Session, resource: OpenResource, od: OpenData, url: str, lang: str) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    chart = None
    if resource.datastore_active:
        fields, records = datastore.preview(session, resource, limit=20)
        chart = datastore.chart_svg(session, resource)
    return {
        "id": resource.id, "name": resource.name_en if lang == "en" and resource.name_en else resource.name_th,
        "description": resource.description, "format": resource.format or "", "url": url,
        "is_link": resource.url is not None, "size": human_size(resource.size, lang), "sha256": resource.sha256,
        "version": resource.version, "datastore_active": resource.datastore_active,
        "fields": [f for f in fields if f.get("id") != "_id"], "records": records, "chart": chart,
        "versions": _versions(session, resource) if resource.url is None else [],
    }


def api_examples(od: OpenData, dataset: OpenDataset) -> dict[str, str]:
    site = od.site_url.rstrip("/")
    tabular = next((r for r in dataset.resources if r.datastore_active), None)
    examples = {
        "curl": f"curl '{site}/api/3/action/package_show?id={dataset.name}'",
        "python": ("from ckanapi import RemoteCKAN\n\n"
                   f"portal = RemoteCKAN('{site}')\n"
                   f"dataset = portal.action.package_show(id='{dataset.name}')"),
    }
    if tabular is not None:
        examples["curl"] += f"\ncurl '{site}/api/3/action/datastore_search?resource_id={tabular.id}&limit=5'"
        examples["python"] += f"\nrows = portal.action.datastore_search(resource_id='{tabular.id}', limit=5)"
    return examples


def dataset_page(session: Session, od: OpenData, dataset: OpenDataset, lang: str) -> dict[str, Any]:
    package = package_dict(dataset, od)
    known_groups = metadata.groups(od.catalog_dir)
    urls = {r["id"]: r["url"] for r in package["resources"]}
    return {
        "dataset": dataset, "package": package,
        "title": dataset.title_en if lang == "en" and dataset.title_en else dataset.title_th,
        "notes": dataset.notes_en if lang == "en" and dataset.notes_en else dataset.notes_th,
        "organisation": organisation_title(od, dataset.owner_org, lang),
        "rows": _metadata_rows(dataset, od, lang),
        "groups": [(g, known_groups[g].title_en if lang == "en" else known_groups[g].title_th)
                   for g in dataset.groups if g in known_groups],
        "privacy": privacy_text(dataset.privacy, lang), "privacy_raw": dataset.privacy,
        "resources": [_resource_view(session, r, od, urls[r.id], lang) for r in dataset.resources],
        "api": api_examples(od, dataset),
        "jsonld": dcat.dataset_jsonld(package, od),
    }


# --- publishers -------------------------------------------------------------------------------------


def publisher_datasets(session: Session, publisher: Publisher) -> list[OpenDataset]:
    """The datasets a publisher may change (private ones too), newest change first."""
    query = select(OpenDataset).where(OpenDataset.state == ACTIVE)
    if publisher.organisations is not None:
        query = query.where(OpenDataset.owner_org.in_(sorted(publisher.organisations)))
    return list(session.scalars(query.order_by(OpenDataset.modified_at.desc(), OpenDataset.name)))


def organisations_for(od: OpenData, publisher: Publisher, lang: str) -> list[tuple[str, str]]:
    orgs = metadata.organisations(od.catalog)
    return [(code, organisation_title(od, code, lang)) for code in orgs if publisher.may_publish(code)]


def package_from_form(form: Any) -> dict[str, Any]:
    """The publisher's form (a Starlette FormData) as a CKAN package dict for `validate_package`."""
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    data: dict[str, Any] = {key: text(key) for key in (
        "name", "title", "title_en", "notes", "notes_en", "owner_org", "license_id", "data_type",
        "update_frequency_unit", "update_frequency_interval", "geo_coverage", "data_source", "data_category",
        "disclosure", "maintainer", "maintainer_email")}
    for key in LIST_FIELDS:
        data[key] = [str(v) for v in form.getlist(key) if isinstance(v, str) and v]
    data["tags"] = [t.strip() for t in text("tags").replace("،", ",").split(",") if t.strip()]
    data["private"] = form.get("private") in ("1", "on", "true")
    return data


def form_values(dataset: OpenDataset | None, submitted: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the form shows: what was submitted (after an error), else the dataset's values, else defaults."""
    if submitted is not None:
        return {**submitted, "tags": ", ".join(submitted.get("tags") or [])}
    if dataset is None:
        return {"license_id": "Open Data Common", "data_category": metadata.PUBLIC_CATEGORY,
                "disclosure": metadata.OPEN_DISCLOSURE, "objective": [], "data_format": [], "groups": [],
                "tags": "", "private": False}
    return {"name": dataset.name, "title": dataset.title_th, "title_en": dataset.title_en or "",
            "notes": dataset.notes_th, "notes_en": dataset.notes_en or "", "owner_org": dataset.owner_org,
            "license_id": dataset.license_id, "data_type": dataset.data_type, "objective": dataset.objective,
            "update_frequency_unit": dataset.update_frequency_unit,
            "update_frequency_interval": dataset.update_frequency_interval or "",
            "geo_coverage": dataset.geo_coverage, "data_source": dataset.data_source,
            "data_format": dataset.data_format, "data_category": dataset.data_category,
            "disclosure": dataset.disclosure, "maintainer": dataset.maintainer,
            "maintainer_email": dataset.maintainer_email, "tags": ", ".join(dataset.tags),
            "groups": dataset.groups, "private": dataset.private}


def form_choices(od: OpenData, publisher: Publisher, lang: str) -> dict[str, Any]:
    return {
        "owner_org": organisations_for(od, publisher, lang),
        "license_id": [(lic.id, lic.title_en if lang == "en" else lic.title_th)
                       for lic in metadata.licences(od.catalog_dir).values()],
        "data_type": labels.choices(metadata.DATA_TYPES, lang),
        "objective": labels.choices(metadata.OBJECTIVES, lang),
        "update_frequency_unit": labels.choices(metadata.UPDATE_FREQUENCY_UNITS, lang),
        "geo_coverage": labels.choices(metadata.GEO_COVERAGES, lang),
        "data_format": labels.choices(metadata.DATA_FORMATS, lang),
        "data_category": labels.choices(metadata.DATA_CATEGORIES, lang),
        "disclosure": labels.choices(metadata.DISCLOSURES, lang),
        "groups": [(g.name, g.title_en if lang == "en" else g.title_th)
                   for g in metadata.groups(od.catalog_dir).values()],
    }


def table_errors(exc: datastore.TableInvalid, lang: str) -> list[dict[str, Any]]:
    return [{"row": e.get("row"), "column": e.get("column"),
             "message": e.get("message_en" if lang == "en" else "message_th") or e.get("message_th", "")}
            for e in exc.errors]
