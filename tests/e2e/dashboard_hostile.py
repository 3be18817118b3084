#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""dashboard_hostile.py SERVER FLEETSIM SERIAL2BATCH ELF LOG WORKDIR: hostile device data in a real browser. A
simulated fleet whose software versions are script tags and attribute breakers and whose hardware version holds
quotes, markup and a bidirectional override at the format's longest (64 bytes) sends heartbeats, reboots and
crashes; a hostile serial is refused at the door; a real crash (tests/target/hostile_names.c in QEMU: LOG, its ELF)
has a source file named in markup and a string variable of markup. Every page of the dashboard, and queries carrying the same strings, must render (its heading
there, nothing outside the page's width by more than a screen), run none of it (no global set by an injected
handler, no element the page did not make: no <img>, one <script>, ours), and show the strings as text, character
for character. Screenshots in WORKDIR/screenshots-hostile."""
import os
import subprocess
import sys
import urllib.parse

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashlib  # noqa: E402
from dashlib import fail, login, quiet_console, run, until  # noqa: E402

V1 = "<script>window.__pwned=1</script>"
V2 = "\"><img src=x onerror=window.__pwned=2>'"
HW = ("'\"<svg onload=window.__pwned=3>&amp;\u202e" + "L" * 64)[:62]  # (the U+202E is 3 bytes: 64 in all)
CONTROL = "\x1b[31m\x07"  # refused in a message (docs/FORMAT.md); a query can still carry it


def main():
    dashlib.NAME = "dashboard-hostile"
    server_bin, fleetsim, serial2batch, elf, log, work = sys.argv[1:7]

    def test(server, browser, shots):
        if len(HW.encode()) > 64:
            fail("the hardware version is longer than the format takes")
        subprocess.run([fleetsim, "--server", server.base, "--key", server.key, "--token", server.admin,
                        "--upload-elf", "--days", "2", "--group", V1 + ":15:20:0.5", "--group", V2 + ":15:20:0.5",
                        "--hw", HW, "--prefix", "x-", "--seed", "3", "--quiet"], check=True, capture_output=True)
        # a serial of markup is refused, and nothing is kept of it
        status = server.call("POST", "/api/v1/devices/%s/chunks" % urllib.parse.quote("<script>x", safe=""), b"x",
                             {"X-Faultline-Key": server.key, "Content-Type": "application/vnd.faultline.chunk"},
                             want=400)
        if b"bad_serial" not in status:
            fail("a hostile serial: %s" % status)
        # the crash whose names are markup
        server.send("names-1", subprocess.run([serial2batch, log], check=True, capture_output=True).stdout)
        server.call("POST", "/api/v1/symbols", open(elf, "rb").read(), {"Authorization": "Bearer " + server.admin},
                    201)
        named = until("the hostile names' trace", lambda: server.api("devices/names-1")["traces"])[0]
        report = server.api("traces/%d" % named["id"])["report"]
        frame = [f for f in report["frames"] if f.get("function") == "hostile_names"][0]
        file = frame["file"]
        markup = [v["value"] for v in frame["variables"] if v["name"] == "markup"][0]
        if "<script>" not in file or "<img" not in markup:
            fail("the hostile crash's report: %s, %s" % (file, markup))
        versions = [v["sw_version"] for v in server.api("versions?days=30")["versions"] if v["sw_version"] != "0.0.0-test"]
        if sorted(versions) != sorted([V1, V2]):
            fail("the server's versions: %r" % versions)
        issue = server.api("issues")["issues"][0]
        trace = issue["latest_trace"]
        serial = server.api("devices")["devices"][0]["serial"]

        login(browser, server)
        until("logged in", lambda: not browser.current_url.endswith("/login"))
        q = urllib.parse.quote
        pages = {
            "overview": "/",
            "issues": "/issues?state=any",
            "issues-version": "/issues?state=any&version=" + q(V1),
            "issues-hw": "/issues?state=any&hw=" + q(HW + CONTROL),
            "issues-bad-sort": "/issues?sort=" + q(V2),
            "issue": "/issues/%d" % issue["id"],
            "trace": "/traces/%d" % trace,
            "devices": "/devices",
            "device": "/devices/" + serial,
            "versions": "/versions",
            "versions-hw": "/versions?by=hw",
            "compare": "/versions/compare?a=%s&b=%s" % (q(V1), q(V2)),
            "symbols": "/symbols",
            "not-found": "/issues/" + q(V1),
            "names-trace": "/traces/%d" % named["id"],
            "names-issue": "/issues/%d" % named["issue"],
        }
        shows = {"versions": [V1, V2], "versions-hw": [V1, V2, HW], "compare": [V1, V2], "issue": [V1, V2],
                 "names-trace": ["%s:%d" % (file, frame["line"]), markup]}
        for name, path in pages.items():
            browser.get(server.base + path)
            browser.save_screenshot(os.path.join(shots, name + ".png"))
            if browser.execute_script("return window.__pwned") is not None:
                fail("%s: the hostile data ran: window.__pwned = %s" % (name, browser.execute_script(
                    "return window.__pwned")))
            if not browser.find_elements(By.CSS_SELECTOR, "main h1"):
                fail("%s: the page did not render: %s" % (name, browser.page_source[:300]))
            made = browser.execute_script("return [document.querySelectorAll('img').length, "
                                          "Array.from(document.scripts).map(s => s.src), "
                                          "document.documentElement.scrollWidth]")
            if made[0] != 0 or made[1] != [server.base + "/assets/dash.js"] or made[2] > 2 * 1280:
                fail("%s: elements or width the page did not make: %s" % (name, made))
            body = browser.find_element(By.TAG_NAME, "body").text
            for text in shows.get(name, []):
                if text.replace("\u202e", "\\u202e") not in body:  # (the override shown, not obeyed)
                    fail("%s: %r is not shown as text" % (name, text))
            if name == "issues-version" and \
               browser.find_element(By.CSS_SELECTOR, "input[name=version]").get_attribute("value") != V1:
                fail("the version filter's value is not the text asked for")
            if name == "issues-hw" and browser.find_element(By.CSS_SELECTOR, "input[name=hw]").get_attribute(
                    "value") != HW.replace("\u202e", "\\u202e") + "\\x1b[31m\\x07":
                fail("the hardware filter's value: %r" % browser.find_element(
                    By.CSS_SELECTOR, "input[name=hw]").get_attribute("value"))
            if name == "trace" and HW.replace("\u202e", "\\u202e") not in body:
                fail("trace: the hardware version is not shown as text")
        quiet_console(browser, "status of 404", "status of 400")  # (the pages of no such thing, asked for)

    run(test, server_bin, os.path.join(work, "screenshots-hostile"))


main()
