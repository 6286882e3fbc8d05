//! The golden protocol cases of shared/reference/RELIABILITY.md §1.3, byte for byte, over real
//! sockets: each case on a fresh connection, then whether the connection is still open (a PING
//! must answer +PONG) or closed. Run in RESP2 and again after HELLO 3.

mod common;

use std::time::Duration;

use common::{resp, Raw, TestServer};

const WAIT: Duration = Duration::from_millis(300);

enum After {
    Open,
    Closed,
}

fn case(srv: &TestServer, resp3: bool, payload: &[u8], reply: &[u8], after: After) {
    let mut c = srv.raw();
    if resp3 {
        c.send(&resp(&[b"HELLO", b"3"]));
        let (hello, _) = c.read_for(Duration::from_millis(500), 0);
        assert!(
            hello.starts_with(b"%7\r\n"),
            "HELLO 3 reply: {:?}",
            String::from_utf8_lossy(&hello)
        );
    }
    c.send(payload);
    let (got, closed) = c.read_for(WAIT, 0);
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(reply),
        "payload {:?} (resp3={resp3})",
        String::from_utf8_lossy(payload)
    );
    match after {
        After::Closed => {
            assert!(
                closed || check_closed(&mut c),
                "payload {:?} should close",
                String::from_utf8_lossy(payload)
            )
        }
        After::Open => {
            assert!(
                !closed,
                "payload {:?} closed the connection",
                String::from_utf8_lossy(payload)
            );
            c.send(b"PING\r\n");
            let (pong, _) = c.read_for(Duration::from_secs(2), 7);
            assert_eq!(
                String::from_utf8_lossy(&pong),
                "+PONG\r\n",
                "after {:?}",
                String::from_utf8_lossy(payload)
            );
        }
    }
}

fn check_closed(c: &mut Raw) -> bool {
    c.closed_within(Duration::from_millis(500))
}

const INVALID_MBULK: &[u8] = b"-ERR Protocol error: invalid multibulk length\r\n";
const INVALID_BULK: &[u8] = b"-ERR Protocol error: invalid bulk length\r\n";

fn all_cases(srv: &TestServer, r3: bool) {
    case(srv, r3, b"\r\n", b"", After::Open);
    case(srv, r3, b"*-10\r\n", b"", After::Open);
    case(srv, r3, b"*0\r\n", b"", After::Open);
    case(srv, r3, b"*3000000000\r\n", INVALID_MBULK, After::Closed);
    case(srv, r3, b"*2147483648\r\n", INVALID_MBULK, After::Closed);
    case(srv, r3, b"*+5\r\n", INVALID_MBULK, After::Closed);
    case(srv, r3, b"*05\r\n", INVALID_MBULK, After::Closed);
    case(srv, r3, b"*abc\r\n", INVALID_MBULK, After::Closed);
    case(
        srv,
        r3,
        b"$abc\r\n",
        b"-ERR unknown command '$abc', with args beginning with: \r\n",
        After::Open,
    );
    case(srv, r3, b"*1\r\n$abc\r\n", INVALID_BULK, After::Closed);
    case(srv, r3, b"*1\r\n$-1\r\n", INVALID_BULK, After::Closed);
    case(srv, r3, b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", INVALID_BULK, After::Closed);
    case(srv, r3, b"*1\r\n$600000000\r\n", INVALID_BULK, After::Closed);
    case(srv, r3, b"*1\r\n$536870913\r\n", INVALID_BULK, After::Closed);
    case(
        srv,
        r3,
        b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
        b"-ERR Protocol error: expected '$', got 'f'\r\n",
        After::Closed,
    );
    case(
        srv,
        r3,
        b"*1\r\n*1\r\n$4\r\nPING\r\n",
        b"-ERR Protocol error: expected '$', got '*'\r\n",
        After::Closed,
    );
    case(
        srv,
        r3,
        b"*1\r\n$3\r\nPING\r\n",
        b"-ERR unknown command 'PIN', with args beginning with: \r\n",
        After::Open,
    );
    case(srv, r3, b"*1\r\n$4\r\nPINGxx", b"+PONG\r\n", After::Open);
    case(
        srv,
        r3,
        b"*1\r\n$0\r\n\r\n",
        b"-ERR unknown command '', with args beginning with: \r\n",
        After::Open,
    );
    for q in [&b"set \"foo bar\r\n"[..], b"get 'k\r\n", b"get \"k\"x\r\n"] {
        case(srv, r3, q, b"-ERR Protocol error: unbalanced quotes in request\r\n", After::Closed);
    }
    case(srv, r3, b"PING\n", b"+PONG\r\n", After::Open);
    case(
        srv,
        r3,
        b"\x01\x02\x03\x04\x05\x06\x07\x08\t\xff\xfe\r\n",
        b"-ERR unknown command '\x01\x02\x03\x04\x05\x06\x07\x08', with args beginning with: '\xff\xfe' \r\n",
        After::Open,
    );
    case(
        srv,
        r3,
        b"%1\r\n+a\r\n+b\r\n",
        b"-ERR unknown command '%1', with args beginning with: \r\n-ERR unknown command '+a', with args beginning with: \r\n-ERR unknown command '+b', with args beginning with: \r\n",
        After::Open,
    );
    case(
        srv,
        r3,
        &vec![b'A'; 70_000],
        b"-ERR Protocol error: too big inline request\r\n",
        After::Closed,
    );
    let mut mb = b"*".to_vec();
    mb.extend(std::iter::repeat_n(b'1', 70_000));
    case(srv, r3, &mb, b"-ERR Protocol error: too big mbulk count string\r\n", After::Closed);
    let mut bb = b"*1\r\n$".to_vec();
    bb.extend(std::iter::repeat_n(b'1', 70_000));
    case(srv, r3, &bb, b"-ERR Protocol error: too big bulk count string\r\n", After::Closed);
    case(
        srv,
        r3,
        b"*1\r\n$3\r\nGET\r\n",
        b"-ERR wrong number of arguments for 'get' command\r\n",
        After::Open,
    );
    case(
        srv,
        r3,
        b"PING\r\n*1\r\n$x\r\nPING\r\n",
        b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n",
        After::Closed,
    );
}

#[test]
fn golden_cases_resp2() {
    let srv = common::start();
    all_cases(&srv, false);
}

#[test]
fn golden_cases_resp3() {
    let srv = common::start();
    all_cases(&srv, true);
}

#[test]
fn declared_512mb_bulk_waits_for_data() {
    let srv = common::start();
    let mut c = srv.raw();
    c.send(b"*1\r\n$536870912\r\n");
    let (got, closed) = c.read_for(WAIT, 0);
    assert!(got.is_empty() && !closed);
}

#[test]
fn unauthenticated_limits() {
    let srv = common::start_with(&["--requirepass", "pw"]);
    case(
        &srv,
        false,
        b"*11\r\n",
        b"-ERR Protocol error: unauthenticated multibulk length\r\n",
        After::Closed,
    );
    case(
        &srv,
        false,
        b"*2\r\n$4\r\nECHO\r\n$16385\r\n",
        b"-ERR Protocol error: unauthenticated bulk length\r\n",
        After::Closed,
    );
    let big = vec![b'a'; 16384];
    let mut c = srv.raw();
    c.expect(&resp(&[b"ECHO", &big]), b"-NOAUTH Authentication required.\r\n");
}

#[test]
fn maxclients_rejects_the_extra_client() {
    let srv = common::start_with(&["--maxclients", "5"]);
    let mut keep = Vec::new();
    for _ in 0..5 {
        let mut c = srv.raw();
        c.expect(b"PING\r\n", b"+PONG\r\n");
        keep.push(c);
    }
    let mut extra = srv.raw();
    let (got, closed) = extra.read_for(Duration::from_secs(1), 0);
    assert_eq!(String::from_utf8_lossy(&got), "-ERR max number of clients reached\r\n");
    assert!(closed || extra.closed_within(WAIT));
}

#[test]
fn query_buffer_limit_closes_silently() {
    let srv = common::start_with(&["--client-query-buffer-limit", "1mb"]);
    let mut c = srv.raw();
    c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n");
    let chunk = vec![b'x'; 64 * 1024];
    let mut closed = false;
    for _ in 0..40 {
        if std::io::Write::write_all(&mut c.s, &chunk).is_err() {
            closed = true;
            break;
        }
    }
    let (got, closed_now) = c.read_for(Duration::from_secs(1), 0);
    assert!(got.is_empty(), "no reply expected, got {:?}", String::from_utf8_lossy(&got));
    assert!(closed || closed_now);
}

#[test]
fn pipelined_requests_split_anywhere_get_every_reply() {
    let srv = common::start();
    let mut c = srv.raw();
    let mut req = Vec::new();
    for _ in 0..100 {
        req.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        req.extend_from_slice(b"PING\r\n");
    }
    for chunk in req.chunks(7) {
        c.send(chunk);
    }
    let want = "+PONG\r\n".repeat(200);
    let (got, _) = c.read_for(Duration::from_secs(3), want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
}

#[test]
fn security_attack_commands_close() {
    let srv = common::start();
    let mut c = srv.raw();
    c.send(b"POST / HTTP/1.1\r\n");
    assert!(c.closed_within(Duration::from_secs(1)));
    let mut c = srv.raw();
    c.send(b"Host: example.com\r\n");
    assert!(c.closed_within(Duration::from_secs(1)));
}
