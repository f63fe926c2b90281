"""The cartography's structural rules on hand-made events, on every backend: exclusive
acute / chronic pairs and their unions, the sex restriction of breast cancer, each flag
equal to its algorithm's output restricted to the population; and the flag file's checks."""

from __future__ import annotations

import pandas as pd
import pytest

from snds_algos.cartography import FlagsError, cartography_flags, load_flags
from snds_algos.cartography.structure import flags_problems
from snds_algos.cases import identify
from tests.cases.cartography_events import D, N, ald, dgn, drug, events
from tests.helpers import rows

FLAGS = load_flags()


def population(backend, people):
    """``{patient_id: sex}`` as a population frame of the backend under test."""
    return backend.frame(
        pd.DataFrame(
            {
                "patient_id": pd.array(list(people), dtype="string[pyarrow]"),
                "sex": pd.array(list(people.values()), dtype="string[pyarrow]"),
            }
        )
    )


def flags_of(backend, records, people, names, **kwargs):
    """``{patient_id: row}`` of the cartography of the flags ``names`` (and their parts)."""
    out = cartography_flags(
        events(backend, records),
        population(backend, people),
        N,
        flags=FLAGS.select(names),
        **kwargs,
    )
    return {r["patient_id"]: r for r in rows(backend.collect(out), ["patient_id"])}


def test_acute_in_n_with_an_older_coronary_ald_is_acute_not_chronic_and_in_the_union(backend):
    out = flags_of(
        backend,
        [
            # I21 principal diagnosis in N and a coronary ALD open since 2012
            dgn("ACUTE_AND_ALD", "s1", "I214", "DP", D(N, 3, 4)),
            ald("ACUTE_AND_ALD", "I251", "41", D(2012, 1, 1)),
            # the ALD alone: chronic
            ald("ALD_ONLY", "I251", "41", D(2012, 1, 1)),
            # an acute stay of N-1 and none in N: chronic (stay of the previous years)
            dgn("ACUTE_LAST_YEAR", "s2", "I214", "DP", D(N - 1, 12, 31)),
            # acute on the last day of N
            dgn("ACUTE_DEC31", "s3", "I219", "DP", D(N, 12, 31)),
        ],
        {
            "ACUTE_AND_ALD": "1",
            "ALD_ONLY": "2",
            "ACUTE_LAST_YEAR": "1",
            "ACUTE_DEC31": "2",
            "NOTHING": "1",
        },
        ["SUP_CVIDMCOR_CAT"],
    )
    got = {
        pid: (r["TOP_CVIDM_AIG"], r["TOP_CVCORON_CHR"], r["SUP_CVIDMCOR_CAT"])
        for pid, r in out.items()
    }
    assert got == {
        "ACUTE_AND_ALD": (True, False, True),
        "ALD_ONLY": (False, True, True),
        "ACUTE_LAST_YEAR": (False, True, True),
        "ACUTE_DEC31": (True, False, True),
        "NOTHING": (False, False, False),
    }


def test_every_exclusive_pair_keeps_acute_and_chronic_apart(backend):
    out = flags_of(
        backend,
        [
            # stroke: acute stay in N and an old stroke ALD
            dgn("STROKE", "s1", "I634", "DP", D(N, 5, 1)),
            ald("STROKE", "I639", "41", D(2015, 1, 1)),
            ald("SEQUELAE", "I639", "41", D(2015, 1, 1)),
            # heart failure: acute stay in N and a heart failure stay in N-2
            dgn("HF", "s2", "I500", "DP", D(N, 2, 1)),
            dgn("HF", "s3", "I500", "DP", D(N - 2, 2, 1)),
            dgn("HF_CHRONIC", "s4", "I500", "DP", D(N - 2, 2, 1)),
        ],
        {"STROKE": "1", "SEQUELAE": "2", "HF": "2", "HF_CHRONIC": "1"},
        ["SUP_CVAVC_CAT", "SUP_CVIC_CAT"],
    )
    pairs = [
        ("TOP_CVAVC_AIG", "TOP_CVAVC_SEQ", "SUP_CVAVC_CAT"),
        ("TOP_CVIC_AIG", "TOP_CVIC_CHR", "SUP_CVIC_CAT"),
    ]
    got = {pid: [tuple(r[c] for c in p) for p in pairs] for pid, r in out.items()}
    assert got == {
        "STROKE": [(True, False, True), (False, False, False)],
        "SEQUELAE": [(False, True, True), (False, False, False)],
        "HF": [(False, False, False), (True, False, True)],
        "HF_CHRONIC": [(False, False, False), (False, True, True)],
    }


def test_a_man_with_c50_is_not_in_the_breast_cancer_flags_of_women(backend):
    records = []
    for pid in ("MAN", "WOMAN", "UNKNOWN_SEX"):
        records += [dgn(pid, f"s_{pid}", "C509", "DP", D(N, 4, 1))]
    # an older breast cancer ALD, no active criterion: under surveillance
    records += [ald("WOMAN_OLD", "C509", "41", D(N - 4, 1, 1)), ald("MAN_OLD", "C509", "41", D(N - 4, 1, 1))]  # fmt: skip
    out = flags_of(
        backend,
        records,
        {"MAN": "1", "WOMAN": "2", "UNKNOWN_SEX": None, "WOMAN_OLD": "2", "MAN_OLD": "1"},
        ["SUP_CANSEIF_CAT"],
    )
    names = ("TOP_CANSEIF_ACT", "TOP_CANSEIF_SUR", "SUP_CANSEIF_CAT")
    got = {pid: tuple(r[c] for c in names) for pid, r in out.items()}
    assert got == {
        "MAN": (False, False, False),
        "WOMAN": (True, False, True),
        "UNKNOWN_SEX": (False, False, False),
        "WOMAN_OLD": (False, True, True),
        "MAN_OLD": (False, False, False),
    }


# persons of several conditions, and one outside the population
RECORDS = [
    *(drug("DIABETIC", D(N, m, 1)) for m in (1, 4, 8)),
    ald("DIABETIC", "E119", "11", D(2015, 1, 1)),  # nature 11: counted by the cartography
    ald("DEMENTIA", "G30", "41", D(2018, 1, 1)),
    dgn("EPILEPSY", "s1", "G409", "DP", D(N - 3, 6, 1)),
    dgn("COPD", "s2", "J44", "DP", D(N, 6, 1)),
    dgn("PSYCHOTIC", "s3", "F20", "DP", D(N, 6, 1)),
    dgn("MOOD", "s4", "F32", "DP", D(N, 6, 1)),
    dgn("NEUROTIC", "s5", "F41", "DP", D(N, 6, 1)),
    dgn("COLON", "s6", "C18", "DP", D(N, 6, 1)),
    ald("OUTSIDE", "E119", "41", D(2015, 1, 1)),
    dgn("OUTSIDE", "s7", "I214", "DP", D(N, 6, 1)),
]
PEOPLE = {p: "1" for p in ("DIABETIC", "DEMENTIA", "EPILEPSY", "COPD", "PSYCHOTIC", "MOOD",
                           "NEUROTIC", "COLON", "NO_EVENT")}  # fmt: skip


SPARK_FLAGS = {"TOP_FDIABET_IND", "TOP_NDEMENC_IND", "TOP_PSYCHOS_IND", "TOP_CANCOLO_ACT"}


def test_each_flag_without_a_structural_rule_is_its_algorithm_restricted_to_the_population(
    backend,
):
    from snds_algos.cartography.run import run_definitions

    out = cartography_flags(events(backend, RECORDS), population(backend, PEOPLE), N)
    carto = {r["patient_id"]: r for r in rows(backend.collect(out), ["patient_id"])}
    assert set(carto) == set(PEOPLE)  # one row per person of the population, no other
    runs = {o.run_key: d for o, d in run_definitions(FLAGS)}
    checked = 0
    simple = [f for f in FLAGS.flags if not f.structural and len(f.outputs) == 1]
    if backend.name == "spark":  # every flag on pandas and DuckDB; a few on Spark (slow)
        simple = [f for f in simple if f.name in SPARK_FLAGS]
    for flag in simple:
        (o,) = flag.outputs
        alone = backend.collect(identify(runs[o.run_key], events(backend, RECORDS), N))
        hit = alone[list(o.columns)].any(axis=1)
        expected = set(alone.loc[hit, "patient_id"]) & set(PEOPLE)
        assert {p for p, r in carto.items() if r[flag.name]} == expected, flag.name
        checked += 1
    assert checked >= (len(SPARK_FLAGS) if backend.name == "spark" else 15)
    assert carto["DIABETIC"]["TOP_FDIABET_IND"] and carto["COPD"]["SUP_ABPCOIR_IND_NNEXCLU"]
    # TOP_PDEPNEV_IND: mood or neurotic disorders
    assert {p for p, r in carto.items() if r["TOP_PDEPNEV_IND"]} == {"MOOD", "NEUROTIC"}


def test_the_ald_nature_filter_is_a_parameter_whose_cartography_default_is_none(backend):
    people = {"DIABETIC": "1"}
    records = [ald("DIABETIC", "E119", "11", D(2015, 1, 1))]
    default = flags_of(backend, records, people, ["TOP_FDIABET_IND"])
    filtered = flags_of(
        backend, records, people, ["TOP_FDIABET_IND"], ald_natures=["41", "43", "45"]
    )
    assert default["DIABETIC"]["TOP_FDIABET_IND"] is True
    assert filtered["DIABETIC"]["TOP_FDIABET_IND"] is False


def test_columns_are_the_ct_ind_names_in_file_order(backend):
    out = backend.collect(
        cartography_flags(events(backend, RECORDS), population(backend, PEOPLE), N)
    )
    assert list(out.columns) == ["patient_id", "year", *FLAGS.names]
    assert sorted(out["patient_id"]) == sorted(PEOPLE)
    if backend.name == "pandas":  # DuckDB and Spark results are lazy, in no order
        assert out["patient_id"].tolist() == sorted(PEOPLE)
    assert all(str(out[c].dtype).startswith("bool") for c in FLAGS.names)


# --- the flag file: structure and checks


def test_the_packaged_file_gives_every_pair_its_union_and_cites_known_sources():
    flags = load_flags()
    assert len(set(flags.names)) == len(flags.names)
    for chronic, acute, union in [
        ("TOP_CVCORON_CHR", "TOP_CVIDM_AIG", "SUP_CVIDMCOR_CAT"),
        ("TOP_CVAVC_SEQ", "TOP_CVAVC_AIG", "SUP_CVAVC_CAT"),
        ("TOP_CVIC_CHR", "TOP_CVIC_AIG", "SUP_CVIC_CAT"),
    ]:
        assert flags[chronic].exclusive_of == acute
        assert set(flags[union].union) == {acute, chronic}
    assert flags["TOP_CANSEIF_ACT"].sex == 2 and flags["TOP_CANSEIF_SUR"].sex == 2
    assert {f.status for f in flags.flags} == {"sourced", "to_verify"}
    assert flags["TOP_CVIDM_AIG"].status == "sourced"
    assert "S4" in flags.population["sources"]


BASE = {
    "sources": {"S2": "schema"},
    "flags": [
        {"name": "TOP_A_AIG", "label": "a", "group": "g", "sources": ["S2"],
         "status": "sourced", "from": [{"algorithm": "acute_coronary_syndrome",
                                        "version": "1.0.0", "output": "case"}]},
    ],
}  # fmt: skip


def _with(**changes):
    doc = {"sources": BASE["sources"], "flags": [dict(BASE["flags"][0])]}
    doc["flags"].append({**BASE["flags"][0], "name": "TOP_B_CHR", **changes})
    return doc


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"exclusive_of": "TOP_LATER"},
            "flag TOP_B_CHR.exclusive_of: 'TOP_LATER' is not a flag listed before it",
        ),
        ({"status": "done"}, "flag TOP_B_CHR.status: 'done', expected one of sourced, to_verify"),
        ({"sources": ["S9"]}, "flag TOP_B_CHR.sources: unknown source 'S9'"),
        ({"sex": "F"}, "flag TOP_B_CHR.sex: 1 (men) or 2 (women), got 'F'"),
        ({"union": ["TOP_A_AIG", "TOP_X"]}, "give exactly one of `from`"),
        ({"exclusiv_of": "TOP_A_AIG"}, "flag TOP_B_CHR: unknown field 'exclusiv_of'"),
        ({"name": "top_b"}, "is not a CT_IND column name"),
    ],
)
def test_a_mistake_in_the_flag_file_is_named(changes, message):
    problems, flagset = flags_problems(_with(**changes))
    assert flagset is None
    assert any(message in p for p in problems), problems


def test_unknown_versions_and_criteria_are_named(tmp_path):
    import yaml

    doc = _with(**{"from": [{"algorithm": "diabetes", "version": "9.9.9", "output": "case"}]})
    doc["flags"].append(
        {**BASE["flags"][0], "name": "TOP_C_IND",
         "from": [{"algorithm": "stroke", "version": "0.1.0", "output": ["nope"]}]}
    )  # fmt: skip
    path = tmp_path / "flags.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(FlagsError) as err:
        load_flags(path)
    text = str(err.value)
    assert str(path) in text
    assert "flag TOP_B_CHR.from" in text and "9.9.9" in text
    assert "flag TOP_C_IND.from: stroke 0.1.0 has no enabled criterion 'nope'" in text


def test_select_keeps_the_flags_a_flag_depends_on():
    assert FLAGS.select(["sup_cvavc_cat"]).names == [
        "TOP_CVAVC_AIG",
        "TOP_CVAVC_SEQ",
        "SUP_CVAVC_CAT",
    ]
    with pytest.raises(KeyError, match="no cartography flag 'TOP_NOPE'"):
        FLAGS.select(["TOP_NOPE"])
