"""The cartography population of year N on hand-made raw tables, on every backend: a care
or a stay in N counts, an open ALD alone does not, deaths before N are removed; and the
run on raw tables flags no one outside the population."""

from __future__ import annotations

import pandas as pd

from snds_algos.cartography import cartography_population, load_flags, run_cartography
from snds_algos.contracts.dtypes import date_series
from snds_algos.reports import Report
from tests.events.builders import D, detail, er_prs_f, ints, ir_pha_r, mco, strings

N = 2020
PEOPLE = {  # patient id: (NIR, sex, death date)
    "CARE_DEC31": ("A" * 17, "1", None),
    "STAY_ONLY": ("B" * 17, "2", None),
    "ALD_NO_CARE_IN_N": ("C" * 17, "1", None),
    "DIED_BEFORE_N": ("D" * 17, "2", D(N - 1, 12, 31)),
    "DIED_JAN1": ("E" * 17, "1", D(N, 1, 1)),
    "INFO_LINE_ONLY": ("F" * 17, "2", None),
    "CARE_JAN1": ("G" * 17, "2", D(N, 6, 1)),
}


def tables() -> dict[str, pd.DataFrame]:
    nir = {p: v[0] for p, v in PEOPLE.items()}
    ben = pd.DataFrame(
        {
            "BEN_NIR_PSA": strings([v[0] for v in PEOPLE.values()]),
            "BEN_RNG_GEM": strings(["1"] * len(PEOPLE)),
            "BEN_IDT_ANO": strings(list(PEOPLE)),
            "BEN_SEX_COD": strings([v[1] for v in PEOPLE.values()]),
            "BEN_NAI_ANN": ints([1950] * len(PEOPLE)),
            "BEN_NAI_MOI": ints([1] * len(PEOPLE)),
            "BEN_DCD_DTE": date_series([v[2] or D(1600, 1, 1) for v in PEOPLE.values()]),
            "BEN_RES_DPT": strings(["075"] * len(PEOPLE)),
        }
    )
    prs = er_prs_f(
        [
            {"nir": nir["CARE_DEC31"], "date": D(N, 12, 31)},
            {"nir": nir["ALD_NO_CARE_IN_N"], "date": D(N - 1, 12, 31)},
            {"nir": nir["DIED_BEFORE_N"], "date": D(N, 1, 5)},
            {"nir": nir["DIED_JAN1"], "date": D(N, 1, 1)},
            {"nir": nir["INFO_LINE_ONLY"], "date": D(N, 3, 1), "dpn": "71"},
            {"nir": nir["CARE_JAN1"], "date": D(N, 1, 1)},
        ]
    )
    imb = pd.DataFrame(
        {
            "BEN_NIR_PSA": strings([nir["ALD_NO_CARE_IN_N"], nir["CARE_DEC31"]]),
            "BEN_RNG_GEM": strings(["1", "1"]),
            "MED_MTF_COD": strings(["E119", "E119"]),
            "IMB_ETM_NAT": strings(["41", "41"]),
            "IMB_ALD_DTD": date_series([D(2010, 1, 1), D(2010, 1, 1)]),
            "IMB_ALD_DTF": date_series([None, None]),
        }
    )
    stays = mco(
        [
            {
                "rsa": "1",
                "nir": nir["STAY_ONLY"],
                "entry": D(N, 3, 1),
                "exit": D(N, 3, 4),
                "dp": "I214",
            },
            {
                "rsa": "2",
                "nir": nir["ALD_NO_CARE_IN_N"],
                "entry": D(N, 3, 1),
                "exit": D(N, 3, 4),
                "dp": "I214",
                "ghm": "90Z00Z",
            },
        ],
        N,
    )
    pha = detail(
        [{"line": 0, "PHA_PRS_C13": "3400900000003", "PHA_ACT_QSN": 1}],  # a statin
        {"PHA_PRS_C13": strings, "PHA_ACT_QSN": ints},
    )
    return {"IR_BEN_R": ben, "ER_PRS_F": prs, "ER_PHA_F": pha, "IR_PHA_R": ir_pha_r(),
            "IR_IMB_R": imb, **stays}  # fmt: skip


IN_POPULATION = {"CARE_DEC31", "STAY_ONLY", "DIED_JAN1", "CARE_JAN1"}


def test_a_care_or_a_stay_in_n_counts_an_open_ald_alone_does_not_deaths_before_n_are_out(
    backend,
):
    report = Report()
    pop = backend.collect(cartography_population(backend.source(tables()), N, report=report))
    assert set(pop["patient_id"]) == IN_POPULATION
    assert dict(zip(pop["patient_id"], pop["sex"], strict=True))["STAY_ONLY"] == "2"
    steps = report.to_pandas().set_index("step")
    assert steps.loc["cartography:no_care_in_year", ["rows_in", "rows_removed"]].tolist() == [
        len(PEOPLE),
        2,  # the open ALD without care in N (its only stay of N is a GHM in error), the info line
    ]
    assert steps.loc["cartography:died_before_year", "rows_removed"] == 1
    assert steps.loc["cartography:died_before_year", "rows_out"] == len(IN_POPULATION)


def test_the_run_flags_no_one_outside_the_population(backend):
    flags = load_flags().select(["TOP_FDIABET_IND", "SUP_CVIDMCOR_CAT"])
    out = backend.collect(run_cartography(backend.source(tables()), N, flags=flags))
    assert set(out["patient_id"]) == IN_POPULATION
    by_id = out.set_index("patient_id")
    # an open diabetes ALD: counted for the person with a care in N only
    assert by_id.loc["CARE_DEC31", "TOP_FDIABET_IND"]
    assert "ALD_NO_CARE_IN_N" not in by_id.index
    # an I21 stay in N: acute coronary syndrome, in the union, not chronic
    assert by_id.loc["STAY_ONLY", ["TOP_CVIDM_AIG", "TOP_CVCORON_CHR", "SUP_CVIDMCOR_CAT"]].tolist() == [True, False, True]  # fmt: skip
    assert not by_id.drop(index=["CARE_DEC31", "STAY_ONLY"]).iloc[:, 1:].to_numpy().any()
