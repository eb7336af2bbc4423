#!/usr/bin/env python3
"""A small legacy Kismet client, written for our tests from the protocol
notes (docs/PROTOCOL.md), independent of kismet-shell's own code: it checks
that the simulator and the replay server serve a client that is not ours.

It does what the old Python library does on connect: read *KISMET and
*PROTOCOLS, ask CAPABILITY of every protocol and wait for every answer; then
it ENABLEs what it is told and prints, as JSON lines, every frame of those
protocols with its fields named (the CAPABILITY order for `*`, else the order
asked), and every *ERROR. It stops once every ENABLE is answered and then
MORE further frames have come; a socket timeout makes sure it never hangs.

usage: legacy_client.py HOST:PORT [--more N] PROTO FIELDS [PROTO FIELDS ...]
"""

import json
import re
import socket
import sys

TIMEOUT_S = 15

# Protocols whose text after the header is one unquoted string (PROTOCOL.md:
# TERMINATE's text is unquoted and holds spaces).
WHOLE_LINE = {"TERMINATE"}


def split_fields(rest):
    """Fields of a line's body: each is \\x01-quoted (may hold spaces) or
    bare (may be empty: two spaces in a row), and each is followed by one
    space."""
    fields = []
    pos = 0
    while pos < len(rest):
        if rest[pos] == "\x01":
            end = rest.find("\x01", pos + 1)
            if end < 0:
                raise ValueError("unterminated quoted field: %r" % rest)
            fields.append(rest[pos + 1:end])
            pos = end + 2
        else:
            end = rest.find(" ", pos)
            if end < 0:
                end = len(rest)
            fields.append(rest[pos:end])
            pos = end + 1
    return fields


class Conn:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), TIMEOUT_S)
        self.sock.settimeout(TIMEOUT_S)
        self.buf = b""
        self.next_id = 1

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("server closed the connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.decode("utf-8", errors="replace")
        if not text.startswith("*") or ": " not in text:
            raise ValueError("not a server line: %r" % text)
        name, rest = text[1:].split(": ", 1)
        return name, rest

    def send(self, command, *args):
        cid = self.next_id
        self.next_id += 1
        words = " ".join((command,) + args)
        self.sock.sendall(("!%d %s\n" % (cid, words)).encode())
        return cid


def ssid_text(value):
    """An SSID as text: the server sends each byte outside printable ASCII
    as a backslash and three octal digits (PROTOCOL.md)."""
    raw = re.sub(rb"\\([0-7]{3})",
                 lambda m: bytes([int(m.group(1), 8) & 0xFF]),
                 value.encode("utf-8"))
    return raw.decode("utf-8", errors="replace")


def frame(name, rest, fields_of):
    """A data line as a JSON object with its fields named."""
    values = [rest] if name in WHOLE_LINE else split_fields(rest)
    names = fields_of[name]
    if len(values) != len(names):
        raise ValueError("%s: %d fields for %d names: %r"
                         % (name, len(values), len(names), rest))
    fields = dict(zip(names, values))
    if "ssid" in fields:
        fields["ssid"] = ssid_text(fields["ssid"])
    return {"protocol": name, "fields": fields}


def reply(rest):
    """The id and text of an *ACK or *ERROR."""
    cid_text, text = rest.split(" ", 1)
    return int(cid_text), split_fields(text)[0]


def main(argv):
    addr = argv[1]
    args = argv[2:]
    more = 0
    if args[:1] == ["--more"]:
        more = int(args[1])
        args = args[2:]
    wanted = list(zip(args[0::2], args[1::2]))
    conn = Conn(addr)
    out = sys.stdout

    name, rest = conn.line()
    assert name == "KISMET", "greeting: %s" % name
    name, rest = conn.line()
    assert name == "PROTOCOLS", "second line: %s" % name
    protocols = rest.strip().split(",")

    # CAPABILITY of every protocol, as the old library does on connect.
    capabilities = {}
    pending = set(conn.send("CAPABILITY", p) for p in protocols)
    while pending:
        name, rest = conn.line()
        if name == "CAPABILITY":
            proto, fields = rest.split(" ", 1)
            capabilities[proto] = fields.strip().split(",")
        elif name in ("ACK", "ERROR"):
            pending.discard(reply(rest)[0])

    enables = {}
    fields_of = {}
    for proto, fields in wanted:
        enables[conn.send("ENABLE", proto, fields)] = proto
        if fields == "*":
            fields_of[proto] = capabilities.get(proto, [])
        else:
            fields_of[proto] = fields.split(",")

    frames_after = 0
    while enables or frames_after < more:
        name, rest = conn.line()
        if name in ("ACK", "ERROR"):
            cid, text = reply(rest)
            proto = enables.pop(cid, None)
            if name == "ERROR":
                out.write(json.dumps({"error": cid, "text": text,
                                      "protocol": proto}) + "\n")
                fields_of.pop(proto, None)
        elif name in fields_of:
            out.write(json.dumps(frame(name, rest, fields_of)) + "\n")
            if not enables:
                frames_after += 1
    out.flush()
    conn.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
