//! What Redis 7.0.15 says about each of its commands (COMMAND INFO's flags, ACL categories,
//! tips and key specs; COMMAND DOCS's maps), read from `command_meta.tsv`, which
//! `tests/oracle/command_meta.py` generates from the oracle's own replies. The command table
//! stays the dispatch: these rows only describe, and commands the table lacks are never shown.
//! The key specs are also how COMMAND GETKEYS finds keys (see `command_keys`).

use crate::resp::reply::Reply;
use ahash::AHashMap;

const DATA: &str = include_str!("command_meta.tsv");

/// Key-spec flags, in the order Redis prints them (addReplyFlagsForKeyArgs).
pub mod key_flags {
    pub const RO: u16 = 1 << 0;
    pub const RW: u16 = 1 << 1;
    pub const OW: u16 = 1 << 2;
    pub const RM: u16 = 1 << 3;
    pub const ACCESS: u16 = 1 << 4;
    pub const UPDATE: u16 = 1 << 5;
    pub const INSERT: u16 = 1 << 6;
    pub const DELETE: u16 = 1 << 7;
    pub const NOT_KEY: u16 = 1 << 8;
    pub const INCOMPLETE: u16 = 1 << 9;
    pub const VARIABLE_FLAGS: u16 = 1 << 10;

    pub const NAMES: &[(u16, &str)] = &[
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];

    pub fn parse(list: &str) -> u16 {
        list.split(',')
            .filter_map(|n| NAMES.iter().find(|(_, name)| *name == n).map(|(f, _)| *f))
            .fold(0, |a, f| a | f)
    }

    pub fn names(flags: u16) -> impl Iterator<Item = &'static str> {
        NAMES.iter().filter(move |(f, _)| flags & f != 0).map(|(_, n)| *n)
    }
}

/// Where a key spec starts looking (Redis's begin_search).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    Index(i32),
    Keyword { keyword: &'static str, startfrom: i32 },
    Unknown,
}

/// How a key spec finds its keys from there (Redis's find_keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Find {
    Range { lastkey: i32, keystep: i32, limit: i32 },
    Keynum { keynumidx: i32, firstkey: i32, keystep: i32 },
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// Escaped as in the data file (`\t`, `\n`, `\\`).
    pub notes: &'static str,
    pub flags: u16,
    pub begin: Begin,
    pub find: Find,
}

/// One command's COMMAND INFO data.
#[derive(Debug, Clone, Default)]
pub struct Info {
    pub arity: i32,
    pub flags: Vec<&'static str>,
    pub first: i32,
    pub last: i32,
    pub step: i32,
    /// With the `@`.
    pub acl: Vec<&'static str>,
    pub tips: Vec<&'static str>,
    pub specs: Vec<KeySpec>,
}

impl Info {
    pub fn has_flag(&self, name: &str) -> bool {
        self.flags.contains(&name)
    }
}

/// Every command's data by full name.
#[derive(Default)]
pub struct CommandMeta {
    info: AHashMap<&'static str, Info>,
    /// COMMAND DOCS map tokens (see the generator's header for the notation).
    docs: AHashMap<&'static str, Vec<&'static str>>,
}

fn list(s: &str) -> Vec<&str> {
    s.split(',').filter(|x| !x.is_empty()).collect()
}

fn num(s: Option<&str>) -> i32 {
    s.and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn parse_begin(s: &'static str) -> Begin {
    let mut w = s.split(' ');
    match w.next() {
        Some("index") => Begin::Index(num(w.next())),
        Some("keyword") => {
            let keyword = w.next().unwrap_or("");
            Begin::Keyword { keyword, startfrom: num(w.next()) }
        }
        _ => Begin::Unknown,
    }
}

fn parse_find(s: &str) -> Find {
    let mut w = s.split(' ');
    let kind = w.next();
    let (a, b, c) = (num(w.next()), num(w.next()), num(w.next()));
    match kind {
        Some("range") => Find::Range { lastkey: a, keystep: b, limit: c },
        Some("keynum") => Find::Keynum { keynumidx: a, firstkey: b, keystep: c },
        _ => Find::Unknown,
    }
}

impl CommandMeta {
    pub fn load() -> CommandMeta {
        let mut m = CommandMeta::default();
        for line in DATA.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let f: Vec<&'static str> = line.split('\t').collect();
            match (f[0], f.len()) {
                ("info", 9) => {
                    let info = Info {
                        arity: num(Some(f[2])),
                        flags: list(f[3]),
                        first: num(Some(f[4])),
                        last: num(Some(f[5])),
                        step: num(Some(f[6])),
                        acl: list(f[7]),
                        tips: list(f[8]),
                        specs: Vec::new(),
                    };
                    m.info.insert(f[1], info);
                }
                ("spec", 6) => {
                    let spec = KeySpec {
                        notes: f[5],
                        flags: key_flags::parse(f[2]),
                        begin: parse_begin(f[3]),
                        find: parse_find(f[4]),
                    };
                    if let Some(info) = m.info.get_mut(f[1]) {
                        info.specs.push(spec);
                    }
                }
                ("doc", n) if n > 2 => {
                    m.docs.insert(f[1], f[2..].to_vec());
                }
                _ => {}
            }
        }
        m
    }

    pub fn info(&self, full_name: &str) -> Option<&Info> {
        self.info.get(full_name)
    }

    pub fn has_docs(&self, full_name: &str) -> bool {
        self.docs.contains_key(full_name)
    }

    /// Writes `full_name`'s COMMAND DOCS map with `extra` more entries announced in its
    /// header, for the caller to append (the `subcommands` entry, from the command table).
    pub fn write_docs(&self, r: &mut Reply, full_name: &str, extra: usize) -> bool {
        let Some(toks) = self.docs.get(full_name) else {
            return false;
        };
        let n: usize = toks[0].get(1..).and_then(|n| n.parse().ok()).unwrap_or(0);
        r.map(n + extra);
        let mut pos = 1;
        for _ in 0..n * 2 {
            write_node(r, toks, &mut pos);
        }
        true
    }
}

fn unescape(s: &str) -> std::borrow::Cow<'_, [u8]> {
    if !s.contains('\\') {
        return s.as_bytes().into();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(c) = it.next() {
        if c != b'\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some(b't') => out.push(b'\t'),
            Some(b'n') => out.push(b'\n'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out.into()
}

/// Writes the node at `toks[*pos]` (and its children); the data is ours and finite, so the
/// recursion is bounded by its nesting.
fn write_node(r: &mut Reply, toks: &[&str], pos: &mut usize) {
    let Some(t) = toks.get(*pos) else {
        return;
    };
    *pos += 1;
    let (kind, rest) = t.split_at(1.min(t.len()));
    let n = || rest.parse::<usize>().unwrap_or(0);
    match kind {
        "%" => {
            r.map(n());
            for _ in 0..n() * 2 {
                write_node(r, toks, pos);
            }
        }
        "*" | "~" => {
            if kind == "*" {
                r.array(n());
            } else {
                r.set(n());
            }
            for _ in 0..n() {
                write_node(r, toks, pos);
            }
        }
        ":" => r.int(rest.parse().unwrap_or(0)),
        "+" => r.simple(&unescape(rest)),
        _ => r.bulk(&unescape(rest)),
    }
}

/// COMMAND INFO's key-spec section (a set in RESP3, as Redis's addReplyCommandKeySpecs).
pub fn write_key_specs(r: &mut Reply, specs: &[KeySpec]) {
    r.set(specs.len());
    for spec in specs {
        r.map(3 + usize::from(!spec.notes.is_empty()));
        if !spec.notes.is_empty() {
            r.bulk(b"notes");
            r.bulk(&unescape(spec.notes));
        }
        r.bulk(b"flags");
        r.set(key_flags::names(spec.flags).count());
        for n in key_flags::names(spec.flags) {
            r.simple(n.as_bytes());
        }
        r.bulk(b"begin_search");
        r.map(2);
        r.bulk(b"type");
        match &spec.begin {
            Begin::Index(i) => {
                r.bulk(b"index");
                r.bulk(b"spec");
                r.map(1);
                r.bulk(b"index");
                r.int(*i as i64);
            }
            Begin::Keyword { keyword, startfrom } => {
                r.bulk(b"keyword");
                r.bulk(b"spec");
                r.map(2);
                r.bulk(b"keyword");
                r.bulk(keyword.as_bytes());
                r.bulk(b"startfrom");
                r.int(*startfrom as i64);
            }
            Begin::Unknown => {
                r.bulk(b"unknown");
                r.bulk(b"spec");
                r.map(0);
            }
        }
        r.bulk(b"find_keys");
        r.map(2);
        r.bulk(b"type");
        match spec.find {
            Find::Range { lastkey, keystep, limit } => {
                r.bulk(b"range");
                r.bulk(b"spec");
                r.map(3);
                for (k, v) in [("lastkey", lastkey), ("keystep", keystep), ("limit", limit)] {
                    r.bulk(k.as_bytes());
                    r.int(v as i64);
                }
            }
            Find::Keynum { keynumidx, firstkey, keystep } => {
                r.bulk(b"keynum");
                r.bulk(b"spec");
                r.map(3);
                for (k, v) in
                    [("keynumidx", keynumidx), ("firstkey", firstkey), ("keystep", keystep)]
                {
                    r.bulk(k.as_bytes());
                    r.int(v as i64);
                }
            }
            Find::Unknown => {
                r.bulk(b"unknown");
                r.bulk(b"spec");
                r.map(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_redis_command_is_described() {
        let m = CommandMeta::load();
        assert_eq!(m.info.keys().filter(|n| !n.contains('|')).count(), 240);
        assert_eq!(m.info.len(), m.docs.len());
        let set = m.info("set").unwrap();
        assert_eq!(set.arity, -3);
        assert_eq!(set.specs.len(), 1);
        assert_eq!(
            set.specs[0].flags,
            key_flags::RW | key_flags::ACCESS | key_flags::UPDATE | key_flags::VARIABLE_FLAGS
        );
        let migrate = m.info("migrate").unwrap();
        assert!(migrate.has_flag("movablekeys"));
        assert_eq!(migrate.specs[1].begin, Begin::Keyword { keyword: "KEYS", startfrom: -2 });
        assert_eq!(m.info("config|get").unwrap().arity, -3);
    }
}

#[cfg(test)]
mod table_tests {
    use super::super::table::flags;
    use super::super::CommandTable;

    /// Known departures of the table from Redis 7.0.15, each a choice of its family: ZRANK
    /// and ZREVRANK take Redis 7.2's WITHSCORE; PFCOUNT is marked may_replicate (it may
    /// rewrite the cached cardinality), which 7.0's COMMAND INFO does not show.
    const KNOWN: &[&str] = &[
        "zrank: arity -3 vs 3",
        "zrevrank: arity -3 vs 3",
        "pfcount: flag may_replicate true vs false",
    ];

    /// The table dispatches and the data describes: arity and flags must agree for every
    /// command Redis has, or COMMAND INFO would describe another server.
    #[test]
    fn table_rows_agree_with_redis() {
        let t = CommandTable::build();
        let mut bad = Vec::new();
        for id in 0..t.len() {
            let (def, name) = (t.def(id), t.full_name(id));
            let Some(info) = t.meta.info(name) else {
                continue;
            };
            if def.arity != info.arity {
                bad.push(format!("{name}: arity {} vs {}", def.arity, info.arity));
            }
            for (f, n) in flags::NAMES {
                if *n == "movablekeys" || *n == "protected" {
                    continue;
                }
                if def.has(*f) != info.has_flag(n) {
                    bad.push(format!("{name}: flag {n} {} vs {}", def.has(*f), info.has_flag(n)));
                }
            }
        }
        bad.retain(|b| !KNOWN.contains(&b.as_str()));
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn key_refs_of_a_call() {
        use super::key_flags as kf;
        let t = CommandTable::build();
        let argv: Vec<Vec<u8>> =
            ["LMOVE", "a", "b", "LEFT", "RIGHT"].iter().map(|s| s.as_bytes().to_vec()).collect();
        let id = t.lookup(b"lmove").unwrap();
        let keys = t.key_refs(id, &super::super::args::Args::Owned(&argv));
        let got: Vec<(usize, u16)> = keys.iter().map(|k| (k.pos, k.flags)).collect();
        assert_eq!(got, [(1, kf::RW | kf::ACCESS | kf::DELETE), (2, kf::RW | kf::INSERT)]);
    }
}
