"""bin/demo creates the demo database with English as base language and Simplified Chinese too."""

import re
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "bin" / "demo"


def test_demo_loads_english_and_chinese():
    # Odoo 19 makes the first language of --load-language the only base one: with zh_CN alone
    # admin and the portal users (documented as English) see Chinese.
    languages = re.findall(r"--load-language=(\S+)", DEMO.read_text())
    assert languages, "bin/demo no longer passes --load-language"
    for value in languages:
        codes = value.split(",")
        assert codes[0] == "en_US", value
        assert "zh_CN" in codes, value
