//! The Lua VM as Redis 7.0 builds it: base, table, string, math, cjson, cmsgpack, bit and
//! struct; no os/io/loadfile/dofile/require/print; globals and libraries read-only; math.random
//! on Redis's rand48 so a script sees the same sequence on every run; and an error handler that
//! turns every error into `{err=..., source=..., line=...}`.
//!
//! mlua's Lua 5.1 has no read-only tables (Redis patches its VM for that), so the protection is
//! built from metatables: `_G` stays empty and reads fall through to a hidden table that holds
//! the globals; library tables are empty proxies over the real ones. Writes to any of them raise
//! Redis's "Attempt to modify a readonly table"; reads of a missing global raise "Script
//! attempted to access nonexistent global variable".

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use mlua::{Function, Lua, LuaOptions, MultiValue, StdLib, Table, Value};

/// Chunk name of the sandbox's own Lua code; the error handler skips its frames.
pub const INTERNAL_CHUNK: &str = "=ferrodis";

/// Lua 5.1 state shared by the Rust pieces that outlive one script run. Cloning clones handles.
#[derive(Clone)]
pub struct Vm {
    pub lua: Lua,
    /// The hidden table behind `_G` (KEYS and ARGV live here).
    pub base: Table,
    /// Slots the per-run scoped callbacks are stored in (`call`, `busy`).
    pub hooks: Table,
    /// The Redis error handler, for `xpcall`.
    pub handler: Function,
    pub xpcall: Function,
    pub rand: Arc<AtomicU64>,
    pub flags: Arc<RunFlags>,
}

/// Per-run settings the `redis` table changes (redis.setresp, redis.set_repl).
#[derive(Default)]
pub struct RunFlags {
    pub resp3: AtomicBool,
    pub repl: AtomicU8,
}

const PRELUDE: &str = r#"
local hooks, base, rawset_ = ...
local _G, ipairs, xpcall = _G, ipairs, xpcall
local error, type, tostring, setmetatable_, getmetatable_, select, pairs =
      error, type, tostring, setmetatable, getmetatable, select, pairs
local readonly = setmetatable({}, {__mode = 'k'})

local function ro_error() error('Attempt to modify a readonly table', 2) end

-- What getmetatable shows for the sandbox's own tables: `false` means nil. The real
-- metatables stay out of reach, so no script can reach a real library table or change how
-- globals resolve for the scripts after it.
local shown_mt = setmetatable({}, {__mode = 'k'})

local function protect(t)
  local p = setmetatable_({}, {__index = t, __newindex = ro_error})
  readonly[p] = true
  shown_mt[p] = false
  return p
end
getmetatable = function(t)
  local m = shown_mt[t]
  if m ~= nil then
    if m == false then return nil end
    return m
  end
  return getmetatable_(t)
end

-- Redis's pcall: an error that is a table with a string `err` comes back as that string.
-- Errors raised by Rust callbacks arrive as userdata and come back as their message.
local rawpcall, unpack, errstr = pcall, unpack, hooks.errstr
local function pcall_result(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'table' and type(e.err) == 'string' then return false, e.err end
  if type(e) == 'userdata' then return false, errstr(e) end
  return false, ...
end
pcall = function(...)
  return pcall_result(rawpcall(...))
end

rawset = function(t, k, v)
  if readonly[t] then error('Attempt to modify a readonly table', 0) end
  return rawset_(t, k, v)
end
setmetatable = function(t, m)
  if readonly[t] then error('Attempt to modify a readonly table', 0) end
  return setmetatable_(t, m)
end


for _, name in ipairs({'print', 'setfenv', 'getfenv', 'module', 'require', 'newproxy',
                       'dofile', 'loadfile', 'debug', 'os', 'io', 'package', 'gcinfo_'}) do
  _G[name] = nil
end

for k, v in pairs(_G) do base[k] = v end
for k in pairs(base) do _G[k] = nil end
for _, name in ipairs({'string', 'table', 'math', 'redis', 'cjson', 'cmsgpack', 'bit',
                       'struct', 'coroutine'}) do
  if base[name] then base[name] = protect(base[name]) end
end
base._G = _G
local function missing(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
setmetatable_(base, {__index = missing})
local gmt = {__index = base, __newindex = ro_error}
setmetatable_(_G, gmt)
readonly[_G] = true
hooks.gmt = gmt
-- As in Redis, _G's metatable shows an __index function (the nonexistent-global error).
shown_mt[_G] = protect({__index = missing, __newindex = ro_error})

-- Strings index the protected string table, and their metatable shows as read-only.
local smt = getmetatable_('')
smt.__index = base.string
smt.__metatable = protect(smt)
"#;

/// Build a sandboxed VM. `extra` registers the Redis libraries (cjson, bit...) into the globals
/// before protection.
pub fn new_vm(
    rand: Arc<AtomicU64>,
    extra: impl FnOnce(&Lua, &Table, &Arc<RunFlags>) -> mlua::Result<()>,
) -> mlua::Result<Vm> {
    let lua = Lua::new_with(StdLib::TABLE | StdLib::STRING | StdLib::MATH, LuaOptions::default())?;
    let g = lua.globals();
    let xpcall: Function = g.get("xpcall")?;
    install_random(&lua, &g, rand.clone())?;
    install_text_loaders(&lua, &g)?;
    let flags = Arc::new(RunFlags::default());
    extra(&lua, &g, &flags)?;
    let hooks = lua.create_table()?;
    hooks.raw_set("errstr", lua.create_function(|lua, e: Value| error_string(lua, e))?)?;
    let base = lua.create_table()?;
    let rawset: Function = g.get("rawset")?;
    lua.set_named_registry_value(HOOKS_KEY, hooks.clone())?;
    let redis: Table = g.get("redis")?;
    // SAFETY: the C functions below follow the Lua C API contract (see their comments).
    unsafe {
        redis.set("call", lua.create_c_function(redis_call_c)?)?;
        redis.set("pcall", lua.create_c_function(redis_pcall_c)?)?;
        redis.set("acl_check_cmd", lua.create_c_function(redis_acl_c)?)?;
    }
    lua.load(PRELUDE).set_name(INTERNAL_CHUNK).call::<()>((hooks.clone(), base.clone(), rawset))?;
    let handler = lua.create_function(error_handler)?;
    base.raw_set("__redis__err__handler", handler.clone())?;
    let vm = Vm { lua, base, hooks, handler, xpcall, rand, flags };
    super::run::install_hook(&vm);
    Ok(vm)
}

/// Registry key of the table holding the per-run callbacks.
pub const HOOKS_KEY: &str = "ferrodis.hooks";

// redis.call, redis.pcall and redis.acl_check_cmd are C functions, as in Redis: a C function in
// tail position (`return redis.call(...)`) keeps the script's frame, so errors name the
// script's line; and only C can raise a table as the error value (mlua wraps Rust errors).
// They forward to the per-run `hooks.call(mode, ...)` and raise its error table when asked.
// No Rust value with a destructor is alive when lua_error unwinds.
unsafe extern "C-unwind" fn redis_call_c(l: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    forward_call(l, 1)
}

unsafe extern "C-unwind" fn redis_pcall_c(l: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    forward_call(l, 0)
}

unsafe extern "C-unwind" fn redis_acl_c(l: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    forward_call(l, 2)
}

/// The call's arguments packed for `hooks.call`, or None when one is neither a string nor a
/// number. Pushes nothing and raises nothing: numbers are formatted here (Redis uses %.17g
/// where Lua's own tostring would use %.14g) rather than converted on the stack.
unsafe fn pack_args(l: *mut mlua::ffi::lua_State, n: std::os::raw::c_int) -> Option<Vec<u8>> {
    use mlua::ffi;
    let mut out = Vec::new();
    for i in 1..=n {
        match ffi::lua_type(l, i) {
            ffi::LUA_TSTRING => {
                let mut len = 0usize;
                let p = ffi::lua_tolstring(l, i, &mut len);
                out.extend_from_slice(&(len as u32).to_le_bytes());
                out.extend_from_slice(std::slice::from_raw_parts(p as *const u8, len));
            }
            ffi::LUA_TNUMBER => {
                let mut buf = [0u8; 64];
                let k = libc::snprintf(
                    buf.as_mut_ptr() as *mut libc::c_char,
                    buf.len(),
                    c"%.17g".as_ptr(),
                    ffi::lua_tonumber(l, i),
                );
                let k = (k.max(0) as usize).min(buf.len() - 1);
                out.extend_from_slice(&(k as u32).to_le_bytes());
                out.extend_from_slice(&buf[..k]);
            }
            _ => return None,
        }
    }
    Some(out)
}

unsafe fn forward_call(l: *mut mlua::ffi::lua_State, mode: i32) -> std::os::raw::c_int {
    use mlua::ffi;
    let n = ffi::lua_gettop(l);
    // The arguments travel to Rust packed in one string (4-byte little-endian length, then
    // the bytes, per argument): one Lua value to marshal instead of one per argument. The
    // string is built outside the Lua stack, which may be nearly full (unpack of 7999 values
    // is a valid call): the arguments are read in place, then popped, as Redis does.
    let packed = pack_args(l, n);
    ffi::lua_settop(l, 0);
    if ffi::lua_checkstack(l, 4) == 0 {
        return ffi::luaL_error(l, c"too many arguments for a redis lib call".as_ptr());
    }
    ffi::lua_getfield(l, ffi::LUA_REGISTRYINDEX, c"ferrodis.hooks".as_ptr());
    ffi::lua_getfield(l, -1, c"call".as_ptr());
    ffi::lua_remove(l, -2);
    match mode {
        0 => ffi::lua_pushboolean(l, 0),
        1 => ffi::lua_pushboolean(l, 1),
        _ => {
            ffi::lua_pushstring(l, c"acl".as_ptr());
        }
    }
    match packed {
        // `false` tells the callback an argument was neither a string nor a number.
        None => ffi::lua_pushboolean(l, 0),
        Some(p) => {
            ffi::lua_pushlstring(l, p.as_ptr() as *const _, p.len());
            drop(p);
        }
    }
    ffi::lua_call(l, 2, 2);
    let raise = ffi::lua_toboolean(l, -1) != 0;
    ffi::lua_settop(l, -2);
    if raise {
        ffi::lua_error(l);
    }
    1
}

/// The message of an error raised by a Rust callback, without mlua's wrapping.
pub fn root_message(e: &mlua::Error) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => root_message(cause),
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::ExternalError(x) => x.to_string(),
        mlua::Error::WithContext { cause, .. } => root_message(cause),
        other => other.to_string(),
    }
}

/// The text of an error raised by a Rust callback as Redis's pcall shows it: Redis-API errors
/// (raised by Redis as `{err=...}` tables) as "ERR msg", library errors as their message.
fn error_string(lua: &Lua, e: Value) -> mlua::Result<mlua::String> {
    match e {
        Value::Error(e) => {
            let m = root_message(&e);
            lua.create_string(redis_error_text(&m).unwrap_or(m))
        }
        other => match lua.coerce_string(other)? {
            Some(s) => Ok(s),
            None => lua.create_string("execution failure"),
        },
    }
}

/// Messages of errors that Redis raises as error tables (luaPushError + luaError) rather than
/// with luaL_error: they read "ERR <msg>" once caught. Library errors (cjson, bit...) carry
/// a position prefix instead and are returned as they are.
pub fn redis_error_text(m: &str) -> Option<String> {
    const TABLE_ERRORS: &[&str] = &[
        "wrong number of arguments",
        "redis.log() requires two arguments or more.",
        "First argument must be a number (log level).",
        "Invalid debug level.",
        "redis.setresp() requires one argument.",
        "RESP version must be 2 or 3.",
        "redis.set_repl() requires two arguments.",
        "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        "FUNCTION LOAD timeout",
    ];
    TABLE_ERRORS.contains(&m).then(|| format!("ERR {m}"))
}

/// Redis's `__redis__err__handler`: every error becomes a table with `err`, and the `source` and
/// `line` of the script frame that raised it (C frames and the sandbox's own are skipped).
fn error_handler(lua: &Lua, err: Value) -> mlua::Result<Table> {
    let t = match err {
        Value::Table(t) => t,
        Value::Error(e) => {
            let t = lua.create_table()?;
            t.raw_set("err", format!("ERR {}", root_message(&e)))?;
            t
        }
        other => {
            let t = lua.create_table()?;
            let s: mlua::String = match other {
                Value::String(s) => s,
                Value::Nil => lua.create_string("nil")?,
                Value::Boolean(b) => lua.create_string(if b { "true" } else { "false" })?,
                v => match lua.coerce_string(v.clone())? {
                    Some(s) => s,
                    None => {
                        lua.create_string(format!("{}: {:p}", v.type_name(), v.to_pointer()))?
                    }
                },
            };
            let mut m = b"ERR ".to_vec();
            m.extend_from_slice(&s.as_bytes());
            t.raw_set("err", lua.create_string(&m)?)?;
            t
        }
    };
    let mut level = 1;
    while let Some(d) = lua.inspect_stack(level) {
        let src = d.source();
        let internal = src.source.as_deref() == Some(INTERNAL_CHUNK);
        if src.what != "C" && !internal {
            if let Some(s) = src.source {
                t.raw_set("source", s.as_ref())?;
            }
            t.raw_set("line", d.curr_line())?;
            break;
        }
        level += 1;
        if level > 8 {
            break;
        }
    }
    Ok(t)
}

/// rand48 state after `srand48(0)`.
pub const RAND48_SEED0: u64 = 0x330E;
/// rand48's state before any seeding: a fresh Redis's first math.random() is 0.39646477363839,
/// and the state then runs on across scripts, VMs and SCRIPT FLUSH (it is a C global there).
pub const RAND48_INITIAL: u64 = 0x1234_ABCD_330E;
const RAND48_MASK: u64 = (1 << 48) - 1;

/// Redis's redisLrand48: 31 random bits from the 48-bit LCG.
fn lrand48(state: &AtomicU64) -> i32 {
    let x =
        state.load(Ordering::Relaxed).wrapping_mul(0x5DEE_CE66D).wrapping_add(0xB) & RAND48_MASK;
    state.store(x, Ordering::Relaxed);
    (x >> 17) as i32
}

pub fn srand48(state: &AtomicU64, seed: i32) {
    state.store((((seed as u32) as u64) << 16 | 0x330E) & RAND48_MASK, Ordering::Relaxed);
}

fn install_random(lua: &Lua, g: &Table, rand: Arc<AtomicU64>) -> mlua::Result<()> {
    let math: Table = g.get("math")?;
    let r = rand.clone();
    let random = lua.create_function(move |lua, args: MultiValue| {
        let here = super::cjson::lua_where(lua);
        let max = i32::MAX as f64;
        let v = (lrand48(&r) as f64 % max) / max;
        let n = |v: &Value| -> mlua::Result<f64> {
            match v {
                Value::Integer(i) => Ok(*i as f64),
                Value::Number(n) => Ok(*n),
                Value::String(s) => s
                    .to_str()
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or_else(|| bad_arg(1, "random", "number", v)),
                other => Err(bad_arg(1, "random", "number", other)),
            }
        };
        match args.len() {
            0 => Ok(v),
            1 => {
                let u = n(&args[0])?.trunc();
                if u < 1.0 {
                    return Err(mlua::Error::RuntimeError(format!(
                        "{here}bad argument #1 to 'random' (interval is empty)"
                    )));
                }
                Ok((v * u).floor() + 1.0)
            }
            2 => {
                let l = n(&args[0])?.trunc();
                let u = n(&args[1])?.trunc();
                if l > u {
                    return Err(mlua::Error::RuntimeError(format!(
                        "{here}bad argument #2 to 'random' (interval is empty)"
                    )));
                }
                Ok((v * (u - l + 1.0)).floor() + l)
            }
            _ => Err(mlua::Error::RuntimeError(format!("{here}wrong number of arguments"))),
        }
    })?;
    math.set("random", random)?;
    let seed = lua.create_function(move |lua, v: Value| {
        // luaL_checkint: a string that reads as a number is a number.
        let Some(n) = super::bit::to_number(&v) else {
            let got = if v == Value::Nil { "no value" } else { lua_type_name(&v) };
            return Err(super::cjson::lerr(
                lua,
                format!("bad argument #1 to 'randomseed' (number expected, got {got})"),
            ));
        };
        srand48(&rand, n as i64 as i32);
        Ok(())
    })?;
    math.set("randomseed", seed)?;
    Ok(())
}

/// loadstring and load that only ever parse source text. Lua 5.1 would load precompiled
/// bytecode, which can be crafted to corrupt the VM; Redis's Lua refuses it the same way (the
/// text parser rejects the escape byte a binary chunk starts with).
fn install_text_loaders(lua: &Lua, g: &Table) -> mlua::Result<()> {
    fn load_text(lua: &Lua, code: &[u8], name: Option<Vec<u8>>) -> mlua::Result<(Value, Value)> {
        let display = |src: &[u8]| -> String {
            let end =
                src.iter().position(|&c| c == 0 || c == b'\n' || c == b'\r').unwrap_or(src.len());
            String::from_utf8_lossy(&src[..end.min(40)]).into_owned()
        };
        let chunkname = name.unwrap_or_else(|| code.to_vec());
        if code.first() == Some(&0x1b) {
            let msg = format!(
                "[string \"{}\"]:1: unexpected symbol near 'char(27)'",
                display(&chunkname)
            );
            return Ok((Value::Nil, Value::String(lua.create_string(msg)?)));
        }
        let name = if chunkname.contains(&0) { b"=?".to_vec() } else { chunkname };
        let name = String::from_utf8_lossy(&name).into_owned();
        match lua.load(code).set_name(name).set_mode(mlua::ChunkMode::Text).into_function() {
            Ok(f) => Ok((Value::Function(f), Value::Nil)),
            Err(e) => {
                let msg = match &e {
                    mlua::Error::SyntaxError { message, .. } => message.clone(),
                    other => root_message(other),
                };
                Ok((Value::Nil, Value::String(lua.create_string(msg)?)))
            }
        }
    }
    g.set(
        "loadstring",
        lua.create_function(|lua, (code, name): (mlua::String, Option<mlua::String>)| {
            load_text(lua, &code.as_bytes(), name.map(|n| n.as_bytes().to_vec()))
        })?,
    )?;
    g.set(
        "load",
        lua.create_function(|lua, (reader, name): (Value, Option<mlua::String>)| {
            let Value::Function(reader) = reader else {
                return Err(mlua::Error::RuntimeError(format!(
                    "{}bad argument #1 to 'load' (function expected, got {})",
                    super::cjson::lua_where(lua),
                    lua_type_name(&reader)
                )));
            };
            let mut code = Vec::new();
            loop {
                match reader.call::<Value>(())? {
                    Value::Nil => break,
                    Value::String(s) if s.as_bytes().is_empty() => break,
                    Value::String(s) => code.extend_from_slice(&s.as_bytes()),
                    _ => {
                        return Ok((
                            Value::Nil,
                            Value::String(
                                lua.create_string("reader function must return a string")?,
                            ),
                        ))
                    }
                }
            }
            let name = name.map(|n| n.as_bytes().to_vec()).unwrap_or_else(|| b"=(load)".to_vec());
            load_text(lua, &code, Some(name))
        })?,
    )?;
    Ok(())
}

/// Lua's luaL_typerror text.
pub fn bad_arg(n: usize, func: &str, expected: &str, got: &Value) -> mlua::Error {
    let got = match got {
        Value::Nil => "no value",
        v => lua_type_name(v),
    };
    mlua::Error::RuntimeError(format!(
        "bad argument #{n} to '{func}' ({expected} expected, got {got})"
    ))
}

pub fn lua_type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::LightUserData(_) | Value::UserData(_) => "userdata",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rand48_matches_redis_after_seed_0() {
        // Redis 7.0 after math.randomseed(0): 0.17082803611217, 0.74990198051087.
        let s = AtomicU64::new(RAND48_SEED0);
        srand48(&s, 0);
        let max = i32::MAX as f64;
        let v1 = (lrand48(&s) as f64 % max) / max;
        let v2 = (lrand48(&s) as f64 % max) / max;
        assert_eq!(format!("{v1:.14}"), "0.17082803611217");
        assert_eq!(format!("{v2:.14}"), "0.74990198051087");
    }
}
