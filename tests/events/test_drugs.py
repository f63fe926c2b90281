"""Drug dispensings: 9-key join, cleaning, regularisation, attribution, selections."""

import pandas as pd
import pytest

from conftest import Backend
from snds_algos.errors import ContractError, MissingTableError
from snds_algos.events import drug_dispensings, hospital_drug_dispensings, validate_events
from snds_algos.events.drugs import DRUG_EXTRAS
from snds_algos.events.schema import event_order
from snds_algos.reports import Report
from tests.events.builders import SOLO_ID, D
from tests.events.world import CIP1, CIP3, CIP4, on, world
from tests.helpers import rows

PANDAS = Backend("pandas")

ORDER = event_order(DRUG_EXTRAS)


def event(pid, atc, weight, date, cip, large, group=None):
    return {
        "patient_id": pid, "category": "drug_dispensing", "group_id": group or atc,
        "value": atc, "weight": weight, "start": date, "end": None, "source": "ER_PHA_F",
        "cip13": cip, "large_pack": large,
    }  # fmt: skip


def test_a10_dispensings_rows_and_counts(backend):
    report = Report()
    out = drug_dispensings(on(backend, world()), atc=["A10"], report=report)
    validate_events(out, DRUG_EXTRAS, data_checks=True)
    assert rows(out, ORDER) == [
        # MULTI: +2 on one BEN_NIR_PSA, -1 on the other, same person/date/CIP13 -> 1 box
        event("MULTI", "A10BA02", 1.0, D(2020, 1, 10), CIP1, False),
        # twins share the mother's NIR, told apart by rank
        event("TWIN_A", "A10AE04", 1.0, D(2020, 1, 10), CIP4, True),
        event("TWIN_B", "A10AE04", 1.0, D(2020, 1, 10), CIP4, True),
        # SOLO: line 5 (one key differs) does not match; line 6 nets to 0 boxes;
        # line 9 zero nature; line 4 information line; line 7 nobody in IR_BEN_R
    ]
    table = report.to_pandas()[["table", "step", "rows_in", "rows_removed"]].values.tolist()
    assert table == [
        ["ER_PHA_F", "drugs:unknown_cip13", 12, 1],
        ["ER_PHA_F", "drugs:not_selected", 11, 1],  # the one drug that is not A10
        ["ER_PHA_F", "dcir:no_prestation", 10, 1],  # line 5: one key differs
        # cleaning rules, counted on the A10 lines joined to their prestation
        ["ER_PRS_F", "dcir_information_lines", 9, 1],  # line 4
        ["ER_PRS_F", "dcir_zero_nature", 8, 1],  # line 9
        ["ER_PHA_F", "identity:invalid_nir", 7, 0],
        ["ER_PHA_F", "identity:not_in_referential", 7, 1],
        ["ER_PHA_F", "identity:ambiguous", 6, 0],
        ["ER_PHA_F", "regularization:merged", 6, 2],
        ["ER_PHA_F", "regularization:net_non_positive", 4, 1],
    ]
    assert report.skipped == [("ER_PRS_F", "dcir_public_hospital_taa", "ER_ETE_F not given")]
    steps = report.to_pandas()
    # nothing unaccounted for: each step starts where the previous one ended
    assert (steps["rows_in"].iloc[1:].to_numpy() == steps["rows_out"].iloc[:-1].to_numpy()).all()


def test_a_detail_line_differing_in_one_key_does_not_match():
    backend = PANDAS  # pure selection logic: parity is covered by the property test
    tables = world()
    out = drug_dispensings(on(backend, tables), cip13=[CIP3])
    assert [r["weight"] for r in rows(out, ORDER)] == [1.0]  # not 1 + 3 from the other key
    assert rows(out, ORDER)[0]["patient_id"] == SOLO_ID


def test_selections_union_levels_and_period():
    backend = PANDAS  # pure selection logic: parity is covered by the property test
    data = on(backend, world())
    out = drug_dispensings(data, atc_exact=["A10AE04"], cip13=[CIP1], atc_level=3)
    assert [(r["patient_id"], r["group_id"]) for r in rows(out, ORDER)] == [
        ("MULTI", "A10"),
        ("TWIN_A", "A10"),
        ("TWIN_B", "A10"),
    ]
    everything = rows(drug_dispensings(data, atc_level=1), ORDER)
    assert [(r["patient_id"], r["value"], r["group_id"]) for r in everything] == [
        ("MULTI", "A10BA02", "A"),
        (SOLO_ID, "C10AA01", "C"),
        ("TWIN_A", "A10AE04", "A"),
        ("TWIN_B", "A10AE04", "A"),
    ]
    january = drug_dispensings(data, period=("2020-01-01", "2020-01-31"))
    assert [r["value"] for r in rows(january, ORDER)] == ["A10BA02", "A10AE04", "A10AE04"]
    # March care dates, but flux dates (2020-02-01) before the period: the flux window drops them
    assert rows(drug_dispensings(data, period=("2020-03-01", "2020-03-31"))) == []
    shipped = drug_dispensings(data, atc="diabetes_drugs")
    assert len(rows(shipped)) == 3


def test_public_hospital_taa_lines_are_removed_when_er_ete_f_is_given():
    backend = PANDAS  # pure selection logic: parity is covered by the property test
    tables = world()
    ete = tables["ER_PRS_F"].iloc[[0]].drop(columns=[c for c in tables["ER_PRS_F"] if c.startswith(("BEN", "EXE", "DPN", "PRS_D", "BSE", "PRS_N", "PSE", "PRS_A"))])  # fmt: skip
    ete["ETE_IND_TAA"] = pd.array(["1"], dtype="string[pyarrow]")
    tables["ER_ETE_F"] = ete.reset_index(drop=True)
    out = drug_dispensings(on(backend, tables), atc=["A10B"])
    assert rows(out, ORDER) == []  # MULTI's +2 line is public-hospital TAA: -1 nets away


def test_errors_name_the_table_and_column(backend):
    tables = world()
    with pytest.raises(MissingTableError, match="ER_PHA_F"):
        drug_dispensings(on(backend, {k: v for k, v in tables.items() if k != "ER_PHA_F"}))
    tables["IR_PHA_R"] = tables["IR_PHA_R"].drop(columns=["PHA_CND_TOP"])
    with pytest.raises(ContractError, match="PHA_CND_TOP"):
        drug_dispensings(on(backend, tables))
    with pytest.raises(ValueError, match="atc_level"):
        drug_dispensings(on(backend, world()), atc_level=2)


def test_hospital_dispensed_drugs(backend):
    out = hospital_drug_dispensings(on(backend, world()))
    validate_events(out, data_checks=True)
    assert rows(out) == [
        {
            "patient_id": SOLO_ID, "category": "hospital_drug_dispensing", "group_id": None,
            "value": "9391234", "weight": 3.0, "start": D(2020, 3, 5), "end": None,
            "source": "ER_UCD_F",
        }
    ]  # fmt: skip


def test_output_keeps_the_backend(backend):
    out = drug_dispensings(on(backend, world()), atc=["A10"])
    if backend.name == "spark":
        assert type(out).__name__ == "DataFrame" and hasattr(out, "toArrow")
    elif backend.name == "duckdb":
        assert type(out).__name__ == "DuckDBPyRelation"
    else:
        assert isinstance(out, pd.DataFrame)
