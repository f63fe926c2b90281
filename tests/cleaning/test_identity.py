"""Patient attribution: twins, several BEN_NIR_PSA, invalid NIR, absent or shared keys."""

import pandas as pd

from snds_algos.identity import attribute_dcir, attribute_pmsi, person_index
from snds_algos.reports import Report
from tests.helpers import rows

MOTHER, TWINS, OTHER = "M" * 17, "T" * 17, "O" * 17
NEW_NIR = "N" * 17


def ben(backend):
    return backend.frame(
        pd.DataFrame(
            {
                # the mother, whose NIR her two children share (rank 2 and 3)
                "BEN_NIR_PSA": [MOTHER, MOTHER, MOTHER, OTHER, NEW_NIR, TWINS, TWINS],
                "BEN_RNG_GEM": ["1", "2", "3", "1", "1", "1", "1"],
                # OTHER changed NIR: two rows, one BEN_IDT_ANO; same-sex twins share (NIR, rank)
                "BEN_IDT_ANO": [
                    "P_MOTHER",
                    "P_CHILD1",
                    "P_CHILD2",
                    "P_OTHER",
                    "P_OTHER",
                    "P_TWIN1",
                    "P_TWIN2",
                ],
            }
        ).astype("string[pyarrow]")
    )


def test_person_index_falls_back_on_nir_and_rank(backend):
    frame = backend.frame(
        pd.DataFrame(
            {
                "BEN_NIR_PSA": ["A" * 17, "B" * 17],
                "BEN_RNG_GEM": ["1", "2"],
                "BEN_IDT_ANO": ["ID_A", None],
            }
        ).astype("string[pyarrow]")
    )
    out = rows(person_index(frame).to_native(), ["BEN_NIR_PSA"])
    assert [r["patient_id"] for r in out] == ["ID_A", "B" * 17 + "_2"]


def test_dcir_attribution_counts_every_outcome(backend):
    prs = backend.frame(
        pd.DataFrame(
            {
                "BEN_NIR_PSA": [
                    MOTHER,
                    MOTHER,
                    MOTHER,
                    OTHER,
                    NEW_NIR,
                    TWINS,
                    "Z" * 17,
                    "xxxxxxxxxxxxxxxxx",
                    None,
                    "SHORT",
                ],
                "BEN_RNG_GEM": ["1", "2", "3", "1", "1", "1", "1", "1", "1", "1"],
                "line": [str(i) for i in range(10)],
            }
        ).astype("string[pyarrow]")
    )
    report = Report()
    out = attribute_dcir(prs, ben(backend), report=report)
    assert [(r["line"], r["patient_id"]) for r in rows(out, ["line"])] == [
        ("0", "P_MOTHER"),
        ("1", "P_CHILD1"),
        ("2", "P_CHILD2"),
        ("3", "P_OTHER"),
        ("4", "P_OTHER"),  # two NIRs, one person
    ]
    counts = report.to_pandas()
    assert counts[["step", "rows_in", "rows_removed", "rows_out"]].values.tolist() == [
        ["identity:invalid_nir", 10, 3, 7],
        ["identity:not_in_referential", 7, 1, 6],
        ["identity:ambiguous", 6, 1, 5],  # same-sex twins sharing NIR and rank
    ]
    assert set(counts["table"]) == {"ER_PRS_F"}


def test_pmsi_attribution_on_nir_only(backend):
    stays = backend.frame(
        pd.DataFrame(
            {
                "NIR_ANO_17": [OTHER, NEW_NIR, MOTHER, TWINS, "Z" * 17, "XXXXXXXXXXXXXXXXD", None],
                "RSA_NUM": [str(i) for i in range(7)],
            }
        ).astype("string[pyarrow]")
    )
    report = Report()
    out = attribute_pmsi(stays, ben(backend), table="T_MCOaaC", report=report)
    assert [(r["RSA_NUM"], r["patient_id"]) for r in rows(out, ["RSA_NUM"])] == [
        ("0", "P_OTHER"),
        ("1", "P_OTHER"),
    ]
    assert report.to_pandas()[["step", "rows_removed"]].values.tolist() == [
        ["identity:invalid_nir", 2],
        ["identity:not_in_referential", 1],
        # no sex or age in these stays: nothing to tell the persons of a key apart
        ["identity:ambiguous", 2],  # the mother's NIR (3 persons) and the twins' NIR
    ]
    assert report.notes_pandas()[["step", "rows_counted"]].values.tolist() == [
        ["identity:attributed_by_key", 2],
        ["identity:attributed_by_sex_age", 0],
    ]
