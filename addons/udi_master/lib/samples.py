"""Real-world UDI scan strings with what they must parse to, shared by the pure tests
(``lib/tests/test_parse_samples.py``) and the Odoo tests (``tests/test_udi_parser.py``).

Each entry: ``code`` (exactly what arrives from the scanner or keyboard), ``source`` (where the
string or its GTIN comes from) and either ``expect`` (result keys to compare; dates as ISO strings;
``warnings`` lists the warning codes other than ``expired``, which depends on the day the test runs)
or ``error`` (the :class:`~.errors.UdiError` code).

GTINs are published example or real GTINs with valid check digits: GS1 General Specifications and
GS1 Digital Link examples (10012345678902, 09501101020917, 09506000134352, 09520123456788), the GS1
US UDI implementation guideline (00614141999996, 10614141999993), FDA UDI and GUDID examples
(51022222233336, 00844588003288, 00643169007222), biip's documentation (07032069804988, a retail
product) and the Wikipedia EAN/UPC articles (4006381333931, 5901234123457, 036000291452, 96385074).
HIBC strings come from ANSI/HIBC 2.6: the worked check-character example ``+A123BJC5D6E71G`` with
its secondary ``+$$52001510X3GD``, the concatenated example ``+A99912345/$$52001510X3…``, the
GUDID guide's ``+A999ABC1230V`` and the HIBC ``H124`` / ``Z999`` labeler examples.
"""

GS = "\x1d"

SCAN_SAMPLES = [
    # -- GS1 element strings as scanners transmit them -------------------------------------------
    {
        "code": "]d20110012345678902",
        "source": "GS1 GenSpecs §5.1.3 transmission example, GS1 DataMatrix",
        "expect": {"issuer": "gs1", "di": "10012345678902", "lot": None, "serial": None},
    },
    {
        "code": "]e00110012345678902",
        "source": "GS1 GenSpecs §5.1.3 transmission example, GS1 DataBar",
        "expect": {"issuer": "gs1", "di": "10012345678902"},
    },
    {
        "code": "]Q30110012345678902",
        "source": "GS1 GenSpecs §5.1.3 transmission example, GS1 QR Code",
        "expect": {"issuer": "gs1", "di": "10012345678902"},
    },
    {
        "code": "]e0011001234567890210ABC123",
        "source": "GS1 GenSpecs §5.1.3 transmission example with a lot",
        "expect": {"issuer": "gs1", "di": "10012345678902", "lot": "ABC123"},
    },
    {
        "code": "010703206980498815210526100329",
        "source": "biip documentation: retail GTIN with best-before date and lot",
        "expect": {"di": "07032069804988", "lot": "0329", "expiry": None,
                   "hri": "(01)07032069804988(15)210526(10)0329"},
    },
    {
        "code": "]C1010950110102091717190508" "10ABC123" + GS + "211234",
        "source": "GS1 GenSpecs healthcare example, GS1-128 with FNC1 as ASCII 29",
        "expect": {"di": "09501101020917", "expiry": "2019-05-08", "lot": "ABC123",
                   "serial": "1234"},
    },
    {
        "code": "0109501101020917" "17190508" "10ABC123<GS>211234",
        "source": "same label, separator typed as <GS>",
        "expect": {"di": "09501101020917", "lot": "ABC123", "serial": "1234"},
    },
    {
        "code": "0109501101020917" "17190508" "10ABC123{GS}211234",
        "source": "same label, separator as {GS} (wedge software setting)",
        "expect": {"di": "09501101020917", "lot": "ABC123", "serial": "1234"},
    },
    {
        "code": "0109501101020917" "17190508" "10ABC123\\x1d211234",
        "source": "same label, separator copied from a log as the escape \\x1d",
        "expect": {"di": "09501101020917", "lot": "ABC123", "serial": "1234"},
    },
    {
        "code": GS + "0151022222233336" "11141231" "17150707" "10A213B1" + GS + "211234\r\n",
        "source": "FDA UDI example label, FNC1 in first position passed through, CR LF suffix",
        "expect": {"di": "51022222233336", "manufactured": "2014-12-31",
                   "expiry": "2015-07-07", "lot": "A213B1", "serial": "1234"},
    },
    {
        "code": "]d201008445880032881714112010" "7654321D" + GS + "2110",
        "source": "FDA GUDID example DI with expiry, lot and serial",
        "expect": {"di": "00844588003288", "expiry": "2014-11-20", "lot": "7654321D",
                   "serial": "10"},
    },
    {
        "code": "]d20100614141999996" "17150100" "10A1234",
        "source": "GS1 US UDI guideline example with expiry day 00",
        "expect": {"di": "00614141999996", "expiry": "2015-01-31", "lot": "A1234",
                   "warnings": ["date_day_00"]},
    },
    {
        "code": "0110614141999993" "17240200" "10LOT42",
        "source": "GS1 US case-level GTIN, day 00 in a leap February",
        "expect": {"di": "10614141999993", "expiry": "2024-02-29", "lot": "LOT42",
                   "warnings": ["date_day_00"]},
    },
    {
        "code": "0100643169007222" "17160128" "10CY12345",
        "source": "FDA UDI presentation example (implant)",
        "expect": {"di": "00643169007222", "expiry": "2016-01-28", "lot": "CY12345"},
    },
    {
        "code": "0109506000134352" "1726123110ABC" + GS + "30" "12",
        "source": "GS1 Digital Link example GTIN, count of items (30)",
        "expect": {"di": "09506000134352", "expiry": "2026-12-31", "lot": "ABC",
                   "quantity": 12},
    },
    {
        "code": "01095011010209171719050810ABC123" + GS,
        "source": "scanner that appends a trailing GS",
        "expect": {"di": "09501101020917", "lot": "ABC123"},
    },
    # -- human-readable forms ---------------------------------------------------------------------
    {
        "code": "(01)09501101020917(17)190508(10)ABC123(21)1234",
        "source": "GS1 GenSpecs HRI under the same label",
        "expect": {"di": "09501101020917", "expiry": "2019-05-08", "lot": "ABC123",
                   "serial": "1234", "hri": "(01)09501101020917(17)190508(10)ABC123(21)1234"},
    },
    {
        "code": "(01) 51022222233336 (11) 141231 (17) 150707 (10) A213B1 (21) 1234",
        "source": "FDA example label HRI typed with spaces",
        "expect": {"di": "51022222233336", "manufactured": "2014-12-31", "lot": "A213B1",
                   "serial": "1234"},
    },
    {
        "code": "(01)00844588003288(21)12345678p901",
        "source": "GS1 GenSpecs healthcare HRI with a lower-case serial",
        "expect": {"di": "00844588003288", "serial": "12345678p901"},
    },
    # -- GS1 Digital Link ------------------------------------------------------------------------
    {
        "code": "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
        "source": "GS1 Digital Link standard example",
        "expect": {"di": "09520123456788", "lot": "ABC1", "serial": "12345",
                   "expiry": "2018-04-26"},
    },
    {
        "code": "]Q1https://example.com/products/01/09506000134352/10/AB%2F12?11=250101&17=271231"
                "&linkType=gs1:pip",
        "source": "Digital Link on a brand domain with a path prefix, QR symbology, encoded '/'",
        "expect": {"di": "09506000134352", "lot": "AB/12", "manufactured": "2025-01-01",
                   "expiry": "2027-12-31"},
    },
    {
        "code": "HTTPS://ID.GS1.ORG/01/00614141999996/21/SN0001",
        "source": "Digital Link in an upper-case QR (alphanumeric mode)",
        "expect": {"di": "00614141999996", "serial": "SN0001"},
    },
    # -- bare GTINs ------------------------------------------------------------------------------
    {
        "code": "]E04006381333931",
        "source": "Wikipedia EAN-13 example",
        "expect": {"di": "04006381333931", "lot": None, "warnings": ["bare_gtin"]},
    },
    {
        "code": "036000291452",
        "source": "Wikipedia UPC-A example",
        "expect": {"di": "00036000291452", "warnings": ["bare_gtin"]},
    },
    # -- HIBC ------------------------------------------------------------------------------------
    {
        "code": "+A123BJC5D6E71G",
        "source": "ANSI/HIBC 2.6 §B.2.0 check character example (primary)",
        "expect": {"issuer": "hibcc", "di": "+A123BJC5D6E71G", "lot": None},
    },
    {
        "code": "*+A999ABC1230V*",
        "source": "HIBCC GUDID guide unit-of-use DI, Code 39 HRI with asterisks",
        "expect": {"issuer": "hibcc", "di": "+A999ABC1230V"},
    },
    {
        "code": "+$$52001510X3GD",
        "source": "ANSI/HIBC 2.6 Appendix E1.3 secondary symbol linked to +A123BJC5D6E71G",
        "expect": {"issuer": "hibcc", "di": None, "lot": "10X3", "expiry": "2020-01-15",
                   "warnings": ["hibc_secondary_only"]},
    },
    {
        "code": "+A123BJC5D6E71G\n+$$52001510X3GD",
        "source": "the primary and its secondary scanned into one field",
        "expect": {"issuer": "hibcc", "di": "+A123BJC5D6E71G", "lot": "10X3",
                   "expiry": "2020-01-15"},
    },
    {
        "code": "+A99912345/$$52001510X33",
        "source": "ANSI/HIBC 2.6 §2.2.1.1 concatenated example with its check character",
        "expect": {"issuer": "hibcc", "di": "+A999123457", "lot": "10X3",
                   "expiry": "2020-01-15"},
    },
    {
        "code": "+A99912345/$$52001510X3/16D20111212/S77DE1G45-",
        "source": "ANSI/HIBC 2.6 example with manufacture date (16D) and serial (S)",
        "expect": {"issuer": "hibcc", "di": "+A999123457", "lot": "10X3",
                   "serial": "77DE1G45", "expiry": "2020-01-15", "manufactured": "2011-12-12"},
    },
    {
        "code": "]C0+H124009993019351/1715160668893E07L",
        "source": "HIBC H124 labeler example, Julian-date secondary (YYJJJ + lot), Code 128",
        "expect": {"issuer": "hibcc", "di": "+H124009993019351S", "lot": "60668893E07",
                   "expiry": "2017-05-31"},
    },
    {
        "code": "+Z999009993020351/$$3250131LOT1/S0001Y",
        "source": "HIBC Z999 labeler example, YYMMDD expiry with lot and serial",
        "expect": {"di": "+Z999009993020351F", "lot": "LOT1", "serial": "0001",
                   "expiry": "2025-01-31"},
    },
    {
        "code": "+Z999009993020351/$$+20131270001J",
        "source": "HIBC serial with MMDDYY expiry ($$+2)",
        "expect": {"di": "+Z999009993020351F", "serial": "0001", "lot": None,
                   "expiry": "2027-01-31"},
    },
    {
        "code": "+Z999009993020351/$$8241227LOT7P",
        "source": "HIBC 2-digit quantity, MMYY expiry ($$8 QQ, flag 1 = first digit of the month)",
        "expect": {"di": "+Z999009993020351F", "lot": "LOT7", "quantity": 24,
                   "expiry": "2027-12-31"},
    },
    {
        "code": "+Z999009993020351/$3C001O",
        "source": "HIBC legacy '$' lot format (FDA: backward compatibility only)",
        "expect": {"lot": "3C001", "warnings": ["hibc_legacy_format"]},
    },
    # -- errors ---------------------------------------------------------------------------------
    {"code": "", "source": "empty scan", "error": "empty"},
    {"code": "  \r\n", "source": "scanner sent only CR LF", "error": "empty"},
    {"code": "]d2", "source": "symbology identifier without data", "error": "empty"},
    {
        "code": "0109501101020918" "17190508" "10ABC123",
        "source": "GS1 GenSpecs example with the GTIN's last digit mistyped",
        "error": "gtin_bad_check_digit",
    },
    {
        "code": "(01)09501101020917(17)270231(10)ABC123",
        "source": "impossible expiry date 31 February",
        "error": "date_impossible",
    },
    {
        "code": "0109501101020917" "17271301",
        "source": "impossible expiry month 13",
        "error": "date_impossible",
    },
    {
        "code": "0109501101020917" "9912ABC" + GS + "10X",
        "source": "company-internal AI (99) is read and ignored",
        "expect": {"di": "09501101020917", "lot": "X"},
    },
    {
        "code": "(01)09501101020917(23)1234",
        "source": "AI (23) does not exist",
        "error": "gs1_unknown_ai",
    },
    {
        "code": "01095011010209",
        "source": "GTIN cut short by a damaged label",
        "error": "gs1_truncated",
    },
    {
        "code": "0109501101020917" "1719",
        "source": "expiry date cut short",
        "error": "gs1_truncated",
    },
    {
        "code": "0109501101020917" "10ABCDEFGHIJKLMNOPQRSTU",
        "source": "lot of 21 characters",
        "error": "pi_too_long",
    },
    {
        "code": "(01)09501101020917(10)AB CD",
        "source": "lot with a space",
        "error": "pi_bad_character",
    },
    {
        "code": "0109501101020917" "10ABC#1",
        "source": "lot with '#', which is not in GS1 character set 82",
        "error": "pi_bad_character",
    },
    {
        "code": "(17)270131(10)ABC123",
        "source": "secondary GS1-128 label scanned without its GTIN label",
        "error": "gtin_missing",
    },
    {
        "code": "00106141411234567897",
        "source": "SSCC of a pallet (GS1 US example), no device identifier",
        "error": "no_di",
    },
    {
        "code": "https://id.gs1.org/00/106141411234567897",
        "source": "Digital Link of an SSCC",
        "error": "no_di",
    },
    {
        "code": "+A99912345/$$52001510X3",
        "source": "vendor sample of the HIBC example that drops the check character",
        "error": "hibc_bad_check_char",
    },
    {
        "code": "+A123BJC5D6E71X",
        "source": "HIBC primary with a wrong check character",
        "error": "hibc_bad_check_char",
    },
    {
        "code": "+A123BJC5D6E71G\n+$$52001510X3KH",
        "source": "secondary of another product scanned after a primary",
        "error": "hibc_link_mismatch",
    },
    {
        "code": "+Z999009993020351/$$3250231LOT19",
        "source": "HIBC expiry 31 February",
        "error": "date_impossible",
    },
    {
        "code": "(01)09501101020917(11)250601(17)250101",
        "source": "expiry before manufacture",
        "error": "expiry_before_manufacture",
    },
    {
        "code": "(01)09501101020917(10)A(10)B",
        "source": "two different lots in one scan",
        "error": "gs1_duplicate_ai",
    },
    {"code": "hello world", "source": "not a barcode at all", "error": "unrecognised"},
    {"code": "0109501101020917\u00e910", "source": "wrong keyboard layout",
     "error": "bad_character"},
]
