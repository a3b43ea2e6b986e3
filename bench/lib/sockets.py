#!/usr/bin/env python3
"""Holds the sockets of the benchmark's host state, inside the network namespace it runs in.

  sockets.py services --ports 20001-20050 --reuseport 2 --ready FILE
      The watched services: REUSEPORT listeners on 0.0.0.0 for each port (address:port pairs repeat),
      plus one on [::] for every fifth port. Accepts and closes whatever connects (probes), forever.
  sockets.py bulk --first-port P --listeners L --connections C --ready FILE
      The rest of a busy host: L listeners on P+ (groups of 4 REUSEPORT listeners after the first 50
      ports) and C established loopback connections (both ends held here, 1 in 5 over IPv6). One process
      holds at most its RLIMIT_NOFILE hard limit: run several, each with its own --first-port.

Both write "ready <fd count>" to FILE when their sockets are open, then sleep until killed. The process
renames itself (comm) to pebench-svc / pebench-bulk. Standard library only.
"""

import argparse
import ctypes
import os
import resource
import selectors
import signal
import socket
import sys
import time

BUSY_PORTS = 50  # bulk ports with one listener each: the established connections go to these
REUSEPORT_GROUP = 4
IPV6_SHARE = 5  # one connection in five over ::1
BATCH = 512  # connects between two accept rounds (well under the listen backlog)


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_name = 15
    libc.prctl(pr_set_name, ctypes.c_char_p(name.encode()), 0, 0, 0)


def raise_fd_limit(needed):
    """Raises the soft fd limit of this process (never the hard one, never a global sysctl)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed + 64
    if want > hard:
        sys.exit(f"sockets.py: {needed} sockets need more than the fd hard limit {hard}: split them over more processes")
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def listener(family, port, reuseport, backlog=4096):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::", port))
    else:
        s.bind(("0.0.0.0", port))
    s.listen(backlog)
    return s


def parse_range(text):
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def ready(path, count):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"ready {count}\n")
    os.rename(tmp, path)


def services(args):
    set_comm("pebench-svc")
    ports = parse_range(args.ports)
    raise_fd_limit(len(ports) * (args.reuseport + 1))
    sel = selectors.DefaultSelector()
    held = []
    for i, port in enumerate(ports):
        for _ in range(args.reuseport):
            held.append(listener(socket.AF_INET, port, reuseport=args.reuseport > 1))
        if i % 5 == 0:
            held.append(listener(socket.AF_INET6, port, reuseport=False))
    for s in held:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    ready(args.ready, len(held))
    while True:
        for key, _ in sel.select():
            try:
                conn, _ = key.fileobj.accept()
                conn.close()
            except (BlockingIOError, ConnectionError):
                pass


def bulk(args):
    set_comm("pebench-bulk")
    raise_fd_limit(args.listeners + 2 * args.connections)
    fds = []
    busy = []  # (family, port, listening socket) that take connections
    port = args.first_port
    opened = 0
    while opened < args.listeners:
        if len(busy) < BUSY_PORTS:
            family = socket.AF_INET6 if len(busy) % IPV6_SHARE == 0 else socket.AF_INET
            s = listener(family, port, reuseport=False)
            busy.append((family, port, s))
            opened += 1
        else:
            group = min(REUSEPORT_GROUP, args.listeners - opened)
            for _ in range(group):
                fds.append(listener(socket.AF_INET, port, reuseport=True).detach())
            opened += group
        port += 1
    if not busy and args.connections:
        sys.exit("bulk: connections need at least one listener")

    made = 0
    while made < args.connections:
        batch = min(BATCH, args.connections - made)
        pending = {}
        for i in range(batch):
            family, port, s = busy[(made + i) % len(busy)]
            c = socket.socket(family, socket.SOCK_STREAM)
            c.connect(("::1" if family == socket.AF_INET6 else "127.0.0.1", port))
            fds.append(c.detach())
            pending[port] = pending.get(port, 0) + 1
        for family, port, s in busy:
            for _ in range(pending.get(port, 0)):
                conn, _ = s.accept()
                fds.append(conn.detach())
        made += batch
    for _, _, s in busy:
        fds.append(s.detach())
    ready(args.ready, len(fds))
    while True:
        time.sleep(3600)


def main():
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("services")
    s.add_argument("--ports", required=True, help="first-last")
    s.add_argument("--reuseport", type=int, default=2, help="IPv4 listeners per port")
    s.add_argument("--ready", required=True)
    b = sub.add_parser("bulk")
    b.add_argument("--first-port", type=int, required=True)
    b.add_argument("--listeners", type=int, required=True)
    b.add_argument("--connections", type=int, required=True)
    b.add_argument("--ready", required=True)
    args = parser.parse_args()
    (services if args.mode == "services" else bulk)(args)


if __name__ == "__main__":
    main()
