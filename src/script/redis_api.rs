//! The `redis` table: the parts that need no server state. redis.call / pcall /
//! acl_check_cmd go through the per-run callback (see `run`); setresp and set_repl write the
//! VM's `RunFlags`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use mlua::{Lua, MultiValue, Table, Value};

use super::sandbox::RunFlags;

fn rt(msg: &str) -> mlua::Error {
    mlua::Error::RuntimeError(msg.to_string())
}

/// Redis's luaPushErrorBuff: every error table holds "CODE message". A text starting with
/// '-' carries its code up to the first space; any other text gets the code ERR.
pub fn error_text(raw: &[u8]) -> Vec<u8> {
    let (code, msg): (&[u8], &[u8]) = match raw.strip_prefix(b"-") {
        Some(rest) => match memchr::memchr(b' ', rest) {
            Some(sp) => (&rest[..sp], &rest[sp + 1..]),
            None => (b"ERR", rest),
        },
        None => (b"ERR", raw),
    };
    let mut end = msg.len();
    while end > 0 && (msg[end - 1] == b'\r' || msg[end - 1] == b'\n') {
        end -= 1;
    }
    let mut start = 0;
    while start < end && (msg[start] == b'\r' || msg[start] == b'\n') {
        start += 1;
    }
    let mut out = Vec::with_capacity(code.len() + 1 + end - start);
    out.extend_from_slice(code);
    out.push(b' ');
    out.extend_from_slice(&msg[start..end]);
    out
}

/// `{err=<CODE msg>}` for a raw error text.
pub fn error_table(lua: &Lua, raw: &[u8]) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 1)?;
    t.raw_set("err", lua.create_string(error_text(raw))?)?;
    Ok(t)
}

fn wrong_args(lua: &Lua) -> mlua::Result<Value> {
    Ok(Value::Table(error_table(lua, b"wrong number or type of arguments")?))
}

pub fn install(lua: &Lua, g: &Table, flags: &Arc<RunFlags>) -> mlua::Result<()> {
    let redis = lua.create_table()?;
    redis.set(
        "sha1hex",
        lua.create_function(|lua, args: MultiValue| {
            if args.len() != 1 {
                return Err(rt("wrong number of arguments"));
            }
            let s = lua.coerce_string(args[0].clone())?;
            let body = s.map(|s| s.as_bytes().to_vec()).unwrap_or_default();
            let hex = super::sha1_hex(&body);
            lua.create_string(hex)
        })?,
    )?;
    redis.set(
        "error_reply",
        lua.create_function(|lua, args: MultiValue| {
            let [Value::String(s)] = args.as_slices().0 else { return wrong_args(lua) };
            let s = s.as_bytes();
            let raw = if s.starts_with(b"-") {
                s.to_vec()
            } else {
                let mut v = b"-".to_vec();
                v.extend_from_slice(&s);
                v
            };
            Ok(Value::Table(error_table(lua, &raw)?))
        })?,
    )?;
    redis.set(
        "status_reply",
        lua.create_function(|lua, args: MultiValue| {
            let [Value::String(s)] = args.as_slices().0 else { return wrong_args(lua) };
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("ok", s.clone())?;
            Ok(Value::Table(t))
        })?,
    )?;
    redis.set(
        "log",
        lua.create_function(|lua, args: MultiValue| {
            if args.len() < 2 {
                return Err(rt("redis.log() requires two arguments or more."));
            }
            let level = match &args[0] {
                Value::Integer(i) => *i as f64,
                Value::Number(n) => *n,
                _ => return Err(rt("First argument must be a number (log level).")),
            };
            let level = level as i64;
            if !(0..=3).contains(&level) {
                return Err(rt("Invalid debug level."));
            }
            let mut msg = Vec::new();
            for (i, a) in args.iter().skip(1).enumerate() {
                if let Ok(Some(s)) = lua.coerce_string(a.clone()) {
                    if i > 0 {
                        msg.push(b' ');
                    }
                    msg.extend_from_slice(&s.as_bytes());
                }
            }
            let msg = String::from_utf8_lossy(&msg);
            match level {
                0 => log::debug!(target: "lua", "{msg}"),
                1 => log::debug!(target: "lua", "{msg}"),
                2 => log::info!(target: "lua", "{msg}"),
                _ => log::warn!(target: "lua", "{msg}"),
            }
            Ok(())
        })?,
    )?;
    let f = flags.clone();
    redis.set(
        "setresp",
        lua.create_function(move |_, args: MultiValue| {
            if args.len() != 1 {
                return Err(rt("redis.setresp() requires one argument."));
            }
            let v = match &args[0] {
                Value::Integer(i) => *i,
                Value::Number(n) => *n as i64,
                Value::String(s) => s.to_str().ok().and_then(|s| s.parse().ok()).unwrap_or(0),
                _ => 0,
            };
            if v != 2 && v != 3 {
                return Err(rt("RESP version must be 2 or 3."));
            }
            f.resp3.store(v == 3, Ordering::Relaxed);
            Ok(())
        })?,
    )?;
    let f = flags.clone();
    redis.set(
        "set_repl",
        lua.create_function(move |_, args: MultiValue| {
            if args.len() != 1 {
                return Err(rt("redis.set_repl() requires two arguments."));
            }
            let v = match &args[0] {
                Value::Integer(i) => *i,
                Value::Number(n) => *n as i64,
                _ => -1,
            };
            if !(0..=3).contains(&v) {
                return Err(rt(
                    "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
                ));
            }
            f.repl.store(v as u8, Ordering::Relaxed);
            Ok(())
        })?,
    )?;
    redis.set("replicate_commands", lua.create_function(|_, _: MultiValue| Ok(true))?)?;
    redis.set("breakpoint", lua.create_function(|_, _: MultiValue| Ok(false))?)?;
    redis.set("debug", lua.create_function(|_, _: MultiValue| Ok(()))?)?;
    for (k, v) in [
        ("LOG_DEBUG", 0),
        ("LOG_VERBOSE", 1),
        ("LOG_NOTICE", 2),
        ("LOG_WARNING", 3),
        ("REPL_NONE", 0),
        ("REPL_AOF", 1),
        ("REPL_SLAVE", 2),
        ("REPL_REPLICA", 2),
        ("REPL_ALL", 3),
    ] {
        redis.set(k, v)?;
    }
    redis.set("REDIS_VERSION", crate::REDIS_VERSION)?;
    redis.set("REDIS_VERSION_NUM", version_num(crate::REDIS_VERSION))?;
    g.set("redis", redis)?;
    Ok(())
}

/// "7.0.15" -> 0x07000f.
fn version_num(v: &str) -> i64 {
    let mut n = 0i64;
    for p in v.split('.').take(3) {
        n = (n << 8) | p.parse::<i64>().unwrap_or(0);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts_get_a_code() {
        assert_eq!(error_text(b"x"), b"ERR x");
        assert_eq!(error_text(b"-X y"), b"X y");
        assert_eq!(error_text(b"-X"), b"ERR X");
        assert_eq!(error_text(b"-WRONGTYPE Op\r\n"), b"WRONGTYPE Op");
        assert_eq!(version_num("7.0.15"), 458767);
    }
}
