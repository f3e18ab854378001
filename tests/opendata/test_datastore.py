"""The datastore through the catalogue's own path (`add_resource` with an upload → Frictionless →
`ds_<hex>`), on SQLite and PostgreSQL: loading CSV and XLSX, every kind of table error with its row and
column, all-or-nothing loads, new versions, datastore_search's parameters, refusals, preview and chart."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from alembic import command
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from pracha.migrate import alembic_config
from pracha.opendata import catalogue, datastore, tables
from pracha.opendata.catalogue import OpenData, Upload
from pracha.opendata.errors import PackageInvalid
from pracha.opendata.models import OpenDataset, OpenResource, ResourceVersion
from pracha.opendata.publishers import Publisher
from pracha.services.catalog import Catalog, default_catalog_dir

ORG = "cm-elderly-welfare"
PUBLISHER = Publisher("user:1", frozenset({ORG}))
CSV = ("ตำบล,อำเภอ,วันที่,ผู้รับเบี้ย,ยอดเงิน\n"
       "ศรีภูมิ,เมืองเชียงใหม่,2024-01-31,120,72000.50\n"
       "ช้างเผือก,เมืองเชียงใหม่,2024-01-31,95,57000\n"
       "สุเทพ,เมืองเชียงใหม่,2024-02-29,143,85800\n"
       "หนองหอย,เมืองเชียงใหม่,2024-02-29,88,52800.25\n"
       "แม่เหียะ,เมืองเชียงใหม่,2024-02-29,101,60600\n").encode()


def package(name: str = "elderly-allowance-by-tambon") -> dict[str, Any]:
    return {"name": name, "title": "ผู้รับเบี้ยยังชีพผู้สูงอายุ รายตำบล", "owner_org": ORG, "license_id": "cc-by",
            "notes": "จำนวนผู้รับเบี้ยยังชีพผู้สูงอายุในเชียงใหม่ แยกตามตำบล", "data_type": "ข้อมูลสถิติ",
            "objective": ["เพื่อการให้บริการประชาชน"], "update_frequency_unit": "เดือน", "geo_coverage": "ตำบล",
            "data_source": "กองสวัสดิการสังคม", "data_format": ["CSV"], "data_category": "ข้อมูลสาธารณะ",
            "disclosure": "เปิดเผย", "maintainer": "กองสวัสดิการสังคม", "maintainer_email": "data@example.go.th"}


@pytest.fixture
def od(catalog: Catalog) -> OpenData:
    return OpenData(catalog, default_catalog_dir(), "http://testserver")


@pytest.fixture
def dataset(db: Session, od: OpenData) -> OpenDataset:
    created = catalogue.create_package(db, od, PUBLISHER, package())
    db.commit()
    return created


def publish(db: Session, od: OpenData, dataset: OpenDataset, content: bytes, filename: str = "data.csv",
            **data: Any) -> OpenResource:
    resource = catalogue.add_resource(db, od, PUBLISHER, dataset, {"name": "รายตำบล", **data},
                                      upload=Upload(filename, content))
    db.commit()
    return resource


def table_exists(db: Session, resource_id: str) -> bool:
    return inspect(db.connection()).has_table(tables.table_name(resource_id))


def errors_of(db: Session, od: OpenData, dataset: OpenDataset, content: bytes, filename: str = "bad.csv",
              **data: Any) -> list[dict[str, Any]]:
    with pytest.raises(datastore.TableInvalid) as caught:
        publish(db, od, dataset, content, filename, **data)
    db.rollback()
    return caught.value.errors


def test_csv_with_thai_headers_loads_typed_and_searchable(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    resource = publish(db, od, dataset, CSV)
    assert resource.datastore_active and resource.version == 1
    types = {f["name"]: f["type"] for f in resource.table_schema["fields"]}
    assert types == {"ตำบล": "string", "อำเภอ": "string", "วันที่": "date", "ผู้รับเบี้ย": "integer", "ยอดเงิน": "number"}
    result = datastore.search(db, resource, {"resource_id": resource.id})
    assert result["total"] == 5 and len(result["records"]) == 5
    assert result["fields"] == [{"id": "_id", "type": "int"}, {"id": "ตำบล", "type": "text"},
                                {"id": "อำเภอ", "type": "text"}, {"id": "วันที่", "type": "date"},
                                {"id": "ผู้รับเบี้ย", "type": "int"}, {"id": "ยอดเงิน", "type": "numeric"}]
    assert result["records"][0] == {"_id": 1, "ตำบล": "ศรีภูมิ", "อำเภอ": "เมืองเชียงใหม่", "วันที่": "2024-01-31",
                                    "ผู้รับเบี้ย": 120, "ยอดเงิน": 72000.5}


def test_bom_and_tis620_files_load(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    with_bom = publish(db, od, dataset, b"\xef\xbb\xbf" + CSV)
    assert datastore.search(db, with_bom, {})["fields"][1]["id"] == "ตำบล"
    thai = publish(db, od, dataset, CSV.decode().encode("cp874"), "tis620.csv")
    assert datastore.search(db, thai, {"filters": {"ตำบล": "สุเทพ"}})["records"][0]["ผู้รับเบี้ย"] == 143


def test_xlsx_first_sheet_loads(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["อำเภอ", "ใบอนุญาตก่อสร้าง", "ปรับปรุงเมื่อ"])
    for name, count in (("เมืองเชียงใหม่", 41), ("สันทราย", 17), ("หางดง", 9)):
        sheet.append([name, count, dt.datetime(2024, 3, 1, 9, 30, 15)])
    book.create_sheet("หมายเหตุ").append(["ไม่ใช่ตาราง"])
    buffer = io.BytesIO()
    book.save(buffer)
    resource = publish(db, od, dataset, buffer.getvalue(), "permits.xlsx")
    assert resource.format == "XLSX"
    result = datastore.search(db, resource, {"sort": "ใบอนุญาตก่อสร้าง desc"})
    assert [r["อำเภอ"] for r in result["records"]] == ["เมืองเชียงใหม่", "สันทราย", "หางดง"]
    assert result["fields"][2:] == [{"id": "ใบอนุญาตก่อสร้าง", "type": "int"}, {"id": "ปรับปรุงเมื่อ", "type": "timestamp"}]
    assert result["records"][0]["ปรับปรุงเมื่อ"] == "2024-03-01T09:30:15"
    filtered = datastore.search(db, resource, {"filters": {"ปรับปรุงเมื่อ": "2024-03-01T09:30:15"}})
    assert filtered["total"] == 3


def test_codes_with_leading_zeros_stay_text(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    resource = publish(db, od, dataset, "รหัสตำบล,ชื่อ\n500101,ศรีภูมิ\n050102,ช้างเผือก\n".encode())
    assert datastore.search(db, resource, {})["records"][1]["รหัสตำบล"] == "050102"


def test_each_kind_of_error_has_its_row_and_column(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    schema = {"fields": [{"name": "ตำบล", "type": "string", "constraints": {"required": True}},
                         {"name": "จำนวน", "type": "integer"}, {"name": "วันที่", "type": "date"}]}
    content = ("ตำบล,จำนวน,วันที่\n"
               "ศรีภูมิ,12,2024-01-31\n"       # row 2: fine
               "ช้างเผือก,สิบ,2024-01-31\n"     # row 3: not an integer
               ",5,2024-01-31\n"               # row 4: required value missing
               "สุเทพ,7\n"                     # row 5: a cell missing
               "หายยา,8,2024-02-30,เกิน\n"     # row 6: not a date, and an extra cell
               ).encode()
    errors = errors_of(db, od, dataset, content, schema=schema)
    found = {(e["row"], e["column"], e["type"]) for e in errors}
    assert found == {(3, "จำนวน", "type-error"), (4, "ตำบล", "constraint-error"), (5, "วันที่", "missing-cell"),
                     (6, "วันที่", "type-error"), (6, None, "extra-cell")}
    by_row = {e["row"]: e for e in errors}
    assert by_row[3]["message_th"] == "ค่า “สิบ” ไม่ใช่จำนวนเต็ม"
    assert by_row[3]["message_en"] == 'The value "สิบ" is not a whole number'
    assert by_row[4]["message_th"] == "ต้องมีค่า ห้ามเว้นว่าง"


def test_blank_and_duplicate_headers_are_reported_on_row_one(db: Session, od: OpenData,
                                                              dataset: OpenDataset) -> None:
    errors = errors_of(db, od, dataset, "ตำบล,,ตำบล\nศรีภูมิ,1,2\n".encode())
    assert {(e["row"], e["column_number"], e["type"]) for e in errors} == {(1, 2, "blank-label"),
                                                                            (1, 3, "duplicate-label")}
    assert next(e for e in errors if e["type"] == "duplicate-label")["column"] == "ตำบล"


def test_errors_are_capped_at_one_hundred(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    content = ("จำนวน\n" + "1\n" * 50 + "x\n" * 500).encode()  # inferred from the first rows as integers
    errors = errors_of(db, od, dataset, content, schema={"fields": [{"name": "จำนวน", "type": "integer"}]})
    assert len(errors) == 100 and errors[0]["row"] == 52


def test_unreadable_files_are_table_errors(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    assert errors_of(db, od, dataset, b"PK\x03\x04 not a workbook", "broken.xlsx")[0]["type"] == "unreadable"
    assert errors_of(db, od, dataset, b"\x81\x8d\x8f,\x90\n", "binary.csv")[0]["type"] == "encoding"
    assert errors_of(db, od, dataset, "ตำบล\nศรี\x00ภูมิ\n".encode(), "nul.csv")[0]["type"] == "unreadable"


def test_a_failed_load_leaves_no_table_and_no_version(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    errors_of(db, od, dataset, "ตำบล,จำนวน\nศรีภูมิ,1\nสุเทพ\n".encode())
    assert db.scalar(select(func.count()).select_from(ResourceVersion)) == 0
    assert db.scalar(select(func.count()).select_from(OpenResource)) == 0
    names = [n for n in inspect(db.connection()).get_table_names() if tables.is_datastore_table(n)]
    assert names == []


def test_a_bad_new_version_keeps_the_old_rows_even_if_the_caller_commits(db: Session, od: OpenData,
                                                                          dataset: OpenDataset) -> None:
    resource = publish(db, od, dataset, CSV)
    with pytest.raises(datastore.TableInvalid):
        catalogue.update_resource(db, od, PUBLISHER, resource.id, {}, Upload("v2.csv", b"a,b\n1,2,3\n"))
    db.commit()  # the savepoint already rolled the table back
    assert datastore.search(db, resource, {})["total"] == 5


def test_a_new_version_replaces_the_rows(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    resource = publish(db, od, dataset, CSV)
    catalogue.update_resource(db, od, PUBLISHER, resource.id, {},
                              Upload("v2.csv", "อำเภอ,จำนวน\nสันทราย,3\nหางดง,4\n".encode()))
    db.commit()
    assert resource.version == 2
    result = datastore.search(db, resource, {})
    assert [f["id"] for f in result["fields"]] == ["_id", "อำเภอ", "จำนวน"]
    assert result["records"] == [{"_id": 1, "อำเภอ": "สันทราย", "จำนวน": 3}, {"_id": 2, "อำเภอ": "หางดง", "จำนวน": 4}]
    catalogue.update_resource(db, od, PUBLISHER, resource.id, {}, Upload("v3.csv", CSV))  # its indexes' names
    db.commit()                                                                          # are new again
    assert datastore.search(db, resource, {"filters": {"ตำบล": "สุเทพ"}})["total"] == 1
    names = [n for n in inspect(db.connection()).get_table_names() if tables.is_datastore_table(n)]
    assert names == [tables.table_name(resource.id)]  # no staging table left behind


def test_a_table_replaced_by_a_pdf_or_a_deleted_dataset_is_dropped(db: Session, od: OpenData,
                                                                    dataset: OpenDataset) -> None:
    first, second = publish(db, od, dataset, CSV), publish(db, od, dataset, CSV)
    catalogue.update_resource(db, od, PUBLISHER, first.id, {"format": "PDF"}, Upload("report.pdf", b"%PDF-1.4"))
    db.commit()
    assert not first.datastore_active and not table_exists(db, first.id)
    with pytest.raises(datastore.NoDatastore):
        datastore.search(db, first, {})
    catalogue.delete_package(db, PUBLISHER, dataset.name)
    db.commit()
    assert not second.datastore_active and not table_exists(db, second.id)


@pytest.fixture
def loaded(db: Session, od: OpenData, dataset: OpenDataset) -> OpenResource:
    return publish(db, od, dataset, CSV)


def ids(result: dict[str, Any]) -> list[int]:
    return [r["_id"] for r in result["records"]]


def test_search_filters_scalar_list_and_json(db: Session, loaded: OpenResource) -> None:
    assert ids(datastore.search(db, loaded, {"filters": {"ตำบล": "สุเทพ"}})) == [3]
    assert ids(datastore.search(db, loaded, {"filters": {"ตำบล": ["สุเทพ", "ศรีภูมิ"]}})) == [1, 3]
    assert ids(datastore.search(db, loaded, {"filters": '{"ผู้รับเบี้ย": "95", "วันที่": "2024-01-31"}'})) == [2]
    assert datastore.search(db, loaded, {"filters": {"ตำบล": "ไม่มี"}})["total"] == 0


def test_search_q_over_text_and_per_column(db: Session, loaded: OpenResource) -> None:
    assert ids(datastore.search(db, loaded, {"q": "หนอง"})) == [4]
    assert ids(datastore.search(db, loaded, {"q": "เมือง ช้าง"})) == [2]
    assert ids(datastore.search(db, loaded, {"q": {"ตำบล": "สุ"}})) == [3]
    assert datastore.search(db, loaded, {"q": "100%_"})["total"] == 0  # LIKE wildcards are text


def test_search_fields_sort_limit_offset_total_and_links(db: Session, loaded: OpenResource) -> None:
    result = datastore.search(db, loaded, {"fields": "ตำบล,ผู้รับเบี้ย", "sort": '"ผู้รับเบี้ย" desc, ตำบล',
                                           "limit": "2", "offset": 1})
    assert result["fields"] == [{"id": "ตำบล", "type": "text"}, {"id": "ผู้รับเบี้ย", "type": "int"}]
    assert result["records"] == [{"ตำบล": "ศรีภูมิ", "ผู้รับเบี้ย": 120}, {"ตำบล": "แม่เหียะ", "ผู้รับเบี้ย": 101}]
    assert result["total"] == 5 and result["limit"] == 2 and result["offset"] == 1
    assert result["_links"]["next"].endswith("&offset=3")
    assert result["_links"]["start"].startswith(f"/api/3/action/datastore_search?resource_id={loaded.id}")
    no_total = datastore.search(db, loaded, {"include_total": "false", "limit": 0})
    assert "total" not in no_total and no_total["records"] == []
    assert datastore.search(db, loaded, {"limit": 99999})["limit"] == 32000
    assert datastore.search(db, loaded, {"records_format": "lists", "fields": ["ตำบล"]})["records"][0] == ["ศรีภูมิ"]


@pytest.mark.parametrize("params, field", [
    ({"fields": "ตำบล,password"}, "fields"),
    ({"sort": "ตำบล; DROP TABLE od_datasets"}, "sort"),
    ({"sort": '"_id" desc --'}, "sort"),
    ({"filters": {"c1": "x"}}, "filters"),  # the SQL column names are not the API's
    ({"filters": {"ตำบล\" OR 1=1 --": "x"}}, "filters"),
    ({"filters": {"ผู้รับเบี้ย": "many"}}, "filters"),
    ({"filters": {"ผู้รับเบี้ย": str(10**30)}}, "filters"),
    ({"filters": {"วันที่": "31/01/2567"}}, "filters"),
    ({"filters": "[1, 2]"}, "filters"),
    ({"filters": "{not json"}, "filters"),
    ({"q": {"nope": "x"}}, "q"),
    ({"limit": -1}, "limit"),
    ({"offset": "ten"}, "offset"),
    ({"include_total": "maybe"}, "include_total"),
    ({"records_format": "csv"}, "records_format"),
    ({"limit": "²"}, "limit"),
    ({"filters": {"ตำบล": "ศรี\x00ภูมิ"}}, "filters"),
    ({"q": "ศรี\x00"}, "q"),
    ({"q": {"ตำบล": "\x00"}}, "q"),
])
def test_bad_queries_are_validation_errors(db: Session, loaded: OpenResource, params: dict[str, Any],
                                           field: str) -> None:
    with pytest.raises(datastore.DatastoreQueryInvalid) as caught:
        datastore.search(db, loaded, params)
    assert list(caught.value.errors) == [field]
    assert table_exists(db, loaded.id)


def test_a_publisher_schema_is_enforced_and_kept(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    schema = {"fields": [{"name": "ตำบล", "type": "string"}, {"name": "จำนวน", "type": "number"}]}
    resource = publish(db, od, dataset, "ตำบล,จำนวน\nศรีภูมิ,1\n".encode(), schema=schema)
    assert resource.table_schema == schema
    assert datastore.search(db, resource, {})["fields"][2] == {"id": "จำนวน", "type": "numeric"}
    with pytest.raises(datastore.TableInvalid):  # the next version is checked against the same schema
        catalogue.update_resource(db, od, PUBLISHER, resource.id, {}, Upload("v2.csv", "ตำบล,จำนวน\nก,ข\n".encode()))


def test_preview_and_chart(db: Session, loaded: OpenResource) -> None:
    fields, records = datastore.preview(db, loaded, limit=3)
    assert [f["id"] for f in fields] == ["ตำบล", "อำเภอ", "วันที่", "ผู้รับเบี้ย", "ยอดเงิน"]
    assert len(records) == 3 and "_id" not in records[0]
    svg = datastore.chart_svg(db, loaded)
    assert svg is not None and svg.startswith("<svg") and "<script" not in svg
    assert "ศรีภูมิ" in svg and "ผู้รับเบี้ย ตามตำบล" in svg and 'role="img"' in svg


def test_no_chart_without_a_text_and_a_number_column(db: Session, od: OpenData, dataset: OpenDataset) -> None:
    only_text = publish(db, od, dataset, "ตำบล,อำเภอ\nศรีภูมิ,เมือง\n".encode())
    assert datastore.chart_svg(db, only_text) is None
    link = catalogue.add_resource(db, od, PUBLISHER, dataset, {"name": "ลิงก์", "url": "https://example.org/x"})
    assert datastore.chart_svg(db, link) is None and datastore.preview(db, link) == ([], [])


def test_datastore_tables_never_appear_in_autogenerate(db: Session, loaded: OpenResource, database_url: str,
                                                        tmp_path: Path) -> None:
    """`alembic check` runs autogenerate through migrations/env.py: it must not want to drop ds_*."""
    assert table_exists(db, loaded.id)
    db.close()
    if database_url.startswith("postgresql"):
        pytest.skip("Procrastinate's tables are outside the metadata on PostgreSQL (see test_migrations)")
    command.check(alembic_config(database_url))


def test_a_new_schema_without_a_file_reloads_the_current_version(db: Session, od: OpenData,
                                                                  dataset: OpenDataset) -> None:
    resource = publish(db, od, dataset, "ตำบล,จำนวน\nศรีภูมิ,1\n".encode())
    catalogue.update_resource(db, od, PUBLISHER, resource.id, {"schema": json.dumps(
        {"fields": [{"name": "ตำบล", "type": "string"}, {"name": "จำนวน", "type": "number"}]})})
    db.commit()
    assert datastore.search(db, resource, {})["fields"][2] == {"id": "จำนวน", "type": "numeric"}
    misfit = {"fields": [{"name": "ตำบล", "type": "integer"}, {"name": "จำนวน", "type": "number"}]}
    with pytest.raises(datastore.TableInvalid):
        catalogue.update_resource(db, od, PUBLISHER, resource.id, {"schema": misfit})
    db.rollback()
    catalogue.update_resource(db, od, PUBLISHER, resource.id, {"schema": None})  # infer from the next file
    db.commit()
    assert datastore.search(db, resource, {})["total"] == 1


@pytest.mark.parametrize("schema", [{"fields": []}, {"fields": [{"name": "a"}, {"name": "a"}]},
                                    {"fields": [{"name": "a\x00"}]},
                                    {"fields": [{"name": "a", "type": "no-such-type"}]}, "{broken", [1]])
def test_a_bad_publisher_schema_is_a_package_error(db: Session, od: OpenData, dataset: OpenDataset,
                                                   schema: Any) -> None:
    with pytest.raises(PackageInvalid) as caught:
        publish(db, od, dataset, CSV, schema=schema)
    assert list(caught.value.errors) == ["schema"]


def test_finding_1_numbers_the_database_cannot_hold_are_table_errors_not_500s(db: Session, od: OpenData,
                                                                              dataset: OpenDataset) -> None:
    schema = {"fields": [{"name": "ตำบล", "type": "string"}, {"name": "จำนวน", "type": "integer"},
                         {"name": "อัตรา", "type": "number"}]}
    content = f"ตำบล,จำนวน,อัตรา\nศรีภูมิ,{10**20},1.5\nสุเทพ,1,NaN\nหายยา,2,1e400\n".encode()
    errors = errors_of(db, od, dataset, content, schema=schema)
    assert [(e["row"], e["column"], e["type"]) for e in errors] == [
        (2, "จำนวน", "out-of-range"), (3, "อัตรา", "out-of-range"), (4, "อัตรา", "out-of-range")]
    inferred = publish(db, od, dataset, f"เลขอ้างอิง,จำนวน\n{10**20},1\n".encode())  # an identifier: text
    assert datastore.search(db, inferred, {})["records"][0]["เลขอ้างอิง"] == str(10**20)


def test_a_header_only_file_loads_empty_and_a_reserved_header_is_refused(db: Session, od: OpenData,
                                                                         dataset: OpenDataset) -> None:
    empty = publish(db, od, dataset, "ตำบล,จำนวน\n".encode())
    assert datastore.search(db, empty, {})["total"] == 0 and datastore.chart_svg(db, empty) is None
    errors = errors_of(db, od, dataset, "_id,ตำบล\n1,ศรีภูมิ\n".encode())
    assert [(e["row"], e["column"], e["type"]) for e in errors] == [(1, "_id", "reserved")]
