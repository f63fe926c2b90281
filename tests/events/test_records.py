"""The typed events builder of spec tests (``events_from_records``): the event contract
on every backend, nulls for left-out columns, clear errors."""

import datetime as dt

import pytest

from snds_algos.errors import ContractError
from snds_algos.events import events_from_records, validate_events
from snds_algos.events.schema import CASE_EXTRAS, EVENT_COLUMNS
from tests.helpers import rows

D = dt.date

RECORDS = [
    {"patient_id": "P2", "category": "drug_dispensing", "value": "A10BA02", "weight": 2.0,
     "start": D(2020, 3, 1), "source": "ER_PHA_F", "large_pack": True},
    {"patient_id": "P1", "category": "hospital_diagnosis", "group_id": "s1", "value": "E11",
     "start": "2020-05-02", "end": "2020-05-04", "source": "T_MCOaaB", "position": "DP",
     "level": "stay"},
]  # fmt: skip


def test_records_meet_the_event_contract_on_every_backend(backend):
    records = events_from_records(RECORDS)
    assert records["patient_id"].tolist() == ["P2", "P1"]  # in the order given
    frame = backend.frame(records)
    validate_events(frame, CASE_EXTRAS)
    assert list(frame.columns) == [*EVENT_COLUMNS, *CASE_EXTRAS]
    assert rows(backend.collect(frame), ["patient_id"]) == [
        {"patient_id": "P1", "category": "hospital_diagnosis", "group_id": "s1",
         "value": "E11", "weight": None, "start": D(2020, 5, 2), "end": D(2020, 5, 4),
         "source": "T_MCOaaB", "large_pack": None, "position": "DP", "level": "stay"},
        {"patient_id": "P2", "category": "drug_dispensing", "group_id": None,
         "value": "A10BA02", "weight": 2.0, "start": D(2020, 3, 1), "end": None,
         "source": "ER_PHA_F", "large_pack": True, "position": None, "level": None},
    ]  # fmt: skip


def test_other_extras_and_no_record():
    frame = events_from_records([], {"cause": "string"})
    assert list(frame.columns) == [*EVENT_COLUMNS, "cause"]
    assert len(validate_events(frame, {"cause": "string"})) == 0


def test_unknown_column_is_named():
    with pytest.raises(ContractError, match=r"unknown column.*: code"):
        events_from_records([{"patient_id": "P1", "code": "E11"}])
