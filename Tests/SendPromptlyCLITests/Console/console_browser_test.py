#!/usr/bin/env python3
"""The operator console in a real browser (headless Chromium driven by Selenium).

Started by ConsoleBrowserTests.swift against the real `sendpromptly` binary. It signs in,
creates a project, runs the Integration Test screen's curl commands as the page shows them and
watches each checklist step turn green, points the project at a repair endpoint, opens the
incident, presses Reprocess and waits for the incident to be resolved. Every page is saved as a
screenshot.

Environment:
  CONSOLE_BASE_URL      the server, e.g. http://127.0.0.1:8080
  CONSOLE_ADMIN_TOKEN   its admin token
  CONSOLE_SCREENSHOTS   where the screenshots go (created if missing)
  CONSOLE_HANDSHAKE     a directory: once the project's key and signing secret are known, this
                        script prints `CREDENTIALS <api key> <signing secret>` and waits for the
                        test to start a repair endpoint with them and write its URL into
                        `<CONSOLE_HANDSHAKE>/repair_url`.
  CHROMIUM, CHROMEDRIVER  the browser and its driver (default /usr/bin/chromium, /usr/bin/chromedriver)

Prints `console browser test passed` and exits 0 when every step passed; otherwise prints what
failed, saves `failure.png` and exits 1.
"""

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import (
    NoAlertPresentException, NoSuchElementException, StaleElementReferenceException, WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

BASE_URL = os.environ["CONSOLE_BASE_URL"].rstrip("/")
ADMIN_TOKEN = os.environ["CONSOLE_ADMIN_TOKEN"]
SCREENSHOTS = os.environ["CONSOLE_SCREENSHOTS"]
HANDSHAKE = os.environ["CONSOLE_HANDSHAKE"]
PROJECT_NAME = "<script>alert(1)</script> Shop"
STEPS = ["check-receipt", "check-failure", "check-alert", "check-callback", "check-resolved"]


def log(line):
    print(line, flush=True)


class SlackSink(http.server.BaseHTTPRequestHandler):
    """A Slack incoming webhook stand-in on loopback: answers 200 `ok` and counts messages."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        SlackSink.received.append(json.loads(body or b"{}"))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *arguments):
        pass


class Console:
    def __init__(self):
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"]:
            options.add_argument(argument)
        service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)
        self.shots = 0

    def open(self, path):
        self.driver.get(BASE_URL + path)

    def path(self):
        return self.driver.current_url[len(BASE_URL):]

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def text(self, selector):
        """The element's visible text, white space collapsed."""
        return " ".join(self.find(selector).text.split())

    def command(self, selector):
        """A command exactly as the page holds it (what its Copy button copies)."""
        return self.find(selector).get_attribute("textContent")

    def screenshot(self, name):
        self.shots += 1
        file = os.path.join(SCREENSHOTS, f"{self.shots:02d}-{name}.png")
        # The whole page, not only the window: make the window as tall as the document.
        width = self.driver.get_window_size()["width"]
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(width, max(height + 120, 600))
        self.driver.execute_script("window.scrollTo(0, 0)")
        self.driver.save_screenshot(file)
        log(f"screenshot {file}")

    def wait(self, what, condition, timeout=60):
        """Polls `condition` (a page may be reloading itself meanwhile) until it is true."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition():
                    return
            except (NoSuchElementException, StaleElementReferenceException):
                pass
            except WebDriverException as error:
                # Chrome's name for a stale element when the page reloads between finding an
                # element and reading it.
                if "does not belong to the document" not in str(error):
                    raise
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what} (at {self.driver.current_url})")
            time.sleep(0.25)

    def submit(self, button):
        """Clicks a button that loads a new page, and waits for that page.

        The old page is marked with a property of its `window`, which a new document does not
        have. (Asking an element of the old page whether it went stale races the navigation:
        Chromium may answer "node does not belong to the document" instead.)"""
        self.driver.execute_script("window.sendpromptlyOldPage = true")
        self.find(button).click()

        def replaced():
            try:
                return self.driver.execute_script(
                    "return window.sendpromptlyOldPage === undefined && document.readyState === 'complete'")
            except WebDriverException:
                return False  # between the two documents

        self.wait(f"the page after {button}", replaced, timeout=30)

    def fill(self, selector, value):
        field = self.find(selector)
        field.clear()
        field.send_keys(value)

    def notice(self):
        return self.text("#notice")

    def checklist(self):
        """The checklist steps marked done, read inside its self-refreshing frame."""
        self.driver.switch_to.frame(self.find("#checklist"))
        try:
            return [step for step in STEPS if self.find(f"#{step}").get_attribute("data-done") == "true"]
        finally:
            self.driver.switch_to.default_content()


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def run_command(text, what):
    """Runs a command exactly as the page shows it; answers its JSON output."""
    completed = subprocess.run(["bash", "-c", text], capture_output=True, text=True, timeout=30)
    check(completed.returncode == 0, f"{what}: exit {completed.returncode}: {completed.stderr}")
    log(f"{what}: {completed.stdout.strip()}")
    return json.loads(completed.stdout)


def main(console, slack_url):
    # Without a session every page leads to sign-in.
    console.open("/console/projects")
    check(console.path().startswith("/console/sign-in?next="), f"redirected to sign-in, not {console.path()}")
    check(console.driver.switch_to.active_element.get_attribute("id") == "token", "the token field has the focus")
    console.screenshot("sign-in")

    console.fill("#token", "not-the-admin-token")
    started = time.monotonic()
    console.submit("#sign-in")
    check(console.text("#sign-in-error") == "That token is not valid.", "the wrong token message")
    check(time.monotonic() - started >= 0.9, "a wrong token waits about a second")
    console.screenshot("sign-in-wrong-token")

    console.fill("#token", ADMIN_TOKEN)
    console.submit("#sign-in")
    check(console.path() == "/console/projects", f"back to the requested page, not {console.path()}")
    # The keyboard reaches the skip link first, then the navigation.
    ActionChains(console.driver).send_keys(Keys.TAB).perform()
    check(console.driver.switch_to.active_element.get_attribute("class") == "skip", "Tab reaches the skip link first")
    console.screenshot("projects-empty")

    # Create a project whose name would run a script if it were not escaped.
    console.fill("#name", PROJECT_NAME)
    console.fill("#slack_webhook_url", slack_url)
    console.submit("#create-project")
    check(console.path().endswith("/integration"), f"a new project opens its Integration Test screen, not {console.path()}")
    try:
        console.driver.switch_to.alert
        raise AssertionError("the project name ran as a script")
    except NoAlertPresentException:
        pass
    check(PROJECT_NAME in console.text("main"), "the project name shows as text")
    project_path = console.path()[: -len("/integration")]
    api_key = console.text("#revealed-key")
    check(api_key.startswith("sk_"), f"the new key is shown: {api_key}")
    receipt = console.command("#command-receipt")
    failed = console.command("#command-failed")
    check(f"Bearer {api_key}" in receipt and BASE_URL + "/api/v1/receipt" in receipt, f"the receipt command is filled in: {receipt}")
    copy = console.find("button[data-copy='command-receipt']")
    copy.click()
    console.wait("the copy button to answer", lambda: copy.text in ("Copied", "Press Ctrl+C to copy"), timeout=10)
    check(console.checklist() == [], "nothing is checked before the first command")
    console.screenshot("integration-new-project")

    # The commands as shown, one at a time, each step turning green in the checklist.
    run_command(receipt, "receipt")
    console.wait("receipt seen", lambda: console.checklist() == STEPS[:1])
    outcome = run_command(failed, "failed result")
    check(outcome.get("incident_status") == "open", f"the failed result opened an incident: {outcome}")
    console.wait("failure seen and alert sent", lambda: console.checklist() == STEPS[:3])
    check(len(SlackSink.received) >= 1, "the Slack webhook got the alert")
    console.screenshot("integration-failure-seen")

    # The signing secret and the key go to the repair endpoint the test starts.
    console.open(project_path)
    console.find("details summary").click()
    secret = console.text("#signing-secret")
    check(secret.startswith("sps_"), f"the signing secret shows: {secret}")
    log(f"CREDENTIALS {api_key} {secret}")
    repair_file = os.path.join(HANDSHAKE, "repair_url")
    console.wait("the repair endpoint", lambda: os.path.exists(repair_file), timeout=120)
    repair_url = open(repair_file).read().strip()
    console.fill("#repair_url", repair_url)
    console.submit("#save-settings")
    check(console.notice() == "Settings saved.", "settings saved")
    check(console.find("#repair_url").get_attribute("value") == repair_url, "the repair URL is kept")
    # A key created and revoked on the way.
    console.fill("#key-label", "browser <ci>")
    console.submit("#create-key")
    check(console.text("#revealed-key").startswith("sk_"), "a new key is shown once")
    console.screenshot("project-new-key")
    console.submit("button[aria-label='Revoke key browser <ci>']")
    check("revoked" in console.notice(), "the key is revoked")
    check(len(console.driver.find_elements(By.CSS_SELECTOR, "#revealed-key")) == 0, "a key is shown only once")

    # The incident, from the list.
    console.open(project_path + "/incidents")
    counts = console.text("ul.counts")
    check("1 open" in counts, f"one open incident: {counts}")
    console.screenshot("incidents")
    console.submit("table a[href*='/incidents/inc_']")
    check(console.text("#incident-status") == "open", "the incident is open")
    timeline = console.text("#timeline")
    for text in ["receipt", "result", "alert sent"]:
        check(text in timeline, f"the timeline shows {text}: {timeline}")
    console.screenshot("incident-open")

    console.submit("#reprocess")
    check("Reprocess requested" in console.notice(), "reprocess requested")
    console.wait("the incident to be resolved", lambda: console.text("#incident-status") == "resolved", timeout=60)
    timeline = console.text("#timeline")
    for text in ["replay requested", "attempt 1: 202, delivered", "replay_success"]:
        check(text in timeline, f"the timeline shows {text}: {timeline}")
    check(len(console.driver.find_elements(By.CSS_SELECTOR, "meta[http-equiv='refresh']")) == 0, "a resolved incident stops refreshing")
    console.screenshot("incident-resolved")

    # Every step of the checklist is green now.
    console.open(project_path + "/integration")
    console.wait("every checklist step", lambda: console.checklist() == STEPS)
    check(console.find("#command-replay") is not None, "the replay command is shown")
    console.screenshot("integration-all-green")

    console.open("/console")
    project_id = project_path.rsplit("/", 1)[1]
    card = f"section[aria-labelledby='overview-{project_id}']"
    svgs = console.driver.find_elements(By.CSS_SELECTOR, f"{card} svg")
    check(len(svgs) == 3, f"three charts for the project, not {len(svgs)}")
    figures = console.text(f"{card} ul.counts")
    check("0 open incidents" in figures and "100.0 % success rate" in figures, f"the project's figures: {figures}")
    console.screenshot("overview")

    # A narrow screen: nothing wider than the window.
    console.driver.set_window_size(390, 844)
    for path in ["/console", project_path, project_path + "/incidents"]:
        console.open(path)
        overflow = console.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 1, f"{path} fits a narrow screen (overflow {overflow}px)")
    console.screenshot("incidents-narrow")
    console.driver.set_window_size(1280, 1000)

    console.submit("#sign-out")
    check(console.path() == "/console/sign-in", f"signed out, at {console.path()}")
    console.open(project_path)
    check(console.path().startswith("/console/sign-in"), "the session is gone")


if __name__ == "__main__":
    os.makedirs(SCREENSHOTS, exist_ok=True)
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlackSink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    console = Console()
    try:
        main(console, f"http://127.0.0.1:{sink.server_address[1]}/slack")
        log("console browser test passed")
        status = 0
    except Exception:
        traceback.print_exc(file=sys.stdout)
        try:
            console.driver.save_screenshot(os.path.join(SCREENSHOTS, "failure.png"))
            log(f"screenshot {os.path.join(SCREENSHOTS, 'failure.png')}")
        except Exception:
            pass
        status = 1
    finally:
        console.driver.quit()
        sink.shutdown()
    sys.exit(status)
