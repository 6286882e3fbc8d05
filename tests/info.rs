//! INFO: sections, field format, counters (commandstats, errorstats, latencystats,
//! keyspace), CONFIG RESETSTAT, in RESP2 and RESP3. Values that depend on time or memory are
//! checked for shape only.

mod common;

use std::time::Duration;

use common::{q, raw, resp};

fn info(c: &mut redis::Connection, sections: &[&str]) -> String {
    let mut words = vec!["INFO"];
    words.extend_from_slice(sections);
    q(c, &words)
}

/// The value of `field` in an INFO text.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.split("\r\n").find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
}

fn headers(text: &str) -> Vec<&str> {
    text.split("\r\n").filter(|l| l.starts_with("# ")).collect()
}

const DEFAULT: &[&str] = &[
    "# Server",
    "# Clients",
    "# Memory",
    "# Persistence",
    "# Stats",
    "# Replication",
    "# CPU",
    "# Modules",
    "# Errorstats",
    "# Cluster",
    "# Keyspace",
];

#[test]
fn default_and_all_sections_in_redis_order() {
    let srv = common::start();
    for mut c in srv.conns() {
        let t = info(&mut c, &[]);
        assert_eq!(headers(&t), DEFAULT);
        assert_eq!(headers(&info(&mut c, &["default"])), DEFAULT);
        let all = vec![
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Commandstats",
            "# Errorstats",
            "# Latencystats",
            "# Cluster",
            "# Keyspace",
        ];
        assert_eq!(headers(&info(&mut c, &["all"])), all);
        assert_eq!(headers(&info(&mut c, &["EVERYTHING"])), all);
        // Several sections, any case, duplicates once, output in Redis's order.
        assert_eq!(
            headers(&info(&mut c, &["keyspace", "CPU", "cpu", "bogus", "server"])),
            ["# Server", "# CPU", "# Keyspace"]
        );
        assert_eq!(info(&mut c, &["bogus"]), "");
        assert_eq!(info(&mut c, &["modules"]), "# Modules\r\n");
        assert_eq!(info(&mut c, &["cluster"]), "# Cluster\r\ncluster_enabled:0\r\n");
    }
}

#[test]
fn lines_are_crlf_with_blank_line_between_sections() {
    let srv = common::start();
    let mut c = srv.conn();
    let t = info(&mut c, &["everything"]);
    assert!(!t.contains("\r\n\r\n\r\n"));
    assert!(t.ends_with("\r\n") && !t.ends_with("\r\n\r\n"));
    for line in t.split("\r\n") {
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
        assert!(
            line.is_empty() || line.starts_with("# ") || line.contains(':'),
            "malformed line {line:?}"
        );
    }
    assert!(t.contains("\r\n\r\n# Clients\r\n"));
}

#[test]
fn fields_that_tools_read() {
    let srv = common::start();
    let mut c = srv.conn();
    let t = info(&mut c, &["everything"]);
    assert_eq!(field(&t, "redis_version"), Some(ferrodis::REDIS_VERSION));
    assert_eq!(field(&t, "redis_mode"), Some("standalone"));
    let run_id = field(&t, "run_id").unwrap();
    assert_eq!(run_id.len(), 40);
    assert!(run_id.bytes().all(|b| b.is_ascii_hexdigit()));
    let replid = field(&t, "master_replid").unwrap();
    assert_eq!(replid.len(), 40);
    assert_ne!(replid, run_id);
    assert_eq!(field(&t, "tcp_port"), Some(srv.addr.port().to_string().as_str()));
    assert_eq!(field(&t, "process_id"), Some(std::process::id().to_string().as_str()));
    assert_eq!(field(&t, "role"), Some("master"));
    assert_eq!(field(&t, "loading"), Some("0"));
    assert_eq!(field(&t, "maxmemory_policy"), Some("noeviction"));
    assert_eq!(field(&t, "connected_clients"), Some("1"));
    // redis-cli --stat, redis_exporter and Sentinel read these as numbers.
    for f in [
        "uptime_in_seconds",
        "used_memory",
        "used_memory_rss",
        "used_memory_peak",
        "maxmemory",
        "blocked_clients",
        "tracking_clients",
        "total_commands_processed",
        "total_connections_received",
        "instantaneous_ops_per_sec",
        "total_net_input_bytes",
        "total_net_output_bytes",
        "rejected_connections",
        "expired_keys",
        "evicted_keys",
        "keyspace_hits",
        "keyspace_misses",
        "pubsub_channels",
        "pubsub_patterns",
        "total_error_replies",
        "rdb_bgsave_in_progress",
        "aof_rewrite_in_progress",
        "rdb_changes_since_last_save",
        "rdb_last_save_time",
        "connected_slaves",
        "master_repl_offset",
        "maxclients",
        "server_time_usec",
    ] {
        let v = field(&t, f).unwrap_or_else(|| panic!("{f} missing"));
        assert!(v.parse::<i64>().is_ok(), "{f}:{v}");
    }
    for f in ["used_cpu_sys", "used_cpu_user", "mem_fragmentation_ratio"] {
        let v = field(&t, f).unwrap();
        assert!(v.parse::<f64>().is_ok(), "{f}:{v}");
    }
    assert!(field(&t, "used_memory_human").unwrap().ends_with(['B', 'K', 'M', 'G']));
}

#[test]
fn command_stats_count_calls_rejections_and_failures() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: String = q(&mut c, &["CONFIG", "RESETSTAT"]);
    let _: Vec<String> = q(&mut c, &["CONFIG", "GET", "hz"]);
    let _: Vec<String> = q(&mut c, &["CONFIG", "GET", "port"]);
    // Arity errors are rejected calls, handler errors failed calls.
    assert!(redis::cmd("CONFIG").arg("GET").query::<()>(&mut c).is_err());
    assert!(redis::cmd("CONFIG").arg("SET").arg("hz").arg("x").query::<()>(&mut c).is_err());
    assert!(redis::cmd("NOSUCHCMD").query::<()>(&mut c).is_err());
    let t = info(&mut c, &["commandstats"]);
    let get = field(&t, "cmdstat_config|get").unwrap();
    assert!(get.starts_with("calls=2,usec="), "{get}");
    assert!(get.ends_with(",rejected_calls=1,failed_calls=0"), "{get}");
    let set = field(&t, "cmdstat_config|set").unwrap();
    assert!(set.starts_with("calls=1,") && set.ends_with("rejected_calls=0,failed_calls=1"));
    let per_call = set.split(',').find_map(|p| p.strip_prefix("usec_per_call=")).unwrap();
    assert_eq!(per_call.split('.').nth(1).map(str::len), Some(2), "{per_call}");
    // Unknown commands are counted only in errorstats.
    assert!(!t.contains("nosuchcmd"));
    let e = info(&mut c, &["errorstats"]);
    assert_eq!(e, "# Errorstats\r\nerrorstat_ERR:count=3\r\n");
    let s = info(&mut c, &["stats"]);
    assert_eq!(field(&s, "total_error_replies"), Some("3"));
}

#[test]
fn resetstat_clears_counters() {
    let srv = common::start();
    let mut c = srv.conn();
    assert!(redis::cmd("NOSUCHCMD").query::<()>(&mut c).is_err());
    let _: String = info(&mut c, &[]);
    let _: String = q(&mut c, &["CONFIG", "RESETSTAT"]);
    let t = info(&mut c, &["everything"]);
    assert_eq!(field(&t, "total_error_replies"), Some("0"));
    assert_eq!(field(&t, "total_connections_received"), Some("0"));
    // As in Redis, RESETSTAT itself is counted after it ran; this INFO is not yet.
    assert_eq!(field(&t, "total_commands_processed"), Some("1"));
    assert!(!t.contains("errorstat_"));
    let cmds: Vec<&str> = t.split("\r\n").filter(|l| l.starts_with("cmdstat_")).collect();
    assert_eq!(cmds.len(), 1, "{cmds:?}");
    assert!(cmds[0].starts_with("cmdstat_config|resetstat:calls=1,"));
    assert!(!t.contains("latency_percentiles_usec_info"));
    let t = info(&mut c, &["commandstats"]);
    assert!(t.contains("cmdstat_config|resetstat:calls=1,"), "{t}");
    assert!(t.contains("cmdstat_info:calls=1,"), "{t}");
}

#[test]
fn latencystats_follow_tracking_config() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: String = info(&mut c, &[]);
    let t = info(&mut c, &["latencystats"]);
    let line = field(&t, "latency_percentiles_usec_info").unwrap();
    let keys: Vec<&str> = line.split(',').map(|kv| kv.split('=').next().unwrap()).collect();
    assert_eq!(keys, ["p50", "p99", "p99.9"]);
    for kv in line.split(',') {
        let v = kv.split('=').nth(1).unwrap();
        assert_eq!(v.split('.').nth(1).map(str::len), Some(3), "{v}");
    }
    let _: String = q(&mut c, &["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.99"]);
    let t = info(&mut c, &["latencystats"]);
    let line = field(&t, "latency_percentiles_usec_info").unwrap();
    assert!(line.starts_with("p50=") && line.contains(",p99.99="), "{line}");
    let _: String = q(&mut c, &["CONFIG", "SET", "latency-tracking", "no"]);
    assert_eq!(info(&mut c, &["latencystats"]), "# Latencystats\r\n");
}

#[test]
fn keyspace_lists_non_empty_dbs() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    assert_eq!(info(&mut c, &["keyspace"]), "# Keyspace\r\n");
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "7"]);
    let _: i64 = q(&mut c, &["PEXPIRE", "key:1", "100000"]);
    let t = info(&mut c, &["keyspace"]);
    let line = field(&t, "db0").unwrap();
    assert!(line.starts_with("keys=7,expires=1,avg_ttl="), "{line}");
    let avg: i64 = line.rsplit('=').next().unwrap().parse().unwrap();
    assert!(avg > 90_000 && avg <= 100_000, "{avg}");
    let t = info(&mut c, &["stats", "persistence"]);
    assert!(field(&t, "rdb_changes_since_last_save").unwrap().parse::<u64>().unwrap() >= 1);
}

#[test]
fn resp3_reply_is_verbatim_text() {
    let srv = common::start();
    let mut c = raw(&srv, true);
    c.expect(&resp(&[b"INFO", b"cluster"]), b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
    c.expect(&resp(&[b"INFO", b"bogus"]), b"=4\r\ntxt:\r\n");
    let mut c = raw(&srv, false);
    c.expect(&resp(&[b"INFO", b"cluster"]), b"$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n");
    c.expect(&resp(&[b"INFO", b"bogus"]), b"$0\r\n\r\n");
    let mut c3 = srv.conn3();
    let t = info(&mut c3, &["server"]);
    assert_eq!(field(&t, "redis_version"), Some(ferrodis::REDIS_VERSION));
}

#[test]
fn clients_and_connections_are_counted() {
    let srv = common::start();
    let mut a = srv.conn();
    let _b = srv.conn();
    let _c = srv.conn();
    let t = info(&mut a, &["clients", "stats"]);
    assert_eq!(field(&t, "connected_clients"), Some("3"));
    assert!(field(&t, "total_connections_received").unwrap().parse::<u64>().unwrap() >= 3);
    let before: u64 = field(&t, "total_net_input_bytes").unwrap().parse().unwrap();
    let t = info(&mut a, &["stats"]);
    let after: u64 = field(&t, "total_net_input_bytes").unwrap().parse().unwrap();
    assert!(after > before);
}

#[test]
fn blocked_clients_are_counted() {
    let srv = common::start();
    let mut a = srv.raw();
    a.send(&resp(&[b"BLPOP", b"nolist", b"0"]));
    let mut b = srv.raw();
    b.send(&resp(&[b"BLPOP", b"nolist2", b"100"]));
    let mut c = srv.conn();
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    loop {
        let t = info(&mut c, &["clients"]);
        if field(&t, "blocked_clients") == Some("2") {
            assert_eq!(field(&t, "clients_in_timeout_table"), Some("1"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{t}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
