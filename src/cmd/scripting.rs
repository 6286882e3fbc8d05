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
        flags: if ro { EVAL_FLAGS | flags::READONLY } else { EVAL_FLAGS },
        acl: EVAL_ACL,
        getkeys: Some(eval_keys),
        group: "scripting",
        since,
        summary,
        complexity: "Depends on the script that is executed.",
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
            script_sub("debug", script_debug, 3, flags::NOSCRIPT, "Set the debug mode for executed scripts.", "O(1)", "YES | SYNC | NO"),
            script_sub("exists", script_exists, -3, flags::NOSCRIPT, "Check existence of scripts in the script cache.", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).", "sha1 [sha1 ...]"),
            script_sub("flush", script_flush, -2, flags::NOSCRIPT, "Remove all the scripts from the script cache.", "O(N) with N being the number of scripts in cache", "[ASYNC | SYNC]"),
            script_sub("help", script_help, 2, flags::LOADING | flags::STALE, "Show helpful text about the different subcommands", "O(1)", ""),
            script_sub("kill", script_kill, 2, flags::NOSCRIPT | flags::ALLOW_BUSY, "Kill the script currently in execution.", "O(1)", ""),
            script_sub("load", script_load, 3, flags::NOSCRIPT | flags::STALE, "Load the specified Lua script into the script cache.", "O(N) with N being the length in bytes of the script body.", "script"),
        ],
        ..CommandDef::DEFAULT
    },
];

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
    let func = script.func.clone();
    let vm = ctx.st.scripting.vm.clone();
    let keys: Vec<&[u8]> = (3..3 + nk).map(|i| args.get(i)).collect();
    let argv: Vec<&[u8]> = (3 + nk..args.len()).map(|i| args.get(i)).collect();
    let inv = Invocation {
        func,
        keys,
        args: argv,
        read_only: ro || sflags & sflags::NO_WRITES != 0,
        eval: true,
        name: String::from_utf8_lossy(&sha).into_owned(),
    };
    run_script(ctx, &vm, inv)
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
