//! Command family: geo — GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH GEOSEARCHSTORE and the
//! GEORADIUS family, on sorted sets whose scores are 52-bit geohashes (Redis's geo.c).

use super::args::Args;
use super::table::{flags, CommandDef};
use super::zset::{limits, read_zset};
use super::{notify, Ctx};
use crate::db::zset::ZSet;
use crate::db::{Entry, Key, Value};
use crate::error::{CmdResult, CommandError, NOT_INTEGER, SYNTAX};
use crate::resp::reply::Reply;
use crate::util::geohash::{self, Search, Shape};
use crate::util::num;

const GEO_ACL_READ: &[&str] = &["@read", "@geo", "@slow"];
const GEO_ACL_WRITE: &[&str] = &["@write", "@geo", "@slow"];

const fn row(
    name: &'static str,
    handler: super::table::Handler,
    arity: i32,
    write: bool,
    since: &'static str,
    summary: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags: if write { flags::WRITE | flags::DENYOOM } else { flags::READONLY },
        acl: if write { GEO_ACL_WRITE } else { GEO_ACL_READ },
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "geo",
        since,
        summary,
        complexity:
            "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    row(
        "geoadd",
        geoadd,
        -5,
        true,
        "3.2.0",
        "Add one or more geospatial items in the geospatial index represented using a sorted set",
        "key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]",
    ),
    row(
        "geopos",
        geopos,
        -2,
        false,
        "3.2.0",
        "Returns longitude and latitude of members of a geospatial index",
        "key [member [member ...]]",
    ),
    row(
        "geodist",
        geodist,
        -4,
        false,
        "3.2.0",
        "Returns the distance between two members of a geospatial index",
        "key member1 member2 [M | KM | FT | MI]",
    ),
    row(
        "geohash",
        geohash_cmd,
        -2,
        false,
        "3.2.0",
        "Returns members of a geospatial index as standard geohash strings",
        "key [member [member ...]]",
    ),
    CommandDef {
        flags: flags::WRITE | flags::DENYOOM | flags::MOVABLE_KEYS,
        getkeys: Some(georadius_keys),
        ..row(
            "georadius",
            georadius,
            -6,
            true,
            "3.2.0",
            "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
            "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]",
        )
    },
    CommandDef {
        flags: flags::WRITE | flags::DENYOOM | flags::MOVABLE_KEYS,
        getkeys: Some(georadius_keys),
        ..row(
            "georadiusbymember",
            georadiusbymember,
            -5,
            true,
            "3.2.0",
            "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
            "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]",
        )
    },
    row(
        "georadius_ro",
        georadius_ro,
        -6,
        false,
        "3.2.10",
        "A read-only variant for GEORADIUS",
        "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]",
    ),
    row(
        "georadiusbymember_ro",
        georadiusbymember_ro,
        -5,
        false,
        "3.2.10",
        "A read-only variant for GEORADIUSBYMEMBER",
        "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]",
    ),
    row(
        "geosearch",
        geosearch,
        -7,
        false,
        "6.2.0",
        "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
        "key <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]",
    ),
    CommandDef {
        first_key: 1,
        last_key: 2,
        ..row(
            "geosearchstore",
            geosearchstore,
            -8,
            true,
            "6.2.0",
            "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
            "destination source <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [STOREDIST]",
        )
    },
];

/// GEORADIUS keys: the source, plus the STORE/STOREDIST destination if any.
fn georadius_keys(args: &Args) -> Result<Vec<usize>, CommandError> {
    let mut keys = vec![1];
    let mut i = 2;
    while i + 1 < args.len() {
        if args.is(i, "store") || args.is(i, "storedist") {
            keys.push(i + 1);
            i += 1;
        }
        i += 1;
    }
    Ok(keys)
}

/// Meters per unit (Redis's extractUnitOrReply).
fn unit(b: &[u8]) -> Result<f64, CommandError> {
    match b.to_ascii_lowercase().as_slice() {
        b"m" => Ok(1.0),
        b"km" => Ok(1000.0),
        b"ft" => Ok(0.3048),
        b"mi" => Ok(1609.34),
        _ => Err(CommandError::stat("ERR unsupported unit provided. please use M, KM, FT, MI")),
    }
}

fn float_or(b: &[u8], msg: Option<&'static str>) -> Result<f64, CommandError> {
    num::parse_f64(b).ok_or_else(|| match msg {
        Some(m) => CommandError::stat(m),
        None => CommandError::stat("ERR value is not a valid float"),
    })
}

/// extractLongLatOrReply.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<[f64; 2], CommandError> {
    let x = float_or(lon, None)?;
    let y = float_or(lat, None)?;
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&x)
        || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&y)
    {
        return Err(CommandError::msg(format!(
            "ERR invalid longitude,latitude pair {x:.6},{y:.6}"
        )));
    }
    Ok([x, y])
}

/// Redis's LD_STR_HUMAN form of a coordinate: 17 decimals, trailing zeros trimmed.
fn human17(v: f64) -> String {
    let mut s = format!("{v:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// A coordinate: bulk string in RESP2, double in RESP3 (addReplyHumanLongDouble).
fn reply_coord(r: &mut Reply, v: f64) {
    let s = human17(v);
    if r.resp3 {
        r.raw(b",");
        r.raw(s.as_bytes());
        r.raw(b"\r\n");
    } else {
        r.bulk(s.as_bytes());
    }
}

fn reply_distance(r: &mut Reply, d: f64) {
    r.bulk(format!("{d:.4}").as_bytes());
}

fn geoadd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (mut xx, mut nx) = (false, false);
    let mut first = 2;
    while first < args.len() {
        if args.is(first, "nx") {
            nx = true;
        } else if args.is(first, "xx") {
            xx = true;
        } else if !args.is(first, "ch") {
            break;
        }
        first += 1;
    }
    if (args.len() - first) % 3 != 0 || (xx && nx) {
        return Err(SYNTAX);
    }
    // GEOADD is ZADD with the coordinates turned into scores, as in Redis.
    let mut argv: Vec<Vec<u8>> = Vec::with_capacity(first + (args.len() - first) / 3 * 2);
    argv.push(b"zadd".to_vec());
    argv.extend(args.rest(1).take(first - 1).map(<[u8]>::to_vec));
    let mut i = first;
    while i < args.len() {
        let [x, y] = lon_lat(args.get(i), args.get(i + 1))?;
        let score = geohash::score_of(x, y).unwrap_or(0);
        argv.push(score.to_string().into_bytes());
        argv.push(args.get(i + 2).to_vec());
        i += 3;
    }
    let zadd = super::zset::COMMANDS
        .iter()
        .find(|d| d.name == "zadd")
        .map(|d| d.handler)
        .ok_or(CommandError::stat("ERR unknown command 'zadd'"))?;
    zadd(ctx, &Args::Owned(&argv))
}

fn geopos(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let z = read_zset(st, db, args.get(1), now)?;
    r.array(args.len() - 2);
    for m in args.rest(2) {
        match z.as_ref().and_then(|z| z.score(m)).and_then(geohash::decode_score) {
            Some([x, y]) => {
                r.array(2);
                reply_coord(&mut r, x);
                reply_coord(&mut r, y);
            }
            None => r.null_array(),
        }
    }
    Ok(())
}

fn geodist(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let to_meter = match args.len() {
        5 => unit(args.get(4))?,
        4 => 1.0,
        _ => return Err(SYNTAX),
    };
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(z) = read_zset(st, db, args.get(1), now)? else {
        r.null();
        return Ok(());
    };
    let a = z.score(args.get(2)).and_then(geohash::decode_score);
    let b = z.score(args.get(3)).and_then(geohash::decode_score);
    match (a, b) {
        (Some([x1, y1]), Some([x2, y2])) => {
            reply_distance(&mut r, geohash::distance(x1, y1, x2, y2) / to_meter)
        }
        _ => r.null(),
    }
    Ok(())
}

fn geohash_cmd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let z = read_zset(st, db, args.get(1), now)?;
    r.array(args.len() - 2);
    for m in args.rest(2) {
        match z.as_ref().and_then(|z| z.score(m)).and_then(geohash::standard_hash) {
            Some(h) => r.bulk(&h),
            None => r.null(),
        }
    }
    Ok(())
}

fn georadius(ctx: &mut Ctx, args: &Args) -> CmdResult {
    search(ctx, args, Kind::RadiusCoords { store: true })
}

fn georadius_ro(ctx: &mut Ctx, args: &Args) -> CmdResult {
    search(ctx, args, Kind::RadiusCoords { store: false })
}

fn georadiusbymember(ctx: &mut Ctx, args: &Args) -> CmdResult {
    search(ctx, args, Kind::RadiusMember { store: true })
}

fn georadiusbymember_ro(ctx: &mut Ctx, args: &Args) -> CmdResult {
    search(ctx, args, Kind::RadiusMember { store: false })
}

fn geosearch(ctx: &mut Ctx, args: &Args) -> CmdResult {
    search(ctx, args, Kind::Search { store: false })
}

fn geosearchstore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    search(ctx, args, Kind::Search { store: true })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    RadiusCoords { store: bool },
    RadiusMember { store: bool },
    Search { store: bool },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// One match: Redis's geoPoint.
struct Point {
    lon: f64,
    lat: f64,
    dist: f64,
    score: f64,
    member: Vec<u8>,
}

const NO_DECODE: CommandError = CommandError::stat("ERR could not decode requested zset member");

fn member_coords(z: &ZSet, member: &[u8]) -> Result<[f64; 2], CommandError> {
    z.score(member).and_then(geohash::decode_score).ok_or(NO_DECODE)
}

fn radius_arg(r: &[u8], u: &[u8]) -> Result<(f64, f64), CommandError> {
    let radius = float_or(r, Some("ERR need numeric radius"))?;
    if radius < 0.0 {
        return Err(CommandError::stat("ERR radius cannot be negative"));
    }
    Ok((radius, unit(u)?))
}

/// Redis's georadiusGeneric.
fn search(ctx: &mut Ctx, args: &Args, kind: Kind) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let src_idx = if matches!(kind, Kind::Search { store: true }) { 2 } else { 1 };
    let mut store_key: Option<&[u8]> = None;
    let mut storedist = false;
    let mut center = [0.0f64; 2];
    let mut shape = Shape::Circle { radius: 0.0 };
    let mut conversion = 1.0;
    let base;
    {
        let z = read_zset(ctx.st, db, args.get(src_idx), now)?;
        match kind {
            Kind::RadiusCoords { .. } => {
                base = 6;
                center = lon_lat(args.get(2), args.get(3))?;
                let (radius, conv) = radius_arg(args.get(4), args.get(5))?;
                shape = Shape::Circle { radius };
                conversion = conv;
            }
            Kind::RadiusMember { .. } => {
                base = 5;
                if let Some(z) = z.as_deref() {
                    center = member_coords(z, args.get(2))?;
                    let (radius, conv) = radius_arg(args.get(3), args.get(4))?;
                    shape = Shape::Circle { radius };
                    conversion = conv;
                }
            }
            Kind::Search { store } => {
                base = if store { 3 } else { 2 };
                if store {
                    store_key = Some(args.get(1));
                }
            }
        }
    }
    let is_search = matches!(kind, Kind::Search { .. });
    let no_store =
        matches!(kind, Kind::RadiusCoords { store: false } | Kind::RadiusMember { store: false });
    let (mut withdist, mut withhash, mut withcoord, mut any) = (false, false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut count: i64 = 0;
    let remaining = args.len().saturating_sub(base);
    let mut i = 0;
    while i < remaining {
        let at = base + i;
        let a = |k: &str| args.is(at, k);
        if a("withdist") {
            withdist = true;
        } else if a("withhash") {
            withhash = true;
        } else if a("withcoord") {
            withcoord = true;
        } else if a("any") {
            any = true;
        } else if a("asc") {
            sort = Sort::Asc;
        } else if a("desc") {
            sort = Sort::Desc;
        } else if a("count") && i + 1 < remaining {
            count = num::parse_i64(args.get(at + 1)).ok_or(NOT_INTEGER)?;
            if count <= 0 {
                return Err(CommandError::stat("ERR COUNT must be > 0"));
            }
            i += 1;
        } else if (a("store") || a("storedist")) && i + 1 < remaining && !no_store && !is_search {
            store_key = Some(args.get(at + 1));
            storedist = a("storedist");
            i += 1;
        } else if a("storedist") && matches!(kind, Kind::Search { store: true }) {
            storedist = true;
        } else if a("frommember") && i + 1 < remaining && is_search && !fromloc {
            if let Some(z) = read_zset(ctx.st, db, args.get(src_idx), now)?.as_deref() {
                center = member_coords(z, args.get(at + 1))?;
            }
            frommember = true;
            i += 1;
        } else if a("fromlonlat") && i + 2 < remaining && is_search && !frommember {
            center = lon_lat(args.get(at + 1), args.get(at + 2))?;
            fromloc = true;
            i += 2;
        } else if a("byradius") && i + 2 < remaining && is_search && !bybox {
            let (radius, conv) = radius_arg(args.get(at + 1), args.get(at + 2))?;
            shape = Shape::Circle { radius };
            conversion = conv;
            byradius = true;
            i += 2;
        } else if a("bybox") && i + 3 < remaining && is_search && !byradius {
            let w = float_or(args.get(at + 1), Some("ERR need numeric width"))?;
            let h = float_or(args.get(at + 2), Some("ERR need numeric height"))?;
            if h < 0.0 || w < 0.0 {
                return Err(CommandError::stat("ERR height or width cannot be negative"));
            }
            conversion = unit(args.get(at + 3))?;
            shape = Shape::Box { width: w, height: h };
            bybox = true;
            i += 3;
        } else {
            return Err(SYNTAX);
        }
        i += 1;
    }
    if store_key.is_some() && (withdist || withhash || withcoord) {
        let what = if matches!(kind, Kind::Search { store: true }) {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(CommandError::msg(format!(
            "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    let name = String::from_utf8_lossy(args.get(0)).into_owned();
    if is_search && !(frommember || fromloc) {
        return Err(CommandError::msg(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if is_search && !(byradius || bybox) {
        return Err(CommandError::msg(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if any && count == 0 {
        return Err(CommandError::stat("ERR the ANY argument requires COUNT argument"));
    }
    let search = Search { center, shape, conversion };
    let found = {
        let Some(z) = read_zset(ctx.st, db, args.get(src_idx), now)? else {
            // No source: an empty answer, and STORE deletes its destination.
            if let Some(dst) = store_key {
                if ctx.st.ks.delete(db, dst) {
                    ctx.modified(db, dst);
                    ctx.notify(notify::GENERIC, "del", db, dst);
                }
                ctx.reply().int(0);
            } else {
                ctx.reply().array(0);
            }
            return Ok(());
        };
        collect(z, &search, if any { count as usize } else { 0 })
    };
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let mut points = found;
    match sort {
        Sort::Asc => points.sort_by(|a, b| a.dist.total_cmp(&b.dist)),
        Sort::Desc => points.sort_by(|a, b| b.dist.total_cmp(&a.dist)),
        Sort::None => {}
    }
    let returned = if count == 0 { points.len() } else { points.len().min(count as usize) };
    points.truncate(returned);
    match store_key {
        None => {
            let options = withdist as usize + withhash as usize + withcoord as usize;
            let mut r = ctx.reply();
            r.array(points.len());
            for p in &points {
                if options > 0 {
                    r.array(options + 1);
                }
                r.bulk(&p.member);
                if withdist {
                    reply_distance(&mut r, p.dist / conversion);
                }
                if withhash {
                    r.int(p.score as i64);
                }
                if withcoord {
                    r.array(2);
                    reply_coord(&mut r, p.lon);
                    reply_coord(&mut r, p.lat);
                }
            }
        }
        Some(dst) => {
            if points.is_empty() {
                if ctx.st.ks.delete(db, dst) {
                    ctx.modified(db, dst);
                    ctx.notify(notify::GENERIC, "del", db, dst);
                }
            } else {
                let mut items: Vec<(Vec<u8>, f64)> = points
                    .into_iter()
                    .map(|p| {
                        let s = if storedist { p.dist / conversion } else { p.score };
                        (p.member, s)
                    })
                    .collect();
                items.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                let z = ZSet::from_sorted(&items, limits(ctx.st));
                let lru = super::object::new_object_lru(ctx);
                ctx.st.ks.delete(db, dst);
                let entry = Entry { expire: 0, lru, value: Value::ZSet(Box::new(z)) };
                ctx.st.ks.insert_entry(db, Key::new(dst), entry);
                ctx.modified(db, dst);
                let event = if is_search { "geosearchstore" } else { "georadiusstore" };
                ctx.notify(notify::ZSET, event, db, dst);
            }
            ctx.reply().int(returned as i64);
        }
    }
    Ok(())
}

/// membersOfAllNeighbors: scan the covering cells in Redis's order, skipping a cell equal to
/// the one processed just before, stopping early at `limit` matches (ANY).
fn collect(z: &ZSet, s: &Search, limit: usize) -> Vec<Point> {
    let cells = geohash::cells(s);
    let mut out = Vec::new();
    let mut last: usize = 0;
    for (i, cell) in cells.iter().enumerate() {
        if cell.is_zero() {
            continue;
        }
        if last != 0 && *cell == cells[last] {
            continue;
        }
        if !out.is_empty() && limit > 0 && out.len() >= limit {
            break;
        }
        let (min, max) = geohash::cell_scores(*cell);
        let (min, max) = (min as f64, max as f64);
        let skip = z.lower_bound(|score, _| score >= min);
        z.walk(skip, false, |member, score| {
            if score >= max {
                return false;
            }
            if let Some(xy) = geohash::decode_score(score) {
                if let Some(dist) = geohash::within(s, xy) {
                    out.push(Point {
                        lon: xy[0],
                        lat: xy[1],
                        dist,
                        score,
                        member: member.to_vec(),
                    });
                }
            }
            !(limit > 0 && out.len() >= limit)
        });
        last = i;
    }
    out
}
