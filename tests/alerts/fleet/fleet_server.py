#!/usr/bin/env python3
"""A synthetic fleet of PortExporter hosts served by one process (Python 3 standard library).

GET  /host/N/metrics   host N's exposition (N = 0 .. hosts-1), gzip when asked for
POST /control          JSON, any of:
                         {"fault": "firewall_blocked", "hosts": [N, ...], "port": K}  break port K there
                         {"fault": "healthy", "hosts": [N, ...]}                      heal those hosts
                         {"vantage_broken": "vantage-2"} / {"vantage_broken": null}   one vantage's probes fail everywhere
                         {"fail_once": [N, ...]}                                      the next scrape of each answers 500
GET  /control          the scrape counts and pending failures, JSON

Every exposition is built from the real exporter's, captured in fixtures/ (see fixtures/README.md): a
captured host watches one port, web 8080/tcp, probed by one remote vantage, outside. Only the parts that
name the instance are templated: the watched port is repeated for each of the fleet's ports (service,
port and the host's address substituted), the vantage's series for each of its vantages, and a broken
vantage takes the series of the capture where that vantage's probes failed. Everything else is served
as captured.
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


class Fleet:
    def __init__(self, fixtures, hosts, ports, vantages):
        self.fx = {name: Fixture(f"{fixtures}/{name}.prom") for name in ("healthy", "firewall_blocked", "vantage_broken")}
        self.hosts, self.vantages = hosts, vantages
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
        out = []
        for fam in self.order:
            body = list(hfx.get(fam, "host"))
            for v in self.vantages:
                body += [vantage_line(l, v) for l in self.fx["healthy"].get(fam, "host_v")]
            for i, state in enumerate(states):
                body += self._port_block(fam, state, i)
            if body:
                out += self.fx["healthy"].headers.get(fam) or hfx.headers.get(fam) or self.fx[states[0]].headers.get(fam, [])
                out += body
        address = f"10.{100 + host // 65536}.{host // 256 % 256}.{host % 256}"
        text = ("\n".join(out) + "\n").replace(HOST_PLACEHOLDER, address).encode()
        return text, gzip.compress(text, 1)

    def exposition(self, host):
        with self.lock:
            self.scrapes[host] += 1
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
                    else:
                        self.faults.setdefault(h, {})[int(req["port"])] = req["fault"]
                    self.cache.pop(h, None)
            if "vantage_broken" in req:
                self.broken = req["vantage_broken"]
                self.cache.clear()
            if "fail_once" in req:
                self.fail.update(req["fail_once"])
            return {"scrapes": sum(self.scrapes), "failed": self.failed, "pending_failures": sorted(self.fail)}


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
            if m and int(m.group(1)) < args.hosts:
                got = fleet.exposition(int(m.group(1)))
                if got is None:
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
