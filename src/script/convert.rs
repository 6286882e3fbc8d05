//! Conversions between RESP and Lua values, exactly as Redis 7.0's script_lua.c does them.
//!
//! RESP -> Lua (a command's reply inside redis.call): integers are numbers, bulk strings are
//! strings, null is `false` in RESP2 and `nil` in RESP3, status is `{ok=s}`, error `{err=s}`,
//! arrays tables, RESP3 maps `{map={...}}`, sets `{set={m=true}}`, doubles `{double=n}`, big
//! numbers `{big_number=s}`, verbatim strings `{verbatim_string={format=, string=}}`.
//!
//! Lua -> RESP (a script's return value): numbers truncate to integers, strings are bulk,
//! booleans follow the script client's protocol, tables are arrays up to the first nil unless
//! they carry one of the special fields above.

use mlua::{Lua, Table, Value};

use crate::resp::reply::Reply;

/// Deepest reply nesting converted into Lua (our own replies nest a few levels at most).
const MAX_DEPTH: usize = 1000;

/// `%.17g` of a double, as Redis 7.0 formats a Lua number passed to redis.call.
pub fn fmt_g(v: f64, precision: u32) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let fmt: &[u8] = match precision {
        14 => b"%.14g\0",
        _ => b"%.17g\0",
    };
    // SAFETY: the buffer is large enough for any %.17g output and snprintf NUL-terminates.
    let n = unsafe {
        libc::snprintf(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            fmt.as_ptr() as *const _,
            v,
        )
    };
    let n = (n.max(0) as usize).min(buf.len() - 1);
    buf[..n].to_vec()
}

/// Parse one RESP reply from `buf[*pos..]` into a Lua value. The bytes were written by our own
/// reply encoder, so they are well formed; malformed input yields an error, not a panic.
pub fn resp_to_lua(lua: &Lua, buf: &[u8], pos: &mut usize, depth: usize) -> mlua::Result<Value> {
    if depth > MAX_DEPTH {
        return Err(mlua::Error::RuntimeError("reached lua stack limit".into()));
    }
    let t = *buf.get(*pos).ok_or_else(bad)?;
    let line = read_line(buf, pos)?;
    let body = &line[1..];
    Ok(match t {
        b':' => Value::Number(parse_int(body)? as f64),
        b'$' => {
            let n = parse_int(body)?;
            if n < 0 {
                Value::Boolean(false)
            } else {
                let s = read_exact(buf, pos, n as usize)?;
                Value::String(lua.create_string(s)?)
            }
        }
        b'+' => single(lua, "ok", Value::String(lua.create_string(body)?))?,
        b'-' => single(lua, "err", Value::String(lua.create_string(body)?))?,
        b'*' | b'>' => {
            let n = parse_int(body)?;
            if n < 0 {
                Value::Boolean(false)
            } else {
                let tab = lua.create_table_with_capacity(n.min(1024) as usize, 0)?;
                for i in 0..n {
                    let v = resp_to_lua(lua, buf, pos, depth + 1)?;
                    tab.raw_set(i + 1, v)?;
                }
                Value::Table(tab)
            }
        }
        b'%' => {
            let n = parse_int(body)?;
            let m = lua.create_table()?;
            for _ in 0..n {
                let k = resp_to_lua(lua, buf, pos, depth + 1)?;
                let v = resp_to_lua(lua, buf, pos, depth + 1)?;
                if k != Value::Nil {
                    m.raw_set(k, v)?;
                }
            }
            single(lua, "map", Value::Table(m))?
        }
        b'~' => {
            let n = parse_int(body)?;
            let m = lua.create_table()?;
            for _ in 0..n {
                let k = resp_to_lua(lua, buf, pos, depth + 1)?;
                if k != Value::Nil {
                    m.raw_set(k, true)?;
                }
            }
            single(lua, "set", Value::Table(m))?
        }
        b'_' => Value::Nil,
        b'#' => Value::Boolean(body == b"t"),
        b',' => {
            let s = std::str::from_utf8(body).map_err(|_| bad())?;
            let v = match s {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" | "-nan" => f64::NAN,
                s => s.parse::<f64>().map_err(|_| bad())?,
            };
            single(lua, "double", Value::Number(v))?
        }
        b'(' => single(lua, "big_number", Value::String(lua.create_string(body)?))?,
        b'=' => {
            let n = parse_int(body)?;
            let s = read_exact(buf, pos, n.max(0) as usize)?;
            let (fmt, text) = if s.len() >= 4 { (&s[..3], &s[4..]) } else { (&b""[..], s) };
            let inner = lua.create_table()?;
            inner.raw_set("format", lua.create_string(fmt)?)?;
            inner.raw_set("string", lua.create_string(text)?)?;
            single(lua, "verbatim_string", Value::Table(inner))?
        }
        b'|' => {
            // Attributes are dropped; the reply that follows is the value.
            let n = parse_int(body)?;
            for _ in 0..n * 2 {
                resp_to_lua(lua, buf, pos, depth + 1)?;
            }
            resp_to_lua(lua, buf, pos, depth + 1)?
        }
        _ => return Err(bad()),
    })
}

fn bad() -> mlua::Error {
    mlua::Error::RuntimeError("malformed reply".into())
}

fn single(lua: &Lua, k: &str, v: Value) -> mlua::Result<Value> {
    let t = lua.create_table_with_capacity(0, 1)?;
    t.raw_set(k, v)?;
    Ok(Value::Table(t))
}

fn read_line<'a>(buf: &'a [u8], pos: &mut usize) -> mlua::Result<&'a [u8]> {
    let rest = buf.get(*pos..).ok_or_else(bad)?;
    let end = memchr::memchr(b'\r', rest).ok_or_else(bad)?;
    *pos += end + 2;
    Ok(&rest[..end])
}

fn read_exact<'a>(buf: &'a [u8], pos: &mut usize, n: usize) -> mlua::Result<&'a [u8]> {
    let s = buf.get(*pos..pos.saturating_add(n)).ok_or_else(bad)?;
    *pos += n + 2;
    Ok(s)
}

fn parse_int(b: &[u8]) -> mlua::Result<i64> {
    crate::util::num::parse_i64(b).ok_or_else(bad)
}

/// Error replies found in a script's return value: whether there was any (the command then
/// counts as failed), and the texts still to count in errorstats (those that did not come from
/// a command's own error reply, which was counted when it happened).
#[derive(Default)]
pub struct ErrorReplies {
    pub any: bool,
    pub counted: Vec<Vec<u8>>,
}

/// Lua 5.1's LUAI_MAXCSTACK: the most stack slots a C function may hold.
const LUA_MAX_C_STACK: usize = 8000;
/// Stack slots in use when Redis starts converting a script's return value (the error handler
/// and the value itself).
const FIRST_SLOT: usize = 2;
/// Redis converts a value only while `lua_checkstack(lua, 4)` succeeds.
const LAST_SLOT: usize = LUA_MAX_C_STACK - 4;
/// Bytes a script's reply may take. A table that contains itself several times expands
/// exponentially within the stack limit; Redis would write until it runs out of memory.
pub const MAX_REPLY_BYTES: usize = 512 * 1024 * 1024;
const STACK_LIMIT_ERR: &[u8] = b"ERR reached lua stack limit";

/// Write a script's return value. `lua_resp3` is the protocol the script chose with
/// redis.setresp (it decides how booleans convert); `reply` carries the caller's protocol.
///
/// Iterative (a work stack of values), so deeply nested tables cost heap, not thread stack.
/// Each value carries the Lua stack slot Redis's recursive walk would hold it in, so a nested
/// (or cyclic) table ends where Redis's does, with `-ERR reached lua stack limit` in place of
/// the value past the limit; the reply is bounded by [`MAX_REPLY_BYTES`] as well.
pub fn lua_to_resp(reply: &mut Reply, v: &Value, lua_resp3: bool, errors: &mut ErrorReplies) {
    lua_to_resp_limited(reply, v, lua_resp3, errors, MAX_REPLY_BYTES)
}

fn lua_to_resp_limited(
    reply: &mut Reply,
    v: &Value,
    lua_resp3: bool,
    errors: &mut ErrorReplies,
    max_bytes: usize,
) {
    let start = reply.buf.len();
    let mut work: Vec<(Value, usize)> = vec![(v.clone(), FIRST_SLOT)];
    while let Some((v, slot)) = work.pop() {
        if reply.buf.len() - start > max_bytes {
            reply.buf.truncate(start);
            let text = format!("ERR script reply exceeds {max_bytes} bytes");
            reply.error(&text);
            errors.any = true;
            errors.counted.push(text.into_bytes());
            return;
        }
        if slot > LAST_SLOT {
            reply.error_bytes(STACK_LIMIT_ERR);
            errors.any = true;
            errors.counted.push(STACK_LIMIT_ERR.to_vec());
            continue;
        }
        match &v {
            Value::String(s) => reply.bulk(&s.as_bytes()),
            Value::Boolean(b) => {
                if lua_resp3 {
                    reply.boolean(*b);
                } else if *b {
                    reply.int(1);
                } else {
                    reply.null();
                }
            }
            Value::Integer(i) => reply.int(*i),
            Value::Number(n) => reply.int(lua_number_to_i64(*n)),
            Value::Table(t) => table_to_resp(reply, t, slot, &mut work, errors),
            _ => reply.null(),
        }
    }
}

/// C's `(long long)` cast of a double as x86-64 performs it (out of range -> i64::MIN).
pub fn lua_number_to_i64(n: f64) -> i64 {
    if n.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

/// Write a table's own reply; the values of an aggregate go on `work` (in reverse, so they
/// come out in order).
/// `slot` is the table's own stack slot: Redis holds an array element one slot above its
/// table, a set member three (the "set" table, the iteration key, its copy) and a map's key
/// four and value three.
fn table_to_resp(
    reply: &mut Reply,
    t: &Table,
    slot: usize,
    work: &mut Vec<(Value, usize)>,
    errors: &mut ErrorReplies,
) {
    if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
        // Redis strips nothing here: `{err="x"}` replies `-x`.
        reply.error_bytes(&e.as_bytes());
        errors.any = true;
        if !matches!(t.raw_get::<Value>(super::run::IGNORE_STATS), Ok(Value::Boolean(true))) {
            errors.counted.push(e.as_bytes().to_vec());
        }
        return;
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("ok") {
        reply.simple(&s.as_bytes());
        return;
    }
    match t.raw_get::<Value>("double") {
        Ok(Value::Number(n)) => return reply.double(n),
        Ok(Value::Integer(n)) => return reply.double(n as f64),
        _ => {}
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("big_number") {
        let mut b = s.as_bytes().to_vec();
        for c in b.iter_mut() {
            if *c == b'\r' || *c == b'\n' {
                *c = b' ';
            }
        }
        reply.bignum(&b);
        return;
    }
    if let Ok(Value::Table(m)) = t.raw_get::<Value>("map") {
        let pairs: Vec<(Value, Value)> = m.pairs::<Value, Value>().flatten().collect();
        reply.map(pairs.len());
        for (k, v) in pairs.into_iter().rev() {
            work.push((v, slot + 3));
            work.push((k, slot + 4));
        }
        return;
    }
    if let Ok(Value::Table(m)) = t.raw_get::<Value>("set") {
        let keys: Vec<Value> = m.pairs::<Value, Value>().flatten().map(|(k, _)| k).collect();
        reply.set(keys.len());
        work.extend(keys.into_iter().rev().map(|k| (k, slot + 3)));
        return;
    }
    if let Ok(Value::Table(vt)) = t.raw_get::<Value>("verbatim_string") {
        let fmt = vt.raw_get::<Value>("format");
        let s = vt.raw_get::<Value>("string");
        if let (Ok(Value::String(fmt)), Ok(Value::String(s))) = (fmt, s) {
            let fmt = fmt.as_bytes();
            let s = s.as_bytes();
            if reply.resp3 && fmt.len() == 3 {
                let mut b = Vec::with_capacity(s.len() + 16);
                b.push(b'=');
                crate::util::num::write_i64(&mut b, s.len() as i64 + 4);
                b.extend_from_slice(b"\r\n");
                b.extend_from_slice(&fmt);
                b.push(b':');
                b.extend_from_slice(&s);
                b.extend_from_slice(b"\r\n");
                reply.raw(&b);
            } else {
                reply.bulk(&s);
            }
            return;
        }
    }
    let mut items = Vec::new();
    loop {
        match t.raw_get::<Value>(items.len() + 1) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(v),
        }
    }
    reply.array(items.len());
    work.extend(items.into_iter().rev().map(|v| (v, slot + 1)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formatting_matches_redis() {
        assert_eq!(fmt_g(0.1, 17), b"0.10000000000000001");
        assert_eq!(fmt_g(3.0, 17), b"3");
        assert_eq!(fmt_g(2.5, 17), b"2.5");
        assert_eq!(fmt_g(1e20, 14), b"1e+20");
    }

    #[test]
    fn resp3_reply_to_lua() {
        let lua = Lua::new();
        let buf = b"%1\r\n$1\r\na\r\n,1.5\r\n";
        let mut pos = 0;
        let v = resp_to_lua(&lua, buf, &mut pos, 0).unwrap();
        assert_eq!(pos, buf.len());
        let t = v.as_table().unwrap();
        let m: Table = t.get("map").unwrap();
        let d: Table = m.get("a").unwrap();
        assert_eq!(d.get::<f64>("double").unwrap(), 1.5);
    }

    #[test]
    fn lua_table_to_resp2_stops_at_nil() {
        let lua = Lua::new();
        let v: Value = lua.load("return {1, 2.9, 'a', nil, 4}").eval().unwrap();
        let mut b = Vec::new();
        lua_to_resp(&mut Reply::new(&mut b, false), &v, false, &mut ErrorReplies::default());
        assert_eq!(b, b"*3\r\n:1\r\n:2\r\n$1\r\na\r\n");
    }

    fn convert(src: &str, max: usize) -> Vec<u8> {
        let lua = Lua::new();
        let v: Value = lua.load(src).eval().unwrap();
        let mut b = Vec::new();
        let mut e = ErrorReplies::default();
        lua_to_resp_limited(&mut Reply::new(&mut b, false), &v, false, &mut e, max);
        b
    }

    fn lines(b: &[u8]) -> usize {
        b.windows(2).filter(|w| w == b"\r\n").count()
    }

    #[test]
    fn cyclic_tables_end_at_redis_stack_limit() {
        // Counts measured on redis-server 7.0.15.
        let b = convert("local a = {}; local b = {a}; a[1] = b; return a", MAX_REPLY_BYTES);
        assert_eq!(lines(&b), 7996);
        assert!(b.starts_with(b"*1\r\n*1\r\n"));
        assert!(b.ends_with(b"*1\r\n-ERR reached lua stack limit\r\n"));
        let b = convert("local a = {}; a['x'] = {map=a}; return {map=a}", MAX_REPLY_BYTES);
        assert_eq!(lines(&b), 7995);
        assert!(b.ends_with(b"-ERR reached lua stack limit\r\n-ERR reached lua stack limit\r\n"));
        let b = convert("local a = {}; a[{set=a}] = 1; return {set=a}", MAX_REPLY_BYTES);
        assert_eq!(lines(&b), 2666);
        let b = convert("local a = {}; a[{map=a}] = 1; return {map=a}", MAX_REPLY_BYTES);
        assert_eq!(lines(&b), 3999);
    }

    #[test]
    fn exponential_reply_is_bounded() {
        let b = convert("local a = {}; a[1] = a; a[2] = a; return a", 1 << 20);
        assert_eq!(b, b"-ERR script reply exceeds 1048576 bytes\r\n");
    }
}
