"""The catalogue as DCAT (DCAT-AP 3 profile) built with rdflib from CKAN package dicts: a dcat:Catalog
of every public dcat:Dataset, each resource a dcat:Distribution with its SHA-256 as an spdx:checksum.

Vocabularies: dcat, dct, foaf (publishers), vcard (contact points), skos (themes), spdx (checksums),
and `thgdc:` for the Thai Government Data Catalog fields DCAT has no term for (data_type,
data_category, objective, disclosure, …): see THGDC. Themes are Pracha's groups as skos:Concepts in
Pracha's scheme, each also linked to the EU data-theme it matches (EU_THEMES, to confirm).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from pracha.opendata import metadata
from pracha.opendata.catalogue import OpenData
from pracha.opendata.vocabularies import EU_THEMES, file_type, frequency, media_type

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
# The Thai Government Data Catalog's fields (data.go.th names) as properties. The namespace IRI is
# Pracha's choice and is to be confirmed (a w3id.org redirect must be registered before others rely on it).
THGDC = Namespace("https://w3id.org/pracha/thgdc#")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
# geo_coverage values that say the data is about places in Thailand (not the world, nor unknown)
IN_THAILAND = ("ประเทศ", "ภาค", "จังหวัด", "อำเภอ", "ตำบล", "หมู่บ้าน", "เทศบาล/อบต.", "พิกัด")
THAI_LETTERS = re.compile(r"[\u0e00-\u0e7f]")
SHAPES = Path(__file__).parent / "shapes" / "dcat-ap-3-core.ttl"  # our SHACL subset of DCAT-AP 3
CONTEXT: dict[str, Any] = {
    "dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD), "skos": str(SKOS),
    "spdx": str(SPDX), "thgdc": str(THGDC), "xsd": str(XSD),
}


def bind(graph: Graph) -> Graph:
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, Namespace(namespace))
    return graph


def text(graph: Graph, subject: URIRef | BNode, predicate: URIRef, th: str | None, en: str | None = None) -> None:
    """A Thai and an English literal, each tagged with its language (empty ones left out)."""
    for value, lang in ((th, "th"), (en, "en")):
        if value:
            graph.add((subject, predicate, Literal(value, lang=lang)))


def stamp(value: str) -> Literal:
    """package_dict's UTC stamps (naive ISO) as xsd:dateTime with the zone."""
    return Literal(dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).isoformat(), datatype=XSD.dateTime)


def agent(graph: Graph, od: OpenData, organisation: metadata.Organisation) -> URIRef:
    node = URIRef(od.url(f"/data/organization/{organisation.name}"))
    graph.add((node, RDF.type, FOAF.Agent))
    text(graph, node, FOAF.name, organisation.title_th, organisation.title_en)
    return node


def theme(graph: Graph, od: OpenData, group: dict[str, Any]) -> URIRef:
    scheme = URIRef(od.url("/data/group"))
    node = URIRef(od.url(f"/data/group/{group['name']}"))
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    text(graph, scheme, DCTERMS.title, "กลุ่มชุดข้อมูลของประชา", "Pracha's dataset themes")
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.inScheme, scheme))
    text(graph, node, SKOS.prefLabel, group.get("title"), group.get("title_en"))
    if group["name"] in EU_THEMES:
        graph.add((node, SKOS.closeMatch, URIRef(EU_THEMES[group["name"]])))
    return node


def add_distribution(graph: Graph, od: OpenData, dataset: URIRef, resource: dict[str, Any],
                     licence: str | None) -> None:
    node = URIRef(f"{dataset.split('#')[0]}/resource/{resource['id']}#distribution")
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.identifier, Literal(resource["id"])))
    text(graph, node, DCTERMS.title, resource.get("name_th"), resource.get("name_en"))
    text(graph, node, DCTERMS.description, resource.get("description"))
    url = URIRef(resource["url"])
    graph.add((node, DCAT.accessURL, url))
    if resource.get("url_type") == "upload":
        graph.add((node, DCAT.downloadURL, url))
    if resource.get("format") and (kind := file_type(resource["format"])):
        graph.add((node, DCTERMS["format"], URIRef(kind)))
        graph.add((URIRef(kind), RDF.type, DCTERMS.MediaTypeOrExtent))
    if resource.get("mimetype") and (media := media_type(resource["mimetype"])):
        graph.add((node, DCAT.mediaType, URIRef(media)))
        graph.add((URIRef(media), RDF.type, DCTERMS.MediaType))
    if resource.get("size") is not None:
        graph.add((node, DCAT.byteSize, Literal(resource["size"], datatype=XSD.nonNegativeInteger)))
    if str(resource.get("hash") or "").startswith("sha256:"):
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(resource["hash"][7:], datatype=XSD.hexBinary)))
    if licence:
        graph.add((node, DCTERMS.license, URIRef(licence)))
        graph.add((URIRef(licence), RDF.type, DCTERMS.LicenseDocument))
    if resource.get("last_modified"):
        graph.add((node, DCTERMS.modified, stamp(resource["last_modified"])))


def add_dataset(graph: Graph, od: OpenData, package: dict[str, Any]) -> URIRef:
    """One package dict (catalogue.package_dict) as a dcat:Dataset with its distributions."""
    landing = od.url(f"/data/dataset/{package['name']}")
    node = URIRef(od.url(f"/data/dataset/{package['id']}#dataset"))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(package["id"])))
    text(graph, node, DCTERMS.title, package.get("title_th") or package.get("title"), package.get("title_en"))
    text(graph, node, DCTERMS.description, package.get("notes"), package.get("notes_en"))
    graph.add((node, DCAT.landingPage, URIRef(landing)))
    organisation = metadata.organisations(od.catalog).get(package["owner_org"])
    if organisation is not None:
        graph.add((node, DCTERMS.publisher, agent(graph, od, organisation)))
    for tag in package.get("tags") or []:
        name = tag["name"] if isinstance(tag, dict) else str(tag)
        graph.add((node, DCAT.keyword, Literal(name, lang="th" if THAI_LETTERS.search(name) else "en")))
    for group in package.get("groups") or []:
        graph.add((node, DCAT.theme, theme(graph, od, group)))
        if group["name"] in EU_THEMES:
            graph.add((node, DCAT.theme, URIRef(EU_THEMES[group["name"]])))
            graph.add((URIRef(EU_THEMES[group["name"]]), RDF.type, SKOS.Concept))
    if (periodicity := frequency(package.get("update_frequency_unit"), package.get("update_frequency_interval"))):
        graph.add((node, DCTERMS.accrualPeriodicity, URIRef(periodicity)))
        graph.add((URIRef(periodicity), RDF.type, DCTERMS.Frequency))
    if package.get("geo_coverage") in IN_THAILAND:
        graph.add((node, DCTERMS.spatial, EU_COUNTRY.THA))
        graph.add((EU_COUNTRY.THA, RDF.type, DCTERMS.Location))
    if package.get("maintainer_email"):
        contact = BNode()
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((contact, RDF.type, VCARD.Kind))
        text(graph, contact, VCARD.fn, package.get("maintainer"))
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{package['maintainer_email']}")))
    graph.add((node, DCTERMS.issued, stamp(package["metadata_created"])))
    graph.add((node, DCTERMS.modified, stamp(package["metadata_modified"])))
    add_thai_fields(graph, node, package)
    for resource in package.get("resources") or []:
        add_distribution(graph, od, node, resource, package.get("license_url"))
    return node


def add_thai_fields(graph: Graph, node: URIRef, package: dict[str, Any]) -> None:
    for key, predicate in (("data_type", THGDC.dataType), ("data_category", THGDC.dataCategory),
                           ("disclosure", THGDC.dataClassification), ("geo_coverage", THGDC.geoCoverage),
                           ("update_frequency_unit", THGDC.updateFrequencyUnit),
                           ("data_source", THGDC.dataSource)):
        if package.get(key):
            graph.add((node, predicate, Literal(package[key], lang="th")))
    if package.get("update_frequency_interval") is not None:
        graph.add((node, THGDC.updateFrequencyInterval,
                   Literal(package["update_frequency_interval"], datatype=XSD.integer)))
    for value in package.get("objective") or []:
        graph.add((node, THGDC.objective, Literal(value, lang="th")))
    for value in package.get("data_format") or []:
        graph.add((node, THGDC.dataFormat, Literal(value)))


def catalog_graph(packages: Iterable[dict[str, Any]], od: OpenData) -> Graph:
    graph = bind(Graph())
    catalog = URIRef(od.url("/data#catalog"))
    graph.add((catalog, RDF.type, DCAT.Catalog))
    text(graph, catalog, DCTERMS.title, "ข้อมูลเปิดภาครัฐบนประชา", "Pracha open government data")
    text(graph, catalog, DCTERMS.description,
         "ชุดข้อมูลเปิดของหน่วยงานรัฐบนแพลตฟอร์มประชา และสถิติที่ประชาคำนวณจากระบบของตนเองอย่างปลอดภัยต่อความเป็นส่วนตัว",
         "Open datasets of government agencies on the Pracha platform, and statistics Pracha computes "
         "from its own transactions with a privacy guarantee")
    platform = metadata.organisations(od.catalog)[metadata.PLATFORM_ORG]
    graph.add((catalog, DCTERMS.publisher, agent(graph, od, platform)))
    graph.add((catalog, FOAF.homepage, URIRef(od.url("/data"))))
    graph.add((catalog, DCTERMS.language, EU_LANGUAGE.THA))
    graph.add((catalog, DCTERMS.language, EU_LANGUAGE.ENG))
    modified = None
    for package in packages:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, od, package)))
        modified = max(modified or package["metadata_modified"], package["metadata_modified"])
    if modified:
        graph.add((catalog, DCTERMS.modified, stamp(modified)))
    return graph


def to_jsonld(graph: Graph) -> str:
    return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True, indent=None)


def script_safe(json_text: str) -> str:
    """JSON that cannot end a <script> element nor open a comment in it: <, > and & as \\u escapes,
    which JSON reads back as the same characters (they only occur inside strings)."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def dataset_jsonld(package: dict[str, Any], od: OpenData) -> str:
    """The dataset's own DCAT JSON-LD, compacted with CONTEXT, safe inside
    `<script type="application/ld+json">` (the dataset page embeds it)."""
    graph = bind(Graph())
    add_dataset(graph, od, package)
    return script_safe(json.dumps(json.loads(to_jsonld(graph)), ensure_ascii=False, separators=(",", ":")))
