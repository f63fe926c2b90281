"""Hospital diagnoses: PMSI MCO (stay and unit level, associated), SSR and HAD."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import lazy, matches_codes, to_native
from snds_algos.cleaning.pmsi import QUALITY_CODES, QUALITY_CODES_SINCE_2013, STAY_KEYS, clean_mco
from snds_algos.contracts.model import YEAR_COLUMN
from snds_algos.events._common import read_optional, read_present, stay_id
from snds_algos.events.codelists import CodeList, resolve_codes
from snds_algos.events.schema import concat_events, finish_events
from snds_algos.identity import BEN_IDENTITY_COLUMNS, attribute_pmsi
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

DIAGNOSIS_EXTRAS = {"position": "string", "level": "string"}
POSITIONS = ("DP", "DR", "DA")
LEVELS = ("stay", "unit")
PRODUCTS = ("MCO", "SSR", "HAD")
MCO_CLEANING_COLUMNS = ("GRG_GHM", "SEJ_TYP", "GHS_NUM")
#: columns of the B tables (MCO, SSR, HAD) that say who the patient is, read when present
STAY_IDENTITY_COLUMNS = {
    "MCO": ("COD_SEX", "AGE_ANN", "AGE_JOU"),
    "SSR": ("COD_SEX", "AGE_ANN"),
    "HAD": ("COD_SEX", "AGE_ANN", "AGE_JOU"),
}


def identity_referential(src: TableSource, disambiguate: bool = True) -> Any:
    """IR_BEN_R for :func:`~snds_algos.identity.attribute_pmsi`: the keys, BEN_IDT_ANO and,
    to disambiguate, the sex and birth columns the source has.

    Examples
    --------
    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["N" * 17], "BEN_RNG_GEM": ["1"],
    ...                     "BEN_SEX_COD": ["2"], "BEN_NAI_ANN": [1980]})
    >>> list(identity_referential(open_source({"IR_BEN_R": ben})).columns)
    ['BEN_NIR_PSA', 'BEN_RNG_GEM', 'BEN_SEX_COD', 'BEN_NAI_ANN']
    """
    optional = ["BEN_IDT_ANO", *(BEN_IDENTITY_COLUMNS if disambiguate else ())]
    return read_present(src, "IR_BEN_R", ["BEN_NIR_PSA", "BEN_RNG_GEM"], optional)


def mco_stays(
    src: TableSource,
    b_columns: Sequence[str],
    *,
    years: Iterable[int] | None = None,
    disambiguate: bool = True,
    report: Report | None = None,
) -> nw.LazyFrame:
    """MCO stays kept by ``clean_mco``, attributed: stay keys, ``b_columns``,
    ``patient_id``, ``EXE_SOI_DTD`` and ``EXE_SOI_DTF``.

    ``disambiguate``: attribute stays on a shared NIR by COD_SEX, AGE_ANN and AGE_JOU
    (those T_MCOaaB has) against IR_BEN_R (:func:`~snds_algos.identity.attribute_pmsi`).
    """
    b_cols = list(dict.fromkeys([*STAY_KEYS, *MCO_CLEANING_COLUMNS, *b_columns]))
    extra = [c for c in STAY_IDENTITY_COLUMNS["MCO"] if c not in b_cols] if disambiguate else []
    b = read_present(src, "T_MCOaaB", b_cols, extra, years=years)
    c = read_optional(
        src,
        "T_MCOaaC",
        [*STAY_KEYS, "NIR_ANO_17", "EXE_SOI_DTD", "EXE_SOI_DTF", *QUALITY_CODES],
        QUALITY_CODES_SINCE_2013,
        years=years,
    )
    stays = clean_mco(b, c, report=report)
    ben = identity_referential(src, disambiguate)
    stays = attribute_pmsi(stays, ben, table="T_MCOaaC", disambiguate=disambiguate, report=report)
    return lazy(stays).select(
        *STAY_KEYS,
        *[c for c in b_columns if c not in STAY_KEYS],
        "patient_id",
        "EXE_SOI_DTD",
        "EXE_SOI_DTF",
    )


def _events(
    frame: nw.LazyFrame, code: str, position: str, level: str, table: str, prefix: str,
    eta: str, num: str,
) -> nw.LazyFrame:  # fmt: skip
    return frame.filter(~nw.col(code).is_null()).select(
        "patient_id",
        nw.lit("hospital_diagnosis").alias("category"),
        stay_id(prefix, eta, num).alias("group_id"),
        nw.col(code).alias("value"),
        nw.lit(None, dtype=nw.Float64()).alias("weight"),
        nw.col("EXE_SOI_DTD").alias("start"),
        nw.col("EXE_SOI_DTF").alias("end"),
        nw.lit(table).alias("source"),
        nw.lit(position).alias("position"),
        nw.lit(level).alias("level"),
    )


def _pmsi_stays(
    src: TableSource, product: str, keys: list[str], years: Iterable[int] | None,
    report: Report | None, disambiguate: bool = True,
) -> nw.LazyFrame:  # fmt: skip
    """SSR or HAD stays (table C), attributed; no cleaning rule exists for them yet.

    To disambiguate, the stay's sex and age come from its B rows (several per stay: one
    per RHS in SSR, per sequence in HAD): the smallest AGE_ANN and AGE_JOU (the age at
    the stay's entry), COD_SEX when every row agrees (else unknown)."""
    table = f"T_{product}aaC"
    c = lazy(src.read(table, [*keys, "NIR_ANO_17", "EXE_SOI_DTD", "EXE_SOI_DTF"], years=years))
    if disambiguate:
        wanted = STAY_IDENTITY_COLUMNS[product]
        b = lazy(read_present(src, f"T_{product}aaB", keys, wanted, years=years))
        found = [col for col in wanted if col in b.collect_schema().names()]
        if found:
            aggs = [nw.col(col).min().alias(col) for col in found if col != "COD_SEX"]
            if "COD_SEX" in found:
                aggs += [
                    nw.col("COD_SEX").min().alias("__sex_min"),
                    nw.col("COD_SEX").max().alias("__sex_max"),
                ]
            per_stay = b.group_by(*keys, YEAR_COLUMN).agg(*aggs)
            if "COD_SEX" in found:
                same = (nw.col("__sex_min") == nw.col("__sex_max")).fill_null(False)
                per_stay = per_stay.with_columns(
                    nw.when(same).then(nw.col("__sex_min")).alias("COD_SEX")
                ).drop("__sex_min", "__sex_max")
            c = c.join(per_stay, on=[*keys, YEAR_COLUMN], how="left")
    ben = identity_referential(src, disambiguate)
    out = attribute_pmsi(c, ben, table=table, disambiguate=disambiguate, report=report)
    return lazy(out)


def hospital_diagnoses(
    source: TableSource | Any,
    *,
    codes: CodeList | str | Iterable[str] | None = None,
    how: Literal["prefix", "exact"] = "prefix",
    positions: Sequence[str] = POSITIONS,
    levels: Sequence[str] = LEVELS,
    years: Iterable[int] | None = None,
    products: Sequence[str] = PRODUCTS,
    disambiguate: bool = True,
    report: Report | None = None,
) -> Any:
    """Diagnoses of hospital stays, one event per (stay, code, position, level).

    MCO: stays of T_MCOaaB joined to T_MCOaaC and kept by
    :func:`~snds_algos.cleaning.clean_mco`, attributed by
    :func:`~snds_algos.identity.attribute_pmsi`. Positions: ``DP`` (principal,
    DGN_PAL) and ``DR`` (related, DGN_REL) at ``stay`` level (T_MCOaaB) and ``unit``
    level (T_MCOaaUM, when the source has it), ``DA`` (associated, T_MCOaaD.ASS_DGN,
    stay level, when the source has T_MCOaaD).

    SSR and HAD, when the source has their tables (B/D and C): SSR MOR_PRP (main
    morbid manifestation) as ``DP``, ETL_AFF (aetiological condition) as ``DR``,
    T_SSRaaD.DGN_COD as ``DA``; HAD DGN_PAL as ``DP``, T_HADaaD.DGN_ASS as ``DA``;
    all at ``stay`` level, attributed but not cleaned (no SSR/HAD rule exists yet).

    Event: category ``"hospital_diagnosis"``, value = ICD-10 code, group_id = stay id
    ``"MCO:{ETA_NUM}:{RSA_NUM}:{PMSI_YEAR}"`` (``"SSR:{ETA_NUM}:{RHA_NUM}:..."``,
    ``"HAD:{ETA_NUM_EPMSI}:{RHAD_NUM}:..."``), start = stay entry (C.EXE_SOI_DTD), end =
    stay exit (C.EXE_SOI_DTF), weight null, source = the table of the code; extras
    ``position`` and ``level``. Duplicates are kept once.

    Parameters
    ----------
    codes, how:
        ICD-10 codes (prefixes by default, or a :class:`CodeList`); ``None``: all.
    positions, levels:
        Which of ``DP``, ``DR``, ``DA`` and ``stay``, ``unit`` to extract.
    years:
        PMSI years to read (default: all the source has).
    products:
        Which of ``MCO``, ``SSR``, ``HAD`` to read when present (MCO is required).
    disambiguate:
        Attribute stays on a NIR shared by several persons by the stay's sex and age
        (default ``True``); ``False``: such stays are ambiguous and removed.
    report:
        Receives the cleaning and attribution counts, and tables skipped as absent.

    Examples
    --------
    >>> import pandas as pd
    >>> nir = "N" * 17
    >>> key = {"ETA_NUM": ["010000001"], "RSA_NUM": ["1"]}
    >>> tables = {
    ...     "T_MCO20B": pd.DataFrame({**key, "DGN_PAL": ["E119"], "DGN_REL": [None],
    ...         "GRG_GHM": ["10M02T"], "SEJ_TYP": [None], "GHS_NUM": [1]}),
    ...     "T_MCO20C": pd.DataFrame({**key, "NIR_ANO_17": [nir], "EXE_SOI_DTD": ["2020-03-02"],
    ...         "EXE_SOI_DTF": ["2020-03-05"], **{c: ["0"] for c in QUALITY_CODES}}),
    ...     "T_MCO20D": pd.DataFrame({**key, "ASS_DGN": ["I10"]}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"]}),
    ... }
    >>> events = hospital_diagnoses(tables)
    >>> events[["value", "position", "level", "group_id", "source"]].values.tolist()
    [['E119', 'DP', 'stay', 'MCO:010000001:1:2020', 'T_MCOaaB'], ['I10', 'DA', 'stay', 'MCO:010000001:1:2020', 'T_MCOaaD']]
    """
    bad = [p for p in positions if p not in POSITIONS] + [v for v in levels if v not in LEVELS]
    bad += [p for p in products if p not in PRODUCTS]
    if bad:
        raise ValueError(f"unknown position, level or product: {', '.join(bad)}")
    src = open_source(source)
    resolved = resolve_codes(codes, how)

    def select(frame: nw.LazyFrame, column: str) -> nw.LazyFrame:
        if resolved is None:
            return frame
        return frame.filter(matches_codes(column, resolved[0], how=resolved[1]))

    stay_codes = [c for p, c in (("DP", "DGN_PAL"), ("DR", "DGN_REL")) if p in positions]
    want_stay = "stay" in levels
    keys = list(STAY_KEYS)
    parts: list[nw.LazyFrame] = []
    # the codes of every MCO table, in one long frame joined once to the cleaned stays
    codes: list[nw.LazyFrame] = []

    def long(frame: nw.LazyFrame, column: str, position: str, level: str, table: str):
        return select(frame.filter(~nw.col(column).is_null()), column).select(
            *keys,
            nw.col(column).alias("__code"),
            nw.lit(position).alias("position"),
            nw.lit(level).alias("level"),
            nw.lit(table).alias("source"),
        )

    if want_stay and stay_codes:
        b = lazy(src.read("T_MCOaaB", [*keys[:2], *stay_codes], years=years))
        for position, column in (("DP", "DGN_PAL"), ("DR", "DGN_REL")):
            if position in positions:
                codes.append(long(b, column, position, "stay", "T_MCOaaB"))
    if "unit" in levels and stay_codes:
        if src.has("T_MCOaaUM"):
            um = lazy(src.read("T_MCOaaUM", [*keys[:2], *stay_codes], years=years))
            for position, column in (("DP", "DGN_PAL"), ("DR", "DGN_REL")):
                if position in positions:
                    codes.append(long(um, column, position, "unit", "T_MCOaaUM"))
        elif report is not None:
            report.skip("T_MCOaaUM", "unit-level diagnoses", "T_MCOaaUM not in the source")
    if "DA" in positions and want_stay:
        if src.has("T_MCOaaD"):
            d = lazy(src.read("T_MCOaaD", [*keys[:2], "ASS_DGN"], years=years))
            codes.append(long(d, "ASS_DGN", "DA", "stay", "T_MCOaaD"))
        elif report is not None:
            report.skip("T_MCOaaD", "associated diagnoses", "T_MCOaaD not in the source")
    stays = mco_stays(src, [], years=years, disambiguate=disambiguate, report=report)
    if codes:
        found = nw.concat(codes, how="vertical") if len(codes) > 1 else codes[0]
        rows = found.join(stays, on=keys)
        parts.append(
            rows.select(
                "patient_id",
                nw.lit("hospital_diagnosis").alias("category"),
                stay_id("MCO", "ETA_NUM", "RSA_NUM").alias("group_id"),
                nw.col("__code").alias("value"),
                nw.lit(None, dtype=nw.Float64()).alias("weight"),
                nw.col("EXE_SOI_DTD").alias("start"),
                nw.col("EXE_SOI_DTF").alias("end"),
                "source",
                "position",
                "level",
            )
        )
    if want_stay and "SSR" in products and src.has("T_SSRaaB") and src.has("T_SSRaaC"):
        ssr_keys = ["ETA_NUM", "RHA_NUM", YEAR_COLUMN]
        ssr = _pmsi_stays(src, "SSR", ["ETA_NUM", "RHA_NUM"], years, report, disambiguate)
        ssr_id = ("SSR", "ETA_NUM", "RHA_NUM")
        wanted = [(p, c) for p, c in (("DP", "MOR_PRP"), ("DR", "ETL_AFF")) if p in positions]
        if wanted:
            b = lazy(src.read("T_SSRaaB", [*ssr_keys[:2], *[c for _, c in wanted]], years=years))
            for position, column in wanted:
                rows = select(b.select(*ssr_keys, column), column).join(ssr, on=ssr_keys)
                parts.append(_events(rows, column, position, "stay", "T_SSRaaB", *ssr_id))
        if "DA" in positions and src.has("T_SSRaaD"):
            d = select(
                lazy(src.read("T_SSRaaD", ["ETA_NUM", "RHA_NUM", "DGN_COD"], years=years)),
                "DGN_COD",
            )
            rows = d.select(*ssr_keys, "DGN_COD").join(ssr, on=ssr_keys)
            parts.append(_events(rows, "DGN_COD", "DA", "stay", "T_SSRaaD", *ssr_id))
    if want_stay and "HAD" in products and src.has("T_HADaaB") and src.has("T_HADaaC"):
        had_keys = ["ETA_NUM_EPMSI", "RHAD_NUM", YEAR_COLUMN]
        had = _pmsi_stays(src, "HAD", ["ETA_NUM_EPMSI", "RHAD_NUM"], years, report, disambiguate)
        had_id = ("HAD", "ETA_NUM_EPMSI", "RHAD_NUM")
        if "DP" in positions:
            b = lazy(src.read("T_HADaaB", [*had_keys[:2], "DGN_PAL"], years=years))
            rows = select(b, "DGN_PAL").join(had, on=had_keys)
            parts.append(_events(rows, "DGN_PAL", "DP", "stay", "T_HADaaB", *had_id))
        if "DA" in positions and src.has("T_HADaaD"):
            d = lazy(src.read("T_HADaaD", [*had_keys[:2], "DGN_ASS"], years=years))
            rows = select(d, "DGN_ASS").join(had, on=had_keys)
            parts.append(_events(rows, "DGN_ASS", "DA", "stay", "T_HADaaD", *had_id))
    if not parts:
        empty = stays.filter(nw.lit(False)).with_columns(nw.lit("x").alias("__none"))
        events = _events(empty, "__none", "DP", "stay", "T_MCOaaB", "MCO", "ETA_NUM", "RSA_NUM")
    else:
        events = concat_events(parts, DIAGNOSIS_EXTRAS)
    events = events.unique(["patient_id", "group_id", "value", "position", "level", "source"])
    return finish_events(to_native(events), DIAGNOSIS_EXTRAS)
