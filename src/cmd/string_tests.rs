//! In-process tests of the string and bitmap handlers: wrong types (no collection command
//! exists yet to create one over the network), keyspace bookkeeping of the single-lookup
//! write paths, and encodings.

use crate::cmd::args::Args;
use crate::cmd::{execute, Clock};
use crate::config::Config;
use crate::connection::Client;
use crate::db::Value;
use crate::state::State;

struct Harness {
    st: State,
    client: Client,
    clock: Clock,
    _peer: std::net::TcpStream,
}

const NOW: i64 = 1_700_000_000_000;

fn harness() -> Harness {
    let st = State::new(Config::default(), NOW);
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let peer = std::net::TcpStream::connect(addr).unwrap();
    let (sock, peer_addr) = l.accept().unwrap();
    sock.set_nonblocking(true).unwrap();
    let client = Client::new(1, 0, mio::net::TcpStream::from_std(sock), peer_addr, NOW);
    Harness { st, client, clock: Clock::new(NOW), _peer: peer }
}

impl Harness {
    fn run(&mut self, line: &str) -> String {
        let argv: Vec<Vec<u8>> = line.split(' ').map(|s| s.as_bytes().to_vec()).collect();
        self.client.wbuf.clear();
        execute(&mut self.st, &mut self.client, &Args::Owned(&argv), &mut self.clock);
        String::from_utf8_lossy(&self.client.wbuf).into_owned()
    }

    fn put_list(&mut self, key: &[u8]) {
        self.st.ks.set(0, key, Value::List(Box::default()), 0, 0);
    }
}

const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

#[test]
fn every_string_command_refuses_other_types() {
    let mut h = harness();
    h.put_list(b"l");
    h.run("SET s abc");
    for cmd in [
        "GET l",
        "SET l v GET",
        "SET l v NX GET",
        "SET l v XX GET",
        "SET l v EX 10 GET",
        "GETSET l v",
        "GETDEL l",
        "GETEX l",
        "GETEX l PERSIST",
        "GETEX l EX abc",
        "INCR l",
        "DECR l",
        "INCRBY l 5",
        "DECRBY l 5",
        "INCRBYFLOAT l 1.5",
        "APPEND l x",
        "STRLEN l",
        "GETRANGE l 0 -1",
        "SUBSTR l 0 -1",
        "SETRANGE l 0 x",
        "SETRANGE l 0 ",
        "SETBIT l 0 1",
        "GETBIT l 0",
        "BITCOUNT l",
        "BITCOUNT l a b",
        "BITPOS l 1",
        "BITPOS l 1 a",
        "BITOP OR d s l",
        "BITOP NOT d l",
        "BITFIELD l GET u8 0",
        "BITFIELD l SET u8 0 1",
        "BITFIELD_RO l GET u8 0",
    ] {
        assert_eq!(h.run(cmd), WRONGTYPE, "{cmd}");
    }
    // Errors found before the lookup win over the type.
    assert_eq!(h.run("INCRBY l x"), "-ERR value is not an integer or out of range\r\n");
    assert_eq!(h.run("SET l v EX 0"), "-ERR invalid expire time in 'set' command\r\n");
    assert_eq!(h.run("SET l v FOO"), "-ERR syntax error\r\n");
    assert_eq!(h.run("GETEX l FOO"), "-ERR syntax error\r\n");
    assert_eq!(h.run("SETBIT l -1 1"), "-ERR bit offset is not an integer or out of range\r\n");
    assert_eq!(h.run("BITPOS l 2"), "-ERR The bit argument must be 1 or 0.\r\n");
    assert_eq!(h.run("BITFIELD l GET x8 0"), "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n");
    assert_eq!(h.run("SETRANGE l -1 x"), "-ERR offset is out of range\r\n");
    // Plain writes replace the value; the failed commands above left it alone.
    assert!(matches!(h.st.ks.get(0, b"l", NOW).map(|e| &e.value), Some(Value::List(_))));
    assert_eq!(h.run("MGET s l nokey"), "*3\r\n$3\r\nabc\r\n$-1\r\n$-1\r\n");
    assert_eq!(h.run("LCS s l"), "-ERR The specified keys must contain string values\r\n");
    assert_eq!(h.run("LCS l s"), "-ERR The specified keys must contain string values\r\n");
    assert_eq!(h.run("MSETNX l 1 x 2"), ":0\r\n");
    assert_eq!(h.run("SETNX l v"), ":0\r\n");
    assert_eq!(h.run("SET l v NX"), "$-1\r\n");
    assert_eq!(h.run("SET l v XX"), "+OK\r\n");
    assert_eq!(h.run("GET l"), "$1\r\nv\r\n");
    h.put_list(b"l");
    assert_eq!(h.run("GETSET l v"), WRONGTYPE);
    assert_eq!(h.run("SET l v"), "+OK\r\n");
    h.put_list(b"l");
    assert_eq!(h.run("MSET l v"), "+OK\r\n");
    h.put_list(b"l");
    assert_eq!(h.run("BITOP OR l s"), ":3\r\n");
    assert_eq!(h.run("GET l"), "$3\r\nabc\r\n");
}

#[test]
fn set_and_incr_keep_the_expires_count_and_hit_stats() {
    let mut h = harness();
    h.run("SET a 1 EX 100");
    h.run("SET b 1 PX 100000");
    assert_eq!(h.st.ks.dbs[0].expires, 2);
    h.run("SET a 2");
    assert_eq!(h.st.ks.dbs[0].expires, 1);
    h.run("SET b 3 KEEPTTL");
    assert_eq!(h.st.ks.dbs[0].expires, 1);
    h.run("INCR b");
    h.run("APPEND b 0");
    h.run("SETRANGE b 0 9");
    h.run("INCRBYFLOAT b 1");
    assert_eq!(h.st.ks.dbs[0].expires, 1);
    assert_eq!(h.run("GET b"), "$2\r\n91\r\n");
    h.run("GETEX b PERSIST");
    assert_eq!(h.st.ks.dbs[0].expires, 0);
    // An expired key is absent for the write paths too, and counted as expired once.
    h.run("SET c 5 PXAT 1");
    assert_eq!(h.st.ks.dbs[0].expires, 1);
    let expired = h.st.ks.stats.expired_keys;
    assert_eq!(h.run("INCR c"), ":1\r\n");
    assert_eq!(h.st.ks.stats.expired_keys, expired + 1);
    assert_eq!(h.st.ks.dbs[0].expires, 0);
    h.run("SET c 5 PXAT 1");
    assert_eq!(h.run("APPEND c xy"), ":2\r\n");
    h.run("SET c 5 PXAT 1");
    assert_eq!(h.run("SET c v KEEPTTL"), "+OK\r\n");
    assert_eq!(h.run("PTTL c"), ":-1\r\n");
    h.run("SET c 5 PXAT 1");
    assert_eq!(h.run("SETBIT c 0 1"), ":0\r\n");
    assert_eq!(h.st.ks.dbs[0].expires, 0);
    let (hits, misses) = (h.st.ks.stats.keyspace_hits, h.st.ks.stats.keyspace_misses);
    h.run("GET a");
    h.run("GET nokey");
    h.run("MGET a nokey");
    h.run("INCR a");
    assert_eq!(h.st.ks.stats.keyspace_hits, hits + 2);
    assert_eq!(h.st.ks.stats.keyspace_misses, misses + 2);
}

#[test]
fn values_take_redis_encodings() {
    let mut h = harness();
    let enc = |h: &mut Harness, k: &str| h.run(&format!("OBJECT ENCODING {k}"));
    h.run("SET i 123");
    assert!(matches!(h.st.ks.get(0, b"i", NOW).unwrap().value, Value::Int(123)));
    h.run("INCR i");
    assert!(matches!(h.st.ks.get(0, b"i", NOW).unwrap().value, Value::Int(124)));
    h.run("SET s short");
    assert!(matches!(h.st.ks.get(0, b"s", NOW).unwrap().value, Value::Inline { .. }));
    h.run("APPEND s x");
    assert_eq!(enc(&mut h, "s"), "$3\r\nraw\r\n");
    h.run("INCRBYFLOAT f 2");
    assert_eq!(enc(&mut h, "f"), "$6\r\nembstr\r\n");
    h.run("SETBIT b 0 1");
    assert_eq!(enc(&mut h, "b"), "$3\r\nraw\r\n");
    h.run("BITOP NOT n b");
    assert_eq!(enc(&mut h, "n"), "$3\r\nraw\r\n");
    h.run("GETSET g 99");
    assert_eq!(enc(&mut h, "g"), "$3\r\nint\r\n");
}
