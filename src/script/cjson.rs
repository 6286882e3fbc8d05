//! `cjson`: the JSON library Redis bundles (lua-cjson 2.1.0 with Redis's settings), in Rust.
//!
//! Behaviour kept from lua-cjson: numbers encode with `%.14g` (encode_number_precision), an
//! empty table encodes as `{}`, tables whose keys are all positive integers are arrays (holes
//! become `null`; excessively sparse ones are refused), `/` is escaped, `null` decodes to
//! `cjson.null` (a NULL light userdata), numbers decode with strtod (so hex and leading zeros
//! pass), and errors carry lua-cjson's texts and 1-based character positions.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::Arc;

use mlua::{LightUserData, Lua, MultiValue, Table, Value};

use super::convert::fmt_g;
use super::sandbox::lua_type_name;

struct Cfg {
    precision: AtomicU8,
    encode_max_depth: AtomicI32,
    decode_max_depth: AtomicI32,
    sparse_convert: AtomicBool,
    sparse_ratio: AtomicI32,
    sparse_safe: AtomicI32,
    /// 0 off, 1 on, 2 null.
    encode_invalid: AtomicU8,
    decode_invalid: AtomicBool,
    keep_buffer: AtomicBool,
}

impl Default for Cfg {
    fn default() -> Cfg {
        Cfg {
            precision: AtomicU8::new(14),
            encode_max_depth: AtomicI32::new(1000),
            decode_max_depth: AtomicI32::new(1000),
            sparse_convert: AtomicBool::new(false),
            sparse_ratio: AtomicI32::new(2),
            sparse_safe: AtomicI32::new(10),
            encode_invalid: AtomicU8::new(0),
            decode_invalid: AtomicBool::new(true),
            keep_buffer: AtomicBool::new(true),
        }
    }
}

/// luaL_where(L, 1): "source:line: " of the Lua code that called the library function.
pub fn lua_where(lua: &Lua) -> String {
    if let Some(d) = lua.inspect_stack(1) {
        let line = d.curr_line();
        if line > 0 {
            if let Some(src) = d.source().short_src {
                return format!("{src}:{line}: ");
            }
        }
    }
    String::new()
}

/// luaL_error: the message with the caller's position.
pub fn lerr(lua: &Lua, msg: impl std::fmt::Display) -> mlua::Error {
    mlua::Error::RuntimeError(format!("{}{msg}", lua_where(lua)))
}

fn null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let cfg = Arc::new(Cfg::default());
    let t = lua.create_table()?;
    let c = cfg.clone();
    t.set(
        "encode",
        lua.create_function(move |lua, args: MultiValue| {
            if args.len() != 1 {
                return Err(lerr(lua, "bad argument #1 to 'encode' (expected 1 argument)"));
            }
            let mut out = Vec::new();
            encode(lua, &c, &args[0], 0, &mut out)?;
            lua.create_string(&out)
        })?,
    )?;
    let c = cfg.clone();
    t.set(
        "decode",
        lua.create_function(move |lua, args: MultiValue| {
            if args.len() != 1 {
                return Err(lerr(lua, "bad argument #1 to 'decode' (expected 1 argument)"));
            }
            let s = match lua.coerce_string(args[0].clone())? {
                Some(s) => s,
                None => {
                    return Err(lerr(
                        lua,
                        format!(
                            "bad argument #1 to 'decode' (string expected, got {})",
                            arg_type(&args[0])
                        ),
                    ))
                }
            };
            let bytes = s.as_bytes().to_vec();
            let mut d = Decoder {
                lua,
                s: &bytes,
                pos: 0,
                depth: 0,
                max_depth: c.decode_max_depth.load(Ordering::Relaxed),
            };
            d.decode_top()
        })?,
    )?;
    let c = cfg.clone();
    t.set(
        "encode_number_precision",
        lua.create_function(move |lua, args: MultiValue| {
            if let Some(v) = args.front() {
                let n = int_arg(v).filter(|n| (1..=14).contains(n)).ok_or_else(|| {
                    lerr(lua, "bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)")
                })?;
                c.precision.store(n as u8, Ordering::Relaxed);
            }
            Ok(c.precision.load(Ordering::Relaxed) as i64)
        })?,
    )?;
    for (name, which) in [("encode_max_depth", true), ("decode_max_depth", false)] {
        let c = cfg.clone();
        t.set(
            name,
            lua.create_function(move |lua, args: MultiValue| {
                let slot = if which { &c.encode_max_depth } else { &c.decode_max_depth };
                if let Some(v) = args.front() {
                    let n = int_arg(v).filter(|n| (1..=i32::MAX as i64).contains(n)).ok_or_else(
                        || {
                            lerr(
                                lua,
                                format!("bad argument #1 to '{name}' (expected integer between 1 and 2147483647)"),
                            )
                        },
                    )?;
                    slot.store(n as i32, Ordering::Relaxed);
                }
                Ok(slot.load(Ordering::Relaxed) as i64)
            })?,
        )?;
    }
    let c = cfg.clone();
    t.set(
        "encode_sparse_array",
        lua.create_function(move |lua, args: MultiValue| {
            if let Some(v) = args.front() {
                c.sparse_convert.store(bool_arg(lua, v, "encode_sparse_array")?, Ordering::Relaxed);
            }
            if let Some(v) = args.get(1) {
                let n = int_arg(v).filter(|n| (0..=i32::MAX as i64).contains(n)).ok_or_else(
                    || lerr(lua, "bad argument #2 to 'encode_sparse_array' (expected integer between 0 and 2147483647)"),
                )?;
                c.sparse_ratio.store(n as i32, Ordering::Relaxed);
            }
            if let Some(v) = args.get(2) {
                let n = int_arg(v).filter(|n| (0..=i32::MAX as i64).contains(n)).ok_or_else(
                    || lerr(lua, "bad argument #3 to 'encode_sparse_array' (expected integer between 0 and 2147483647)"),
                )?;
                c.sparse_safe.store(n as i32, Ordering::Relaxed);
            }
            Ok((
                c.sparse_convert.load(Ordering::Relaxed),
                c.sparse_ratio.load(Ordering::Relaxed) as i64,
                c.sparse_safe.load(Ordering::Relaxed) as i64,
            ))
        })?,
    )?;
    let c = cfg.clone();
    t.set(
        "encode_keep_buffer",
        lua.create_function(move |lua, args: MultiValue| {
            if let Some(v) = args.front() {
                c.keep_buffer.store(bool_arg(lua, v, "encode_keep_buffer")?, Ordering::Relaxed);
            }
            Ok(c.keep_buffer.load(Ordering::Relaxed))
        })?,
    )?;
    let c = cfg.clone();
    t.set(
        "encode_invalid_numbers",
        lua.create_function(move |lua, args: MultiValue| {
            if let Some(v) = args.front() {
                let m = match v {
                    Value::String(s) if s.as_bytes().as_ref() == b"null" => 2,
                    v => bool_arg(lua, v, "encode_invalid_numbers")? as u8,
                };
                c.encode_invalid.store(m, Ordering::Relaxed);
            }
            Ok(match c.encode_invalid.load(Ordering::Relaxed) {
                2 => Value::String(lua.create_string("null")?),
                m => Value::Boolean(m == 1),
            })
        })?,
    )?;
    let c = cfg.clone();
    t.set(
        "decode_invalid_numbers",
        lua.create_function(move |lua, args: MultiValue| {
            if let Some(v) = args.front() {
                c.decode_invalid
                    .store(bool_arg(lua, v, "decode_invalid_numbers")?, Ordering::Relaxed);
            }
            Ok(c.decode_invalid.load(Ordering::Relaxed))
        })?,
    )?;
    t.set("new", lua.create_function(|lua, ()| module(lua))?)?;
    t.set("null", null())?;
    t.set("_NAME", "cjson")?;
    t.set("_VERSION", "2.1.0")?;
    Ok(t)
}

fn arg_type(v: &Value) -> &'static str {
    match v {
        Value::Nil => "no value",
        v => lua_type_name(v),
    }
}

fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Number(n) if n.fract() == 0.0 => Some(*n as i64),
        Value::String(s) => s.to_str().ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn bool_arg(lua: &Lua, v: &Value, name: &str) -> mlua::Result<bool> {
    match v {
        Value::Boolean(b) => Ok(*b),
        Value::String(s) if s.as_bytes().as_ref() == b"on" => Ok(true),
        Value::String(s) if s.as_bytes().as_ref() == b"off" => Ok(false),
        _ => Err(lerr(lua, format!("bad argument #1 to '{name}' (invalid option)"))),
    }
}

fn exception(lua: &Lua, v: &Value, reason: &str) -> mlua::Error {
    lerr(lua, format!("Cannot serialise {}: {reason}", lua_type_name(v)))
}

fn number(lua: &Lua, cfg: &Cfg, n: f64, out: &mut Vec<u8>, v: &Value) -> mlua::Result<()> {
    if n.is_nan() || n.is_infinite() {
        match cfg.encode_invalid.load(Ordering::Relaxed) {
            0 => return Err(exception(lua, v, "must not be NaN or Inf")),
            2 => {
                out.extend_from_slice(b"null");
                return Ok(());
            }
            _ => {
                out.extend_from_slice(if n.is_nan() {
                    b"nan"
                } else if n > 0.0 {
                    b"inf"
                } else {
                    b"-inf"
                });
                return Ok(());
            }
        }
    }
    out.extend_from_slice(&fmt_prec(n, cfg.precision.load(Ordering::Relaxed)));
    Ok(())
}

fn fmt_prec(n: f64, prec: u8) -> Vec<u8> {
    if prec == 14 {
        return fmt_g(n, 14);
    }
    let mut buf = [0u8; 64];
    let fmt = format!("%.{prec}g\0");
    // SAFETY: NUL-terminated format with one double conversion, bounded buffer.
    let n = unsafe {
        libc::snprintf(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            fmt.as_ptr() as *const _,
            n,
        )
    };
    buf[..(n.max(0) as usize).min(63)].to_vec()
}

fn escape_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c if c < 0x20 || c == 0x7f => {
                out.extend_from_slice(format!("\\u{:04x}", c).as_bytes());
            }
            c => out.push(c),
        }
    }
    out.push(b'"');
}

/// Encode iteratively (a task stack), so nesting up to encode_max_depth costs heap, not the
/// thread's stack. Tasks come out in document order, so errors surface where lua-cjson's
/// recursive walk would raise them.
fn encode(lua: &Lua, cfg: &Cfg, v: &Value, depth: i32, out: &mut Vec<u8>) -> mlua::Result<()> {
    enum Task {
        Val(Value, i32),
        Byte(u8),
        Key(Value),
    }
    let prec = cfg.precision.load(Ordering::Relaxed);
    let mut stack = vec![Task::Val(v.clone(), depth)];
    // A table holding itself many times expands exponentially within encode_max_depth.
    let mut polls = super::run::BusyPoll::default();
    while let Some(task) = stack.pop() {
        polls.tick(lua)?;
        let (v, depth) = match task {
            Task::Byte(b) => {
                out.push(b);
                continue;
            }
            Task::Key(k) => {
                match &k {
                    Value::String(s) => escape_string(&s.as_bytes(), out),
                    Value::Integer(i) => {
                        out.push(b'"');
                        out.extend_from_slice(&fmt_prec(*i as f64, prec));
                        out.push(b'"');
                    }
                    Value::Number(n) => {
                        out.push(b'"');
                        out.extend_from_slice(&fmt_prec(*n, prec));
                        out.push(b'"');
                    }
                    other => {
                        return Err(exception(lua, other, "table key must be a number or string"))
                    }
                }
                out.push(b':');
                continue;
            }
            Task::Val(v, d) => (v, d),
        };
        match &v {
            Value::String(s) => escape_string(&s.as_bytes(), out),
            Value::Integer(i) => number(lua, cfg, *i as f64, out, &v)?,
            Value::Number(n) => number(lua, cfg, *n, out, &v)?,
            Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Nil => out.extend_from_slice(b"null"),
            Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
            Value::Table(t) => {
                let depth = depth + 1;
                if depth > cfg.encode_max_depth.load(Ordering::Relaxed) {
                    return Err(lerr(
                        lua,
                        format!("Cannot serialise, excessive nesting ({depth})"),
                    ));
                }
                match array_length(lua, cfg, t, &v)? {
                    Some(len) if len > 0 => {
                        out.push(b'[');
                        stack.push(Task::Byte(b']'));
                        for i in (1..=len).rev() {
                            stack.push(Task::Val(t.raw_get(i)?, depth));
                            if i > 1 {
                                stack.push(Task::Byte(b','));
                            }
                        }
                    }
                    _ => {
                        out.push(b'{');
                        stack.push(Task::Byte(b'}'));
                        let pairs: Vec<(Value, Value)> =
                            t.clone().pairs::<Value, Value>().collect::<mlua::Result<_>>()?;
                        for (idx, (k, val)) in pairs.into_iter().enumerate().rev() {
                            stack.push(Task::Val(val, depth));
                            stack.push(Task::Key(k));
                            if idx > 0 {
                                stack.push(Task::Byte(b','));
                            }
                        }
                    }
                }
            }
            other => return Err(exception(lua, other, "type not supported")),
        }
    }
    Ok(())
}

/// lua-cjson's lua_array_length: Some(max index) when every key is a positive integer.
fn array_length(lua: &Lua, cfg: &Cfg, t: &Table, v: &Value) -> mlua::Result<Option<usize>> {
    let mut max = 0f64;
    let mut items = 0f64;
    for pair in t.clone().pairs::<Value, Value>() {
        let (k, _) = pair?;
        let k = match k {
            Value::Integer(i) => i as f64,
            Value::Number(n) => n,
            _ => return Ok(None),
        };
        if k.floor() == k && k >= 1.0 {
            max = f64::max(max, k);
            items += 1.0;
        } else {
            return Ok(None);
        }
    }
    let ratio = cfg.sparse_ratio.load(Ordering::Relaxed) as f64;
    if ratio > 0.0 && max > items * ratio && max > cfg.sparse_safe.load(Ordering::Relaxed) as f64 {
        if !cfg.sparse_convert.load(Ordering::Relaxed) {
            return Err(exception(lua, v, "excessively sparse array"));
        }
        return Ok(None);
    }
    Ok(Some(max as usize))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num,
    Bool,
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Tok {
    fn name(self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num => "T_NUMBER",
            Tok::Bool => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error(m) => m,
        }
    }
}

struct Decoder<'a> {
    lua: &'a Lua,
    s: &'a [u8],
    pos: usize,
    depth: i32,
    max_depth: i32,
}

/// A token with its 0-based index and decoded value.
struct Token {
    tok: Tok,
    index: usize,
    value: Value,
}

impl Decoder<'_> {
    fn decode_top(&mut self) -> mlua::Result<Value> {
        let t = self.next()?;
        let v = self.value(t)?;
        let t = self.next()?;
        if t.tok != Tok::End {
            return Err(self.parse_error("the end", &t));
        }
        Ok(v)
    }

    fn parse_error(&self, expected: &str, t: &Token) -> mlua::Error {
        lerr(
            self.lua,
            format!("Expected {expected} but found {} at character {}", t.tok.name(), t.index + 1),
        )
    }

    /// One JSON value starting at `first`. Iterative with an explicit stack, so deep nesting
    /// (up to decode_max_depth) costs heap, not the thread's stack.
    fn value(&mut self, first: Token) -> mlua::Result<Value> {
        enum Frame {
            Array(Table, usize),
            Object(Table, Value),
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut tok = first;
        loop {
            let mut value = match tok.tok {
                Tok::Str | Tok::Num | Tok::Bool | Tok::Null => tok.value,
                Tok::ArrBegin => {
                    self.descend()?;
                    let t = self.lua.create_table()?;
                    let nt = self.next()?;
                    if nt.tok == Tok::ArrEnd {
                        self.depth -= 1;
                        Value::Table(t)
                    } else {
                        stack.push(Frame::Array(t, 1));
                        tok = nt;
                        continue;
                    }
                }
                Tok::ObjBegin => {
                    self.descend()?;
                    let t = self.lua.create_table()?;
                    let nt = self.next()?;
                    if nt.tok == Tok::ObjEnd {
                        self.depth -= 1;
                        Value::Table(t)
                    } else {
                        let key = self.object_key(nt)?;
                        stack.push(Frame::Object(t, key));
                        tok = self.next()?;
                        continue;
                    }
                }
                _ => return Err(self.parse_error("value", &tok)),
            };
            // Attach the finished value to its parent, closing parents as they end.
            loop {
                match stack.last_mut() {
                    None => return Ok(value),
                    Some(Frame::Array(t, i)) => {
                        t.raw_set(*i, value)?;
                        *i += 1;
                        let sep = self.next()?;
                        match sep.tok {
                            Tok::ArrEnd => {
                                let Some(Frame::Array(t, _)) = stack.pop() else { unreachable!() };
                                self.depth -= 1;
                                value = Value::Table(t);
                            }
                            Tok::Comma => {
                                tok = self.next()?;
                                break;
                            }
                            _ => return Err(self.parse_error("comma or array end", &sep)),
                        }
                    }
                    Some(Frame::Object(t, key)) => {
                        t.raw_set(std::mem::replace(key, Value::Nil), value)?;
                        let sep = self.next()?;
                        match sep.tok {
                            Tok::ObjEnd => {
                                let Some(Frame::Object(t, _)) = stack.pop() else { unreachable!() };
                                self.depth -= 1;
                                value = Value::Table(t);
                            }
                            Tok::Comma => {
                                let kt = self.next()?;
                                *key = self.object_key(kt)?;
                                tok = self.next()?;
                                break;
                            }
                            _ => return Err(self.parse_error("comma or object end", &sep)),
                        }
                    }
                }
            }
        }
    }

    /// A key token followed by its colon.
    fn object_key(&mut self, t: Token) -> mlua::Result<Value> {
        if t.tok != Tok::Str {
            return Err(self.parse_error("object key string", &t));
        }
        let colon = self.next()?;
        if colon.tok != Tok::Colon {
            return Err(self.parse_error("colon", &colon));
        }
        Ok(t.value)
    }

    fn descend(&mut self) -> mlua::Result<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(lerr(
                self.lua,
                format!(
                    "Found too many nested data structures ({}) at character {}",
                    self.depth, self.pos
                ),
            ));
        }
        Ok(())
    }

    fn next(&mut self) -> mlua::Result<Token> {
        while let Some(&c) = self.s.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let index = self.pos;
        let simple = |tok| Token { tok, index, value: Value::Nil };
        let Some(&c) = self.s.get(self.pos) else { return Ok(simple(Tok::End)) };
        let one = match c {
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b':' => Some(Tok::Colon),
            b',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(t) = one {
            self.pos += 1;
            return Ok(simple(t));
        }
        if c == b'"' {
            return self.string();
        }
        if c == b'-' || c.is_ascii_digit() {
            return Ok(self.number());
        }
        for (word, tok, v) in [
            (&b"true"[..], Tok::Bool, Value::Boolean(true)),
            (b"false", Tok::Bool, Value::Boolean(false)),
            (b"null", Tok::Null, null()),
        ] {
            if self.s[self.pos..].starts_with(word) {
                self.pos += word.len();
                return Ok(Token { tok, index, value: v });
            }
        }
        if self.s[self.pos..].len() >= 3
            && (self.s[self.pos..self.pos + 3].eq_ignore_ascii_case(b"nan")
                || self.s[self.pos..self.pos + 3].eq_ignore_ascii_case(b"inf"))
        {
            return Ok(self.number());
        }
        Ok(simple(Tok::Error("invalid token")))
    }

    fn number(&mut self) -> Token {
        let index = self.pos;
        // strtod needs a NUL-terminated string; numbers are short, so copy a bounded prefix.
        let end = self.s[self.pos..]
            .iter()
            .position(|c| !matches!(c, b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'E' | b'x' | b'X' | b'a'..=b'f' | b'A'..=b'F' | b'n' | b'N' | b'i' | b'I' | b'p' | b'P' | b't' | b'T' | b'y' | b'Y'))
            .map_or(self.s.len(), |p| self.pos + p);
        let mut tmp = self.s[self.pos..end].to_vec();
        tmp.push(0);
        let mut endp: *mut libc::c_char = std::ptr::null_mut();
        // SAFETY: tmp is NUL-terminated; strtod stores a pointer into it.
        let v = unsafe { libc::strtod(tmp.as_ptr() as *const libc::c_char, &mut endp) };
        let used = (endp as usize).saturating_sub(tmp.as_ptr() as usize);
        if used == 0 {
            return Token { tok: Tok::Error("invalid number"), index, value: Value::Nil };
        }
        self.pos += used;
        Token { tok: Tok::Num, index, value: Value::Number(v) }
    }

    fn string(&mut self) -> mlua::Result<Token> {
        let index = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.pos) else {
                return Ok(Token {
                    tok: Tok::Error("unexpected end of string"),
                    index: self.pos,
                    value: Value::Nil,
                });
            };
            if c == b'"' {
                self.pos += 1;
                break;
            }
            if c != b'\\' {
                out.push(c);
                self.pos += 1;
                continue;
            }
            let esc = self.s.get(self.pos + 1).copied();
            let simple = match esc {
                Some(b'"') => Some(b'"'),
                Some(b'\\') => Some(b'\\'),
                Some(b'/') => Some(b'/'),
                Some(b'b') => Some(8),
                Some(b'f') => Some(12),
                Some(b'n') => Some(b'\n'),
                Some(b'r') => Some(b'\r'),
                Some(b't') => Some(b'\t'),
                _ => None,
            };
            if let Some(b) = simple {
                out.push(b);
                self.pos += 2;
                continue;
            }
            if esc == Some(b'u') {
                match self.unicode_escape() {
                    Some((cp, len)) => {
                        let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                        let mut b = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                        self.pos += len;
                        continue;
                    }
                    None => {
                        return Ok(Token {
                            tok: Tok::Error("invalid unicode escape code"),
                            index: self.pos,
                            value: Value::Nil,
                        })
                    }
                }
            }
            return Ok(Token {
                tok: Tok::Error("invalid escape code"),
                index: self.pos,
                value: Value::Nil,
            });
        }
        Ok(Token { tok: Tok::Str, index, value: Value::String(self.lua.create_string(&out)?) })
    }

    /// `\uXXXX` (and a following low surrogate) at `pos`: (code point, bytes consumed).
    fn unicode_escape(&self) -> Option<(u32, usize)> {
        let hex4 = |at: usize| -> Option<u32> {
            let h = self.s.get(at..at + 4)?;
            u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
        };
        let hi = hex4(self.pos + 2)?;
        if (0xDC00..0xE000).contains(&hi) {
            return None;
        }
        if (0xD800..0xDC00).contains(&hi) {
            if self.s.get(self.pos + 6..self.pos + 8)? != b"\\u" {
                return None;
            }
            let lo = hex4(self.pos + 8)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return None;
            }
            return Some((0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12));
        }
        Some((hi, 6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(code: &str) -> mlua::Result<String> {
        let lua = Lua::new();
        lua.globals().set("cjson", module(&lua)?)?;
        let v: Value = lua.load(code).eval()?;
        Ok(match v {
            Value::String(s) => s.to_str()?.to_string(),
            other => format!("{other:?}"),
        })
    }

    fn s(code: &str) -> String {
        eval(code).unwrap()
    }

    #[test]
    fn encode_like_lua_cjson() {
        assert_eq!(s("return cjson.encode({1,2,'a',{x=1}})"), r#"[1,2,"a",{"x":1}]"#);
        assert_eq!(s("return cjson.encode({})"), "{}");
        assert_eq!(s("return cjson.encode({[1]=1,[3]=3})"), "[1,null,3]");
        assert_eq!(s("return cjson.encode(1/3)"), "0.33333333333333");
        assert_eq!(s("return cjson.encode('a\"/\\1\\127')"), r#""a\"\/\u0001\u007f""#);
        assert_eq!(s("return cjson.encode({[1.5]=1})"), r#"{"1.5":1}"#);
        assert!(eval("return cjson.encode({[1]=1,[30]=3})")
            .unwrap_err()
            .to_string()
            .contains("Cannot serialise table: excessively sparse array"));
    }

    #[test]
    fn decode_like_lua_cjson() {
        assert_eq!(s("return cjson.decode('[1,2.5,\"x\"]')[3]"), "x");
        assert_eq!(s("return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')"), "é😀");
        assert_eq!(s("return tostring(cjson.decode('0x10'))"), "16");
        let e = |code: &str| eval(code).unwrap_err().to_string();
        assert!(
            e("return cjson.decode('')").contains("Expected value but found T_END at character 1")
        );
        assert!(e("return cjson.decode('[1,2')")
            .contains("Expected comma or array end but found T_END at character 5"));
        assert!(e("return cjson.decode('{\"a\" 1}')")
            .contains("Expected colon but found T_NUMBER at character 6"));
        assert!(e("return cjson.decode('[1,2]x')")
            .contains("Expected the end but found invalid token at character 6"));
        assert!(e("return cjson.decode('\"abc')")
            .contains("Expected value but found unexpected end of string at character 5"));
        assert!(e("return cjson.decode('-')")
            .contains("Expected value but found invalid number at character 1"));
    }
}
