//! Functions (Redis 7.0): libraries of named Lua functions loaded with FUNCTION LOAD and run
//! with FCALL, in a Lua VM of their own.
//!
//! Loading runs the library code with a restricted global environment, as Redis does: only
//! `redis.register_function`, `redis.log`, the log levels and the version fields exist; any
//! other global reads as "nonexistent". The environment is the VM's real `_G`, whose metatable
//! `__index` is switched to the load API for the duration of the load, so the callbacks the
//! code registers see the full runtime API once they run.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use mlua::{Function, Lua, MultiValue, Table, Value};

use super::sandbox::Vm;
use super::sflags;

pub struct FunctionDef {
    pub name: String,
    pub func: Function,
    pub flags: u32,
    pub description: Option<Vec<u8>>,
}

pub struct Library {
    pub name: String,
    pub code: Vec<u8>,
    pub functions: Vec<FunctionDef>,
}

#[derive(Default)]
pub struct Functions {
    vm: Option<std::sync::Arc<Vm>>,
    /// Library name -> library (names are case-sensitive).
    pub libraries: BTreeMap<String, Library>,
    /// Lowercased function name -> library name (function names are case-insensitive).
    pub index: HashMap<String, String>,
    /// math.random's state, shared with the EVAL VM.
    rand: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl Functions {
    pub fn new() -> Functions {
        Functions::default()
    }

    pub fn with_rand(rand: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Functions {
        Functions { rand: Some(rand), ..Functions::default() }
    }

    /// The functions VM, created on first use.
    pub fn vm(&mut self) -> mlua::Result<std::sync::Arc<Vm>> {
        if let Some(vm) = &self.vm {
            return Ok(vm.clone());
        }
        let rand = self.rand.get_or_insert_with(|| {
            std::sync::Arc::new(std::sync::atomic::AtomicU64::new(super::sandbox::RAND48_INITIAL))
        });
        let vm = super::new_eval_vm(rand.clone())?;
        let vm = std::sync::Arc::new(vm);
        self.vm = Some(vm.clone());
        Ok(vm)
    }

    pub fn code_bytes(&self) -> usize {
        self.libraries.values().map(|l| l.code.len()).sum()
    }

    pub fn used_memory_vm(&self) -> usize {
        self.vm.as_ref().map_or(0, |vm| vm.lua.used_memory())
    }

    pub fn functions_count(&self) -> usize {
        self.index.len()
    }

    /// FUNCTION FLUSH: no libraries and a fresh VM.
    pub fn flush(&mut self) {
        self.libraries.clear();
        self.index.clear();
        self.vm = None;
    }

    /// Find a function by name: (library name, position).
    pub fn find(&self, name: &[u8]) -> Option<&FunctionDef> {
        let key = String::from_utf8_lossy(name).to_ascii_lowercase();
        let lib = self.libraries.get(self.index.get(&key)?)?;
        lib.functions.iter().find(|f| f.name.eq_ignore_ascii_case(&key))
    }

    /// Compile and run a library's code; the library is not installed (see `install`).
    pub fn compile(&mut self, code: &[u8]) -> Result<Library, String> {
        let name = parse_library_shebang(code)?;
        let vm = self.vm().map_err(|e| format!("ERR {e}"))?;
        let skip = memchr::memchr(b'\n', code).unwrap_or(code.len());
        let chunk =
            vm.lua.load(&code[skip..]).set_name("@user_function").into_function().map_err(|e| {
                format!(
                    "ERR Error compiling function: {}",
                    crate::cmd::scripting::compile_error_text(&e)
                )
            })?;
        let registered: RefCell<Vec<FunctionDef>> = RefCell::new(Vec::new());
        let result = run_load(&vm, &chunk, &registered);
        let functions = registered.into_inner();
        if let Err(msg) = result {
            return Err(format!("ERR Error registering functions: {msg}"));
        }
        if functions.is_empty() {
            return Err("ERR No functions registered".into());
        }
        Ok(Library { name, code: code.to_vec(), functions })
    }

    /// Install a compiled library, checking collisions. `replace` allows replacing a library
    /// of the same name.
    pub fn install(&mut self, lib: Library, replace: bool) -> Result<String, String> {
        if self.libraries.contains_key(&lib.name) && !replace {
            return Err(format!("ERR Library '{}' already exists", lib.name));
        }
        for f in &lib.functions {
            if let Some(owner) = self.index.get(&f.name.to_ascii_lowercase()) {
                if *owner != lib.name {
                    return Err(format!("ERR Function {} already exists", f.name));
                }
            }
        }
        let name = lib.name.clone();
        self.delete(&name);
        for f in &lib.functions {
            self.index.insert(f.name.to_ascii_lowercase(), name.clone());
        }
        self.libraries.insert(name.clone(), lib);
        Ok(name)
    }

    pub fn delete(&mut self, name: &str) -> bool {
        match self.libraries.remove(name) {
            Some(lib) => {
                for f in &lib.functions {
                    self.index.remove(&f.name.to_ascii_lowercase());
                }
                true
            }
            None => false,
        }
    }
}

/// `#!lua name=<lib>`: the library name, with Redis's errors in Redis's order. The line is
/// split like Redis's `sdssplitargs` (so `name="x"` is `x`), and the engine is looked up
/// only once the name is known to be valid.
fn parse_library_shebang(code: &[u8]) -> Result<String, String> {
    if !code.starts_with(b"#!") {
        return Err("ERR Missing library metadata".into());
    }
    let Some(end) = memchr::memchr(b'\n', code) else {
        return Err("ERR Invalid library metadata".into());
    };
    let parts = match crate::config::split_args(&code[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("ERR Invalid library metadata".into()),
    };
    let engine = parts[0].get(2..).unwrap_or_default();
    let mut name: Option<&[u8]> = None;
    for p in &parts[1..] {
        if p.len() >= 5 && p[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "ERR Invalid metadata value, name argument was given multiple times".into()
                );
            }
            name = Some(&p[5..]);
            continue;
        }
        return Err(format!("ERR Invalid metadata value given: {}", String::from_utf8_lossy(p)));
    }
    let Some(name) = name else { return Err("ERR Library name was not given".into()) };
    if !valid_name(name) {
        return Err("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long".into());
    }
    if !engine.eq_ignore_ascii_case(b"lua") {
        return Err(format!("ERR Engine '{}' not found", String::from_utf8_lossy(engine)));
    }
    Ok(String::from_utf8_lossy(name).into_owned())
}

fn valid_name(n: &[u8]) -> bool {
    !n.is_empty() && n.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

const LOAD_PRELUDE: &str = r#"
local api_redis, register, base, hooks = ...
local error, tostring, setmetatable, xpcall = error, tostring, setmetatable, xpcall
local mt = hooks.gmt
local function missing(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
local redis_proxy = setmetatable({}, {__index = function(_, k)
  local v = api_redis[k]
  if v == nil then
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end
  return v
end, __newindex = function() error('Attempt to modify a readonly table', 2) end})
local api = setmetatable({redis = redis_proxy}, {__index = missing})
return function(chunk, handler)
  hooks.register = register
  mt.__index = api
  local ok, err = xpcall(chunk, handler)
  mt.__index = base
  hooks.register = nil
  return ok, err
end
"#;

/// Run a library chunk in the load environment, collecting its registrations.
fn run_load(vm: &Vm, chunk: &Function, out: &RefCell<Vec<FunctionDef>>) -> Result<(), String> {
    let lua = &vm.lua;
    let r: mlua::Result<Result<(), String>> = lua.scope(|scope| {
        let register = scope.create_function(|lua, args: MultiValue| {
            let def = parse_registration(lua, args)?;
            let mut v = out.borrow_mut();
            if v.iter().any(|f| f.name == def.name) {
                return Err(mlua::Error::RuntimeError(
                    "Function already exists in the library".into(),
                ));
            }
            v.push(def);
            Ok(())
        })?;
        // Library code runs at most 500 ms (Redis's LOAD_TIMEOUT_MS): the count hook calls this.
        let started = std::time::Instant::now();
        let timeout = scope.create_function(move |_, ()| {
            if started.elapsed() > std::time::Duration::from_millis(500) {
                return Err(mlua::Error::RuntimeError("FUNCTION LOAD timeout".into()));
            }
            Ok(())
        })?;
        vm.hooks.raw_set("busy", timeout)?;
        let api_redis = lua.create_table()?;
        let redis: Table = vm.base.raw_get("redis")?;
        for k in [
            "log",
            "LOG_DEBUG",
            "LOG_VERBOSE",
            "LOG_NOTICE",
            "LOG_WARNING",
            "REDIS_VERSION",
            "REDIS_VERSION_NUM",
        ] {
            api_redis.raw_set(k, redis.get::<Value>(k)?)?;
        }
        // A library may keep `redis` and call register_function later, from a function:
        // Redis then raises rather than finding no such field.
        let register_function = lua.create_function(|lua, args: MultiValue| {
            let hooks: Table = lua.named_registry_value(super::sandbox::HOOKS_KEY)?;
            match hooks.raw_get::<Value>("register")? {
                Value::Function(f) => f.call::<()>(args),
                _ => Err(rt("redis.register_function can only be called on FUNCTION LOAD command")),
            }
        })?;
        api_redis.raw_set("register_function", register_function)?;
        let runner: Function = lua
            .load(LOAD_PRELUDE)
            .set_name(super::sandbox::INTERNAL_CHUNK)
            .call((api_redis, register, vm.base.clone(), vm.hooks.clone()))?;
        let res: mlua::Result<(bool, Value)> = runner.call((chunk.clone(), vm.handler.clone()));
        vm.hooks.raw_set("busy", Value::Nil)?;
        let (ok, err) = res?;
        if ok {
            return Ok(Ok(()));
        }
        let msg = match err {
            Value::Table(t) => match t.raw_get::<Value>("err")? {
                Value::String(s) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
                _ => "ERR unknown error".into(),
            },
            _ => "ERR unknown error".into(),
        };
        Ok(Err(msg))
    });
    r.map_err(|e| format!("ERR {e}"))?
}

fn rt(m: &str) -> mlua::Error {
    mlua::Error::RuntimeError(m.into())
}

/// redis.register_function(name, callback) or redis.register_function{function_name=...,
/// callback=..., flags={...}, description=...}.
fn parse_registration(lua: &Lua, args: MultiValue) -> mlua::Result<FunctionDef> {
    let _ = lua;
    let (name, callback, flags, description) = match args.len() {
        1 => {
            let Value::Table(t) = &args[0] else {
                return Err(rt("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."));
            };
            let mut name = None;
            let mut callback = None;
            let mut flags = 0;
            let mut description = None;
            for pair in t.clone().pairs::<Value, Value>() {
                let (k, v) = pair?;
                let Value::String(k) = k else {
                    return Err(rt(
                        "named argument key given to redis.register_function is not a string",
                    ));
                };
                match k.as_bytes().as_ref() {
                    b"function_name" => match v {
                        Value::String(s) => name = Some(s.as_bytes().to_vec()),
                        _ => return Err(rt("function_name argument given to redis.register_function must be a string")),
                    },
                    b"callback" => match v {
                        Value::Function(f) => callback = Some(f),
                        _ => return Err(rt("callback argument given to redis.register_function must be a function")),
                    },
                    b"description" => match v {
                        Value::String(s) => description = Some(s.as_bytes().to_vec()),
                        Value::Integer(_) | Value::Number(_) => {
                            description = lua.coerce_string(v)?.map(|s| s.as_bytes().to_vec())
                        }
                        _ => return Err(rt("description argument given to redis.register_function must be a string")),
                    },
                    b"flags" => {
                        let Value::Table(ft) = v else {
                            return Err(rt("flags argument to redis.register_function must be a table representing function flags"));
                        };
                        for f in ft.sequence_values::<Value>() {
                            let Value::String(f) = f? else {
                                return Err(rt("unknown flag given"));
                            };
                            flags |= sflags::parse(&f.as_bytes()).ok_or_else(|| rt("unknown flag given"))?;
                        }
                    }
                    _ => return Err(rt("unknown argument given to redis.register_function")),
                }
            }
            let name = name
                .ok_or_else(|| rt("redis.register_function must get a function name argument"))?;
            let callback = callback
                .ok_or_else(|| rt("redis.register_function must get a callback argument"))?;
            (name, callback, flags, description)
        }
        2 => {
            let Value::String(n) = &args[0] else {
                return Err(rt("first argument to redis.register_function must be a string"));
            };
            let Value::Function(f) = &args[1] else {
                return Err(rt("second argument to redis.register_function must be a function"));
            };
            (n.as_bytes().to_vec(), f.clone(), 0, None)
        }
        _ => return Err(rt("wrong number of arguments to redis.register_function")),
    };
    if !valid_name(&name) {
        return Err(rt("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"));
    }
    Ok(FunctionDef {
        name: String::from_utf8_lossy(&name).into_owned(),
        func: callback,
        flags,
        description,
    })
}

use crate::util::crc64::crc64;

const RDB_OPCODE_FUNCTION2: u8 = 245;
const RDB_OPCODE_FUNCTION_PRE_GA: u8 = 246;
const RDB_VERSION: u16 = 10;

/// FUNCTION DUMP: each library's code as an RDB function record, then the RDB version and
/// the CRC64, as Redis 7.0 writes them (strings are stored uncompressed).
pub fn dump(f: &Functions) -> Vec<u8> {
    let mut out = Vec::new();
    for lib in f.libraries.values() {
        out.push(RDB_OPCODE_FUNCTION2);
        rdb_len(&mut out, lib.code.len() as u64);
        out.extend_from_slice(&lib.code);
    }
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn rdb_len(out: &mut Vec<u8>, n: u64) {
    if n < 64 {
        out.push(n as u8);
    } else if n < 16384 {
        out.push(0x40 | (n >> 8) as u8);
        out.push(n as u8);
    } else if n <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

const BAD_PAYLOAD: &str = "ERR DUMP payload version or checksum are wrong";

/// The library codes of a FUNCTION DUMP payload (ours or Redis's, LZF-compressed or not).
pub fn parse_dump(p: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if p.len() < 10 {
        return Err(BAD_PAYLOAD.into());
    }
    let body_end = p.len() - 10;
    let ver = u16::from_le_bytes([p[body_end], p[body_end + 1]]);
    let mut crc = [0u8; 8];
    crc.copy_from_slice(&p[p.len() - 8..]);
    let crc = u64::from_le_bytes(crc);
    if ver > RDB_VERSION || (crc != 0 && crc != crc64(0, &p[..p.len() - 8])) {
        return Err(BAD_PAYLOAD.into());
    }
    let mut pos = 0;
    let mut libs = Vec::new();
    while pos < body_end {
        match p[pos] {
            RDB_OPCODE_FUNCTION2 => {}
            RDB_OPCODE_FUNCTION_PRE_GA => {
                return Err("ERR Pre-GA function format not supported".into())
            }
            _ => return Err("ERR given type is not a function".into()),
        }
        pos += 1;
        let code = rdb_string(&p[..body_end], &mut pos).ok_or("ERR payload is corrupted")?;
        libs.push(code);
    }
    Ok(libs)
}

fn rdb_length(p: &[u8], pos: &mut usize) -> Option<(u64, bool)> {
    let b = *p.get(*pos)?;
    *pos += 1;
    Some(match b >> 6 {
        0 => ((b & 0x3f) as u64, false),
        1 => {
            let b2 = *p.get(*pos)?;
            *pos += 1;
            ((((b & 0x3f) as u64) << 8) | b2 as u64, false)
        }
        2 => {
            let n = if b == 0x80 {
                4
            } else if b == 0x81 {
                8
            } else {
                return None;
            };
            let bytes = p.get(*pos..*pos + n)?;
            *pos += n;
            (bytes.iter().fold(0u64, |a, &x| (a << 8) | x as u64), false)
        }
        _ => ((b & 0x3f) as u64, true),
    })
}

fn rdb_string(p: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let (n, special) = rdb_length(p, pos)?;
    if !special {
        let n = usize::try_from(n).ok()?;
        let s = p.get(*pos..pos.checked_add(n)?)?.to_vec();
        *pos += n;
        return Some(s);
    }
    match n {
        0 => {
            let v = *p.get(*pos)? as i8;
            *pos += 1;
            Some(v.to_string().into_bytes())
        }
        1 => {
            let b = p.get(*pos..*pos + 2)?;
            *pos += 2;
            Some(i16::from_le_bytes([b[0], b[1]]).to_string().into_bytes())
        }
        2 => {
            let b = p.get(*pos..*pos + 4)?;
            *pos += 4;
            Some(i32::from_le_bytes([b[0], b[1], b[2], b[3]]).to_string().into_bytes())
        }
        3 => {
            let (clen, _) = rdb_length(p, pos)?;
            let (len, _) = rdb_length(p, pos)?;
            let clen = usize::try_from(clen).ok()?;
            let src = p.get(*pos..pos.checked_add(clen)?)?;
            *pos += clen;
            crate::util::lzf::decompress(src, usize::try_from(len).ok()?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_matches_redis_test_vector() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn shebang_errors() {
        assert_eq!(parse_library_shebang(b"return 1").unwrap_err(), "ERR Missing library metadata");
        assert_eq!(
            parse_library_shebang(b"#!lua\nx").unwrap_err(),
            "ERR Library name was not given"
        );
        assert_eq!(
            parse_library_shebang(b"#!js name=x\n").unwrap_err(),
            "ERR Engine 'js' not found"
        );
        assert_eq!(
            parse_library_shebang(b"#!lua name=x foo=bar\n").unwrap_err(),
            "ERR Invalid metadata value given: foo=bar"
        );
        assert_eq!(parse_library_shebang(b"#!lua name=lib_1\n").unwrap(), "lib_1");
        // Measured on redis-server 7.0.15.
        assert_eq!(
            parse_library_shebang(b"#! name=test\n").unwrap_err(),
            "ERR Engine '' not found"
        );
        assert_eq!(
            parse_library_shebang(b"#!name=test\n").unwrap_err(),
            "ERR Library name was not given"
        );
        assert_eq!(parse_library_shebang(b"#!lua name=\"foo\"\n").unwrap(), "foo");
        assert_eq!(parse_library_shebang(b"#!LUA NAME=x\n").unwrap(), "x");
        assert_eq!(
            parse_library_shebang(b"#!lua name=x").unwrap_err(),
            "ERR Invalid library metadata"
        );
    }

    #[test]
    fn dump_round_trip_and_lzf() {
        let mut f = Functions::new();
        let lib = f
            .compile(b"#!lua name=l\nredis.register_function('a', function() return 1 end)")
            .unwrap();
        f.install(lib, false).unwrap();
        let d = dump(&f);
        assert_eq!(parse_dump(&d).unwrap(), vec![f.libraries["l"].code.clone()]);
        let mut bad = d.clone();
        bad[3] ^= 1;
        assert_eq!(parse_dump(&bad).unwrap_err(), BAD_PAYLOAD);
        // "aaaaaaaaaa" as LZF: a literal 'a' then a back-reference of 9 bytes at distance 1.
        assert_eq!(
            crate::util::lzf::decompress(&[0, b'a', 7 << 5, 0, 0], 10).unwrap(),
            b"aaaaaaaaaa"
        );
    }
}
