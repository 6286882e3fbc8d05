//! Finding the keys of a concrete call from Redis's key specs (getKeysUsingKeySpecs), with
//! the per-command procedures Redis falls back on where a spec is unknown, incomplete or
//! has variable flags (SORT's STORE, MIGRATE's KEYS, SET's GET, BITFIELD's GET...), the
//! way getKeysFromCommandWithSpecs chooses between them.

use super::args::Args;
use super::command_meta::{key_flags as kf, Begin, Find, Info};

/// One key of a call: its argv position and access flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef {
    pub pos: usize,
    pub flags: u16,
}

type Proc = fn(&Args) -> Vec<KeyRef>;

/// The key-finding procedure a command declares (its JSON's `get_keys_function`).
fn getkeys_proc(full_name: &str) -> Option<Proc> {
    Some(match full_name {
        "zunion" | "zinter" | "zdiff" | "zintercard" | "sintercard" | "lmpop" | "zmpop" => {
            |a: &Args| generic(a, 0, 1, 2)
        }
        "zunionstore" | "zinterstore" | "zdiffstore" => |a: &Args| generic(a, 1, 2, 3),
        "eval" | "eval_ro" | "evalsha" | "evalsha_ro" | "fcall" | "fcall_ro" | "blmpop"
        | "bzmpop" => |a: &Args| generic(a, 0, 2, 3),
        "sort" => sort,
        "sort_ro" => |_: &Args| vec![KeyRef { pos: 1, flags: kf::RO | kf::ACCESS }],
        "migrate" => migrate,
        "georadius" | "georadiusbymember" => georadius,
        "xread" | "xreadgroup" => xread,
        "set" => set,
        "bitfield" => bitfield,
        _ => return None,
    })
}

/// Whether COMMAND GETKEYS accepts the command at all (doesCommandHaveKeys).
pub fn has_keys(full_name: &str, info: Option<&Info>) -> bool {
    getkeys_proc(full_name).is_some()
        || info.is_some_and(|i| i.specs.iter().any(|s| s.flags & kf::NOT_KEY == 0))
}

/// The keys of a call (getKeysFromCommandWithSpecs with the default search flags): the
/// specs when they are reliable and valid for these arguments, else the command's procedure.
pub fn find_keys(full_name: &str, info: Option<&Info>, args: &Args) -> Vec<KeyRef> {
    if let Some(info) = info {
        let has_keyspec = info.specs.iter().any(|s| s.flags & kf::NOT_KEY == 0);
        let varflags = info.specs.iter().any(|s| s.flags & kf::VARIABLE_FLAGS != 0);
        if has_keyspec && !varflags {
            if let Some(keys) = keys_from_specs(info, args) {
                return keys;
            }
        }
    }
    getkeys_proc(full_name).map(|p| p(args)).unwrap_or_default()
}

/// Redis's getKeysUsingKeySpecs: None where a spec is unknown, incomplete, or does not fit
/// the arguments (a syntax error the command itself will report).
pub fn keys_from_specs(info: &Info, args: &Args) -> Option<Vec<KeyRef>> {
    let argc = args.len() as i64;
    let mut out = Vec::new();
    for spec in &info.specs {
        if spec.flags & kf::NOT_KEY != 0 {
            continue;
        }
        let mut first: i64 = match spec.begin {
            Begin::Index(i) => i as i64,
            Begin::Keyword { keyword, startfrom } => {
                let sf = startfrom as i64;
                let (start, end) = if sf > 0 { (sf, argc - 1) } else { (argc + sf, 1) };
                let mut found = 0;
                let mut i = start;
                while i != end {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if args.get(i as usize).eq_ignore_ascii_case(keyword.as_bytes()) {
                        found = i + 1;
                        break;
                    }
                    i += if start <= end { 1 } else { -1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            Begin::Unknown => return None,
        };
        let (last, step) = match spec.find {
            Find::Range { lastkey, keystep, limit } => {
                let (lk, lim) = (lastkey as i64, limit as i64);
                let last = if lk >= 0 {
                    first + lk
                } else if lim == 0 {
                    argc + lk
                } else {
                    first + ((argc - first) / lim + lk)
                };
                (last, keystep as i64)
            }
            Find::Keynum { keynumidx, firstkey, keystep } => {
                let at = first + keynumidx as i64;
                if keynumidx as i64 >= argc || at >= argc {
                    return None;
                }
                let n = crate::util::num::parse_i64(args.get(at as usize)).filter(|&n| n >= 0)?;
                first += firstkey as i64;
                // C's `(int)numkeys`.
                (first + (n as i32) as i64 - 1, keystep as i64)
            }
            Find::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let mut i = first;
        while i <= last {
            out.push(KeyRef { pos: i as usize, flags: spec.flags });
            i += step.max(1);
        }
        if spec.flags & kf::INCOMPLETE != 0 {
            return None;
        }
    }
    Some(out)
}

/// `CMD [dest] numkeys key...` (genericGetKeys): no keys when numkeys cannot be right.
fn generic(args: &Args, store: usize, count: usize, first: usize) -> Vec<KeyRef> {
    let argc = args.len();
    let n = atoi(args.get(count));
    if n < 1 || n > (argc as i64 - first as i64) {
        return Vec::new();
    }
    let mut out: Vec<KeyRef> =
        (0..n as usize).map(|i| KeyRef { pos: first + i, flags: 0 }).collect();
    if store > 0 {
        out.push(KeyRef { pos: store, flags: 0 });
    }
    out
}

/// C's atoi: leading digits after an optional sign, 0 when there are none.
fn atoi(b: &[u8]) -> i64 {
    let s = b.iter().position(|c| !c.is_ascii_whitespace()).map_or(&b[..0], |p| &b[p..]);
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    let v = if neg { -v } else { v };
    v.clamp(i32::MIN as i64, i32::MAX as i64)
}

fn sort(args: &Args) -> Vec<KeyRef> {
    let mut out = vec![KeyRef { pos: 1, flags: kf::RO | kf::ACCESS }];
    let mut store = None;
    let mut i = 2;
    while i < args.len() {
        // Redis's skip list: LIMIT takes 2, GET and BY 1; the last STORE wins.
        if args.is(i, "limit") {
            i += 2;
        } else if args.is(i, "get") || args.is(i, "by") {
            i += 1;
        } else if args.is(i, "store") && i + 1 < args.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    if let Some(pos) = store {
        out.push(KeyRef { pos, flags: kf::OW | kf::UPDATE });
    }
    out
}

fn migrate(args: &Args) -> Vec<KeyRef> {
    let argc = args.len();
    let (mut first, mut num) = (3, 1);
    let mut i = 6;
    while i < argc {
        if args.is(i, "keys") {
            if args.get(3).is_empty() {
                first = i + 1;
                num = argc - first;
            } else {
                num = 0;
            }
            break;
        }
        if args.is(i, "auth") {
            i += 1;
        } else if args.is(i, "auth2") {
            i += 2;
        }
        i += 1;
    }
    let flags = kf::RW | kf::ACCESS | kf::DELETE;
    (first..first + num).map(|pos| KeyRef { pos, flags }).collect()
}

fn georadius(args: &Args) -> Vec<KeyRef> {
    let mut out = vec![KeyRef { pos: 1, flags: 0 }];
    let mut stored = None;
    let mut i = 5;
    while i < args.len() {
        if (args.is(i, "store") || args.is(i, "storedist")) && i + 1 < args.len() {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    if let Some(pos) = stored {
        out.push(KeyRef { pos, flags: 0 });
    }
    out
}

fn xread(args: &Args) -> Vec<KeyRef> {
    let argc = args.len();
    let mut streams = None;
    let mut i = 1;
    while i < argc {
        if args.is(i, "block") || args.is(i, "count") {
            i += 1;
        } else if args.is(i, "group") {
            i += 2;
        } else if args.is(i, "streams") {
            streams = Some(i);
            break;
        } else if !args.is(i, "noack") {
            break;
        }
        i += 1;
    }
    let Some(sp) = streams else {
        return Vec::new();
    };
    let num = argc - sp - 1;
    if num == 0 || num % 2 != 0 {
        return Vec::new();
    }
    (sp + 1..sp + 1 + num / 2).map(|pos| KeyRef { pos, flags: 0 }).collect()
}

fn set(args: &Args) -> Vec<KeyRef> {
    let get = (3..args.len()).any(|i| args.get(i).eq_ignore_ascii_case(b"get"));
    let flags = if get { kf::RW | kf::ACCESS | kf::UPDATE } else { kf::OW | kf::UPDATE };
    vec![KeyRef { pos: 1, flags }]
}

fn bitfield(args: &Args) -> Vec<KeyRef> {
    let argc = args.len();
    let mut readonly = true;
    let mut i = 2;
    while i < argc {
        let rem = argc - i - 1;
        if args.is(i, "get") && rem >= 2 {
            i += 2;
        } else if (args.is(i, "set") || args.is(i, "incrby")) && rem >= 3 {
            readonly = false;
            break;
        } else if args.is(i, "overflow") && rem >= 1 {
            i += 1;
        } else {
            readonly = false;
            break;
        }
        i += 1;
    }
    let flags = if readonly { kf::RO | kf::ACCESS } else { kf::RW | kf::ACCESS | kf::UPDATE };
    vec![KeyRef { pos: 1, flags }]
}

#[cfg(test)]
mod tests {
    use super::super::command_meta::CommandMeta;
    use super::*;

    fn keys(m: &CommandMeta, argv: &[&str]) -> Vec<(usize, u16)> {
        let v: Vec<Vec<u8>> = argv.iter().map(|s| s.as_bytes().to_vec()).collect();
        let name = argv[0].to_ascii_lowercase();
        find_keys(&name, m.info(&name), &Args::Owned(&v))
            .into_iter()
            .map(|k| (k.pos, k.flags))
            .collect()
    }

    #[test]
    fn specs_and_procs() {
        let m = CommandMeta::load();
        assert_eq!(keys(&m, &["set", "k", "v"]), [(1, kf::OW | kf::UPDATE)]);
        assert_eq!(keys(&m, &["set", "k", "v", "GET"]), [(1, kf::RW | kf::ACCESS | kf::UPDATE)]);
        let zu = keys(&m, &["zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"]);
        assert_eq!(zu.iter().map(|k| k.0).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(keys(&m, &["eval", "s", "0"]), []);
        assert_eq!(keys(&m, &["eval", "s", "5", "a"]), []);
        let mig = keys(&m, &["migrate", "h", "1", "", "0", "5", "KEYS", "a", "b"]);
        assert_eq!(mig.iter().map(|k| k.0).collect::<Vec<_>>(), [7, 8]);
        let sort = keys(&m, &["sort", "k", "BY", "x", "STORE", "d"]);
        assert_eq!(sort, [(1, kf::RO | kf::ACCESS), (5, kf::OW | kf::UPDATE)]);
        let xr = keys(&m, &["xread", "COUNT", "2", "STREAMS", "a", "b", "0", "0"]);
        assert_eq!(xr.iter().map(|k| k.0).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(atoi(b" 12abc"), 12);
        assert_eq!(atoi(b"x"), 0);
    }
}
