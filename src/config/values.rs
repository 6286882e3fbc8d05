//! Setting and showing values: one parser and one formatter per kind of parameter,
//! plus the parameters with a syntax of their own.

use std::path::Path;

use super::parse::*;
use super::table::{Kind, NumFmt, NumSpec, Special};
use super::*;

impl Config {
    /// Put a parameter back to Redis's default.
    pub(super) fn set_default(&mut self, p: &Param) {
        match &p.kind {
            Kind::Bool { default, set, .. } => set(self, *default),
            Kind::Str { default, set, .. } => set(self, default.map(|d| d.as_bytes().to_vec())),
            Kind::Enum { default, set, .. } => set(self, *default),
            Kind::Num(n) => (n.set)(self, n.default),
            Kind::Special(s) => match s {
                Special::Dir => {}
                Special::Save => self.save = SAVE_DEFAULTS.to_vec(),
                Special::ClientOutputBufferLimit => self.client_output_buffer_limit = COBL_DEFAULTS,
                Special::OomScoreAdjValues => self.oom_score_adj_values = OOM_DEFAULTS,
                Special::NotifyKeyspaceEvents => self.notify_keyspace_events = 0,
                Special::Bind => self.bind = BIND_DEFAULTS.iter().map(|s| s.to_string()).collect(),
                Special::ReplicaOf => self.replicaof = None,
                Special::LatencyTrackingInfoPercentiles => {
                    self.latency_tracking_info_percentiles = PERCENTILE_DEFAULTS.to_vec()
                }
            },
        }
    }

    /// Redis's CONFIG SET apply hooks that adjust the value just set.
    pub(super) fn apply(&mut self, p: &Param) {
        match p.name {
            "hz" => self.hz = self.hz.clamp(HZ_MIN, HZ_MAX),
            // The watchdog cannot fire more often than every other cron tick.
            "watchdog-period" if self.watchdog_period > 0 => {
                let min = (1000 / self.hz.max(1) as i32) * 2;
                self.watchdog_period = self.watchdog_period.max(min);
            }
            "repl-backlog-size" => {
                self.repl_backlog_size = self.repl_backlog_size.max(REPL_BACKLOG_MIN_SIZE)
            }
            _ => {}
        }
    }

    /// Set one parameter from its argument words; the error is Redis's text.
    pub(super) fn set_param(
        &mut self,
        p: &Param,
        args: &[&[u8]],
        ctx: &mut LoadCtx,
    ) -> Result<(), String> {
        let first = args.first().copied().unwrap_or(b"");
        match &p.kind {
            Kind::Bool { check, set, .. } => {
                let c = c_str(first);
                let v = if c.eq_ignore_ascii_case(b"yes") {
                    true
                } else if c.eq_ignore_ascii_case(b"no") {
                    false
                } else {
                    return Err("argument must be 'yes' or 'no'".into());
                };
                if let Some(check) = check {
                    check(v)?;
                }
                set(self, v);
            }
            Kind::Str { empty_is_null, binary, check, set, .. } => {
                let v = if *binary { first } else { c_str(first) };
                if let Some(check) = check {
                    check(self, v)?;
                }
                set(self, if *empty_is_null && v.is_empty() { None } else { Some(v.to_vec()) });
            }
            Kind::Enum { names, bitflags, check, set, .. } => {
                let v = enum_value(names, args, *bitflags).ok_or_else(|| enum_error(names))?;
                if let Some(check) = check {
                    check(v)?;
                }
                set(self, v);
            }
            Kind::Num(n) => {
                let v = parse_num(n, first)?;
                check_bounds(n, v)?;
                (n.set)(self, v);
            }
            Kind::Special(s) => self.set_special(*s, args, ctx)?,
        }
        Ok(())
    }

    fn set_special(&mut self, s: Special, args: &[&[u8]], ctx: &mut LoadCtx) -> Result<(), String> {
        match s {
            Special::Dir => {
                if args.len() != 1 {
                    return Err("wrong number of arguments".into());
                }
                self.dir = resolve_dir(&self.dir, args[0])?;
            }
            Special::Save => {
                let args =
                    if args.len() == 1 && c_str(args[0]).is_empty() { &[][..] } else { args };
                if args.len() % 2 != 0 {
                    return Err("Invalid save parameters".into());
                }
                let mut pairs = Vec::with_capacity(args.len() / 2);
                for pair in args.chunks(2) {
                    let secs = strtoll_whole(pair[0]).filter(|&v| v >= 1);
                    let changes = strtoll_whole(pair[1]).filter(|&v| v >= 0);
                    match (secs, changes) {
                        (Some(s), Some(c)) => pairs.push((s, c as i32)),
                        _ => return Err("Invalid save parameters".into()),
                    }
                }
                // At runtime a save value replaces the list; in a file the first `save`
                // replaces the defaults and later ones add to it, until any file (an
                // include too) has been read completely.
                if !ctx.reading_file {
                    self.save.clear();
                } else if !ctx.save_loaded {
                    ctx.save_loaded = true;
                    self.save.clear();
                }
                self.save.extend(pairs);
            }
            Special::ClientOutputBufferLimit => {
                if args.len() % 4 != 0 {
                    return Err("Wrong number of arguments in buffer limit configuration.".into());
                }
                let mut updates = Vec::new();
                for group in args.chunks(4) {
                    let class = match c_str(group[0]).to_ascii_lowercase().as_slice() {
                        b"normal" => ClientClass::Normal,
                        b"slave" | b"replica" => ClientClass::Replica,
                        b"pubsub" => ClientClass::Pubsub,
                        _ => {
                            return Err(
                                "Invalid client class specified in buffer limit configuration."
                                    .into(),
                            )
                        }
                    };
                    let hard = memtoull(group[1]);
                    let soft = memtoull(group[2]);
                    let secs = strtoll_whole(group[3]).map(|v| v as i32).filter(|&v| v >= 0);
                    match (hard, soft, secs) {
                        (Some(h), Some(s), Some(secs)) => updates.push((
                            class,
                            ClientBufferLimit {
                                hard_limit_bytes: h,
                                soft_limit_bytes: s,
                                soft_limit_seconds: i64::from(secs),
                            },
                        )),
                        _ => {
                            return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into())
                        }
                    }
                }
                for (class, lim) in updates {
                    self.client_output_buffer_limit[class as usize] = lim;
                }
            }
            Special::OomScoreAdjValues => {
                if args.len() != 3 {
                    return Err("wrong number of arguments".into());
                }
                let mut vals = [0i32; 3];
                for (slot, a) in vals.iter_mut().zip(args) {
                    match strtoll_whole(a) {
                        Some(v) if (-2000..=2000).contains(&v) => *slot = v as i32,
                        _ => {
                            return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into())
                        }
                    }
                }
                self.oom_score_adj_values = vals;
            }
            Special::NotifyKeyspaceEvents => {
                if args.len() != 1 {
                    return Err("wrong number of arguments".into());
                }
                self.notify_keyspace_events = notify_flags_from_str(c_str(args[0]))
                    .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
            }
            Special::Bind => {
                if args.len() > BIND_MAX {
                    return Err("Too many bind addresses specified.".into());
                }
                let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
                self.bind = args.iter().map(|a| text(c_str(a))).collect();
            }
            Special::ReplicaOf => {
                if args.len() != 2 {
                    return Err("wrong number of arguments".into());
                }
                if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
                    self.replicaof = None;
                    return Ok(());
                }
                self.replicaof = None;
                match strtoll_whole(args[1]).map(|v| v as i32) {
                    Some(port) if (0..=65535).contains(&port) => {
                        self.replicaof = Some((text(c_str(args[0])), port as u16));
                    }
                    _ => return Err("Invalid master port".into()),
                }
            }
            Special::LatencyTrackingInfoPercentiles => {
                let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    let v = string2d(a)
                        .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
                    if !(0.0..=100.0).contains(&v) {
                        return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
                    }
                    vals.push(v);
                }
                self.latency_tracking_info_percentiles = vals;
            }
        }
        Ok(())
    }

    /// The CONFIG GET text of a parameter.
    pub(super) fn get_value(&self, p: &Param) -> Vec<u8> {
        match &p.kind {
            Kind::Bool { get, .. } => yes_no(get(self)).into(),
            Kind::Str { get, .. } => get(self).map(<[u8]>::to_vec).unwrap_or_default(),
            Kind::Enum { names, bitflags, get, .. } => {
                enum_name(names, get(self), *bitflags).into_bytes()
            }
            Kind::Num(n) => {
                let v = (n.get)(self);
                match n.fmt {
                    NumFmt::MemoryPercent if v < 0 => format!("{}%", v.unsigned_abs()),
                    NumFmt::Memory | NumFmt::MemoryPercent => (v as u64).to_string(),
                    NumFmt::Octal => format!("{v:o}"),
                    NumFmt::Int => v.to_string(),
                }
                .into_bytes()
            }
            Kind::Special(s) => self.get_special(*s),
        }
    }

    fn get_special(&self, s: Special) -> Vec<u8> {
        let joined = |items: Vec<String>| items.join(" ").into_bytes();
        match s {
            Special::Dir => self.dir.clone().into_bytes(),
            Special::Save => joined(self.save.iter().map(|(s, c)| format!("{s} {c}")).collect()),
            Special::ClientOutputBufferLimit => joined(
                ["normal", "slave", "pubsub"]
                    .iter()
                    .zip(&self.client_output_buffer_limit)
                    .map(|(n, l)| {
                        format!(
                            "{n} {} {} {}",
                            l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds
                        )
                    })
                    .collect(),
            ),
            Special::OomScoreAdjValues => {
                joined(self.oom_score_adj_values.iter().map(i32::to_string).collect())
            }
            Special::NotifyKeyspaceEvents => {
                notify_flags_to_string(self.notify_keyspace_events).into_bytes()
            }
            Special::Bind => joined(self.bind.clone()),
            Special::ReplicaOf => match &self.replicaof {
                Some((h, port)) => format!("{h} {port}").into_bytes(),
                None => Vec::new(),
            },
            Special::LatencyTrackingInfoPercentiles => joined(
                self.latency_tracking_info_percentiles.iter().map(|&v| fmt_percentile(v)).collect(),
            ),
        }
    }
}

pub(super) fn set_failed(name: &[u8], e: &str) -> CommandError {
    CommandError::msg(format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {e}",
        text(name)
    ))
}

pub(super) fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Redis `configEnumGetValue`: one word, or for bit flags several OR-ed together.
fn enum_value(names: &[(&str, u32)], args: &[&[u8]], bitflags: bool) -> Option<u32> {
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return None;
    }
    let mut v = 0;
    for a in args {
        let a = c_str(a);
        let mut matched = false;
        for (n, val) in names {
            if n.as_bytes().eq_ignore_ascii_case(a) {
                v |= val;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(v)
}

fn enum_error(names: &[(&str, u32)]) -> String {
    let list: Vec<&str> = names.iter().map(|n| n.0).collect();
    let mut s = format!("argument(s) must be one of the following: {}", list.join(", "));
    // Redis formats into a 256-byte buffer.
    s.truncate(255);
    s
}

/// Redis `configEnumGetName`: the exact match, or for bit flags the words covering all bits.
pub(super) fn enum_name(names: &[(&str, u32)], v: u32, bitflags: bool) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut unmatched = v;
    for &(n, val) in names {
        if val == v {
            return n.to_string();
        }
        if bitflags && val != 0 && val == (unmatched & val) {
            words.push(n);
            unmatched &= !val;
        }
    }
    if words.is_empty() || unmatched != 0 {
        return "unknown".into();
    }
    words.join(" ")
}

/// Redis `numericParseString`: memory units, then `N%`, then octal, then a plain integer,
/// each only where the parameter allows it.
fn parse_num(n: &NumSpec, s: &[u8]) -> Result<i64, String> {
    let memory = matches!(n.fmt, NumFmt::Memory | NumFmt::MemoryPercent);
    if memory {
        if let Some(v) = memtoull(s) {
            return Ok(v as i64);
        }
    }
    if n.fmt == NumFmt::MemoryPercent && s.len() > 1 && s.ends_with(b"%") {
        if let Some(v) = string2ll(&s[..s.len() - 1]).filter(|&v| v >= 0) {
            return Ok(-v);
        }
    }
    if n.fmt == NumFmt::Octal {
        let c = c_str(s);
        let (v, end, range_err) = strtoll(c, 8);
        if !range_err && end == c.len() {
            return Ok(v);
        }
    }
    if n.fmt == NumFmt::Int {
        if let Some(v) = string2ll(s) {
            return Ok(v);
        }
    }
    Err(match n.fmt {
        NumFmt::MemoryPercent => "argument must be a memory or percent value",
        NumFmt::Memory => "argument must be a memory value",
        NumFmt::Octal => "argument couldn't be parsed as an octal number",
        NumFmt::Int => "argument couldn't be parsed into an integer",
    }
    .into())
}

/// Redis `numericBoundaryCheck`, unsigned types compared as unsigned.
fn check_bounds(n: &NumSpec, v: i64) -> Result<(), String> {
    if n.unsigned {
        let (u, lo, hi) = (v as u64, n.min as u64, n.max as u64);
        if u < lo || u > hi {
            return Err(if n.fmt == NumFmt::Octal {
                format!("argument must be between {lo:o} and {hi:o} inclusive")
            } else {
                format!("argument must be between {lo} and {hi} inclusive")
            });
        }
    } else if n.fmt == NumFmt::MemoryPercent && v < 0 {
        if v < n.min {
            return Err(format!("percentage argument must be less or equal to {}", -n.min));
        }
    } else if v < n.min || v > n.max {
        return Err(format!("argument must be between {} and {} inclusive", n.min, n.max));
    }
    Ok(())
}

/// Where `chdir(arg)` from `cur` would land, as an absolute path, or `strerror` text.
fn resolve_dir(cur: &str, arg: &[u8]) -> Result<String, String> {
    let arg = text(c_str(arg));
    if arg.is_empty() {
        return Err("No such file or directory".into());
    }
    let target = Path::new(cur).join(&arg);
    let canon = std::fs::canonicalize(&target).map_err(|e| strerror(&e))?;
    if !canon.is_dir() {
        return Err("Not a directory".into());
    }
    Ok(canon.to_string_lossy().into_owned())
}

/// Parse `notify-keyspace-events` classes; `None` on an unknown character.
pub fn notify_flags_from_str(s: &[u8]) -> Option<u32> {
    let mut flags = 0;
    for &c in s {
        flags |= match c {
            b'A' => NOTIFY_ALL,
            b'g' => NOTIFY_GENERIC,
            b'$' => NOTIFY_STRING,
            b'l' => NOTIFY_LIST,
            b's' => NOTIFY_SET,
            b'h' => NOTIFY_HASH,
            b'z' => NOTIFY_ZSET,
            b'x' => NOTIFY_EXPIRED,
            b'e' => NOTIFY_EVICTED,
            b'K' => NOTIFY_KEYSPACE,
            b'E' => NOTIFY_KEYEVENT,
            b't' => NOTIFY_STREAM,
            b'm' => NOTIFY_KEY_MISS,
            b'd' => NOTIFY_MODULE,
            b'n' => NOTIFY_NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Format `notify-keyspace-events` flags the way CONFIG GET shows them (`A` when all type
/// classes are set, then K, E, m).
pub fn notify_flags_to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [(NOTIFY_KEYSPACE, 'K'), (NOTIFY_KEYEVENT, 'E'), (NOTIFY_KEY_MISS, 'm')] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}
