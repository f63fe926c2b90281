"""Deterministic identifiers: 17-character pseudonyms, stay numbers, CIP13 keys."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijection of 64-bit integers that looks random.

    Examples
    --------
    >>> int(splitmix64(np.array([1], dtype=np.uint64))[0]) != 1
    True
    """
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def pseudonyms(seed: int, index: np.ndarray, prefix: str) -> pa.Array:
    """17-character ids ``prefix`` + 16 hex digits, unique per ``index`` for one seed.

    Examples
    --------
    >>> ids = pseudonyms(1, np.arange(3), "P")
    >>> len(ids[0].as_py()), len(set(ids.to_pylist()))
    (17, 3)
    """
    salt = np.uint64((seed * 0x2545F4914F6CDD1D + ord(prefix) * 0x9E3779B9) & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        mixed = splitmix64(index.astype(np.uint64) ^ salt)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    digits = ((mixed[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.uint8)
    chars = np.empty((len(index), 17), dtype=np.uint8)
    chars[:, 0] = ord(prefix)
    chars[:, 1:] = _HEX[digits]
    raw = pa.array(chars.reshape(-1).view("S17") if len(index) else np.array([], "S17"))
    return raw.cast(pa.string())


def padded(values: np.ndarray, width: int) -> pa.Array:
    """Integers as zero-padded strings of ``width`` characters.

    Examples
    --------
    >>> padded(np.array([42]), 5).to_pylist()
    ['00042']
    """
    text = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(text, width, "0")


def ean13(stems: list[str]) -> list[str]:
    """Append the EAN-13 check digit to 12-digit stems (CIP13 codes are EAN-13).

    Examples
    --------
    >>> ean13(["340093000001"])
    ['3400930000014']
    """
    out = []
    for stem in stems:
        total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(stem))
        out.append(stem + str((10 - total % 10) % 10))
    return out
