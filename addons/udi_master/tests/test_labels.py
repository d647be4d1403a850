import base64
import datetime
import io

import zxingcpp
from lxml import html as lxml_html
from PIL import Image

from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import UdiCommon


@tagged("post_install", "-at_install")
class TestUdiLabels(UdiCommon, HttpCase):
    """Labels of lots and serials, their barcodes decoded back and parsed.

    An HttpCase: wkhtmltopdf fetches the report assets over HTTP, which must reach this test's
    own server (``web.base.url`` is set to it) rather than whatever listens on port 8069.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.catheter.write({"udi_model": "CVC-7F-20", "udi_brand": "VenaFlow"})
        cls.manufactured = datetime.date(2025, 1, 31)
        cls.expiry = datetime.date(2027, 1, 31)
        cls.lot = cls._lot(
            cls.catheter_variant, "CV2501A", expiry=cls.expiry, manufactured=cls.manufactured
        )
        cls.serial = cls._lot(cls.implant.product_variant_id, "PM-000123")
        cls.hibc_device = cls.env["product.template"].create(
            {
                "name": "Bone screw 3.5 mm",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "udi_regulated": True,
                "udi_pi_lot": True,
                "udi_pi_expiry": True,
                "udi_issuing_agency": "hibcc",
                "udi_di_ids": [
                    (
                        0,
                        0,
                        {
                            "di": "+H123ABC01234567890D",
                            "issuing_agency": "hibcc",
                            "packaging_level": "base",
                        },
                    )
                ],
            }
        )
        cls.hibc_lot = cls._lot(cls.hibc_device.product_variant_id, "3C001", expiry=cls.expiry)

    # -- helpers -----------------------------------------------------------------------------------

    def _wizard(self, lots, **values):
        form = Form(
            self.env["udi.label.wizard"].with_context(active_model="stock.lot", active_ids=lots.ids)
        )
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _print(self, wizard, pdf=False):
        """Render what the wizard's Print button asks for: (content, report action)."""
        action = wizard.action_print()
        reports = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        render = reports._render_qweb_pdf if pdf else reports._render_qweb_html
        content, _kind = render(action["report_name"], wizard.lot_ids.ids, data=action["data"])
        return content, action

    def _symbols(self, content, kind):
        """Images of the symbols of one kind in the rendered HTML, as PIL images."""
        tree = lxml_html.fromstring(content)
        images = []
        for img in tree.xpath(f'//img[@data-udi-symbol="{kind}"]'):
            header, payload = img.get("src").split(",", 1)
            self.assertEqual(header, "data:image/png;base64")
            images.append(Image.open(io.BytesIO(base64.b64decode(payload))))
        return images

    def _decode(self, image):
        result = zxingcpp.read_barcode(image)
        self.assertTrue(result, "the label's barcode does not decode")
        return result

    @staticmethod
    def _scanned(result):
        return result.symbology_identifier + result.bytes.decode("ascii")

    # -- wizard ----------------------------------------------------------------------------------

    def test_wizard_opened_from_lots_proposes_those_lots(self):
        wizard = self._wizard(self.lot | self.serial)
        self.assertEqual(wizard.lot_ids, self.lot | self.serial)
        self.assertEqual(wizard.copies, 1)
        self.assertEqual(wizard.layout, "thermal")
        self.assertFalse(wizard.with_gs1_128)
        self.assertFalse(wizard.with_qr)

    def test_wizard_is_in_the_action_menu_of_lots(self):
        action = self.env.ref("udi_master.udi_label_wizard_action")
        self.assertEqual(action.binding_model_id.model, "stock.lot")

    def test_wizard_refuses_lot_of_device_without_udi(self):
        screws = self.env["product.product"].create(
            {
                "name": "Packing screws",
                "is_storable": True,
                "tracking": "lot",
            }
        )
        wizard = self._wizard(self._lot(screws, "S1"))
        self.assertIn("not a regulated device", wizard.warning)
        with self.assertRaisesRegex(UserError, "S1: Packing screws is not a regulated device"):
            wizard.action_print()

    def test_wizard_refuses_agency_whose_label_it_cannot_compose(self):
        blood = self.env["product.template"].create(
            {
                "name": "Allograft",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "udi_di_ids": [
                    (
                        0,
                        0,
                        {"di": "S1234567", "issuing_agency": "iccbba", "packaging_level": "base"},
                    )
                ],
            }
        )
        wizard = self._wizard(self._lot(blood.product_variant_id, "G1234"))
        with self.assertRaisesRegex(UserError, "issued by ICCBBA; only GS1 and HIBCC"):
            wizard.action_print()

    def test_wizard_refuses_zero_copies(self):
        wizard = self._wizard(self.lot, copies=0)
        with self.assertRaisesRegex(UserError, "at least 1"):
            wizard.action_print()

    # -- report ----------------------------------------------------------------------------------

    def test_label_renders_as_pdf(self):
        pdf, action = self._print(self._wizard(self.lot, with_gs1_128=True, with_qr=True), pdf=True)
        self.assertEqual(action["report_name"], "udi_master.report_udi_label_thermal")
        self.assertTrue(pdf.startswith(b"%PDF-"), pdf[:200])
        self.assertIn(b"/MediaBox", pdf)

    def test_label_shows_human_readable_udi_with_iso_dates(self):
        content, _action = self._print(self._wizard(self.lot))
        text = " ".join(lxml_html.fromstring(content).text_content().split())
        for expected in (
            "Central venous catheter 7Fr",
            "CVC-7F-20",
            "VenaFlow",
            "(01) 06901234567892",
            "(10) CV2501A",
            "(11) 2025-01-31",
            "(17) 2027-01-31",
            "BATCH/LOT",
            "PROD DATE",
            "USE BY",
            "(01)06901234567892(11)250131(17)270131(10)CV2501A",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("31/01/2027", text)
        self.assertNotIn("01/31/2027", text)

    def test_label_datamatrix_is_gs1_and_parses_to_the_lot_di_and_pi(self):
        content, _action = self._print(self._wizard(self.lot))
        (image,) = self._symbols(content, "gs1_datamatrix")
        result = self._decode(image)
        self.assertEqual(result.format, zxingcpp.BarcodeFormat.DataMatrix)
        self.assertEqual(result.symbology_identifier, "]d2")
        self.assertEqual(result.content_type, zxingcpp.ContentType.GS1)
        parsed = self.env["udi.parser"].parse(self._scanned(result))
        self.assertEqual(parsed["di"], self.lot.udi_di)
        self.assertEqual(parsed["lot"], "CV2501A")
        self.assertEqual(parsed["expiry"], "2027-01-31")
        self.assertEqual(parsed["manufactured"], "2025-01-31")
        self.assertFalse(parsed["serial"])
        self.assertEqual(parsed["product_id"], self.catheter_variant.id)

    def test_serial_label_datamatrix_parses_to_the_serial(self):
        content, _action = self._print(self._wizard(self.serial))
        (image,) = self._symbols(content, "gs1_datamatrix")
        parsed = self.env["udi.parser"].parse(self._scanned(self._decode(image)))
        self.assertEqual(parsed["di"], "06901234500011")
        self.assertEqual(parsed["serial"], "PM-000123")
        self.assertFalse(parsed["lot"])
        self.assertEqual(parsed["product_id"], self.implant.product_variant_id.id)

    def test_gs1_128_option_prints_a_gs1_128_with_the_same_udi(self):
        content, _action = self._print(self._wizard(self.lot, with_gs1_128=True))
        symbols = self._symbols(content, "gs1_128")
        self.assertTrue(symbols)
        scanned = [self._decode(image) for image in symbols]
        self.assertTrue(all(r.symbology_identifier == "]C1" for r in scanned))
        self.assertEqual("".join(r.text for r in scanned), self.lot.udi_hri)
        parsed = self.env["udi.parser"].parse(self._scanned(scanned[0]))
        self.assertEqual(parsed["di"], self.lot.udi_di)

    def test_qr_option_carries_the_digital_link(self):
        content, _action = self._print(self._wizard(self.lot, with_qr=True))
        (image,) = self._symbols(content, "qr")
        result = self._decode(image)
        self.assertEqual(result.format, zxingcpp.BarcodeFormat.QRCode)
        self.assertEqual(result.text, self.lot.udi_digital_link)
        parsed = self.env["udi.parser"].parse(result.text)
        self.assertEqual(
            (parsed["di"], parsed["lot"], parsed["expiry"]),
            (self.lot.udi_di, "CV2501A", "2027-01-31"),
        )

    def test_without_options_only_the_datamatrix_is_printed(self):
        content, _action = self._print(self._wizard(self.lot))
        self.assertEqual(len(self._symbols(content, "gs1_datamatrix")), 1)
        self.assertFalse(self._symbols(content, "gs1_128"))
        self.assertFalse(self._symbols(content, "qr"))

    def test_copies_on_a4_sheets_of_eight(self):
        wizard = self._wizard(self.lot | self.serial, copies=5, layout="a4")
        content, action = self._print(wizard)
        self.assertEqual(action["report_name"], "udi_master.report_udi_label_a4")
        tree = lxml_html.fromstring(content)
        self.assertEqual(len(tree.xpath('//div[contains(@class, "o_udi_sheet_a4")]')), 2)
        labels = tree.xpath('//div[contains(@class, "o_udi_label")]/@data-lot-id')
        self.assertEqual(labels, [str(self.lot.id)] * 5 + [str(self.serial.id)] * 5)
        pdf, _action = self._print(wizard, pdf=True)
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 2)

    def test_hibc_label_carries_hibc_data_in_a_plain_datamatrix(self):
        content, _action = self._print(self._wizard(self.hibc_lot, with_gs1_128=True, with_qr=True))
        self.assertFalse(self._symbols(content, "gs1_datamatrix"))
        self.assertFalse(self._symbols(content, "qr"))
        (image,) = self._symbols(content, "datamatrix")
        result = self._decode(image)
        self.assertEqual(result.symbology_identifier, "]d1")
        parsed = self.env["udi.parser"].parse(self._scanned(result))
        self.assertEqual(
            (parsed["issuer"], parsed["di"], parsed["lot"], parsed["expiry"]),
            ("hibcc", "+H123ABC01234567890D", "3C001", "2027-01-31"),
        )
        self.assertEqual(parsed["product_id"], self.hibc_device.product_variant_id.id)
        primary, secondary = (self._decode(image) for image in self._symbols(content, "code128"))
        self.assertEqual(primary.text, "+H123ABC01234567890D")
        parsed = self.env["udi.parser"].parse(primary.text + "\n" + secondary.text)
        self.assertEqual(
            (parsed["di"], parsed["lot"], parsed["expiry"]),
            ("+H123ABC01234567890D", "3C001", "2027-01-31"),
        )
        text = lxml_html.fromstring(content).text_content()
        self.assertIn("2027-01-31", text)
        self.assertIn(primary.text, text)
        self.assertIn(secondary.text, text)
