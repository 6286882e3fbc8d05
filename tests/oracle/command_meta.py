#!/usr/bin/env python3
"""Regenerate src/cmd/command_meta.tsv from a running redis-server 7.0.15.

    redis-server --port 7431 --save '' --daemonize yes
    python3 tests/oracle/command_meta.py 7431 > src/cmd/command_meta.tsv

The file describes every command and subcommand of Redis 7.0.15 as its COMMAND INFO and
COMMAND DOCS replies (RESP3) report them. Lines are tab separated:

    info  NAME ARITY FLAGS FIRST LAST STEP ACL TIPS   (lists comma separated)
    spec  NAME FLAGS BEGIN FIND NOTES                  (one per key spec, in order)
          BEGIN: `index N` | `keyword KW STARTFROM` | `unknown`
          FIND:  `range LASTKEY KEYSTEP LIMIT` | `keynum KEYNUMIDX FIRSTKEY KEYSTEP` | `unknown`
    doc   NAME TOKEN...   COMMAND DOCS's map for NAME without its `subcommands` entry,
          flattened: %N map, *N array, ~N set, +simple, $bulk, :int; text escaped
          (\\t \\n \\\\).
NAME is the full name (`config|get`). The server's command table stays the dispatch; this
file only describes.
"""
import socket
import sys


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(1 << 20)
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.s.recv(1 << 20)
        d, self.buf = self.buf[:n], self.buf[n + 2:]
        return d

    def read(self):
        l = self.line()
        t, rest = l[:1], l[1:]
        if t == b"+":
            return ("+", rest.decode())
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return (":", int(rest))
        if t == b"$":
            return ("$", self.exact(int(rest)).decode())
        if t == b"_":
            return ("_", None)
        if t in (b"*", b"~"):
            return (t.decode(), [self.read() for _ in range(int(rest))])
        if t == b"%":
            return ("%", [(self.read(), self.read()) for _ in range(int(rest))])
        raise RuntimeError("unexpected reply type %r" % l)


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def flat(node, out):
    t, v = node
    if t == "%":
        out.append("%%%d" % len(v))
        for k, val in v:
            flat(k, out)
            flat(val, out)
    elif t in ("*", "~"):
        out.append("%s%d" % (t, len(v)))
        for x in v:
            flat(x, out)
    elif t == ":":
        out.append(":%d" % v)
    else:
        out.append(t + esc(v))


def strs(node):
    return ",".join(x[1] for x in node[1])


def as_map(node):
    assert node[0] == "%", node
    return {k[1]: v for k, v in node[1]}


def keys_in_order(node):
    return [k[1] for k, _ in node[1]]


def begin(node):
    m = as_map(node)
    t = m["type"][1]
    s = as_map(m["spec"])
    if t == "index":
        assert keys_in_order(m["spec"]) == ["index"]
        return "index %d" % s["index"][1]
    if t == "keyword":
        assert keys_in_order(m["spec"]) == ["keyword", "startfrom"]
        return "keyword %s %d" % (s["keyword"][1], s["startfrom"][1])
    assert t == "unknown" and not s, node
    return "unknown"


def find(node):
    m = as_map(node)
    t = m["type"][1]
    s = as_map(m["spec"])
    if t == "range":
        assert keys_in_order(m["spec"]) == ["lastkey", "keystep", "limit"]
        return "range %d %d %d" % (s["lastkey"][1], s["keystep"][1], s["limit"][1])
    if t == "keynum":
        assert keys_in_order(m["spec"]) == ["keynumidx", "firstkey", "keystep"]
        return "keynum %d %d %d" % (s["keynumidx"][1], s["firstkey"][1], s["keystep"][1])
    assert t == "unknown" and not s, node
    return "unknown"


def info_lines(entry, out):
    (_, name), (_, arity), fl, (_, first), (_, last), (_, step), acl, tips, specs, subs = entry[1]
    out.append("\t".join(["info", name, str(arity), strs(fl), str(first), str(last), str(step),
                          strs(acl), strs(tips)]))
    for spec in specs[1]:
        order = keys_in_order(spec)
        assert order in (["flags", "begin_search", "find_keys"],
                         ["notes", "flags", "begin_search", "find_keys"]), order
        m = as_map(spec)
        notes = m["notes"][1] if "notes" in m else ""
        out.append("\t".join(["spec", name, strs(m["flags"]), begin(m["begin_search"]),
                              find(m["find_keys"]), esc(notes)]))
    # Redis lists subcommands in hash order (random per process); sort for a stable file.
    for sub in sorted(subs[1], key=lambda e: e[1][0][1]):
        info_lines(sub, out)


def doc_lines(name, doc, out):
    entries = [(k, v) for k, v in doc[1] if k[1] != "subcommands"]
    toks = []
    flat(("%", entries), toks)
    out.append("\t".join(["doc", name] + toks))
    for k, v in doc[1]:
        if k[1] == "subcommands":
            for sk, sv in sorted(v[1], key=lambda kv: kv[0][1]):
                doc_lines(sk[1], sv, out)


def main():
    c = Conn(int(sys.argv[1]))
    c.send("HELLO", "3")
    out = []
    infos = sorted(c.send("COMMAND", "INFO")[1], key=lambda e: e[1][0][1])
    for e in infos:
        info_lines(e, out)
    docs = sorted(c.send("COMMAND", "DOCS")[1], key=lambda kv: kv[0][1])
    for k, v in docs:
        doc_lines(k[1], v, out)
    sys.stdout.write("# Generated by tests/oracle/command_meta.py from redis-server %s; do not edit.\n"
                     % as_map(c.send("HELLO", "3"))["version"][1])
    for l in out:
        sys.stdout.write(l + "\n")


main()
