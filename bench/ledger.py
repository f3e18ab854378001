"""Ledger performance: appends/s one at a time and batched, on SQLite and PostgreSQL; inclusion- and
consistency-proof latency at 10^4, 10^5 and 10^6 entries; and `--full` verification of the largest log
over HTTP, as a ratio to plain hashlib SHA-256 over the same number of hashes in the same run.

Run from the repository root (the script imports tests.pgserver):

    PYTHONPATH=. .venv/bin/python bench/ledger.py [--sizes 10000,100000,1000000]
        [--engines sqlite,postgres] [--quick] [--write]

Appends (each mode on a fresh, migrated database; entries as the application workflow records them:
`application.<action>` with a subject's keyed commitments and a keyed digest of a form snapshot):

- one at a time: `log.record` + commit, then `log.sequence` + commit (a signed checkpoint per entry),
  each in its own write transaction: the worst case, as when a receipt is asked for after every change.
- record per transaction: `log.record` + commit per entry, and one `log.sequence` at the end (timed with
  the rest): what a portal taking one change per request does when sequencing runs in the background.
- batched (B): B × `log.record` in one transaction, commit, then `log.sequence(batch=B)` + commit.

Proofs: one log per engine grows to each size in `--sizes`; its entries are made by `log.sealed_entry` (the bytes
`log.record` would store, of the same length) and inserted in bulk, and `log.sequence` in batches of
10,000 builds the tiles and checkpoints, as in production. At each size: `log.inclusion_proof` of random
indexes, and `log.consistency_proof` from random older sizes, in the newest tree; each call gets a fresh
session (as a request does), so no tile is cached between calls. Some proofs are checked against the
signed root.

Full verification (SQLite, the largest size): a real `pracha serve` subprocess on 127.0.0.1 serves the
log, and `pracha.ledger.verify.verify_log(url, key, full=True)` checks it (what `pracha ledger verify
--full` runs). The same run also times the verifier's computation alone over the same bytes already in
memory, and the baseline: `hashlib.sha256(x).digest()` over n inputs of the leaf-input sizes and n − 1
inputs of 65 bytes (n leaf hashes and n − 1 node hashes).

`--write` (re)writes the Ledger section of docs/benchmarks.md (between <!-- ledger:start --> and
<!-- ledger:end -->), leaving any other section as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import httpx  # noqa: E402
from bench.common import (  # noqa: E402,E501
    DOC,
    REPO,
    code_version,
    load_average,
    machine,
    pracha_server,  # noqa: E402
    write_section,
)

START, END = "<!-- ledger:start -->", "<!-- ledger:end -->"
from sqlalchemy import Engine, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from pracha.db import begin_write, make_engine, make_sessionmaker, utcnow  # noqa: E402
from pracha.ledger import log, merkle, note, tilecache, tiles, verify  # noqa: E402
from pracha.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerTile  # noqa: E402
from pracha.migrate import upgrade  # noqa: E402

ORIGIN = "bench.pracha.localhost/ledger"
SUBJECTS = 1000  # citizens whose keys commit the entries; made before any timing
BUILD_BATCH = 10_000  # entries per bulk insert and per sequencing while building the proof logs
AIM_BATCHED_SQLITE = 20_000.0  # entries/s
AIM_PROOF_P99_MS = {"sqlite": 1.0, "postgres": 2.0}  # at 10^6 entries
AIM_VERIFY_RATIO = 3.0  # full verification over HTTP ÷ raw hashing
FORM = {"payment_method": "bank_transfer", "bank_name": "ktb", "bank_account": "1234567890", "phone": "0812345678",
        "receives_state_pension": False, "lives_in_state_care": False, "receives_state_salary": False,
        "monthly_income": 0}
ACTIONS = ("submit", "accept", "request_info", "resubmit", "approve")


@dataclass(frozen=True)
class Plan:
    sizes: list[int]
    one_at_a_time: int  # entries (or until `seconds`)
    per_transaction: int
    batches: list[int]  # batch sizes for log.record_many
    orm_batch: int  # one batch size for B × log.record, for comparison
    batched_total: int  # entries per batch size
    seconds: float  # bound on each append mode
    inclusion_samples: int
    consistency_samples: int
    http_samples: int


FULL = Plan(sizes=[10_000, 100_000, 1_000_000], one_at_a_time=1000, per_transaction=2000,
            batches=[1000, 10_000], orm_batch=1000, batched_total=50_000, seconds=20, inclusion_samples=2000,
            consistency_samples=1000, http_samples=500)
QUICK = Plan(sizes=[1000, 10_000], one_at_a_time=100, per_transaction=200, batches=[100, 1000], orm_batch=100,
             batched_total=2000, seconds=5, inclusion_samples=300, consistency_samples=200, http_samples=100)


# --- results --------------------------------------------------------------------------------------


@dataclass
class Append:
    engine: str
    mode: str
    entries: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # per entry, for one-at-a-time modes
    batch: int = 0
    cpu: float = 0.0  # CPU seconds of this process (with SQLite: all the work; with PostgreSQL: the client's)

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.entries / self.cpu if self.cpu else 0.0


@dataclass
class Proofs:
    engine: str
    size: int
    inclusion: list[float]  # seconds per call
    consistency: list[float]
    inclusion_cpu: list[float]  # CPU seconds of the calling thread per call
    tiles: int  # tile rows in the database
    build_seconds: float  # cumulative, to reach this size


@dataclass
class Verification:
    size: int
    raw: float  # seconds: hashlib.sha256 over n leaf inputs + n − 1 node inputs
    hashing: float  # merkle.leaf_hash × n + merkle.root_from_hashes, data in memory
    compute: float  # everything full_check does but HTTP: parse bundles, hash, check every tile, root
    http: float  # verify_log(url, key, full=True) against pracha serve
    requests: int  # HTTP requests the full check makes
    http_inclusion: list[float] = field(default_factory=list)  # GET /api/v1/ledger/proof/inclusion
    message: str = ""

    def ratio(self, seconds: float) -> float:
        return seconds / self.raw if self.raw else 0.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of seconds, in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(len(ordered) * p / 100)))
    return ordered[rank - 1] * 1000


# --- databases ------------------------------------------------------------------------------------


class Databases:
    """Fresh, migrated databases: SQLite files in a temp dir; PostgreSQL databases on one throwaway
    server (tests/pgserver.py), started on first use."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pg: Any = None
        self.versions: dict[str, str] = {"sqlite": f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"}
        self._count = 0

    def new(self, engine: str) -> str | None:
        self._count += 1
        name = f"ledger_{self._count}"
        if engine == "sqlite":
            url = f"sqlite:///{self.tmp / (name + '.db')}"
        else:
            if self.pg is None:
                from tests.pgserver import start_postgres

                self.pg = start_postgres() or False
                if self.pg:
                    self.versions["postgres"] = _pg_version(self.pg.url)
            if not self.pg:
                return None
            url = self.pg.create_database(name)
        upgrade(url)
        return url

    def drop(self, engine: str, url: str) -> None:
        """Free the space of a database no longer needed."""
        if engine == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)

    def stop(self) -> None:
        if self.pg:
            self.pg.stop()


def _pg_version(url: str) -> str:
    from sqlalchemy import create_engine

    probe = create_engine(url)
    with probe.connect() as conn:
        version = str(conn.execute(text("SHOW server_version")).scalar())
    probe.dispose()
    return f"PostgreSQL {version.split()[0]} (throwaway cluster, fsync off, synchronous_commit off)"


@dataclass
class Ledger:
    """One database with the ledger's signer, and its sessions as the app makes them."""

    url: str
    signer: note.Signer
    engine: Engine
    sessions: sessionmaker[Session]  # a writer calls begin_write first (BEGIN IMMEDIATE on SQLite)
    keys: dict[str, bytes]  # subject -> key

    @property
    def writes(self) -> sessionmaker[Session]:
        return self.sessions

    @classmethod
    def open(cls, url: str, skey: str) -> Ledger:
        engine = make_engine(url)
        ledger = cls(url, note.new_signer(skey), engine, make_sessionmaker(engine), {})
        with ledger.writes() as s:  # every citizen's key exists before timing, as in a running portal
            begin_write(s)
            for i in range(SUBJECTS):
                key = log.subject_key(s, f"user:{i}")
                assert key is not None
                ledger.keys[f"user:{i}"] = key
            s.commit()
        return ledger

    def close(self) -> None:
        self.engine.dispose()


def national_id(i: int) -> str:
    return f"{1_100_000_000_000 + i * 7919 % 899_999_999_999:013d}"


def snapshot(i: int) -> dict[str, Any]:
    """What services.service._snapshot commits to for an application change."""
    action = ACTIONS[i % len(ACTIONS)]
    return {"reference": f"EA69-{i:06X}", "service_id": "elderly-allowance", "agency": "dla", "status": action,
            "version": i % 7 + 1, "data": FORM, "documents": [hashlib.sha256(b"id-card").hexdigest()],
            "message": None}


def record_one(s: Session, i: int) -> None:
    subject = i % SUBJECTS
    log.record(s, f"application.{ACTIONS[i % len(ACTIONS)]}", actor=f"user:{subject}", obj=f"application:EA69-{i:06X}",
               record=snapshot(i), subject=f"user:{subject}", subject_secret=national_id(subject))


def entry_of(i: int) -> log.Entry:
    subject = i % SUBJECTS
    return log.Entry(f"application.{ACTIONS[i % len(ACTIONS)]}", actor=f"user:{subject}",
                     obj=f"application:EA69-{i:06X}", record=snapshot(i), subject=f"user:{subject}",
                     subject_secret=national_id(subject))


def sequence(ledger: Ledger, batch: int) -> None:
    with ledger.writes() as s:
        begin_write(s)
        log.sequence(s, ledger.signer, ORIGIN, batch=batch)
        s.commit()


# --- appends --------------------------------------------------------------------------------------


def bench_one_at_a_time(ledger: Ledger, engine: str, plan: Plan) -> Append:
    latencies = []
    deadline = time.perf_counter() + plan.seconds
    began = time.perf_counter()
    for i in range(plan.one_at_a_time):
        start = time.perf_counter()
        with ledger.writes() as s:
            begin_write(s)
            record_one(s, i)
            s.commit()
        sequence(ledger, 1)
        latencies.append(time.perf_counter() - start)
        if time.perf_counter() > deadline:
            break
    return Append(engine, "one at a time: record + commit, sequence + commit", len(latencies),
                  time.perf_counter() - began, latencies)


def bench_per_transaction(ledger: Ledger, engine: str, plan: Plan) -> Append:
    latencies = []
    deadline = time.perf_counter() + plan.seconds
    began = time.perf_counter()
    for i in range(plan.per_transaction):
        start = time.perf_counter()
        with ledger.writes() as s:
            begin_write(s)
            record_one(s, i)
            s.commit()
        latencies.append(time.perf_counter() - start)
        if time.perf_counter() > deadline:
            break
    sequence(ledger, len(latencies))
    return Append(engine, "record + commit each, one sequence at the end", len(latencies),
                  time.perf_counter() - began, latencies)


def bench_batched(ledger: Ledger, engine: str, plan: Plan, batch: int, *, orm: bool = False) -> Append:
    """B entries in one transaction (`log.record_many`, or B × `log.record` with `orm`), commit, then
    `log.sequence(batch=B)` + commit: durable and sequenced. Building the entries is timed too."""
    done = 0
    deadline = time.perf_counter() + plan.seconds
    began = time.perf_counter()
    while done < plan.batched_total and time.perf_counter() < deadline:
        with ledger.writes() as s:
            begin_write(s)
            if orm:
                for i in range(done, done + batch):
                    record_one(s, i)
            else:
                log.record_many(s, [entry_of(i) for i in range(done, done + batch)])
            s.commit()
        sequence(ledger, batch)
        done += batch
    how = f"{batch:,} × log.record" if orm else f"log.record_many of {batch:,}"
    return Append(engine, f"batched: {how}, commit, sequence(batch={batch:,})", done,
                  time.perf_counter() - began, batch=0 if orm else batch)


def bench_appends(dbs: Databases, engine: str, plan: Plan, skey: str) -> list[Append]:
    modes: list[Callable[[Ledger], Append]] = [
        lambda ledger: bench_one_at_a_time(ledger, engine, plan),
        lambda ledger: bench_per_transaction(ledger, engine, plan),
        lambda ledger: bench_batched(ledger, engine, plan, plan.orm_batch, orm=True),
        *[lambda ledger, b=b: bench_batched(ledger, engine, plan, b) for b in plan.batches],  # type: ignore[misc]
    ]
    results = []
    for mode in modes:
        url = dbs.new(engine)
        if url is None:
            return []
        ledger = Ledger.open(url, skey)
        try:
            cpu = time.process_time()
            result = mode(ledger)
            result.cpu = time.process_time() - cpu
        finally:
            ledger.close()
            dbs.drop(engine, url)
        extra = ""
        if result.latencies:
            extra = (f"  p50 {percentile(result.latencies, 50):6.2f} ms  "
                     f"p99 {percentile(result.latencies, 99):6.2f} ms")
        print(f"   {result.rate:9,.0f} entries/s ({result.cpu_rate:9,.0f} per CPU-s) ({result.entries:,} in "
              f"{result.seconds:.1f} s)  {result.mode}{extra}",
              flush=True)
        results.append(result)
    return results


# --- proofs ---------------------------------------------------------------------------------------


def fixture_leaves(first: int, count: int, keys: dict[str, bytes], now: dt.datetime) -> list[bytes]:
    """Public leaves as log.record makes them (format 2, same function, same length: a sealed leaf is a
    fixed-size salted commitment), with a small record so that building a million of them is quick.
    Their openings are not stored: proofs and verification never read them."""
    out = []
    for i in range(first, first + count):
        subject = i % SUBJECTS
        data, _, _ = log.sealed_entry(f"application.{ACTIONS[i % len(ACTIONS)]}", actor=f"user:{subject}",
                                      obj=f"application:EA69-{i:06X}", record={"i": i}, key=keys[f"user:{subject}"],
                                      subject_secret=national_id(subject), time=now)
        out.append(data)
    return out


def grow(ledger: Ledger, size: int, target: int) -> int:
    """Bulk-insert entries and sequence them in batches until the log holds `target` entries."""
    while size < target:
        count = min(BUILD_BATCH, target - size)
        now = utcnow()
        rows = [{"kind": "application.event", "data": d, "created_at": now}
                for d in fixture_leaves(size, count, ledger.keys, now)]
        with ledger.writes() as s:
            begin_write(s)
            s.execute(insert(LedgerEntry), rows)
            s.commit()
        sequence(ledger, count)
        size += count
        if size % 200_000 == 0:
            print(f"     … {size:,} entries", flush=True)
    return size


def time_calls(ledger: Ledger, calls: list[Callable[[Session], object]], warmup: int = 50,
               cpu: list[float] | None = None) -> list[float]:
    """Each call in a fresh session (as a request), the process's tile cache emptied first: the timed
    calls pay for each first read of a tile, as a server does after its first `warmup` requests.
    Wall-clock seconds per call; with `cpu`, the calling thread's CPU seconds per call go there too."""
    tilecache.for_database(ledger.engine.pool).clear()
    for call in calls[:warmup]:
        with ledger.sessions() as s:
            call(s)
    out = []
    gc.collect()
    for call in calls:
        start, thread = time.perf_counter(), time.thread_time()
        with ledger.sessions() as s:
            call(s)
        out.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.thread_time() - thread)
    return out


def check_proofs(ledger: Ledger, size: int, rng: random.Random) -> None:
    """A few proofs against the signed checkpoints, so that what is timed is right."""
    with ledger.sessions() as s:
        newest = s.scalar(select(LedgerCheckpoint).where(LedgerCheckpoint.size == size))
        assert newest is not None and newest.size == size
        for index in [0, size - 1, *(rng.randrange(size) for _ in range(8))]:
            data = s.scalar(select(LedgerEntry.data).where(LedgerEntry.index == index))
            assert data is not None
            proof = log.inclusion_proof(s, index, size)
            assert merkle.verify_inclusion(merkle.leaf_hash(data), index, size, proof, newest.root), index
        older = s.scalars(select(LedgerCheckpoint).where(LedgerCheckpoint.size < size)
                          .order_by(LedgerCheckpoint.size.desc()).limit(5)).all()
        for old in older:
            proof = log.consistency_proof(s, old.size, size)
            assert merkle.verify_consistency(old.size, size, old.root, newest.root, proof), old.size


def bench_proofs(dbs: Databases, engine: str, plan: Plan, skey: str,
                 keep: bool) -> tuple[list[Proofs], str | None]:
    """Proof latency at each size; returns the results and (with `keep`) the URL of the largest log."""
    url = dbs.new(engine)
    if url is None:
        return [], None
    ledger = Ledger.open(url, skey)
    rng = random.Random(2569)
    results = []
    size, built = 0, 0.0
    try:
        for target in sorted(plan.sizes):
            start = time.perf_counter()
            size = grow(ledger, size, target)
            built += time.perf_counter() - start
            check_proofs(ledger, size, rng)
            inclusion_cpu: list[float] = []
            inclusion = time_calls(ledger, [lambda s, i=rng.randrange(size), n=size: log.inclusion_proof(s, i, n)
                                            for _ in range(plan.inclusion_samples)], cpu=inclusion_cpu)
            consistency = time_calls(ledger, [lambda s, m=rng.randrange(1, size), n=size: log.consistency_proof(s, m, n)
                                              for _ in range(plan.consistency_samples)])
            with ledger.sessions() as s:
                tiles = int(s.scalar(select(func.count()).select_from(LedgerTile)) or 0)
            result = Proofs(engine, size, inclusion, consistency, inclusion_cpu, tiles, built)
            results.append(result)
            print(f"   {size:>9,} entries (built in {built:5.1f} s): inclusion p50 {percentile(inclusion, 50):.2f} "
                  f"p95 {percentile(inclusion, 95):.2f} p99 {percentile(inclusion, 99):.2f} ms "
                  f"(CPU p99 {percentile(inclusion_cpu, 99):.2f}); consistency "
                  f"p50 {percentile(consistency, 50):.2f} p99 {percentile(consistency, 99):.2f} ms", flush=True)
    finally:
        ledger.close()
    if not keep:
        dbs.drop(engine, url)
        return results, None
    return results, url


# --- full verification ----------------------------------------------------------------------------



@contextlib.contextmanager
def server(url: str, tmp: Path, skey: str) -> Iterator[str]:
    """`pracha serve` on a free loopback port, with the log's signing key in var/ledger.key."""
    var = tmp / "var"
    var.mkdir(parents=True, exist_ok=True)
    fd = os.open(var / "ledger.key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(skey + "\n")
    # No warm-up of the assistant's index: it would take the GIL from the requests being timed
    with pracha_server(url, tmp, env={"PRACHA_LEDGER_ORIGIN": ORIGIN, "PRACHA_WARM_UP": "false"}) as run:
        yield run.base
    errors = [line for line in run.log_lines if line.startswith(("ERROR", "Traceback"))]
    if errors:
        print(f"!! the server logged {len(errors)} errors, first: {errors[0]}", file=sys.stderr)


Served = dict[tuple[int, int, int], bytes]


def served_bytes(url: str, size: int) -> tuple[list[bytes], Served]:
    """The entry bundles and every hash tile of the log, as the server makes them (same functions)."""
    engine = make_engine(url)
    bundles: list[bytes] = []
    hashes: Served = {}
    with make_sessionmaker(engine)() as s:
        for tile_index in range((size + log.TILE_WIDTH - 1) // log.TILE_WIDTH):
            width = min(log.TILE_WIDTH, size - tile_index * log.TILE_WIDTH)
            bundle = log.entry_bundle(s, tile_index, width)
            assert bundle is not None
            bundles.append(bundle)
        for tile in tiles.tiles_for_size(size):
            data = log.tile_data(s, tile.level, tile.index, tile.width)
            assert data is not None
            hashes[(tile.level, tile.index, tile.width)] = data
    engine.dispose()
    return bundles, hashes


def verifier_compute(bundles: list[bytes], served: Served, root: bytes) -> None:
    """What verify.full_check does once the bytes have arrived: parse each bundle, hash its entries,
    recompute every hash tile (level 0 upward) and compare it with the served one, recompute the root."""
    check = verify.TileCheck(lambda level, index, width: served[(level, index, width)])
    bundle_roots: list[bytes] = []
    tail: list[bytes] = []
    size = 0
    for tile_index, bundle in enumerate(bundles):
        leaves = [merkle.leaf_hash(e) for e in verify.parse_bundle(bundle)]
        size += len(leaves)
        check.add_bundle(tile_index, leaves, served[(0, tile_index, len(leaves))])
        if len(leaves) == log.TILE_WIDTH:
            bundle_roots.append(merkle.root_from_hashes(leaves))
        else:
            tail = leaves
    check.finish()
    if check.first is not None:
        raise AssertionError(check.first.describe())
    if verify._root_from_bundles(bundle_roots, tail, size) != root:
        raise AssertionError("root differs")


def verifier_hashing(entries: list[bytes], root: bytes) -> None:
    """The verifier's hashing alone: merkle.leaf_hash of every entry and merkle.root_from_hashes."""
    if merkle.root_from_hashes([merkle.leaf_hash(e) for e in entries]) != root:
        raise AssertionError("root differs")


def raw_hashing(leaf_inputs: list[bytes], node_inputs: list[bytes]) -> None:
    sha256 = hashlib.sha256
    for x in leaf_inputs:
        sha256(x).digest()
    for x in node_inputs:
        sha256(x).digest()


def best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_verify(url: str, size: int, skey: str, vkey: str, tmp: Path, plan: Plan) -> Verification:
    with make_sessionmaker(make_engine(url))() as s:
        root = log.latest_checkpoint(s).root  # type: ignore[union-attr]
    with server(url, tmp, skey) as base:
        rng = random.Random(9)
        latencies = []
        with httpx.Client(base_url=base, timeout=30) as http:
            for k in range(plan.http_samples + 20):
                index = rng.randrange(size)
                start = time.perf_counter()
                reply = http.get("/api/v1/ledger/proof/inclusion", params={"index": index, "tree_size": size})
                took = time.perf_counter() - start
                reply.raise_for_status()
                if k >= 20:  # the first 20 warm the server up
                    latencies.append(took)
        print(f"   HTTP inclusion proof: p50 {percentile(latencies, 50):.2f} ms, "
              f"p99 {percentile(latencies, 99):.2f} ms", flush=True)
        start = time.perf_counter()
        result = verify.verify_log(base, vkey, full=True)
        http_seconds = time.perf_counter() - start
    if not result.ok or result.size != size:
        raise RuntimeError(f"the full verification failed: {result}")
    print(f"   verify_log(full=True) over HTTP: {http_seconds:.1f} s ({result.message})", flush=True)

    bundles, served = served_bytes(url, size)
    entries = [e for b in bundles for e in verify.parse_bundle(b)]
    leaf_inputs = [merkle.LEAF_PREFIX + e for e in entries]
    node_inputs = [merkle.NODE_PREFIX + os.urandom(64) for _ in range(size - 1)]
    assert len(entries) == size
    runs = 3
    raw = best_of(runs, lambda: raw_hashing(leaf_inputs, node_inputs))
    hashing = best_of(runs, lambda: verifier_hashing(entries, root))
    compute = best_of(runs, lambda: verifier_compute(bundles, served, root))
    requests = 1 + len(bundles) + len(served)  # checkpoint, bundles, every hash tile
    out = Verification(size, raw, hashing, compute, http_seconds, requests, latencies, result.message)
    mean = statistics.fmean(len(e) for e in entries)
    print(f"   raw hashlib {raw:.2f} s (leaf inputs {mean + 1:.0f} B on average, node inputs 65 B); "
          f"verifier hashing {hashing:.2f} s ({out.ratio(hashing):.2f}×); compute {compute:.2f} s "
          f"({out.ratio(compute):.2f}×); HTTP {http_seconds:.1f} s ({out.ratio(http_seconds):.1f}×)", flush=True)
    return out


# --- report ---------------------------------------------------------------------------------------





def tables(appends: list[Append], proofs: list[Proofs], check: Verification | None) -> str:
    out = ["**Appends**", "",
           "| engine | mode | entries | entries/s | per CPU-second | p50 ms | p99 ms |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for a in appends:
        lat = (f"{percentile(a.latencies, 50):.2f} | {percentile(a.latencies, 99):.2f}" if a.latencies
               else "— | —")
        out.append(f"| {a.engine} | {a.mode} | {a.entries:,} | {a.rate:,.0f} | {a.cpu_rate:,.0f} | {lat} |")
    out += ["", "**Proofs** (ms per call, a fresh session each)", "",
            "| engine | entries | tile rows | inclusion p50 | p95 | p99 | p99 CPU | consistency p50 | p95 | p99 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in proofs:
        out.append(f"| {p.engine} | {p.size:,} | {p.tiles:,} | {percentile(p.inclusion, 50):.2f} | "
                   f"{percentile(p.inclusion, 95):.2f} | {percentile(p.inclusion, 99):.2f} | "
                   f"{percentile(p.inclusion_cpu, 99):.2f} | "
                   f"{percentile(p.consistency, 50):.2f} | {percentile(p.consistency, 95):.2f} | "
                   f"{percentile(p.consistency, 99):.2f} |")
    if check is not None:
        out += ["", f"**Full verification** (SQLite, {check.size:,} entries; best of 3 for the in-memory rows)", "",
                "| what | seconds | ratio to raw SHA-256 |", "|---|---:|---:|",
                f"| raw `hashlib.sha256`: {check.size:,} leaf + {check.size - 1:,} node hashes | {check.raw:.3g} "
                "| 1.00 (baseline) |",
                f"| verifier hashing: `merkle.leaf_hash` × n + `merkle.root_from_hashes` | {check.hashing:.3g} "
                f"| {check.ratio(check.hashing):.2f} |",
                "| verifier compute: parse bundles, hash, recompute and compare every hash tile, root "
                f"| {check.compute:.3g} "
                f"| {check.ratio(check.compute):.2f} |",
                f"| `verify_log(url, key, full=True)` against `pracha serve` ({check.requests:,} requests) "
                f"| {check.http:.1f} | {check.ratio(check.http):.1f} |",
                "", f"HTTP `GET /api/v1/ledger/proof/inclusion` at {check.size:,} entries, one keep-alive client, "
                f"{len(check.http_inclusion)} requests: p50 {percentile(check.http_inclusion, 50):.2f} ms, "
                f"p99 {percentile(check.http_inclusion, 99):.2f} ms."]
    return "\n".join(out)


def aims(appends: list[Append], proofs: list[Proofs], check: Verification | None, sizes: list[int]) -> list[str]:
    out = []
    batched = [a for a in appends if a.engine == "sqlite" and a.batch]
    if batched:
        best = max(batched, key=lambda a: a.rate)
        ok = best.rate >= AIM_BATCHED_SQLITE
        out.append(f"- batched appends on SQLite: {best.rate:,.0f}/s at best ({best.batch:,} per batch) "
                   f"(aim ≥ {AIM_BATCHED_SQLITE:,.0f}/s): {'met' if ok else 'NOT met'} on the wall clock; "
                   f"{best.cpu_rate:,.0f} per CPU-second of the process, which does all the work "
                   f"({'met' if best.cpu_rate >= AIM_BATCHED_SQLITE else 'NOT met'} on CPU time)")
    for p in proofs:
        if p.size == 1_000_000:
            aim = AIM_PROOF_P99_MS[p.engine]
            ok = percentile(p.inclusion, 99) <= aim
            cpu = percentile(p.inclusion_cpu, 99)
            where = "all the work" if p.engine == "sqlite" else "the client's part only"
            out.append(f"- inclusion proof p99 at 10^6 on {p.engine}: {percentile(p.inclusion, 99):.2f} ms "
                       f"(aim ≤ {aim:g} ms): {'met' if ok else 'NOT met'} on the wall clock; p99 CPU time "
                       f"{cpu:.2f} ms ({where})")
    if 1_000_000 not in sizes:
        out.append("- proof p99 at 10^6: not measured in this run")
    if check is not None:
        ratio = check.ratio(check.http)
        out.append(f"- full verification of {check.size:,} entries: {ratio:.1f}× raw hashing over HTTP, "
                   f"{check.ratio(check.compute):.2f}× for the computation alone "
                   f"(aim ≤ {AIM_VERIFY_RATIO:g}×): {'met' if ratio <= AIM_VERIFY_RATIO else 'NOT met'}")
    return out


def section(body: str, aim_lines: list[str], args: argparse.Namespace, versions: dict[str, str],
            took: float) -> str:
    command = "PYTHONPATH=. .venv/bin/python bench/ledger.py" + (" --quick" if args.quick else "") + " --write"
    engines = "; ".join(f"{k}: {v}" for k, v in versions.items() if k in args.engine_list)
    quick = "\n**Quick run (`--quick`): small sizes, a smoke test, not the figures to quote.**\n" if args.quick else ""
    notes = Path(args.notes).read_text().strip() + "\n\n" if args.notes else ""
    busy = (
        "; other work shared the two cores, so wall-clock figures are below what the code does on a free core"
        if max(args.load, args.load_end) > 4
        else ""
    )
    return f"""{START}
## Ledger

`{command}` — {dt.date.today().isoformat()}, whole run {took:.0f} s.
{quick}
{body}

- Machine: {machine()}; the benchmark, the database and the server share it (load average {args.load:.2f}
  when the run began, {args.load_end:.2f} when it ended{busy}). Code {code_version()};
  {engines}. *Per CPU-second* and *p99 CPU* are this process's CPU time (`time.process_time`,
  `time.thread_time`): with SQLite, which runs in the process, that is all the work, and the rate a free
  core would give; with PostgreSQL it leaves out the server's part.
- Entries are what the application workflow records: `application.<action>` by `user:<n>`, with the
  subject's HMAC commitment to a national ID and a keyed digest of a form snapshot (about 300 bytes of
  RFC 8785 JSON). The 1,000 subjects' keys exist before timing starts. Each mode runs on a fresh database
  migrated by `pracha.migrate.upgrade`; the checkpoint signer comes from `note.generate_key`.
- *One at a time*: `log.record` + commit, then `log.sequence` + commit (a signed checkpoint per entry),
  each in its own write transaction (`BEGIN IMMEDIATE` on SQLite); p50/p99 are per entry.
  *Record + commit each*: one transaction per `log.record`, one `log.sequence` at the end (timed with
  the rest; this is the portal's case, with sequencing in the background). *Batched*: B entries in one
  transaction by `log.record_many` (Core: two bulk INSERTs), or for comparison B × `log.record` (the
  ORM), commit, then `log.sequence(batch=B)` + commit; entries/s over both, building the entries
  included. Durable = committed: SQLite in WAL with synchronous=NORMAL (the app's setting: a commit
  survives a crash of the process; a power cut may lose the last transactions, never corrupt).
- Proofs: one log per engine grows to each size; its entries are made by `log.sealed_entry` (the same bytes, of
  the same length, as `log.record` stores) and inserted in bulk, and `log.sequence` in batches of
  {BUILD_BATCH:,} builds the tiles and signed checkpoints. Inclusion proofs of random indexes and
  consistency proofs from random older sizes, both in the newest tree, each call with a fresh session
  (as a request) and the process's full-tile cache (`ledger.tilecache`) emptied before the 50 warm-up
  calls, so the timed calls include every first read of a level-0 tile (at 10^6 most of them are:
  3,906 level-0 tiles), {args.plan.inclusion_samples:,} and
  {args.plan.consistency_samples:,} calls; a sample of proofs is checked against
  the signed roots. The database is warm (OS page cache), as on a running server; on PostgreSQL each
  session's connection checkout also pays the pool's pre-ping, as the app's engine does.
- Full verification: `pracha serve` on 127.0.0.1 serving the largest SQLite log, checked by
  `pracha.ledger.verify.verify_log(url, key, full=True)` (`pracha ledger verify --full`): every entry
  bundle and level-0 tile fetched (4 threads, each with its own keep-alive connection, stdlib
  `http.client`), every entry hashed, every hash tile of every level
  recomputed and compared with the served one (issue 13, finding 3), the root recomputed. The in-memory
  rows use the same bytes the server sends. Raw = `hashlib.sha256(x).digest()` in a Python loop over n
  inputs of the leaf-input sizes (0x00 + entry) and n − 1 inputs of 65 bytes, in the same run.

{notes}Aims:
{chr(10).join(aim_lines)}
{END}"""



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", help="log sizes for proofs (default 10000,100000,1000000; quick: 1000,10000)")
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--quick", action="store_true", help="small sizes and counts: a smoke run")
    parser.add_argument("--no-verify", action="store_true", help="skip the full verification over HTTP")
    parser.add_argument("--write", action="store_true", help="rewrite the Ledger section of docs/benchmarks.md")
    parser.add_argument("--notes", help="a Markdown file (profiles, analysis) to put in the section before the aims")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.sizes:
        try:
            sizes = sorted({int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()})
        except ValueError:
            parser.error("--sizes takes comma-separated integers")
        if not sizes or not all(1 <= n <= 10_000_000 for n in sizes):
            parser.error("--sizes: 1 .. 10,000,000")
        plan = Plan(**{**plan.__dict__, "sizes": sizes})
    args.plan = plan
    args.engine_list = [e.strip() for e in args.engines.split(",") if e.strip()]
    if bad := [e for e in args.engine_list if e not in ("sqlite", "postgres")]:
        parser.error(f"unknown engine(s): {', '.join(bad)}")
    if (load := load_average()) > 0.5:
        print(f"!! the machine is busy (load average {load:.2f}): the numbers will be lower and noisier",
              file=sys.stderr)
    args.load = load
    skey, vkey = note.generate_key(ORIGIN)

    began = time.monotonic()
    appends: list[Append] = []
    proofs: list[Proofs] = []
    check: Verification | None = None
    with tempfile.TemporaryDirectory(prefix="pracha-bench-ledger-") as tmp_name:
        tmp = Path(tmp_name)
        dbs = Databases(tmp)
        try:
            for engine in args.engine_list:
                print(f"== {engine}: appends", flush=True)
                found = bench_appends(dbs, engine, plan, skey)
                if not found:
                    print(f"!! {engine} is not available here: skipped", file=sys.stderr)
                    continue
                appends += found
                print(f"== {engine}: proofs at {', '.join(f'{n:,}' for n in plan.sizes)} entries", flush=True)
                verify_here = engine == "sqlite" and not args.no_verify
                found_proofs, kept = bench_proofs(dbs, engine, plan, skey, keep=verify_here)
                proofs += found_proofs
                if kept is not None:
                    print(f"== sqlite: full verification of {max(plan.sizes):,} entries", flush=True)
                    check = bench_verify(kept, max(plan.sizes), skey, vkey, tmp, plan)
                    dbs.drop(engine, kept)
        finally:
            dbs.stop()
    took = time.monotonic() - began
    args.load_end = load_average()
    if not appends:
        print("nothing was measured", file=sys.stderr)
        return 1
    body = tables(appends, proofs, check)
    aim_lines = aims(appends, proofs, check, plan.sizes)
    print()
    print(body)
    print()
    print("\n".join(aim_lines))
    print(f"\nwhole run: {took:.0f} s")
    if args.write:
        write_section("ledger", section(body, aim_lines, args, dbs.versions, took))
        print(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
