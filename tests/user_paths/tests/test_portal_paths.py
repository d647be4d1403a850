"""The distributor's portal pages as its portal user opens them, and as the other
distributor's portal user tries them."""

from odoo.tests import tagged

from .common import UserPathCommon


@tagged("post_install", "-at_install")
class TestPortalPaths(UserPathCommon):
    def _get(self, url):
        return self.url_open(url, allow_redirects=False, timeout=120)

    def test_distributor_opens_its_notice(self):
        notice = self.notice_a
        self.authenticate("dist_a", "dist-a-password")
        home = self._get("/my")
        self.assertEqual(home.status_code, 200)
        self.assertIn("/my/recalls", home.text, "the portal home links the recalls")
        listing = self._get("/my/recalls")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(notice.name, listing.text)
        self.assertNotIn(self.notice_b.name, listing.text)
        page = self._get(f"/my/recalls/{notice.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(notice.name, page.text)
        pdf_url = f"/my/recalls/{notice.id}/pdf"
        self.assertIn(pdf_url, page.text, "the notice page links its PDF")
        pdf = self._get(pdf_url)
        self.assertEqual(pdf.status_code, 200)
        # tests render the report's HTML instead of calling wkhtmltopdf (Odoo's test mode)
        self.assertIn(notice.name, pdf.content.decode(errors="replace"))

    def test_other_distributor_never_sees_the_notice(self):
        notice = self.notice_a
        self.authenticate("dist_b", "dist-b-password")
        listing = self._get("/my/recalls")
        self.assertEqual(listing.status_code, 200)
        self.assertNotIn(notice.name, listing.text)
        for url in (f"/my/recalls/{notice.id}", f"/my/recalls/{notice.id}/pdf"):
            response = self._get(url)
            self.assertIn(response.status_code, (303, 302, 403, 404), url)
            self.assertNotIn(notice.name, response.text, url)
            self.assertFalse(response.content.startswith(b"%PDF"), url)
