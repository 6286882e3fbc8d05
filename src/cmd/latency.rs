//! Command family: LATENCY LATEST | HISTORY | RESET | GRAPH | DOCTOR | HISTOGRAM | HELP (Redis's
//! latency.c), and the per-command latency histogram behind LATENCY HISTOGRAM and INFO
//! latencystats.

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::state::{LatencyEvent, State};

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
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: &["@admin", "@slow", "@dangerous"],
        group: "server",
        since: "2.8.13",
        summary,
        complexity: "O(1)",
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "latency",
    arity: -2,
    acl: &["@slow"],
    group: "server",
    since: "2.8.13",
    summary: "A container for latency diagnostics commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        sub("doctor", doctor, 2, "Return a human readable latency analysis report.", ""),
        sub("graph", graph, 3, "Return a latency graph for the event.", "event"),
        CommandDef {
            name: "help",
            handler: help,
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: &["@slow"],
            group: "server",
            since: "2.8.13",
            summary: "Show helpful text about the different subcommands.",
            ..CommandDef::DEFAULT
        },
        CommandDef {
            since: "7.0.0",
            complexity:
                "O(N) where N is the number of commands with latency information being retrieved.",
            ..sub(
                "histogram",
                histogram,
                -2,
                "Return the cumulative distribution of latencies of a subset of commands or all.",
                "[command [command ...]]",
            )
        },
        sub("history", history, 3, "Return timestamp-latency samples for the event.", "event"),
        sub("latest", latest, 2, "Return the latest latency samples for all events.", ""),
        sub(
            "reset",
            reset,
            -2,
            "Reset latency data for one or more events.",
            "[event [event ...]]",
        ),
    ],
    ..CommandDef::DEFAULT
}];

const HELP: &[&str] = &[
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
    "HELP",
    "    Prints this help.",
];

/// Write a HELP reply: an array of status lines (Redis's addReplyHelp).
pub fn help_reply(ctx: &mut Ctx, lines: &[&str]) -> CmdResult {
    let mut r = ctx.reply();
    r.array(lines.len());
    for l in lines {
        r.simple(l.as_bytes());
    }
    Ok(())
}

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    help_reply(ctx, HELP)
}

/// Events in a stable order (Redis walks a dict; names sorted keep replies reproducible).
fn events(st: &State) -> Vec<(&'static str, &LatencyEvent)> {
    let mut v: Vec<_> = st.latency.events.iter().map(|(k, e)| (*k, e)).collect();
    v.sort_by_key(|(k, _)| *k);
    v
}

fn find_event<'a>(st: &'a State, name: &[u8]) -> Option<(&'static str, &'a LatencyEvent)> {
    st.latency.events.iter().find(|(k, _)| k.as_bytes() == name).map(|(k, e)| (*k, e))
}

fn latest(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let (st, mut r) = ctx.parts();
    let evs = events(st);
    r.array(evs.len());
    for (name, e) in evs {
        let (t, ms) = e.samples.back().copied().unwrap_or((0, 0));
        r.array(4);
        r.bulk(name.as_bytes());
        r.int(t);
        r.int(ms as i64);
        r.int(e.max as i64);
    }
    Ok(())
}

fn history(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (st, mut r) = ctx.parts();
    match find_event(st, args.get(2)) {
        None => r.array(0),
        Some((_, e)) => {
            r.array(e.samples.len());
            for &(t, ms) in &e.samples {
                r.array(2);
                r.int(t);
                r.int(ms as i64);
            }
        }
    }
    Ok(())
}

fn reset(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let ev = &mut ctx.st.latency.events;
    let n = if args.len() == 2 {
        let n = ev.len();
        ev.clear();
        n
    } else {
        let mut n = 0;
        for name in args.rest(2) {
            // Redis compares event names case-insensitively here (strcasecmp).
            let before = ev.len();
            ev.retain(|k, _| !k.as_bytes().eq_ignore_ascii_case(name));
            n += before - ev.len();
        }
        n
    };
    ctx.reply().int(n as i64);
    Ok(())
}

fn no_samples(name: &[u8]) -> CommandError {
    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    CommandError::msg(format!(
        "ERR No samples available for event '{}'",
        String::from_utf8_lossy(&name[..end])
    ))
}

fn graph(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let now_s = ctx.now_ms / 1000;
    let Some((name, e)) = find_event(ctx.st, args.get(2)) else {
        return Err(no_samples(args.get(2)));
    };
    let text = sparkline_graph(name, e, now_s);
    ctx.reply().verbatim(text.as_bytes());
    Ok(())
}

/// Redis's latencyCommandGenSparkeline + sparklineRender (80 columns, 4 rows, fill).
fn sparkline_graph(name: &str, e: &LatencyEvent, now_s: i64) -> String {
    let mut values: Vec<f64> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let (mut min, mut max) = (0u64, 0u64);
    let (mut smin, mut smax) = (0f64, 0f64);
    for (i, &(t, ms)) in e.samples.iter().enumerate() {
        if i == 0 {
            min = ms;
            max = ms;
        } else {
            max = max.max(ms);
            min = min.min(ms);
        }
        let elapsed = now_s - t;
        labels.push(if elapsed < 60 {
            format!("{elapsed}s")
        } else if elapsed < 3600 {
            format!("{}m", elapsed / 60)
        } else if elapsed < 86400 {
            format!("{}h", elapsed / 3600)
        } else {
            format!("{}d", elapsed / 86400)
        });
        let v = ms as f64;
        // sparklineSequenceAddSample's min/max (an `else if`, as in Redis).
        if i == 0 {
            smin = v;
            smax = v;
        } else if v < smin {
            smin = v;
        } else if v > smax {
            smax = v;
        }
        values.push(v);
    }
    let mut out = format!("{name} - high {max} ms, low {min} ms (all time high {} ms)\n", e.max);
    out.push_str(&"-".repeat(80));
    out.push('\n');
    let mut j = 0;
    while j < values.len() {
        let len = (values.len() - j).min(80);
        if j != 0 {
            out.push('\n');
        }
        render_range(&mut out, &values[j..j + len], &labels[j..j + len], smin, smax, 4);
        j += 80;
    }
    out
}

fn render_range(out: &mut String, vals: &[f64], labels: &[String], min: f64, max: f64, rows: i64) {
    const FILL: &[u8] = b"_o#";
    let charset_len = 3i64;
    let mut relmax = max - min;
    if relmax == 0.0 {
        relmax = 1.0;
    }
    let steps = charset_len * rows;
    let has_labels = !labels.is_empty();
    let mut row = 0i64;
    loop {
        let mut again = false;
        let mut chars = vec![b' '; vals.len()];
        for (j, &v) in vals.iter().enumerate() {
            let mut step = (((v - min) * steps as f64) / relmax) as i64;
            step = step.clamp(0, steps - 1);
            if row < rows {
                let idx = step - (rows - row - 1) * charset_len;
                again = true;
                if (0..charset_len).contains(&idx) {
                    chars[j] = FILL[idx as usize];
                } else if idx >= charset_len {
                    chars[j] = b'|';
                }
            } else {
                if has_labels && row - rows < 1 {
                    again = true;
                    break;
                }
                let label = labels[j].as_bytes();
                let at = (row - rows - 1) as usize;
                if label.len() > at {
                    again = true;
                    chars[j] = label[at];
                }
            }
        }
        if !again {
            break;
        }
        row += 1;
        out.push_str(&String::from_utf8_lossy(&chars));
        out.push('\n');
    }
}

struct EventStats {
    samples: u64,
    avg: u64,
    mad: u64,
    period: i64,
}

fn analyze(e: &LatencyEvent, now_s: i64) -> EventStats {
    let n = e.samples.len() as u64;
    let mut s = EventStats { samples: n, avg: 0, mad: 0, period: 0 };
    if n == 0 {
        return s;
    }
    let sum: u64 = e.samples.iter().map(|x| x.1).sum();
    s.avg = sum / n;
    let oldest = e.samples.iter().map(|x| x.0).min().unwrap_or(now_s);
    s.period = (now_s - oldest).max(0);
    if s.period == 0 {
        s.period = 1;
    }
    let dev: u64 = e.samples.iter().map(|x| (s.avg as i64 - x.1 as i64).unsigned_abs()).sum();
    s.mad = dev / n;
    s
}

fn doctor(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let text = latency_report(ctx.st, ctx.now_ms / 1000);
    ctx.reply().verbatim(text.as_bytes());
    Ok(())
}

/// Redis's createLatencyReport, for the events ferrodis records.
fn latency_report(st: &State, now_s: i64) -> String {
    let threshold = st.cfg.latency_monitor_threshold;
    if st.latency.events.is_empty() && threshold == 0 {
        return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".to_string();
    }
    let mut out = String::new();
    let (mut slowlog_enabled, mut slowlog_tuning, mut slowlog_inspect) = (false, false, false);
    let (mut scheduler, mut large_objects, mut hz) = (false, false, false);
    let mut advices = 0;
    let evs = events(st);
    for (i, (name, e)) in evs.iter().enumerate() {
        if i == 0 {
            out.push_str("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        }
        let s = analyze(e, now_s);
        out.push_str(&format!(
            "{}. {}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
            i + 1,
            name,
            s.samples,
            s.avg,
            s.mad,
            s.period as f64 / s.samples.max(1) as f64,
            e.max
        ));
        match *name {
            "command" => {
                let slower = st.cfg.slowlog_log_slower_than;
                if slower == 0 {
                    slowlog_enabled = true;
                    advices += 1;
                } else if slower / 1000 > threshold as i64 {
                    slowlog_tuning = true;
                    advices += 1;
                }
                slowlog_inspect = true;
                large_objects = true;
                advices += 2;
            }
            "fast-command" => {
                scheduler = true;
                advices += 1;
            }
            "expire-cycle" => {
                hz = true;
                large_objects = true;
                advices += 2;
            }
            "eviction-cycle" => {
                large_objects = true;
                advices += 1;
            }
            _ => {}
        }
        out.push('\n');
    }
    if evs.is_empty() {
        out.push_str("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n");
    } else if advices == 0 {
        out.push_str("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n");
    } else {
        out.push_str("\nI have a few advices for you:\n\n");
        if slowlog_enabled {
            out.push_str(&format!("- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than {}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold * 1000));
        }
        if slowlog_tuning {
            out.push_str(&format!("- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {}'.\n", threshold * 1000));
        }
        if slowlog_inspect {
            out.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
        }
        if scheduler {
            out.push_str("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
        }
        if hz && st.cfg.hz < 100 {
            out.push_str("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n");
        }
        if large_objects {
            out.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
        }
    }
    out
}

fn histogram(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (st, mut r) = ctx.parts();
    let mut ids: Vec<usize> = Vec::new();
    if args.len() == 2 {
        ids.extend((0..st.cmd_latency.len()).filter(|&i| st.cmd_latency[i].is_some()));
    } else {
        for name in args.rest(2) {
            // Names are full names ("config|get"); unknown or never-called ones are skipped.
            let Ok(name) = std::str::from_utf8(name) else { continue };
            let name = name.to_ascii_lowercase();
            let Some(id) = (0..st.table.len()).find(|&i| st.table.full_name(i) == name) else {
                continue;
            };
            // A container stands for itself and its subcommands, as in Redis.
            let subs = st.table.subcommands_of(id);
            for id in std::iter::once(id).chain(subs) {
                if st.cmd_latency[id].is_some() && !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    r.map(ids.len());
    for id in ids {
        let Some(h) = st.cmd_latency[id].as_deref() else { continue };
        r.bulk(st.table.full_name(id).as_bytes());
        r.map(2);
        r.bulk(b"calls");
        r.int(h.total as i64);
        r.bulk(b"histogram_usec");
        let cdf = h.cdf();
        r.map(cdf.len());
        for (us, n) in cdf {
            r.int(us as i64);
            r.int(n as i64);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// HDR histogram with Redis's parameters: values in nanoseconds from 1 to 1e9, two
// significant digits (hdr_init(1, 1000000000, 2)), so percentiles and CDF buckets come out
// exactly as Redis prints them.

const SUB_BUCKET_COUNT: u64 = 256;
const SUB_HALF: u64 = 128;
const SUB_HALF_MAG: u32 = 7;
const SUB_MASK: u64 = SUB_BUCKET_COUNT - 1;
const BUCKETS: usize = 23;
const COUNTS: usize = (BUCKETS + 1) * SUB_HALF as usize;
pub const HIST_MIN: u64 = 1;
pub const HIST_MAX: u64 = 1_000_000_000;

pub struct Histogram {
    counts: Box<[u64; COUNTS]>,
    pub total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: Box::new([0; COUNTS]), total: 0 }
    }
}

fn bucket_index(v: u64) -> u32 {
    let pow2ceiling = 64 - (v | SUB_MASK).leading_zeros();
    pow2ceiling - (SUB_HALF_MAG + 1)
}

fn counts_index(v: u64) -> usize {
    let b = bucket_index(v);
    let sub = v >> b;
    (((b as u64 + 1) << SUB_HALF_MAG) + sub - SUB_HALF) as usize
}

fn value_at_index(i: usize) -> u64 {
    let mut b = (i as i64 >> SUB_HALF_MAG) - 1;
    let mut sub = (i as u64 & (SUB_HALF - 1)) + SUB_HALF;
    if b < 0 {
        sub -= SUB_HALF;
        b = 0;
    }
    sub << b
}

fn lowest_equivalent(v: u64) -> u64 {
    let b = bucket_index(v);
    (v >> b) << b
}

fn highest_equivalent(v: u64) -> u64 {
    let b = bucket_index(v);
    let sub = v >> b;
    let adjusted = if sub >= SUB_BUCKET_COUNT { b + 1 } else { b };
    lowest_equivalent(v) + (1u64 << adjusted) - 1
}

impl Histogram {
    /// Record one command duration in microseconds (Redis records nanoseconds, clamped).
    pub fn record_usec(&mut self, usec: u64) {
        let ns = usec.saturating_mul(1000).clamp(HIST_MIN, HIST_MAX);
        self.counts[counts_index(ns)] += 1;
        self.total += 1;
    }

    /// hdr_value_at_percentile, in nanoseconds.
    pub fn value_at_percentile(&self, p: f64) -> u64 {
        let p = p.min(100.0);
        let want = (((p / 100.0) * self.total as f64) + 0.5) as u64;
        let want = want.max(1);
        let mut sum = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            sum += c;
            if sum >= want {
                return highest_equivalent(value_at_index(i));
            }
        }
        0
    }

    /// LATENCY HISTOGRAM's cumulative distribution: (bucket upper bound in usec, calls at or
    /// below it) at 1024 ns · 2^k, skipping buckets that add nothing (hdr_iter_log).
    pub fn cdf(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        if self.total == 0 {
            return out;
        }
        let mut prev = 0;
        let mut level: u64 = 1024;
        let mut idx = 0usize;
        let mut cum = 0u64;
        while level <= HIST_MAX * 4 {
            let limit = counts_index(lowest_equivalent(level).min(HIST_MAX)).min(COUNTS - 1);
            while idx <= limit {
                cum += self.counts[idx];
                idx += 1;
            }
            if cum > prev {
                out.push((highest_equivalent(level) / 1000, cum));
            }
            prev = cum;
            if cum >= self.total {
                break;
            }
            level *= 2;
        }
        out
    }
}

/// Record a command's duration, allocating its histogram on first use.
pub fn record(st: &mut State, id: usize, usec: u64) {
    if let Some(slot) = st.cmd_latency.get_mut(id) {
        slot.get_or_insert_with(Box::default).record_usec(usec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_redis_examples() {
        let mut h = Histogram::default();
        h.record_usec(8);
        // Redis 7.0.15 prints p50=8.031 for a single 8 us SET.
        assert_eq!(h.value_at_percentile(50.0), 8031);
        assert_eq!(h.value_at_percentile(99.9), 8031);
    }

    #[test]
    fn cdf_buckets_are_powers_of_two() {
        let mut h = Histogram::default();
        for us in [5, 6, 7, 12, 14] {
            h.record_usec(us);
        }
        assert_eq!(h.cdf(), vec![(8, 3), (16, 5)]);
        let mut h = Histogram::default();
        h.record_usec(30);
        h.record_usec(60);
        assert_eq!(h.cdf(), vec![(33, 1), (66, 2)]);
    }

    #[test]
    fn zero_and_huge_values_are_clamped() {
        let mut h = Histogram::default();
        h.record_usec(0);
        h.record_usec(u64::MAX);
        assert_eq!(h.total, 2);
        assert!(h.value_at_percentile(100.0) >= HIST_MAX);
        assert_eq!(h.cdf().first(), Some(&(1, 1)));
    }

    #[test]
    fn doctor_report_matches_redis() {
        let mut cfg = crate::config::Config::default();
        cfg.latency_monitor_threshold = 1;
        let mut st = State::new(cfg, 0);
        st.latency.add("command", 1000, 50);
        // Text of Redis 7.0.15 for one 50 ms DEBUG SLEEP seen 55 s earlier.
        let want = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n1. command: 1 latency spikes (average 50ms, mean deviation 0ms, period 55.00 sec). Worst all time event 50ms.\n\nI have a few advices for you:\n\n- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n";
        assert_eq!(latency_report(&st, 1055), want);
        st.latency.events.clear();
        st.latency.add("expire-cycle", 1000, 3);
        let r = latency_report(&st, 1001);
        assert!(r.contains("1. expire-cycle: 1 latency spikes"), "{r}");
        assert!(r.contains("'CONFIG SET hz 100'"), "{r}");
        st.latency.events.clear();
        let r = latency_report(&st, 1001);
        assert!(r.starts_with("Dave, no latency spike was observed"), "{r}");
    }

    #[test]
    fn sparkline_matches_redis_single_sample() {
        let mut e = LatencyEvent::default();
        e.samples.push_back((100, 50));
        e.max = 50;
        let g = sparkline_graph("command", &e, 155);
        let want = format!(
            "command - high 50 ms, low 50 ms (all time high 50 ms)\n{}\n \n \n \n_\n \n5\n5\ns\n",
            "-".repeat(80)
        );
        assert_eq!(g, want);
    }
}
