"""Events: the facts every algorithm is built from, extracted from the raw tables.

Each extractor reads the raw SNDS tables through a :class:`~snds_algos.io.TableSource`
(contracts, only the needed columns), applies the cleaning rules and the patient
identity policy, and returns events in one long schema (see
:mod:`snds_algos.events.schema`) on the backend of the source.

>>> from snds_algos.events import EVENT_COLUMNS
>>> list(EVENT_COLUMNS)
['patient_id', 'category', 'group_id', 'value', 'weight', 'start', 'end', 'source']
"""

from snds_algos.events.acts import biology_acts, medical_acts, visits
from snds_algos.events.ald import long_term_illnesses
from snds_algos.events.codelists import (
    CodeList,
    available_codelists,
    load_codelist,
    read_codelist,
)
from snds_algos.events.deaths import death_causes, deaths
from snds_algos.events.diagnoses import hospital_diagnoses
from snds_algos.events.drugs import drug_dispensings, hospital_drug_dispensings
from snds_algos.events.patients import PATIENT_COLUMNS, patients
from snds_algos.events.schema import (
    EVENT_COLUMNS,
    EVENT_ORDER,
    event_order,
    events_from_records,
    validate_events,
)
from snds_algos.events.stays import hospital_stays, hospitalisation_episodes

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_ORDER",
    "PATIENT_COLUMNS",
    "CodeList",
    "available_codelists",
    "biology_acts",
    "death_causes",
    "deaths",
    "drug_dispensings",
    "event_order",
    "events_from_records",
    "hospital_diagnoses",
    "hospital_drug_dispensings",
    "hospital_stays",
    "hospitalisation_episodes",
    "load_codelist",
    "long_term_illnesses",
    "medical_acts",
    "patients",
    "read_codelist",
    "validate_events",
    "visits",
]
