//! COMMAND family (COUNT INFO DOCS LIST GETKEYS GETKEYSANDFLAGS HELP), in RESP2 and RESP3:
//! byte-exact rows for the connection commands, shape checks for the whole table, and
//! redis-cli (when installed) reading COMMAND DOCS for its hints.

mod common;
mod conn_support;

use common::TestServer;
use conn_support::{exp, raw, Conn};

fn both(srv: &TestServer, f: impl Fn(&mut Conn, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        f(&mut c, resp3);
    }
}

/// RESP3 aggregate headers, or their RESP2 equivalents.
fn set(n: usize, resp3: bool) -> String {
    format!("{}{n}\r\n", if resp3 { '~' } else { '*' })
}

fn map(n: usize, resp3: bool) -> String {
    if resp3 {
        format!("%{n}\r\n")
    } else {
        format!("*{}\r\n", 2 * n)
    }
}

fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

#[test]
fn info_rows_match_redis_bytes() {
    let srv = common::start();
    both(&srv, |c, r3| {
        let ping = format!(
            "*10\r\n{}:-1\r\n{}+fast\r\n:0\r\n:0\r\n:0\r\n{}+@fast\r\n+@connection\r\n{}{}{}{}{}",
            bulk("ping"),
            set(1, r3),
            set(2, r3),
            set(2, r3),
            bulk("request_policy:all_shards"),
            bulk("response_policy:all_succeeded"),
            set(0, r3),
            set(0, r3),
        );
        exp(c, &["COMMAND", "INFO", "ping"], &format!("*1\r\n{ping}"));
        // Unknown names give a null; names are case-insensitive; `parent|sub` works.
        let null = if r3 { "_\r\n" } else { "$-1\r\n" };
        exp(c, &["COMMAND", "INFO", "nosuch", "PING"], &format!("*2\r\n{null}{ping}"));
        let list = format!(
            "*10\r\n{}:-2\r\n{}+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n{}+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n{}{}{}{}",
            bulk("client|list"),
            set(4, r3),
            set(4, r3),
            set(1, r3),
            bulk("nondeterministic_output"),
            set(0, r3),
            set(0, r3),
        );
        exp(c, &["COMMAND", "INFO", "client|list"], &format!("*1\r\n{list}"));
        // A keyed command: its key spec comes from first/last/step.
        let ttl = format!(
            "*10\r\n{}:2\r\n{}+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n{}+@keyspace\r\n+@read\r\n+@fast\r\n{}{}{}{}{}{}+RO\r\n+access\r\n{}{}{}{}{}{}:1\r\n{}{}{}{}{}{}{}:0\r\n{}:1\r\n{}:0\r\n{}",
            bulk("ttl"),
            set(2, r3),
            set(3, r3),
            set(1, r3),
            bulk("nondeterministic_output"),
            set(1, r3),
            map(3, r3),
            bulk("flags"),
            set(2, r3),
            bulk("begin_search"),
            map(2, r3),
            bulk("type") + &bulk("index"),
            bulk("spec"),
            map(1, r3),
            bulk("index"),
            bulk("find_keys"),
            map(2, r3),
            bulk("type") + &bulk("range"),
            bulk("spec"),
            map(3, r3),
            bulk("lastkey"),
            "",
            bulk("keystep"),
            bulk("limit"),
            set(0, r3),
        );
        exp(c, &["COMMAND", "INFO", "ttl"], &format!("*1\r\n{ttl}"));
    });
}

#[test]
fn count_and_full_command_agree() {
    let srv = common::start();
    for resp3 in [false, true] {
        let mut c = if resp3 { srv.conn3() } else { srv.conn() };
        let n: usize = redis::cmd("COMMAND").arg("COUNT").query(&mut c).unwrap();
        let all: Vec<redis::Value> = redis::cmd("COMMAND").query(&mut c).unwrap();
        assert_eq!(all.len(), n);
        assert!(n > 20);
        let names: Vec<String> = redis::cmd("COMMAND").arg("LIST").query(&mut c).unwrap();
        // LIST has the subcommands too.
        assert!(names.len() > n);
        for want in ["ping", "hello", "client", "client|list", "command|docs", "expire"] {
            assert!(names.iter().any(|x| x == want), "{want}");
        }
        let info: Vec<redis::Value> = redis::cmd("COMMAND").arg("INFO").query(&mut c).unwrap();
        assert_eq!(info.len(), n);
    }
}

#[test]
fn list_filters() {
    let srv = common::start();
    both(&srv, |c, _| {
        let got = String::from_utf8_lossy(&c.call(&[
            "COMMAND",
            "LIST",
            "FILTERBY",
            "PATTERN",
            "client|*name",
        ]))
        .into_owned();
        assert!(got.starts_with("*2\r\n"), "{got}");
        assert!(got.contains("client|setname") && got.contains("client|getname"));
        let got = String::from_utf8_lossy(&c.call(&[
            "COMMAND",
            "LIST",
            "FILTERBY",
            "aclcat",
            "CONNECTION",
        ]))
        .into_owned();
        for want in ["$4\r\nping\r\n", "$5\r\nhello\r\n", "$11\r\nclient|kill\r\n"] {
            assert!(got.contains(want), "{want} in {got}");
        }
        assert!(!got.contains("$6\r\nexpire\r\n"));
        exp(c, &["COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch"], "*0\r\n");
        exp(c, &["COMMAND", "LIST", "FILTERBY", "module", "x"], "*0\r\n");
        exp(c, &["COMMAND", "LIST", "FILTERBY", "foo", "bar"], "-ERR syntax error\r\n");
        exp(c, &["COMMAND", "LIST", "FILTERBY", "pattern"], "-ERR syntax error\r\n");
        exp(c, &["COMMAND", "LIST", "x"], "-ERR syntax error\r\n");
    });
}

#[test]
fn getkeys_and_flags() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["COMMAND", "GETKEYS", "expire", "a", "1"], "*1\r\n$1\r\na\r\n");
        exp(c, &["COMMAND", "GETKEYS", "OBJECT", "encoding", "k"], "*1\r\n$1\r\nk\r\n");
        exp(
            c,
            &["COMMAND", "GETKEYSANDFLAGS", "ttl", "k"],
            &format!("*1\r\n*2\r\n$1\r\nk\r\n{}+RO\r\n+access\r\n", set(2, r3)),
        );
        exp(c, &["COMMAND", "GETKEYS", "nosuch", "a"], "-ERR Invalid command specified\r\n");
        exp(c, &["COMMAND", "GETKEYS", "client", "nosuch"], "-ERR Invalid command specified\r\n");
        exp(
            c,
            &["COMMAND", "GETKEYS", "ping", "x", "y"],
            "-ERR The command has no key arguments\r\n",
        );
        exp(
            c,
            &["COMMAND", "GETKEYS", "client", "list"],
            "-ERR The command has no key arguments\r\n",
        );
        exp(
            c,
            &["COMMAND", "GETKEYS", "expire", "a"],
            "-ERR Invalid number of arguments specified for command\r\n",
        );
        exp(
            c,
            &["COMMAND", "GETKEYS", "get"],
            "-ERR wrong number of arguments for 'command|getkeys' command\r\n",
        );
    });
}

#[test]
fn docs_rows_and_shape() {
    let srv = common::start();
    both(&srv, |c, r3| {
        let ping = format!(
            "{}{}{}{}{}{}{}{}{}{}*1\r\n{}{}{}{}{}{}{}+optional\r\n",
            bulk("ping"),
            map(5, r3),
            bulk("summary") + &bulk("Ping the server"),
            bulk("since") + &bulk("1.0.0"),
            bulk("group") + &bulk("connection"),
            bulk("complexity") + &bulk("O(1)"),
            bulk("arguments"),
            "",
            "",
            "",
            map(3, r3),
            bulk("name") + &bulk("message"),
            bulk("type") + &bulk("string"),
            bulk("flags"),
            set(1, r3),
            "",
            "",
        );
        exp(c, &["COMMAND", "DOCS", "ping", "nosuch"], &format!("{}{ping}", map(1, r3)));
        // Subcommands are keyed by their full name, as redis-cli requires.
        let got = String::from_utf8_lossy(&c.call(&["COMMAND", "DOCS", "client"])).into_owned();
        assert!(got.contains(&bulk("subcommands")));
        assert!(got.contains(&bulk("client|setname")));
        let got =
            String::from_utf8_lossy(&c.call(&["COMMAND", "DOCS", "client|setname"])).into_owned();
        assert!(got.starts_with(&format!("{}{}", map(1, r3), bulk("client|setname"))), "{got}");
        exp(c, &["COMMAND", "DOCS", "nosuch"], &map(0, r3));
    });
}

#[test]
fn help_lists_subcommands() {
    let srv = common::start();
    let mut c = raw(&srv, false);
    let got = String::from_utf8_lossy(&c.call(&["COMMAND", "HELP"])).into_owned();
    assert!(got.starts_with(
        "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
    ));
    assert!(got.ends_with("+HELP\r\n+    Prints this help.\r\n"));
    exp(
        &mut c,
        &["COMMAND", "COUNT", "x"],
        "-ERR wrong number of arguments for 'command|count' command\r\n",
    );
    exp(&mut c, &["COMMAND", "FOO"], "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
}

/// redis-cli asserts on COMMAND DOCS's shape when it starts without a command; a wrong
/// shape aborts it. Runs only where redis-cli is installed.
#[test]
fn redis_cli_reads_the_docs() {
    let srv = common::start();
    let port = srv.addr.port().to_string();
    for proto in [None, Some("-3")] {
        let mut cmd = std::process::Command::new("redis-cli");
        cmd.args(["-p", &port]);
        if let Some(p) = proto {
            cmd.arg(p);
        }
        cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
        let Ok(mut child) = cmd.spawn() else {
            eprintln!("redis-cli not installed: skipped");
            return;
        };
        use std::io::Write;
        child.stdin.take().unwrap().write_all(b"ping\necho hi\n").unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "PONG\nhi\n");
    }
}

/// redis-cli's `help` prints the parameter string it builds from COMMAND DOCS: the same
/// text Redis 7.0.15's own docs give it (its data, so without the MAXAGE filter ferrodis
/// also accepts).
#[test]
fn redis_cli_help_uses_the_argument_tree() {
    let srv = common::start();
    let port = srv.addr.port().to_string();
    let mut cmd = std::process::Command::new("redis-cli");
    cmd.args(["-p", &port]);
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
    let Ok(mut child) = cmd.spawn() else {
        eprintln!("redis-cli not installed: skipped");
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"help hello\nhelp client list\nhelp expire\nhelp client kill\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    // Drop the terminal colour codes.
    let mut plain = String::new();
    let mut esc = false;
    for ch in String::from_utf8_lossy(&out.stdout).chars() {
        match (esc, ch) {
            (_, '\u{1b}') => esc = true,
            (true, 'm') => esc = false,
            (true, _) => {}
            (false, c) => plain.push(c),
        }
    }
    for want in [
        "HELLO [protover [AUTH username password] [SETNAME clientname]]",
        "CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]",
        "EXPIRE key seconds [NX|XX|GT|LT]",
        "CLIENT KILL ip:port|[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] [[ID client-id]|",
        "summary: Handshake with Redis",
        "group: connection",
    ] {
        assert!(plain.contains(want), "{want:?} not in {plain}");
    }
}
