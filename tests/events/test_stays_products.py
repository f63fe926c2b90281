"""Hospital stays of the SSR and HAD products (hospital_stays(products=...)), on every
backend."""

import datetime as dt

import pytest

from snds_algos.events import hospital_stays, validate_events
from snds_algos.events.schema import event_order
from snds_algos.events.stays import STAY_EXTRAS
from snds_algos.reports import Report
from tests.helpers import rows
from tests.omop.world import HAD_ID, SSR_ID, STAY_ID, tables, tables_with_ssr_had

D = dt.date


def _stays(backend, world, **kwargs):
    data = {t: backend.frame(f) for t, f in world.items()}
    out = hospital_stays(data, **kwargs)
    validate_events(out, STAY_EXTRAS, data_checks=True)
    keys = ["patient_id", "group_id", "value", "weight", "start", "end", "source", "entry_mode"]
    return [tuple(r[k] for k in keys) for r in rows(out, event_order(STAY_EXTRAS))]


def test_ssr_and_had_stays_on_request(backend):
    got = _stays(backend, tables_with_ssr_had(), products=("MCO", "SSR", "HAD"))
    assert sorted(got, key=str) == sorted(
        [
            ("PA", STAY_ID, "10M02T", 3.0, D(2020, 3, 2), D(2020, 3, 5), "T_MCOaaB", "8"),
            # weight = exit - entry (as SEJ_NBJ); no GHM, no entry mode per stay
            ("PA", SSR_ID, "", 14.0, D(2020, 3, 6), D(2020, 3, 20), "T_SSRaaB", None),
            ("PB", HAD_ID, "", 30.0, D(2020, 5, 1), D(2020, 5, 31), "T_HADaaB", None),
        ],
        key=str,
    )


def test_mco_only_by_default_and_absent_products_said(backend):
    assert [r[1] for r in _stays(backend, tables_with_ssr_had())] == [STAY_ID]
    report = Report()
    data = {t: backend.frame(f) for t, f in tables().items()}
    hospital_stays(data, products=("MCO", "SSR"), report=report)
    assert ("T_SSRaaC", "SSR stays", "tables not in the source") in report.skipped


def test_unknown_product_is_an_error():
    with pytest.raises(ValueError, match="products: unknown RIP"):
        hospital_stays(tables(), products=("MCO", "RIP"))
