//! Client-side caching across connections: RESP3 invalidation pushes, RESP2 REDIRECT to a
//! `__redis__:invalidate` subscriber, BCAST prefixes, NOLOOP, flushes, broken redirects,
//! INFO counts and tracking-table-max-keys.

mod common;

use std::time::Duration;

use common::{resp, Raw};

fn resp3(srv: &common::TestServer) -> Raw {
    let mut c = srv.raw();
    let hello = c.roundtrip(&resp(&[b"HELLO", b"3"]), 1);
    assert!(hello.starts_with(b"%"));
    c.read_for(Duration::from_millis(100), 0);
    c
}

fn client_id(c: &mut Raw) -> String {
    let r = c.roundtrip(&resp(&[b"CLIENT", b"ID"]), 3);
    String::from_utf8_lossy(&r).trim().trim_start_matches(':').to_string()
}

fn expect_pushed(c: &mut Raw, want: &[u8]) {
    let (got, _) = c.read_for(Duration::from_secs(2), want.len());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
}

#[test]
fn resp3_reader_is_invalidated_once_when_another_client_writes() {
    let srv = common::start();
    let mut reader = resp3(&srv);
    let mut writer = srv.raw();
    reader.expect(&resp(&[b"CLIENT", b"TRACKING", b"ON"]), b"+OK\r\n");
    reader.expect(&resp(&[b"MGET", b"a", b"b"]), b"*2\r\n_\r\n_\r\n");
    writer.expect(&resp(&[b"SET", b"a", b"1"]), b"+OK\r\n");
    expect_pushed(&mut reader, b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n");
    // Forgotten after one invalidation until read again.
    writer.expect(&resp(&[b"SET", b"a", b"2"]), b"+OK\r\n");
    writer.expect(&resp(&[b"DEL", b"b"]), b":0\r\n");
    writer.expect(&resp(&[b"SET", b"b", b"2"]), b"+OK\r\n");
    expect_pushed(&mut reader, b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nb\r\n");
    let (extra, _) = reader.read_for(Duration::from_millis(50), 0);
    assert!(extra.is_empty(), "{:?}", String::from_utf8_lossy(&extra));
    // FLUSHALL: a null invalidation to every tracking client.
    writer.expect(&resp(&[b"FLUSHALL"]), b"+OK\r\n");
    expect_pushed(&mut reader, b">2\r\n$10\r\ninvalidate\r\n_\r\n");
    // Expiry invalidates too.
    writer.expect(&resp(&[b"SET", b"e", b"1", b"PX", b"20"]), b"+OK\r\n");
    reader.expect(&resp(&[b"GET", b"e"]), b"$1\r\n1\r\n");
    expect_pushed(&mut reader, b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ne\r\n");
}

#[test]
fn resp2_redirect_to_an_invalidate_subscriber() {
    let srv = common::start();
    let mut sub = srv.raw();
    let sub_id = client_id(&mut sub);
    sub.expect(
        &resp(&[b"SUBSCRIBE", b"__redis__:invalidate"]),
        b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n",
    );
    let mut reader = srv.raw();
    reader.expect(
        &resp(&[b"CLIENT", b"TRACKING", b"ON", b"REDIRECT", sub_id.as_bytes()]),
        b"+OK\r\n",
    );
    reader.expect(&resp(&[b"CLIENT", b"GETREDIR"]), format!(":{sub_id}\r\n").as_bytes());
    reader.expect(&resp(&[b"GET", b"k"]), b"$-1\r\n");
    // The reader's own write is reported too (no NOLOOP), through the redirect.
    reader.expect(&resp(&[b"SET", b"k", b"v"]), b"+OK\r\n");
    expect_pushed(
        &mut sub,
        b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n",
    );
    // The redirect target goes away: the reader's tracking is marked broken.
    drop(sub);
    let mut admin = srv.conn();
    for _ in 0..200 {
        let v: Vec<redis::Value> = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg("__redis__:invalidate")
            .query(&mut admin)
            .unwrap();
        if v.get(1) == Some(&redis::Value::Int(0)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    reader.expect(&resp(&[b"GET", b"k"]), b"$1\r\nv\r\n");
    reader.expect(&resp(&[b"SET", b"k", b"w"]), b"+OK\r\n");
    let info = reader.roundtrip(&resp(&[b"CLIENT", b"TRACKINGINFO"]), 60);
    assert!(
        String::from_utf8_lossy(&info).contains("broken_redirect"),
        "{:?}",
        String::from_utf8_lossy(&info)
    );
}

#[test]
fn bcast_prefixes_and_noloop() {
    let srv = common::start();
    let mut watcher = resp3(&srv);
    watcher.expect(
        &resp(&[b"CLIENT", b"TRACKING", b"ON", b"BCAST", b"PREFIX", b"user:", b"NOLOOP"]),
        b"+OK\r\n",
    );
    let mut writer = srv.raw();
    writer
        .expect(&resp(&[b"MSET", b"user:1", b"a", b"order:1", b"b", b"user:2", b"c"]), b"+OK\r\n");
    expect_pushed(
        &mut watcher,
        b">2\r\n$10\r\ninvalidate\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n",
    );
    // NOLOOP: its own writes are not reported back.
    watcher.expect(&resp(&[b"SET", b"user:3", b"x"]), b"+OK\r\n");
    let (extra, _) = watcher.read_for(Duration::from_millis(100), 0);
    assert!(extra.is_empty(), "{:?}", String::from_utf8_lossy(&extra));
    let mut info = srv.conn();
    let text: String = redis::cmd("INFO").arg("stats").query(&mut info).unwrap();
    assert!(text.contains("tracking_total_prefixes:1"), "{text}");
}

#[test]
fn tracking_table_counts_and_max_keys() {
    let srv = common::start();
    let mut reader = resp3(&srv);
    reader.expect(&resp(&[b"CLIENT", b"TRACKING", b"ON"]), b"+OK\r\n");
    reader.expect(&resp(&[b"MGET", b"a", b"b", b"c"]), b"*3\r\n_\r\n_\r\n_\r\n");
    let mut admin = srv.conn();
    let text: String = redis::cmd("INFO").arg("stats").query(&mut admin).unwrap();
    assert!(text.contains("tracking_total_keys:3"), "{text}");
    let text: String = redis::cmd("INFO").arg("clients").query(&mut admin).unwrap();
    assert!(text.contains("tracking_clients:1"), "{text}");
    // Lowering the limit evicts keys, each with an invalidation.
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("tracking-table-max-keys")
        .arg("1")
        .query(&mut admin)
        .unwrap();
    let (got, _) = reader.read_for(Duration::from_secs(2), 2 * 29);
    assert_eq!(got.windows(10).filter(|w| w == b"invalidate").count(), 2);
    let text: String = redis::cmd("INFO").arg("stats").query(&mut admin).unwrap();
    assert!(text.contains("tracking_total_keys:1"), "{text}");
    // OPTIN: only reads after CACHING YES are remembered.
    reader.expect(&resp(&[b"CLIENT", b"TRACKING", b"OFF"]), b"+OK\r\n");
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("tracking-table-max-keys")
        .arg("0")
        .query(&mut admin)
        .unwrap();
    reader.expect(&resp(&[b"CLIENT", b"TRACKING", b"ON", b"OPTIN"]), b"+OK\r\n");
    reader.expect(&resp(&[b"GET", b"x"]), b"_\r\n");
    reader.expect(&resp(&[b"CLIENT", b"CACHING", b"YES"]), b"+OK\r\n");
    reader.expect(&resp(&[b"GET", b"y"]), b"_\r\n");
    let _: () = redis::cmd("MSET").arg("x").arg(1).arg("y").arg(2).query(&mut admin).unwrap();
    expect_pushed(&mut reader, b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\ny\r\n");
}

#[test]
fn client_list_shows_transaction_pubsub_and_tracking_state() {
    let srv = common::start();
    let mut c = srv.raw();
    c.expect(&resp(&[b"CLIENT", b"TRACKING", b"ON"]), b"+OK\r\n");
    c.expect(&resp(&[b"WATCH", b"k"]), b"+OK\r\n");
    c.expect(&resp(&[b"SET", b"k", b"1"]), b"+OK\r\n");
    c.expect(&resp(&[b"MULTI"]), b"+OK\r\n");
    c.expect(&resp(&[b"GET", b"k"]), b"+QUEUED\r\n");
    c.expect(&resp(&[b"CLIENT", b"INFO"]), b"+QUEUED\r\n");
    let r = c.roundtrip(&resp(&[b"EXEC"]), 200);
    let text = String::from_utf8_lossy(&r);
    // The transaction was doomed by the write to the watched key.
    assert_eq!(text, "*-1\r\n");
    c.expect(&resp(&[b"MULTI"]), b"+OK\r\n");
    c.expect(&resp(&[b"CLIENT", b"INFO"]), b"+QUEUED\r\n");
    let r = c.roundtrip(&resp(&[b"EXEC"]), 200);
    let text = String::from_utf8_lossy(&r);
    assert!(text.contains(" flags=xt "), "{text}");
    assert!(text.contains(" multi=1 "), "{text}");
    assert!(text.contains(" multi-mem=26 "), "{text}");
    assert!(text.contains(" redir=0 "), "{text}");
    let mut s = srv.raw();
    s.expect(&resp(&[b"PSUBSCRIBE", b"p*"]), b"*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:1\r\n");
    let mut admin = srv.conn();
    let list: String =
        redis::cmd("CLIENT").arg("LIST").arg("TYPE").arg("pubsub").query(&mut admin).unwrap();
    assert!(list.contains(" flags=P ") && list.contains(" sub=0 psub=1 ssub=0 "), "{list}");
}
