#!/usr/bin/env python3
"""Checks alerts/alertmanager.yml's inhibit rule in a real Alertmanager (Debian's
prometheus-alertmanager) listening on loopback: a root-cause alert silences the symptom alert of the
same instance, service, port and protocol, and nothing else. Python 3 standard library only."""

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "alerts", "src"))

import rules  # noqa: E402

SYMPTOM = rules.SYMPTOM_ALERT


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alertmanager_binary():
    for name in ("prometheus-alertmanager", "alertmanager"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no alertmanager binary (apt-get install prometheus-alertmanager)")


def request(url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        text = resp.read().decode()
        return json.loads(text) if text.strip().startswith(("[", "{")) else text


def port_alert(alertname, instance, service, port, protocol, cause=None):
    labels = {"alertname": alertname, "severity": "critical", "job": "port-exporter",
              "instance": instance, "service": service, "port": port, "protocol": protocol}
    if cause:
        labels["cause"] = cause
    return labels


def scenario():
    """(labels, expected state) pairs: 'suppressed' when inhibited, 'active' otherwise."""
    cases = []
    # Every root cause inhibits the symptom of its own port (host-a, one port per cause).
    for i, (cause, name, _) in enumerate(rules.CAUSES):
        port = str(8000 + i)
        cases.append((port_alert(name, "host-a:10070", "svc" + port, port, "tcp", cause), "active"))
        cases.append((port_alert(SYMPTOM, "host-a:10070", "svc" + port, port, "tcp"), "suppressed"))
    # The same service and port on another host: no cause there, the symptom pages.
    cases.append((port_alert(SYMPTOM, "host-b:10070", "svc8004", "8004", "tcp"), "active"))
    # The same host, another port, or the same port number over UDP: the symptom pages.
    cases.append((port_alert(SYMPTOM, "host-a:10070", "api", "9443", "tcp"), "active"))
    cases.append((port_alert(SYMPTOM, "host-a:10070", "svc8004", "8004", "udp"), "active"))
    # Exporter health alerts inhibit nothing: the symptom of host-c pages (cause unknown).
    cases.append(({"alertname": "PortExporterCollectorFailing", "severity": "warning", "job": "port-exporter",
                   "instance": "host-c:10070", "collector": "firewall"}, "active"))
    cases.append(({"alertname": "PortExporterVantageDown", "severity": "warning", "job": "port-exporter",
                   "instance": "host-c:10070", "vantage": "outside"}, "active"))
    cases.append((port_alert(SYMPTOM, "host-c:10070", "web", "8080", "tcp"), "active"))
    return cases


def main():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    storage = tempfile.mkdtemp(prefix="am-inhibit-")
    log = open(os.path.join(storage, "alertmanager.log"), "w")
    proc = subprocess.Popen(
        [alertmanager_binary(), f"--config.file={os.path.join(ROOT, 'alerts', 'alertmanager.yml')}",
         f"--storage.path={storage}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address=", "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                request(base + "/-/ready")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    print(open(log.name).read(), file=sys.stderr)
                    print("alertmanager did not become ready", file=sys.stderr)
                    return 1
                time.sleep(0.2)

        cases = scenario()
        now = datetime.datetime.now(datetime.timezone.utc)
        ends = now + datetime.timedelta(minutes=10)
        request(base + "/api/v2/alerts", [
            {"labels": labels, "annotations": {}, "startsAt": now.isoformat(), "endsAt": ends.isoformat()}
            for labels, _ in cases])

        def key(labels):
            return tuple(sorted(labels.items()))

        deadline = time.monotonic() + 10
        while True:
            got = {key(a["labels"]): a for a in request(base + "/api/v2/alerts")}
            if len(got) >= len(cases) or time.monotonic() > deadline:
                break
            time.sleep(0.2)

        by_fingerprint = {a["fingerprint"]: a["labels"] for a in got.values()}
        failures = []
        for labels, expected in cases:
            alert = got.get(key(labels))
            if alert is None:
                failures.append(f"not received: {labels}")
                continue
            state = alert["status"]["state"]
            if state != expected:
                failures.append(f"{expected} expected, {state}: {labels}")
                continue
            if expected == "suppressed":
                sources = [by_fingerprint.get(f, {}) for f in alert["status"]["inhibitedBy"]]
                same_port = all(
                    s.get("cause") and all(s.get(l) == labels[l] for l in ("instance", "service", "port", "protocol"))
                    for s in sources)
                if not sources or not same_port:
                    failures.append(f"inhibited by the wrong alerts {sources}: {labels}")
        for failure in failures:
            print("   " + failure, file=sys.stderr)
        print(f"   {len(cases) - len(failures)}/{len(cases)} inhibition cases as expected")
        return 1 if failures else 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
