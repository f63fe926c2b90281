"""The drug key of a dispensing: what exposure periods are built per.

A key is an ATC level (1, 3, 4, 5 or 7 characters of the ATC code; ATC7 by default) or a
user mapping ``{code: key}`` where a code is a CIP13 (13 digits, matched exactly) or an
ATC code or prefix (``A10BA02``, ``A10BH``). A code may map to several keys (a
fixed-dose combination split into its molecules: ``A10BD07`` -> ``metformin`` and
``dpp4``): the dispensing then gives one fill per key.

When several codes of a mapping match a dispensing, the most specific one wins: a CIP13
before any ATC code, a longer ATC prefix before a shorter one (``A10AE56`` -> insulin +
GLP-1 overrides ``A10A`` -> insulin). Dispensings no code matches are dropped and
counted in the report (step ``pathways:unmapped``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import narwhals as nw

from snds_algos.backend import frame_like, to_pandas
from snds_algos.events.drugs import ATC_LEVELS

#: what ``key=`` accepts: an ATC level, a mapping, a (code, key) frame or a CSV path
KeySpec = int | Mapping[str, Any] | str | os.PathLike | Any | None


def _is_cip13(code: str) -> bool:
    return len(code) == 13 and code.isdigit()


def key_mapping(key: KeySpec) -> Any:
    """The user mapping as a pandas table ``code, key`` (one row per code and key).

    ``key`` is a dict ``{code: key or [keys]}``, a frame of any backend or a CSV file with
    columns ``code`` and ``key`` (other columns, such as ``label``, are ignored). Codes
    are stripped and upper-cased; duplicate rows are removed.

    Examples
    --------
    >>> key_mapping({"A10BD07": ["metformin", "dpp4"], "A10BA02": "metformin"}).values.tolist()
    [['A10BA02', 'metformin'], ['A10BD07', 'dpp4'], ['A10BD07', 'metformin']]
    """
    import pandas as pd

    if isinstance(key, Mapping):
        rows = []
        for code, keys in key.items():
            for k in [keys] if isinstance(keys, str) else list(keys):
                rows.append((code, k))
        table = pd.DataFrame(rows, columns=["code", "key"])
    elif isinstance(key, str | os.PathLike):
        path = Path(key)
        if not path.exists():
            raise FileNotFoundError(f"key mapping file not found: {path}")
        table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    else:
        table = to_pandas(key)
    missing = [c for c in ("code", "key") if c not in table.columns]
    if missing:
        from snds_algos.errors import ContractError

        raise ContractError("key mapping", None, f"missing column(s): {', '.join(missing)}",
                            values=list(table.columns))  # fmt: skip
    table = pd.DataFrame(
        {
            "code": table["code"].astype(str).str.strip().str.upper(),
            "key": table["key"].astype(str).str.strip(),
        }
    )
    bad = table[(table["code"] == "") | (table["key"] == "")]
    if len(bad):
        from snds_algos.errors import ContractError

        raise ContractError("key mapping", "code", "empty code or key", values=bad.values.tolist())
    table = table.drop_duplicates().sort_values(["code", "key"]).reset_index(drop=True)
    if table.empty:
        raise ValueError("the key mapping is empty")
    return table


def best_code(mapping: Any) -> nw.Expr:
    """Expression: the most specific code of ``mapping`` matching each dispensing
    (columns ``cip13`` and ``value``), null when none matches."""
    codes = mapping["code"].unique().tolist()
    cips = sorted(c for c in codes if _is_cip13(c))
    atc = [c for c in codes if not _is_cip13(c)]
    lengths = sorted({len(c) for c in atc}, reverse=True)
    branches: list[tuple[nw.Expr, nw.Expr]] = []
    if cips:
        branches.append((nw.col("cip13").is_in(cips), nw.col("cip13")))
    for n in lengths:
        prefix = nw.col("value").str.slice(0, n)
        these = sorted(c for c in atc if len(c) == n)
        branches.append(((nw.col("value").str.len_chars() >= n) & prefix.is_in(these), prefix))
    expr: nw.Expr = nw.lit(None, dtype=nw.String())
    for condition, value in reversed(branches):
        expr = nw.when(condition.fill_null(False)).then(value).otherwise(expr)
    return expr


def with_keys(frame: nw.LazyFrame, key: KeySpec) -> tuple[nw.LazyFrame, nw.Expr]:
    """Add a ``key`` column to dispensings (one row per key when a code has several).

    Returns the keyed frame and the "unmapped" condition on the input rows (for the
    report). ``key`` is None (ATC7), an ATC level in characters, or a user mapping (see
    :func:`key_mapping`).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> d = lazy(pd.DataFrame({"value": ["A10BD07", "A10BA02", "C10AA05"], "cip13": ["1", "2", "3"]}))
    >>> keyed, _ = with_keys(d, {"A10BD07": ["metformin", "dpp4"], "A10BA": "metformin"})
    >>> sorted(to_native(keyed)[["value", "key"]].values.tolist())
    [['A10BA02', 'metformin'], ['A10BD07', 'dpp4'], ['A10BD07', 'metformin']]
    """
    if key is None or (isinstance(key, int) and not isinstance(key, bool)):
        level = 7 if key is None else int(key)
        if level not in ATC_LEVELS:
            raise ValueError(f"key: an ATC level must be one of {ATC_LEVELS} characters, not {key}")
        keyed = frame.with_columns(nw.col("value").str.slice(0, level).alias("key"))
        return keyed, nw.col("value").is_null() | (nw.col("value").str.len_chars() < level)
    mapping = key_mapping(key)
    best = best_code(mapping)
    small = frame_like(frame, mapping.rename(columns={"code": "__code"}).astype("string[pyarrow]"))
    keyed = frame.with_columns(best.alias("__code")).join(small, on="__code", how="inner")
    return keyed.drop("__code"), best.is_null()
