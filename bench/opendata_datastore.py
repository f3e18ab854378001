"""The datastore: a 1,000,000-row CSV (Thai sub-district names, dates, integers, amounts) validated by
Frictionless and loaded into SQLite through the catalogue's own path (`catalogue.add_resource` with the
upload: the file kept as version 1, its hash in the ledger, the rows in `ds_<hex>` with an index per
column); then `datastore_search` with a filter on an indexed column, in process and over HTTP against a
real `pracha serve`, beside the bare endpoint (GET /healthz) on the same server in the same run.

    PYTHONPATH=. .venv/bin/python bench/opendata_datastore.py [--rows 1000000] [--duration 10]
        [--connections 1,4] [--engines sqlite,postgres] [--write]

Aims (issue 17): the load in ≤ 60 s on SQLite; a filtered datastore_search p95 ≤ 50 ms. The HTTP part
needs the CKAN Action API's route (`/api/3/action/datastore_search`, the API area's); without it the
result says so and only the in-process figures are given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import httpx  # noqa: E402
from bench.common import REPO, code_version, database, load_average, machine, pracha_server, write_section  # noqa: E402

AIM_LOAD_S, AIM_P95_MS = 60.0, 50.0
ORG = "cm-elderly-welfare"
TAMBONS = ("ศรีภูมิ", "พระสิงห์", "หายยา", "ช้างม่อย", "ช้างคลาน", "วัดเกต", "ช้างเผือก", "สุเทพ", "แม่เหียะ", "ป่าแดด",
           "หนองหอย", "ท่าศาลา", "หนองป่าครั่ง", "ฟ้าฮ่าม", "ป่าตัน", "สันผีเสื้อ", "สันทรายหลวง", "สันทรายน้อย",
           "สันพระเนตร", "สันนาเม็ง", "สันป่าเปา", "หนองแหย่ง", "หนองจ๊อม", "หนองหาร", "แม่แฝก", "แม่แฝกใหม่",
           "เมืองเล็น", "ป่าไผ่", "หางดง", "หนองแก๋ว", "หารแก้ว", "หนองตอง", "ขุนคง", "สบแม่ข่า", "บ้านแหวน",
           "สันผักหวาน", "หนองควาย", "บ้านปง", "น้ำแพร่", "แม่ริม", "สันโป่ง", "ขี้เหล็ก", "ดอนแก้ว", "ริมใต้",
           "ริมเหนือ", "เหมืองแก้ว", "โป่งแยง", "แม่แรม", "แม่สา", "ดอยสะเก็ด", "สันปูเลย", "ลวงเหนือ",
           "เชิงดอย", "ป่าป้อง", "สง่าบ้าน", "ป่าเมี่ยง", "แม่โป่ง", "ตลาดใหญ่", "ตลาดขวัญ", "สำราญราษฎร์")
AMPHOES = ("เมืองเชียงใหม่", "สันทราย", "หางดง", "แม่ริม", "ดอยสะเก็ด", "สารภี")


def make_csv(rows: int, seed: int = 17) -> bytes:
    """Six columns: รหัสตำบล, ตำบล, อำเภอ, วันที่, ผู้รับเบี้ย, ยอดเงิน (a month's payments per row)."""
    rng = random.Random(seed)
    lines = ["รหัสตำบล,ตำบล,อำเภอ,วันที่,ผู้รับเบี้ย,ยอดเงิน"]
    for _ in range(rows):
        t = rng.randrange(len(TAMBONS))
        people = rng.randrange(1, 400)
        lines.append(f"{501000 + t},{TAMBONS[t]},{AMPHOES[t % len(AMPHOES)]},"
                     f"20{rng.randrange(20, 26)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d},"
                     f"{people},{people * 600 + rng.randrange(0, 100) / 4}")
    return ("\n".join(lines) + "\n").encode()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _summary(latencies: list[float], seconds: float, failures: int = 0) -> dict[str, float]:
    return {"requests": len(latencies), "rps": round(len(latencies) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
            "p95_ms": round(_percentile(latencies, 0.95) * 1000, 2), "failures": failures}


def load(url: str, content: bytes) -> tuple[str, dict[str, Any]]:
    """Publish the CSV through catalogue.add_resource in one transaction; (resource id, figures)."""
    from pracha.config import Settings
    from pracha.opendata import catalogue, datastore
    from pracha.opendata.catalogue import OpenData, Upload
    from pracha.opendata.publishers import Publisher
    from pracha.services.catalog import default_catalog_dir, load_catalog
    from pracha.web.app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="pracha-ds-app-"))
    settings = Settings(database_url=url, var_dir=tmp / "var", secret_key="bench", catalog_dir=default_catalog_dir())
    app = create_app(settings)
    od = OpenData(load_catalog(default_catalog_dir()), default_catalog_dir(), "http://127.0.0.1")
    publisher = Publisher("user:1", frozenset({ORG}))
    package = {"name": "elderly-allowance-payments", "title": "การจ่ายเบี้ยยังชีพผู้สูงอายุ รายตำบล", "owner_org": ORG,
               "license_id": "cc-by", "notes": "ข้อมูลทดสอบสมรรถนะ", "data_type": "ข้อมูลสถิติ",
               "objective": ["เพื่อการให้บริการประชาชน"], "update_frequency_unit": "เดือน", "geo_coverage": "ตำบล",
               "data_source": "กองสวัสดิการสังคม", "data_format": ["CSV"], "data_category": "ข้อมูลสาธารณะ",
               "disclosure": "เปิดเผย", "maintainer": "กองสวัสดิการสังคม", "maintainer_email": "data@example.go.th"}
    with app.state.pracha.db.sessions() as session:
        dataset = catalogue.create_package(session, od, publisher, package)
        session.commit()
        started = time.perf_counter()
        resource = catalogue.add_resource(session, od, publisher, dataset, {"name": "รายตำบล"},
                                          upload=Upload("payments.csv", content))
        session.commit()
        seconds = time.perf_counter() - started
        resource_id = resource.id
        # in process: the same filtered query the HTTP run makes, without the web stack
        latencies = []
        rng = random.Random(1)
        began = time.perf_counter()
        for _ in range(300):
            params = {"resource_id": resource_id, "filters": {"ตำบล": rng.choice(TAMBONS)}, "limit": 100}
            t0 = time.perf_counter()
            result = datastore.search(session, resource, params)
            latencies.append(time.perf_counter() - t0)
            assert result["total"] > 0 and len(result["records"]) == min(100, result["total"])
        in_process = _summary(latencies, time.perf_counter() - began)
    app.state.pracha.db.engine.dispose()
    return resource_id, {"load_s": round(seconds, 1), "rows_per_s": round(len(content.splitlines()) / seconds),
                         "in_process": in_process}


async def _drive(base: str, paths: list[str], seconds: float, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient, offset: int) -> None:
        nonlocal failures
        i = offset
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            response = await client.get(paths[i % len(paths)])
            elapsed = time.perf_counter() - t0
            i += connections
            if response.status_code == 200:
                latencies.append(elapsed)
            else:
                failures += 1

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client, n) for n in range(connections)))
        return _summary(latencies, time.perf_counter() - began, failures)


def over_http(url: str, resource_id: str, duration: float, connections: tuple[int, ...]) -> dict[str, Any]:
    """Filtered searches (a random sub-district each) and GET /healthz, at each concurrency in turn."""
    rng = random.Random(2)
    paths = [f"/api/3/action/datastore_search?resource_id={resource_id}&limit=100&filters="
             + httpx.QueryParams({"f": json.dumps({"ตำบล": rng.choice(TAMBONS)}, ensure_ascii=False)})["f"]
             for _ in range(200)]
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pracha-ds-serve-") as tmp, pracha_server(url, Path(tmp)) as server:
        probe = httpx.get(server.base + paths[0], timeout=30)
        if probe.status_code == 404:
            return {"skipped": "no /api/3/action/datastore_search route in this tree (the CKAN API area's)"}
        asyncio.run(_drive(server.base, ["/healthz"], 1, 1))  # warm up
        asyncio.run(_drive(server.base, paths, 1, 1))
        for n in connections:
            bare = asyncio.run(_drive(server.base, ["/healthz"], duration, n))
            search = asyncio.run(_drive(server.base, paths, duration, n))
            runs[str(n)] = {"bare": bare, "search": search,
                            "ratio": round(search["rps"] / bare["rps"], 2) if bare["rps"] else None}
    return {"connections": runs}




def run(rows: int = 1_000_000, duration: float = 10.0, connections: tuple[int, ...] = (1, 4),
        engines: tuple[str, ...] = ("sqlite",)) -> dict[str, Any]:
    started = time.perf_counter()
    content = make_csv(rows)
    generated = time.perf_counter() - started
    results: dict[str, Any] = {}
    for engine in engines:
        with tempfile.TemporaryDirectory(prefix="pracha-ds-") as tmp, database(engine, Path(tmp)) as url:
            if url is None:
                results[engine] = {"skipped": "PostgreSQL is not installed here"}
                continue
            resource_id, figures = load(url, content)
            results[engine] = {**figures, "http": over_http(url, resource_id, duration, connections)}
    return {"rows": rows, "csv_mb": round(len(content) / 1e6, 1), "generate_s": round(generated, 1),
            "engines": results, "aims": {"load_s_sqlite": AIM_LOAD_S, "p95_ms": AIM_P95_MS}, "machine": machine(),
            "load_average": load_average(), "code": code_version()}


def section(result: dict[str, Any]) -> str:
    """The run's figures as Markdown (bench/opendata.py puts them in its section of docs/benchmarks.md)."""
    lines = ["### The datastore (bench/opendata_datastore.py)", "",
             f"{result['machine']}; code {result['code']}; load average {result['load_average']}; "
             f"{result['rows']:,} rows ({result['csv_mb']} MB CSV).", ""]
    for engine, figures in result["engines"].items():
        if "skipped" in figures:
            lines.append(f"- {engine}: skipped ({figures['skipped']}).")
            continue
        lines.append(f"- {engine}: validate (Frictionless, one pass) + load through `catalogue.add_resource` "
                     f"**{figures['load_s']} s** ({figures['rows_per_s']:,} rows/s); filtered `datastore_search` "
                     f"in process p50 {figures['in_process']['p50_ms']} ms, "
                     f"p95 **{figures['in_process']['p95_ms']} ms**.")
        http = figures["http"]
        if "skipped" in http:
            lines.append(f"  Over HTTP: skipped ({http['skipped']}).")
        for n, r in http.get("connections", {}).items():
            lines.append(f"  Over HTTP, {n} connection(s): {r['search']['rps']} requests/s, p50 "
                         f"{r['search']['p50_ms']} ms, p95 **{r['search']['p95_ms']} ms**; bare {r['bare']['rps']} "
                         f"requests/s; ratio {r['ratio']}.")
    lines.append(f"\nAims: load ≤ {AIM_LOAD_S:.0f} s on SQLite; filtered search p95 ≤ {AIM_P95_MS:.0f} ms.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", default="1,4", help="concurrency levels, e.g. 1,4")
    parser.add_argument("--engines", default="sqlite", help="sqlite,postgres")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    result = run(args.rows, args.duration, tuple(int(n) for n in args.connections.split(",")),
                 tuple(args.engines.split(",")))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.write:
        write_section("opendata-datastore", "\n".join(["<!-- opendata-datastore:start -->", section(result),
                                                       "<!-- opendata-datastore:end -->"]))
    failed = any(r["search"]["failures"] or r["bare"]["failures"] for f in result["engines"].values()
                 for r in f.get("http", {}).get("connections", {}).values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
