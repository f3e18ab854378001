"""Signed notes, checkpoints and witness cosignatures, byte for byte as Go's golang.org/x/mod/sumdb/note.
Pure: imports nothing of ours and touches no database.

- c2sp.org/signed-note §Format: a text ending in "\\n", a blank line, then one or more lines
  "— <name> base64(key ID || signature)\\n"; valid UTF-8, no control character but "\\n"; the text ends
  at the *last* blank line. Names are non-empty, without Unicode spaces or "+".
- §Signatures: key ID = SHA-256(name || "\\n" || type || public key)[:4], big-endian; unknown keys are
  kept unverified; a known key's bad signature, or no known key at all, rejects the note. §Ed25519
  signatures: type 0x01; keys as Go's "PRIVATE+KEY+<name>+<hash>+b64(type || seed)", "<name>+<hash>+b64(type || key)".
- Go's note.Open beyond the spec, kept: at most 100 signature lines; a repeated line of an unknown key
  and a repeated (name, key ID) of a known key are dropped, the latter unchecked; base64 is Go's
  StdEncoding (padded, trailing bits unchecked). Sign replaces an existing signature of the same key.
- c2sp.org/tlog-checkpoint §Note text: origin, decimal size without leading zeros, base64 root hash,
  then optional non-empty extension lines.
- c2sp.org/tlog-cosignature §Format, §Ed25519 signed message: a witness key is type 0x04 and signs
  u64 timestamp || Ed25519("cosignature/v1\\ntime <t>\\n" || checkpoint text).

Errors: NoteError(ValueError) ── UnverifiedNoteError (parsed, but no known key signed; has .note)
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100  # Go's note.Open
MAX_NOTE_SIZE = 1_000_000  # ours, as Go's tlog.ParseTree; note.Open has no bound
MAX_INT64 = 2**63 - 1  # tree sizes and cosignature timestamps
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")


class NoteError(ValueError):
    """A malformed key, note or checkpoint, or a note that does not verify."""


class UnverifiedNoteError(NoteError):
    def __init__(self, note: Note) -> None:
        super().__init__("note has no verifiable signatures")
        self.note = note


def _b64decode(s: str, error: str) -> bytes:
    if not _B64.fullmatch(s):
        raise NoteError(error)
    return base64.b64decode(s)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _valid_name(name: str) -> bool:
    """Go's isValidName: non-empty UTF-8 with no "+" and no rune for which unicode.IsSpace holds."""
    spaces = ("Zs", "Zl", "Zp", "Cs")  # Cs: a lone surrogate is not UTF-8
    return bool(name) and "+" not in name and not any(c in "\t\n\v\f\r\x85" or unicodedata.category(c) in spaces
                                                      for c in name)


def key_hash(name: str, public_key_with_alg: bytes) -> int:
    """signed-note §Signatures: the first 4 bytes of SHA-256(name || "\\n" || type || key), big-endian."""
    return int.from_bytes(hashlib.sha256(name.encode() + b"\n" + public_key_with_alg).digest()[:4], "big")


@dataclass(frozen=True)
class Signer:
    name: str
    key_hash: int
    private: Ed25519PrivateKey

    def sign(self, msg: bytes) -> bytes:
        return self.private.sign(msg)


@dataclass(frozen=True)
class Verifier:
    """Type 0x01 verifies note signatures; type 0x04 verifies witness cosignatures of a checkpoint."""

    name: str
    key_hash: int
    public: Ed25519PublicKey
    alg: int = ALG_ED25519

    def verify(self, msg: bytes, sig: bytes) -> bool:
        try:
            if self.alg == ALG_COSIGNATURE_V1:  # sig is u64 timestamp || Ed25519 signature
                msg, sig = _cosigned_message(msg.decode(), int.from_bytes(sig[:8], "big")), sig[8:]
            self.public.verify(sig, msg)
        except (InvalidSignature, NoteError, UnicodeDecodeError):
            return False
        return True


@dataclass(frozen=True)
class Signature:
    name: str
    key_hash: int
    raw: bytes  # what follows the 4-byte key ID

    def line(self) -> str:
        return f"— {self.name} {_b64(self.key_hash.to_bytes(4, 'big') + self.raw)}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]  # every signature Go's Open keeps, in note order
    verified: tuple[Verifier, ...]  # the known verifiers whose signatures checked out, in note order

    @property
    def unverified(self) -> tuple[Signature, ...]:
        """Signatures by unknown keys (Go's UnverifiedSigs); the others are Go's Sigs."""
        known = {(v.name, v.key_hash) for v in self.verified}
        return tuple(s for s in self.signatures if (s.name, s.key_hash) not in known)


def verifier_key(signer: Signer, alg: int = ALG_ED25519) -> str:
    """The vkey "<name>+<hash>+base64(type || public key)" of `signer` for note signatures (0x01) or,
    with ALG_COSIGNATURE_V1, for its witness cosignatures."""
    public = bytes([alg]) + signer.private.public_key().public_bytes_raw()
    return f"{signer.name}+{key_hash(signer.name, public):08x}+{_b64(public)}"


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key pair (skey, vkey), as Go's note.GenerateKey."""
    if not _valid_name(name):
        raise NoteError(f"invalid key name {name!r}")
    private = Ed25519PrivateKey.generate()
    vkey = verifier_key(Signer(name, 0, private))  # "<name>+<8 hex>+..."
    seed = bytes([ALG_ED25519]) + private.private_bytes_raw()
    return f"PRIVATE+KEY+{vkey[: len(name) + 9]}+{_b64(seed)}", vkey


def _parse_key(fields: list[str], algs: tuple[int, ...]) -> tuple[str, int, int, bytes]:
    if len(fields) != 3 or not _HEX8.fullmatch(fields[1]) or not _valid_name(fields[0]):
        raise NoteError("malformed key")
    key = _b64decode(fields[2], "malformed key")
    if len(key) != 33 or key[0] not in algs:
        raise NoteError("malformed key or unknown algorithm")
    return fields[0], int(fields[1], 16), key[0], key[1:]


def new_signer(skey: str) -> Signer:
    """Go's note.NewSigner: "PRIVATE+KEY+<name>+<hash>+base64(0x01 || seed)", hash checked."""
    fields = skey.split("+", 4)
    name, h, alg, seed = _parse_key(fields[2:], (ALG_ED25519,))
    private = Ed25519PrivateKey.from_private_bytes(seed)
    if fields[:2] != ["PRIVATE", "KEY"] or h != key_hash(name, bytes([alg]) + private.public_key().public_bytes_raw()):
        raise NoteError("malformed signer key or wrong hash")
    return Signer(name, h, private)


def new_verifier(vkey: str) -> Verifier:
    """Go's note.NewVerifier, hash checked; also takes tlog-cosignature §Format type 0x04 vkeys."""
    name, h, alg, public = _parse_key(vkey.split("+", 2), (ALG_ED25519, ALG_COSIGNATURE_V1))
    if h != key_hash(name, bytes([alg]) + public):
        raise NoteError("invalid verifier hash")
    return Verifier(name, h, Ed25519PublicKey.from_public_bytes(public), alg)


def _parse(data: str | bytes) -> tuple[str, list[tuple[str, Signature]]]:
    try:  # -> the text, and (line, signature) pairs
        raw = data if isinstance(data, bytes) else data.encode()
        msg = raw.decode()
    except UnicodeError:
        raise NoteError("malformed note") from None
    split = msg.rfind("\n\n")
    lines = msg[split + 2 : -1].split("\n")
    if len(raw) > MAX_NOTE_SIZE or _CONTROL.search(msg) or split < 0 or not msg.endswith("\n", split + 2) \
            or len(lines) > MAX_SIGNATURES:
        raise NoteError("malformed note")
    return msg[: split + 1], [(line, _parse_line(line)) for line in lines]


def _parse_line(line: str) -> Signature:
    name, _, b64 = line.removeprefix("— ").partition(" ")
    raw = _b64decode(b64, "malformed note")
    if not line.startswith("— ") or not _valid_name(name) or len(raw) < 5:
        raise NoteError("malformed note")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def open_note(data: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Go's note.Open: parse, check every signature of a known key, and require at least one."""
    text, lines = _parse(data)
    known: dict[tuple[str, int], list[Verifier]] = {}
    for v in verifiers:
        known.setdefault((v.name, v.key_hash), []).append(v)
    seen: set[object] = set()
    signatures, verified = list[Signature](), list[Verifier]()
    for line, sig in lines:
        key = (sig.name, sig.key_hash)
        candidates = known.get(key, [])
        if len(candidates) > 1:
            raise NoteError(f"ambiguous key {sig.name}+{sig.key_hash:08x}")
        if (key if candidates else line) in seen:
            continue
        seen.add(key if candidates else line)
        if candidates:
            if not candidates[0].verify(text.encode(), sig.raw):
                raise NoteError(f"invalid signature for key {sig.name}+{sig.key_hash:08x}")
            verified.append(candidates[0])
        signatures.append(sig)
    note = Note(text, tuple(signatures), tuple(verified))
    if not verified:
        raise UnverifiedNoteError(note)
    return note


def _sign_line(signer: Signer, text: str) -> str:
    if not _valid_name(signer.name):
        raise NoteError("invalid signer")
    return Signature(signer.name, signer.key_hash, signer.sign(text.encode())).line()


def _assemble(text: str, lines: list[str]) -> str:
    out = text + "\n" + "".join(lines)
    _parse(out)  # never hand out a note that would not open
    return out


def sign(text: str, *signers: Signer) -> str:
    """Go's note.Sign of a new note: the text, a blank line, one signature line per signer."""
    if not text.endswith("\n") or not signers:
        raise NoteError("malformed note")
    return _assemble(text, [_sign_line(s, text) for s in signers])


def add_signatures(note: str | bytes, *signatures: Signer | str) -> str:
    """Append signatures, from signers or as ready lines (`cosign`'s), to a signed note, keeping its
    lines; as in Go's Sign, a new signature replaces an existing one by the same (name, key ID)."""
    text, existing = _parse(note)
    new = [s if isinstance(s, str) else _sign_line(s, text) for s in signatures]
    if any(not line.endswith("\n") or line.count("\n") != 1 for line in new):
        raise NoteError("malformed signature line")
    replaced = {(sig.name, sig.key_hash) for sig in (_parse_line(line[:-1]) for line in new)}
    kept = [line + "\n" for line, sig in existing if (sig.name, sig.key_hash) not in replaced]
    return _assemble(text, kept + new)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(c: Checkpoint) -> str:
    """tlog-checkpoint §Note text: "origin\\nsize\\nbase64(root)\\n", then the extension lines."""
    lines = [c.origin, str(c.size), _b64(c.root), *c.extensions]
    if any(not line or "\n" in line or _CONTROL.search(line) for line in lines) or len(c.root) != 32 \
            or not 0 <= c.size <= MAX_INT64:
        raise NoteError("malformed checkpoint")
    return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """tlog-checkpoint §Note text, strictly: canonical size and root, so format(parse(t)) == t."""
    lines = text[:-1].split("\n")
    if not text.endswith("\n") or len(text) > MAX_NOTE_SIZE or len(lines) < 3 or not _SIZE.fullmatch(lines[1]):
        raise NoteError("malformed checkpoint")
    c = Checkpoint(lines[0], int(lines[1]), _b64decode(lines[2], "malformed checkpoint"), tuple(lines[3:]))
    if format_checkpoint(c) != text:
        raise NoteError("malformed checkpoint")
    return c


def _cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """tlog-cosignature §Ed25519 signed message."""
    if not 0 <= timestamp <= MAX_INT64:
        raise NoteError("cosignature timestamp out of range")
    parse_checkpoint(checkpoint_text)
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


def cosign(checkpoint_text: str, signer: Signer, timestamp: int) -> str:
    """The signature line of `signer` as a witness (type 0x04) over a checkpoint at POSIX `timestamp`."""
    signature = signer.sign(_cosigned_message(checkpoint_text, timestamp))  # checks the timestamp first
    h = new_verifier(verifier_key(signer, ALG_COSIGNATURE_V1)).key_hash
    return Signature(signer.name, h, timestamp.to_bytes(8, "big") + signature).line()


def cosignature_timestamp(sig: Signature) -> int:
    """The POSIX time in a type 0x04 cosignature (tlog-cosignature `timestamped_signature`)."""
    timestamp = int.from_bytes(sig.raw[:8], "big")
    if len(sig.raw) != 72 or timestamp > MAX_INT64:
        raise NoteError("malformed cosignature")
    return timestamp
