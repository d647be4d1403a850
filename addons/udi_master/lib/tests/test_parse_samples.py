"""The table of real-world scan strings (``udi_master_lib.samples``) through ``parse_udi``."""

import datetime

import pytest
from udi_master_lib.errors import UdiError
from udi_master_lib.parse import parse_udi
from udi_master_lib.samples import SCAN_SAMPLES

TODAY = datetime.date(2025, 6, 1)


def _comparable(key, value):
    if key == "warnings":
        return sorted(w["code"] for w in value if w["code"] != "expired")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def test_table_has_at_least_40_samples():
    assert len(SCAN_SAMPLES) >= 40
    assert all(("expect" in sample) != ("error" in sample) for sample in SCAN_SAMPLES)


@pytest.mark.parametrize("sample", SCAN_SAMPLES, ids=lambda sample: repr(sample["code"])[:50])
def test_real_world_scan(sample):
    if "error" in sample:
        with pytest.raises(UdiError) as caught:
            parse_udi(sample["code"], today=TODAY)
        assert caught.value.code == sample["error"], str(caught.value)
        return
    result = parse_udi(sample["code"], today=TODAY)
    expected = dict(sample["expect"])
    expected.setdefault("warnings", [])
    got = {key: _comparable(key, result[key]) for key in expected}
    assert got == {key: sorted(v) if key == "warnings" else v for key, v in expected.items()}
