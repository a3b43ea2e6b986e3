#!/usr/bin/env python3
"""A synthetic fleet of PortExporter hosts served by one process (Python 3 standard library).

GET  /host/N/metrics   host N's exposition (N = 0 .. hosts-1), gzip when asked for
GET  /vantage/V/metrics remote vantage V's own exposition (V = 1 .. vantages): its scheduled probes of
                       every host's ports (port_target_probe_*, host = the host's instance)
POST /control          JSON, any of:
                         {"fault": "firewall_blocked", "hosts": [N, ...], "port": K}  break port K there
                         {"fault": "down", "hosts": [N, ...]}                         those hosts die: their
                                                         scrape gets no answer, every vantage's probes fail
                         {"fault": "healthy", "hosts": [N, ...]}                      heal those hosts
                         {"vantage_broken": "vantage-2"} / {"vantage_broken": null}   one vantage's probes fail everywhere
                         {"fail_once": [N, ...]}                                      the next scrape of each answers 500
GET  /control          the scrape counts and pending failures, JSON

Every exposition is built from the real exporter's, captured in fixtures/ (see fixtures/README.md): a
captured host watches one port, web 8080/tcp, probed by one remote vantage, outside. Only the parts that
name the instance are templated: the watched port is repeated for each of the fleet's ports (service,
port and the host's address substituted), the vantage's series for each of its vantages, and a broken
vantage takes the series of the capture where that vantage's probes failed. Everything else is served
as captured. A vantage's own exposition is its capture (vantage-*.prom) with the captured probe target
repeated for each host and port: target name, host (the host's instance, as the mixin's join needs) and
address substituted; a dead host's targets take vantage-host_down.prom's series, a broken vantage's
vantage-vantage_broken.prom's.
"""

import argparse
import gzip
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CAPTURED_SERVICE = "web"
CAPTURED_PORT = "8080"
CAPTURED_HOST = "10.232.1.1"
CAPTURED_VANTAGE = "outside"
HOST_PLACEHOLDER = "\x00HOST\x00"
CAPTURED_INSTANCE = "10.232.1.1:9100"   # the probe target's host: in the capture
CAPTURED_TARGET = "web"


# The counts the exporter makes over its own probe results; the vantages it counts as inside and as its own.
COUNTS = ("port_outside_probes", "port_vantage_probes_succeeded")
INSIDE_VANTAGES = ("loopback", "internal")
LOCAL_VANTAGES = INSIDE_VANTAGES + ("external",)
LABEL_VANTAGE = re.compile(r'vantage="([^"]*)"')
LABEL_SERVICE = re.compile(r'service="([^"]*)"')


def instance(n):
    """Host n's instance label, as the fleet test's service discovery names it."""
    return f"host-{n:04d}:9100"


def vantage_instance(name):
    return f"{name}:9100"


def address(n):
    return f"10.{100 + n // 65536}.{n // 256 % 256}.{n % 256}"

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s')


def family_of(name, families):
    """The family a sample belongs to: its name, or the histogram/summary/counter it is a part of."""
    if name in families:
        return name
    for suffix in ("_bucket", "_sum", "_count", "_total", "_created", "_info"):
        if name.endswith(suffix) and name[: -len(suffix)] in families:
            return name[: -len(suffix)]
    return name


class Fixture:
    """One captured exposition, split by family into host lines and port lines, each with or without
    the vantage."""

    def __init__(self, path):
        self.order = []                 # family names in exposition order
        self.headers = {}               # family -> "# HELP/# TYPE" lines
        self.lines = {}                 # (family, scope) -> [line], scope in host, host_v, port, port_v
        families = set()
        text = open(path, encoding="utf-8").read()
        for line in text.splitlines():
            if line.startswith("# HELP ") or line.startswith("# TYPE "):
                families.add(line.split(" ", 3)[2])
        for line in text.splitlines():
            if not line.strip() or line.startswith("# EOF"):
                continue
            if line.startswith("#"):
                if line.startswith("# HELP ") or line.startswith("# TYPE "):
                    fam = line.split(" ", 3)[2]
                    self._family(fam)
                    self.headers[fam].append(line)
                continue
            m = SAMPLE.match(line)
            if not m:
                raise SystemExit(f"{path}: not a sample: {line!r}")
            fam = family_of(m.group(1), families)
            self._family(fam)
            labels = m.group(2) or ""
            port = f'service="{CAPTURED_SERVICE}"' in labels
            vantage = f'vantage="{CAPTURED_VANTAGE}"' in labels
            scope = ("port" if port else "host") + ("_v" if vantage else "")
            self.lines[(fam, scope)].append(line)

    def _family(self, fam):
        if fam not in self.headers:
            self.order.append(fam)
            self.headers[fam] = []
            for scope in ("host", "host_v", "port", "port_v"):
                self.lines[(fam, scope)] = []

    def get(self, fam, scope):
        return self.lines.get((fam, scope), [])


def port_line(line, service, port):
    line = line.replace(f'service="{CAPTURED_SERVICE}"', f'service="{service}"')
    line = line.replace(f'port="{CAPTURED_PORT}"', f'port="{port}"')
    line = line.replace(f':{CAPTURED_PORT}"', f':{port}"')                 # probe addresses
    line = line.replace(f"--dport {CAPTURED_PORT} ", f"--dport {port} ")     # the firewall rule
    return line.replace(CAPTURED_HOST, HOST_PLACEHOLDER)


def vantage_line(line, vantage):
    return line.replace(f'vantage="{CAPTURED_VANTAGE}"', f'vantage="{vantage}"')


class VantageFixture:
    """A vantage's own captured exposition: header lines, lines of its one probe target (templated per
    host and port) and the rest, by family in exposition order."""

    def __init__(self, path):
        self.order, self.headers, self.other, self.target, self.per_host = [], {}, {}, {}, {}
        for line in open(path, encoding="utf-8").read().splitlines():
            if not line.strip() or line.startswith("# EOF"):
                continue
            if line.startswith("# HELP ") or line.startswith("# TYPE "):
                fam = line.split(" ", 3)[2]
                self._family(fam)
                self.headers[fam].append(line)
                continue
            if line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                raise SystemExit(f"{path}: not a sample: {line!r}")
            fam = family_of(m.group(1), set(self.headers))
            self._family(fam)
            if f'target="{CAPTURED_TARGET}"' in (m.group(2) or ""):
                if f'host="{CAPTURED_INSTANCE}"' not in line:
                    raise SystemExit(f"{path}: the probe target's host is not {CAPTURED_INSTANCE}: {line!r}")
                self.target[fam].append(line
                                        .replace(f'target="{CAPTURED_TARGET}"', 'target="\x00T\x00"')
                                        .replace(f'host="{CAPTURED_INSTANCE}"', 'host="\x00I\x00"')
                                        .replace(f'address="{CAPTURED_HOST}:{CAPTURED_PORT}"', 'address="\x00A\x00"'))
            elif f'host="{CAPTURED_INSTANCE}"' in (m.group(2) or ""):
                # a count over the host's targets (port_target_probes): one line per host, counted again
                self.per_host[fam].append(line.replace(f'host="{CAPTURED_INSTANCE}"', 'host="\x00I\x00"'))
            else:
                self.other[fam].append(line)

    def _family(self, fam):
        if fam not in self.headers:
            self.order.append(fam)
            self.headers[fam], self.other[fam], self.target[fam], self.per_host[fam] = [], [], [], []


class Fleet:
    def __init__(self, fixtures, hosts, ports, vantages):
        self.fx = {name: Fixture(f"{fixtures}/{name}.prom") for name in ("healthy", "firewall_blocked", "vantage_broken")}
        self.vx = {name: VantageFixture(f"{fixtures}/vantage-{name}.prom") for name in ("healthy", "vantage_broken", "host_down")}
        self.hosts, self.vantages = hosts, vantages
        self.down = set()           # dead hosts
        self.vantage_cache = {}     # vantage -> (plain, gzip)
        self.ports = [(f"svc{i:02d}", str(8000 + i)) for i in range(ports)]
        self.order = list(self.fx["healthy"].order)
        for fx in self.fx.values():
            self.order += [f for f in fx.order if f not in self.order]
        self.lock = threading.Lock()
        self.faults = {}            # host -> {port index: fault}
        self.broken = None          # the broken vantage, or None
        self.fail = set()           # hosts whose next scrape fails
        self.scrapes = [0] * hosts
        self.failed = []            # (host, scrape number) answered 500
        self.cache = {}             # host -> (plain, gzip)
        self._port_cache = {}

    def _port_block(self, fam, state, index):
        """Lines of one port of family fam in a port state: healthy | firewall_blocked | vantage_broken."""
        key = (fam, state, index, self.broken)
        if key not in self._port_cache:
            service, port = self.ports[index]
            fx = self.fx[state]
            out = [port_line(l, service, port) for l in fx.get(fam, "port")]
            for v in self.vantages:
                src = fx
                if state == "vantage_broken" and v != self.broken:
                    src = self.fx["healthy"]    # the other vantages still connect
                out += [vantage_line(port_line(l, service, port), v) for l in src.get(fam, "port_v")]
            self._port_cache[key] = out
        return self._port_cache[key]

    def render(self, host):
        faults = self.faults.get(host, {})
        states = []
        for i in range(len(self.ports)):
            state = faults.get(i, "healthy")
            if state == "healthy" and self.broken:
                state = "vantage_broken"
            states.append(state)
        host_state = "firewall_blocked" if "firewall_blocked" in states else states[0] if states else "healthy"
        hfx = self.fx[host_state]
        counts = self._counts(states)
        out = []
        for fam in self.order:
            body = list(hfx.get(fam, "host"))
            for v in self.vantages:
                body += [vantage_line(l, v) for l in self.fx["healthy"].get(fam, "host_v")]
            for i, state in enumerate(states):
                body += self._port_block(fam, state, i)
            if fam in COUNTS:
                body = [counts(line) for line in body]
            if body:
                out += self.fx["healthy"].headers.get(fam) or hfx.headers.get(fam) or self.fx[states[0]].headers.get(fam, [])
                out += body
        text = ("\n".join(out) + "\n").replace(HOST_PLACEHOLDER, address(host)).encode()
        return text, gzip.compress(text, 1)

    def _counts(self, states):
        """The exporter's counts over its probe results (port_outside_probes per port, port_vantage_probes_succeeded
        per remote vantage) for this host's rendered probe series: the capture has one port and one vantage,
        so its values are counted again here the way the exporter counts them. Returns a line -> line map."""
        outside, succeeded = {}, {}
        for i, state in enumerate(states):
            for line in self._port_block("port_probe_success", state, i):
                vantage, value = LABEL_VANTAGE.search(line).group(1), float(line.rsplit(" ", 1)[1])
                if vantage not in INSIDE_VANTAGES:
                    outside[i] = outside.get(i, 0) + 1
                if vantage not in LOCAL_VANTAGES:
                    succeeded[vantage] = succeeded.get(vantage, 0) + (value == 1)
        by_port = {self.ports[i][0]: n for i, n in outside.items()}

        def count(line):
            name = line.split("{", 1)[0]
            if name == "port_outside_probes":
                value = by_port.get(LABEL_SERVICE.search(line).group(1), 0)
            else:
                value = succeeded.get(LABEL_VANTAGE.search(line).group(1), 0)
            return f"{line.rsplit(' ', 1)[0]} {value}"
        return count

    def render_vantage(self, vantage):
        """The vantage's own exposition: its probes of every host's every port."""
        own = self.vx["vantage_broken" if vantage == self.broken else "healthy"]
        out = []
        for fam in own.order:
            body = list(own.other[fam])
            for host in range(self.hosts):
                state = self.vx["host_down"] if host in self.down else own
                # the host's targets with a result: one per port (the capture has one)
                body += [f"{l.replace(chr(0) + 'I' + chr(0), instance(host)).rsplit(' ', 1)[0]} {len(self.ports)}"
                         for l in state.per_host.get(fam, [])]
                lines = state.target.get(fam, [])
                if not lines:
                    continue
                inst, addr = instance(host), address(host)
                for service, port in self.ports:
                    target, where = f"host-{host:04d}-{service}", f"{addr}:{port}"
                    body += [l.replace("\x00T\x00", target).replace("\x00I\x00", inst).replace("\x00A\x00", where) for l in lines]
            if body:
                out += own.headers[fam] + body
        text = ("\n".join(out) + "\n").encode()
        return text, gzip.compress(text, 1)

    def vantage_exposition(self, vantage):
        with self.lock:
            if vantage not in self.vantage_cache:
                self.vantage_cache[vantage] = self.render_vantage(vantage)
            return self.vantage_cache[vantage]

    def exposition(self, host):
        with self.lock:
            self.scrapes[host] += 1
            if host in self.down:
                return False
            if host in self.fail:
                self.fail.discard(host)
                self.failed.append((host, self.scrapes[host]))
                return None
            if host not in self.cache:
                self.cache[host] = self.render(host)
            return self.cache[host]

    def control(self, req):
        with self.lock:
            if "fault" in req:
                for h in req["hosts"]:
                    if req["fault"] == "healthy":
                        self.faults.pop(h, None)
                        self.down.discard(h)
                    elif req["fault"] == "down":
                        self.down.add(h)
                    else:
                        self.faults.setdefault(h, {})[int(req["port"])] = req["fault"]
                    self.cache.pop(h, None)
                self.vantage_cache.clear()
            if "vantage_broken" in req:
                self.broken = req["vantage_broken"]
                self.cache.clear()
                self.vantage_cache.clear()
            if "fail_once" in req:
                self.fail.update(req["fail_once"])
            return {"scrapes": sum(self.scrapes), "failed": self.failed, "pending_failures": sorted(self.fail),
                    "down": sorted(self.down)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--ports", type=int, default=20)
    ap.add_argument("--vantages", type=int, default=3)
    ap.add_argument("--listen-port", type=int, required=True)
    args = ap.parse_args()
    fleet = Fleet(args.fixtures, args.hosts, args.ports, [f"vantage-{i + 1}" for i in range(args.vantages)])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, code, body, ctype="application/json", extra=None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            m = re.fullmatch(r"/host/(\d+)/metrics", self.path)
            v = re.fullmatch(r"/vantage/(\d+)/metrics", self.path)
            if v and 1 <= int(v.group(1)) <= args.vantages:
                got = fleet.vantage_exposition(f"vantage-{v.group(1)}")
                if "gzip" in self.headers.get("Accept-Encoding", ""):
                    self.reply(200, got[1], "text/plain; version=0.0.4", {"Content-Encoding": "gzip"})
                else:
                    self.reply(200, got[0], "text/plain; version=0.0.4")
            elif m and int(m.group(1)) < args.hosts:
                got = fleet.exposition(int(m.group(1)))
                if got is False:
                    self.close_connection = True    # a dead host: no answer at all
                elif got is None:
                    self.reply(500, b"injected failure\n", "text/plain")
                elif "gzip" in self.headers.get("Accept-Encoding", ""):
                    self.reply(200, got[1], "text/plain; version=0.0.4", {"Content-Encoding": "gzip"})
                else:
                    self.reply(200, got[0], "text/plain; version=0.0.4")
            elif self.path == "/control":
                self.reply(200, json.dumps(fleet.control({})).encode())
            else:
                self.reply(404, b"not found\n", "text/plain")

        def do_POST(self):
            if self.path != "/control":
                self.reply(404, b"not found\n", "text/plain")
                return
            req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            self.reply(200, json.dumps(fleet.control(req)).encode())

    server = ThreadingHTTPServer(("127.0.0.1", args.listen_port), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
