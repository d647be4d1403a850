from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUdiUi(HttpCase):
    def test_quality_manager_registers_device_in_browser(self):
        self.start_tour("/odoo", "udi_master_register_device", login="admin")
        device = self.env["product.template"].search([("name", "=", "Tour bone screw 4.5 mm")])
        self.assertTrue(device.udi_regulated, "created from the Devices menu: regulated")
        self.assertEqual(device.udi_di_ids.di, "06901234567007")
        self.assertEqual(device.udi_di_ids.packaging_level, "base")
