"""pracha.ledger.note against Go's golang.org/x/mod/sumdb/note vectors and the C2SP specs.

Vectors live in testdata/note_*.json, each case with a description and a source.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from pracha.ledger import note

DATA = Path(__file__).parent / "testdata"
KEYS = json.loads((DATA / "note_keys.json").read_text())
NOTES = json.loads((DATA / "note_notes.json").read_text())
CHECKPOINTS = json.loads((DATA / "note_checkpoints.json").read_text())
PETER = KEYS["valid"][0]
TEXT = NOTES["sign"][0]["text"]


def ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["description"] for c in cases]


def build(parts: list[Any]) -> bytes:
    out = b""
    for part in parts:
        if isinstance(part, str):
            out += part.encode()
        elif "hex" in part:
            out += bytes.fromhex(part["hex"])
        else:
            out += part["of"].encode() * part["repeat"]
    return out


def as_triples(signatures: tuple[note.Signature, ...]) -> list[list[str]]:
    return [[s.name, f"{s.key_hash:08x}", s.line().split(" ")[-1][:-1]] for s in signatures]


# --- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", KEYS["valid"], ids=ids(KEYS["valid"]))
def test_valid_keys(case: dict[str, Any]) -> None:
    v = note.new_verifier(case["vkey"])
    assert (v.name, f"{v.key_hash:08x}", v.alg) == (case["name"], case["key_hash"], case["alg"])
    raw = base64.b64decode(case["vkey"].split("+", 2)[2])
    assert note.key_hash(case["name"], raw) == int(case["key_hash"], 16)
    if case["skey"]:
        s = note.new_signer(case["skey"])
        assert (s.name, s.key_hash) == (v.name, v.key_hash)
        assert note.verifier_key(s) == case["vkey"]
        assert v.verify(b"hi", s.sign(b"hi")) and not v.verify(b"ho", s.sign(b"hi"))


@pytest.mark.parametrize("case", KEYS["invalid_vkeys"], ids=ids(KEYS["invalid_vkeys"]))
def test_invalid_vkeys(case: dict[str, Any]) -> None:
    with pytest.raises(note.NoteError):
        note.new_verifier(case["vkey"])


@pytest.mark.parametrize("case", KEYS["invalid_skeys"], ids=ids(KEYS["invalid_skeys"]))
def test_invalid_skeys(case: dict[str, Any]) -> None:
    with pytest.raises(note.NoteError):
        note.new_signer(case["skey"])


@pytest.mark.parametrize("field", ["vkey", "skey"])
def test_mangled_keys_refused(field: str) -> None:
    """Go's TestNewVerifier and TestNewSigner: every proper substring and every byte + 1 is refused."""
    parse = note.new_verifier if field == "vkey" else note.new_signer
    b = PETER[field].encode()
    mangled = [b[i:j] for i in range(len(b) + 1) for j in range(i + 1, len(b) + 1) if (i, j) != (0, len(b))]
    mangled += [b[:i] + bytes([b[i] + 1]) + b[i + 1 :] for i in range(len(b))]
    for key in mangled:
        with pytest.raises(note.NoteError):
            parse(key.decode())


def test_generate_key_round_trip() -> None:
    """Go's TestGenerateKey, then sign and open with the new pair."""
    skey, vkey = note.generate_key("EnochRoot")
    signer, verifier = note.new_signer(skey), note.new_verifier(vkey)
    assert signer.name == verifier.name == "EnochRoot" and signer.key_hash == verifier.key_hash
    assert skey.startswith(f"PRIVATE+KEY+EnochRoot+{signer.key_hash:08x}+") and note.verifier_key(signer) == vkey
    opened = note.open_note(note.sign(TEXT, signer), [verifier])
    assert opened.text == TEXT and opened.verified == (verifier,)
    with pytest.raises(note.NoteError):
        note.generate_key("bad name")


# --- signing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", NOTES["sign"], ids=ids(NOTES["sign"]))
def test_sign_vectors(case: dict[str, Any]) -> None:
    assert note.sign(case["text"], *map(note.new_signer, case["skeys"])) == case["want"]


def test_sign_replaces_existing_signature_of_the_same_key() -> None:
    """Go's TestSign: an existing (name, key ID) signature is replaced by the new one."""
    peter = note.new_signer(PETER["skey"])
    stale = note.Signature("PeterNeumann", 0xC74F20A3, b"BADSIG").line()
    assert note.add_signatures(TEXT + "\n" + stale, peter) == NOTES["sign"][0]["want"]


def test_sign_refusals() -> None:
    """Go's TestSign bad inputs: short text, a signer with an invalid name; and ours."""
    peter = note.new_signer(PETER["skey"])
    for text in ["abc", "", "a\tb\n", "a\rb\n"]:
        with pytest.raises(note.NoteError, match="malformed note"):
            note.sign(text, peter)
    with pytest.raises(note.NoteError, match="invalid signer"):
        note.sign(TEXT, note.Signer("bad name", peter.key_hash, peter.private))
    with pytest.raises(note.NoteError):
        note.sign(TEXT)


def test_sign_two_signers_and_add_signatures() -> None:
    peter, (skey, vkey) = note.new_signer(PETER["skey"]), note.generate_key("EnochRoot")
    enoch = note.new_signer(skey)
    both = note.sign(TEXT, peter, enoch)
    assert both.startswith(NOTES["sign"][0]["want"])
    assert note.add_signatures(NOTES["sign"][0]["want"], enoch) == both
    opened = note.open_note(both, [note.new_verifier(PETER["vkey"]), note.new_verifier(vkey)])
    assert [v.name for v in opened.verified] == ["PeterNeumann", "EnochRoot"] and opened.unverified == ()
    for bad in ["— x AAAAAAA=", "— x AAAAAAA=\n— y AAAAAAA=\n", "not a line\n"]:
        with pytest.raises(note.NoteError):
            note.add_signatures(both, bad)


def test_text_may_end_in_blank_lines() -> None:
    """The text ends at the last blank line, so a text ending in "\\n\\n" survives (formats' "Note\\n\\n")."""
    peter = note.new_signer(PETER["skey"])
    assert note.open_note(note.sign("Note\n\n", peter), [note.new_verifier(PETER["vkey"])]).text == "Note\n\n"


# --- opening ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", NOTES["open"], ids=ids(NOTES["open"]))
def test_open_vectors(case: dict[str, Any]) -> None:
    data = build(case["note"])
    verifiers = [note.new_verifier(v) for v in case["verifiers"]]
    if "error" in case:
        with pytest.raises(note.NoteError) as raised:
            note.open_note(data, verifiers)
        assert str(raised.value) == case["error"]
        if "text" not in case:
            return
        assert isinstance(raised.value, note.UnverifiedNoteError)
        opened = raised.value.note
    else:
        opened = note.open_note(data, verifiers)
        assert note.open_note(data.decode(), verifiers) == opened  # str in, same note
    assert opened.text == case["text"]
    assert as_triples(opened.unverified) == case["unverified"]
    assert as_triples(tuple(s for s in opened.signatures if s not in opened.unverified)) == case["verified"]
    assert [[v.name, f"{v.key_hash:08x}"] for v in opened.verified] == [t[:2] for t in case["verified"]]


# --- checkpoints --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CHECKPOINTS["valid"], ids=ids(CHECKPOINTS["valid"]))
def test_checkpoint_valid(case: dict[str, Any]) -> None:
    c = note.parse_checkpoint(case["text"])
    want = note.Checkpoint(case["origin"], case["size"], base64.b64decode(case["root_b64"]), tuple(case["extensions"]))
    assert c == want
    assert note.format_checkpoint(c) == case["text"]


@pytest.mark.parametrize("case", CHECKPOINTS["invalid"], ids=ids(CHECKPOINTS["invalid"]))
def test_checkpoint_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(note.NoteError):
        note.parse_checkpoint(case["text"])


def test_format_checkpoint_refusals() -> None:
    root = bytes(32)
    for bad in [
        note.Checkpoint("", 1, root),
        note.Checkpoint("a\nb", 1, root),
        note.Checkpoint("a", -1, root),
        note.Checkpoint("a", 2**63, root),
        note.Checkpoint("a", 1, bytes(31)),
        note.Checkpoint("a", 1, root, ("",)),
        note.Checkpoint("a", 1, root, ("x\ny",)),
        note.Checkpoint("a\tb", 1, root),
    ]:
        with pytest.raises(note.NoteError):
            note.format_checkpoint(bad)


lines = st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1, max_size=20)


@settings(max_examples=200)
@given(lines, st.integers(0, 2**63 - 1), st.binary(min_size=32, max_size=32), st.lists(lines, max_size=3))
def test_checkpoint_round_trip(origin: str, size: int, root: bytes, extensions: list[str]) -> None:
    c = note.Checkpoint(origin, size, root, tuple(extensions))
    assert note.parse_checkpoint(note.format_checkpoint(c)) == c


def test_signed_checkpoint_round_trip() -> None:
    skey, vkey = note.generate_key("pracha.example/ledger")
    text = note.format_checkpoint(note.Checkpoint("pracha.example/ledger", 3, bytes(range(32))))
    opened = note.open_note(note.sign(text, note.new_signer(skey)), [note.new_verifier(vkey)])
    assert note.parse_checkpoint(opened.text) == note.Checkpoint("pracha.example/ledger", 3, bytes(range(32)))


# --- witness cosignatures -----------------------------------------------------------------------


@pytest.mark.parametrize("case", CHECKPOINTS["cosignatures"], ids=ids(CHECKPOINTS["cosignatures"]))
def test_cosignature_timestamp(case: dict[str, Any]) -> None:
    raw = base64.b64decode(case["signature"])
    sig = note.Signature("w", int.from_bytes(raw[:4], "big"), raw[4:])
    if case["timestamp"] is None:
        with pytest.raises(note.NoteError):
            note.cosignature_timestamp(sig)
    else:
        assert (f"{sig.key_hash:08x}", note.cosignature_timestamp(sig)) == (case["key_hash"], case["timestamp"])


def test_cosign_signs_the_spec_message() -> None:
    """tlog-cosignature §Ed25519 signed message, checked with the bare key against the spec's example."""
    vector = CHECKPOINTS["cosigned_message"]
    witness = note.Signer("witness.example.com/w1", 0, Ed25519PrivateKey.generate())
    line = note.cosign(vector["checkpoint"], witness, vector["timestamp"])
    assert line.startswith("— witness.example.com/w1 ") and line.endswith("\n")
    raw = base64.b64decode(line.split(" ")[-1])
    public = bytes([note.ALG_COSIGNATURE_V1]) + witness.private.public_key().public_bytes_raw()
    assert int.from_bytes(raw[:4], "big") == note.key_hash("witness.example.com/w1", public)
    assert int.from_bytes(raw[4:12], "big") == vector["timestamp"] and len(raw) == 4 + 8 + 64
    witness.private.public_key().verify(raw[12:], vector["message"].encode())  # raises if not


def test_cosignature_round_trip_and_refusals() -> None:
    log_skey, log_vkey = note.generate_key("pracha.example/ledger")
    log = note.new_signer(log_skey)
    witness = note.new_signer(note.generate_key("witness.example/w1")[0])
    w_vkey = note.verifier_key(witness, note.ALG_COSIGNATURE_V1)
    text = note.format_checkpoint(note.Checkpoint("pracha.example/ledger", 7, bytes(32), ("ext",)))
    signed = note.add_signatures(note.sign(text, log), note.cosign(text, witness, 1_700_000_000))
    verifiers = [note.new_verifier(log_vkey), note.new_verifier(w_vkey)]
    opened = note.open_note(signed, verifiers)
    assert [v.alg for v in opened.verified] == [note.ALG_ED25519, note.ALG_COSIGNATURE_V1]
    assert note.cosignature_timestamp(opened.signatures[1]) == 1_700_000_000
    # The plain (0x01) vkey of the same key does not match the cosignature's key ID: it stays unknown.
    only_plain = note.open_note(signed, [verifiers[0], note.new_verifier(note.verifier_key(witness))])
    assert len(only_plain.verified) == 1 and len(only_plain.unverified) == 1
    # The cosignature covers the extension lines.
    with pytest.raises(note.NoteError, match="invalid signature for key witness.example/w1"):
        note.open_note(signed.replace("ext\n", "exu\n", 1), verifiers[1:])
    # A cosignature checks only over a checkpoint; a cosigned non-checkpoint is refused.
    for bad_text, stamp in [("not a checkpoint\n", 1), (text, -1), (text, 2**63)]:
        with pytest.raises(note.NoteError):
            note.cosign(bad_text, witness, stamp)
    forged = note.Signature(witness.name, verifiers[1].key_hash, (5).to_bytes(8, "big") + witness.sign(b"x"))
    assert not verifiers[1].verify(text.encode(), forged.raw)
    assert not verifiers[1].verify(b"\xff", forged.raw) and not verifiers[1].verify(text.encode(), b"short")


def test_open_refuses_a_str_that_is_not_utf8() -> None:
    """A Python str may hold a lone surrogate, which has no UTF-8 encoding: malformed, as Go's \\xed\\xa0\\x80."""
    with pytest.raises(note.NoteError, match="malformed note"):
        note.open_note("\ud800\n\n" + NOTES["sign"][0]["want"].split("\n\n")[1], [note.new_verifier(PETER["vkey"])])
