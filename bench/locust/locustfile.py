"""The Pracha load scenario: citizens, officers, agency systems and the public, in a government
portal's mix. Every response is checked (status and a little content): anything else is a failure.

    PRACHA_LOCUST_USERS=var/locust/locust-users.json \\
        locust -f bench/locust/locustfile.py --headless -u 60 -r 5 -t 10m --host http://127.0.0.1:8000

The users file comes from `bench/locust/prepare.py`. Each request is named by its kind
("browse: home", "pay: bank pays", ...), so Locust's statistics are per kind. With
PRACHA_LOCUST_TOUR=1 each user walks through all its journeys in order instead of picking them by
weight (the test uses it: every kind runs within seconds).

The mix (share of simulated people, then of each one's journeys). Government portals' published
analytics (GOV.UK's, the Thai portals' own visit counts) show the same shape: most visits read
(guidance, the catalogue, search), few transact, and a transaction is spread over several requests:

- visitors 50 %: browse (home, catalogue, a service page) 75, search the catalogue 25;
- citizens 30 %: signed in with national ID and password; follow (my page, my applications, a status,
  the inbox) 45, apply (draft, four documents, submit) 20, ask the assistant 15, pay (a signboard tax
  return: draft, two documents, submit, the Thai QR, paid at the demo bank, the receipt) 10, end the
  visit and sign in as the next citizen 10;
- the public 10 %: the ledger (checkpoint, an inclusion proof, a tile) 50, open data (CKAN
  package_search, /data) 50;
- agency systems 6 %: a mediated registry read (`/exchange/r1/…`, RFC 9421 signed), one a second each;
- officers 4 %: sign in with the second factor, then the queue and a decision (take, review, approve).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import pyotp
from bench.common import BIRTH_FORM as BIRTH
from locust import HttpUser, between, constant, constant_throughput, events, task
from locust.clients import ResponseContextManager
from locust.env import Environment
from locust.exception import StopUser

from pracha.exchange import httpsig, keys
from pracha.ledger import tiles

USERS: dict[str, Any] = json.loads(Path(os.environ["PRACHA_LOCUST_USERS"]).read_text())
TOUR = os.environ.get("PRACHA_LOCUST_TOUR", "") == "1"
CLAIMS = Path(USERS["claims"])
CLAIMS.mkdir(parents=True, exist_ok=True)
PDF = Path(USERS["pdf"]).read_bytes()
JPEG = Path(USERS["jpeg"]).read_bytes()
SERVICES = (
    "birth-registration",
    "elderly-allowance",
    "residence-certificate",
    "change-of-address",
    "commercial-registration",
    "food-shop-permit",
    "signboard-tax",
    "building-permit",
)
QUERIES = (
    "แจ้งเกิด",
    "เบี้ยยังชีพผู้สูงอายุ",
    "ย้ายที่อยู่",
    "ใบอนุญาตก่อสร้าง",
    "ภาษีป้าย",
    "จดทะเบียนพาณิชย์",
    "birth certificate",
    "elderly allowance",
)
QUESTIONS = ("แจ้งเกิดต้องใช้เอกสารอะไรบ้าง", "เบี้ยยังชีพผู้สูงอายุได้เดือนละเท่าไร", "ย้ายทะเบียนบ้านทำอย่างไร", "ภาษีป้ายต้องยื่นเมื่อไร")
DATA_QUERIES = ("เบี้ยยังชีพ", "บริการ", "ใบอนุญาตก่อสร้าง", "")
BIRTH_DOCUMENTS = ("hospital-birth-notification", "notifier-id-card", "parents-id-cards", "house-registration")
SIGNBOARD = {
    "signs_address": "88/1 ถนนช้างคลาน ตำบลช้างคลาน อำเภอเมืองเชียงใหม่",
    "sign_1_kind": "thai_mixed",
    "sign_1_width_cm": 200,
    "sign_1_height_cm": 50,
}
SIGNBOARD_DOCUMENTS = (
    ("sign-photos", "photo.jpg", JPEG, "image/jpeg"),
    ("id-card", "id-card.pdf", PDF, "application/pdf"),
)
_TREE_SIZE = re.compile(r"^\d+$")


def pause(low: float, high: float) -> Callable[[HttpUser], float]:
    """A person's pause between journeys (none on a tour)."""
    return constant(0.2) if TOUR else between(low, high)


def claim(kind: str, candidates: list[str], start: int) -> str | None:
    """The first of `candidates` (from `start`, wrapping) nobody has claimed as `kind`: an exclusive file
    per claim, so users of several Locust processes and of runs one after another never share one."""
    for offset in range(len(candidates)):
        name = candidates[(start + offset) % len(candidates)]
        try:
            os.close(os.open(CLAIMS / f"{kind}-{name}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return name
        except FileExistsError:
            continue
    return None


def expect(
    r: ResponseContextManager,
    status: int | tuple[int, ...],
    check: Callable[[Any], bool] = lambda _: True,
    what: str = "",
) -> Any:
    """Fail the request unless it has `status` (one of them) and its body passes `check`; the parsed body
    (JSON when JSON was sent back, else the text), or None when it failed."""
    if r.status_code == 0:  # no answer: the connection failed or was cut
        r.failure(f"no answer: {r.error!r}")
        return None
    if r.status_code not in (status if isinstance(status, tuple) else (status,)):
        r.failure(f"{r.status_code} (expected {status}): {r.text[:200]}")
        return None
    body: Any = r.text
    if "json" in r.headers.get("content-type", ""):
        try:
            body = r.json()
        except ValueError:
            r.failure("not JSON")
            return None
    if not check(body):
        r.failure(f"unexpected content{': ' + what if what else ''}: {r.text[:200]}")
        return None
    r.success()
    return body


class Journeys(HttpUser):
    """Picks one of `journeys` by weight per task. On a tour: each once, in order (one answering False,
    nothing to do yet, again after the others), then the user stops."""

    abstract = True
    fixed_count = 1 if TOUR else 0  # a tour: one of each kind of person, whatever the weights
    journeys: tuple[tuple[str, int], ...] = ()

    def on_start(self) -> None:
        self._pending = [name for name, _ in self.journeys]

    @task
    def journey(self) -> None:
        if not TOUR:
            name = random.choices([n for n, _ in self.journeys], weights=[w for _, w in self.journeys])[0]
            getattr(self, name)()
            return
        name = self._pending.pop(0)
        if getattr(self, name)() is False:
            self._pending.append(name)
        if not self._pending:
            raise StopUser()


class Visitor(Journeys):
    """Someone reading the portal without signing in."""

    weight = 50
    wait_time = pause(1, 4)
    journeys = (("browse", 75), ("search", 25))

    def browse(self) -> None:
        with self.client.get("/", name="browse: home", catch_response=True) as r:
            expect(r, 200, lambda t: "<html" in t and "/services" in t)
        with self.client.get("/services", name="browse: catalogue", catch_response=True) as r:
            expect(r, 200, lambda t: "/services/birth-registration" in t)
        service = random.choice(SERVICES)
        with self.client.get(f"/services/{service}", name="browse: service page", catch_response=True) as r:
            expect(r, 200, lambda t: f"/services/{service}/apply" in t)

    def search(self) -> None:
        with self.client.get(
            "/services", params={"q": random.choice(QUERIES)}, name="search: catalogue", catch_response=True
        ) as r:
            expect(r, 200, lambda t: "/services/" in t)


class Citizen(Journeys):
    """A citizen's visit: signed in with national ID and password, doing their own business."""

    weight = 30
    wait_time = pause(1, 4)
    journeys = (("apply", 20), ("follow", 45), ("ask", 15), ("pay", 10), ("new_visit", 10))  # tour: status needs one

    def on_start(self) -> None:
        super().on_start()
        self.national_id = ""
        self.paid = True  # this citizen's one signboard return (one open per person): none until claimed
        self.references: list[str] = []
        self.new_visit()

    def new_visit(self) -> None:
        """Sign out (if in), then in as the next citizen nobody has used (any citizen once all are used:
        such a visit does not pay, as the citizen may have a return open already)."""
        if self.national_id:
            with self.client.delete(
                "/api/v1/session", name="citizen: sign out", headers=self.csrf, catch_response=True
            ) as r:
                expect(r, 204)
        self.client.cookies.clear()
        citizens = USERS["citizens"]
        fresh = claim("citizen", citizens, random.randrange(len(citizens)))
        self.national_id, self.paid, self.references = fresh or random.choice(citizens), fresh is None, []
        with self.client.post(
            "/api/v1/session",
            json={"national_id": self.national_id, "password": USERS["password"]},
            name="citizen: sign in",
            catch_response=True,
        ) as r:
            body = expect(r, 200, lambda b: b["user"]["role"] == "citizen")
        self.csrf = {"X-CSRF-Token": body["csrf_token"]} if body else {}

    def follow(self) -> None:
        with self.client.get("/me", name="follow: my page", catch_response=True) as r:
            expect(r, 200, lambda t: "<html" in t)
        with self.client.get("/api/v1/applications", name="follow: my applications", catch_response=True) as r:
            expect(r, 200, lambda b: isinstance(b["items"], list))
        if self.references:
            reference = random.choice(self.references)
            with self.client.get(
                f"/api/v1/applications/{reference}/status", name="follow: status", catch_response=True
            ) as r:
                expect(r, 200, lambda b: b["reference"] == reference)
        with self.client.get("/api/v1/me/inbox", name="follow: inbox", catch_response=True) as r:
            expect(r, 200, lambda b: isinstance(b["items"], list))

    def _apply(self, service: str, data: dict[str, Any], documents: list[tuple[str, str, bytes, str]]) -> str | None:
        """Draft, documents, submit: the reference once submitted, else None (the failure is recorded)."""
        with self.client.post(
            "/api/v1/applications",
            json={"service_id": service, "data": data},
            headers={**self.csrf, "Idempotency-Key": uuid.uuid4().hex},
            name="apply: draft",
            catch_response=True,
        ) as r:
            draft = expect(r, 201, lambda b: b["status"] == "draft")
        if draft is None:
            return None
        reference = draft["reference"]
        for requirement, filename, content, media in documents:
            with self.client.post(
                f"/api/v1/applications/{reference}/documents",
                headers=self.csrf,
                data={"requirement": requirement},
                files={"file": (filename, content, media)},
                name="upload: document",
                catch_response=True,
            ) as r:
                if expect(r, 201, lambda b: b["requirement"] == requirement) is None:  # noqa: B023
                    return None
        with self.client.post(
            f"/api/v1/applications/{reference}/actions",
            json={"action": "submit", "declaration": True},
            headers=self.csrf,
            name="apply: submit",
            catch_response=True,
        ) as r:
            if expect(r, 200, lambda b: b["status"] != "draft") is None:
                return None
        self.references.append(reference)
        return str(reference)

    def apply(self) -> None:
        pick = itertools.cycle([("document.pdf", PDF, "application/pdf"), ("photo.jpg", JPEG, "image/jpeg")])
        self._apply("birth-registration", BIRTH, [(d, *next(pick)) for d in BIRTH_DOCUMENTS])

    def ask(self) -> None:
        with self.client.post(
            "/api/v1/assistant/messages",
            json={"text": random.choice(QUESTIONS)},
            headers=self.csrf,
            name="search: assistant",
            catch_response=True,
        ) as r:
            expect(r, 200, lambda b: bool(b["reply"]))

    def pay(self) -> None:
        """A signboard tax return, paid when filed (one open per person: each citizen files one)."""
        if self.paid:
            self.new_visit()
            if self.paid:
                return self.apply()
        self.paid = True
        reference = self._apply("signboard-tax", SIGNBOARD, list(SIGNBOARD_DOCUMENTS))
        if reference is None:
            return None
        with self.client.post(
            f"/api/v1/applications/{reference}/payments", headers=self.csrf, name="pay: Thai QR", catch_response=True
        ) as r:
            # 200: the fee fell due when the return was filed, so its payment exists already (201: made now)
            due = expect(r, (200, 201), lambda b: b["status"] == "due" and bool(b["promptpay_payload"]))
        if due is None:
            return None
        with self.client.post(
            f"{USERS['bank_url']}/pay",
            json={"payload": due["promptpay_payload"]},
            name="pay: bank pays",
            catch_response=True,
        ) as r:
            if expect(r, 201, lambda b: b["status"] == "paid" and b["callback"] == "delivered") is None:
                return None
        with self.client.get("/api/v1/me/payments", name="pay: receipt", catch_response=True) as r:
            expect(
                r,
                200,
                lambda b: any(p["application"] == reference and p["status"] == "paid" for p in b["items"]),
                "the payment is not paid",
            )
        return None


class Public(Journeys):
    """Anyone checking the ledger or reading open data."""

    weight = 10
    wait_time = pause(1, 4)
    journeys = (("ledger", 50), ("open_data", 50))

    def ledger(self) -> None:
        with self.client.get("/ledger/checkpoint", name="ledger: checkpoint", catch_response=True) as r:
            note = expect(r, 200, lambda t: len(t.splitlines()) > 2 and _TREE_SIZE.match(t.splitlines()[1]))
        if not note:
            return
        size = int(note.splitlines()[1])
        if size == 0:
            return
        index = random.randrange(size)
        with self.client.get(
            "/api/v1/ledger/proof/inclusion",
            params={"index": index, "tree_size": size},
            name="ledger: inclusion proof",
            catch_response=True,
        ) as r:
            expect(r, 200, lambda b: b["tree_size"] == size and isinstance(b["proof"], list))
        tile = random.choice(tiles.tiles_for_size(size))
        with self.client.get(f"/ledger/{tiles.tile_path(tile)}", name="ledger: tile", catch_response=True) as r:
            expect(r, 200, lambda t: len(r.content) == 32 * tile.width)  # noqa: ARG005

    def open_data(self) -> None:
        with self.client.get(
            "/api/3/action/package_search",
            params={"q": random.choice(DATA_QUERIES), "rows": 10},
            name="open data: package_search",
            catch_response=True,
        ) as r:
            expect(r, 200, lambda b: b["success"] is True and b["result"]["count"] >= 0)
        with self.client.get("/data", name="open data: /data", catch_response=True) as r:
            expect(r, 200, lambda t: "<html" in t)


class AgencySystem(HttpUser):
    """An agency's back-office system reading a registry through the mediator, signed with its key."""

    weight = 6
    fixed_count = 1 if TOUR else 0
    wait_time = constant_throughput(1)  # per system: its client's rate limit (600/min) is never the cause

    def on_start(self) -> None:
        agencies = USERS["agencies"]
        agency = agencies[next(_agency_turn) % len(agencies)]
        self.subsystem = agency["client"]
        self.key = keys.load_or_create(Path(agency["key"]))

    @task
    def exchange(self) -> None:
        subject = random.choice(USERS["exchange_subjects"])
        url = f"{self.host}/exchange/r1/{USERS['exchange_service']}/{subject}/allowances"
        headers = {
            "X-Road-Client": self.subsystem,
            "X-Road-Id": uuid.uuid4().hex,
            "X-Road-UserId": "locust",
            "X-Road-Purpose": "eligibility-check",
        }
        headers.update(httpsig.sign_request("GET", url, headers, b"", key_id=self.subsystem, key=self.key))
        with self.client.get(url, headers=headers, name="agency: exchange call", catch_response=True) as r:
            expect(r, 200, lambda b: isinstance(b.get("allowances"), list))
        if TOUR:
            raise StopUser()


_agency_turn = itertools.count(random.randrange(1000))


class Officer(Journeys):
    """A civil registry officer: signed in with password and TOTP, working the birth registrations queue."""

    weight = 4
    # under uvicorn's 5 s keep-alive: the client, unlike a browser, does not retry a request sent on a
    # connection the server closed at that moment, and would report the race as a failure
    wait_time = pause(1, 4)
    journeys = (("queue", 40), ("decide", 60))

    def on_start(self) -> None:
        super().on_start()
        self.user_id = 0
        totp = pyotp.TOTP(USERS["totp_secret"])
        while True:  # a code counts once: claim an (officer, time step) pair nobody has used
            step = totp.timecode(time.time())
            officers = USERS["officers"]
            name = claim(f"totp{step}", officers, random.randrange(len(officers)))
            if name is not None:
                break
            time.sleep(1)
        with self.client.post(
            "/api/v1/session",
            json={"username": name, "password": USERS["password"]},
            name="officer: sign in",
            catch_response=True,
        ) as r:
            body = expect(r, 200, lambda b: b["second_factor"] == "required")
        if body is None:
            return
        with self.client.post(
            "/api/v1/session/factor",
            json={"code": totp.generate_otp(step)},
            headers={"X-CSRF-Token": body["csrf_token"]},
            name="officer: second factor",
            catch_response=True,
        ) as r:
            body = expect(r, 200, lambda b: b["user"]["role"] == "officer")
        if body is not None:
            self.user_id = body["user"]["id"]
            self.csrf = {"X-CSRF-Token": body["csrf_token"]}

    def _queue(self) -> list[str]:
        with self.client.get(
            "/api/v1/applications",
            params={"service_id": "birth-registration", "status": "submitted", "assignee": "unassigned", "limit": 20},
            name="officer: queue",
            catch_response=True,
        ) as r:
            body = expect(r, 200, lambda b: isinstance(b["items"], list))
        return [item["reference"] for item in body["items"]] if body else []

    def queue(self) -> None:
        with self.client.get("/officer/queue", name="officer: queue page", catch_response=True) as r:
            expect(r, 200, lambda t: "<html" in t)
        self._queue()

    def decide(self) -> bool:
        """Take an unassigned application (a colleague may have taken it first: 409, the queue's own
        answer, and the officer takes another), review it, approve it. False: nothing was taken."""
        if not self.user_id:
            return True  # the sign-in failed (recorded): nothing to wait for
        for reference in self._pick():
            with self.client.post(
                f"/api/v1/applications/{reference}/assignee",
                json={"user_id": self.user_id},
                headers=self.csrf,
                name="officer: take",
                catch_response=True,
            ) as r:
                if r.status_code == 409 and "not_assignable" in r.text:
                    r.success()
                    continue
                if expect(r, 200, lambda b: b["assignee"]["id"] == self.user_id) is None:
                    return True
            for action, status in (("review", "in_review"), ("approve", "approved")):
                with self.client.post(
                    f"/api/v1/applications/{reference}/actions",
                    json={"action": action},
                    headers=self.csrf,
                    name=f"officer: {action}",
                    catch_response=True,
                ) as r:
                    if expect(r, 200, lambda b: b["status"] == status) is None:  # noqa: B023
                        return True
            return True
        return False

    def _pick(self) -> list[str]:
        found = self._queue()
        random.shuffle(found)
        return found[:3]


@events.test_start.add_listener
def _quit_after_the_tours(environment: Environment, **_: Any) -> None:
    """On a tour, Locust stops (writing its statistics, every request finished) once every user has."""
    if TOUR:
        gevent.spawn(_quit_when_all_stopped, environment)


def _quit_when_all_stopped(environment: Environment) -> None:
    runner = environment.runner
    assert runner is not None
    while runner.state in ("ready", "spawning") or runner.user_count:
        gevent.sleep(0.5)
    runner.quit()
