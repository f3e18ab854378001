"""Thai national IDs: the check digit against a slow reference written from the rule, and every
form a person might type."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pracha.identity import thai_id


def reference_check_digit(first12: str) -> int:
    # Straight from the rule: weights 13..2 over the first 12 digits, check = (11 - sum mod 11) mod 10.
    total = 0
    for position, digit in enumerate(first12):
        total += int(digit) * (13 - position)
    return (11 - (total % 11)) % 10


def test_known_valid_ids() -> None:
    # 1-1017-00203-45-? : sum = 1*13+1*12+0+1*10+7*9+0+0+2*6+0+3*4+4*3+5*2 = 144; 144 % 11 = 1 → 10 % 10 = 0
    assert thai_id.is_valid("1101700203450")
    assert thai_id.is_valid("1-1017-00203-45-0")
    assert thai_id.check_digit("110170020345") == 0


def test_rejects_everything_else() -> None:
    assert not thai_id.is_valid("1101700203451")  # wrong check digit
    assert not thai_id.is_valid("110170020345")  # 12 digits
    assert not thai_id.is_valid("11017002034500")  # 14 digits
    assert not thai_id.is_valid("1-10170-0203-45-0")  # dashes in the wrong places
    assert not thai_id.is_valid("1 1017 00203 45 0")  # spaces are not the printed form
    assert not thai_id.is_valid("11017OO203450")  # letters O for zeros
    assert not thai_id.is_valid("๑๑๐๑๗๐๐๒๐๓๔๕๐")  # Thai digits: tidy() first
    assert not thai_id.is_valid("")
    assert not thai_id.is_valid("1-1017-00203-45-0\n")


def test_problems_say_what_is_wrong() -> None:
    assert thai_id.problem("") is thai_id.Problem.EMPTY
    assert thai_id.problem("12345") is thai_id.Problem.LENGTH
    assert thai_id.problem("abc") is thai_id.Problem.NOT_DIGITS
    assert thai_id.problem("1101700203451") is thai_id.Problem.CHECK_DIGIT
    th, en = thai_id.MESSAGES[thai_id.Problem.LENGTH]
    assert "13" in th and "13" in en


def test_tidy_accepts_what_people_type() -> None:
    assert thai_id.is_valid(thai_id.tidy(" ๑๑๐๑๗๐๐๒๐๓๔๕๐ "))
    assert thai_id.format_dashed("1101700203450") == "1-1017-00203-45-0"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_check_digit_matches_reference(first12: str) -> None:
    full = first12 + str(reference_check_digit(first12))
    assert thai_id.check_digit(first12) == reference_check_digit(first12)
    assert thai_id.is_valid(full)
    assert thai_id.is_valid(thai_id.format_dashed(full))
    wrong = first12 + str((reference_check_digit(first12) + 1) % 10)
    assert not thai_id.is_valid(wrong)
