"""The generator: persons in chunks, one random generator per chunk seeded from
(seed, chunk index), tables written chunk by chunk so memory does not grow with N."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from snds_algos import __version__
from snds_algos.synthetic import conditions as cond
from snds_algos.synthetic.beneficiaries import ir_ben_r, ir_imb_r
from snds_algos.synthetic.care import make_traces
from snds_algos.synthetic.cartography import cartography_tables
from snds_algos.synthetic.catalog import Catalog, build_catalog
from snds_algos.synthetic.cepidc import cepidc_tables
from snds_algos.synthetic.config import Settings, make_settings
from snds_algos.synthetic.dcir import dcir_tables
from snds_algos.synthetic.persons import YEAR_DAYS, draw_deaths, make_persons
from snds_algos.synthetic.pmsi import mco_establishments, mco_tables, other_pmsi_tables
from snds_algos.synthetic.referentials import ir_pha_r
from snds_algos.synthetic.tables import contract_table, to_pandas
from snds_algos.synthetic.truth import (
    borderline_truth,
    conditions_truth,
    defects_truth,
    persons_truth,
    treatment_truth,
)
from snds_algos.synthetic.writer import TableWriter

MAX_CHUNK = 200_000


@dataclass
class Summary:
    """What a run produced: rows per table, persons, prevalences, defects, timing."""

    persons: int
    years: tuple[int, ...]
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    person_years: float = 0.0
    condition_counts: dict[str, int] = field(default_factory=dict)
    defect_counts: dict[str, int] = field(default_factory=dict)
    borderline_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    def prevalence(self) -> dict[str, float]:
        """Planted share of persons per condition (events: per year)."""
        out = {}
        for key, count in sorted(self.condition_counts.items()):
            kind = self.params.get("kinds", {}).get(key, "chronic")
            denom = self.persons * (len(self.years) if kind == "event" else 1)
            out[key] = count / denom
        return out

    def volumes(self) -> dict[str, float]:
        """Rows per person-year of the main tables."""

        def total(prefix: str) -> int:
            return sum(
                v for k, v in self.rows.items() if k.startswith(prefix) and not k.startswith("_")
            )

        py = max(self.person_years, 1e-9)
        return {
            "ER_PRS_F": total("ER_PRS_F") / py,
            "ER_PHA_F": total("ER_PHA_F") / py,
            "T_MCOaaB": sum(
                v for k, v in self.rows.items() if k.startswith("T_MCO") and k.endswith("B")
            )
            / py,
        }

    def defect_rates(self) -> dict[str, float]:
        """Measured defect counts over the rows of the table they apply to."""
        prs = self.rows.get("ER_PRS_F", 0)
        pha = self.rows.get("ER_PHA_F", 0)
        mco = sum(v for k, v in self.rows.items() if k.startswith("T_MCO") and k.endswith("B"))
        ben = self.rows.get("IR_BEN_R", 0)
        denom = {
            "info_line": prs,
            "unknown_beneficiary": prs,
            "regularisation": pha,
            "regularised": pha,
            "sentinel_birth": ben,
        }
        return {k: v / max(denom.get(k, mco), 1) for k, v in sorted(self.defect_counts.items())}

    def manifest(self) -> dict[str, Any]:
        """The content of ``_manifest.json``."""
        return {
            "generator": "snds_algos.synthetic",
            "version": __version__,
            "persons": self.persons,
            "years": list(self.years),
            "seed": self.seed,
            "seconds": round(self.seconds, 2),
            "person_years": round(self.person_years, 1),
            "rows": dict(sorted(self.rows.items())),
            "volumes_per_person_year": {k: round(v, 3) for k, v in self.volumes().items()},
            "planted_prevalence": {k: round(v, 5) for k, v in self.prevalence().items()},
            "defect_counts": dict(sorted(self.defect_counts.items())),
            "defect_rates": {k: round(v, 5) for k, v in self.defect_rates().items()},
            "borderline_counts": dict(sorted(self.borderline_counts.items())),
            "parameters": self.params.get("config", {}),
        }

    def format(self) -> str:
        """A readable closing summary."""
        lines = [
            f"snds-algos synth: {self.persons} persons, years {self.years[0]}-{self.years[-1]}, "
            f"seed {self.seed}, {self.seconds:.1f} s",
            "",
            "rows per table:",
        ]
        lines += [f"  {k:<22} {v:>12,}" for k, v in sorted(self.rows.items())]
        lines += ["", "volumes per person-year:"]
        lines += [f"  {k:<22} {v:>12.3f}" for k, v in self.volumes().items()]
        lines += ["", "planted prevalence (share of persons; events: per year):"]
        lines += [f"  {k:<28} {v:>8.3%}" for k, v in self.prevalence().items()]
        lines += ["", "defects (count, rate):"]
        rates = self.defect_rates()
        lines += [
            f"  {k:<28} {self.defect_counts[k]:>9,} {rates[k]:>8.3%}"
            for k in sorted(self.defect_counts)
        ]
        return "\n".join(lines)


def chunks(persons: int, chunk_size: int) -> Iterator[tuple[int, int, int]]:
    """(chunk index, first global person index, size) of each chunk.

    Examples
    --------
    >>> list(chunks(5, 2))
    [(0, 0, 2), (1, 2, 2), (2, 4, 1)]
    """
    for i, first in enumerate(range(0, persons, chunk_size)):
        yield i, first, min(chunk_size, persons - first)


def generate_chunk(
    settings: Settings, cat: Catalog, chunk: int, first: int, n: int
) -> dict[str, pa.Table]:
    """All tables (data and truth) of one chunk of persons."""
    rng = np.random.default_rng([settings.seed, chunk])
    persons = make_persons(settings, rng, first, n)
    cases, multiplier = cond.plant(settings, rng, persons)
    draw_deaths(settings, rng, persons, multiplier)
    cases = cond.drop_after_death(cases, persons)
    traces = make_traces(settings, rng, persons, cases, cat)
    profiles = settings.conditions["profiles"]
    a_person, a_code, a_share = [], [], []
    for k, prof in enumerate(profiles):
        assoc = prof.get("associated")
        if not assoc:
            continue
        sel = cases.traced & (cases.profile == k)
        for code in assoc["codes"]:
            a_person.append(cases.person[sel])
            a_code.append(np.full(int(sel.sum()), cat.icd.id(code)))
            a_share.append(np.full(int(sel.sum()), assoc["share"] / len(assoc["codes"])))
    if a_person:
        traces.extra["associated"] = {
            "person": np.concatenate(a_person),
            "code": np.concatenate(a_code),
            "share": np.concatenate(a_share),
        }
    ghs_of = 1000 + (np.arange(len(cat.ghm.codes)) * 37) % 8000
    out: dict[str, pa.Table] = {}
    ben, ben_truth = ir_ben_r(settings, rng, persons)
    out["IR_BEN_R"] = ben
    out["IR_IMB_R"] = ir_imb_r(settings, persons, traces, cat)
    dcir, dcir_truth = dcir_tables(settings, rng, chunk, persons, traces, cat)
    out.update(dcir)
    mco, mco_truth, mco_owners = mco_tables(settings, rng, chunk, persons, traces, cat, ghs_of)
    out.update(mco)
    other, other_owners = other_pmsi_tables(settings, rng, chunk, persons, traces, cat)
    out.update(other)
    out.update(cepidc_tables(settings, chunk, persons))  # a random generator of its own
    out["_truth_persons"] = persons_truth(persons)
    out["_truth_conditions"] = conditions_truth(settings, persons, cases)
    out["_truth_defects"] = defects_truth([ben_truth, *dcir_truth, *mco_truth])
    out["_truth_borderline"] = borderline_truth(settings, persons, traces)
    out["_truth_stays"] = pa.concat_tables([mco_owners, *other_owners])
    out["_truth_treatment"] = treatment_truth(settings, persons, traces.extra["treatment"])
    # CT_IDE / CT_IND of the reference year, from the planted truth (own random generator)
    out.update(cartography_tables(settings, chunk, persons, cases, traces))
    alive_end = np.minimum(persons.death, settings.end + 1)
    out["_person_years"] = pa.table(
        {"py": [float(np.clip(alive_end - settings.start, 0, None).sum() / YEAR_DAYS)]}
    )
    return out


def static_tables(settings: Settings) -> dict[str, pa.Table]:
    """Tables that do not depend on persons: IR_PHA_R and T_MCOaaE."""
    out = {"IR_PHA_R": contract_table("IR_PHA_R", ir_pha_r())}
    out.update(mco_establishments(settings))
    return out


def _account(summary: Summary, name: str, table: pa.Table) -> None:
    if name == "_person_years":
        summary.person_years += table["py"][0].as_py()
        return
    summary.rows[name] = summary.rows.get(name, 0) + table.num_rows
    if name == "_truth_conditions":
        keys = table.select(["condition", "subtype"]).to_pydict()
        for c, s in zip(keys["condition"], keys["subtype"], strict=True):
            key = f"{c}/{s}" if s else c
            summary.condition_counts[key] = summary.condition_counts.get(key, 0) + 1
    elif name == "_truth_defects":
        for d in table["defect"].to_pylist():
            summary.defect_counts[d] = summary.defect_counts.get(d, 0) + 1
    elif name == "_truth_borderline":
        for d in table["case"].to_pylist():
            summary.borderline_counts[d] = summary.borderline_counts.get(d, 0) + 1


def _progress(total: int, enabled: bool | None) -> Any:
    if enabled is None:
        enabled = sys.stderr.isatty()
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return None
    return tqdm(total=total, unit="persons", disable=not enabled, desc="synth")


def _new_summary(settings: Settings) -> Summary:
    kinds = {}
    for p in settings.conditions["profiles"]:
        key = f"{p['condition']}/{p['subtype']}" if p.get("subtype") else p["condition"]
        kinds[key] = p["kind"]
    return Summary(
        settings.persons,
        settings.years,
        settings.seed,
        params={"kinds": kinds, "config": settings.params},
    )


def generate(
    persons: int,
    years: str | int | tuple[int, ...] | list[int] | range,
    seed: int,
    out: str,
    format: str = "parquet",
    chunk_size: int | None = None,
    overrides: dict[str, Any] | None = None,
    progress: bool | None = None,
) -> Summary:
    """Generate a synthetic SNDS into the folder ``out`` and return the run's summary.

    Parameters
    ----------
    persons: number of persons; years: ``"2019-2021"`` or a sequence of consecutive years;
    seed: the same seed and parameters give the same data; out: output folder;
    format: ``"parquet"`` (one ``TABLE.parquet`` per table) or ``"csv"`` (raw exports);
    chunk_size: persons per chunk (memory grows with it, not with ``persons``);
    overrides: changes to ``config.yaml`` (e.g. ``{"defects": {"info_lines": 0.05}}``);
    progress: show a tqdm bar (default: when stderr is a terminal).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     s = generate(300, "2019-2020", 1, d, progress=False)
    >>> s.rows["IR_BEN_R"] >= 300
    True
    """
    settings = make_settings(persons, years, seed, overrides)
    chunk_size = min(int(chunk_size or settings.params["chunk_size"]), MAX_CHUNK)
    cat = build_catalog(settings)
    summary = _new_summary(settings)
    started = time.perf_counter()
    writer = TableWriter(out, format)
    bar = _progress(persons, progress)
    try:
        for name, table in static_tables(settings).items():
            writer.write(name, table)
            _account(summary, name, table)
        for chunk, first, n in chunks(persons, chunk_size):
            for name, table in generate_chunk(settings, cat, chunk, first, n).items():
                _account(summary, name, table)
                if name != "_person_years":
                    writer.write(name, table)
            if bar is not None:
                bar.update(n)
    finally:
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - started
    writer.close(summary.manifest())
    return summary


def generate_tables(
    persons: int,
    years: str | int | tuple[int, ...] | list[int] | range,
    seed: int,
    chunk_size: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate a small synthetic SNDS in memory: table name -> pandas frame (contract dtypes).

    Truth tables are included under their ``_truth_*`` names.

    Examples
    --------
    >>> tables = generate_tables(200, "2019-2020", 1)
    >>> str(tables["ER_PRS_F"]["EXE_SOI_DTD"].dtype)
    'date32[day][pyarrow]'
    """
    settings = make_settings(persons, years, seed, overrides)
    chunk_size = min(int(chunk_size or settings.params["chunk_size"]), MAX_CHUNK)
    cat = build_catalog(settings)
    parts: dict[str, list[pa.Table]] = {}
    for name, table in static_tables(settings).items():
        parts.setdefault(name, []).append(table)
    for chunk, first, n in chunks(persons, chunk_size):
        for name, table in generate_chunk(settings, cat, chunk, first, n).items():
            if name != "_person_years":
                parts.setdefault(name, []).append(table)
    return {name: to_pandas(pa.concat_tables(ts)) for name, ts in sorted(parts.items())}
