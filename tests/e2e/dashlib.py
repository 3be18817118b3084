# SPDX-License-Identifier: Apache-2.0
"""What the dashboard's browser tests share (tests/e2e/dashboard*.py): a real faultline-server on a free loopback
port with its test clock and rate limits off, its API, and a headless Chromium."""
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


NAME = "dashboard"


def fail(why):
    print("%s: %s" % (NAME, why))
    sys.exit(1)


class Server:
    """faultline-server on a free loopback port, with its credentials."""

    def __init__(self, program, data):
        self.out = open(os.path.join(os.path.dirname(data), "server.out"), "w+")
        self.proc = subprocess.Popen([program, "--data", data, "--listen", "127.0.0.1:0", "--test-clock",
                                      "--new-devices-per-hour", "0", "--device-messages-per-hour", "0",
                                      "--device-heartbeats-per-hour", "0", "--key-mb-per-day", "0"],
                                     stdout=self.out, stderr=subprocess.STDOUT)
        port_file = os.path.join(data, "port")
        for _ in range(400):
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                break
            time.sleep(0.05)
        else:
            fail("the server wrote no port file")
        self.base = "http://127.0.0.1:%s" % open(port_file).read().strip()
        self.out.flush()
        self.out.seek(0)
        text = self.out.read()
        self.admin = re.search(r"\b(fla_\S+)", text).group(1)
        self.key = re.search(r"\b(flp_\S+)", text).group(1)

    def call(self, method, path, body=None, headers=None, want=200):
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        if status != want:
            fail("%s %s: HTTP %d, expected %d: %s" % (method, path, status, want, data[:300]))
        return data

    def api(self, path):
        return json.loads(self.call("GET", "/api/v1/" + path, headers={"Authorization": "Bearer " + self.admin}))

    def send(self, serial, batch):
        self.call("POST", "/api/v1/devices/%s/chunks" % serial, batch,
                  {"X-Faultline-Key": self.key, "Content-Type": "application/vnd.faultline.chunk-batch"})

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def until(what, check, seconds=30):
    """check()'s first true value within seconds, or fail. While a click's page loads, the elements check looks
    for may be gone or not there yet: that is a "not yet", not an error."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    end = time.time() + seconds
    while time.time() < end:
        try:
            value = check()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None
        if value:
            return value
        time.sleep(0.1)
    fail("never: " + what)



def chromium():
    """A headless Chromium (as root it needs --no-sandbox), 1280 pixels wide, its console kept."""
    options = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400",
              "--lang=en-US"):
        options.add_argument(a)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(30)
    return browser


def login(browser, server, token=None):
    """Log in on the login page with the admin token (or token)."""
    from selenium.webdriver.common.by import By
    browser.get(server.base + "/login")
    browser.find_element(By.ID, "token").send_keys(token or server.admin)
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()


def quiet_console(browser, *expected):
    """Fail unless the browser's console holds no error (a script's, a CSP violation) but those naming one of
    expected (the refusals a test asked for)."""
    seen = [e for e in browser.get_log("browser")
            if e["level"] == "SEVERE" and not any(x in e["message"] for x in expected)]
    if seen:
        fail("the browser's console: %s" % seen)


def run(test, server_bin, shots_dir):
    """test(server, browser, shots_dir) against a new server and browser, both ended after, whatever happens."""
    import shutil
    import tempfile
    shutil.rmtree(shots_dir, ignore_errors=True)
    os.makedirs(shots_dir)
    tmp = tempfile.mkdtemp(prefix="fl-%s-" % NAME)
    server = Server(server_bin, os.path.join(tmp, "data"))
    browser = None
    try:
        browser = chromium()
        test(server, browser, shots_dir)
    finally:
        if browser is not None:
            browser.quit()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s: ok (screenshots in %s)" % (NAME, shots_dir))
