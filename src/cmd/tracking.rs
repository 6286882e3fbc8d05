//! CLIENT TRACKING | CACHING | GETREDIR | TRACKINGINFO (rows in `client.rs`), and the
//! per-command bookkeeping of client-side caching. State lives in `crate::tracking`.

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::connection::Client;
use crate::error::{CmdResult, CommandError, NOT_INTEGER, SYNTAX};
use crate::state::State;
use crate::tracking::{self as tr, ClientTracking};
use crate::util::num;

/// CLIENT TRACKING <ON | OFF> [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
pub fn tracking(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut opts = ClientTracking::default();
    let mut prefixes: Vec<Vec<u8>> = Vec::new();
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        if args.is(j, "redirect") && more {
            j += 1;
            if opts.redirect != 0 {
                return Err(CommandError::stat(
                    "ERR A client can only redirect to a single other client",
                ));
            }
            let id = num::parse_i64(args.get(j)).ok_or(NOT_INTEGER)?;
            let exists =
                id == ctx.client.id as i64 || ctx.st.other_clients().any(|c| c.id as i64 == id);
            if !exists {
                return Err(CommandError::stat(
                    "ERR The client ID you want redirect to does not exist",
                ));
            }
            opts.redirect = id as u64;
        } else if args.is(j, "bcast") {
            opts.bcast = true;
        } else if args.is(j, "optin") {
            opts.optin = true;
        } else if args.is(j, "optout") {
            opts.optout = true;
        } else if args.is(j, "noloop") {
            opts.noloop = true;
        } else if args.is(j, "prefix") && more {
            j += 1;
            prefixes.push(args.get(j).to_vec());
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    if args.is(2, "on") {
        if !opts.bcast && !prefixes.is_empty() {
            return Err(CommandError::stat("ERR PREFIX option requires BCAST mode to be enabled"));
        }
        if let Some(cur) = ctx.client.tracking.as_ref() {
            if cur.bcast != opts.bcast {
                return Err(CommandError::stat("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."));
            }
        }
        if opts.bcast && (opts.optin || opts.optout) {
            return Err(CommandError::stat("ERR OPTIN and OPTOUT are not compatible with BCAST"));
        }
        if opts.optin && opts.optout {
            return Err(CommandError::stat(
                "ERR You can't specify both OPTIN mode and OPTOUT mode",
            ));
        }
        if let Some(cur) = ctx.client.tracking.as_ref() {
            if (opts.optin && cur.optout) || (opts.optout && cur.optin) {
                return Err(CommandError::stat("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."));
            }
        }
        if opts.bcast {
            if let Some(e) = tr::prefix_collision(ctx.client, &prefixes) {
                return Err(CommandError::msg(e));
            }
        }
        tr::enable(ctx.st, ctx.client, opts, &prefixes);
    } else if args.is(2, "off") {
        tr::disable(ctx.st, ctx.client);
    } else {
        return Err(SYNTAX);
    }
    ctx.reply().ok();
    Ok(())
}

/// CLIENT CACHING <YES | NO>
pub fn caching(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let Some(t) = ctx.client.tracking.as_mut() else {
        return Err(CommandError::stat("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"));
    };
    if args.is(2, "yes") {
        if !t.optin {
            return Err(CommandError::stat(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ));
        }
    } else if args.is(2, "no") {
        if !t.optout {
            return Err(CommandError::stat(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ));
        }
    } else {
        return Err(SYNTAX);
    }
    t.caching = true;
    ctx.reply().ok();
    Ok(())
}

/// CLIENT GETREDIR
pub fn getredir(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let v = ctx.client.tracking_redirect();
    ctx.reply().int(v);
    Ok(())
}

/// CLIENT TRACKINGINFO
pub fn trackinginfo(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let t = ctx.client.tracking.clone();
    let mut r = ctx.reply();
    r.map(3);
    r.bulk(b"flags");
    let mut fl: Vec<&[u8]> = Vec::new();
    match t.as_deref() {
        None => fl.push(b"off"),
        Some(t) => {
            fl.push(b"on");
            if t.bcast {
                fl.push(b"bcast");
            }
            if t.optin {
                fl.push(b"optin");
                if t.caching {
                    fl.push(b"caching-yes");
                }
            }
            if t.optout {
                fl.push(b"optout");
                if t.caching {
                    fl.push(b"caching-no");
                }
            }
            if t.noloop {
                fl.push(b"noloop");
            }
            if t.broken_redirect {
                fl.push(b"broken_redirect");
            }
        }
    }
    r.set(fl.len());
    for f in fl {
        r.bulk(f);
    }
    r.bulk(b"redirect");
    r.int(t.as_ref().map_or(-1, |t| t.redirect as i64));
    r.bulk(b"prefixes");
    let prefixes = t.as_ref().map_or(&[][..], |t| &t.prefixes[..]);
    r.array(prefixes.len());
    for p in prefixes {
        r.bulk(p);
    }
    Ok(())
}

/// After each command of a tracking client: remember the keys a read-only command read,
/// end a one-command CLIENT CACHING, and deliver invalidations of its own writes.
pub fn after_command(
    st: &mut State,
    c: &mut Client,
    def: &CommandDef,
    id: usize,
    args: &Args,
    now_ms: i64,
) {
    // The read-only script commands track nothing themselves: the script's read-only
    // commands remember their keys (see script::run).
    let ro_script = matches!(def.name, "eval_ro" | "evalsha_ro" | "fcall_ro");
    if def.has(flags::READONLY) && !def.has(flags::PUBSUB) && !ro_script {
        if let Ok(keys) = def.keys(args) {
            tr::remember_keys(st, c, keys.into_iter().map(|i| args.get(i).to_vec()));
        }
    }
    // CACHING covers the next command, or a whole transaction; CLIENT commands keep it.
    if !c.tx.in_multi && !st.table.full_name(id).starts_with("client|") {
        if let Some(t) = c.tracking.as_mut() {
            t.caching = false;
        }
    }
    if !c.in_exec {
        tr::flush_pending_self(st, c, now_ms);
    }
}
