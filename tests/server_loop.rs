//! Loop-level behaviour: idle timeouts, clients closing mid-pipeline, large replies that need
//! several writes, and many clients at once.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

#[test]
fn idle_clients_are_closed_after_timeout() {
    let srv = common::start_with(&["--timeout", "1"]);
    let mut c = srv.raw();
    c.expect(b"PING\r\n", b"+PONG\r\n");
    assert!(c.closed_within(Duration::from_millis(4000)), "idle client still open after timeout 1");
}

#[test]
fn without_timeout_idle_clients_stay() {
    let srv = common::start();
    let mut c = srv.raw();
    c.expect(b"PING\r\n", b"+PONG\r\n");
    assert!(!c.closed_within(Duration::from_millis(1500)));
    c.expect(b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn replies_reach_a_client_that_half_closed() {
    let srv = common::start();
    let mut c = srv.raw();
    c.send(b"PING\r\nPING\r\n");
    c.s.shutdown(std::net::Shutdown::Write).unwrap();
    let (got, _) = c.read_for(Duration::from_secs(2), 14);
    assert_eq!(got, b"+PONG\r\n+PONG\r\n");
}

#[test]
fn many_clients_pipelining_at_once() {
    let srv = common::start();
    let mut socks: Vec<_> = (0..64).map(|_| srv.raw()).collect();
    let req = b"PING\r\n".repeat(500);
    for s in socks.iter_mut() {
        s.send(&req);
    }
    for s in socks.iter_mut() {
        let (got, _) = s.read_for(Duration::from_secs(5), 7 * 500);
        assert_eq!(got.len(), 7 * 500);
    }
}

#[test]
fn a_slow_reader_gets_every_byte_of_a_large_pipeline() {
    let srv = common::start();
    let mut s = std::net::TcpStream::connect(srv.addr).unwrap();
    // ~7 MB of replies: far more than the socket buffers, so the server must wait for
    // WRITABLE and resume.
    let n = 1_000_000;
    let req = b"PING\r\n".repeat(n);
    let writer = {
        let mut w = s.try_clone().unwrap();
        std::thread::spawn(move || w.write_all(&req).unwrap())
    };
    std::thread::sleep(Duration::from_millis(200));
    let mut total = 0;
    let mut buf = vec![0u8; 1 << 16];
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    while total < 7 * n {
        let r = s.read(&mut buf).unwrap();
        assert!(r > 0);
        total += r;
    }
    writer.join().unwrap();
    assert_eq!(total, 7 * n);
}

#[test]
fn default_bind_listens_on_every_ipv4_address() {
    // Redis's default `bind * -::*`: IPv6 is optional, IPv4 everywhere (loopback included).
    let cfg = ferrodis::config::Config::from_args(&["--port".into(), "0".into()]).unwrap();
    let server = ferrodis::server::Server::bind(cfg).expect("default bind");
    let port = server.local_addr().port();
    assert!(server.local_addr().ip().is_unspecified());
    std::thread::spawn(move || server.run());
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"*1\r\n$6\r\nDBSIZE\r\n").unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b":0\r\n");
}
