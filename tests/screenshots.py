"""Screenshots of the addons' screens for their Apps pages and READMEs.

Drives a headless Chromium (Chrome DevTools protocol, websocket-client) logged
into a running Odoo that serves a database with the three addons and their demo
data (what `make run` serves), and saves PNGs into each addon's
static/description/. With --check-apps it also opens each addon's form in Apps,
checks that its description page shows with all its pictures loaded, and saves
that view into --check-apps's folder. It turns on crm's Rule-based Assignment
(Settings > CRM) in that database: the team form shows the minimum score with it.

    bash tests/workspace.sh screenshots       # or: make screenshots
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar

import websocket

WIDTH, HEIGHT = 1366, 800
ADDONS = ("lead_management", "lead_scoring", "lead_conversion", "lead_scoring_website")

# (addon, file name without .png, how to reach the screen)
SHOTS = [
    (
        "lead_management",
        "lead_management_kanban",
        {
            "action": "crm.crm_lead_all_leads",
            "view_type": "kanban",
            "wait": ".o_kanban_group",
        },
    ),
    (
        "lead_management",
        "lead_management_lead_form",
        {
            "action": "crm.crm_lead_all_leads",
            "record": "lead_management.crm_lead_01_demo",
            "height": 1180,
            "then_js": "document.querySelector('.o_notebook a[name=bant]').click()",
            "then_wait": ".o_notebook a[name=bant].active",
            "wait": ".o_form_view .o_field_widget",
        },
    ),
    (
        "lead_management",
        "lead_management_territory_form",
        {
            "action": "lead_management.crm_territory_action",
            "record": "lead_management.crm_territory_hanoi_demo",
            "wait": ".o_form_view .o_field_widget",
        },
    ),
    (
        "lead_management",
        "lead_management_analysis",
        {
            "action": "lead_management.crm_lead_analysis_action",
            "view_type": "pivot",
            "wait": ".o_pivot table",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_lead_form",
        {
            "action": "crm.crm_lead_all_leads",
            "record": "lead_management.crm_lead_01_demo",
            "height": 900,
            # the Score tab: the breakdown of the score
            "then_js": "document.querySelector('.o_notebook a[name=lead_scoring]')"
            ".click(); document.querySelector('.o_notebook').scrollIntoView()",
            "then_wait": ".o_notebook a[name=lead_scoring].active",
            "wait": ".o_form_view .o_lead_score_button",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_rule_form",
        {
            "action": "lead_scoring.crm_lead_scoring_rule_action",
            "record": "lead_scoring.crm_lead_scoring_rule_email_demo",
            "wait": ".o_form_view .o_field_widget",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_engagement_rule_form",
        {
            "action": "lead_scoring.crm_lead_scoring_rule_action",
            "record": "lead_scoring.crm_lead_scoring_rule_wrote_demo",
            "wait": ".o_form_view .o_field_widget[name=event_type]",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_engagement_lead_form",
        {
            # a demo opportunity that wrote, met us and read the pricing page
            "action": "crm.crm_lead_all_leads",
            "record": "crm.crm_case_1",
            "height": 1000,
            "then_js": "document.querySelector('.o_notebook a[name=lead_scoring]')"
            ".click(); document.querySelector('.o_notebook').scrollIntoView()",
            "then_wait": ".o_lead_score_explanation",
            "wait": ".o_form_view .o_lead_score_button",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_kanban",
        {
            "action": "crm.crm_lead_action_pipeline",
            "view_type": "kanban",
            "wait": ".o_kanban_group .o_lead_score_split",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_priority_kanban",
        {
            # the leads' pipeline with their A1 ... C3 priority badges
            "action": "crm.crm_lead_all_leads",
            "view_type": "kanban",
            "wait": ".o_kanban_group .o_lead_priority_badge",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_priority_matrix",
        {
            # CRM > Reporting > Fit x Engagement
            "action": "lead_scoring.crm_lead_priority_matrix_action",
            "wait": ".o_pivot table",
        },
    ),
    (
        "lead_scoring_website",
        "lead_scoring_website_rule_form",
        {
            "action": "lead_scoring.crm_lead_scoring_rule_action",
            "record": "lead_scoring_website.crm_lead_scoring_rule_pricing_demo",
            "wait": ".o_form_view .o_field_widget[name=event_url]",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_evaluation_form",
        {
            # the demo's evaluation, made at install (no xml id): the first row
            "action": "lead_scoring.crm_lead_scoring_evaluation_action",
            "height": 1100,
            "wait": ".o_list_view .o_data_row",
            "then_js": "document.querySelector('.o_data_row .o_data_cell').click()",
            "then_wait": ".o_form_view .o_lead_scoring_ranking_quality_note",
        },
    ),
    (
        "lead_scoring",
        "lead_scoring_team_form",
        {
            "action": "sales_team.crm_team_action_config",
            "record": "sales_team.crm_team_1",
            "wait": ".o_form_view .o_field_widget",
        },
    ),
    (
        "lead_conversion",
        "lead_conversion_wizard",
        {
            "action": "crm.crm_lead_all_leads",
            "record": "lead_management.crm_lead_06_demo",
            "height": 880,  # the whole dialog, its last checkbox included
            "wait": ".o_form_view .o_field_widget",
            "then": "crm.action_crm_lead2opportunity_partner",
            "then_wait": ".modal .o_form_view .o_field_widget",
        },
    ),
]


class Odoo:
    """JSON-RPC with a session cookie, as the web client does."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )
        self.uid = self.rpc(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )["uid"]
        if not self.uid:
            sys.exit(f"cannot log in to {url} as {login}")

    def rpc(self, path, params):
        req = urllib.request.Request(
            self.url + path,
            json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode(),
            {"Content-Type": "application/json"},
        )
        answer = json.load(self.opener.open(req, timeout=120))
        if answer.get("error"):
            sys.exit(f"{path}: {answer['error']['data']['message']}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        if not rows:
            sys.exit(f"{xmlid} not found: the database needs the addons' demo data")
        return rows[0]["res_id"]

    @property
    def session_id(self):
        return next(c.value for c in self.jar if c.name == "session_id")


class Browser:
    """One headless Chromium tab driven through the DevTools protocol."""

    def __init__(self):
        binary = next(
            (
                shutil.which(b)
                for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)
            ),
            None,
        )
        if not binary:
            sys.exit("Chromium is not installed")
        self.profile = tempfile.mkdtemp(prefix="lead-crm-chromium-")
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        tabs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in tabs if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self.next_id = 0
        self.send("Page.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def js(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, selector, timeout=60):
        """Until selector shows, nothing is loading and the page settled."""
        check = (
            f"!!document.querySelector({json.dumps(selector)}) && "
            "!document.querySelector('.o_loading_indicator, .o_blockUI')"
        )
        end = time.time() + timeout
        while time.time() < end:
            if self.js(check):
                time.sleep(1.5)  # fonts, avatars, animations
                if self.js(check):
                    return
            time.sleep(0.3)
        raise RuntimeError(f"{selector} did not show within {timeout} s")

    def goto(self, url, selector):
        self.send("Page.navigate", url=url)
        self.wait(selector)

    def resize(self, height):
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def save(self, path):
        # notifications about the session (e.g. "the page is out of date") are
        # not part of the screen
        self.js(
            "document.querySelectorAll('.o_notification_manager .o_notification')"
            ".forEach(n => n.remove())"
        )
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.profile, ignore_errors=True)


def set_language(odoo, lang):
    if not odoo.call(
        "res.lang", "search", [("code", "=", lang), ("active", "=", True)]
    ):
        sys.exit(f"language {lang} is not installed in the database")
    odoo.call("res.users", "write", [odoo.uid], {"lang": lang, "tour_enabled": False})


def take(odoo, browser, root, suffix):
    for addon, name, how in SHOTS:
        url = f"{odoo.url}/odoo/action-{how['action']}"
        if "record" in how:
            url += f"/{odoo.ref(how['record'])}"
        elif "view_type" in how:
            url += f"?view_type={how['view_type']}"
        browser.resize(how.get("height", HEIGHT))
        browser.goto(url, how["wait"])
        if "then_js" in how:
            browser.js(how["then_js"])
            browser.wait(how["then_wait"])
        if "then" in how:
            record_id = odoo.ref(how["record"])
            browser.js(
                "odoo.__WOWL_DEBUG__.root.env.services.action.doAction("
                f"{json.dumps(how['then'])}, {{additionalContext: {{"
                f"active_model: 'crm.lead', active_id: {record_id}, "
                f"active_ids: [{record_id}]}}}})"
            )
            browser.wait(how["then_wait"])
        path = os.path.join(root, addon, "static", "description", f"{name}{suffix}.png")
        browser.save(path)
        print(f"saved {os.path.relpath(path, root)}")


def check_apps(odoo, browser, out):
    """Each addon's form in Apps shows its description page, pictures loaded."""
    os.makedirs(out, exist_ok=True)
    failed = []
    browser.resize(HEIGHT)
    for addon in ADDONS:
        module_id = odoo.call("ir.module.module", "search", [("name", "=", addon)])[0]
        browser.goto(
            f"{odoo.url}/odoo/action-base.open_module_tree/{module_id}",
            ".o_form_view .oe_slogan img, .o_form_view .oe_slogan",
        )
        images = browser.js(
            "Promise.all([...document.querySelectorAll("
            "'.o_form_view .o_field_html img')].map(img => img.decode().then("
            "() => [img.getAttribute('src'), img.naturalWidth],"
            " () => [img.getAttribute('src'), 0])))"
        )
        browser.save(os.path.join(out, f"apps_{addon}.png"))
        broken = [src for src, width in images if not width]
        print(
            f"Apps page of {addon}: {len(images)} pictures, {len(broken)} not loaded"
            + (f" ({', '.join(broken)})" if broken else "")
        )
        if not images or broken:
            failed.append(addon)
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://localhost:8069")
    ap.add_argument("--db", required=True)
    ap.add_argument("--login", default="admin")
    ap.add_argument("--password", default="admin")
    ap.add_argument(
        "--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    )
    ap.add_argument(
        "--lang",
        action="append",
        help="languages to take the screenshots in (default en_US; "
        "other languages get a _<lang> suffix)",
    )
    ap.add_argument(
        "--check-apps",
        metavar="DIR",
        help="check each addon's Apps page and save it into DIR",
    )
    args = ap.parse_args()
    odoo = Odoo(args.url, args.db, args.login, args.password)
    browser = Browser()
    browser.send(
        "Network.setCookie",
        name="session_id",
        value=odoo.session_id,
        url=odoo.url,
        httpOnly=True,
    )
    # crm's Rule-based Assignment (Settings > CRM): the team form shows the
    # assignment fields, the minimum score among them, only with it
    odoo.call("ir.config_parameter", "set_param", "crm.lead.auto.assignment", "True")
    try:
        for lang in args.lang or ["en_US"]:
            set_language(odoo, lang)
            take(
                odoo,
                browser,
                args.root,
                "" if lang == "en_US" else f"_{lang.split('_')[0]}",
            )
        set_language(odoo, "en_US")
        failed = check_apps(odoo, browser, args.check_apps) if args.check_apps else []
    finally:
        browser.close()
    if failed:
        sys.exit(
            f"Apps does not show the description page with its pictures for {failed}"
        )


if __name__ == "__main__":
    main()
