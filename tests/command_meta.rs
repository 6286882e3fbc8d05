//! COMMAND metadata from Redis 7.0.15's own data (key specs, flags, docs) and the commands a
//! standalone server without modules answers: LOLWUT, MODULE, CLUSTER, READONLY, READWRITE,
//! ASKING. Byte-exact replies, in RESP2 and RESP3.

mod common;
mod conn_support;

use common::TestServer;
use conn_support::Conn;

fn raw(srv: &TestServer, resp3: bool) -> Conn {
    let mut c = Conn::new(srv.raw());
    if resp3 {
        assert!(c.call(&["HELLO", "3"]).starts_with(b"%7\r\n"));
    }
    c
}

fn exp(c: &mut Conn, words: &[&str], reply: &str) {
    let got = c.call(words);
    assert_eq!(String::from_utf8_lossy(&got), reply, "{words:?}");
}

fn set(resp3: bool) -> char {
    if resp3 {
        '~'
    } else {
        '*'
    }
}

#[test]
fn getkeysandflags_follow_the_key_specs() {
    let srv = common::start();
    for resp3 in [false, true] {
        let s = set(resp3);
        let mut c = raw(&srv, resp3);
        // SET's spec has variable flags: its procedure decides (OW update, or RW with GET).
        exp(
            &mut c,
            &["COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"],
            &format!("*1\r\n*2\r\n$1\r\nk\r\n{s}2\r\n+OW\r\n+update\r\n"),
        );
        exp(
            &mut c,
            &["COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "get"],
            &format!("*1\r\n*2\r\n$1\r\nk\r\n{s}3\r\n+RW\r\n+access\r\n+update\r\n"),
        );
        // DEL's spec says RM delete, LMOVE's source and destination differ.
        exp(
            &mut c,
            &["COMMAND", "GETKEYSANDFLAGS", "del", "a"],
            &format!("*1\r\n*2\r\n$1\r\na\r\n{s}2\r\n+RM\r\n+delete\r\n"),
        );
        exp(
            &mut c,
            &["COMMAND", "GETKEYSANDFLAGS", "lmove", "a", "b", "left", "right"],
            &format!(
                "*2\r\n*2\r\n$1\r\na\r\n{s}3\r\n+RW\r\n+access\r\n+delete\r\n\
                 *2\r\n$1\r\nb\r\n{s}2\r\n+RW\r\n+insert\r\n"
            ),
        );
        // SORT's specs are unknown: the procedure finds the last STORE.
        exp(
            &mut c,
            &["COMMAND", "GETKEYS", "sort", "k", "by", "store", "store", "d1", "store", "d2"],
            "*2\r\n$1\r\nk\r\n$2\r\nd2\r\n",
        );
        // ZUNIONSTORE by its keynum spec; a numkeys that does not fit has no keys.
        exp(
            &mut c,
            &["COMMAND", "GETKEYS", "zunionstore", "d", "2", "a", "b", "weights", "1", "2"],
            "*3\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n",
        );
        exp(
            &mut c,
            &["COMMAND", "GETKEYS", "zunionstore", "d", "5", "a"],
            "-ERR Invalid arguments specified for command\r\n",
        );
        // EVAL may have no keys at all.
        exp(&mut c, &["COMMAND", "GETKEYS", "eval", "s", "0"], "*0\r\n");
        exp(
            &mut c,
            &["COMMAND", "GETKEYS", "xread", "count", "1", "streams", "a", "b", "0", "0"],
            "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
        );
        exp(
            &mut c,
            &["COMMAND", "GETKEYS", "georadius", "k", "0", "0", "1", "m", "store", "d"],
            "*2\r\n$1\r\nk\r\n$1\r\nd\r\n",
        );
        exp(
            &mut c,
            &["COMMAND", "GETKEYSANDFLAGS", "bitfield", "k", "get", "u8", "0"],
            &format!("*1\r\n*2\r\n$1\r\nk\r\n{s}2\r\n+RO\r\n+access\r\n"),
        );
        exp(
            &mut c,
            &["COMMAND", "GETKEYS", "cluster", "info"],
            "-ERR The command has no key arguments\r\n",
        );
    }
}

#[test]
fn info_shows_redis_key_specs_and_movable_keys() {
    let srv = common::start();
    let mut c = raw(&srv, true);
    let got = String::from_utf8(c.call(&["COMMAND", "INFO", "sort"])).unwrap();
    assert!(got.contains("~3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n"), "{got}");
    assert!(got.contains("$5\r\nnotes\r\n$120\r\nFor the optional BY/GET keyword."), "{got}");
    assert!(got.contains("$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n%0\r\n"), "{got}");
    let got = String::from_utf8(c.call(&["COMMAND", "INFO", "xread"])).unwrap();
    assert!(
        got.contains("$7\r\nkeyword\r\n$4\r\nspec\r\n%2\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n"),
        "{got}"
    );
    assert!(got.contains("$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n"));
    let got = String::from_utf8(c.call(&["COMMAND", "INFO", "lolwut", "cluster|info"])).unwrap();
    assert!(got.starts_with("*2\r\n*10\r\n$6\r\nlolwut\r\n:-1\r\n~2\r\n+readonly\r\n+fast\r\n"));
    assert!(got.contains("$12\r\ncluster|info\r\n:2\r\n~1\r\n+stale\r\n"), "{got}");
    // DOCS carry Redis's history and deprecation.
    let got = String::from_utf8(c.call(&["COMMAND", "DOCS", "georadius"])).unwrap();
    assert!(got.contains("$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n"), "{got}");
    assert!(got.contains("$7\r\nhistory\r\n~2\r\n*2\r\n$5\r\n6.2.0\r\n"), "{got}");
}

#[test]
fn list_filters_by_acl_category_and_module() {
    let srv = common::start();
    let mut con = srv.conn();
    let names = |con: &mut redis::Connection, args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = redis::cmd("COMMAND").arg(args).query(con).unwrap();
        v.sort();
        v
    };
    let dangerous = names(&mut con, &["LIST", "FILTERBY", "ACLCAT", "dangerous"]);
    for want in ["module|load", "cluster|reset", "flushall", "keys", "sort"] {
        assert!(dangerous.iter().any(|n| n == want), "{want} not in {dangerous:?}");
    }
    assert!(!dangerous.iter().any(|n| n == "get"));
    let conn_cat = names(&mut con, &["LIST", "FILTERBY", "ACLCAT", "CONNECTION"]);
    for want in ["asking", "readonly", "readwrite", "ping"] {
        assert!(conn_cat.iter().any(|n| n == want), "{want} not in {conn_cat:?}");
    }
    assert!(names(&mut con, &["LIST", "FILTERBY", "ACLCAT", "nosuch"]).is_empty());
    assert!(names(&mut con, &["LIST", "FILTERBY", "MODULE", "x"]).is_empty());
    let clusters = names(&mut con, &["LIST", "FILTERBY", "PATTERN", "cluster|*slot*"]);
    assert_eq!(
        clusters,
        [
            "cluster|addslots",
            "cluster|addslotsrange",
            "cluster|countkeysinslot",
            "cluster|delslots",
            "cluster|delslotsrange",
            "cluster|flushslots",
            "cluster|getkeysinslot",
            "cluster|keyslot",
            "cluster|setslot",
            "cluster|slots",
        ]
    );
}

#[test]
fn lolwut_dispatches_on_the_version() {
    let srv = common::start();
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        let verbatim = |s: &str| {
            if resp3 {
                format!("={}\r\ntxt:{s}\r\n", s.len() + 4)
            } else {
                format!("${}\r\n{s}\r\n", s.len())
            }
        };
        exp(&mut c, &["LOLWUT"], &verbatim("Redis ver. 7.0.15\n"));
        exp(&mut c, &["LOLWUT", "VERSION", "7"], &verbatim("Redis ver. 7.0.15\n"));
        exp(&mut c, &["LOLWUT", "VERSION"], &verbatim("Redis ver. 7.0.15\n"));
        let schotter = "⠋\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n";
        exp(&mut c, &["LOLWUT", "VERSION", "5", "1", "1", "1"], &verbatim(schotter));
        exp(&mut c, &["LOLWUT", "version", "5", "0", "-3", "0"], &verbatim(schotter));
        // (unsigned)4294967301 is 5.
        exp(&mut c, &["LOLWUT", "VERSION", "4294967301", "1", "1", "1"], &verbatim(schotter));
        exp(
            &mut c,
            &["LOLWUT", "VERSION", "x"],
            "-ERR value is not an integer or out of range\r\n",
        );
        exp(
            &mut c,
            &["LOLWUT", "VERSION", "5", "x"],
            "-ERR value is not an integer or out of range\r\n",
        );
        let six = c.call(&["LOLWUT", "VERSION", "6", "3", "2"]);
        let six = String::from_utf8(six).unwrap();
        assert!(
            six.ends_with(
                "\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. 7.0.15\n\r\n"
            ),
            "{six}"
        );
        // Two rows of three pixels, each pixel a colour escape around a space.
        assert_eq!(six.matches(" \x1b[0m").count(), 6);
    }
}

#[test]
fn module_answers_as_redis_without_modules() {
    let refused = "-ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n";
    let srv = common::start();
    let mut c = raw(&srv, false);
    exp(&mut c, &["MODULE", "LIST"], "*0\r\n");
    exp(&mut c, &["MODULE", "LOAD", "/nonexistent.so"], refused);
    exp(&mut c, &["MODULE", "UNLOAD", "x"], refused);
    exp(
        &mut c,
        &["MODULE", "LIST", "x"],
        "-ERR wrong number of arguments for 'module|list' command\r\n",
    );
    exp(&mut c, &["MODULE", "FOO"], "-ERR unknown subcommand 'FOO'. Try MODULE HELP.\r\n");
    let help = c.call(&["MODULE", "HELP"]);
    assert!(help.starts_with(b"*11\r\n+MODULE <subcommand>"));

    let srv = common::start_with(&["--enable-module-command", "yes"]);
    let mut c = raw(&srv, true);
    let load_err = "-ERR Error loading the extension. Please check the server logs.\r\n";
    exp(&mut c, &["MODULE", "LOAD", "/nonexistent.so", "a"], load_err);
    exp(&mut c, &["MODULE", "LOADEX", "/x", "CONFIG", "a", "b", "ARGS", "c"], load_err);
    exp(
        &mut c,
        &["MODULE", "UNLOAD", "x"],
        "-ERR Error unloading module: no such module with that name\r\n",
    );
    exp(&mut c, &["MODULE", "LIST"], "*0\r\n");
}

#[test]
fn cluster_commands_answer_cluster_disabled() {
    let disabled = "-ERR This instance has cluster support disabled\r\n";
    let srv = common::start();
    let mut c = raw(&srv, false);
    for cmd in [
        &["CLUSTER", "INFO"][..],
        &["CLUSTER", "HELP"],
        &["CLUSTER", "KEYSLOT", "foo"],
        &["CLUSTER", "SLOTS"],
        &["CLUSTER", "SETSLOT", "1", "NODE", "x"],
        &["cluster", "count-failure-reports", "x"],
        &["READONLY"],
        &["READWRITE"],
        &["ASKING"],
    ] {
        exp(&mut c, cmd, disabled);
    }
    exp(
        &mut c,
        &["CLUSTER", "INFO", "x"],
        "-ERR wrong number of arguments for 'cluster|info' command\r\n",
    );
    exp(&mut c, &["CLUSTER", "x"], "-ERR unknown subcommand 'x'. Try CLUSTER HELP.\r\n");
    exp(&mut c, &["READONLY", "x"], "-ERR wrong number of arguments for 'readonly' command\r\n");
}

/// The committed data file is what the generator makes from the installed oracle today
/// (skipped without redis-server or python3).
#[test]
fn data_file_is_what_the_oracle_says() {
    use std::process::{Command, Stdio};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let Ok(mut oracle) = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .stdout(Stdio::null())
        .spawn()
    else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "oracle did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = Command::new("python3")
        .args([
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/command_meta.py"),
            &port.to_string(),
        ])
        .output();
    let _ = oracle.kill();
    let _ = oracle.wait();
    let Ok(out) = out else {
        eprintln!("python3 not installed: skipped");
        return;
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let committed = include_str!("../src/cmd/command_meta.tsv");
    assert!(String::from_utf8_lossy(&out.stdout) == committed, "regenerate command_meta.tsv");
}
