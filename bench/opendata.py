"""Open data: CKAN `package_search` over 10,000 public datasets, requests/s and p50/p95 latency as a
ratio to a bare endpoint (GET /healthz) on the same server in the same run; then the datastore's own
section (bench/opendata_datastore.py) when it exists.

Run from the repository root:

    PYTHONPATH=. .venv/bin/python bench/opendata.py [--datasets 10000] [--duration 10] [--connections 20]
        [--workers 1] [--write]

The datasets go straight into a fresh SQLite database with one Core bulk insert (realistic Thai titles,
tags and groups over every agency of the catalogue), and the catalogue's version is bumped so the
server builds its search index once. The search is `q=<a Thai word>` with an `fq` on an organisation and
`facet.field=["organization","tags","groups"]`, as a portal's search page asks it. wrk drives the load
(`apt-get install -y wrk`). `--write` rewrites the section between <!-- opendata:start --> and
<!-- opendata:end --> of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from bench.common import code_version, load_average, machine, pracha_server, write_section
from bench.generator import measure_ceiling
from sqlalchemy import create_engine, insert, update

from pracha.migrate import upgrade
from pracha.opendata.models import CatalogueState, OpenDataset
from pracha.services.catalog import default_catalog_dir, load_catalog

START, END = "<!-- opendata:start -->", "<!-- opendata:end -->"
AIM_RATIO = 0.30  # issue 17: package_search at least 30 % of bare
SUBJECTS = ("ผู้สูงอายุ", "เบี้ยยังชีพ", "ใบอนุญาตก่อสร้าง", "ทะเบียนราษฎร", "ภาษีที่ดิน", "ผู้พิการ", "เด็กแรกเกิด",
            "สถานประกอบการ", "น้ำประปา", "ขยะมูลฝอย", "คุณภาพอากาศ", "โรงเรียน", "ศูนย์พัฒนาเด็กเล็ก", "ถนน")
PLACES = ("เชียงใหม่", "อำเภอเมืองเชียงใหม่", "ตำบลศรีภูมิ", "ตำบลช้างคลาน", "ตำบลสุเทพ", "อำเภอสันทราย", "อำเภอหางดง")
KINDS = ("จำนวน", "สถิติ", "รายชื่อ", "ทะเบียน", "รายงาน")
PERIODS = ("รายเดือน", "รายไตรมาส", "รายปี", "ปีงบประมาณ 2568", "ปีงบประมาณ 2569")
GROUPS = ("population", "economy", "city", "government", "health")
QUERY_WORD = "ผู้สูงอายุ"
FACETS = '["organization","tags","groups"]'


def dataset_rows(count: int, agencies: list[str], seed: int = 17) -> list[dict[str, object]]:
    chooser = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i in range(count):
        subject, place = chooser.choice(SUBJECTS), chooser.choice(PLACES)
        title = f"{chooser.choice(KINDS)}{subject} {place} {chooser.choice(PERIODS)}"
        rows.append({
            "id": str(uuid.UUID(int=chooser.getrandbits(128))), "name": f"dataset-{i:05d}", "title_th": title,
            "title_en": f"Dataset {i}", "notes_th": f"ข้อมูล{subject}ของ{place} เผยแพร่โดยหน่วยงาน",
            "notes_en": None, "owner_org": agencies[i % len(agencies)], "license_id": "Open Data Common",
            "tags": [subject, place], "groups": [chooser.choice(GROUPS)], "data_type": "ข้อมูลสถิติ",
            "objective": ["เพื่อการให้บริการประชาชน"], "update_frequency_unit": "เดือน", "update_frequency_interval": 1,
            "geo_coverage": "จังหวัด", "data_source": "หน่วยงานในจังหวัดเชียงใหม่", "data_format": ["CSV"],
            "data_category": "ข้อมูลสาธารณะ", "disclosure": "เปิดเผย", "maintainer": "ฝ่ายข้อมูล",
            "maintainer_email": "data@chiangmai.go.th", "private": False, "state": "active",
            "created_at": now - dt.timedelta(minutes=i), "modified_at": now - dt.timedelta(minutes=i),
            "created_by": "system"})
    return rows


def seed(url: str, count: int) -> tuple[float, str]:
    """Seconds taken and the organisation the benchmark's fq names."""
    agencies = sorted(load_catalog(default_catalog_dir()).agencies)
    began = time.perf_counter()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(OpenDataset), dataset_rows(count, agencies))
        connection.execute(update(CatalogueState).where(CatalogueState.id == 1)
                           .values(version=CatalogueState.version + 1))
    engine.dispose()
    return time.perf_counter() - began, agencies[0]


LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("PRACHA requests=%d micros=%d p50=%d p95=%d non2xx=%d sockerr=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


@dataclass
class Result:
    name: str
    path: str
    rps: float
    p50: float
    p95: float
    errors: int


def run_wrk(name: str, base: str, path: str, seconds: float, connections: int, tmp: Path) -> Result:
    script = tmp / "report.lua"
    script.write_text(LUA)
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(script), base + path]
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    line = next((x for x in run.stdout.splitlines() if x.startswith("PRACHA ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
    return Result(name, path, values["requests"] / (values["micros"] / 1e6), values["p50"] / 1000,
                  values["p95"] / 1000, values["non2xx"] + values["sockerr"])


def datastore_section(engines: tuple[str, ...]) -> str:
    """The datastore's benchmark (bench/opendata_datastore.py): a 1,000,000-row CSV validated and loaded,
    then filtered `datastore_search` beside the bare endpoint, on each engine."""
    from bench import opendata_datastore

    return opendata_datastore.section(opendata_datastore.run(engines=engines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per endpoint")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--skip-datastore", action="store_true", help="do not run bench/opendata_datastore.py")
    parser.add_argument("--engines", default="sqlite,postgres", help="the datastore's engines")
    parser.add_argument("--write", action="store_true", help="rewrite the open data section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 1
    load = load_average()
    ceiling = measure_ceiling("wrk", seconds=min(args.duration, 5), connections=args.connections)
    with tempfile.TemporaryDirectory(prefix="pracha-opendata-") as name:
        tmp = Path(name)
        url = f"sqlite:///{tmp / 'pracha.db'}"
        upgrade(url)
        seeded, organisation = seed(url, args.datasets)
        query = "?" + urlencode({"q": QUERY_WORD, "fq": f"organization:{organisation}", "facet.field": FACETS,
                                 "rows": 10})
        search_path = "/api/3/action/package_search" + query
        with pracha_server(url, tmp, args=("--workers", str(args.workers))) as run:
            began = time.perf_counter()
            first = httpx.get(run.base + search_path, timeout=120).json()
            index_built = time.perf_counter() - began
            assert first["success"], first
            matched = first["result"]["count"]
            results = [run_wrk(label, run.base, path, args.duration, args.connections, tmp)
                       for label, path in (("bare: GET /healthz", "/healthz"), ("package_search", search_path))]
    bare, search = results
    bound = ceiling.bound(bare.rps)  # the generator set the pace: the ratio would say nothing
    ratio = search.rps / bare.rps if bare.rps and not bound else 0.0
    shown = "— (generator-bound)" if bound else f"{ratio:.2f}"
    table = "\n".join(["| endpoint | req/s | p50 ms | p95 ms | ratio to bare | errors |", "|---|---|---|---|---|---|",
                       *[f"| {r.name} | {r.rps:.0f} | {r.p50:.1f} | {r.p95:.1f} | "
                         f"{'1.00 (baseline)' if r is bare else shown} | {r.errors} |" for r in results]])
    text = f"""{START}
## Open data

`PYTHONPATH=. .venv/bin/python bench/opendata.py --write` — {dt.date.today().isoformat()}.

{table}

- {args.datasets:,} public datasets on SQLite, inserted in {seeded:.1f} s (one Core bulk insert); the first
  search built the process's index in {index_built:.1f} s; the query matched {matched} datasets.
- package_search = `GET /api/3/action/package_search?q={QUERY_WORD}&fq=organization:{organisation}`
  `&facet.field={FACETS}&rows=10` (CKAN's envelope, Thai words, one organisation, three facets).
- Machine: {machine()} (load average {load:.2f} when the run began); `pracha serve --workers {args.workers}`
  (code {code_version()}); wrk, 1 thread, {args.connections} connections, {args.duration:g} s per endpoint.
- Generator: {ceiling.describe(bare.rps)}.
- Aim: package_search ≥ {AIM_RATIO:.0%} of bare — {'not measurable' if bound else 'met' if ratio >= AIM_RATIO
                                                  else 'NOT met'} ({shown}).

{"" if args.skip_datastore else datastore_section(tuple(args.engines.split(",")))}
{END}"""
    print(text)
    if args.write:
        write_section("opendata", text)
    return 0 if bare.errors == 0 and search.errors == 0 and not bound else 1


if __name__ == "__main__":
    sys.exit(main())
