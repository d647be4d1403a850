#!/usr/bin/env python3
"""Screenshots of the distributor portal (partner_portal), desktop and phone widths.

    python3 docs/screenshots/partner_portal_screenshots.py --db demo_db --port 18969

Needs a database with the suite's demo (``DEMO_DB=demo_db bin/demo``, which installs the demo
module udi_trace_demo): the demo recall RC/.../0002 notified to Pacific MedSupply and Huadong.
The script serves the database on ``--port``, signs in as the demo portal users (``pacific`` /
``pacific``, ``huadong`` / ``huadong``) and drives a headless Chromium over its DevTools
protocol: portal home, recall list, the notice waiting for its acknowledgement, the same notice
once acknowledged and reported (it acknowledges Huadong's notice over the API to get there,
which changes the database), and the page a visitor sees with the mail's link. PNGs are written
beside this script, ``<page>-desktop.png`` (1366 x 900) and ``<page>-phone.png`` (390 x 844,
full page).
"""

import argparse
import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
#: the suite's addons and the demo module (udi_trace_demo)
ADDONS_PATH = f"--addons-path={ROOT / 'addons'},{ROOT / 'demo'}"
SIZES = {"desktop": (1366, 900, 1), "phone": (390, 844, 2)}


class Browser:
    """A headless Chromium driven over the DevTools protocol (one page)."""

    def __init__(self, debug_port=9339):
        binary = next(
            shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(name)
        )
        self.profile = tempfile.mkdtemp(prefix="portal_shots_")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--remote-debugging-port={debug_port}", f"--user-data-dir={self.profile}",
             "--lang=en-US", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                pages = requests.get(f"http://127.0.0.1:{debug_port}/json", timeout=1).json()
                target = next(page for page in pages if page["type"] == "page")
                break
            except (requests.RequestException, StopIteration):
                time.sleep(0.2)
        else:
            sys.exit("Chromium did not start")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
        self.counter = 0
        self.call("Page.enable")
        self.call("Network.enable")

    def call(self, method, **params):
        self.counter += 1
        self.ws.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def set_session(self, base_url, session_id):
        self.call("Network.clearBrowserCookies")
        if session_id:
            self.call("Network.setCookie", name="session_id", value=session_id, url=base_url)

    def shoot(self, url, path, width, height, scale, full=False, settle=1.5):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=scale, mobile=width < 600)
        self.call("Page.navigate", url=url)
        deadline = time.time() + 30
        while time.time() < deadline:
            state = self.call("Runtime.evaluate", expression="document.readyState")
            if state.get("result", {}).get("value") == "complete":
                break
            time.sleep(0.2)
        time.sleep(settle)  # counters and interactions of the portal load after the page
        if full or width < 600:
            metrics = self.call("Page.getLayoutMetrics")
            height = int(metrics["cssContentSize"]["height"])
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                      deviceScaleFactor=scale, mobile=width < 600)
            time.sleep(0.3)
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        path.write_bytes(base64.b64decode(shot["data"]))
        print(f"wrote {path.relative_to(ROOT)}")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(base_url, login_name, password):
    session = requests.Session()
    page = session.get(f"{base_url}/web/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    session.post(f"{base_url}/web/login", timeout=30,
                 data={"login": login_name, "password": password, "csrf_token": token})
    return session


def notice_token(db, notice_id):
    """The access token of the notice (the one its mail links carry), made if missing."""
    import odoo
    import odoo.modules.module
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", db, ADDONS_PATH, "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    with Registry(db).cursor() as cr:
        notice = api.Environment(cr, SUPERUSER_ID, {})["recall.notice"].browse(notice_id)
        return notice._portal_ensure_token()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=18969)
    args = parser.parse_args()
    base_url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "odoo", "-d", args.db, ADDONS_PATH,
         f"--http-port={args.port}", "--http-interface=127.0.0.1", f"--db-filter=^{args.db}$",
         "--max-cron-threads=0", "--log-level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    browser = None
    try:
        for _attempt in range(240):
            try:
                if requests.get(f"{base_url}/web/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        pacific = login(base_url, "pacific", "pacific")
        huadong = login(base_url, "huadong", "huadong")
        list_page = pacific.get(f"{base_url}/my/recalls?filterby=awaiting", timeout=30).text
        notice_url = re.search(r'href="(/my/recalls/\d+)"', list_page).group(1)
        huadong_list = huadong.get(f"{base_url}/my/recalls?filterby=all", timeout=30).text
        huadong_url = re.search(r'href="(/my/recalls/\d+)"', huadong_list).group(1)
        huadong_page = huadong.get(base_url + huadong_url, timeout=30).text
        if "o_recall_acknowledge_form" in huadong_page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', huadong_page).group(1)
            huadong.post(f"{base_url}{huadong_url}/acknowledge", timeout=30, data={
                "csrf_token": token, "password": "huadong", "confirm": "on"})
            page = huadong.get(base_url + huadong_url, timeout=30).text
            fields = re.findall(r'name="(qty_on_hand-\d+)"', page)
            data = {"csrf_token": token, "note": "Counted in the Hangzhou warehouse."}
            for index, name in enumerate(fields):
                lot_id = name.split("-")[1]
                data[name] = "1" if index % 2 else "0"
                data[f"qty_destroyed-{lot_id}"] = "0" if index % 2 else "1"
            if fields:
                huadong.post(f"{base_url}{huadong_url}/report", data=data, timeout=30)
                lot = re.search(r'data-lot="([^"]+)"', page).group(1)
                huadong.post(f"{base_url}{huadong_url}/onward", timeout=30, data={
                    "csrf_token": token, "onward_name_0": "Hangzhou First People's Hospital",
                    "onward_lot_0": lot, "onward_quantity_0": "1",
                    "onward_date_0": time.strftime("%Y-%m-%d"), "onward_document_0": "HD-DN-0412",
                })
        token = notice_token(args.db, int(notice_url.rsplit("/", 1)[1]))
        browser = Browser()
        shots = [  # (name, path, session, full page at desktop width too)
            ("portal-home", "/my/home", pacific, False),
            ("portal-recalls", "/my/recalls?filterby=all", pacific, False),
            ("portal-notice", notice_url, pacific, True),
            ("portal-notice-acknowledged", huadong_url, huadong, True),
        ]
        for name, path, session, full in shots:
            browser.set_session(base_url, session.cookies.get("session_id"))
            for size, (width, height, scale) in SIZES.items():
                browser.shoot(base_url + path, HERE / f"{name}-{size}.png", width, height, scale,
                              full=full)
        if token:
            browser.set_session(base_url, None)
            url = f"{base_url}{notice_url}?access_token={token}"
            for size, (width, height, scale) in SIZES.items():
                browser.shoot(url, HERE / f"portal-notice-visitor-{size}.png", width, height,
                              scale, full=True)
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
