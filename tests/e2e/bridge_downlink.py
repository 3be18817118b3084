# SPDX-License-Identifier: Apache-2.0
"""faultline bridge as an update relay (docs/FORMAT.md §12) on a real server: a device on a console served over TCP
(as QEMU serves its UART) checks in, is offered a release, fetches the image in pieces with the link cut halfway
(the bridge ends with it and is started again; the device asks from where it got), and the bytes it assembled have
the SHA-256 of the offer and are the signed image; it reports its steps, which the server stores. A garbled
request line is dropped and asked again. The device side is this script speaking the format's bytes: the SDK's
update client (issue 16, part 3) takes its place on target.

usage: bridge_downlink.py SERVER CLI ELF [--paced]
--paced (make bench): the console carries 11,520 bytes a second each way, as a UART at 115200 baud does (QEMU's
UART and ptys do not pace themselves), and the time and the share of image bytes are printed."""
import base64
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

NAME = "bridge-downlink"
PIECE = 1024
RATE = 11520.0  # bytes a second each way: 115200 baud, 8N1
PACED = "--paced" in sys.argv


def fail(why):
    print("%s: %s" % (NAME, why))
    sys.exit(1)


def record(letter, msg):
    return b"#FL:%s:%s:%08x\n" % (letter, base64.b64encode(msg), zlib.crc32(msg))


def s8(b):
    return bytes([len(b)]) + b


class Console:
    """The device's end of a console the bridge dials (tcp:HOST:PORT)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.conn = None
        self.buf = b""
        self.sent = 0
        self.received = 0
        self.start = time.monotonic()
        self.line_bytes = 0
        self.up_bytes = 0

    def accept(self):
        self.listener.settimeout(20)
        self.conn, _ = self.listener.accept()
        self.conn.settimeout(20)
        self.buf = b""

    def pace(self, n):
        """Wait until n more bytes could have crossed a 115200-baud line since the link began."""
        if PACED:
            self.line_bytes += n
            due = self.start + self.line_bytes / RATE
            if due > time.monotonic():
                time.sleep(due - time.monotonic())

    def send(self, line):
        self.conn.sendall(line)
        self.sent += len(line)
        self.pace_up(len(line))

    def pace_up(self, n):
        if PACED:
            self.up_bytes += n
            due = self.start + self.up_bytes / RATE
            if due > time.monotonic():
                time.sleep(due - time.monotonic())

    def reply(self):
        """The next #FL:D: record's message (log lines are skipped)."""
        while True:
            while b"\n" not in self.buf:
                got = self.conn.recv(65536)
                if not got:
                    fail("the bridge closed the console")
                self.buf += got
            line, self.buf = self.buf.split(b"\n", 1)
            self.received += len(line) + 1
            self.pace(len(line) + 1)
            if line.startswith(b"#FL:D:"):
                b64, crc = line[6:].rsplit(b":", 1)
                msg = base64.b64decode(b64)
                if zlib.crc32(msg) != int(crc, 16):
                    fail("a reply line's CRC is wrong")
                return msg

    def ask(self, msg):
        self.send(record(b"U", msg))
        return self.reply()

    def cut(self):
        self.conn.close()
        self.conn = None


def main():
    server, cli, elf = sys.argv[1:4]
    work = tempfile.mkdtemp()
    data = os.path.join(work, "data")
    out = open(os.path.join(work, "server.out"), "w+")
    srv = subprocess.Popen([server, "--data", data, "--listen", "127.0.0.1:0"], stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(400):
            if os.path.exists(os.path.join(data, "port")) and os.path.getsize(os.path.join(data, "port")) > 0:
                break
            time.sleep(0.05)
        port = open(os.path.join(data, "port")).read().strip()
        out.seek(0)
        text = out.read()
        key = [l.split(": ")[-1].strip() for l in text.splitlines() if l.startswith("project key")][0]
        admin = [l.split(": ")[-1].strip() for l in text.splitlines() if l.startswith("admin token")][0]
        env = dict(os.environ, FAULTLINE_SERVER="http://127.0.0.1:%s" % port, FAULTLINE_TOKEN=admin,
                   FAULTLINE_KEY=key)

        def run(*args):
            r = subprocess.run([cli] + list(args), env=env, capture_output=True, text=True)
            if r.returncode != 0:
                fail("faultline %s: %s" % (" ".join(args), r.stderr))
            return r.stdout

        fw = os.path.join(work, "fw.bin")
        signed = os.path.join(work, "fw.signed.bin")
        subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", elf, fw], check=True)
        run("keys", "generate", "-o", os.path.join(work, "k.pem"))
        run("keys", "add", os.path.join(work, "k.pub.pem"))
        run("release", "sign", "--key", os.path.join(work, "k.pem"), "--version", "1.0.1", "-H", "0x200",
            "--pad-header", "-S", "0x40000", "--security-counter", "1", fw, "-o", signed)
        run("release", "upload", signed, "--elf", elf)
        run("cohort", "create", "serial-devices", "--serial", "dev-s")
        run("deploy", "1", "--cohort", "serial-devices")
        image = open(signed, "rb").read()

        con = Console()
        bridge = None
        t0 = time.monotonic()

        def start_bridge():
            b = subprocess.Popen([cli, "bridge", "tcp:127.0.0.1:%d" % con.port], env=env, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(work, "bridge.err"), "a"))
            con.accept()
            con.send(b"boot 1.0.0\n#FL:S:dev-s\n")
            return b

        bridge = start_bridge()
        checkin = bytes([0x01, 1, 0]) + struct.pack("<HIII", 0, 0, 0, 0x40000) + s8(b"1.0.0") + s8(b"mps2") + \
            s8(bytes.fromhex("aabbccdd"))
        # a garbled line first: dropped; the same request asked again is answered
        bad = bytearray(record(b"U", checkin))
        bad[8] ^= 1
        con.send(bytes(bad))
        reply = con.ask(checkin)
        if reply[0] != 0x81:
            fail("the check-in was not answered with an offer: %r" % reply)
        deployment, release, size = struct.unpack("<III", reply[1:13])
        major, minor, rev, build = struct.unpack("<BBHI", reply[13:21])
        sha = reply[21:53]
        if (deployment, release, size) != (1, 1, len(image)) or (major, minor, rev, build) != (1, 0, 1, 0):
            fail("the offer: deployment %d release %d size %d version %d.%d.%d+%d" %
                 (deployment, release, size, major, minor, rev, build))
        got = b""
        cut_done = False
        while len(got) < size:
            if len(got) >= size // 2 and not cut_done:
                con.cut()  # the link goes; the bridge ends with it
                if bridge.wait(20) is None:
                    fail("the bridge did not end with its console")
                bridge = start_bridge()
                cut_done = True
            ask = min(PIECE, size - len(got))
            reply = con.ask(bytes([0x02]) + struct.pack("<IIH", release, len(got), ask))
            if reply[0] != 0x83 or struct.unpack("<II", reply[1:9]) != (release, len(got)):
                fail("a fetch at %d: %r" % (len(got), reply[:40]))
            if len(reply) - 9 != ask:
                fail("a fetch of %d bytes at %d brought %d" % (ask, len(got), len(reply) - 9))
            got += reply[9:]
            if len(got) % (8 * PIECE) == 0 or len(got) == size:
                r = con.ask(bytes([0x03]) + struct.pack("<IBI", deployment, 1, len(got)) + s8(b""))
                if r[0] != 0x84:
                    fail("a step report: %r" % r)
        past = con.ask(bytes([0x02]) + struct.pack("<IIH", release, size, 16))
        if past[0] != 0x83 or len(past) != 9:
            fail("a fetch past the end brought %r" % past)
        hdr_size, prot_size, img_size = struct.unpack("<HHI", got[8:16])  # the MCUboot header's sizes
        digest = hashlib.sha256(got[:hdr_size + img_size + prot_size]).digest()
        if digest != sha or got != image:
            fail("the image assembled is not the release (its SHA-256 %s, the offer's %s)" % (digest.hex(), sha.hex()))
        for step in (2, 3):  # downloaded, verified
            if con.ask(bytes([0x03]) + struct.pack("<IBI", deployment, step, size) + s8(b""))[0] != 0x84:
                fail("step %d was not recorded" % step)
        # refusals: another release, a report for a deployment the device was not offered
        r = con.ask(bytes([0x02]) + struct.pack("<IIH", 7, 0, 16))
        if r[0] != 0x8F or b"no such release offered" not in r:
            fail("a fetch of release 7: %r" % r)
        r = con.ask(bytes([0x03]) + struct.pack("<IBI", 9, 5, 0) + s8(b""))
        if r[0] != 0x8F:
            fail("a report on deployment 9: %r" % r)
        con.cut()
        bridge.wait(20)
        # a console read from a file cannot answer: the bridge leaves the file as it is
        capture = os.path.join(work, "capture.log")
        open(capture, "wb").write(b"boot\n#FL:S:dev-s\n" + record(b"U", checkin) * 3)
        before = open(capture, "rb").read()
        r = subprocess.run([cli, "bridge", capture], env=env, capture_output=True, text=True)
        if open(capture, "rb").read() != before or "read-only" not in r.stderr:
            fail("the bridge wrote into the file it read, or did not say it cannot answer: %s" % r.stderr)
        req = urllib.request.Request("http://127.0.0.1:%s/api/v1/deployments/1" % port,
                                     headers={"Authorization": "Bearer " + admin})
        d = json.load(urllib.request.urlopen(req))
        steps = [s["step"] for s in d["steps"]]
        if d["devices"][0]["step"] != "verified" or steps[0] != "offered" or steps.count("downloading") < 2:
            fail("the server's steps: %s" % json.dumps(d))
        if PACED:
            took = time.monotonic() - t0
            print("downlink through faultline bridge, console paced at 11,520 B/s each way: a %d-byte image in %.1f s "
                  "(%.0f image B/s); image bytes / line bytes: %.1f%% down, %.1f%% of both ways (%d down, %d up); the "
                  "paced line's raw limit is 11,520 B/s" % (size, took, size / took, 100.0 * size / con.received,
                                                            100.0 * size / (con.received + con.sent), con.received,
                                                            con.sent))
        else:
            print("%s: all good: %d image bytes in %d console bytes down and %d up (%.1f%% of the bytes down are "
                  "image)" % (NAME, size, con.received, con.sent, 100.0 * size / con.received))
    finally:
        srv.terminate()
        srv.wait()


main()
