//! CONFIG, TIME, LASTSAVE, SLOWLOG, LATENCY, MEMORY and SHUTDOWN in RESP2 and RESP3, with
//! the replies Redis 7.0.15 gives (volatile values checked for shape only).

mod common;

use std::time::{Duration, Instant};

use common::{exp, q, raw, resp, TestServer};
use redis::Value;

fn err(c: &mut redis::Connection, words: &[&str]) -> String {
    let mut cmd = redis::cmd(words[0]);
    for w in &words[1..] {
        cmd.arg(*w);
    }
    match cmd.query::<Value>(c) {
        Ok(v) => panic!("{words:?} succeeded: {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn config_get_replies_map_in_resp3_and_pairs_in_resp2() {
    let srv = common::start();
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        let (m, none) = if resp3 { ("%1", "%0") } else { ("*2", "*0") };
        exp(&mut c, &["CONFIG", "GET", "hz"], &format!("{m}\r\n$2\r\nhz\r\n$2\r\n10\r\n"));
        exp(&mut c, &["config", "get", "nosuch"], &format!("{none}\r\n"));
        exp(
            &mut c,
            &["CONFIG", "GET"],
            "-ERR wrong number of arguments for 'config|get' command\r\n",
        );
    }
    let mut c = srv.conn();
    let all: Vec<String> = q(&mut c, &["CONFIG", "GET", "*"]);
    assert!(all.len() > 300 && all.len() % 2 == 0);
    let some: Vec<String> = q(&mut c, &["CONFIG", "GET", "maxmemory*", "hz", "maxmemory"]);
    assert!(some.contains(&"maxmemory-policy".to_string()));
    // Each parameter once, even when several patterns match it.
    assert_eq!(some.iter().filter(|s| *s == "maxmemory").count(), 1);
}

#[test]
fn config_set_is_atomic_with_redis_errors() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: String = q(&mut c, &["CONFIG", "SET", "hz", "20", "maxclients", "500"]);
    let v: Vec<String> = q(&mut c, &["CONFIG", "GET", "hz"]);
    assert_eq!(v, ["hz", "20"]);
    assert!(err(&mut c, &["CONFIG", "SET", "hz", "30", "maxclients", "x"])
        .contains("CONFIG SET failed (possibly related to argument 'maxclients')"));
    let v: Vec<String> = q(&mut c, &["CONFIG", "GET", "hz"]);
    assert_eq!(v, ["hz", "20"], "a failed CONFIG SET changes nothing");
    assert!(err(&mut c, &["CONFIG", "SET", "hz", "10", "hz", "11"]).contains("duplicate parameter"));
    assert!(err(&mut c, &["CONFIG", "SET", "nosuch", "1"])
        .contains("Unknown option or number of arguments for CONFIG SET - 'nosuch'"));
    assert!(err(&mut c, &["CONFIG", "SET", "hz", "10", "maxclients"]).contains("syntax error"));
    assert!(err(&mut c, &["CONFIG", "SET", "databases", "4"]).contains("can't set immutable"));
    let help: Vec<String> = q(&mut c, &["CONFIG", "HELP"]);
    assert_eq!(help[0], "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_eq!(help.len(), 11);
    assert!(
        err(&mut c, &["CONFIG", "REWRITE"]).contains("The server is running without a config file")
    );
}

#[test]
fn config_set_applies_at_runtime() {
    let srv = common::start();
    let mut c = srv.conn();
    // maxclients is read on accept: with 1 client allowed, a second connection is refused.
    let _: String = q(&mut c, &["CONFIG", "SET", "maxclients", "1"]);
    let mut r = srv.raw();
    let (got, _) = r.read_for(Duration::from_secs(2), 35);
    assert_eq!(got, b"-ERR max number of clients reached\r\n");
    let _: String = q(&mut c, &["CONFIG", "SET", "maxclients", "10000"]);
    // slowlog-log-slower-than is read by the dispatcher.
    let _: String = q(&mut c, &["SLOWLOG", "RESET"]);
    let _: String = q(&mut c, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    let _: i64 = q(&mut c, &["DBSIZE"]);
    let n: i64 = q(&mut c, &["SLOWLOG", "LEN"]);
    assert!(n >= 2, "{n}");
}

#[test]
fn config_rewrite_writes_the_config_file() {
    let dir = std::env::temp_dir().join(format!("ferrodis-rewrite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("redis.conf");
    std::fs::write(&path, "# my comment\nhz 10\n").unwrap();
    let cfg = ferrodis::config::Config::from_args(&[
        path.display().to_string(),
        "--port".into(),
        "0".into(),
        "--bind".into(),
        "127.0.0.1".into(),
    ])
    .unwrap();
    let server = ferrodis::server::Server::bind(cfg).unwrap();
    let addr = server.local_addr();
    std::thread::spawn(move || server.run());
    let mut c = redis::Client::open(format!("redis://{addr}/")).unwrap().get_connection().unwrap();
    let _: String = q(&mut c, &["CONFIG", "SET", "hz", "42"]);
    let _: String = q(&mut c, &["CONFIG", "REWRITE"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# my comment"), "{text}");
    assert!(text.contains("hz 42"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn time_and_lastsave() {
    let srv = common::start();
    for mut c in srv.conns() {
        let t: Vec<String> = q(&mut c, &["TIME"]);
        assert_eq!(t.len(), 2);
        let secs: u64 = t[0].parse().unwrap();
        let usec: u64 = t[1].parse().unwrap();
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert!(secs.abs_diff(now) <= 2 && usec < 1_000_000);
        let last: i64 = q(&mut c, &["LASTSAVE"]);
        assert!((last as u64) <= now && now - (last as u64) < 3600);
        assert!(err(&mut c, &["TIME", "x"]).contains("wrong number of arguments for 'time'"));
    }
}

#[test]
fn slowlog_records_commands_with_redis_entry_shape() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: String = q(&mut c, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    let _: String = q(&mut c, &["SLOWLOG", "RESET"]);
    let long = "x".repeat(200);
    let _: Value = q(&mut c, &["CONFIG", "GET", &long]);
    let mut many = vec!["CONFIG", "GET"];
    many.extend(std::iter::repeat_n("a", 40));
    let _: Value = q(&mut c, &many);
    let entries: Value = q(&mut c, &["SLOWLOG", "GET", "2"]);
    let Value::Array(entries) = entries else { panic!("{entries:?}") };
    assert_eq!(entries.len(), 2);
    // Newest first: the 42-argument CONFIG GET, then the long one.
    let Value::Array(e) = &entries[0] else { panic!() };
    assert_eq!(e.len(), 6);
    let Value::Array(args) = &e[3] else { panic!() };
    assert_eq!(args.len(), 32);
    assert_eq!(args[31], Value::BulkString(b"... (11 more arguments)".to_vec()));
    let Value::Array(e1) = &entries[1] else { panic!() };
    let Value::Array(args) = &e1[3] else { panic!() };
    let mut want = "x".repeat(128).into_bytes();
    want.extend_from_slice(b"... (72 more bytes)");
    assert_eq!(args[2], Value::BulkString(want));
    let Value::Int(id0) = e[0] else { panic!() };
    let Value::Int(id1) = e1[0] else { panic!() };
    assert_eq!(id0, id1 + 1);
    let n: i64 = q(&mut c, &["SLOWLOG", "LEN"]);
    assert!(n >= 3);
    let all: Vec<Value> = q(&mut c, &["SLOWLOG", "GET", "-1"]);
    assert_eq!(all.len() as i64, n + 1, "GET itself was logged before this one");
    let none: Vec<Value> = q(&mut c, &["SLOWLOG", "GET", "0"]);
    assert!(none.is_empty());
    assert!(err(&mut c, &["SLOWLOG", "GET", "-2"])
        .contains("count should be greater than or equal to -1"));
    let help: Vec<String> = q(&mut c, &["SLOWLOG", "HELP"]);
    assert_eq!(help.len(), 12);
    // The log keeps slowlog-max-len entries.
    let _: String = q(&mut c, &["CONFIG", "SET", "slowlog-max-len", "3"]);
    for _ in 0..5 {
        let _: i64 = q(&mut c, &["DBSIZE"]);
    }
    let n: i64 = q(&mut c, &["SLOWLOG", "LEN"]);
    assert_eq!(n, 3);
}

#[test]
fn latency_monitor_events_and_histograms() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        exp(&mut c, &["LATENCY", "RESET"], ":0\r\n");
        exp(&mut c, &["LATENCY", "LATEST"], "*0\r\n");
        exp(&mut c, &["LATENCY", "HISTORY", "command"], "*0\r\n");
        exp(
            &mut c,
            &["LATENCY", "GRAPH", "command"],
            "-ERR No samples available for event 'command'\r\n",
        );
        exp(&mut c, &["CONFIG", "SET", "latency-monitor-threshold", "100"], "+OK\r\n");
        exp(&mut c, &["DEBUG", "SLEEP", "0.2"], "+OK\r\n");
        let (latest, _) = {
            c.send(&resp(&[b"LATENCY", b"LATEST"]));
            c.read_for(Duration::from_millis(300), 0)
        };
        let text = String::from_utf8_lossy(&latest);
        assert!(text.starts_with("*1\r\n*4\r\n$7\r\ncommand\r\n:"), "{text}");
        c.send(&resp(&[b"LATENCY", b"GRAPH", b"command"]));
        let (graph, _) = c.read_for(Duration::from_millis(300), 0);
        let graph = String::from_utf8_lossy(&graph);
        assert!(graph.starts_with(if resp3 { "=" } else { "$" }), "{graph}");
        assert!(graph.contains("command - high "), "{graph}");
        c.send(&resp(&[b"LATENCY", b"DOCTOR"]));
        let (doc, _) = c.read_for(Duration::from_millis(300), 0);
        let doc = String::from_utf8_lossy(&doc);
        assert!(doc.contains("1. command: 1 latency spikes"), "{doc}");
        exp(&mut c, &["LATENCY", "RESET", "COMMAND", "nosuch"], ":1\r\n");
        exp(&mut c, &["CONFIG", "SET", "latency-monitor-threshold", "0"], "+OK\r\n");
        exp(&mut c, &["LATENCY", "HISTOGRAM", "nosuch"], if resp3 { "%0\r\n" } else { "*0\r\n" });
    }
    let mut c = srv.conn();
    let h: Value = q(&mut c, &["LATENCY", "HISTOGRAM", "debug", "latency|reset"]);
    let Value::Array(items) = h else { panic!("{h:?}") };
    assert_eq!(items.len(), 4, "{items:?}");
    assert_eq!(items[0], Value::BulkString(b"debug".to_vec()));
    let Value::Array(d) = &items[1] else { panic!() };
    assert_eq!(d[0], Value::BulkString(b"calls".to_vec()));
    assert!(matches!(d[1], Value::Int(n) if n >= 2));
    assert_eq!(d[2], Value::BulkString(b"histogram_usec".to_vec()));
    let Value::Array(buckets) = &d[3] else { panic!() };
    // Cumulative counts at power-of-two microsecond bounds.
    let nums: Vec<i64> =
        buckets.iter().map(|v| if let Value::Int(n) = v { *n } else { panic!() }).collect();
    for pair in nums.chunks(2).collect::<Vec<_>>().windows(2) {
        assert!(pair[1][0] > pair[0][0] && pair[1][1] > pair[0][1], "{nums:?}");
    }
    let doctor: String = q(&mut c, &["LATENCY", "DOCTOR"]);
    assert!(doctor.starts_with("I'm sorry, Dave"), "{doctor}");
    // A container name brings its subcommands.
    let h: Value = q(&mut c, &["LATENCY", "HISTOGRAM", "CONFIG"]);
    let Value::Array(items) = h else { panic!("{h:?}") };
    assert_eq!(items[0], Value::BulkString(b"config|set".to_vec()), "{items:?}");
    assert_eq!(items.len(), 2);
}

#[test]
fn memory_commands() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        exp(&mut c, &["MEMORY", "USAGE", "nokey"], if resp3 { "_\r\n" } else { "$-1\r\n" });
        exp(&mut c, &["MEMORY", "USAGE", "k", "SAMPLES", "-1"], "-ERR syntax error\r\n");
        exp(&mut c, &["MEMORY", "USAGE", "k", "SAMPLES"], "-ERR syntax error\r\n");
        exp(
            &mut c,
            &["MEMORY", "USAGE", "k", "SAMPLES", "x"],
            "-ERR value is not an integer or out of range\r\n",
        );
        exp(&mut c, &["MEMORY", "PURGE"], "+OK\r\n");
    }
    let mut c = srv.conn();
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "2", "small"]);
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "2", "big", "10000"]);
    let small: i64 = q(&mut c, &["MEMORY", "USAGE", "small:0"]);
    let big: i64 = q(&mut c, &["MEMORY", "USAGE", "big:0", "SAMPLES", "0"]);
    assert!(small > 0 && big > small + 10000, "{small} {big}");
    let stats: Value = q(&mut c, &["MEMORY", "STATS"]);
    let Value::Array(items) = stats else { panic!("{stats:?}") };
    let keys: Vec<String> = items
        .iter()
        .step_by(2)
        .map(|v| match v {
            Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
            v => panic!("{v:?}"),
        })
        .collect();
    assert_eq!(keys[0], "peak.allocated");
    assert!(keys.contains(&"db.0".to_string()) && keys.contains(&"keys.count".to_string()));
    let at = keys.iter().position(|k| k == "keys.count").unwrap();
    assert_eq!(items[at * 2 + 1], Value::Int(4));
    assert_eq!(keys.last().map(String::as_str), Some("fragmentation.bytes"));
    let doctor: String = q(&mut c, &["MEMORY", "DOCTOR"]);
    assert!(doctor.contains("Sam"), "{doctor}");
    let stats: String = q(&mut c, &["MEMORY", "MALLOC-STATS"]);
    assert!(!stats.is_empty());
    let help: Vec<String> = q(&mut c, &["MEMORY", "HELP"]);
    assert_eq!(help.len(), 14);
    // RESP3: ratios are doubles.
    let mut r = raw(&srv, true);
    r.send(&resp(&[b"MEMORY", b"STATS"]));
    let (got, _) = r.read_for(Duration::from_secs(1), 0);
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with('%') && got.contains("$18\r\ndataset.percentage\r\n,"), "{got}");
}

#[test]
fn shutdown_refusals_keep_the_server_running() {
    let srv = common::start();
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        exp(&mut c, &["SHUTDOWN", "bogus"], "-ERR syntax error\r\n");
        exp(&mut c, &["SHUTDOWN", "SAVE", "NOSAVE"], "-ERR syntax error\r\n");
        exp(&mut c, &["SHUTDOWN", "ABORT", "NOW"], "-ERR syntax error\r\n");
        exp(&mut c, &["SHUTDOWN", "ABORT"], "-ERR No shutdown in progress.\r\n");
        // A failing SHUTDOWN SAVE (it writes files) is covered by tests/rdb.rs.
        exp(&mut c, &["DBSIZE"], ":0\r\n");
    }
}

fn stops(srv: &TestServer, words: &[&[u8]]) {
    let mut c = srv.raw();
    c.send(&resp(words));
    assert!(c.closed_within(Duration::from_secs(2)), "{words:?}: connection closed, no reply");
    let deadline = Instant::now() + Duration::from_secs(2);
    while std::net::TcpStream::connect(srv.addr).is_ok() {
        assert!(Instant::now() < deadline, "{words:?}: the server stopped listening");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn shutdown_nosave_and_save_force_stop_the_server() {
    stops(&common::start(), &[b"SHUTDOWN", b"NOSAVE"]);
    stops(&common::start(), &[b"shutdown", b"save", b"force"]);
    stops(&common::start(), &[b"SHUTDOWN"]);
    stops(&common::start_with(&["--save", ""]), &[b"SHUTDOWN", b"NOW"]);
}

#[test]
fn config_set_port_moves_the_listener() {
    let srv = common::start();
    let mut c = srv.conn();
    let before: Vec<String> = q(&mut c, &["CONFIG", "GET", "port"]);
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let new_port = free.local_addr().unwrap().port();
    // A port another socket holds cannot be taken: the error is Redis's and nothing changes.
    let e = err(&mut c, &["CONFIG", "SET", "port", &new_port.to_string()]);
    assert!(e.contains("Unable to listen on this port"), "{e}");
    let v: Vec<String> = q(&mut c, &["CONFIG", "GET", "port"]);
    assert_eq!(v, before);
    drop(free);
    let _: String = q(&mut c, &["CONFIG", "SET", "port", &new_port.to_string()]);
    // The connection that asked stays; new clients use the new port only.
    let n: i64 = q(&mut c, &["DBSIZE"]);
    assert_eq!(n, 0);
    let info: String = q(&mut c, &["INFO", "server"]);
    assert!(info.contains(&format!("tcp_port:{new_port}\r\n")));
    let mut moved = redis::Client::open(format!("redis://127.0.0.1:{new_port}/"))
        .unwrap()
        .get_connection()
        .unwrap();
    let n: i64 = q(&mut moved, &["DBSIZE"]);
    assert_eq!(n, 0);
    assert!(std::net::TcpStream::connect(srv.addr).is_err(), "the old port is closed");
}

#[test]
fn slowlog_redacts_secrets_like_redis() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: String = q(&mut c, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    let _: String = q(&mut c, &["SLOWLOG", "RESET"]);
    let _ = err(&mut c, &["AUTH", "foo", "bar"]);
    let _ = redis::cmd("HELLO")
        .arg("2")
        .arg("AUTH")
        .arg("default")
        .arg("wrong")
        .arg("SETNAME")
        .arg("x")
        .query::<Value>(&mut c);
    let _: String = q(&mut c, &["CONFIG", "SET", "masterauth", "pw", "hz", "10"]);
    let _: String = q(&mut c, &["CONFIG", "SET", "masterauth", ""]);
    let entries: Value = q(&mut c, &["SLOWLOG", "GET", "4"]);
    let Value::Array(entries) = entries else { panic!("{entries:?}") };
    let argv: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let Value::Array(e) = e else { panic!("{e:?}") };
            let Value::Array(a) = &e[3] else { panic!("{e:?}") };
            a.iter()
                .map(|x| match x {
                    Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
                    x => panic!("{x:?}"),
                })
                .collect()
        })
        .collect();
    assert_eq!(
        argv,
        vec![
            vec!["CONFIG", "SET", "masterauth", "(redacted)"],
            vec!["CONFIG", "SET", "masterauth", "(redacted)", "hz", "10"],
            vec!["HELLO", "2", "AUTH", "(redacted)", "(redacted)", "SETNAME", "x"],
            vec!["AUTH", "(redacted)", "(redacted)"],
        ]
    );
}
