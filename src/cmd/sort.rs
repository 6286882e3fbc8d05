//! Command family: SORT and SORT_RO (Redis's sort.c): sort the elements of a list, set or
//! sorted set numerically or by bytes, optionally by external keys (`BY w_*`, `BY h_*->f`),
//! fetching external values (`GET #`, `GET k_*`, `GET h_*->f`), with LIMIT and STORE.

use std::cmp::Ordering;

use super::args::Args;
use super::table::{flags, CommandDef};
use super::{notify, Ctx};
use crate::db::{Keyspace, Value};
use crate::error::{CmdResult, CommandError, SYNTAX, WRONGTYPE};
use crate::util::num;

/// SORT's key positions: the key, and the STORE destination if any.
fn sort_keys(args: &Args) -> Result<Vec<usize>, CommandError> {
    let mut out = vec![1];
    let mut i = 2;
    while i < args.len() {
        if args.is(i, "limit") {
            i += 2;
        } else if args.is(i, "get") || args.is(i, "by") {
            i += 1;
        } else if args.is(i, "store") && i + 1 < args.len() {
            // Like Redis, the last STORE wins.
            out.truncate(1);
            out.push(i + 1);
            i += 1;
        }
        i += 1;
    }
    Ok(out)
}

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "sort",
        handler: sort,
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM | flags::MOVABLE_KEYS,
        acl: &["@write", "@set", "@sortedset", "@list", "@dangerous"],
        first_key: 1,
        last_key: 1,
        step: 1,
        getkeys: Some(sort_keys),
        group: "generic",
        since: "1.0.0",
        summary: "Sort the elements in a list, set or sorted set",
        complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
        syntax: "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "sort_ro",
        handler: sort_ro,
        arity: -2,
        flags: flags::READONLY | flags::MOVABLE_KEYS,
        acl: &["@read", "@set", "@sortedset", "@list", "@dangerous"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "generic",
        since: "7.0.0",
        summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
        complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
        syntax: "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]",
        ..CommandDef::DEFAULT
    },
];

pub fn sort(ctx: &mut Ctx, args: &Args) -> CmdResult {
    sort_generic(ctx, args, false)
}

pub fn sort_ro(ctx: &mut Ctx, args: &Args) -> CmdResult {
    sort_generic(ctx, args, true)
}

/// C's view of a byte string argument: up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    &b[..memchr::memchr(0, b).unwrap_or(b.len())]
}

/// Redis's lookupKeyByPattern: `#` is the element itself; otherwise the first `*` of the
/// pattern is replaced by the element, and a `->field` after it reads a hash field. Only
/// strings (or hash fields) are found; anything else is missing.
fn lookup_by_pattern(
    ks: &mut Keyspace,
    db: usize,
    now: i64,
    pattern: &[u8],
    elem: &[u8],
) -> Option<Vec<u8>> {
    let cpat = c_str(pattern);
    if cpat == b"#" {
        return Some(elem.to_vec());
    }
    let star = memchr::memchr(b'*', cpat)?;
    let after = &cpat[star + 1..];
    let arrow = memchr::memmem::find(after, b"->").filter(|&a| a + 2 < after.len());
    // Positions are in the full pattern: the field is the rest of it, NULs included.
    let (postfix, field) = match arrow {
        Some(a) => (&pattern[star + 1..star + 1 + a], Some(&pattern[star + 1 + a + 2..])),
        None => (&pattern[star + 1..], None),
    };
    let mut key = Vec::with_capacity(star + elem.len() + postfix.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(postfix);
    let e = ks.read(db, &key, now)?;
    match field {
        Some(f) => match &e.value {
            Value::Hash(h) => hash_field(h, f),
            _ => None,
        },
        None => e.value.str_bytes().map(|s| s.as_bytes().to_vec()),
    }
}

/// A value of a hash field, for `->field` patterns.
fn hash_field(h: &crate::db::hash::Hash, f: &[u8]) -> Option<Vec<u8>> {
    h.get(f).map(|v| v.to_vec())
}

/// SORT's numeric conversion: strtod over the C string, refusing trailing bytes, NaN and
/// out-of-range literals.
fn sort_score(b: &[u8]) -> Option<f64> {
    let v = num::parse_f64_lenient(b)?;
    let s = c_str(b);
    let mantissa_end =
        s.iter().position(|&c| matches!(c, b'e' | b'E' | b'p' | b'P')).unwrap_or(s.len());
    let is_hex = s.windows(2).any(|w| w.eq_ignore_ascii_case(b"0x"));
    let end = if is_hex {
        s.iter().position(|&c| matches!(c, b'p' | b'P')).unwrap_or(s.len())
    } else {
        mantissa_end
    };
    let mantissa = &s[..end];
    if v.is_infinite() && !s.iter().any(|c| c.eq_ignore_ascii_case(&b'i')) {
        return None;
    }
    let nonzero = mantissa.iter().enumerate().any(|(i, &c)| {
        (b'1'..=b'9').contains(&c) || (is_hex && i > 1 && c.is_ascii_hexdigit() && c != b'0')
    });
    if v == 0.0 && nonzero {
        return None;
    }
    Some(v)
}

struct Item {
    elem: Vec<u8>,
    score: f64,
    cmp: Option<Vec<u8>>,
}

fn sort_generic(ctx: &mut Ctx, args: &Args, readonly: bool) -> CmdResult {
    let mut desc = false;
    let mut alpha = false;
    let mut limit_start: i64 = 0;
    let mut limit_count: i64 = -1;
    let mut dontsort = false;
    let mut sortby: Option<&[u8]> = None;
    let mut store: Option<&[u8]> = None;
    let mut gets: Vec<&[u8]> = Vec::new();
    let mut j = 2;
    while j < args.len() {
        let left = args.len() - j - 1;
        if args.is(j, "asc") {
            desc = false;
        } else if args.is(j, "desc") {
            desc = true;
        } else if args.is(j, "alpha") {
            alpha = true;
        } else if args.is(j, "limit") && left >= 2 {
            limit_start = args.i64(j + 1)?;
            limit_count = args.i64(j + 2)?;
            j += 2;
        } else if !readonly && args.is(j, "store") && left >= 1 {
            store = Some(args.get(j + 1));
            j += 1;
        } else if args.is(j, "by") && left >= 1 {
            let p = args.get(j + 1);
            sortby = Some(p);
            dontsort = memchr::memchr(b'*', c_str(p)).is_none();
            j += 1;
        } else if args.is(j, "get") && left >= 1 {
            gets.push(args.get(j + 1));
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }

    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let kind = match ctx.st.ks.read(db, key, now) {
        None => None,
        Some(e) => match &e.value {
            Value::List(_) => Some(0),
            Value::Set(_) => Some(1),
            Value::ZSet(_) => Some(2),
            _ => return Err(WRONGTYPE),
        },
    };
    // A set has no order of its own: when stored or read by a script, sort it by bytes so
    // the result is the same everywhere.
    let in_script = crate::script::run::is_script_client(ctx.client);
    if dontsort && kind == Some(1) && (store.is_some() || in_script) {
        dontsort = false;
        alpha = true;
        sortby = None;
    }
    let vectorlen_full = match kind {
        None => 0,
        Some(_) => {
            let e = ctx.st.ks.get(db, key, now).expect("looked up above");
            match &mut e.value {
                Value::List(l) => list_len(l),
                Value::Set(s) => set_len(s),
                Value::ZSet(z) => {
                    // Redis converts a compact sorted set for SORT, destructively.
                    z.force_large();
                    z.len()
                }
                _ => 0,
            }
        }
    } as i64;

    let mut start = limit_start.max(0);
    let mut end =
        if limit_count < 0 { vectorlen_full - 1 } else { start.saturating_add(limit_count) - 1 };
    if start >= vectorlen_full {
        start = vectorlen_full - 1;
        end = vectorlen_full - 2;
    }
    if end >= vectorlen_full {
        end = vectorlen_full - 1;
    }

    // Gather the elements; ordered types with nothing to sort load only the range.
    let mut items: Vec<Item> = Vec::new();
    let mk = |elem: Vec<u8>| Item { elem, score: 0.0, cmp: None };
    if let Some(e) = ctx.st.ks.get(db, key, now) {
        match &e.value {
            Value::ZSet(z) if dontsort => {
                if end >= start {
                    let n = (end - start + 1) as usize;
                    items.reserve(n);
                    z.walk(start as usize, desc, |m, _| {
                        items.push(mk(m.to_vec()));
                        items.len() < n
                    });
                }
                end -= start;
                start = 0;
            }
            Value::ZSet(z) => {
                items.reserve(z.len());
                z.iter_all(|m, _| items.push(mk(m.to_vec())));
            }
            Value::List(l) if dontsort => {
                if end >= start {
                    let n = (end - start + 1) as usize;
                    let mut buf = [0u8; 20];
                    if desc {
                        let mut skip = start as usize;
                        l.visit_rev(|e| {
                            if skip > 0 {
                                skip -= 1;
                                return true;
                            }
                            items.push(mk(e.as_bytes(&mut buf).to_vec()));
                            items.len() < n
                        });
                    } else {
                        l.visit_from(start as usize, |e| {
                            items.push(mk(e.as_bytes(&mut buf).to_vec()));
                            items.len() < n
                        });
                    }
                }
                end -= start;
                start = 0;
            }
            Value::List(l) => items.extend(list_elements(l).into_iter().map(mk)),
            Value::Set(s) => items.extend(set_elements(s).into_iter().map(mk)),
            _ => {}
        }
    }

    let mut conversion_error = false;
    if !dontsort {
        for it in items.iter_mut() {
            let byval = match sortby {
                Some(p) => match lookup_by_pattern(&mut ctx.st.ks, db, now, p, &it.elem) {
                    Some(v) => v,
                    None => continue,
                },
                None => {
                    if alpha {
                        continue;
                    }
                    it.elem.clone()
                }
            };
            if alpha {
                it.cmp = Some(byval);
            } else {
                match sort_score(&byval) {
                    Some(s) => it.score = s,
                    None => conversion_error = true,
                }
            }
        }
        let bypattern = sortby.is_some();
        let cmp = |a: &Item, b: &Item| -> Ordering {
            let o = if !alpha {
                a.score
                    .partial_cmp(&b.score)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| a.elem.cmp(&b.elem))
            } else if bypattern {
                match (&a.cmp, &b.cmp) {
                    (None, None) => Ordering::Equal,
                    (None, _) => Ordering::Less,
                    (_, None) => Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(y),
                }
            } else {
                a.elem.cmp(&b.elem)
            };
            if desc {
                o.reverse()
            } else {
                o
            }
        };
        items.sort_by(cmp);
    }

    if conversion_error {
        return Err(CommandError::stat("ERR One or more scores can't be converted into double"));
    }
    let range_len = (end - start + 1).max(0) as usize;
    let outputlen = if gets.is_empty() { range_len } else { gets.len() * range_len };
    let selected = if range_len > 0 { &items[start as usize..=end as usize] } else { &items[..0] };

    match store {
        None => {
            // Values are looked up before replying, so the keyspace borrow ends first.
            let mut out: Vec<Option<Vec<u8>>> = Vec::with_capacity(outputlen);
            for it in selected {
                if gets.is_empty() {
                    out.push(Some(it.elem.clone()));
                }
                for g in &gets {
                    out.push(lookup_by_pattern(&mut ctx.st.ks, db, now, g, &it.elem));
                }
            }
            let mut r = ctx.reply();
            r.array(out.len());
            for v in &out {
                match v {
                    Some(b) => r.bulk(b),
                    None => r.null(),
                }
            }
        }
        Some(dst) => {
            let mut out: Vec<Vec<u8>> = Vec::with_capacity(outputlen);
            for it in selected {
                if gets.is_empty() {
                    out.push(it.elem.clone());
                }
                for g in &gets {
                    out.push(
                        lookup_by_pattern(&mut ctx.st.ks, db, now, g, &it.elem).unwrap_or_default(),
                    );
                }
            }
            let n = out.len();
            if n > 0 {
                let lru = ctx.lru();
                let list = make_list(&ctx.st.cfg, ctx.st.ks.list_packed_threshold, &out);
                ctx.st.ks.set(db, dst, Value::List(Box::new(list)), 0, lru);
                ctx.modified(db, dst);
                ctx.notify(notify::LIST, "sortstore", db, dst);
            } else if ctx.st.ks.delete(db, dst) {
                ctx.modified(db, dst);
                ctx.notify(notify::GENERIC, "del", db, dst);
            }
            ctx.reply().int(n as i64);
        }
    }
    Ok(())
}

// Lists, sets and hashes belong to other families; SORT reads them through these.
fn list_len(l: &crate::db::list::List) -> usize {
    l.len()
}
fn list_elements(l: &crate::db::list::List) -> Vec<Vec<u8>> {
    let mut v = Vec::with_capacity(l.len());
    l.for_each(|e| v.push(e.to_vec()));
    v
}
fn set_len(s: &crate::db::set::Set) -> usize {
    s.len()
}
fn set_elements(s: &crate::db::set::Set) -> Vec<Vec<u8>> {
    let mut v = Vec::with_capacity(s.len());
    s.for_each(|m| v.push(m.to_vec()));
    v
}
fn make_list(
    cfg: &crate::config::Config,
    packed_threshold: u32,
    items: &[Vec<u8>],
) -> crate::db::list::List {
    crate::db::list::List::from_elems(cfg, packed_threshold, items.iter().map(|v| v.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_conversion_follows_strtod() {
        assert_eq!(sort_score(b"1.5"), Some(1.5));
        assert_eq!(sort_score(b" 2"), Some(2.0));
        assert_eq!(sort_score(b""), Some(0.0));
        assert_eq!(sort_score(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(sort_score(b"0x10"), Some(16.0));
        assert_eq!(sort_score(b"1e400"), None);
        assert_eq!(sort_score(b"1e-400"), None);
        assert_eq!(sort_score(b"0e-400"), Some(0.0));
        assert_eq!(sort_score(b"x"), None);
        assert_eq!(sort_score(b"nan"), None);
        assert_eq!(sort_score(b"3 "), None);
    }
}
