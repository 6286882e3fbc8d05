//! Running one script: the script client, redis.call through the dispatcher, the reply
//! conversions, the error format, and the instruction-count hook that makes a long script
//! interruptible.
//!
//! The running script holds `&mut State` inside a `RefCell` that only two per-run callbacks see
//! (redis.call and the busy hook, both created in an mlua scope so they can borrow it). They
//! never run at the same time: hooks fire between Lua instructions, never inside redis.call.

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::time::Instant;

use mlua::{Function, Lua, MultiValue, Table, Value};

use super::convert;
use super::redis_api::error_table;
use super::sandbox::{RunFlags, Vm};
use super::Running;
use crate::cmd::args::Args;
use crate::cmd::table::flags;
use crate::cmd::{Clock, Ctx};
use crate::connection::Client;
use crate::error::{CmdResult, CommandError};
use crate::state::State;

/// Field marking an error table whose error was already counted in errorstats.
pub const IGNORE_STATS: &str = "ignore_err_stats_update";

/// Instructions between two checks of the script's run time (Redis uses the same period).
pub const HOOK_PERIOD: u32 = 100_000;

/// How to run a script.
pub struct Invocation<'a> {
    pub func: Function,
    pub keys: Vec<&'a [u8]>,
    pub args: Vec<&'a [u8]>,
    /// EVAL_RO / FCALL_RO, or a `no-writes` script.
    pub read_only: bool,
    /// The script declared `allow-oom` (a shebang or function flag).
    pub allow_oom: bool,
    /// EVAL (KEYS/ARGV globals) or FCALL (keys and args passed as parameters).
    pub eval: bool,
    /// Shown in errors: the sha for EVAL, the function name for FCALL.
    pub name: String,
}

struct RunCtx<'s, 'c> {
    st: &'s mut State,
    flags: &'s RunFlags,
    client: Box<Client>,
    read_only: bool,
    allow_oom: bool,
    start_ms: i64,
    threshold_ms: i64,
    started: Instant,
    /// The hook now fires at every instruction (a kill is under way).
    killing: bool,
    /// redis.call's argument buffers, kept between calls.
    argv: Vec<Vec<u8>>,
    clock: Clock,
    /// The caller, for client-side caching: Redis 7.0 remembers the keys the caller's own
    /// command declared (EVAL's KEYS) each time the script runs a read-only command. While a
    /// stand-in holds the caller's slot it holds its tracking state too (`stand_in_token`).
    caller: &'c Client,
    stand_in_token: Option<usize>,
    caller_keys: Vec<Vec<u8>>,
}

const KILLED_EVAL: &str = "Script killed by user with SCRIPT KILL...";
const KILLED_FUNCTION: &str = "Script killed by user with FUNCTION KILL...";

/// Token of the script client (never a slab slot).
pub const SCRIPT_CLIENT_TOKEN: usize = usize::MAX;

/// True for the client that runs redis.call's commands (MONITOR shows it as `lua`).
pub fn is_script_client(c: &Client) -> bool {
    c.token == SCRIPT_CLIENT_TOKEN
}

/// A client for commands run by scripts. It never touches its socket: an unconnected TCP
/// socket stands in, so the connection code needs no "no socket" case.
pub fn script_client(id: u64, now_ms: i64) -> Option<Box<Client>> {
    use std::os::unix::io::FromRawFd;
    // SAFETY: a fresh socket fd, owned by the std TcpStream from here on.
    let sock = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return None;
        }
        std::net::TcpStream::from_raw_fd(fd)
    };
    let sock = mio::net::TcpStream::from_std(sock);
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
    let mut c = Box::new(Client::new(id, SCRIPT_CLIENT_TOKEN, sock, addr, now_ms));
    c.authenticated = true;
    Some(c)
}

impl RunCtx<'_, '_> {
    /// redis.call / redis.pcall / redis.acl_check_cmd. Returns the reply and whether to raise.
    fn call(&mut self, lua: &Lua, mode: Value, packed: Value) -> mlua::Result<(Value, bool)> {
        let raise = !matches!(mode, Value::Boolean(false));
        let acl = matches!(mode, Value::String(_));
        let fail = |lua: &Lua, text: &[u8]| -> mlua::Result<(Value, bool)> {
            Ok((Value::Table(error_table(lua, text)?), raise))
        };
        let Value::String(packed) = packed else {
            return fail(lua, b"Lua redis lib command arguments must be strings or integers");
        };
        let packed = packed.as_bytes();
        if packed.is_empty() {
            return fail(lua, b"Please specify at least one argument for this redis lib call");
        }
        // Unpack into argument buffers that are reused across calls.
        let mut n = 0;
        let mut pos = 0;
        while let Some(len) = packed.get(pos..pos + 4) {
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
            pos += 4;
            let Some(bytes) = packed.get(pos..pos + len) else { break };
            pos += len;
            if self.argv.len() == n {
                self.argv.push(Vec::new());
            }
            let slot = &mut self.argv[n];
            slot.clear();
            slot.extend_from_slice(bytes);
            n += 1;
        }
        self.argv.truncate(n);
        let argv = &self.argv;
        let a = Args::Owned(argv);
        let resolved = self.st.table.resolve(&a);
        if acl {
            return match resolved {
                Ok(_) | Err((Some(_), _)) => Ok((Value::Boolean(true), false)),
                Err((None, _)) => fail(lua, b"Invalid command passed to redis.acl_check_cmd()"),
            };
        }
        let id = match resolved {
            Ok(id) => id,
            Err((Some(_), _)) => {
                return fail(lua, b"Wrong number of args calling Redis command from script")
            }
            Err((None, _)) => return fail(lua, b"Unknown Redis command called from script"),
        };
        let def = self.st.table.def(id);
        if def.has(flags::NOSCRIPT) && !self.st.scripting.disable_deny {
            return fail(lua, b"This Redis command is not allowed from script");
        }
        // May-replicate commands (PUBLISH...) count as writes for read-only scripts, so that
        // those can run during CLIENT PAUSE WRITE.
        // Refusals of a resolved command count as Redis's scriptCall counts them (errorstats,
        // the command's rejected_calls); the script's reply carrying the error does not
        // count it again. `text` is "-CODE message" or a message (code ERR).
        let refuse = |st: &mut State, text: &[u8]| -> mlua::Result<(Value, bool)> {
            st.cmd_stats[id].rejected_calls += 1;
            let counted = match text.strip_prefix(b"-") {
                Some(t) => t.to_vec(),
                None => [b"ERR ".as_slice(), text].concat(),
            };
            crate::cmd::count_error_reply(st, &counted);
            let t = error_table(lua, text)?;
            t.raw_set(IGNORE_STATS, true)?;
            Ok((Value::Table(t), raise))
        };
        if self.read_only && def.has(flags::WRITE | flags::MAY_REPLICATE) {
            return refuse(self.st, b"Write commands are not allowed from read-only scripts.");
        }
        let dirty = self.st.scripting.running.as_ref().is_some_and(|r| r.dirty);
        if crate::evict::script_refuses(self.st, id, self.allow_oom, dirty) {
            let text = format!("-{}", crate::evict::OOM_ERROR);
            return refuse(self.st, text.as_bytes());
        }
        if def.has(flags::WRITE) {
            // scriptVerifyWriteCommandAllow: once the script has written it must go on;
            // before that, a write without enough good replicas fails the call.
            let dirty = self.st.scripting.running.as_ref().is_some_and(|r| r.dirty);
            if !dirty && !crate::cmd::enough_good_replicas(self.st) {
                let msg = [b"-".as_slice(), crate::cmd::NOREPLICAS.as_bytes()].concat();
                return fail(lua, &msg);
            }
            if let Some(r) = self.st.scripting.running.as_mut() {
                r.dirty = true;
            }
        }
        let track_read =
            def.has(flags::READONLY) && !def.has(flags::PUBSUB) && !self.caller_keys.is_empty();
        self.client.wbuf.clear();
        self.client.resp3 = self.flags.resp3.load(Ordering::Relaxed);
        // Every command of a script sees the script's start time (Redis's time snapshot); one
        // clock for the run, so a call reads the time once (for its own statistics).
        self.clock.now_ms = self.start_ms;
        crate::cmd::execute_nested(self.st, &mut self.client, &a, &mut self.clock);
        if track_read {
            self.remember_caller_keys();
        }
        let buf = std::mem::take(&mut self.client.wbuf);
        let out = if buf.first() == Some(&b'-') {
            let end = memchr::memchr(b'\r', &buf).unwrap_or(buf.len());
            let t = error_table(lua, &buf[..end])?;
            // The command counted this error already (INFO errorstats); the script's reply
            // carrying it must not count it again.
            t.raw_set(IGNORE_STATS, true)?;
            (Value::Table(t), raise)
        } else {
            let mut pos = 0;
            (convert::resp_to_lua(lua, &buf, &mut pos, 0)?, false)
        };
        // Keep the buffer for the next call, unless a big reply inflated it.
        if buf.capacity() <= 1 << 20 {
            self.client.wbuf = buf;
            self.client.wbuf.clear();
        }
        Ok(out)
    }

    fn remember_caller_keys(&mut self) {
        let keys = self.caller_keys.iter().cloned();
        let Some(token) = self.stand_in_token else {
            crate::tracking::remember_keys(self.st, self.caller, keys);
            return;
        };
        let Some(si) = self.st.clients.get_mut(token).and_then(|s| s.take()) else { return };
        crate::tracking::remember_keys(self.st, &si, keys);
        if let Some(slot) = self.st.clients.get_mut(token) {
            *slot = Some(si);
        }
    }

    /// Called every HOOK_PERIOD instructions.
    fn busy(&mut self, lua: &Lua) -> mlua::Result<()> {
        let elapsed = self.started.elapsed().as_millis() as i64;
        let Some(run) = self.st.scripting.running.as_mut() else { return Ok(()) };
        if !run.timed_out && elapsed >= self.threshold_ms {
            run.timed_out = true;
            log::warn!(
                "Slow script detected: still in execution after {elapsed} milliseconds. You can try killing the script using the {} command. Script name is: {}.",
                if run.eval { "SCRIPT KILL" } else { "FUNCTION KILL" },
                run.name
            );
        }
        // Once a kill is under way the hook fires at every instruction until the script has
        // unwound: raise at once, and serve nobody meanwhile (they would get BUSY).
        if run.timed_out && !self.killing {
            if let Some(mut poll) = self.st.busy_poll.take() {
                poll(self.st);
                self.st.busy_poll = Some(poll);
            }
        }
        let Some(run) = self.st.scripting.running.as_ref() else { return Ok(()) };
        let text = if run.killed {
            if run.eval {
                KILLED_EVAL
            } else {
                KILLED_FUNCTION
            }
        } else if self.st.shutdown.is_some() {
            KILLED_EVAL
        } else {
            return Ok(());
        };
        // From now on the hook fires at every instruction, so a script's own pcall cannot
        // swallow the kill: the next instruction after it raises again (Redis switches its
        // hook to every line for the same reason). `run_script` restores the period.
        // SAFETY: lua_gethook/lua_sethook on the running thread, re-installing its own hook.
        unsafe {
            lua.exec_raw::<()>((), |state| {
                let h = mlua::ffi::lua_gethook(state);
                mlua::ffi::lua_sethook(state, h, mlua::ffi::LUA_MASKCOUNT, 1);
            })?;
        }
        self.killing = true;
        Err(mlua::Error::RuntimeError(text.into()))
    }
}

/// Keeps a loop in Rust driven by a script's data (an encoder walking a table that holds
/// itself many times) killable: every `BUSY_POLL_PERIOD` steps it runs the per-run busy
/// callback, as the instruction-count hook does between Lua instructions.
#[derive(Default)]
pub struct BusyPoll(u32);

const BUSY_POLL_PERIOD: u32 = 4096;

impl BusyPoll {
    #[inline]
    pub fn tick(&mut self, lua: &Lua) -> mlua::Result<()> {
        self.0 += 1;
        if self.0 < BUSY_POLL_PERIOD {
            return Ok(());
        }
        self.0 = 0;
        let Ok(hooks) = lua.named_registry_value::<mlua::Table>(super::sandbox::HOOKS_KEY) else {
            return Ok(());
        };
        match hooks.raw_get::<Value>("busy") {
            Ok(Value::Function(f)) => f.call::<()>(()),
            _ => Ok(()),
        }
    }
}

/// Install the count hook on a VM: every HOOK_PERIOD instructions it calls the per-run
/// `busy` callback when one is set.
///
/// The hook is a plain C hook rather than mlua's: Lua 5.1 copies a thread's hook into the
/// coroutines it creates, so a script looping inside a coroutine is interrupted too (mlua's
/// hook ignores, and removes itself from, threads other than the one it was set on).
pub fn install_hook(vm: &Vm) {
    // SAFETY: lua_sethook on the VM's main state with a hook that follows the C API contract.
    unsafe {
        let _ = vm.lua.exec_raw::<()>((), |state| {
            mlua::ffi::lua_sethook(
                state,
                Some(count_hook),
                mlua::ffi::LUA_MASKCOUNT,
                HOOK_PERIOD as std::os::raw::c_int,
            );
        });
    }
}

/// Calls `hooks.busy()` (see `sandbox::HOOKS_KEY`) if set; its error, if any, propagates as a
/// Lua error from this instruction. No Rust value with a destructor is alive here.
unsafe extern "C-unwind" fn count_hook(
    l: *mut mlua::ffi::lua_State,
    _ar: *mut mlua::ffi::lua_Debug,
) {
    use mlua::ffi;
    if ffi::lua_checkstack(l, 3) == 0 {
        return;
    }
    ffi::lua_getfield(l, ffi::LUA_REGISTRYINDEX, c"ferrodis.hooks".as_ptr());
    if ffi::lua_type(l, -1) != ffi::LUA_TTABLE {
        ffi::lua_settop(l, -2);
        return;
    }
    ffi::lua_getfield(l, -1, c"busy".as_ptr());
    ffi::lua_remove(l, -2);
    if ffi::lua_type(l, -1) == ffi::LUA_TFUNCTION {
        ffi::lua_call(l, 0, 0);
    } else {
        ffi::lua_settop(l, -2);
    }
}

/// While a script runs, the caller is out of the client slab (the loop took it out to run the
/// command), so what the script's commands do to it would be lost: WATCH flags on keys it
/// watches, and messages pushed to it (keyspace events, client-side caching invalidations in
/// RESP3). A stand-in takes its slot for the duration: it holds the caller's transaction state
/// and collects the pushes, which go to the caller before the script's reply, as in Redis.
/// Returns whether the stand-in was placed.
fn place_stand_in(st: &mut State, caller: &mut Client, now_ms: i64) -> bool {
    let token = caller.token;
    if !matches!(st.clients.get(token), Some(None)) {
        return false;
    }
    let mut si = match st.scripting.stand_in.take() {
        Some(c) => c,
        None => match script_client(caller.id, now_ms) {
            Some(c) => c,
            None => return false,
        },
    };
    si.token = token;
    si.id = caller.id;
    si.db = caller.db;
    si.resp3 = caller.resp3;
    si.reply_mode = caller.reply_mode;
    si.close_asap = false;
    si.write_pending = false;
    si.wbuf.clear();
    si.side_push.clear();
    std::mem::swap(&mut si.tx, &mut caller.tx);
    std::mem::swap(&mut si.tracking, &mut caller.tracking);
    st.scripting.caller_token = Some(token);
    if let Some(slot) = st.clients.get_mut(token) {
        *slot = Some(si);
    }
    true
}

fn remove_stand_in(st: &mut State, caller: &mut Client) {
    st.scripting.caller_token = None;
    let Some(mut si) = st.clients.get_mut(caller.token).and_then(|slot| slot.take()) else {
        return;
    };
    std::mem::swap(&mut si.tx, &mut caller.tx);
    std::mem::swap(&mut si.tracking, &mut caller.tracking);
    caller.wbuf.extend_from_slice(&si.wbuf);
    caller.side_push.extend_from_slice(&si.side_push);
    if si.close_asap {
        caller.close_asap = true;
    }
    si.wbuf = Vec::new();
    si.side_push = Vec::new();
    st.scripting.stand_in = Some(si);
}

/// Run a script for the client in `ctx` and write its reply (or return its error).
pub fn run_script(ctx: &mut Ctx, vm: &Vm, inv: Invocation) -> CmdResult {
    let lua = &vm.lua;
    vm.flags.resp3.store(false, Ordering::Relaxed);
    vm.flags.repl.store(3, Ordering::Relaxed);
    let lua_err = |e: mlua::Error| CommandError::msg(format!("ERR {e}"));
    let make_list = |items: &[&[u8]]| -> mlua::Result<Table> {
        let t = lua.create_table_with_capacity(items.len(), 0)?;
        for (i, k) in items.iter().enumerate() {
            t.raw_set(i + 1, lua.create_string(k)?)?;
        }
        Ok(t)
    };
    let keys = make_list(&inv.keys).map_err(lua_err)?;
    let argv = make_list(&inv.args).map_err(lua_err)?;
    if inv.eval {
        vm.base.raw_set("KEYS", keys.clone()).map_err(lua_err)?;
        vm.base.raw_set("ARGV", argv.clone()).map_err(lua_err)?;
    }

    let st = &mut *ctx.st;
    let client = match st.scripting.client.take() {
        Some(c) => c,
        None => {
            let id = st.next_client_id;
            st.next_client_id += 1;
            script_client(id, ctx.now_ms)
                .ok_or_else(|| CommandError::stat("ERR cannot create the script client"))?
        }
    };
    let mut client = client;
    // The script's commands act for the caller: client-side caching treats its own changes
    // as the caller's (their invalidations follow the reply).
    client.id = ctx.client.id;
    client.db = ctx.client.db;
    client.resp3 = false;
    client.wbuf.clear();
    let caller_keys: Vec<Vec<u8>> = if ctx.client.tracking.is_some() {
        inv.keys.iter().map(|k| k.to_vec()).collect()
    } else {
        Vec::new()
    };
    let stand_in = place_stand_in(st, ctx.client, ctx.now_ms);
    let command = st.scripting.pending_command.take().unwrap_or_default();
    st.scripting.running = Some(Running {
        command,
        eval: inv.eval,
        name: inv.name.clone(),
        start: Some(Instant::now()),
        ..Running::default()
    });
    let threshold_ms = st.cfg.busy_reply_threshold;
    let cell = RefCell::new(RunCtx {
        st,
        flags: &vm.flags,
        client,
        read_only: inv.read_only,
        allow_oom: inv.allow_oom,
        start_ms: ctx.now_ms,
        threshold_ms,
        started: Instant::now(),
        killing: false,
        argv: Vec::new(),
        clock: Clock::new(ctx.now_ms),
        caller: &*ctx.client,
        stand_in_token: stand_in.then_some(ctx.client.token),
        caller_keys,
    });

    let result: mlua::Result<MultiValue> = lua.scope(|scope| {
        let call = scope.create_function(|lua, (mode, packed): (Value, Value)| {
            let mut rc = cell
                .try_borrow_mut()
                .map_err(|_| mlua::Error::RuntimeError("redis.call re-entered".into()))?;
            rc.call(lua, mode, packed)
        })?;
        let busy = scope.create_function(|lua, ()| match cell.try_borrow_mut() {
            Ok(mut rc) => rc.busy(lua),
            Err(_) => Ok(()),
        })?;
        vm.hooks.raw_set("call", call)?;
        vm.hooks.raw_set("busy", busy)?;
        // xpcall is called from Rust with no Lua frame around it: after a kill the hook fires at
        // every instruction, and any Lua code running after xpcall returns would raise again.
        // FCALL's (keys, args) are bound with mlua's bind, whose wrapper tail-calls the function.
        let f = if inv.eval { inv.func.clone() } else { inv.func.bind((keys, argv))? };
        let r = vm.xpcall.call::<MultiValue>((f, vm.handler.clone()));
        vm.hooks.raw_set("call", Value::Nil)?;
        vm.hooks.raw_set("busy", Value::Nil)?;
        r
    });

    let RunCtx { st, client, killing, .. } = cell.into_inner();
    if stand_in {
        remove_stand_in(st, ctx.client);
    }
    if killing {
        install_hook(vm);
    }
    st.scripting.client = Some(client);
    st.scripting.running = None;
    st.scripting.gc_tick();

    let mut vals = result.map_err(|e| CommandError::msg(format!("ERR {}", e)))?.into_iter();
    let ok = matches!(vals.next(), Some(Value::Boolean(true)));
    let v = vals.next().unwrap_or(Value::Nil);
    if ok {
        let resp3 = vm.flags.resp3.load(Ordering::Relaxed);
        let mut errors = convert::ErrorReplies::default();
        let (st, mut reply) = ctx.parts();
        convert::lua_to_resp(&mut reply, &v, resp3, &mut errors);
        for text in &errors.counted {
            crate::cmd::count_error_reply(st, text);
        }
        if errors.any {
            st.failed_reply_written = true;
        }
        return Ok(());
    }
    let msg = error_message(&v, &inv.name);
    let counted_already = matches!(&v, Value::Table(t) if matches!(t.raw_get::<Value>(IGNORE_STATS), Ok(Value::Boolean(true))));
    if counted_already {
        ctx.reply().error_bytes(msg.as_bytes());
        ctx.st.failed_reply_written = true;
        return Ok(());
    }
    Err(CommandError::msg(msg))
}

/// The error reply of a failed script: "<err> script: <name>, on <source>:<line>."
fn error_message(v: &Value, name: &str) -> String {
    let Value::Table(t) = v else {
        return "ERR Error running script, execution failure".to_string();
    };
    let err = match t.raw_get::<Value>("err") {
        Ok(Value::String(s)) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
        _ => "ERR unknown error".to_string(),
    };
    let source = match t.raw_get::<Value>("source") {
        Ok(Value::String(s)) => Some(String::from_utf8_lossy(&s.as_bytes()).into_owned()),
        _ => None,
    };
    let line = match t.raw_get::<Value>("line") {
        Ok(Value::Integer(i)) => Some(i),
        Ok(Value::Number(n)) => Some(n as i64),
        _ => None,
    };
    match (source, line) {
        (Some(s), Some(l)) => format!("{err} script: {name}, on {s}:{l}."),
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn exec(st: &mut State, c: &mut Client, args: &[&str]) -> Vec<u8> {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        c.wbuf.clear();
        let mut clock = Clock::new(0);
        crate::cmd::execute(st, c, &Args::Owned(&argv), &mut clock);
        std::mem::take(&mut c.wbuf)
    }

    #[test]
    fn errors_are_counted_once_like_redis() {
        // Redis 7.0.15 after these four calls: errorstat_WRONGTYPE:count=2, errorstat_ERR:count=1,
        // errorstat_X:count=1, total_error_replies:4, cmdstat_eval failed_calls=4.
        let mut st = State::new(Config::default(), 0);
        let mut c = script_client(1, 0).unwrap();
        exec(&mut st, &mut c, &["SET", "s", "v"]);
        let r = exec(&mut st, &mut c, &["EVAL", "return redis.call('lpush','s',1)", "0"]);
        assert!(r.starts_with(b"-WRONGTYPE"), "{}", String::from_utf8_lossy(&r));
        let r = exec(&mut st, &mut c, &["EVAL", "return redis.pcall('lpush','s',1)", "0"]);
        assert!(r.starts_with(b"-WRONGTYPE"));
        let r = exec(&mut st, &mut c, &["EVAL", "return redis.call('nosuch')", "0"]);
        assert!(r.starts_with(b"-ERR Unknown Redis command"));
        let r = exec(&mut st, &mut c, &["EVAL", "return {1, {err='X y'}}", "0"]);
        assert_eq!(r, b"*2\r\n:1\r\n-X y\r\n");
        assert_eq!(st.stats.errorstats.get("WRONGTYPE"), Some(&2));
        assert_eq!(st.stats.errorstats.get("ERR"), Some(&1));
        assert_eq!(st.stats.errorstats.get("X"), Some(&1));
        assert_eq!(st.stats.total_error_replies, 4);
        let eval = st.table.lookup(b"eval").unwrap();
        assert_eq!(st.cmd_stats[eval].failed_calls, 4);
        assert_eq!(st.cmd_stats[eval].calls, 4);
    }
}
