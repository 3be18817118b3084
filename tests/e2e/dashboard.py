#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""dashboard.py SERVER SERIAL2BATCH FLEETSIM ELF M4F_ELF M4F_LOG WORKDIR LOG...: the web dashboard in a real browser
(Debian's headless Chromium through python3-selenium). A real server gets a small simulated fleet (sim/fleetsim: two
versions' heartbeats, reboots and crashes over three days), the crash logs (one device each, the first log on three
devices), the firmware ELF, and a Cortex-M4F crash whose ELF it has not. The browser is sent to a page, refused into
the login, logs in and lands on that page, and reads what every page shows against what the API answers: the issue
counts and sparklines, an issue's plot points, a frame's file:line, the fault status bits, the versions' health and
their comparison's verdicts, a device's boots and metrics. It resolves an issue in a version with the form, uploads
the missing ELF on the symbols page (its waiting coredump is then processed), sees a refused form (a wrong CSRF
token), logs out and is refused again. A screenshot of each page goes to WORKDIR/screenshots (the test's artifacts:
look at them)."""
import os
import subprocess
import sys

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashlib import fail, quiet_console, run, until  # noqa: E402


def main():
    server_bin, serial2batch, fleetsim, elf, m4f_elf, m4f_log, work = sys.argv[1:8]
    logs = sys.argv[8:]

    def test(server, browser, shots):
        # what the server knows: a fleet's three days (the server's clock moves with it), the first log on three
        # devices, each other one on a device of its own, and a crash of a build whose ELF is not there yet
        subprocess.run([fleetsim, "--server", server.base, "--key", server.key, "--token", server.admin,
                        "--upload-elf", "--days", "3", "--group", "1.4.2:20:3:0.5", "--group", "1.4.3:20:12:0.5",
                        "--seed", "7", "--quiet"], check=True, capture_output=True)
        fleet_crashes = sum(i["count"] for i in server.api("issues")["issues"])
        server.send("dev-m4f", subprocess.run([serial2batch, m4f_log], check=True, capture_output=True).stdout)
        for i, log in enumerate(logs):
            batch = subprocess.run([serial2batch, log], check=True, capture_output=True).stdout
            for serial in (["dev-a", "dev-b", "dev-c"] if i == 0 else ["dev-%d" % i]):
                server.send(serial, batch)
        server.call("POST", "/api/v1/symbols", open(elf, "rb").read(), {"Authorization": "Bearer " + server.admin},
                    201)
        until("every crash processed",
              lambda: sum(i["count"] for i in server.api("issues")["issues"]) == fleet_crashes + len(logs) + 2)
        until("the M4F crash waiting for its symbols", lambda: server.api("symbols")["waiting"])
        issues = server.api("issues?sort=devices&state=any&days=14")["issues"]
        top = [i for i in issues if i["title"].startswith("bus_fault")][0]
        if top["devices"] != 3:
            fail("the first log's issue: %s" % top)

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
        until("the wrong token's answer", lambda: browser.find_elements(By.ID, "error"))  # (the click returns first)
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
        [r for r in rows if r.get_attribute("data-id") == str(top["id"])][0].find_element(By.CSS_SELECTOR, "a").click()
        until("the issue page", lambda: text("#issue-id") == str(top["id"]))
        shot("issue")
        if text("#count") != str(top["count"]) or text("#devices") != "3":
            fail("the issue's counts: %s %s" % (text("#count"), text("#devices")))
        points = browser.find_elements(By.CSS_SELECTOR, "#occurrences circle.pt")
        today = server.api("issues/%d?days=1" % top["id"])  # (the server's clock: the fleet moved it)
        if not points or points[-1].get_attribute("data-y") != str(today["daily"][0]) or \
           sum(int(p.get_attribute("data-y")) for p in points) != top["count"]:
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
        build = trace["report"]["firmware"]["build_id"]
        if text("#gdb") != "gdb-multiarch -ex 'set stack-cache off' %s.elf -ex 'core-file core-%d.elf'" % (
                build, top["latest_trace"]):
            fail("the GDB command: " + text("#gdb"))
        got = browser.execute_script("return fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => b.byteLength)",
                                     browser.find_element(By.ID, "elf").get_attribute("href"))
        if got != os.path.getsize(elf):
            fail("the firmware ELF downloaded from the trace page: %s bytes, %d uploaded" % (got, os.path.getsize(elf)))
        core = browser.find_element(By.ID, "core").get_attribute("href")
        if not core.endswith("/traces/%d/core" % top["latest_trace"]):
            fail("the core's link: " + core)

        # the fleet: the overview's plots have both versions' days, the versions table the API's numbers, the
        # comparison the API's verdicts
        health = server.api("versions?days=30")["versions"]
        browser.get(server.base + "/")
        shot("overview")
        for plot in ("crash-free-hours", "crash-free-devices", "adoption", "online"):
            names = [g.get_attribute("data-name") for g in browser.find_elements(By.CSS_SELECTOR, "#%s g.series" % plot)]
            if names != [v["sw_version"] for v in health]:
                fail("the %s plot's versions: %s" % (plot, names))
        markers = [m.get_attribute("data-x") for m in browser.find_elements(By.CSS_SELECTOR, "#adoption g.marker")]
        if markers != [str(v["first_seen"]) for v in health if v["first_seen"] is not None]:
            fail("the release markers at %s, the versions' first hours %s" % (markers, [v["first_seen"] for v in health]))
        browser.find_element(By.LINK_TEXT, "Versions").click()
        until("the versions page", lambda: browser.title.startswith("Versions"))
        shot("versions")
        for v in health:
            row = browser.find_element(By.CSS_SELECTOR, "#versions tr[data-version='%s']" % v["sw_version"])
            cfh = "%.2f %%" % v["crash_free_hours"]["value"] if v["crash_free_hours"] else "–"  # (no exposure)
            if row.find_element(By.CSS_SELECTOR, ".devices").text != str(v["devices"]) or \
               not row.find_element(By.CSS_SELECTOR, ".cfh").text.startswith(cfh):
                fail("version %s's row: %s, the API: %s" % (v["sw_version"], row.text, v))
        browser.find_element(By.ID, "compare").click()
        until("the comparison", lambda: "against" in browser.title)
        shot("compare")
        verdicts = server.api("compare?a=1.4.2&b=1.4.3&days=30")["rates"]
        shown = [c.text.split(" (")[0] for c in browser.find_elements(By.CSS_SELECTOR, "#compare td.verdict")]
        if shown != [r["verdict"] for r in verdicts]:
            fail("the verdicts shown: %s, the API's: %s" % (shown, [r["verdict"] for r in verdicts]))

        # devices: the list, one device's boots and its metrics from its heartbeats
        browser.find_element(By.LINK_TEXT, "Devices").click()
        until("the devices page", lambda: browser.title.startswith("Devices"))
        shot("devices")
        sim = [d["serial"] for d in server.api("devices?limit=500")["devices"] if d["serial"].startswith("sim-")][0]
        browser.get(server.base + "/devices/" + sim)
        shot("device")
        device = server.api("devices/" + sim)
        beats = server.api("devices/%s/heartbeats" % sim)["heartbeats"]
        if len(browser.find_elements(By.CSS_SELECTOR, "#timeline g.lane[data-name=boots] circle")) != \
           len(device["reboots"]) or len(browser.find_elements(By.CSS_SELECTOR, "#events tr.reboot")) != \
           len(device["reboots"]):
            fail("the device's boots: the API has %d" % len(device["reboots"]))
        uptime = browser.find_elements(By.CSS_SELECTOR, "#metric-0 circle.pt")
        if len(uptime) != len(beats) or uptime[-1].get_attribute("data-y") != str(beats[0]["builtin"]["uptime_s"]):
            fail("the device's first metric: %d points, %d heartbeats" % (len(uptime), len(beats)))

        # symbols: the crash waiting for its build, the ELF uploaded from the page, the crash processed
        waiting = server.api("symbols")["waiting"][0]["build_id"]
        browser.find_element(By.LINK_TEXT, "Symbols").click()
        until("the symbols page", lambda: browser.title.startswith("Symbols"))
        if not browser.find_elements(By.CSS_SELECTOR, "#waiting tr[data-build='%s']" % waiting):
            fail("the waiting build is not listed")
        shot("symbols")
        chooser = browser.find_element(By.ID, "file")
        browser.execute_script("arguments[0].hidden = false", chooser)
        chooser.send_keys(m4f_elf)
        until("the upload's answer", lambda: "stored" in text("#upload-result") or "refused" in text("#upload-result"))
        if "1 waiting coredump(s) queued" not in text("#upload-result"):
            fail("the upload: " + text("#upload-result"))
        shot("symbols-uploaded")
        until("the M4F crash processed", lambda: not server.api("symbols")["waiting"] and
              any(t["issue"] == top["id"] for t in server.api("devices/dev-m4f")["traces"]))
        until("the uploaded build listed", lambda: browser.find_elements(By.CSS_SELECTOR, "#uploaded tr[data-build='%s']"
                                                                         % waiting))

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
        # nothing went wrong in the browser but the two refusals asked for
        quiet_console(browser, "/login - Failed to load resource: the server responded with a status of 401",
                      "/logout - Failed to load resource: the server responded with a status of 403")

    run(test, server_bin, os.path.join(work, "screenshots"))


main()
