//! `cmsgpack`: lua-cmsgpack 0.4 as Redis bundles it. pack(...) concatenates the MessagePack
//! encoding of each argument; unpack returns every value; unpack_one / unpack_limit return the
//! next offset (-1 at the end) followed by the values.
//!
//! Encoding rules kept from lua-cmsgpack: integral numbers use the smallest integer format,
//! other numbers float32 when exact else float64; a table is an array when its keys are exactly
//! 1..n (an empty table too), else a map; nesting deeper than 16 encodes nil; functions and
//! userdata encode nil.

use mlua::{Lua, MultiValue, Table, Value};

use super::bit::check_number;
use super::cjson::lerr;
use super::sandbox::lua_type_name;

const MAX_NESTING: usize = 16;

fn encode_len(
    out: &mut Vec<u8>,
    len: usize,
    fix: Option<(u8, usize)>,
    c16: u8,
    c32: u8,
    c8: Option<u8>,
) {
    if let Some((base, lim)) = fix {
        if len < lim {
            out.push(base | len as u8);
            return;
        }
    }
    if let Some(c8) = c8 {
        if len <= 0xff {
            out.push(c8);
            out.push(len as u8);
            return;
        }
    }
    if len <= 0xffff {
        out.push(c16);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(c32);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

fn encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_number(out: &mut Vec<u8>, n: f64) {
    if !n.is_infinite() && (n as i64) as f64 == n {
        encode_int(out, n as i64);
        return;
    }
    let f = n as f32;
    if f as f64 == n {
        out.push(0xca);
        out.extend_from_slice(&f.to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// lua-cmsgpack's table_is_an_array: keys are exactly 1..n.
fn is_array(t: &Table) -> mlua::Result<Option<usize>> {
    let mut max = 0f64;
    let mut count = 0usize;
    for pair in t.clone().pairs::<Value, Value>() {
        let (k, _) = pair?;
        let n = match k {
            Value::Integer(i) => i as f64,
            Value::Number(n) => n,
            _ => return Ok(None),
        };
        if n <= 0.0 || n.fract() != 0.0 {
            return Ok(None);
        }
        max = max.max(n);
        count += 1;
    }
    Ok((max == count as f64).then_some(count))
}

/// `polls` counts values encoded, so a table that holds itself many times (the output grows
/// exponentially within the nesting limit) stays killable by SCRIPT KILL.
fn encode(
    lua: &Lua,
    out: &mut Vec<u8>,
    v: &Value,
    level: usize,
    polls: &mut super::run::BusyPoll,
) -> mlua::Result<()> {
    polls.tick(lua)?;
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            encode_len(out, b.len(), Some((0xa0, 32)), 0xda, 0xdb, Some(0xd9));
            out.extend_from_slice(&b);
        }
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(i) => encode_int(out, *i),
        Value::Number(n) => encode_number(out, *n),
        Value::Table(t) if level < MAX_NESTING => match is_array(t)? {
            Some(n) => {
                encode_len(out, n, Some((0x90, 16)), 0xdc, 0xdd, None);
                for i in 1..=n {
                    let e: Value = t.raw_get(i)?;
                    encode(lua, out, &e, level + 1, polls)?;
                }
            }
            None => {
                let n = t.clone().pairs::<Value, Value>().count();
                encode_len(out, n, Some((0x80, 16)), 0xde, 0xdf, None);
                for pair in t.clone().pairs::<Value, Value>() {
                    let (k, val) = pair?;
                    encode(lua, out, &k, level + 1, polls)?;
                    encode(lua, out, &val, level + 1, polls)?;
                }
            }
        },
        _ => out.push(0xc0),
    }
    Ok(())
}

enum DecodeError {
    Missing,
    Bad,
    /// Nested deeper than MAX_DECODE_DEPTH (the function that ran out of stack).
    TooDeep(&'static str),
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
    /// Where the last item began (its type byte).
    last: usize,
}

enum Item {
    Value(Value),
    Array(usize),
    Map(usize),
}

/// Nesting accepted when decoding: input is untrusted and decoding recurses. Redis decodes
/// 1000 levels and fails (or overflows its C stack) a few thousand levels down.
const MAX_DECODE_DEPTH: usize = 1000;

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let b = self.s.get(self.pos..self.pos.checked_add(n).ok_or(DecodeError::Missing)?);
        let b = b.ok_or(DecodeError::Missing)?;
        self.pos += n;
        Ok(b)
    }

    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self.take(n)?.iter().fold(0u64, |a, &b| (a << 8) | b as u64))
    }

    /// One value, nested arrays and maps included. Iterative (a stack of open containers),
    /// so nesting up to MAX_DECODE_DEPTH costs heap, not the thread's stack.
    fn decode(&mut self, lua: &Lua) -> mlua::Result<Result<Value, DecodeError>> {
        enum Open {
            Array { t: Table, n: usize, i: usize },
            Map { t: Table, n: usize, i: usize, key: Option<Value> },
        }
        let mut open: Vec<Open> = Vec::new();
        loop {
            let mut v = match self.item(lua)? {
                Err(e) => return Ok(Err(e)),
                Ok(Item::Value(v)) => v,
                Ok(Item::Array(n)) | Ok(Item::Map(n)) if open.len() >= MAX_DECODE_DEPTH => {
                    let _ = n;
                    let f = if matches!(self.s.get(self.last), Some(0x90..=0x9f | 0xdc | 0xdd)) {
                        "mp_decode_to_lua_array"
                    } else {
                        "mp_decode_to_lua_hash"
                    };
                    return Ok(Err(DecodeError::TooDeep(f)));
                }
                Ok(Item::Array(n)) => {
                    // Each element takes a byte at least: a declared length beyond the input
                    // is missing data (and must not size an allocation).
                    if n > self.s.len() - self.pos {
                        return Ok(Err(DecodeError::Missing));
                    }
                    let t = lua.create_table_with_capacity(n, 0)?;
                    if n > 0 {
                        open.push(Open::Array { t, n, i: 0 });
                        continue;
                    }
                    Value::Table(t)
                }
                Ok(Item::Map(n)) => {
                    if n > (self.s.len() - self.pos) / 2 {
                        return Ok(Err(DecodeError::Missing));
                    }
                    let t = lua.create_table()?;
                    if n > 0 {
                        open.push(Open::Map { t, n, i: 0, key: None });
                        continue;
                    }
                    Value::Table(t)
                }
            };
            // Hand the value to the innermost open container; close those that are full.
            loop {
                match open.last_mut() {
                    None => return Ok(Ok(v)),
                    Some(Open::Array { t, n, i }) => {
                        *i += 1;
                        t.raw_set(*i, v)?;
                        if *i < *n {
                            break;
                        }
                    }
                    Some(Open::Map { t, n, i, key }) => match key.take() {
                        None => {
                            *key = Some(v);
                            break;
                        }
                        Some(k) => {
                            if k != Value::Nil {
                                t.raw_set(k, v)?;
                            }
                            *i += 1;
                            if *i < *n {
                                break;
                            }
                        }
                    },
                }
                v = match open.pop() {
                    Some(Open::Array { t, .. }) | Some(Open::Map { t, .. }) => Value::Table(t),
                    None => unreachable!("checked by last_mut"),
                };
            }
        }
    }

    /// One scalar, or the header of an array or map.
    fn item(&mut self, lua: &Lua) -> mlua::Result<Result<Item, DecodeError>> {
        self.last = self.pos;
        let c = match self.take(1) {
            Ok(b) => b[0],
            Err(e) => return Ok(Err(e)),
        };
        macro_rules! tri {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => return Ok(Err(e)),
                }
            };
        }
        let num = |n: f64| Ok(Ok(Item::Value(Value::Number(n))));
        match c {
            0x00..=0x7f => num(c as f64),
            0x80..=0x8f => Ok(Ok(Item::Map((c & 0x0f) as usize))),
            0x90..=0x9f => Ok(Ok(Item::Array((c & 0x0f) as usize))),
            0xa0..=0xbf => self.string(lua, (c & 0x1f) as usize),
            0xc0 => Ok(Ok(Item::Value(Value::Nil))),
            0xc2 => Ok(Ok(Item::Value(Value::Boolean(false)))),
            0xc3 => Ok(Ok(Item::Value(Value::Boolean(true)))),
            0xc4 | 0xd9 => {
                let n = tri!(self.be(1)) as usize;
                self.string(lua, n)
            }
            0xc5 | 0xda => {
                let n = tri!(self.be(2)) as usize;
                self.string(lua, n)
            }
            0xc6 | 0xdb => {
                let n = tri!(self.be(4)) as usize;
                self.string(lua, n)
            }
            0xca => num(f32::from_bits(tri!(self.be(4)) as u32) as f64),
            0xcb => num(f64::from_bits(tri!(self.be(8)))),
            0xcc => num(tri!(self.be(1)) as f64),
            0xcd => num(tri!(self.be(2)) as f64),
            0xce => num(tri!(self.be(4)) as f64),
            0xcf => num(tri!(self.be(8)) as f64),
            0xd0 => num(tri!(self.be(1)) as u8 as i8 as f64),
            0xd1 => num(tri!(self.be(2)) as u16 as i16 as f64),
            0xd2 => num(tri!(self.be(4)) as u32 as i32 as f64),
            0xd3 => num(tri!(self.be(8)) as i64 as f64),
            0xdc => {
                let n = tri!(self.be(2)) as usize;
                Ok(Ok(Item::Array(n)))
            }
            0xdd => {
                let n = tri!(self.be(4)) as usize;
                Ok(Ok(Item::Array(n)))
            }
            0xde => {
                let n = tri!(self.be(2)) as usize;
                Ok(Ok(Item::Map(n)))
            }
            0xdf => {
                let n = tri!(self.be(4)) as usize;
                Ok(Ok(Item::Map(n)))
            }
            0xe0..=0xff => num(c as i8 as f64),
            _ => Ok(Err(DecodeError::Bad)),
        }
    }

    fn string(&mut self, lua: &Lua, n: usize) -> mlua::Result<Result<Item, DecodeError>> {
        match self.take(n) {
            Ok(b) => Ok(Ok(Item::Value(Value::String(lua.create_string(b)?)))),
            Err(e) => Ok(Err(e)),
        }
    }
}

fn input(lua: &Lua, args: &MultiValue, name: &str) -> mlua::Result<Vec<u8>> {
    match args.front() {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(v @ (Value::Integer(_) | Value::Number(_))) => {
            Ok(lua.coerce_string(v.clone())?.map(|s| s.as_bytes().to_vec()).unwrap_or_default())
        }
        Some(v) => Err(lerr(
            lua,
            format!("bad argument #1 to '{name}' (string expected, got {})", lua_type_name(v)),
        )),
        None => {
            Err(lerr(lua, format!("bad argument #1 to '{name}' (string expected, got no value)")))
        }
    }
}

/// Decode up to `limit` values (0 = all) from `offset`; returns (next offset or -1, values).
fn unpack_full(lua: &Lua, s: &[u8], limit: i64, offset: i64) -> mlua::Result<(i64, Vec<Value>)> {
    if limit < 0 || offset < 0 {
        return Err(lerr(
            lua,
            format!("Invalid request to unpack with offset of {offset} and limit of {limit}."),
        ));
    }
    if offset as usize > s.len() {
        return Err(lerr(
            lua,
            format!("Start offset {offset} greater than input length {}.", s.len()),
        ));
    }
    let mut c = Cursor { s, pos: offset as usize, last: 0 };
    let mut out = Vec::new();
    while c.pos < s.len() && (limit == 0 || (out.len() as i64) < limit) {
        match c.decode(lua)? {
            Ok(v) => out.push(v),
            Err(DecodeError::Missing) => return Err(lerr(lua, "Missing bytes in input.")),
            Err(DecodeError::Bad) => return Err(lerr(lua, "Bad data format in input.")),
            Err(DecodeError::TooDeep(f)) => {
                return Err(lerr(lua, format!("stack overflow (in function {f})")))
            }
        }
    }
    let next = if c.pos >= s.len() { -1 } else { c.pos as i64 };
    Ok((next, out))
}

pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "pack",
        lua.create_function(|lua, args: MultiValue| {
            if args.is_empty() {
                return Err(lerr(lua, "bad argument #0 to 'pack' (MessagePack pack needs input.)"));
            }
            let mut out = Vec::new();
            let mut polls = super::run::BusyPoll::default();
            for a in args.iter() {
                encode(lua, &mut out, a, 0, &mut polls)?;
            }
            lua.create_string(&out)
        })?,
    )?;
    t.set(
        "unpack",
        lua.create_function(|lua, args: MultiValue| {
            let s = input(lua, &args, "unpack")?;
            let (_, vals) = unpack_full(lua, &s, 0, 0)?;
            Ok(MultiValue::from_iter(vals))
        })?,
    )?;
    t.set(
        "unpack_one",
        lua.create_function(|lua, args: MultiValue| {
            let s = input(lua, &args, "unpack_one")?;
            let offset =
                if args.len() >= 2 { check_number(lua, &args, 2, "unpack_one")? as i64 } else { 0 };
            let (next, vals) = unpack_full(lua, &s, 1, offset)?;
            let mut out = vec![Value::Number(next as f64)];
            out.extend(vals);
            Ok(MultiValue::from_iter(out))
        })?,
    )?;
    t.set(
        "unpack_limit",
        lua.create_function(|lua, args: MultiValue| {
            let s = input(lua, &args, "unpack_limit")?;
            let limit = if args.len() >= 2 {
                check_number(lua, &args, 2, "unpack_limit")? as i64
            } else {
                0
            };
            let offset = if args.len() >= 3 {
                check_number(lua, &args, 3, "unpack_limit")? as i64
            } else {
                0
            };
            let (next, vals) = unpack_full(lua, &s, limit, offset)?;
            let mut out = vec![Value::Number(next as f64)];
            out.extend(vals);
            Ok(MultiValue::from_iter(out))
        })?,
    )?;
    t.set("_NAME", "cmsgpack")?;
    t.set("_VERSION", "lua-cmsgpack 0.4.0")?;
    t.set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    t.set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_lua_cmsgpack() {
        let lua = Lua::new();
        lua.globals().set("cmsgpack", module(&lua).unwrap()).unwrap();
        let b: mlua::String = lua
            .load("return cmsgpack.pack(1.5, -1, -33, 200, 70000, 1e10, 0.1, {}, {a=1}, string.rep('a', 40))")
            .eval()
            .unwrap();
        let mut want =
            vec![0xca, 0x3f, 0xc0, 0, 0, 0xff, 0xd0, 0xdf, 0xcc, 0xc8, 0xce, 0, 1, 0x11, 0x70];
        want.extend_from_slice(&[0xcf, 0, 0, 0, 2, 0x54, 0x0b, 0xe4, 0]);
        want.push(0xcb);
        want.extend_from_slice(&0.1f64.to_be_bytes());
        want.extend_from_slice(&[0x90, 0x81, 0xa1, b'a', 1, 0xd9, 40]);
        want.extend_from_slice(&[b'a'; 40]);
        assert_eq!(b.as_bytes().as_ref(), &want[..]);
        let s: String = lua
            .load(
                "local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, 'x', {1, 2})) return a..b..c[2]",
            )
            .eval()
            .unwrap();
        assert_eq!(s, "1x2");
        let n: Vec<f64> =
            lua.load("return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}").eval().unwrap();
        assert_eq!(n, [2.0, 1.0, 2.0]);
    }
}
