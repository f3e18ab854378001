"""Thai QR bill payment payloads: published vectors (tests/payments/vectors/thaiqr.json, a source for each),
a slow CRC written straight from the definition, round trips, and every refusal."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pracha.payments import thaiqr
from pracha.payments.thaiqr import BillPayment, PayloadError, bill_payment, crc16, parse

VECTORS = json.loads((Path(__file__).parent / "vectors" / "thaiqr.json").read_text("utf-8"))
BILLER = "099400016550100"


def slow_crc16(data: bytes) -> str:
    """CRC-16/CCITT-FALSE bit by bit: poly 0x1021, init 0xFFFF, no reflection, no final xor."""
    register = 0xFFFF
    for byte in data:
        register ^= byte << 8
        for _ in range(8):
            register = ((register << 1) ^ 0x1021) if register & 0x8000 else register << 1
            register &= 0xFFFF
    return f"{register:04X}"


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def signed(body: str) -> str:
    """`body` (everything before "6304") with a correct CRC, computed by the slow reference."""
    return body + "6304" + slow_crc16((body + "6304").encode())


def account(biller: str = BILLER, ref1: str = "CR69-K7M2QX", ref2: str = "PK7M2QXW9A3B",
            aid: str = thaiqr.BILL_PAYMENT_AID) -> str:
    return tlv("30", tlv("00", aid) + tlv("01", biller) + tlv("02", ref1) + tlv("03", ref2))


def body(**overrides: str) -> str:
    fields = {"00": "01", "01": "12", "30": account(), "53": "764", "54": "50.00", "58": "TH"} | overrides
    return "".join(value if tag == "30" else tlv(tag, value) for tag, value in fields.items() if value != "-")


@pytest.mark.parametrize("case", VECTORS["crc"], ids=lambda c: repr(c["input"]))
def test_crc_vectors(case: dict[str, str]) -> None:
    assert crc16(case["input"].encode()) == case["crc"]
    assert slow_crc16(case["input"].encode()) == case["crc"]


@pytest.mark.parametrize("case", VECTORS["payloads"], ids=lambda c: c["name"])
def test_published_payloads(case: dict[str, object]) -> None:
    payload = str(case["payload"])
    published_crc_ok = crc16(payload[:-4].encode()) == payload[-4:]
    assert published_crc_ok is not bool(case.get("published_crc_wrong"))
    if "expect" in case:
        expect = dict(case["expect"])  # type: ignore[call-overload]
        assert parse(payload) == BillPayment(expect["biller_id"], expect["ref1"], expect["ref2"],
                                             Decimal(expect["amount"]),
                                             point_of_initiation=expect["point_of_initiation"])
    else:
        with pytest.raises(PayloadError) as refused:
            parse(payload)
        assert refused.value.reason == case["reason"]


def test_a_published_bill_payment_is_rebuilt_field_for_field() -> None:
    """promptparse writes 54 after 58; we write tags in order: the same fields, the CRC of our order."""
    ours = bill_payment("099400016550100", "123456789012", "670429", Decimal("3649.22"))
    assert ours == signed("000201010212" + "30650016A00000067701011201150994000165501000212123456789012"
                          "0306670429" + "5303764" + "54073649.22" + "5802TH")
    assert parse(ours) == parse(VECTORS["payloads"][0]["payload"])


def test_the_payload_of_a_fee_reads_as_the_brief_says() -> None:
    payload = bill_payment("099400016550100", "CR69-K7M2QX", "PK7M2QXW9A3B", Decimal("50"))
    assert payload.startswith("000201010212" + "30")
    assert "5303764" in payload and "540550.00" in payload and "5802TH" in payload
    assert payload[-8:-4] == "6304" and payload[-4:] == slow_crc16(payload[:-4].encode())
    assert parse(payload) == BillPayment("099400016550100", "CR69-K7M2QX", "PK7M2QXW9A3B", Decimal("50.00"))


references = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=20)
amounts = st.integers(min_value=1, max_value=999_999_999).map(lambda satang: Decimal(satang) / 100)


@given(biller=st.from_regex(r"\A[0-9]{15}\Z"), ref1=references, ref2=references, amount=amounts)
def test_round_trip(biller: str, ref1: str, ref2: str, amount: Decimal) -> None:
    payload = bill_payment(biller, ref1, ref2, amount)
    assert payload[-4:] == slow_crc16(payload[:-4].encode())
    got = parse(payload)
    assert (got.biller_id, got.ref1, got.ref2, got.amount) == (biller, ref1, ref2, amount)
    assert f"54{len(f'{amount:.2f}'):02d}{amount:.2f}" in payload


@given(biller=st.from_regex(r"\A[0-9]{15}\Z"), amount=amounts, position=st.integers(min_value=0, max_value=200),
       replacement=st.characters(min_codepoint=0x20, max_codepoint=0x7E))
def test_any_changed_character_is_refused(biller: str, amount: Decimal, position: int, replacement: str) -> None:
    payload = bill_payment(biller, "CR69-K7M2QX", "PK7M2QXW9A3B", amount)
    position %= len(payload)
    if payload[position].upper() == replacement.upper():
        return
    with pytest.raises(PayloadError):
        parse(payload[:position] + replacement + payload[position + 1:])


def test_lower_case_crc_is_read() -> None:
    payload = bill_payment(BILLER, "A", "B", Decimal("1.00"))
    assert parse(payload[:-4] + payload[-4:].lower()).amount == Decimal("1.00")


def test_fields_we_do_not_need_are_skipped() -> None:
    extra = body() + tlv("59", "DEMO AGENCY") + tlv("62", tlv("07", "T1"))
    assert parse(signed(extra)).ref2 == "PK7M2QXW9A3B"


@pytest.mark.parametrize(("payload", "reason"), [
    ("", "missing_tag"),
    ("0002", "bad_tlv"),
    ("000201010212XX", "bad_tlv"),
    ("00020101", "bad_tlv"),
    ("000201" + "0002" + "01" * 300, "bad_tlv"),
    ("0002ก1", "bad_tlv"),
    ("000201\n", "bad_tlv"),
    (signed(body() + tlv("00", "01")), "bad_tlv"),
    (body() + "6304" + "12", "bad_tlv"),
    (body() + "6304ZZZZ", "bad_tlv"),
    (body() + "6305ABCDE", "bad_tlv"),
    (signed(body()).replace("6304", "6304", 1)[:-4] + "0000", "bad_crc"),
    (signed(body()).replace("540550.00", "540560.00"), "bad_crc"),
    (body(), "missing_tag"),
    (signed(body(**{"00": "-"})), "missing_tag"),
    (signed(body(**{"00": "02"})), "bad_format"),
    (signed(body(**{"01": "-"})), "missing_tag"),
    (signed(body(**{"01": "13"})), "bad_format"),
    (signed(body(**{"30": "-"})), "not_bill_payment"),
    (signed(body(**{"30": account(aid=thaiqr.CREDIT_TRANSFER_AID)})), "not_bill_payment"),
    (signed(body(**{"30": tlv("30", tlv("01", BILLER))})), "not_bill_payment"),
    (signed(body(**{"30": tlv("30", tlv("00", thaiqr.BILL_PAYMENT_AID) + tlv("02", "A") + tlv("03", "B"))})),
     "missing_tag"),
    (signed(body(**{"30": tlv("30", tlv("00", thaiqr.BILL_PAYMENT_AID) + tlv("01", BILLER) + tlv("03", "B"))})),
     "missing_tag"),
    (signed(body(**{"30": tlv("30", tlv("00", thaiqr.BILL_PAYMENT_AID) + tlv("01", BILLER) + tlv("02", "A"))})),
     "missing_tag"),
    (signed(body(**{"30": tlv("30", "0016A0000006770101")})), "bad_tlv"),
    (signed(body(**{"53": "-"})), "missing_tag"),
    (signed(body(**{"53": "840"})), "not_thb"),
    (signed(body(**{"54": "-"})), "missing_tag"),
    (signed(body(**{"58": "-"})), "missing_tag"),
    (signed(body(**{"58": "LA"})), "not_th"),
    (signed(body(**{"30": account(biller="0994000165501")})), "bad_biller_id"),
    (signed(body(**{"30": account(biller="09940001655010A")})), "bad_biller_id"),
    (signed(body(**{"30": account(ref1="cr69-k7m2qx")})), "bad_reference"),
    (signed(body(**{"30": account(ref2="PK7M2QXW9A3B_")})), "bad_reference"),
    (signed(body(**{"30": account(ref2="A" * 21)})), "bad_reference"),
    (signed(body(**{"54": "0.00"})), "bad_amount"),
    (signed(body(**{"54": "10000000.00"})), "bad_amount"),
    (signed(body(**{"54": "50.005"})), "bad_amount"),
    (signed(body(**{"54": "-50.00"})), "bad_amount"),
    (signed(body(**{"54": "5e1"})), "bad_amount"),
    (signed(body(**{"54": "50."})), "bad_amount"),
])
def test_refusals(payload: str, reason: str) -> None:
    with pytest.raises(PayloadError) as refused:
        parse(payload)
    assert refused.value.reason == reason
    assert isinstance(refused.value, ValueError) and refused.value.detail


@pytest.mark.parametrize("payload", [None, 50, b"000201"])
def test_not_a_string_is_refused(payload: object) -> None:
    with pytest.raises(PayloadError) as refused:
        parse(payload)  # type: ignore[arg-type]
    assert refused.value.reason == "bad_tlv"


def test_amounts_with_fewer_decimals_are_read() -> None:
    assert parse(signed(body(**{"54": "50"}))).amount == Decimal("50.00")
    assert parse(signed(body(**{"54": "50.5"}))).amount == Decimal("50.50")


@pytest.mark.parametrize(("args", "reason"), [
    (("09940001655010", "A", "B", Decimal("1")), "bad_biller_id"),
    ((BILLER, "", "B", Decimal("1")), "bad_reference"),
    ((BILLER, "A", "b", Decimal("1")), "bad_reference"),
    ((BILLER, "A", "ก", Decimal("1")), "bad_reference"),
    ((BILLER, "A" * 21, "B", Decimal("1")), "bad_reference"),
    ((BILLER, "A", "B", Decimal("0")), "bad_amount"),
    ((BILLER, "A", "B", Decimal("0.001")), "bad_amount"),
    ((BILLER, "A", "B", Decimal("10000000")), "bad_amount"),
    ((BILLER, "A", "B", Decimal("NaN")), "bad_amount"),
    ((BILLER, "A", "B", Decimal("Infinity")), "bad_amount"),
    ((BILLER, "A", "B", 50), "bad_amount"),
])
def test_building_refuses_what_a_payload_cannot_carry(args: tuple[object, ...], reason: str) -> None:
    with pytest.raises(PayloadError) as refused:
        bill_payment(*args)  # type: ignore[arg-type]
    assert refused.value.reason == reason


def test_the_extremes_round_trip() -> None:
    for amount in (Decimal("0.01"), Decimal("9999999.99")):
        longest = bill_payment(BILLER, "A" * 20, "-" * 20, amount)
        assert parse(longest).amount == amount
