//! Command family: sorted sets (Redis's t_zset.c). The value type is `db::zset::ZSet`;
//! handlers live by concept in `zset/`: writes and pops, reads, ranges, set operations.

mod pop;
mod range;
mod read;
mod setops;
mod write;

use super::args::Args;
use super::table::{flags, numkeys_at, numkeys_at1, CommandDef};
use crate::db::zset::{Limits, ZSet};
use crate::db::Value;
use crate::error::{CommandError, WRONGTYPE};
use crate::resp::reply::Reply;
use crate::state::State;

use pop::{bzmpop, bzpopmax, bzpopmin, zmpop, zpopmax, zpopmin};
use range::{
    zrange, zrangebylex, zrangebyscore, zrangestore, zrevrange, zrevrangebylex, zrevrangebyscore,
};
use read::{zcard, zcount, zlexcount, zmscore, zrandmember, zrank, zrevrank, zscan, zscore};
use setops::{zdiff, zdiffstore, zinter, zintercard, zinterstore, zunion, zunionstore};
use write::{zadd, zincrby, zrem, zremrangebylex, zremrangebyrank, zremrangebyscore};

fn keys_bzmpop(args: &Args) -> Result<Vec<usize>, CommandError> {
    numkeys_at(args, 2, &[])
}

fn keys_dest_numkeys(args: &Args) -> Result<Vec<usize>, CommandError> {
    numkeys_at(args, 2, &[1])
}

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "bzpopmin",
        handler: bzpopmin,
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: -2,
        step: 1,
        group: "sorted-set",
        since: "5.0.0",
        summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        syntax: "key [key ...] timeout",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bzpopmax",
        handler: bzpopmax,
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: -2,
        step: 1,
        group: "sorted-set",
        since: "5.0.0",
        summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        syntax: "key [key ...] timeout",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bzmpop",
        handler: bzmpop,
        getkeys: Some(keys_bzmpop),
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING | flags::MOVABLE_KEYS,
        acl: &["@write", "@sortedset"],
        group: "sorted-set",
        since: "7.0.0",
        summary: "Remove and return members with scores in a sorted set or block until one is available",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        syntax: "timeout numkeys key [key ...] <MIN | MAX> [COUNT count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zadd",
        handler: zadd,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Add one or more members to a sorted set, or update its score if it already exists",
        complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        syntax: "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zincrby",
        handler: zincrby,
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Increment the score of a member in a sorted set",
        complexity: "O(log(N)) where N is the number of elements in the sorted set.",
        syntax: "key increment member",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrem",
        handler: zrem,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Remove one or more members from a sorted set",
        complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
        syntax: "key member [member ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zcard",
        handler: zcard,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Get the number of members in a sorted set",
        complexity: "O(1)",
        syntax: "key",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zcount",
        handler: zcount,
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.0.0",
        summary: "Count the members in a sorted set with scores within the given values",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        syntax: "key min max",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zlexcount",
        handler: zlexcount,
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.8.9",
        summary: "Count the number of members in a sorted set between a given lexicographical range",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        syntax: "key min max",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zscore",
        handler: zscore,
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Get the score associated with the given member in a sorted set",
        complexity: "O(1)",
        syntax: "key member",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zmscore",
        handler: zmscore,
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "6.2.0",
        summary: "Get the score associated with the given members in a sorted set",
        complexity: "O(N) where N is the number of members being requested.",
        syntax: "key member [member ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrank",
        handler: zrank,
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.0.0",
        summary: "Determine the index of a member in a sorted set",
        complexity: "O(log(N))",
        syntax: "key member [WITHSCORE]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrank",
        handler: zrevrank,
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.0.0",
        summary: "Determine the index of a member in a sorted set, with scores ordered from high to low",
        complexity: "O(log(N))",
        syntax: "key member",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrange",
        handler: zrange,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Return a range of members in a sorted set",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        syntax: "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrangestore",
        handler: zrangestore,
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 2,
        step: 1,
        group: "sorted-set",
        since: "6.2.0",
        summary: "Store a range of members from sorted set into another key",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
        syntax: "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrangebyscore",
        handler: zrangebyscore,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.0.5",
        summary: "Return a range of members in a sorted set, by score",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        syntax: "key min max [WITHSCORES] [LIMIT offset count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrangebyscore",
        handler: zrevrangebyscore,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.2.0",
        summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        syntax: "key max min [WITHSCORES] [LIMIT offset count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrangebylex",
        handler: zrangebylex,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.8.9",
        summary: "Return a range of members in a sorted set, by lexicographical range",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        syntax: "key min max [LIMIT offset count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrangebylex",
        handler: zrevrangebylex,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.8.9",
        summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        syntax: "key max min [LIMIT offset count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrevrange",
        handler: zrevrange,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        syntax: "key start stop [WITHSCORES]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zremrangebyrank",
        handler: zremrangebyrank,
        arity: 4,
        flags: flags::WRITE,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.0.0",
        summary: "Remove all members in a sorted set within the given indexes",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        syntax: "key start stop",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zremrangebyscore",
        handler: zremrangebyscore,
        arity: 4,
        flags: flags::WRITE,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "1.2.0",
        summary: "Remove all members in a sorted set within the given scores",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        syntax: "key min max",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zremrangebylex",
        handler: zremrangebylex,
        arity: 4,
        flags: flags::WRITE,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.8.9",
        summary: "Remove all members in a sorted set between the given lexicographical range",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        syntax: "key min max",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zpopmin",
        handler: zpopmin,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "5.0.0",
        summary: "Remove and return members with the lowest scores in a sorted set",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        syntax: "key [count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zpopmax",
        handler: zpopmax,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "5.0.0",
        summary: "Remove and return members with the highest scores in a sorted set",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        syntax: "key [count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zmpop",
        handler: zmpop,
        getkeys: Some(numkeys_at1),
        arity: -4,
        flags: flags::WRITE | flags::MOVABLE_KEYS,
        acl: &["@write", "@sortedset"],
        group: "sorted-set",
        since: "7.0.0",
        summary: "Remove and return members with scores in a sorted set",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        syntax: "numkeys key [key ...] <MIN | MAX> [COUNT count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zrandmember",
        handler: zrandmember,
        arity: -2,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "6.2.0",
        summary: "Get one or multiple random elements from a sorted set",
        complexity: "O(N) where N is the number of elements returned",
        syntax: "key [count [WITHSCORES]]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zunion",
        handler: zunion,
        getkeys: Some(numkeys_at1),
        arity: -3,
        flags: flags::READONLY | flags::MOVABLE_KEYS,
        acl: &["@read", "@sortedset"],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Add multiple sorted sets",
        complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        syntax: "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zinter",
        handler: zinter,
        getkeys: Some(numkeys_at1),
        arity: -3,
        flags: flags::READONLY | flags::MOVABLE_KEYS,
        acl: &["@read", "@sortedset"],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Intersect multiple sorted sets",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        syntax: "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zdiff",
        handler: zdiff,
        getkeys: Some(numkeys_at1),
        arity: -3,
        flags: flags::READONLY | flags::MOVABLE_KEYS,
        acl: &["@read", "@sortedset"],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Subtract multiple sorted sets",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        syntax: "numkeys key [key ...] [WITHSCORES]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zunionstore",
        handler: zunionstore,
        getkeys: Some(keys_dest_numkeys),
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::MOVABLE_KEYS,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.0.0",
        summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
        complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        syntax: "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zinterstore",
        handler: zinterstore,
        getkeys: Some(keys_dest_numkeys),
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::MOVABLE_KEYS,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.0.0",
        summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        syntax: "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zdiffstore",
        handler: zdiffstore,
        getkeys: Some(keys_dest_numkeys),
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::MOVABLE_KEYS,
        acl: &["@write", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "6.2.0",
        summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        syntax: "destination numkeys key [key ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zintercard",
        handler: zintercard,
        getkeys: Some(numkeys_at1),
        arity: -3,
        flags: flags::READONLY | flags::MOVABLE_KEYS,
        acl: &["@read", "@sortedset"],
        group: "sorted-set",
        since: "7.0.0",
        summary: "Intersect multiple sorted sets and return the cardinality of the result",
        complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        syntax: "numkeys key [key ...] [LIMIT limit]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "zscan",
        handler: zscan,
        arity: -3,
        flags: flags::READONLY,
        acl: &["@read", "@sortedset"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "sorted-set",
        since: "2.8.0",
        summary: "Incrementally iterate sorted sets elements and associated scores",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        syntax: "key cursor [MATCH pattern] [COUNT count]",
        ..CommandDef::DEFAULT
    },
];

/// The conversion thresholds in force (zset-max-listpack-entries / -value).
pub fn limits(st: &State) -> Limits {
    Limits {
        max_entries: st.cfg.zset_max_listpack_entries,
        max_value: st.cfg.zset_max_listpack_value,
    }
}

/// A sorted set for reading (counts keyspace hits and misses): None if the key is missing.
pub fn read_zset<'a>(
    st: &'a mut State,
    db: usize,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a mut ZSet>, CommandError> {
    match st.ks.read(db, key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::ZSet(z) => Ok(Some(z)),
            _ => Err(WRONGTYPE),
        },
    }
}

/// A sorted set for writing (no hit/miss accounting, as Redis's lookupKeyWrite).
pub fn write_zset<'a>(
    st: &'a mut State,
    db: usize,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a mut ZSet>, CommandError> {
    match st.ks.get(db, key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::ZSet(z) => Ok(Some(z)),
            _ => Err(WRONGTYPE),
        },
    }
}

/// One element of a reply with scores: flat `member score` in RESP2, a `[member, score]`
/// pair in RESP3.
#[inline]
pub fn reply_scored(r: &mut Reply, member: &[u8], score: f64, withscores: bool) {
    if withscores {
        if r.resp3 {
            r.array(2);
        }
        r.bulk(member);
        r.double(score);
    } else {
        r.bulk(member);
    }
}

/// Header of a reply of `n` elements, with scores or not.
#[inline]
pub fn reply_scored_header(r: &mut Reply, n: usize, withscores: bool) {
    if withscores && !r.resp3 {
        r.array(n * 2);
    } else {
        r.array(n);
    }
}
