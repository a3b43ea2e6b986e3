#!/usr/bin/env python3
"""Checks alerts/alertmanager.yml's inhibit rules in a real Alertmanager (Debian's
prometheus-alertmanager) listening on loopback: a cause alert silences the symptom alert of the same
cluster, job, instance, service, port and protocol, and nothing else; a fleet page silences the
per-host pages of its cause in its cluster and job (host_down too: a rack failure is one page, and
the inhibited per-host host_down pages still inhibit their exporters' tickets). Python 3 standard
library and jsonnet."""

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
SYMPTOM = "PortUnreachableFromOutside"
FLEET = "PortCauseOnManyHosts"


def mixin_config():
    """The mixin's _config (causes, cluster label), read with jsonnet."""
    out = subprocess.run(["jsonnet", "-e", "(import 'mixin/mixin.libsonnet')._config"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


CONFIG = mixin_config()
CLUSTER = CONFIG["clusterLabel"]
CAUSES = [(c["cause"], c["alert"]) for c in CONFIG["causes"] + [CONFIG["hostDownCause"]]]


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


def port_alert(alertname, instance, service, port, protocol, cause=None, cluster="eu", job="port-exporter"):
    labels = {"alertname": alertname, "severity": "critical", CLUSTER: cluster, "job": job,
              "instance": instance, "service": service, "port": port, "protocol": protocol}
    if cause:
        labels["cause"] = cause
    return labels


def scenario():
    """(labels, expected state, inhibiting alertnames) triples: 'suppressed' when inhibited."""
    cases = []
    # Every cause (host_down too) inhibits the symptom of its own port (host-a, one port per cause).
    for i, (cause, name) in enumerate(CAUSES):
        port = str(8000 + i)
        cases.append((port_alert(name, "host-a:10070", "svc" + port, port, "tcp", cause), "active", None))
        cases.append((port_alert(SYMPTOM, "host-a:10070", "svc" + port, port, "tcp"), "suppressed", {name}))
    # The same service and port on another host: no cause there, the symptom pages.
    cases.append((port_alert(SYMPTOM, "host-b:10070", "svc8004", "8004", "tcp"), "active", None))
    # The same host and port in another cluster, or under another job (node IPs repeat): pages.
    cases.append((port_alert(SYMPTOM, "host-a:10070", "svc8004", "8004", "tcp", cluster="us"), "active", None))
    cases.append((port_alert(SYMPTOM, "host-a:10070", "svc8004", "8004", "tcp", job="edge"), "active", None))
    # The same host, another port, or the same port number over UDP: the symptom pages.
    cases.append((port_alert(SYMPTOM, "host-a:10070", "api", "9443", "tcp"), "active", None))
    cases.append((port_alert(SYMPTOM, "host-a:10070", "svc8004", "8004", "udp"), "active", None))
    # Exporter health alerts inhibit nothing: the symptom of host-c pages (cause unknown).
    cases.append(({"alertname": "PortExporterCollectorFailing", "severity": "warning", CLUSTER: "eu",
                   "job": "port-exporter", "instance": "host-c:10070", "collector": "firewall"}, "active", None))
    cases.append(({"alertname": "PortExporterVantageDown", "severity": "warning", "scope": "fleet", CLUSTER: "eu",
                   "job": "port-exporter", "vantage": "outside"}, "active", None))
    cases.append((port_alert(SYMPTOM, "host-c:10070", "web", "8080", "tcp"), "active", None))
    # A firewall push to many hosts of cluster fleet: one fleet page inhibits the per-host firewall
    # pages there (whose symptoms they inhibit in turn), not another cause, not another cluster.
    fleet = {"alertname": FLEET, "severity": "critical", "scope": "fleet", CLUSTER: "fleet",
             "job": "port-exporter", "cause": "firewall_blocked"}
    cases.append((fleet, "active", None))
    for i in range(1, 6):
        host = f"fleet-{i}:10070"
        cases.append((port_alert("PortBlockedByFirewall", host, "web", "8080", "tcp", "firewall_blocked", cluster="fleet"),
                      "suppressed", {FLEET}))
        cases.append((port_alert(SYMPTOM, host, "web", "8080", "tcp", cluster="fleet"), "suppressed",
                      {"PortBlockedByFirewall"}))
    cases.append((port_alert("PortDeniedBySelinux", "fleet-1:10070", "db", "5432", "tcp", "selinux_denied", cluster="fleet"),
                  "active", None))
    cases.append((port_alert("PortBlockedByFirewall", "other-1:10070", "web", "8080", "tcp", "firewall_blocked", cluster="other"),
                  "active", None))
    # A dead host: its host_down page (one per host: no service or port label) inhibits its
    # exporter's ticket, not another host's, not the same host name in another cluster.
    down = {"alertname": "PortHostDown", "severity": "critical", "cause": "host_down", CLUSTER: "eu", "job": "port-exporter",
            "instance": "host-d:10070"}
    cases.append((down, "active", None))

    def exporter_down(instance, cluster="eu"):
        return {"alertname": "PortExporterDown", "severity": "warning", CLUSTER: cluster, "job": "port-exporter",
                "instance": instance}
    cases.append((exporter_down("host-d:10070"), "suppressed", {"PortHostDown"}))
    cases.append((exporter_down("host-e:10070"), "active", None))
    cases.append((exporter_down("host-d:10070", cluster="us"), "active", None))
    # A rack fails in cluster rack: one fleet host_down page inhibits the per-host host_down pages
    # there, which (inhibited themselves) still inhibit their exporters' tickets; a dead host of
    # another cluster pages on its own.
    cases.append(({"alertname": FLEET, "severity": "critical", "scope": "fleet", CLUSTER: "rack", "job": "port-exporter",
                   "cause": "host_down"}, "active", None))
    for i in range(1, 6):
        host = f"rack-{i}:10070"
        cases.append((dict(down, **{CLUSTER: "rack", "instance": host}),
                      "suppressed", {FLEET}))
        cases.append((exporter_down(host, cluster="rack"), "suppressed", {"PortHostDown"}))
    cases.append((dict(down, **{CLUSTER: "us", "instance": "rack-1:10070"}),
                  "active", None))
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
            for labels, _, _ in cases])

        def key(labels):
            return tuple(sorted(labels.items()))

        # Alertmanager's inhibitor learns the source alerts from its own subscription, after the API
        # has taken them: a target read before that is "active". So read until every case is as
        # expected or the deadline passes, and report the last read (a busy machine is slower, not wrong).
        def check():
            got = {key(a["labels"]): a for a in request(base + "/api/v2/alerts")}
            by_fingerprint = {a["fingerprint"]: a["labels"] for a in got.values()}
            failures = []
            for labels, expected, sources_expected in cases:
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
                    names = {src.get("alertname") for src in sources}
                    same_scope = all(all(src.get(l) == labels[l] for l in (CLUSTER, "job")) for src in sources)
                    if not sources or names != sources_expected or not same_scope:
                        failures.append(f"inhibited by {sources}, expected {sources_expected}: {labels}")
            return failures

        deadline = time.monotonic() + 60
        while True:
            failures = check()
            if not failures:
                time.sleep(1)   # and still so a second later: no case passed on a half-learned state
                failures = check()
            if not failures or time.monotonic() > deadline:
                break
            time.sleep(0.5)
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
