//! Command family: scripting. EVAL/EVALSHA(_RO), SCRIPT, FCALL(_RO), FUNCTION.

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::script::run::{run_script, Invocation};
use crate::script::{eval_shebang, sflags, sha1_hex, Script};

const EVAL_ACL: &[&str] = &["@slow", "@scripting"];
const EVAL_FLAGS: u32 = flags::NOSCRIPT
    | flags::STALE
    | flags::SKIP_MONITOR
    | flags::NO_MANDATORY_KEYS
    | flags::MOVABLE_KEYS;

const NOSCRIPT_ERR: CommandError =
    CommandError::stat("NOSCRIPT No matching script. Please use EVAL.");

/// Keys of EVAL-style commands: `CMD script numkeys key... arg...`.
pub fn eval_keys(args: &Args) -> Result<Vec<usize>, CommandError> {
    super::table::numkeys_at(args, 2, &[])
}

const fn eval_row(
    name: &'static str,
    handler: super::table::Handler,
    ro: bool,
    since: &'static str,
    summary: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity: -3,
        flags: if ro { EVAL_FLAGS | flags::READONLY } else { EVAL_FLAGS | flags::MAY_REPLICATE },
        acl: EVAL_ACL,
        getkeys: Some(eval_keys),
        group: "scripting",
        since,
        summary,
        complexity: if since.as_bytes()[0] == b'7' && name.as_bytes()[0] == b'f' {
            "Depends on the function that is executed."
        } else {
            "Depends on the script that is executed."
        },
        syntax,
        ..CommandDef::DEFAULT
    }
}

const fn script_sub(
    name: &'static str,
    handler: super::table::Handler,
    arity: i32,
    flags: u32,
    summary: &'static str,
    complexity: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags,
        acl: EVAL_ACL,
        group: "scripting",
        since: "2.6.0",
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    eval_row("eval", eval, false, "2.6.0", "Execute a Lua script server side", "script numkeys [key [key ...]] [arg [arg ...]]"),
    eval_row("evalsha", evalsha, false, "2.6.0", "Execute a Lua script server side", "sha1 numkeys [key [key ...]] [arg [arg ...]]"),
    eval_row("eval_ro", eval_ro, true, "7.0.0", "Execute a read-only Lua script server side", "script numkeys [key [key ...]] [arg [arg ...]]"),
    eval_row("evalsha_ro", evalsha_ro, true, "7.0.0", "Execute a read-only Lua script server side", "sha1 numkeys [key [key ...]] [arg [arg ...]]"),
    CommandDef {
        name: "script",
        arity: -2,
        acl: &["@slow"],
        group: "scripting",
        since: "2.6.0",
        summary: "A container for Lua scripts management commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            CommandDef { since: "3.2.0", ..script_sub("debug", script_debug, 3, flags::NOSCRIPT, "Set the debug mode for executed scripts.", "O(1)", "YES | SYNC | NO") },
            script_sub("exists", script_exists, -3, flags::NOSCRIPT, "Check existence of scripts in the script cache.", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).", "sha1 [sha1 ...]"),
            script_sub("flush", script_flush, -2, flags::NOSCRIPT, "Remove all the scripts from the script cache.", "O(N) with N being the number of scripts in cache", "[ASYNC | SYNC]"),
            CommandDef { since: "5.0.0", ..script_sub("help", script_help, 2, flags::LOADING | flags::STALE, "Show helpful text about the different subcommands", "O(1)", "") },
            script_sub("kill", script_kill, 2, flags::NOSCRIPT | flags::ALLOW_BUSY, "Kill the script currently in execution.", "O(1)", ""),
            script_sub("load", script_load, 3, flags::NOSCRIPT | flags::STALE, "Load the specified Lua script into the script cache.", "O(N) with N being the length in bytes of the script body.", "script"),
        ],
        ..CommandDef::DEFAULT
    },
    eval_row("fcall", fcall, false, "7.0.0", "Invoke a function", "function numkeys [key [key ...]] [arg [arg ...]]"),
    eval_row("fcall_ro", fcall_ro, true, "7.0.0", "Invoke a read-only function", "function numkeys [key [key ...]] [arg [arg ...]]"),
    CommandDef {
        name: "function",
        arity: -2,
        acl: &["@slow"],
        group: "scripting",
        since: "7.0.0",
        summary: "A container for function commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            fn_sub("delete", function_delete, 3, flags::WRITE | flags::NOSCRIPT, "Delete a function by name", "O(1)", "library-name"),
            fn_sub("dump", function_dump, 2, flags::NOSCRIPT, "Dump all functions into a serialized binary payload", "O(N) where N is the number of functions", ""),
            fn_sub("flush", function_flush, -2, flags::WRITE | flags::NOSCRIPT, "Deleting all functions", "O(N) where N is the number of functions deleted", "[ASYNC | SYNC]"),
            fn_sub("help", function_help, 2, flags::LOADING | flags::STALE, "Show helpful text about the different subcommands", "O(1)", ""),
            fn_sub("kill", function_kill, 2, flags::NOSCRIPT | flags::ALLOW_BUSY, "Kill the function currently in execution.", "O(1)", ""),
            fn_sub("list", function_list, -2, flags::NOSCRIPT, "List information about all the functions", "O(N) where N is the number of functions", "[LIBRARYNAME library-name-pattern] [WITHCODE]"),
            fn_sub("load", function_load, -3, flags::WRITE | flags::DENYOOM | flags::NOSCRIPT, "Create a function with the given arguments (name, code, description)", "O(1) (considering compilation time is redundant)", "[REPLACE] function-code"),
            fn_sub("restore", function_restore, -3, flags::WRITE | flags::DENYOOM | flags::NOSCRIPT, "Restore all the functions on the given payload", "O(N) where N is the number of functions on the payload", "serialized-value [FLUSH | APPEND | REPLACE]"),
            fn_sub("stats", function_stats, 2, flags::NOSCRIPT | flags::ALLOW_BUSY, "Return information about the function currently running (name, description, duration)", "O(1)", ""),
        ],
        ..CommandDef::DEFAULT
    },
];

const fn fn_sub(
    name: &'static str,
    handler: super::table::Handler,
    arity: i32,
    flags: u32,
    summary: &'static str,
    complexity: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags,
        acl: if flags & super::table::flags::WRITE != 0 {
            &["@write", "@slow", "@scripting"]
        } else {
            EVAL_ACL
        },
        group: "scripting",
        since: "7.0.0",
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

fn eval(ctx: &mut Ctx, args: &Args) -> CmdResult {
    eval_generic(ctx, args, false, false)
}

fn evalsha(ctx: &mut Ctx, args: &Args) -> CmdResult {
    eval_generic(ctx, args, false, true)
}

fn eval_ro(ctx: &mut Ctx, args: &Args) -> CmdResult {
    eval_generic(ctx, args, true, false)
}

fn evalsha_ro(ctx: &mut Ctx, args: &Args) -> CmdResult {
    eval_generic(ctx, args, true, true)
}

/// Parse `numkeys` at `pos` with Redis's checks and their order.
pub fn numkeys(args: &Args, pos: usize) -> Result<usize, CommandError> {
    let n = args.i64(pos)?;
    if n > (args.len() - pos - 1) as i64 {
        return Err(CommandError::stat("ERR Number of keys can't be greater than number of args"));
    }
    if n < 0 {
        return Err(CommandError::stat("ERR Number of keys can't be negative"));
    }
    Ok(n as usize)
}

/// Compile and cache an EVAL body (SCRIPT LOAD and EVAL). Returns its sha.
fn load_script(ctx: &mut Ctx, body: &[u8]) -> Result<[u8; 40], CommandError> {
    let sha = sha1_hex(body);
    if ctx.st.scripting.scripts.contains_key(&sha) {
        return Ok(sha);
    }
    let (flags, skip) = eval_shebang(body).map_err(CommandError::msg)?;
    let func = ctx
        .st
        .scripting
        .vm
        .lua
        .load(&body[skip..])
        .set_name("@user_script")
        .into_function()
        .map_err(|e| {
            CommandError::msg(format!(
                "ERR Error compiling script (new function): {}",
                compile_error_text(&e)
            ))
        })?;
    let eng = &mut ctx.st.scripting;
    eng.scripts_bytes += body.len();
    eng.scripts.insert(sha, Script { body: body.to_vec(), func, flags });
    Ok(sha)
}

/// Lua's own message for a compile error, without mlua's decoration.
pub fn compile_error_text(e: &mlua::Error) -> String {
    match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        other => crate::script::sandbox::root_message(other),
    }
}

fn eval_generic(ctx: &mut Ctx, args: &Args, ro: bool, by_sha: bool) -> CmdResult {
    let nk = numkeys(args, 2)?;
    let sha = if by_sha {
        let s = args.get(1);
        let mut sha = [0u8; 40];
        if s.len() != 40 {
            return Err(NOSCRIPT_ERR);
        }
        for (d, c) in sha.iter_mut().zip(s) {
            *d = c.to_ascii_lowercase();
        }
        if !ctx.st.scripting.scripts.contains_key(&sha) {
            return Err(NOSCRIPT_ERR);
        }
        sha
    } else {
        load_script(ctx, args.get(1))?
    };
    let Some(script) = ctx.st.scripting.scripts.get(&sha) else { return Err(NOSCRIPT_ERR) };
    let sflags = script.flags;
    if sflags & sflags::EVAL_COMPAT == 0 && sflags & sflags::NO_WRITES == 0 && ro {
        return Err(CommandError::stat(
            "ERR Can not execute a script with write flag using *_ro command.",
        ));
    }
    if sflags & sflags::EVAL_COMPAT == 0 {
        oom_prepare_check(ctx.st, sflags)?;
    }
    let func = script.func.clone();
    let vm = ctx.st.scripting.vm.clone();
    let keys: Vec<&[u8]> = (3..3 + nk).map(|i| args.get(i)).collect();
    let argv: Vec<&[u8]> = (3 + nk..args.len()).map(|i| args.get(i)).collect();
    let inv = Invocation {
        func,
        keys,
        args: argv,
        read_only: ro || sflags & sflags::NO_WRITES != 0,
        allow_oom: sflags & sflags::EVAL_COMPAT == 0 && sflags & sflags::ALLOW_OOM != 0,
        eval: true,
        name: String::from_utf8_lossy(&sha).into_owned(),
    };
    run_script(ctx, &vm, inv)
}

/// scriptPrepareForRun's OOM rule for scripts with declared flags (`no-writes` implies
/// `allow-oom`), against the OOM state seen when the command started.
fn oom_prepare_check(st: &crate::state::State, flags: u32) -> CmdResult {
    if st.cfg.maxmemory != 0
        && st.evict.pre_command_oom
        && flags & (sflags::ALLOW_OOM | sflags::NO_WRITES) == 0
    {
        return Err(CommandError::stat(crate::evict::OOM_SCRIPT_ERROR));
    }
    Ok(())
}

fn script_load(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let sha = load_script(ctx, args.get(2))?;
    ctx.reply().bulk(&sha);
    Ok(())
}

fn script_exists(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (st, mut r) = ctx.parts();
    r.array(args.len() - 2);
    for s in args.rest(2) {
        let mut sha = [0u8; 40];
        let found = s.len() == 40 && {
            for (d, c) in sha.iter_mut().zip(s) {
                *d = c.to_ascii_lowercase();
            }
            st.scripting.scripts.contains_key(&sha)
        };
        r.int(found as i64);
    }
    Ok(())
}

fn script_flush(ctx: &mut Ctx, args: &Args) -> CmdResult {
    // Unlike FUNCTION FLUSH, any extra argument gets the option error.
    if args.len() > 3 || (args.len() == 3 && !args.is(2, "sync") && !args.is(2, "async")) {
        return Err(CommandError::stat("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
    }
    ctx.st.scripting.flush();
    ctx.reply().ok();
    Ok(())
}

fn script_kill(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    kill(ctx, true)
}

/// SCRIPT KILL (`eval`) and FUNCTION KILL.
pub fn kill(ctx: &mut Ctx, eval: bool) -> CmdResult {
    let Some(run) = ctx.st.scripting.running.as_mut() else {
        return Err(CommandError::stat("NOTBUSY No scripts in execution right now."));
    };
    if run.dirty {
        return Err(CommandError::stat("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."));
    }
    if eval && !run.eval {
        return Err(BUSY_FUNCTION);
    }
    if !eval && run.eval {
        return Err(BUSY_EVAL);
    }
    run.killed = true;
    ctx.reply().ok();
    Ok(())
}

pub const BUSY_EVAL: CommandError = CommandError::stat(
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
);
pub const BUSY_FUNCTION: CommandError = CommandError::stat(
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
);

fn script_debug(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.is(2, "no") {
        ctx.reply().ok();
        return Ok(());
    }
    if args.is(2, "yes") || args.is(2, "sync") {
        return Err(CommandError::stat("ERR the Lua debugger (SCRIPT DEBUG) is not supported"));
    }
    Err(CommandError::stat("ERR Use SCRIPT DEBUG YES/SYNC/NO"))
}

const SCRIPT_HELP: &[&str] = &[
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
];

fn script_help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    help_reply(ctx, SCRIPT_HELP);
    Ok(())
}

pub fn help_reply(ctx: &mut Ctx, lines: &[&str]) {
    let mut r = ctx.reply();
    r.array(lines.len());
    for l in lines {
        r.simple(l.as_bytes());
    }
}

// ---- Functions ----

fn fcall(ctx: &mut Ctx, args: &Args) -> CmdResult {
    fcall_generic(ctx, args, false)
}

fn fcall_ro(ctx: &mut Ctx, args: &Args) -> CmdResult {
    fcall_generic(ctx, args, true)
}

fn fcall_generic(ctx: &mut Ctx, args: &Args, ro: bool) -> CmdResult {
    let Some(f) = ctx.st.scripting.functions.find(args.get(1)) else {
        return Err(CommandError::stat("ERR Function not found"));
    };
    // FCALL has its own text for a numkeys that is not a number (EVAL's is the generic one).
    if crate::util::num::parse_i64(args.get(2)).is_none() {
        return Err(CommandError::stat("ERR Bad number of keys provided"));
    }
    let nk = numkeys(args, 2)?;
    if ro && f.flags & sflags::NO_WRITES == 0 {
        return Err(CommandError::stat(
            "ERR Can not execute a script with write flag using *_ro command.",
        ));
    }
    let f_flags = f.flags;
    let func = f.func.clone();
    let name = f.name.clone();
    let read_only = ro || f.flags & sflags::NO_WRITES != 0;
    let allow_oom = f_flags & sflags::ALLOW_OOM != 0;
    oom_prepare_check(ctx.st, f_flags)?;
    let vm = ctx.st.scripting.functions.vm().map_err(|e| CommandError::msg(format!("ERR {e}")))?;
    let keys: Vec<&[u8]> = (3..3 + nk).map(|i| args.get(i)).collect();
    let argv: Vec<&[u8]> = (3 + nk..args.len()).map(|i| args.get(i)).collect();
    ctx.st.scripting.pending_command = Some(args.to_vec());
    let inv = Invocation { func, keys, args: argv, read_only, allow_oom, eval: false, name };
    run_script(ctx, &vm, inv)
}

fn function_load(ctx: &mut Ctx, args: &Args) -> CmdResult {
    // Every argument before the code is an option; only REPLACE exists.
    let mut replace = false;
    for i in 2..args.len() - 1 {
        if args.is(i, "replace") {
            replace = true;
        } else {
            return Err(CommandError::msg(format!(
                "ERR Unknown option given: {}",
                String::from_utf8_lossy(args.get(i))
            )));
        }
    }
    let code = args.get(args.len() - 1);
    let f = &mut ctx.st.scripting.functions;
    let lib = f.compile(code).map_err(CommandError::msg)?;
    let name = f.install(lib, replace).map_err(CommandError::msg)?;
    ctx.st.dirty += 1;
    ctx.reply().bulk(name.as_bytes());
    Ok(())
}

fn function_delete(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let name = String::from_utf8_lossy(args.get(2)).into_owned();
    if !ctx.st.scripting.functions.delete(&name) {
        return Err(CommandError::stat("ERR Library not found"));
    }
    ctx.st.dirty += 1;
    ctx.reply().ok();
    Ok(())
}

fn function_flush(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() > 3 {
        return Err(super::server::subcommand_syntax_error(args));
    }
    if args.len() == 3 && !args.is(2, "sync") && !args.is(2, "async") {
        return Err(CommandError::stat("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"));
    }
    ctx.st.scripting.functions.flush();
    ctx.st.dirty += 1;
    ctx.reply().ok();
    Ok(())
}

fn function_kill(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    kill(ctx, false)
}

fn function_list(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut pattern: Option<&[u8]> = None;
    let mut withcode = false;
    let mut i = 2;
    while i < args.len() {
        if args.is(i, "withcode") && !withcode {
            withcode = true;
        } else if args.is(i, "libraryname") && pattern.is_none() {
            if i + 1 >= args.len() {
                return Err(CommandError::stat("ERR library name argument was not given"));
            }
            i += 1;
            pattern = Some(args.get(i));
        } else {
            return Err(CommandError::msg(format!(
                "ERR Unknown argument {}",
                String::from_utf8_lossy(args.get(i))
            )));
        }
        i += 1;
    }
    let (st, mut r) = ctx.parts();
    let libs: Vec<_> = st
        .scripting
        .functions
        .libraries
        .values()
        .filter(|l| {
            pattern.is_none_or(|p| crate::util::glob::string_match(p, l.name.as_bytes(), false))
        })
        .collect();
    r.array(libs.len());
    for lib in libs {
        r.map(if withcode { 4 } else { 3 });
        r.bulk(b"library_name");
        r.bulk(lib.name.as_bytes());
        r.bulk(b"engine");
        r.bulk(b"LUA");
        r.bulk(b"functions");
        r.array(lib.functions.len());
        for f in &lib.functions {
            r.map(3);
            r.bulk(b"name");
            r.bulk(f.name.as_bytes());
            r.bulk(b"description");
            match &f.description {
                Some(d) => r.bulk(d),
                None => r.null(),
            }
            r.bulk(b"flags");
            let names: Vec<&str> =
                sflags::NAMES.iter().filter(|(fl, _)| f.flags & fl != 0).map(|(_, n)| *n).collect();
            r.set(names.len());
            for n in names {
                r.simple(n.as_bytes());
            }
        }
        if withcode {
            r.bulk(b"library_code");
            r.bulk(&lib.code);
        }
    }
    Ok(())
}

fn function_stats(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if ctx.st.scripting.running.as_ref().is_some_and(|r| r.eval) {
        return Err(BUSY_EVAL);
    }
    let (st, mut r) = ctx.parts();
    r.map(2);
    r.bulk(b"running_script");
    match &st.scripting.running {
        Some(run) => {
            r.map(3);
            r.bulk(b"name");
            r.bulk(run.name.as_bytes());
            r.bulk(b"command");
            r.array(run.command.len());
            for a in &run.command {
                r.bulk(a);
            }
            r.bulk(b"duration_ms");
            r.int(run.start.map_or(0, |s| s.elapsed().as_millis() as i64));
        }
        None => r.null(),
    }
    r.bulk(b"engines");
    r.map(1);
    r.bulk(b"LUA");
    r.map(2);
    r.bulk(b"libraries_count");
    r.int(st.scripting.functions.libraries.len() as i64);
    r.bulk(b"functions_count");
    r.int(st.scripting.functions.functions_count() as i64);
    Ok(())
}

fn function_dump(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let d = crate::script::functions::dump(&ctx.st.scripting.functions);
    ctx.reply().bulk(&d);
    Ok(())
}

fn function_restore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    #[derive(PartialEq)]
    enum Policy {
        Flush,
        Append,
        Replace,
    }
    if args.len() > 4 {
        return Err(super::server::subcommand_syntax_error(args));
    }
    let policy =
        match args.len() {
            3 => Policy::Append,
            4 if args.is(3, "flush") => Policy::Flush,
            4 if args.is(3, "append") => Policy::Append,
            4 if args.is(3, "replace") => Policy::Replace,
            _ => return Err(CommandError::stat(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            )),
        };
    let codes = crate::script::functions::parse_dump(args.get(2)).map_err(CommandError::msg)?;
    let f = &mut ctx.st.scripting.functions;
    // Compile everything first so a bad payload changes nothing.
    let mut libs = Vec::with_capacity(codes.len());
    for code in &codes {
        libs.push(f.compile(code).map_err(CommandError::msg)?);
    }
    let backup: Vec<Vec<u8>> = f.libraries.values().map(|l| l.code.clone()).collect();
    if policy == Policy::Flush {
        f.flush();
    }
    let mut failed = None;
    // Redis's libraryJoin checks every library name before any function name, and words
    // this error without FUNCTION LOAD's quotes.
    if policy == Policy::Append {
        if let Some(lib) = libs.iter().find(|l| f.libraries.contains_key(&l.name)) {
            return Err(CommandError::msg(format!("ERR Library {} already exists", lib.name)));
        }
    }
    for lib in libs {
        if let Err(e) = f.install(lib, policy == Policy::Replace) {
            failed = Some(e);
            break;
        }
    }
    if let Some(e) = failed {
        // Put the previous libraries back as they were.
        f.flush();
        for code in backup {
            if let Ok(lib) = f.compile(&code) {
                let _ = f.install(lib, true);
            }
        }
        return Err(CommandError::msg(e));
    }
    ctx.st.dirty += 1;
    ctx.reply().ok();
    Ok(())
}

const FUNCTION_HELP: &[&str] = &[
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help.",
];

fn function_help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    help_reply(ctx, FUNCTION_HELP);
    Ok(())
}
