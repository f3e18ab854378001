"""The catalogue for harvesters: DCAT-AP 3 (Turtle, JSON-LD) validated with pyshacl against our shapes,
read back with rdflib, Project Open Data's data.json, the dataset's embeddable JSON-LD, and the feeds'
cache (built once per catalogue version)."""

from __future__ import annotations

import json

import pyshacl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from sqlalchemy.orm import Session

from pracha.opendata import catalogue, dcat
from pracha.opendata.feedcache import FEEDS
from pracha.opendata.publishers import SYSTEM_PUBLISHER
from tests.opendata.published import counts, open_data, package, publish

SHAPES = Graph().parse(dcat.SHAPES, format="turtle")


def conforms(graph: Graph) -> tuple[bool, str]:
    ok, _, report = pyshacl.validate(graph, shacl_graph=SHAPES, inference="none", allow_warnings=False)
    return bool(ok), str(report)


@pytest.fixture
def published(app: FastAPI, db: Session) -> str:
    od = open_data(app)
    dataset, _ = publish(db, od)
    publish(db, od, package("private-draft", private=True))  # never in a feed
    publish(db, od, package("building-permits-by-month", title="ใบอนุญาตก่อสร้างรายเดือน", title_en=None,
                            notes_en=None, tags=["ก่อสร้าง"], groups=["city"], update_frequency_unit="ปี",
                            update_frequency_interval=2), counts("2569", permits=42), "permits.json")
    return dataset.id


def test_turtle_conforms_to_the_shapes_and_reads_back(client: TestClient, published: str) -> None:
    response = client.get("/catalog.ttl")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    assert response.headers["cache-control"] == "public, max-age=300"
    graph = Graph().parse(data=response.text, format="turtle")
    ok, report = conforms(graph)
    assert ok, report
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2  # the private one is not harvested
    node = URIRef(f"http://testserver/data/dataset/{published}#dataset")
    assert (node, DCTERMS.title, Literal("จำนวนผู้รับเบี้ยยังชีพผู้สูงอายุ รายตำบล", lang="th")) in graph
    assert (node, DCTERMS.title, Literal("Elderly allowance recipients by sub-district", lang="en")) in graph
    assert (node, DCTERMS.accrualPeriodicity,
            URIRef("http://publications.europa.eu/resource/authority/frequency/MONTHLY")) in graph
    assert (node, dcat.THGDC.dataType, Literal("ข้อมูลสถิติ", lang="th")) in graph
    assert (node, DCAT.keyword, Literal("ผู้สูงอายุ", lang="th")) in graph
    assert (node, DCAT.keyword, Literal("welfare", lang="en")) in graph
    biennial = URIRef("http://publications.europa.eu/resource/authority/frequency/BIENNIAL")
    assert biennial in set(graph.objects(None, DCTERMS.accrualPeriodicity))
    checksums = {str(v) for v in graph.objects(None, dcat.SPDX.checksumValue)}
    files = [r for r in graph.subjects(RDF.type, DCAT.Distribution) if (r, DCAT.downloadURL, None) in graph]
    assert len(checksums) == len(files) == 2
    links = [r for r in graph.subjects(RDF.type, DCAT.Distribution) if (r, DCAT.downloadURL, None) not in graph]
    assert len(links) == 2 and all((r, DCAT.accessURL, None) in graph for r in links)


def test_jsonld_has_the_same_triples_as_turtle(client: TestClient, published: str) -> None:
    turtle = Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
    response = client.get("/catalog.jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    assert document["@context"]["dcat"] == str(DCAT)  # compacted with our context
    jsonld = Graph().parse(data=response.text, format="json-ld")
    assert len(jsonld) == len(turtle) > 100
    assert conforms(jsonld)[0]


def test_the_shapes_catch_what_they_promise(client: TestClient, published: str) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
    node = URIRef(f"http://testserver/data/dataset/{published}#dataset")
    untagged = Graph() + graph
    untagged.remove((node, DCTERMS.title, None))
    untagged.add((node, DCTERMS.title, Literal("no language")))
    assert not conforms(untagged)[0]
    no_access = Graph() + graph
    no_access.remove((None, DCAT.accessURL, None))
    assert not conforms(no_access)[0]
    short_hash = Graph() + graph
    value = next(short_hash.subject_objects(dcat.SPDX.checksumValue))
    short_hash.remove((value[0], dcat.SPDX.checksumValue, value[1]))
    short_hash.add((value[0], dcat.SPDX.checksumValue, Literal("abc123")))
    assert "checksumValue" in conforms(short_hash)[1]


def test_data_json_is_a_project_open_data_catalog(client: TestClient, published: str) -> None:
    response = client.get("/data.json")
    body = response.json()
    assert body["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert body["@type"] == "dcat:Catalog" and len(body["dataset"]) == 2
    item = next(d for d in body["dataset"] if d["identifier"].endswith(published))
    assert item["title"] == "จำนวนผู้รับเบี้ยยังชีพผู้สูงอายุ รายตำบล" and item["accessLevel"] == "public"
    assert item["keyword"] == ["ผู้สูงอายุ", "welfare"] and item["accrualPeriodicity"] == "R/P1M"
    assert item["contactPoint"] == {"@type": "vcard:Contact", "fn": "งานสวัสดิการสังคม",
                                    "hasEmail": "mailto:opendata@cmcity.example.go.th"}
    assert item["publisher"]["name"] == "สำนักทะเบียนท้องถิ่นเทศบาลนครเชียงใหม่"
    download, link = item["distribution"]
    assert download["downloadURL"].endswith("/download") and download["mediaType"] == "application/json"
    assert link == {"@type": "dcat:Distribution", "title": "หน้าข้อมูลของเทศบาล",
                    "accessURL": "https://cmcity.example.go.th/data"}
    assert item["license"].startswith("https://") and item["theme"] == ["ประชากรและสังคม"]


def test_feeds_are_built_once_per_catalogue_version(app: FastAPI, db: Session, client: TestClient,
                                                    published: str) -> None:
    cache = app.state.pracha.registry.get(FEEDS)
    first = client.get("/catalog.ttl")
    builds = cache.builds
    assert client.get("/catalog.jsonld").status_code == 200 and client.get("/data.json").status_code == 200
    assert cache.builds == builds + 2  # each feed made once, on its first request
    again = client.get("/catalog.ttl", headers={"If-None-Match": first.headers["etag"]})
    assert client.get("/data.json").status_code == 200
    assert again.status_code == 304 and cache.builds == builds + 2  # nothing changed: nothing rebuilt
    catalogue.update_package(db, open_data(app), SYSTEM_PUBLISHER, published, {"title": "ชื่อใหม่"}, partial=True)
    db.commit()
    changed = client.get("/catalog.ttl")
    assert cache.builds == builds + 3 and "ชื่อใหม่" in changed.text
    assert changed.headers["etag"] != first.headers["etag"]


def test_a_request_during_a_rebuild_gets_the_previous_feed_instead_of_waiting(
        app: FastAPI, db: Session, client: TestClient, published: str) -> None:
    cache = app.state.pracha.registry.get(FEEDS)
    before = client.get("/catalog.ttl")
    catalogue.update_package(db, open_data(app), SYSTEM_PUBLISHER, published, {"title": "ชื่อใหม่"}, partial=True)
    db.commit()
    with cache.lock:  # as if another request were rebuilding the feed now
        during = client.get("/catalog.ttl")
    assert during.status_code == 200 and during.text == before.text and "ชื่อใหม่" not in during.text
    assert "ชื่อใหม่" in client.get("/catalog.ttl").text  # the next request after the rebuild is current


def test_dataset_jsonld_is_safe_in_a_script_element(app: FastAPI, db: Session, published: str) -> None:
    od = open_data(app)
    dataset = catalogue.get_dataset(db, published)
    catalogue.update_package(db, od, SYSTEM_PUBLISHER, published,
                             {"notes": "ดู </script><script>alert(1)</script> & <!-- ต่อ"}, partial=True)
    db.commit()
    text = dcat.dataset_jsonld(catalogue.package_dict(dataset, od), od)
    assert "<" not in text and ">" not in text and "&" not in text
    document = json.loads(text)
    assert document["@context"]["dcat"] == str(DCAT)
    graph = Graph().parse(data=text, format="json-ld")
    node = URIRef(f"http://testserver/data/dataset/{published}#dataset")
    assert (node, DCTERMS.description, Literal("ดู </script><script>alert(1)</script> & <!-- ต่อ", lang="th")) in graph
    assert (node, RDF.type, DCAT.Dataset) in graph and len(set(graph.subjects(RDF.type, DCAT.Distribution))) == 2
