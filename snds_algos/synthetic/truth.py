"""Ground truth written beside the generated tables (file names start with ``_``):

* ``_truth_persons``: one row per person (BEN_IDT_ANO, sex, birth, death, no care);
* ``_truth_conditions``: BEN_IDT_ANO, condition, subtype, onset_date, end_date, traced;
* ``_truth_defects``: table, defect and the identifying columns of each defective row;
* ``_truth_borderline``: BEN_IDT_ANO, case, reference_year, expected (by the documented
  diabetes definition);
* ``_truth_stays``: who each PMSI stay belongs to: table (T_MCOaaB, T_SSRaaB, T_HADaaB,
  T_RIPaaC with the year), ETA_NUM (ETA_NUM_EPMSI for HAD and RIM-P), stay_num (RSA_NUM,
  RHA_NUM, RHAD_NUM, RIP_NUM), BEN_IDT_ANO.
* ``_truth_treatment``: one row per person and planted regimen step of the treatment
  trajectories (``patient_id``, condition, subtype, step_no, regimen, start, end,
  transition, expected_visible, n_dispensings, hospital_days, planted_pdc, behaviour,
  end_reason).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from snds_algos.synthetic.care import BORDERLINE_CASES, Traces
from snds_algos.synthetic.conditions import Cases
from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.persons import ALIVE, Persons
from snds_algos.synthetic.trajectories import BEHAVIOURS, END_REASONS, TRANSITIONS, Planted

TRUTH_TABLES = (
    "_truth_persons",
    "_truth_conditions",
    "_truth_defects",
    "_truth_borderline",
    "_truth_stays",
    "_truth_treatment",
)

DEFECT_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("defect", pa.string()),
        ("BEN_NIR_PSA", pa.string()),
        ("BEN_RNG_GEM", pa.string()),
        ("DCT_ORD_NUM", pa.int64()),
        ("FLX_DIS_DTD", pa.date32()),
        ("ETA_NUM", pa.string()),
        ("RSA_NUM", pa.string()),
    ]
)


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())
    if valid is None:
        return arr
    return pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.date32()))


def persons_truth(persons: Persons) -> pa.Table:
    """One row per person."""
    dead = persons.death != ALIVE
    return pa.table(
        {
            "BEN_IDT_ANO": persons.idt,
            "sex": pa.array(persons.sex.astype(np.int64)),
            "birth_date": _dates(persons.birth),
            "death_date": _dates(np.where(dead, persons.death, 0), dead),
            "death_in_hospital": pa.array(persons.death_in_hospital),
            "no_care": pa.array(persons.no_care),
        }
    )


def conditions_truth(settings: Settings, persons: Persons, cases: Cases) -> pa.Table:
    """One row per planted condition."""
    profiles = settings.conditions["profiles"]
    names = np.array([p["condition"] for p in profiles], dtype=object)
    subtypes = np.array([p.get("subtype") or None for p in profiles], dtype=object)
    has_end = cases.end >= 0
    return pa.table(
        {
            "BEN_IDT_ANO": persons.idt.take(pa.array(cases.person)),
            "condition": pa.array(names[cases.profile], pa.string()),
            "subtype": pa.array(subtypes[cases.profile], pa.string()),
            "onset_date": _dates(cases.onset),
            "end_date": _dates(np.where(has_end, cases.end, 0), has_end),
            "traced": pa.array(cases.traced),
        }
    )


def defects_truth(parts: list[dict]) -> pa.Table:
    """Truth rows of the defects, in one schema."""
    tables = []
    for part in parts:
        n = len(part["defect"]) if not isinstance(part["defect"], str) else len(part["BEN_NIR_PSA"])
        cols = {}
        for field in DEFECT_SCHEMA:
            value = part.get(field.name)
            if value is None:
                cols[field.name] = pa.nulls(n, field.type)
            elif isinstance(value, str):
                cols[field.name] = pa.array([value] * n, field.type)
            elif isinstance(value, pa.Array):
                cols[field.name] = value.cast(field.type)
            elif field.type == pa.date32():
                cols[field.name] = _dates(np.asarray(value))
            else:
                cols[field.name] = pa.array(np.asarray(value), field.type)
        tables.append(pa.table(cols, schema=DEFECT_SCHEMA))
    return pa.concat_tables(tables) if tables else DEFECT_SCHEMA.empty_table()


def borderline_truth(settings: Settings, persons: Persons, traces: Traces) -> pa.Table:
    """One row per planted borderline case."""
    b = traces.borderline
    person = b["person"].astype(np.int64)
    return pa.table(
        {
            "BEN_IDT_ANO": persons.idt.take(pa.array(person)),
            "case": pa.array(
                np.array(BORDERLINE_CASES, dtype=object)[b["case"].astype(np.int64)]
                if len(person)
                else [],
                pa.string(),
            ),
            "reference_year": pa.array(
                np.full(len(person), settings.reference_year, dtype=np.int64)
            ),
            "expected": pa.array(b["expected"].astype(bool)),
        }
    )


TREATMENT_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("condition", pa.string()),
        ("subtype", pa.string()),
        ("step_no", pa.int64()),
        ("regimen", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),
        ("transition", pa.string()),
        ("expected_visible", pa.bool_()),
        ("n_dispensings", pa.int64()),
        ("hospital_days", pa.int64()),
        ("planted_pdc", pa.float64()),
        ("behaviour", pa.string()),
        ("end_reason", pa.string()),
    ]
)


def treatment_truth(settings: Settings, persons: Persons, planted: list[Planted]) -> pa.Table:
    """One row per person and planted regimen step, sorted by patient_id and step_no.

    ``patient_id`` is the person's BEN_IDT_ANO: the id the events layer gives (IR_BEN_R
    of the generated data always carries BEN_IDT_ANO).
    """
    profiles = settings.conditions["profiles"]
    names = np.array([p["condition"] for p in profiles], dtype=object)
    subtypes = np.array([p.get("subtype") or None for p in profiles], dtype=object)
    tables = []
    for part in planted:
        t = part.truth
        if not len(t["person"]):
            continue
        tables.append(
            pa.table(
                {
                    "patient_id": persons.idt.take(pa.array(t["person"].astype(np.int64))),
                    "condition": pa.array(names[t["profile"]], pa.string()),
                    "subtype": pa.array(subtypes[t["profile"]], pa.string()),
                    "step_no": pa.array(t["step_no"].astype(np.int64)),
                    "regimen": pa.array(part.names[t["mask"]], pa.string()),
                    "start": _dates(t["start"]),
                    "end": _dates(t["end"]),
                    "transition": pa.array(
                        np.array(TRANSITIONS, dtype=object)[t["transition"]], pa.string()
                    ),
                    "expected_visible": pa.array(t["expected_visible"].astype(bool)),
                    "n_dispensings": pa.array(t["n_dispensings"].astype(np.int64)),
                    "hospital_days": pa.array(t["hospital_days"].astype(np.int64)),
                    "planted_pdc": pa.array(t["planted_pdc"].astype(np.float64)),
                    "behaviour": pa.array(
                        np.array(BEHAVIOURS, dtype=object)[t["behaviour"]], pa.string()
                    ),
                    "end_reason": pa.array(
                        np.array(END_REASONS, dtype=object)[t["end_reason"]], pa.string()
                    ),
                },
                schema=TREATMENT_SCHEMA,
            )
        )
    if not tables:
        return TREATMENT_SCHEMA.empty_table()
    out = pa.concat_tables(tables)
    return out.sort_by(
        [("patient_id", "ascending"), ("condition", "ascending"), ("step_no", "ascending")]
    )
