"""Deaths from IR_BEN_R, the CépiDc certificates (KI_CCI_R) and MCO discharges; causes of
death (KI_ECD_R). Hand-made certificates on the persons of the shared world."""

import pandas as pd
import pytest

from snds_algos.errors import MissingTableError
from snds_algos.events import death_causes, deaths, validate_events
from snds_algos.events.deaths import CAUSE_EXTRAS, DEATH_EXTRAS
from snds_algos.events.schema import event_order
from snds_algos.reports import Report
from tests.events.builders import SOLO_ID, D, date_series, ints, strings
from tests.events.world import on, world
from tests.helpers import rows

# KI_CCI_R: one row per certificate (BEN_IDT_ANO, date, initial cause)
CERTIFICATES = [
    ("MULTI", D(2020, 8, 9), "C349"),  # same date as IR_BEN_R
    ("MULTI", D(2020, 8, 12), "I219"),  # a later second certificate: not used
    ("TWIN_A", D(2021, 1, 15), "V892"),  # alive in IR_BEN_R: dated by the certificate
    ("TWIN_B", D(1600, 1, 1), "X59"),  # sentinel date: deaths:no_date
    ("TWIN_B", None, "X59"),  # missing date: deaths:no_date
    (None, D(2020, 3, 3), "J189"),  # not matched: identity:invalid_idt
    (SOLO_ID, D(2020, 4, 4), "I64"),  # SOLO has no BEN_IDT_ANO: not_in_referential
    ("GHOST", D(2020, 4, 4), "I64"),  # not in IR_BEN_R: not_in_referential
    ("MOTHER", D(2021, 2, 2), "I64"),  # two certificates on one date:
    ("MOTHER", D(2021, 2, 2), "C509"),  # the smallest cause
]
# KI_ECD_R: (certificate, BEN_IDT_ANO, date, rank, cause)
CAUSES = [
    ("D1", "MULTI", D(2020, 8, 9), 1, "C349"),
    ("D1", "MULTI", D(2020, 8, 9), 2, "J449"),
    ("D1", "MULTI", D(2020, 8, 9), 3, "C349"),  # repeated at a higher rank: rank 1 kept
    ("D1", "MULTI", D(2020, 8, 9), 4, None),  # death_causes:no_code
    ("D2", "MULTI", D(2020, 8, 12), 1, "I219"),
    ("D2", "MULTI", D(2020, 8, 12), 2, "J449"),  # same rank as in D1, later: D1 kept
    ("D3", "TWIN_A", D(2021, 1, 15), 1, "V892"),
    ("D3", "TWIN_A", D(2021, 1, 15), 2, "S069"),
    ("D0", "TWIN_A", D(2021, 1, 15), 1, "V892"),  # a duplicate certificate: smaller id kept
    ("D4", "TWIN_B", D(1600, 1, 1), 1, "X59"),  # death_causes:no_date
    ("D5", None, D(2020, 3, 3), 1, "J189"),  # identity:invalid_idt
    ("D6", "GHOST", D(2020, 4, 4), 1, "I10"),  # identity:not_in_referential
]


def ki_cci_r() -> pd.DataFrame:
    idt, date, cause = zip(*CERTIFICATES, strict=True)
    return pd.DataFrame(
        {
            "BEN_IDT_ANO": strings(idt),
            "BEN_DCD_DTE": date_series(date),
            "DCD_CIM_COD": strings(cause),
        }
    )


def ki_ecd_r() -> pd.DataFrame:
    cert, idt, date, rank, cause = zip(*CAUSES, strict=True)
    return pd.DataFrame(
        {
            "DCD_IDT_ENC": strings(cert),
            "BEN_IDT_ANO": strings(idt),
            "BEN_DCD_DTE": date_series(date),
            "ECD_CAU_RNG": ints(rank),
            "ECD_CIM_COD": strings(cause),
        }
    )


def cepidc_world() -> dict[str, pd.DataFrame]:
    return {**world(), "KI_CCI_R": ki_cci_r(), "KI_ECD_R": ki_ecd_r()}


def got(frame, extra="cause"):
    """(patient_id, start, source, extra) of each event, in the total order."""
    order = event_order(DEATH_EXTRAS if extra == "cause" else CAUSE_EXTRAS)
    return [(r["patient_id"], r["start"], r["source"], r[extra]) for r in rows(frame, order)]


def steps(report: Report, table: str) -> list[list]:
    frame = report.to_pandas()
    frame = frame[frame["table"] == table]
    return frame[["step", "rows_in", "rows_removed"]].values.tolist()


def test_default_priority_referential_then_certificate_then_pmsi(backend):
    report = Report()
    out = deaths(on(backend, cepidc_world()), report=report)
    validate_events(out, DEATH_EXTRAS, data_checks=True)
    assert got(out) == [
        ("MOTHER", D(2021, 2, 2), "KI_CCI_R", "C509"),  # smallest cause of the date
        ("MULTI", D(2020, 8, 9), "IR_BEN_R", None),  # the referential first, no cause
        ("TWIN_A", D(2021, 1, 15), "KI_CCI_R", "V892"),  # only a certificate
    ]
    assert steps(report, "KI_CCI_R") == [
        ["deaths:no_date", 10, 2],
        ["identity:invalid_idt", 8, 1],
        ["identity:not_in_referential", 7, 2],
        ["identity:ambiguous", 5, 0],
    ]
    assert report.skipped == []


def test_the_order_of_sources_is_the_priority(backend):
    data = on(backend, cepidc_world())
    certificate_first = deaths(data, sources=["KI_CCI_R", "IR_BEN_R", "T_MCOaaB"])
    assert got(certificate_first)[1] == ("MULTI", D(2020, 8, 9), "KI_CCI_R", "C349")
    pmsi_first = deaths(data, sources=["T_MCOaaB", "KI_CCI_R"])
    assert got(pmsi_first) == [
        ("MOTHER", D(2021, 2, 2), "KI_CCI_R", "C509"),
        ("MULTI", D(2020, 7, 2), "T_MCOaaB", None),  # exit of the stay with SOR_MOD 9
        ("TWIN_A", D(2021, 1, 15), "KI_CCI_R", "V892"),
    ]
    every = deaths(data, all_sources=True)
    validate_events(every, DEATH_EXTRAS, data_checks=True)
    assert got(every) == [
        ("MOTHER", D(2021, 2, 2), "KI_CCI_R", "C509"),
        ("MULTI", D(2020, 7, 2), "T_MCOaaB", None),
        ("MULTI", D(2020, 8, 9), "KI_CCI_R", "C349"),  # the earliest of two certificates
        ("MULTI", D(2020, 8, 9), "IR_BEN_R", None),  # total order: cause before source
        ("TWIN_A", D(2021, 1, 15), "KI_CCI_R", "V892"),
    ]


def test_absent_cepidc_is_skipped_and_reported(backend):
    report = Report()
    out = deaths(on(backend, world()), report=report)
    validate_events(out, DEATH_EXTRAS, data_checks=True)
    assert got(out) == [("MULTI", D(2020, 8, 9), "IR_BEN_R", None)]
    assert [(t, s) for t, s, _ in report.skipped] == [("KI_CCI_R", "deaths")]
    with pytest.raises(MissingTableError, match="KI_CCI_R"):
        deaths(on(backend, world()), sources=["KI_CCI_R"])


def test_unknown_sources_are_refused():
    with pytest.raises(ValueError, match="death_causes"):
        deaths(world(), sources=["KI_ECD_R"])
    with pytest.raises(ValueError, match="at least one"):
        deaths(world(), sources=[])


def test_certificates_need_a_referential_with_ben_idt_ano(backend):
    tables = cepidc_world()
    tables["IR_BEN_R"] = tables["IR_BEN_R"].drop(columns=["BEN_IDT_ANO"])
    report = Report()
    out = deaths(on(backend, tables), sources=["KI_CCI_R"], report=report)
    assert got(out) == []
    assert steps(report, "KI_CCI_R")[2] == ["identity:not_in_referential", 7, 7]


def test_death_causes_one_event_per_person_and_code(backend):
    report = Report()
    out = death_causes(on(backend, cepidc_world()), report=report)
    validate_events(out, CAUSE_EXTRAS, data_checks=True)
    found = [
        (r["patient_id"], r["start"], r["value"], r["group_id"], r["rank"], r["source"])
        for r in rows(out, event_order(CAUSE_EXTRAS))
    ]
    assert found == [
        ("MULTI", D(2020, 8, 9), "C349", "D1", 1, "KI_ECD_R"),
        ("MULTI", D(2020, 8, 9), "J449", "D1", 2, "KI_ECD_R"),
        ("MULTI", D(2020, 8, 12), "I219", "D2", 1, "KI_ECD_R"),
        ("TWIN_A", D(2021, 1, 15), "S069", "D3", 2, "KI_ECD_R"),
        ("TWIN_A", D(2021, 1, 15), "V892", "D0", 1, "KI_ECD_R"),
    ]
    assert steps(report, "KI_ECD_R") == [
        ["death_causes:no_code", 12, 1],
        ["death_causes:no_date", 11, 1],
        ["identity:invalid_idt", 10, 1],
        ["identity:not_in_referential", 9, 1],
        ["identity:ambiguous", 8, 0],
    ]


def test_death_causes_select_icd10_prefixes(backend):
    data = on(backend, cepidc_world())
    selected = death_causes(data, codes=["C", "J44"])
    assert got(selected, "rank") == [
        ("MULTI", D(2020, 8, 9), "KI_ECD_R", 1),
        ("MULTI", D(2020, 8, 9), "KI_ECD_R", 2),
    ]
    exact = death_causes(data, codes=["V89"], how="exact")
    assert got(exact, "rank") == []
