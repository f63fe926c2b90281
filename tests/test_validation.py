"""Validation helpers: agreement with CNAM cartography flags, per-criterion rates."""

import pandas as pd
import pytest

from snds_algos.validation import Agreement, cnam_agreement, wilson_interval

S = "string[pyarrow]"


def test_cnam_agreement_on_both_backends(backend):
    nirs = [c * 17 for c in "ABCDEF"]
    ben = backend.frame(
        pd.DataFrame(
            {
                "BEN_NIR_PSA": pd.array([*nirs, "F" * 17], dtype=S),
                "BEN_RNG_GEM": pd.array(["1"] * 7, dtype=S),
                # F's key leads to two persons: left out of the comparison
                "BEN_IDT_ANO": pd.array(["P1", "P2", "P3", "P4", "P5", "P6", "P7"], dtype=S),
            }
        )
    )
    ide = backend.frame(
        pd.DataFrame(
            {
                "ID_CARTO": pd.array([f"c{i}" for i in range(6)], dtype=S),
                "BEN_NIR_PSA": pd.array(nirs, dtype=S),
                "BEN_RNG_GEM": pd.array([1] * 6, dtype="Int64"),
            }
        )
    )
    ind = backend.frame(
        pd.DataFrame(
            {
                "id_carto": pd.array([f"c{i}" for i in range(6)], dtype=S),
                "top_FDiabet_ind": pd.array([1, 1, 0, 0, 1, 1], dtype="Int64"),
            }
        )
    )
    result = backend.frame(
        pd.DataFrame(
            {
                "patient_id": pd.array(["P1", "P3", "P9", "P6"], dtype=S),
                "case": pd.array([True, True, True, True], dtype="boolean"),
            }
        )
    )
    agreement = cnam_agreement(result, ide, ind, ben)
    # P1 both; P3 algorithm only; P2 and P5 CNAM only; P4 neither; P6/P7 ambiguous: out
    assert agreement == Agreement(both=1, algorithm_only=1, reference_only=2, neither=1)
    assert agreement.sensitivity == pytest.approx(1 / 3)
    assert agreement.ppv == pytest.approx(1 / 2)


def test_missing_flag_is_named():
    frame = pd.DataFrame({"id_carto": ["c"], "top_x": [1]})
    with pytest.raises(KeyError, match="CT_IND has no column top_FDiabet_ind"):
        cnam_agreement(
            pd.DataFrame({"patient_id": ["P"], "case": [True]}),
            pd.DataFrame({"id_carto": ["c"], "ben_nir_psa": ["A" * 17], "ben_rng_gem": ["1"]}),
            frame,
            pd.DataFrame({"BEN_NIR_PSA": ["A" * 17], "BEN_RNG_GEM": ["1"], "BEN_IDT_ANO": ["P"]}),
        )


def test_kappa_and_intervals():
    perfect = Agreement(both=10, algorithm_only=0, reference_only=0, neither=90)
    assert perfect.kappa == pytest.approx(1.0)
    chance = Agreement(both=25, algorithm_only=25, reference_only=25, neither=25)
    assert chance.kappa == pytest.approx(0.0)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.25 < high < 0.35
    assert perfect.to_dict()["ppv_ci_high"] == pytest.approx(1.0)
