"""The catalogue as a Project Open Data v1.1 catalog (`/data.json`), the format data.gov harvests, built
from CKAN package dicts. Thai first: titles and descriptions are the Thai ones (English beside them
in the `title_en`/`description_en` extension fields, which POD consumers ignore)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pracha.opendata import metadata
from pracha.opendata.catalogue import OpenData
from pracha.opendata.vocabularies import pod_periodicity

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"


def distribution(resource: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "dcat:Distribution", "title": resource.get("name_th") or resource.get("name")}
    key = "downloadURL" if resource.get("url_type") == "upload" else "accessURL"
    item[key] = resource["url"]
    if resource.get("mimetype"):
        item["mediaType"] = resource["mimetype"]
    if resource.get("format"):
        item["format"] = resource["format"]
    if resource.get("description"):
        item["description"] = resource["description"]
    return item


def dataset(package: dict[str, Any], od: OpenData) -> dict[str, Any]:
    organisation = metadata.organisations(od.catalog).get(package["owner_org"])
    keywords = [t["name"] for t in package.get("tags") or []]
    item: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": od.url(f"/data/dataset/{package['id']}"),
        "title": package.get("title_th") or package["title"],
        "description": package.get("notes") or package.get("title_th") or package["title"],
        # POD needs at least one keyword: a dataset without tags gets its data type
        "keyword": keywords or [package["data_type"]],
        "modified": package["metadata_modified"][:19] + "Z",
        "issued": package["metadata_created"][:19] + "Z",
        "publisher": {"@type": "org:Organization",
                      "name": organisation.title_th if organisation else package["owner_org"]},
        "contactPoint": {"@type": "vcard:Contact", "fn": package.get("maintainer") or "",
                         "hasEmail": f"mailto:{package.get('maintainer_email') or ''}"},
        "accessLevel": "public",
        "landingPage": package["url"],
        "language": ["th"],
        "distribution": [distribution(r) for r in package.get("resources") or []],
        "theme": [g.get("title") or g["name"] for g in package.get("groups") or []],
    }
    if package.get("license_url"):
        item["license"] = package["license_url"]
    if package.get("title_en"):
        item["title_en"] = package["title_en"]
    if package.get("notes_en"):
        item["description_en"] = package["notes_en"]
    periodicity = pod_periodicity(package.get("update_frequency_unit"), package.get("update_frequency_interval"))
    if periodicity:
        item["accrualPeriodicity"] = periodicity
    if not item["theme"]:
        del item["theme"]
    return item


def catalog(packages: Iterable[dict[str, Any]], od: OpenData) -> dict[str, Any]:
    return {
        "@context": f"{SCHEMA}/catalog.jsonld",
        "@id": od.url("/data.json"),
        "@type": "dcat:Catalog",
        "conformsTo": SCHEMA,
        "describedBy": f"{SCHEMA}/catalog.json",
        "dataset": [dataset(p, od) for p in packages],
    }
