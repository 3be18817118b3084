#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""dashboard.py SERVER SERIAL2BATCH ELF WORKDIR LOG...: the web dashboard in a real browser (Debian's headless
Chromium through python3-selenium). A real server gets the crash logs (one device each, the first log on three
devices) and the firmware ELF; then the browser is sent to a page, refused into the login, logs in and lands on that
page, and reads what every page shows against what the API answers: the issue counts, the sparkline's counts, the
issue's plot points, a frame's file:line, the fault status bits, the threads. It resolves an issue in a version
with the form, sees a refused form (a wrong CSRF token), logs out and is refused again. A screenshot of each page
goes to WORKDIR/screenshots (the test's artifacts: look at them)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def fail(why):
    print("dashboard: " + why)
    sys.exit(1)


class Server:
    """faultline-server on a free loopback port, with its credentials."""

    def __init__(self, program, data):
        self.out = open(os.path.join(os.path.dirname(data), "server.out"), "w+")
        self.proc = subprocess.Popen([program, "--data", data, "--listen", "127.0.0.1:0"], stdout=self.out,
                                     stderr=subprocess.STDOUT)
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
    end = time.time() + seconds
    while time.time() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    fail("never: " + what)


def main():
    server_bin, serial2batch, elf, work = sys.argv[1:5]
    logs = sys.argv[5:]
    shots = os.path.join(work, "screenshots")
    shutil.rmtree(shots, ignore_errors=True)
    os.makedirs(shots)
    tmp = tempfile.mkdtemp(prefix="fl-dashboard-")
    server = Server(server_bin, os.path.join(tmp, "data"))
    browser = None
    try:
        # what the server knows: the first log on three devices, each other one on a device of its own
        for i, log in enumerate(logs):
            batch = subprocess.run([serial2batch, log], check=True, capture_output=True).stdout
            for serial in (["dev-a", "dev-b", "dev-c"] if i == 0 else ["dev-%d" % i]):
                server.send(serial, batch)
        server.call("POST", "/api/v1/symbols", open(elf, "rb").read(), {"Authorization": "Bearer " + server.admin},
                    201)
        until("every crash processed", lambda: sum(i["count"] for i in server.api("issues")["issues"]) == len(logs) + 2)
        issues = server.api("issues?sort=devices&days=14")["issues"]
        top = issues[0]
        if top["devices"] != 3:
            fail("the first log's issue: %s" % top)

        options = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,1400", "--lang=en-US"):
            options.add_argument(a)
        browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        browser.set_page_load_timeout(30)

        def shot(name):
            browser.save_screenshot(os.path.join(shots, name + ".png"))

        def text(css):
            return browser.find_element(By.CSS_SELECTOR, css).text

        # refused into the login, and back to the page asked for after it
        browser.get(server.base + "/issues?sort=devices&state=any")
        if "/login" not in browser.current_url:
            fail("a page without a session did not lead to the login: " + browser.current_url)
        shot("login")
        browser.find_element(By.ID, "token").send_keys("fla_not-the-token")
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        if "That is not the admin token." not in text("#error"):
            fail("a wrong token: " + browser.page_source[:500])
        browser.find_element(By.ID, "token").send_keys(server.admin)
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        until("the issues page after the login", lambda: browser.title.startswith("Issues"))
        if "sort=devices" not in browser.current_url:
            fail("the login did not come back to the page asked for: " + browser.current_url)
        if server.admin in browser.current_url or server.admin in browser.page_source:
            fail("the admin token is in the page or its URL")
        cookie = browser.get_cookie("fl_session")
        if not cookie or not cookie["httpOnly"] or cookie.get("sameSite") != "Strict":
            fail("the session cookie: %s" % cookie)
        shot("issues")

        # the issues: the API's counts, in its order; the sparkline's counts are the API's daily ones
        rows = browser.find_elements(By.CSS_SELECTOR, "#issues tbody tr")
        if len(rows) != len(issues):
            fail("%d issue rows, the API has %d" % (len(rows), len(issues)))
        for row, issue in zip(rows, issues):
            if row.get_attribute("data-id") != str(issue["id"]) or \
               row.find_element(By.CSS_SELECTOR, ".devices").text != str(issue["devices"]) or \
               row.find_element(By.CSS_SELECTOR, ".count").text != str(issue["count"]):
                fail("issue row %s: %s, the API: %s" % (row.get_attribute("data-id"), row.text, issue))
            spark = row.find_element(By.CSS_SELECTOR, "svg.spark").get_attribute("data-values")
            if spark != ",".join(str(n) for n in issue["daily"]):
                fail("issue %d's sparkline %s, the API's days %s" % (issue["id"], spark, issue["daily"]))
        if text("#total") != "%d issue(s)" % len(issues):
            fail("the total: " + text("#total"))

        # an issue: its counts, its plot's point of today, its latest trace
        rows[0].find_element(By.CSS_SELECTOR, "a").click()
        until("the issue page", lambda: text("#issue-id") == str(top["id"]))
        shot("issue")
        if text("#count") != str(top["count"]) or text("#devices") != "3":
            fail("the issue's counts: %s %s" % (text("#count"), text("#devices")))
        points = browser.find_elements(By.CSS_SELECTOR, "#occurrences circle.pt")
        if not points or points[-1].get_attribute("data-y") != str(top["count"]) or \
           int(points[-1].get_attribute("data-x")) != int(time.time()) // 86400 * 86400:
            fail("the occurrences plot's last point: %s" % [(p.get_attribute("data-x"), p.get_attribute("data-y"))
                                                           for p in points])
        if len(browser.find_elements(By.CSS_SELECTOR, "#traces tbody tr")) != 3 or \
           len(browser.find_elements(By.CSS_SELECTOR, "#devices tbody tr")) != 3:
            fail("the issue's traces and devices tables")

        # its latest trace: frame #0's file:line as the API's report says, the fault bits, the registers
        browser.find_element(By.ID, "latest").click()
        until("the trace page", lambda: browser.title.startswith("Trace"))
        shot("trace")
        trace = server.api("traces/%d" % top["latest_trace"])
        frame = trace["report"]["frames"][0]
        where = browser.find_element(By.CSS_SELECTOR, "#backtrace tr.frame td.where").text
        if where != "%s:%d" % (frame["file"], frame["line"]):
            fail("frame #0 is at %r, the report says %s:%d" % (where, frame["file"], frame["line"]))
        cfsr = int(trace["report"]["fault_registers"]["cfsr"], 16)
        set_bits = [r.get_attribute("data-bit") for r in browser.find_elements(By.CSS_SELECTOR, "#fault-bits tr.set")]
        if "PRECISERR" not in set_bits or (cfsr & (1 << 15) != 0) != ("BFARVALID" in set_bits):
            fail("the fault bits set: %s (CFSR 0x%08x)" % (set_bits, cfsr))
        if trace["report"]["fault"]["text"] != text("#fault"):
            fail("the fault in words: " + text("#fault"))
        if "gdb-multiarch" not in text("#gdb"):
            fail("no GDB command")
        core = browser.find_element(By.ID, "core").get_attribute("href")
        if not core.endswith("/traces/%d/core" % top["latest_trace"]):
            fail("the core's link: " + core)

        # the workflow: resolve in a version with the form
        browser.get(server.base + "/issues/%d" % top["id"])
        browser.find_element(By.ID, "in").send_keys("9.9.9")
        browser.find_element(By.ID, "resolve").click()
        until("the issue resolved", lambda: "resolved" in text("#state"))
        if text("#resolved-in") != "9.9.9" or server.api("issues/%d" % top["id"])["state"] != "resolved":
            fail("resolving: %s" % text("#state"))
        shot("issue-resolved")
        # a form of another session's token is refused, and changes nothing
        browser.execute_script("document.querySelector('form.logout input[name=csrf]').value = '0' * 64")
        browser.find_element(By.CSS_SELECTOR, "form.logout button").click()
        until("the refused form", lambda: "CSRF" in browser.page_source)
        browser.get(server.base + "/issues")
        if not browser.title.startswith("Issues"):
            fail("a refused logout ended the session")

        # log out: the pages are refused again
        browser.find_element(By.CSS_SELECTOR, "form.logout button").click()
        until("the login after the logout", lambda: "/login" in browser.current_url)
        browser.get(server.base + "/traces/%d" % top["latest_trace"])
        if "/login" not in browser.current_url:
            fail("a page after the logout: " + browser.current_url)
        shot("logged-out")
        # nothing went wrong in the browser (a script error, a CSP violation) but the two refusals asked for
        expected = ("/login - Failed to load resource: the server responded with a status of 401",
                    "/logout - Failed to load resource: the server responded with a status of 403")
        logs_seen = [e for e in browser.get_log("browser")
                     if e["level"] == "SEVERE" and not any(x in e["message"] for x in expected)]
        if logs_seen:
            fail("the browser's console: %s" % logs_seen)
    finally:
        if browser is not None:
            browser.quit()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("dashboard: ok (screenshots in %s)" % shots)


main()
