//! Lua scripting: EVAL and Functions on a real Lua 5.1 VM (mlua, vendored).
//!
//! - `sandbox`: the VM as Redis builds it (allowed libraries, read-only globals, error handler).
//! - `convert`: RESP <-> Lua conversions.
//! - `redis_api`: the `redis` table (call, pcall, log, setresp...).
//! - `run`: running a script: the script client, redis.call through the dispatcher, the
//!   busy-script hook.
//! - `cjson`, `cmsgpack`, `bit`, `structlib`: the libraries Redis bundles, in Rust.
//! - `functions`: FUNCTION LOAD and friends, FCALL.
//!
//! The VM and the script cache live in [`Engine`], a field of `State`.

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
pub mod convert;
pub mod functions;
pub mod redis_api;
pub mod run;
pub mod sandbox;
pub mod structlib;

use std::collections::HashMap;

use mlua::Function;

use crate::connection::Client;
use sandbox::Vm;

/// Script flags from the `#!lua flags=...` shebang (and FUNCTION's `flags`).
pub mod sflags {
    pub const NO_WRITES: u32 = 1 << 0;
    pub const ALLOW_OOM: u32 = 1 << 1;
    pub const ALLOW_STALE: u32 = 1 << 2;
    pub const NO_CLUSTER: u32 = 1 << 3;
    pub const ALLOW_CROSS_SLOT: u32 = 1 << 4;
    /// A script without shebang (Redis's EVAL compatibility mode).
    pub const EVAL_COMPAT: u32 = 1 << 5;

    pub const NAMES: &[(u32, &str)] = &[
        (NO_WRITES, "no-writes"),
        (ALLOW_OOM, "allow-oom"),
        (ALLOW_STALE, "allow-stale"),
        (NO_CLUSTER, "no-cluster"),
        (ALLOW_CROSS_SLOT, "allow-cross-slot-keys"),
    ];

    pub fn parse(name: &[u8]) -> Option<u32> {
        NAMES.iter().find(|(_, n)| n.as_bytes() == name).map(|(f, _)| *f)
    }
}

/// One cached EVAL script.
pub struct Script {
    pub body: Vec<u8>,
    pub func: Function,
    pub flags: u32,
}

/// What SCRIPT KILL / FUNCTION KILL and the BUSY check need to know about the running script.
#[derive(Debug, Default, Clone)]
pub struct Running {
    /// EVAL (true) or FCALL (false).
    pub eval: bool,
    /// A write command ran: the script can no longer be killed.
    pub dirty: bool,
    pub killed: bool,
    /// Past busy-reply-threshold: other clients get -BUSY.
    pub timed_out: bool,
    pub start: Option<std::time::Instant>,
    /// Script sha or function name (for logs and FUNCTION STATS).
    pub name: String,
    pub command: Vec<Vec<u8>>,
}

pub struct Engine {
    /// DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call `noscript` commands (tests only).
    pub disable_deny: bool,
    /// Shared so a run holds it with one reference count, not a clone of every handle.
    pub vm: std::sync::Arc<Vm>,
    pub scripts: HashMap<[u8; 40], Script>,
    /// Bytes of script bodies held in the cache (INFO used_memory_scripts_eval).
    pub scripts_bytes: usize,
    /// The client commands of redis.call run on; taken out for the duration of a script.
    pub client: Option<Box<Client>>,
    /// Takes the caller's slab slot while its script runs (see `run::place_stand_in`).
    pub stand_in: Option<Box<Client>>,
    /// The caller's token while its stand-in is in the slab (the busy loop skips it).
    pub caller_token: Option<usize>,
    pub running: Option<Running>,
    pub functions: functions::Functions,
    /// FCALL's argv, moved into `Running` for FUNCTION STATS.
    pub pending_command: Option<Vec<Vec<u8>>>,
    /// math.random's rand48 state, shared by both VMs and kept across SCRIPT FLUSH.
    rand: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Scripts run since the last incremental GC step.
    gc_count: u32,
}

impl Engine {
    pub fn new() -> Engine {
        let rand = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(sandbox::RAND48_INITIAL));
        let vm = new_eval_vm(rand.clone()).expect("the Lua VM starts");
        Engine {
            disable_deny: false,
            vm: std::sync::Arc::new(vm),
            scripts: HashMap::new(),
            scripts_bytes: 0,
            client: None,
            stand_in: None,
            caller_token: None,
            running: None,
            functions: functions::Functions::with_rand(rand.clone()),
            pending_command: None,
            rand,
            gc_count: 0,
        }
    }

    /// True while a script runs past busy-reply-threshold: other clients get -BUSY.
    #[inline]
    pub fn busy(&self) -> bool {
        self.running.as_ref().is_some_and(|r| r.timed_out)
    }

    /// SCRIPT FLUSH: drop the cache and start over with a fresh VM, as Redis does.
    pub fn flush(&mut self) {
        self.scripts.clear();
        self.scripts_bytes = 0;
        if let Ok(vm) = new_eval_vm(self.rand.clone()) {
            self.vm = std::sync::Arc::new(vm);
        }
    }

    /// INFO used_memory_lua (the EVAL VM) in bytes.
    pub fn used_memory_lua(&self) -> usize {
        self.vm.lua.used_memory()
    }

    /// INFO number_of_cached_scripts.
    pub fn number_of_cached_scripts(&self) -> usize {
        self.scripts.len()
    }

    /// INFO used_memory_scripts_eval: bytes held by the EVAL script cache.
    pub fn used_memory_scripts_eval(&self) -> usize {
        self.scripts_bytes + self.scripts.len() * 64
    }

    /// INFO used_memory_functions: bytes held by the loaded libraries.
    pub fn used_memory_functions(&self) -> usize {
        self.functions.code_bytes() + self.functions.libraries.len() * 64
    }

    /// INFO used_memory_scripts: eval scripts plus function libraries.
    pub fn used_memory_scripts(&self) -> usize {
        self.used_memory_scripts_eval() + self.used_memory_functions()
    }

    /// INFO used_memory_vm_functions: the Functions VM.
    pub fn used_memory_vm_functions(&self) -> usize {
        self.functions.used_memory_vm()
    }

    /// INFO used_memory_vm_total: both VMs.
    pub fn used_memory_vm_total(&self) -> usize {
        self.used_memory_lua() + self.used_memory_vm_functions()
    }

    /// INFO number_of_functions.
    pub fn number_of_functions(&self) -> usize {
        self.functions.functions_count()
    }

    /// INFO number_of_libraries.
    pub fn number_of_libraries(&self) -> usize {
        self.functions.libraries.len()
    }

    pub(crate) fn gc_tick(&mut self) {
        self.gc_count += 1;
        if self.gc_count >= 50 {
            self.gc_count = 0;
            let _ = self.vm.lua.gc_step_kbytes(50);
        }
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

pub fn new_eval_vm(rand: std::sync::Arc<std::sync::atomic::AtomicU64>) -> mlua::Result<Vm> {
    sandbox::new_vm(rand, |lua, g, flags| {
        redis_api::install(lua, g, flags)?;
        install_libs(lua, g)
    })
}

/// cjson, cmsgpack, bit and struct as globals.
pub fn install_libs(lua: &mlua::Lua, g: &mlua::Table) -> mlua::Result<()> {
    g.set("cjson", cjson::module(lua)?)?;
    g.set("cmsgpack", cmsgpack::module(lua)?)?;
    g.set("bit", bit::module(lua)?)?;
    g.set("struct", structlib::module(lua)?)?;
    Ok(())
}

/// Lowercase hex SHA1 of a script body.
pub fn sha1_hex(body: &[u8]) -> [u8; 40] {
    let d = sha1_smol::Sha1::from(body).digest().bytes();
    let mut out = [0u8; 40];
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in d.iter().enumerate() {
        out[i * 2] = HEX[(b >> 4) as usize];
        out[i * 2 + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// The shebang of an EVAL body: (flags, bytes to skip before compiling). A body without
/// shebang runs in compatibility mode.
pub fn eval_shebang(body: &[u8]) -> Result<(u32, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((sflags::EVAL_COMPAT, 0));
    }
    let Some(nl) = memchr::memchr(b'\n', body) else {
        return Err("ERR Invalid script shebang".into());
    };
    let line = &body[..nl];
    let mut parts = line.split(|&c| c == b' ').filter(|p| !p.is_empty());
    let engine = parts.next().unwrap_or_default();
    if engine != b"#!lua" {
        return Err(format!(
            "ERR Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(engine)
        ));
    }
    let mut flags = 0;
    for p in parts {
        if let Some(list) = p.strip_prefix(b"flags=") {
            for f in list.split(|&c| c == b',').filter(|f| !f.is_empty()) {
                match sflags::parse(f) {
                    Some(x) => flags |= x,
                    None => {
                        return Err(format!(
                            "ERR Unexpected flag in script shebang: {}",
                            String::from_utf8_lossy(f)
                        ))
                    }
                }
            }
        } else {
            return Err(format!("ERR Unknown lua shebang option: {}", String::from_utf8_lossy(p)));
        }
    }
    Ok((flags, nl))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha_is_lowercase_hex() {
        assert_eq!(&sha1_hex(b""), b"da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    #[test]
    fn shebang_parsing() {
        assert_eq!(eval_shebang(b"return 1"), Ok((sflags::EVAL_COMPAT, 0)));
        assert_eq!(eval_shebang(b"#!lua\nreturn 1"), Ok((0, 5)));
        assert_eq!(
            eval_shebang(b"#!lua flags=no-writes,allow-oom\nx"),
            Ok((sflags::NO_WRITES | sflags::ALLOW_OOM, 31))
        );
        assert_eq!(eval_shebang(b"#!lua").unwrap_err(), "ERR Invalid script shebang");
        assert_eq!(
            eval_shebang(b"#!lua foo=bar\n").unwrap_err(),
            "ERR Unknown lua shebang option: foo=bar"
        );
    }
}
