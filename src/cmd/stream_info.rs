//! Command family: XINFO STREAM / GROUPS / CONSUMERS / HELP (Redis's t_stream.c xinfoCommand).

use super::args::Args;
use super::stream::{stream_read, write_entries, write_entry, write_id};
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::db::stream::{Stream, StreamId, INVALID_ENTRIES_READ};
use crate::error::{CmdResult, CommandError, NOT_INTEGER};
use crate::resp::reply::Reply;
use crate::util::num;

const fn sub(
    name: &'static str,
    handler: super::table::Handler,
    arity: i32,
    summary: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags: flags::READONLY,
        acl: &["@read", "@stream", "@slow"],
        first_key: 2,
        last_key: 2,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary,
        complexity: "O(1)",
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "xinfo",
    arity: -2,
    group: "stream",
    since: "5.0.0",
    summary: "A container for stream introspection commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        sub("consumers", consumers, 4, "List the consumers in a consumer group", "key group"),
        sub("groups", groups, 3, "List the consumer groups of a stream", "key"),
        CommandDef {
            name: "help",
            handler: help,
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: &["@stream", "@slow"],
            group: "stream",
            since: "5.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            ..CommandDef::DEFAULT
        },
        sub("stream", stream, -3, "Get information about a stream", "key [FULL [COUNT count]]"),
    ],
    ..CommandDef::DEFAULT
}];

const NO_SUCH_KEY: CommandError = CommandError::stat("ERR no such key");

/// Nodes of Redis's radix tree holding `keys` (16-byte big-endian IDs): a compressed trie
/// where each run of single-child positions is one node and each branch point another.
fn rax_nodes(keys: &[[u8; 16]]) -> usize {
    fn count(keys: &[[u8; 16]], depth: usize) -> usize {
        if depth == 16 {
            return 1;
        }
        let first = keys[0][depth];
        if keys.iter().all(|k| k[depth] == first) {
            // A chain: extend while every key agrees.
            let mut d = depth;
            while d < 16 && keys.iter().all(|k| k[d] == keys[0][d]) {
                d += 1;
            }
            return 1 + count(keys, d);
        }
        let mut n = 1;
        let mut i = 0;
        while i < keys.len() {
            let b = keys[i][depth];
            let j = i + keys[i..].iter().take_while(|k| k[depth] == b).count();
            n += count(&keys[i..j], depth + 1);
            i = j;
        }
        n
    }
    if keys.is_empty() {
        1
    } else {
        count(keys, 0)
    }
}

fn header(r: &mut Reply, s: &Stream) {
    let keys = s.entries.node_keys();
    let encoded: Vec<[u8; 16]> = keys
        .iter()
        .map(|id| {
            let mut k = [0u8; 16];
            k[..8].copy_from_slice(&id.ms.to_be_bytes());
            k[8..].copy_from_slice(&id.seq.to_be_bytes());
            k
        })
        .collect();
    r.bulk(b"length");
    r.int(s.length as i64);
    r.bulk(b"radix-tree-keys");
    r.int(keys.len() as i64);
    r.bulk(b"radix-tree-nodes");
    r.int(rax_nodes(&encoded) as i64);
    r.bulk(b"last-generated-id");
    write_id(r, s.last_id);
    r.bulk(b"max-deleted-entry-id");
    write_id(r, s.max_deleted_id);
    r.bulk(b"entries-added");
    r.int(s.entries_added as i64);
    r.bulk(b"recorded-first-entry-id");
    write_id(r, s.first_id);
}

fn entries_read_and_lag(r: &mut Reply, s: &Stream, g: &crate::db::stream::Group) {
    r.bulk(b"entries-read");
    if g.entries_read != INVALID_ENTRIES_READ {
        r.int(g.entries_read);
    } else {
        r.null();
    }
    r.bulk(b"lag");
    match s.group_lag(g) {
        Some(l) => r.int(l),
        None => r.null(),
    }
}

fn stream(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut full = false;
    let mut count: i64 = 10;
    if args.len() > 3 {
        if !args.is(3, "full") || args.len() == 5 || args.len() > 6 {
            return Err(CommandError::msg(format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try XINFO HELP.",
                String::from_utf8_lossy(args.get(1))
            )));
        }
        full = true;
        if args.len() == 6 {
            if !args.is(4, "count") {
                return Err(crate::error::SYNTAX);
            }
            count = num::parse_i64(args.get(5)).ok_or(NOT_INTEGER)?.max(0);
        }
    }
    let now = ctx.now_ms;
    let key = args.get(2);
    stream_read(ctx, key)?.ok_or(NO_SUCH_KEY)?;
    let db = ctx.db();
    let (st, mut r) = ctx.parts();
    let Some(crate::db::Entry { value: crate::db::Value::Stream(s), .. }) = st.ks.get(db, key, now)
    else {
        return Ok(());
    };
    if !full {
        r.map(10);
        header(&mut r, s);
        r.bulk(b"groups");
        r.int(s.groups.len() as i64);
        for (name, rev) in [(&b"first-entry"[..], false), (&b"last-entry"[..], true)] {
            r.bulk(name);
            match s.entries.range(StreamId::ZERO, StreamId::MAX, rev, 1).first() {
                Some(e) => write_entry(&mut r, e),
                None => r.null(),
            }
        }
        return Ok(());
    }
    let limit = count as usize;
    r.map(9);
    header(&mut r, s);
    r.bulk(b"entries");
    let entries = s.entries.range(StreamId::ZERO, StreamId::MAX, false, limit);
    write_entries(&mut r, &entries);
    r.bulk(b"groups");
    r.array(s.groups.len());
    let take = if limit == 0 { usize::MAX } else { limit };
    for (name, g) in &s.groups {
        r.map(7);
        r.bulk(b"name");
        r.bulk(name);
        r.bulk(b"last-delivered-id");
        write_id(&mut r, g.last_id);
        entries_read_and_lag(&mut r, s, g);
        r.bulk(b"pel-count");
        r.int(g.pel.len() as i64);
        r.bulk(b"pending");
        let pel: Vec<_> = g.pel.iter().take(take).collect();
        r.array(pel.len());
        for (id, n) in pel {
            r.array(4);
            write_id(&mut r, *id);
            r.bulk(&n.consumer);
            r.int(n.delivery_time);
            r.int(n.delivery_count as i64);
        }
        r.bulk(b"consumers");
        r.array(g.consumers.len());
        for (cname, c) in &g.consumers {
            r.map(4);
            r.bulk(b"name");
            r.bulk(cname);
            r.bulk(b"seen-time");
            r.int(c.seen_time);
            r.bulk(b"pel-count");
            r.int(c.pel.len() as i64);
            r.bulk(b"pending");
            let ids: Vec<_> = c.pel.iter().take(take).collect();
            r.array(ids.len());
            for id in ids {
                let (t, n) = g.pel.get(id).map_or((0, 0), |n| (n.delivery_time, n.delivery_count));
                r.array(3);
                write_id(&mut r, *id);
                r.int(t);
                r.int(n as i64);
            }
        }
    }
    Ok(())
}

fn groups(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(2));
    stream_read(ctx, key)?.ok_or(NO_SUCH_KEY)?;
    let (st, mut r) = ctx.parts();
    let Some(crate::db::Entry { value: crate::db::Value::Stream(s), .. }) = st.ks.get(db, key, now)
    else {
        return Ok(());
    };
    r.array(s.groups.len());
    for (name, g) in &s.groups {
        r.map(6);
        r.bulk(b"name");
        r.bulk(name);
        r.bulk(b"consumers");
        r.int(g.consumers.len() as i64);
        r.bulk(b"pending");
        r.int(g.pel.len() as i64);
        r.bulk(b"last-delivered-id");
        write_id(&mut r, g.last_id);
        entries_read_and_lag(&mut r, s, g);
    }
    Ok(())
}

fn consumers(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let now = ctx.now_ms;
    let (key, gname) = (args.get(2), args.get(3));
    let s = stream_read(ctx, key)?.ok_or(NO_SUCH_KEY)?;
    let Some(g) = s.groups.get(gname) else {
        return Err(CommandError::msg(format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            String::from_utf8_lossy(gname),
            String::from_utf8_lossy(key)
        )));
    };
    let rows: Vec<(Vec<u8>, usize, i64)> = g
        .consumers
        .iter()
        .map(|(n, c)| (n.clone(), c.pel.len(), (now - c.seen_time).max(0)))
        .collect();
    let mut r = ctx.reply();
    r.array(rows.len());
    for (name, pending, idle) in rows {
        r.map(3);
        r.bulk(b"name");
        r.bulk(&name);
        r.bulk(b"pending");
        r.int(pending as i64);
        r.bulk(b"idle");
        r.int(idle);
    }
    Ok(())
}

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    const HELP: &[&str] = &[
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    ];
    let mut r = ctx.reply();
    r.array(HELP.len());
    for l in HELP {
        r.simple(l.as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::rax_nodes;

    fn key(ms: u64, seq: u64) -> [u8; 16] {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&ms.to_be_bytes());
        k[8..].copy_from_slice(&seq.to_be_bytes());
        k
    }

    #[test]
    fn rax_node_counts() {
        assert_eq!(rax_nodes(&[]), 1);
        assert_eq!(rax_nodes(&[key(1, 1)]), 2);
        // Shared 15-byte prefix, then a branch with two leaves.
        assert_eq!(rax_nodes(&[key(1, 1), key(1, 2)]), 4);
    }
}
