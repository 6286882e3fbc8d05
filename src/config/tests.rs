//! Configuration tests. Expected values and texts come from a Redis 7.0.15 server: its
//! `CONFIG GET *` (oracle_defaults.tsv), its CONFIG SET replies, its startup errors and
//! one CONFIG REWRITE result.

// A default configuration plus the one change under test reads better than struct updates.
#![allow(clippy::field_reassign_with_default)]

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `CONFIG GET *` of `redis-server` 7.0.15 started with no arguments, without `dir`
/// (the working directory of the process). `pidfile` is empty because that server was
/// not daemonized; Redis fills in /var/run/redis.pid only when it daemonizes.
const ORACLE_DEFAULTS: &str = include_str!("oracle_defaults.tsv");

/// Test-only glob: `*` and `?`, ASCII case folding. The real matcher lives in util::glob.
fn glob(p: &[u8], s: &[u8], nocase: bool) -> bool {
    let eq = |a: u8, b: u8| if nocase { a.eq_ignore_ascii_case(&b) } else { a == b };
    match (p.split_first(), s.split_first()) {
        (None, None) => true,
        (Some((b'*', rest)), _) => {
            glob(rest, s, nocase) || (!s.is_empty() && glob(p, &s[1..], nocase))
        }
        (Some((b'?', rest)), Some((_, srest))) => glob(rest, srest, nocase),
        (Some((&pc, rest)), Some((&sc, srest))) => eq(pc, sc) && glob(rest, srest, nocase),
        _ => false,
    }
}

fn get_all(c: &Config, pats: &[&str]) -> Vec<(String, String)> {
    let pats: Vec<&[u8]> = pats.iter().map(|p| p.as_bytes()).collect();
    c.config_get_with(&pats, glob)
}

fn get1(c: &Config, name: &str) -> String {
    c.get(name).unwrap_or_else(|| panic!("no parameter {name}"))
}

fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<(), String> {
    let pairs: Vec<(&[u8], &[u8])> =
        pairs.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())).collect();
    c.config_set_ungated(&pairs).map_err(|e| e.text().to_string())
}

fn set_err(c: &mut Config, name: &str, value: &str) -> String {
    set(c, &[(name, value)]).expect_err("CONFIG SET should fail")
}

/// A fresh directory under the system temp dir.
fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "ferrodis-config-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn load_err(text: &str) -> String {
    let mut c = Config::default();
    c.load_str(text).expect_err("loading should fail").to_string()
}

fn fatal(line: usize, text: &str, msg: &str) -> String {
    format!(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{msg}"
    )
}

#[test]
fn config_get_star_equals_redis_defaults() {
    let c = Config::default();
    let mut got = get_all(&c, &["*"]);
    let dir = got.iter().position(|(k, _)| k == "dir").expect("dir is listed");
    let (_, dir) = got.remove(dir);
    assert_eq!(dir, std::env::current_dir().unwrap().to_string_lossy());
    got.sort();
    let mut want: Vec<(String, String)> = ORACLE_DEFAULTS
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('\t').expect("name<TAB>value");
            (k.to_string(), v.to_string())
        })
        .collect();
    want.sort();
    let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
    let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}\nextra {extra:?}");
}

#[test]
fn every_default_round_trips() {
    let mut c = Config::default();
    // Protected ones (dir, dbfilename) need the permission; immutable ones go through a file.
    c.enable_protected_configs = EnableOpt::Yes;
    let all = get_all(&c, &["*"]);
    for (name, value) in &all {
        let (p, _) = lookup(name.as_bytes()).unwrap();
        if p.is_immutable() {
            // An empty replicaof cannot be written back (Redis refuses it the same way).
            if p.name == "replicaof" {
                continue;
            }
            let line = if p.multi_arg() && !value.is_empty() {
                format!("{name} {value}")
            } else {
                format!("{name} {}", text(&repr(value.as_bytes())))
            };
            let mut d = c.clone();
            d.load_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(&get1(&d, name), value, "{line}");
        } else {
            set(&mut c, &[(name, value)]).unwrap_or_else(|e| panic!("{name} {value:?}: {e}"));
            assert_eq!(&get1(&c, name), value, "{name}");
        }
    }
    assert_eq!(get_all(&c, &["*"]), all);
}

#[test]
fn config_get_patterns_aliases_and_hidden() {
    let c = Config::default();
    let names = |pats: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = get_all(&c, pats).into_iter().map(|(k, _)| k).collect();
        v.sort();
        v
    };
    // Patterns list aliases as well as canonical names.
    assert_eq!(
        names(&["hash-max-*"]),
        [
            "hash-max-listpack-entries",
            "hash-max-listpack-value",
            "hash-max-ziplist-entries",
            "hash-max-ziplist-value"
        ]
    );
    assert_eq!(names(&["*"]).len(), 192);
    // An exact name is answered as asked, once, whatever the case.
    assert_eq!(get_all(&c, &["MAXMEMORY"]), [("MAXMEMORY".to_string(), "0".to_string())]);
    assert_eq!(names(&["maxmemory", "MAXMEMORY"]), ["maxmemory"]);
    assert_eq!(names(&["slaveof", "replicaof"]), ["replicaof", "slaveof"]);
    assert_eq!(names(&["h?", "hz"]), ["hz"]);
    assert!(get_all(&c, &["nonexistent"]).is_empty());
    // Hidden parameters need their exact name.
    assert_eq!(get1(&c, "key-load-delay"), "0");
    assert_eq!(get1(&c, "loading-process-events-interval-bytes"), "2097152");
    assert!(names(&["*delay*"]).iter().all(|n| n != "key-load-delay"));
    assert!(names(&["set-max-*"]) == ["set-max-intset-entries"]);
}

#[test]
fn config_set_error_texts() {
    let mut c = Config::default();
    let cases: &[(&str, &str, &str)] = &[
        ("maxmemory", "abc", "argument must be a memory value"),
        ("hz", "abc", "argument couldn't be parsed into an integer"),
        ("hz", "-1", "argument must be between 0 and 2147483647 inclusive"),
        ("hz", "01", "argument couldn't be parsed into an integer"),
        ("hz", "+1", "argument couldn't be parsed into an integer"),
        ("loglevel", "foo", "argument(s) must be one of the following: debug, verbose, notice, warning"),
        (
            "maxmemory-policy",
            "foo",
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
        ),
        ("appendonly", "maybe", "argument must be 'yes' or 'no'"),
        ("port", "70000", "argument must be between 0 and 65535 inclusive"),
        ("maxclients", "0", "argument must be between 1 and 4294967295 inclusive"),
        ("maxclients", "-1", "argument must be between 1 and 4294967295 inclusive"),
        ("save", "1 2 3", "Invalid save parameters"),
        ("save", "900  1", "Invalid save parameters"),
        ("save", "0 1", "Invalid save parameters"),
        ("client-output-buffer-limit", "foo 1 2 3", "Invalid client class specified in buffer limit configuration."),
        ("client-output-buffer-limit", "master 1 2 3", "Invalid client class specified in buffer limit configuration."),
        ("client-output-buffer-limit", "normal 1 2", "Wrong number of arguments in buffer limit configuration."),
        (
            "client-output-buffer-limit",
            "pubsub 1 1 -1",
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
        ),
        ("notify-keyspace-events", "Q", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
        ("maxmemory-clients", "200%", "percentage argument must be less or equal to 100"),
        ("maxmemory-clients", "-5%", "argument must be a memory or percent value"),
        ("oom-score-adj-values", "1 2", "wrong number of arguments"),
        ("oom-score-adj-values", "1 2 9999", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."),
        ("latency-tracking-info-percentiles", "abc", "Invalid latency-tracking-info-percentiles parameters"),
        ("latency-tracking-info-percentiles", "101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"),
        ("latency-tracking-info-percentiles", "nan", "Invalid latency-tracking-info-percentiles parameters"),
        ("latency-tracking-info-percentiles", " 5", "Invalid latency-tracking-info-percentiles parameters"),
        ("shutdown-on-sigint", "save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"),
        ("shutdown-on-sigint", "", "argument(s) must be one of the following: default, save, nosave, now, force"),
        ("shutdown-on-sigint", "save  now", "argument(s) must be one of the following: default, save, nosave, now, force"),
        ("proc-title-template", "{title}", "template format is invalid or contains unknown variables"),
        ("proc-title-template", "{foo}", "template format is invalid or contains unknown variables"),
        ("proc-title-template", "{", "template format is invalid or contains unknown variables"),
        ("cluster-announce-hostname", "a_b", "Hostnames may only contain alphanumeric characters, hyphens or dots"),
        ("proto-max-bulk-len", "18446744073709551615", "argument must be between 1048576 and 9223372036854775807 inclusive"),
        ("active-defrag-ignore-bytes", "18446744073709551615", "argument must be between 1 and 9223372036854775807 inclusive"),
        ("slowlog-log-slower-than", "-2", "argument must be between -1 and 9223372036854775807 inclusive"),
        ("list-max-ziplist-size", "x", "argument couldn't be parsed into an integer"),
        ("daemonize", "no", "can't set immutable config"),
        ("slaveof", "a 1", "can't set immutable config"),
        ("unixsocketperm", "999", "can't set immutable config"),
        ("dir", "/tmp", "can't set protected config"),
        ("dbfilename", "/a/b", "can't set protected config"),
    ];
    for (name, value, msg) in cases {
        let before = c.clone();
        assert_eq!(
            set_err(&mut c, name, value),
            format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {msg}"),
            "{name} {value:?}"
        );
        assert_eq!(c, before);
    }
    assert_eq!(
        set_err(&mut c, "foo", "bar"),
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
    );
    // A parse error names the parameter as the table spells it; the others as asked.
    assert_eq!(
        set_err(&mut c, "MaxMemory", "abc"),
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
    );
    assert_eq!(
        set(&mut c, &[("maxmemory", "1"), ("MAXMEMORY", "2")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"
    );
    // The first problem found while looking the names up wins.
    assert_eq!(
        set(&mut c, &[("maxmemory", "0"), ("foo", "bar"), ("daemonize", "no")]).unwrap_err(),
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
    );
    assert_eq!(
        set(&mut c, &[("daemonize", "no"), ("foo", "bar")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
    );
    assert_eq!(
        set(&mut c, &[("maxmemory", "x"), ("daemonize", "no")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
    );
}

#[test]
fn config_set_is_atomic_and_aliases_are_distinct_entries() {
    let mut c = Config::default();
    let before = c.clone();
    assert_eq!(
        set(&mut c, &[("maxmemory", "5"), ("save", "10 1"), ("hz", "abc")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"
    );
    assert_eq!(c, before);
    set(&mut c, &[("maxmemory", "5mb"), ("save", "10 1"), ("hz", "20")]).unwrap();
    assert_eq!((c.maxmemory, c.save.clone(), c.hz), (5 << 20, vec![(10, 1)], 20));
    // Redis sees an alias as a table entry of its own: no duplicate error, last one wins.
    set(&mut c, &[("lua-time-limit", "100"), ("busy-reply-threshold", "200")]).unwrap();
    assert_eq!(get1(&c, "lua-time-limit"), "200");
    assert_eq!(c.busy_reply_threshold, 200);
}

#[test]
fn config_set_values_and_formatting() {
    let mut c = Config::default();
    let cases: &[(&str, &str, &str)] = &[
        ("hz", "1000", "500"),
        ("hz", "0", "1"),
        ("maxmemory-clients", "10%", "10%"),
        ("maxmemory-clients", "0%", "0"),
        ("maxmemory-clients", "1kb", "1024"),
        ("maxmemory-clients", "18446744073709551615", "1%"),
        ("activerehashing", "YES", "yes"),
        ("loglevel", "Warning", "warning"),
        ("oom-score-adj", "relative", "yes"),
        ("notify-keyspace-events", "KEA", "AKE"),
        ("notify-keyspace-events", "g$lshzxetd", "A"),
        ("notify-keyspace-events", "nA", "A"),
        ("notify-keyspace-events", "mK", "Km"),
        ("notify-keyspace-events", "xe", "xe"),
        ("notify-keyspace-events", "", ""),
        ("save", "", ""),
        ("save", "1 2 3 4 5 6", "1 2 3 4 5 6"),
        (
            "client-output-buffer-limit",
            "normal 1 2 3",
            "normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ),
        (
            "client-output-buffer-limit",
            "replica 1kb 2mb 3",
            "normal 1 2 3 slave 1024 2097152 3 pubsub 33554432 8388608 60",
        ),
        (
            "client-output-buffer-limit",
            "NORMAL 1k 2 3 pubsub 5 6 7",
            "normal 1000 2 3 slave 1024 2097152 3 pubsub 5 6 7",
        ),
        ("client-output-buffer-limit", "", "normal 1000 2 3 slave 1024 2097152 3 pubsub 5 6 7"),
        ("shutdown-on-sigint", "now save", "save now"),
        ("shutdown-on-sigint", "default save", "save"),
        ("shutdown-on-sigint", "force nosave now", "nosave now force"),
        ("shutdown-on-sigint", "default", "default"),
        ("proc-title-template", "{{title}}", "{{title}}"),
        ("proc-title-template", "x}", "x}"),
        ("latency-tracking-info-percentiles", "50 99.9 1e1", "50 99.9 10"),
        ("latency-tracking-info-percentiles", "0.0001 99.99999999", "0.0001 100"),
        ("latency-tracking-info-percentiles", "+5 .5 5. 0x10", "5 0.5 5 16"),
        ("latency-tracking-info-percentiles", "", ""),
        ("bind", "127.0.0.1 ::1", "127.0.0.1 ::1"),
        ("bind", "", ""),
        ("masterauth", "", ""),
        ("cluster-announce-hostname", "a.b-c", "a.b-c"),
    ];
    for (name, value, want) in cases {
        set(&mut c, &[(name, value)]).unwrap_or_else(|e| panic!("{name} {value:?}: {e}"));
        assert_eq!(&get1(&c, name), want, "{name} {value:?}");
    }
    assert_eq!(c.maxmemory_clients, -1);
    assert_eq!(c.notify_keyspace_events, 0);
    assert!(c.bind.is_empty());
    assert_eq!(c.shutdown_on_sigint, 0);
    assert_eq!(c.oom_score_adj, OomScoreAdj::Relative);
}

#[test]
fn runtime_adjustments_and_refusals() {
    let mut c = Config::default();
    set(&mut c, &[("repl-backlog-size", "1kb")]).unwrap();
    assert_eq!(get1(&c, "repl-backlog-size"), "16384");
    set(&mut c, &[("watchdog-period", "10")]).unwrap();
    assert_eq!(get1(&c, "watchdog-period"), "200");
    set(&mut c, &[("watchdog-period", "0")]).unwrap();
    assert_eq!(get1(&c, "watchdog-period"), "0");
    assert_eq!(
        set_err(&mut c, "activedefrag", "yes"),
        "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
    );
}

#[test]
fn multi_word_values_in_one_file_word_are_split() {
    let mut c = Config::default();
    c.load_str("save \"900 1\"\nlatency-tracking-info-percentiles \"50  99\"\nbind 'x y'\n")
        .unwrap();
    assert_eq!((get1(&c, "save").as_str(), c.bind.clone()), ("900 1", args(&["x", "y"])));
    assert_eq!(get1(&c, "latency-tracking-info-percentiles"), "50 99");
    c.load_str("bind \"a\\\"b\"\n").unwrap();
    assert!(c.bind.is_empty());
    assert_eq!(
        load_err("replicaof \"a b\"\n"),
        fatal(1, "replicaof \"a b\"", "Invalid master port")
    );
    assert_eq!(
        load_err("save \"900 1\" 300 \"10\"\n"),
        fatal(1, "save \"900 1\" 300 \"10\"", "Invalid save parameters")
    );
}

#[test]
fn memory_units() {
    let mut c = Config::default();
    let cases: &[(&str, Option<&str>)] = &[
        ("", Some("0")),
        ("k", Some("0")),
        ("b", Some("0")),
        ("1B", Some("1")),
        ("1K", Some("1000")),
        ("1kb", Some("1024")),
        ("1KB", Some("1024")),
        ("1m", Some("1000000")),
        ("1Mb", Some("1048576")),
        ("1g", Some("1000000000")),
        ("1gb", Some("1073741824")),
        ("01", Some("1")),
        ("99999999999999999999999", Some("18446744073709551615")),
        ("18446744073709551615", Some("18446744073709551615")),
        ("99999999999999999999kb", None),
        ("1tb", None),
        (" 1", None),
        ("+1", None),
        ("-1", None),
        ("1.5", None),
        ("0x10", None),
    ];
    for (v, want) in cases {
        let r = set(&mut c, &[("maxmemory", v)]);
        match want {
            Some(w) => {
                assert!(r.is_ok(), "{v:?}: {r:?}");
                assert_eq!(&get1(&c, "maxmemory"), w, "{v:?}");
            }
            None => assert!(r.is_err(), "{v:?} accepted"),
        }
    }
}

#[test]
fn config_file_with_comments_quotes_and_include() {
    let d = temp_dir();
    std::fs::write(d.join("inc.conf"), "maxmemory-samples 7\nsave 60 5\n").unwrap();
    let conf = d.join("main.conf");
    std::fs::write(
        &conf,
        "# a comment\n\
         \t  # an indented comment\n\
         \n\
         port 7777\r\n\
         requirepass \"a b\\\"c\\x41\\n\"\n\
         masterauth 'it\\'s'\n\
         bind 127.0.0.1 \"::1\"\n\
         save 900 1\n\
         save 300 10\n\
         include inc.conf\n\
         save 10 1\n\
         SLAVE-READ-ONLY no\n\
         hash-max-ziplist-entries 100\n\
         list-max-ziplist-entries 5\n\
         client-output-buffer-limit replica 1gb 2mb 3 pubsub 0 0 0\n\
         rename-command FLUSHALL \"\"\n\
         rename-command CONFIG cfg\n\
         user alice on >pw ~* +@all\n\
         shutdown-on-sigterm save now\n\
         hz 1000\n",
    )
    .unwrap();
    // Includes resolve from `dir`, as Redis resolves them from its working directory.
    let mut c = Config::default();
    c.dir = d.to_string_lossy().into_owned();
    let text_of = std::fs::read_to_string(&conf).unwrap();
    c.load_str(&text_of).unwrap();
    assert_eq!(c.port, 7777);
    assert_eq!(c.requirepass.as_deref(), Some(&b"a b\"cA\n"[..]));
    assert_eq!(c.masterauth.as_deref(), Some(&b"it's"[..]));
    assert_eq!(c.bind, ["127.0.0.1", "::1"]);
    // Redis quirk: once an included file has been read, each later `save` line replaces
    // the list instead of adding to it.
    assert_eq!(c.save, [(10, 1)]);
    assert_eq!(c.maxmemory_samples, 7);
    assert!(!c.replica_read_only);
    assert_eq!(c.hash_max_listpack_entries, 100);
    assert_eq!(
        get1(&c, "client-output-buffer-limit"),
        "normal 0 0 0 slave 1073741824 2097152 3 pubsub 0 0 0"
    );
    assert_eq!(
        c.rename_commands,
        [("FLUSHALL".to_string(), String::new()), ("CONFIG".to_string(), "cfg".to_string())]
    );
    assert_eq!(c.users, [args(&["alice", "on", ">pw", "~*", "+@all"])]);
    assert_eq!(c.shutdown_on_sigterm, SHUTDOWN_SAVE | SHUTDOWN_NOW);
    assert_eq!(c.hz, 500);

    // The same file through from_args: the path is remembered, options come last.
    let c2 = Config::from_args(&args(&[conf.to_str().unwrap(), "--port", "7778"]));
    // The include is relative to the process directory here, which is not d.
    assert!(matches!(c2, Err(ConfigError::Open { .. })), "{c2:?}");
    std::fs::write(
        &conf,
        text_of.replace("include inc.conf", &format!("include {}/inc.*", d.display())),
    )
    .unwrap();
    let c2 = Config::from_args_with_stdin(
        &args(&[conf.to_str().unwrap(), "--port", "7778"]),
        &mut std::io::empty(),
    )
    .unwrap();
    assert_eq!(c2.port, 7778);
    assert_eq!(c2.maxmemory_samples, 7);
    assert_eq!(c2.config_file.as_deref(), Some(conf.as_path()));

    // Without include, `save` lines add up; a glob matching nothing is fine.
    let mut c3 = Config::default();
    c3.load_str("save 900 1\nsave 300 10\ninclude /nonexistent-dir-xyz/*.conf\n").unwrap();
    assert_eq!(get1(&c3, "save"), "900 1 300 10");

    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn config_file_errors_have_redis_text() {
    let cases: &[(&str, usize, &str, &str)] = &[
        ("# c\nfoo bar\n", 2, "foo bar", "Bad directive or wrong number of arguments"),
        ("port abc\n", 1, "port abc", "argument couldn't be parsed into an integer"),
        ("port 99999\n", 1, "port 99999", "argument must be between 0 and 65535 inclusive"),
        ("save 1\n", 1, "save 1", "Invalid save parameters"),
        ("maxmemory 1x\n", 1, "maxmemory 1x", "argument must be a memory value"),
        (
            "loglevel foo",
            1,
            "loglevel foo",
            "argument(s) must be one of the following: debug, verbose, notice, warning",
        ),
        ("daemonize maybe\n", 1, "daemonize maybe", "argument must be 'yes' or 'no'"),
        ("port 1 2\n", 1, "port 1 2", "wrong number of arguments"),
        ("  port  \n", 1, "port", "wrong number of arguments"),
        ("bind \"a\n", 1, "bind \"a", "Unbalanced quotes in configuration line"),
        ("bind \"a\"b\n", 1, "bind \"a\"b", "Unbalanced quotes in configuration line"),
        ("a.b\n", 1, "a.b", "Module config specified without value"),
        ("sentinel foo\n", 1, "sentinel foo", "sentinel directive while not in sentinel mode"),
        (
            "list-max-ziplist-entries 5 6\n",
            1,
            "list-max-ziplist-entries 5 6",
            "Bad directive or wrong number of arguments",
        ),
        (
            "notify-keyspace-events Q\n",
            1,
            "notify-keyspace-events Q",
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
        ),
        (
            "client-output-buffer-limit normal 1 2\n",
            1,
            "client-output-buffer-limit normal 1 2",
            "Wrong number of arguments in buffer limit configuration.",
        ),
        ("replicaof a\n", 1, "replicaof a", "wrong number of arguments"),
        ("replicaof a b\n", 1, "replicaof a b", "Invalid master port"),
        ("oom-score-adj-values 1 2\n", 1, "oom-score-adj-values 1 2", "wrong number of arguments"),
        ("dbfilename a/b\n", 1, "dbfilename a/b", "dbfilename can't be a path, just a filename"),
        ("appendfilename \"\"\n", 1, "appendfilename \"\"", "appendfilename can't be empty"),
        (
            "appenddirname a/b\n",
            1,
            "appenddirname a/b",
            "appenddirname can't be a path, just a dirname",
        ),
        (
            "unixsocketperm 1000\n",
            1,
            "unixsocketperm 1000",
            "argument must be between 0 and 777 inclusive",
        ),
        (
            "unixsocketperm 8\n",
            1,
            "unixsocketperm 8",
            "argument couldn't be parsed as an octal number",
        ),
        (
            "unixsocketperm -1\n",
            1,
            "unixsocketperm -1",
            "argument must be between 0 and 777 inclusive",
        ),
        ("dir /nonexistent-xyz\n", 1, "dir /nonexistent-xyz", "No such file or directory"),
        (
            "socket-mark-id -1\n",
            1,
            "socket-mark-id -1",
            "argument must be between 0 and 4294967295 inclusive",
        ),
    ];
    for (input, line, text, msg) in cases {
        assert_eq!(load_err(input), fatal(*line, text, msg), "{input:?}");
    }
    let mut c = Config::default();
    c.load_str(
        "list-max-ziplist-entries 5\nlua-replicate-commands yes\nunixsocketperm 0777\nsentinel\n",
    )
    .unwrap();
    assert_eq!(c.unixsocketperm, 0o777);
    assert_eq!(get1(&c, "unixsocketperm"), "777");
    assert_eq!(
        load_err("cluster-enabled yes\nreplicaof h 1\n"),
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"
    );
    assert_eq!(
        load_err("logfile /nonexistent-xyz/log\n"),
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory"
    );
}

#[test]
fn command_line_options() {
    let c =
        Config::from_args(&args(&["--port", "6380", "--save", "", "--appendonly", "no"])).unwrap();
    assert_eq!((c.port, c.save.is_empty(), c.appendonly), (6380, true, false));
    assert_eq!(c.config_file, None);
    let c =
        Config::from_args(&args(&["--save", "900", "1", "300", "10", "--bind", "1.2.3.4", "::1"]))
            .unwrap();
    assert_eq!(get1(&c, "save"), "900 1 300 10");
    assert_eq!(c.bind, ["1.2.3.4", "::1"]);
    // `--save` followed by another option, or last, means `save ""`.
    let c = Config::from_args(&args(&["--save", "--port", "1"])).unwrap();
    assert_eq!((c.save.is_empty(), c.port), (true, 1));
    let c = Config::from_args(&args(&["--port", "1", "--save"])).unwrap();
    assert!(c.save.is_empty());
    // Name and value in one argument.
    let c = Config::from_args(&args(&["--port 6390", "--requirepass", "a \"b"])).unwrap();
    assert_eq!((c.port, c.requirepass.as_deref()), (6390, Some(&b"a \"b"[..])));
    // Errors count lines in "<file>\n<options>", as Redis does.
    let e = |a: &[&str]| Config::from_args(&args(a)).unwrap_err().to_string();
    assert_eq!(
        e(&["--port", "abc"]),
        fatal(2, "port \"abc\"", "argument couldn't be parsed into an integer")
    );
    assert_eq!(
        e(&["--port", "1", "--foo"]),
        fatal(3, "foo", "Bad directive or wrong number of arguments")
    );
    assert_eq!(e(&["--port"]), fatal(2, "port", "wrong number of arguments"));
    assert_eq!(
        e(&["--port", "1", "--save", "--hz", "abc"]),
        fatal(4, "hz \"abc\"", "argument couldn't be parsed into an integer")
    );
    assert_eq!(
        e(&["--port", "1", "--hz abc"]),
        fatal(3, "hz abc", "argument couldn't be parsed into an integer")
    );
    assert_eq!(
        e(&["--port", "1", "--hz", "5", "6"]),
        fatal(3, "hz \"5\" \"6\"", "wrong number of arguments")
    );
    assert_eq!(
        e(&["--port", "1", "--maxmemory-policy", "--hz"]),
        fatal(
            3,
            "maxmemory-policy \"--hz\"",
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
        )
    );
    let d = temp_dir();
    let f = d.join("a.conf");
    std::fs::write(&f, "port 7499\n").unwrap();
    assert_eq!(
        e(&[f.to_str().unwrap(), "--hz", "abc"]),
        fatal(3, "hz \"abc\"", "argument couldn't be parsed into an integer")
    );
    std::fs::write(&f, "port 7499").unwrap();
    assert_eq!(
        e(&[f.to_str().unwrap(), "--hz", "abc"]),
        fatal(2, "hz \"abc\"", "argument couldn't be parsed into an integer")
    );
    let missing = d.join("missing.conf");
    assert_eq!(
        e(&[missing.to_str().unwrap()]),
        format!(
            "Fatal error, can't open config file '{}': No such file or directory",
            missing.display()
        )
    );
    // A directory reads as an empty file.
    assert_eq!(Config::from_args(&args(&[d.to_str().unwrap(), "--port", "5"])).unwrap().port, 5);
    // `-` reads stdin after the file.
    let mut stdin: &[u8] = b"hz 7\n";
    let c = Config::from_args_with_stdin(&args(&["-", "--port", "8"]), &mut stdin).unwrap();
    assert_eq!((c.hz, c.port), (7, 8));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn rename_command_checks() {
    let mut c = Config::default();
    c.load_str("rename-command get g2\nrename-command FOOX bar\n").unwrap();
    let exists = |n: &str| matches!(n, "get" | "set");
    assert_eq!(
        c.check_rename_commands(exists).unwrap_err().to_string(),
        fatal(2, "rename-command FOOX bar", "No such command in rename-command")
    );
    let mut c = Config::default();
    c.load_str("rename-command get set\n").unwrap();
    assert_eq!(
        c.check_rename_commands(exists).unwrap_err().to_string(),
        fatal(1, "rename-command get set", "Target command name already exists")
    );
    let mut c = Config::default();
    c.load_str("rename-command set x\nrename-command get set\nrename-command set \"\"\n").unwrap();
    c.check_rename_commands(exists).unwrap();
}

#[test]
fn rewrite_matches_redis() {
    let d = temp_dir();
    let conf = d.join("rw.conf");
    let original = "# top comment\nport 7404\n\n# memory\nmaxmemory 1mb\nsave 900 1\nsave 300 10\n\
                    rename-command FLUSHALL \"\"\nslave-read-only yes\nhash-max-ziplist-entries 100\n\
                    \x20  # indented comment\nloglevel notice\nlist-max-ziplist-entries 5\nhz 10\nhz 11\n\
                    bind 127.0.0.1\nunixsocketperm 700\n";
    std::fs::write(&conf, original).unwrap();
    let mut c =
        Config::from_args_with_stdin(&args(&[conf.to_str().unwrap()]), &mut std::io::empty())
            .unwrap();
    assert_eq!(get1(&c, "save"), "900 1 300 10");
    c.dir = d.to_string_lossy().into_owned();
    set(
        &mut c,
        &[
            ("maxmemory", "0"),
            ("hz", "20"),
            ("maxmemory-policy", "allkeys-lru"),
            ("notify-keyspace-events", "KEA"),
            ("client-output-buffer-limit", "normal 1mb 2 3 pubsub 1gb 1000 0"),
            ("requirepass", "a b\"c"),
            ("slave-read-only", "no"),
            ("masterauth", "x\ty"),
            ("maxmemory-clients", "5%"),
            ("shutdown-on-sigint", "save now"),
            ("oom-score-adj-values", "0 100 800"),
            ("proto-max-bulk-len", "1000000000"),
        ],
    )
    .unwrap();
    c.config_rewrite().unwrap();
    let got = std::fs::read_to_string(&conf).unwrap();
    // Redis 7.0.15's output for the same steps. Appended lines follow Redis's hash order
    // there and table order here, so they are compared as a set; Redis also appends a
    // `user default ...` line, which ferrodis leaves to the ACL layer.
    let kept = "# top comment\nport 7404\n\n# memory\nmaxmemory 0\nsave 900 1\nsave 300 10\n\
                rename-command FLUSHALL \"\"\nreplica-read-only no\nhash-max-listpack-entries 100\n\
                # indented comment\nloglevel notice\n# ??? list-max-ziplist-entries 5\nhz 20\n\n\
                bind 127.0.0.1\nunixsocketperm 700\n\n# Generated by CONFIG REWRITE\n";
    assert!(got.starts_with(kept), "got:\n{got}");
    let mut appended: Vec<&str> = got[kept.len()..].lines().collect();
    appended.sort_unstable();
    let dir_line = format!("dir \"{}\"", d.display());
    let mut want = vec![
        "notify-keyspace-events \"AKE\"",
        "masterauth \"x\\ty\"",
        "requirepass \"a b\\\"c\"",
        "maxmemory-clients 5%",
        "client-output-buffer-limit normal 1mb 2 3",
        "client-output-buffer-limit pubsub 1gb 1000 0",
        "oom-score-adj-values 0 100 800",
        "shutdown-on-sigint save now",
        &dir_line,
        "proto-max-bulk-len 1000000000",
        "latency-tracking-info-percentiles 50 99 99.9",
        "maxmemory-policy allkeys-lru",
    ];
    want.sort_unstable();
    assert_eq!(appended, want);
    // The rewritten file loads back to the same values.
    let back =
        Config::from_args_with_stdin(&args(&[conf.to_str().unwrap()]), &mut std::io::empty())
            .unwrap();
    assert_eq!(get_all(&back, &["*"]), get_all(&c, &["*"]));
    // Back to the defaults.
    let mut e = Config::default();
    e.config_file = c.config_file.clone();
    e.dir = c.dir.clone();
    set(&mut e, &[("save", "")]).unwrap();
    e.config_rewrite().unwrap();
    let got = std::fs::read_to_string(&conf).unwrap();
    assert!(got.contains("save \"\"\n") && !got.contains("save 900"), "{got}");
    // Lines already in the file are reused even at the default value, except for the
    // parameters Redis removes at their default (bind, replicaof).
    assert!(!got.contains("bind ") && got.contains("notify-keyspace-events \"\"\n"), "{got}");
    assert!(got.contains("port 6379\n") && got.contains("rename-command FLUSHALL \"\"\n"), "{got}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn rewrite_without_file() {
    let c = Config::default();
    assert_eq!(
        c.config_rewrite().unwrap_err().text(),
        "ERR The server is running without a config file"
    );
    let d = temp_dir();
    let f = d.join("new.conf");
    let mut c = Config::default();
    c.dir = d.to_string_lossy().into_owned();
    c.replicaof = Some(("h".into(), 1));
    c.bind.clear();
    c.rewrite_file(&f).unwrap();
    let got = std::fs::read_to_string(&f).unwrap();
    assert!(got.starts_with("# Generated by CONFIG REWRITE\n"), "{got}");
    assert!(got.contains("replicaof h 1\n") && got.contains("bind \"\"\n"), "{got}");
    let no_dir = d.join("no/such/dir/x.conf");
    assert_eq!(
        c.rewrite_file(&no_dir).unwrap_err().text(),
        "ERR Rewriting config file: No such file or directory"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn protected_configs_follow_enable_protected_configs() {
    let d = temp_dir();
    let mut c = Config::default();
    c.enable_protected_configs = EnableOpt::Local;
    assert!(set(&mut c, &[("dir", d.to_str().unwrap())]).is_err());
    let pairs: [(&[u8], &[u8]); 1] = [(b"dir", d.to_str().unwrap().as_bytes())];
    c.config_set_with(&pairs, true).unwrap();
    assert_eq!(std::path::Path::new(&c.dir), d.canonicalize().unwrap());
    c.config_set_with(&[(b"dir", b"..")], true).unwrap();
    assert_eq!(std::path::Path::new(&c.dir), d.parent().unwrap().canonicalize().unwrap());
    let f = d.join("file");
    std::fs::write(&f, "").unwrap();
    let pairs: [(&[u8], &[u8]); 1] = [(b"dir", f.to_str().unwrap().as_bytes())];
    assert_eq!(
        c.config_set_with(&pairs, true).unwrap_err().text(),
        "ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn split_args_follows_sdssplitargs() {
    let s = |l: &str| {
        split_args(l.as_bytes()).map(|v| v.into_iter().map(|w| text(&w)).collect::<Vec<_>>())
    };
    assert_eq!(s("a  b\t\"c d\" 'e f'"), Some(args(&["a", "b", "c d", "e f"])));
    assert_eq!(s("\"\\x41\\xZZ\\n\""), Some(args(&["AxZZ\n"])));
    assert_eq!(s("'it\\'s' \"\""), Some(args(&["it's", ""])));
    assert_eq!(s("ab\"cd\""), Some(args(&["abcd"])));
    assert_eq!(s("\"a"), None);
    assert_eq!(s("'a'b"), None);
    assert_eq!(s("   "), Some(vec![]));
    assert_eq!(text(&repr(b"a\"\\\n\x01\xc3")), "\"a\\\"\\\\\\n\\x01\\xc3\"");
}

#[test]
fn flags_and_stored_only_list() {
    assert!(lookup(b"requirepass").unwrap().0.is_sensitive());
    assert!(lookup(b"SLAVEOF").unwrap().1);
    assert_eq!(lookup(b"slaveof").unwrap().0.name, "replicaof");
    let stored = stored_only();
    assert!(stored.contains(&"activedefrag") && stored.contains(&"tls-port"));
    assert!(!stored.contains(&"maxmemory") && !stored.contains(&"port"));
    assert!(!stored.contains(&"unixsocket") && !stored.contains(&"unixsocketperm"));
    // Every canonical name is unique, and no alias shadows a name.
    let mut names: Vec<&str> =
        params().iter().flat_map(|p| std::iter::once(p.name).chain(p.alias)).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
}

/// Deterministic xorshift so the no-panic test needs no dependency.
fn rng(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn no_panics_on_arbitrary_input() {
    let alphabet: &[u8] = b" \t\n\r\"'\\x0aAzZ9-%.kKmMgGbB*?[]{}#$";
    let mut st = 0x9e37_79b9_7f4a_7c15u64;
    let mut c = Config::default();
    for round in 0..3000 {
        let len = (rng(&mut st) % 24) as usize;
        let mut v: Vec<u8> = (0..len)
            .map(|_| {
                let r = rng(&mut st);
                if r % 7 == 0 {
                    (r >> 8) as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        if round % 5 == 0 {
            v.extend_from_slice(b"99999999999999999999999999");
        }
        let p = &params()[round % params().len()];
        // Never touch the real filesystem through dir or logfile.
        if matches!(p.name, "dir" | "logfile") {
            continue;
        }
        let _ = c.config_set_with(&[(p.name.as_bytes(), &v)], true);
        let mut line = p.name.as_bytes().to_vec();
        line.push(b' ');
        line.extend_from_slice(&v);
        let mut d = Config::default();
        let mut ctx = LoadCtx { reading_file: false, save_loaded: false, depth: 0 };
        let _ = d.load_string(&line, &mut ctx);
        let _ = d.load_string(&v, &mut ctx);
        let _ = split_args(&v);
        let _ = string2d(&v);
        let _ = memtoull(&v);
        let _ = strtoll(&v, 8);
    }
    let _ = get_all(&c, &["*"]);
}

#[test]
fn values_that_need_a_missing_feature_are_refused() {
    let mut c = Config::default();
    let set_gated = |c: &mut Config, k: &str, v: &str| {
        c.config_set(&[(k.as_bytes(), v.as_bytes())]).map_err(|e| e.text().to_string())
    };
    assert_eq!(
        set_gated(&mut c, "appendonly", "yes").unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'appendonly') - 'appendonly' needs AOF persistence, which ferrodis does not implement yet"
    );
    assert!(!c.appendonly, "a refused CONFIG SET changes nothing");
    // The alias is the name the client used.
    let e = set_gated(&mut c, "slave-priority", "5");
    assert!(e.is_ok(), "{e:?}");
    // min-replicas-to-write is real: without replicas, writes answer NOREPLICAS.
    assert!(set_gated(&mut c, "min-slaves-to-write", "1").is_ok());
    assert!(set_gated(&mut c, "maxmemory", "1mb").is_ok(), "eviction exists");
    assert!(set_gated(&mut c, "maxmemory-clients", "1mb").unwrap_err().contains("client eviction"));
    // All or nothing: one refused value undoes the others.
    assert!(set_gated(&mut c, "hz", "20").is_ok());
    let e = c.config_set(&[(b"hz", b"30"), (b"tls-port", b"6390")]).unwrap_err();
    assert!(e.text().contains("needs TLS"), "{}", e.text());
    assert_eq!(c.hz, 20);
    // Values that ask for nothing stay accepted.
    for (k, v) in [("appendonly", "no"), ("maxmemory", "0"), ("maxmemory-policy", "allkeys-lfu")] {
        assert!(set_gated(&mut c, k, v).is_ok(), "{k} {v}");
    }
    // shutdown-on-sigterm: every flag is real now that signals can save.
    assert!(set_gated(&mut c, "shutdown-on-sigterm", "nosave now force").is_ok());
    assert!(set_gated(&mut c, "shutdown-on-sigterm", "save").is_ok());
    // At startup: a fatal config error naming the feature.
    let e = Config::from_args(&args(&["--cluster-enabled", "yes"])).unwrap_err().to_string();
    assert!(e.contains("'cluster-enabled' needs cluster mode"), "{e}");
    let e = Config::from_args(&args(&["--replicaof", "127.0.0.1", "6379"])).unwrap_err();
    assert!(e.to_string().contains("'replicaof' needs replication"), "{e}");
    assert!(Config::from_args(&args(&["--appendonly", "no"])).is_ok());
    // Every row names a real parameter or file directive.
    for n in missing::NEEDS_FEATURE {
        assert!(
            lookup(n.setting.as_bytes()).is_some() || ["user", "loadmodule"].contains(&n.setting),
            "{}",
            n.setting
        );
        assert!(!(n.needs)(&Config::default()), "{} is refused by default", n.setting);
    }
}
