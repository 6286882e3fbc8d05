//! Lazy freeing: UNLINK, FLUSHALL/FLUSHDB ASYNC and the lazyfree-lazy-* settings hand big
//! values to the lazyfree thread, as INFO's lazyfreed_objects shows (Redis's lazyfree.c).

mod common;

use std::time::{Duration, Instant};

fn info_field(c: &mut redis::Connection, name: &str) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query(c).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in INFO"))
}

/// Wait until the thread has freed everything queued; returns lazyfreed_objects.
fn freed(c: &mut redis::Connection) -> u64 {
    let t = Instant::now();
    while info_field(c, "lazyfree_pending_objects") != 0 {
        assert!(t.elapsed() < Duration::from_secs(10), "lazyfree never finished");
        std::thread::sleep(Duration::from_millis(5));
    }
    info_field(c, "lazyfreed_objects")
}

fn big_hash(c: &mut redis::Connection, key: &str, n: usize) {
    let mut cmd = redis::cmd("HSET");
    cmd.arg(key);
    for i in 0..n {
        cmd.arg(format!("f{i}")).arg(i);
    }
    let _: i64 = cmd.query(c).unwrap();
}

#[test]
fn unlink_frees_big_values_in_background_and_small_ones_in_place() {
    let srv = common::start();
    let mut c = srv.conn();
    big_hash(&mut c, "big", 1000);
    big_hash(&mut c, "small", 10);
    let n: i64 = redis::cmd("UNLINK").arg("big").arg("small").arg("none").query(&mut c).unwrap();
    assert_eq!(n, 2);
    assert_eq!(freed(&mut c), 1, "only the hashtable is worth a trip to the thread");
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 0);
}

#[test]
fn del_is_lazy_only_with_lazyfree_lazy_user_del() {
    let srv = common::start();
    let mut c = srv.conn();
    big_hash(&mut c, "h", 1000);
    let _: i64 = redis::cmd("DEL").arg("h").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 0);
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("lazyfree-lazy-user-del")
        .arg("yes")
        .query(&mut c)
        .unwrap();
    big_hash(&mut c, "h", 1000);
    let _: i64 = redis::cmd("DEL").arg("h").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 1);
}

#[test]
fn overwrites_are_lazy_with_lazyfree_lazy_server_del() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("lazyfree-lazy-server-del")
        .arg("yes")
        .query(&mut c)
        .unwrap();
    big_hash(&mut c, "h", 1000);
    let _: () = redis::cmd("SET").arg("h").arg("now a string").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 1);
    big_hash(&mut c, "src", 1000);
    big_hash(&mut c, "dst", 1000);
    let _: () = redis::cmd("RENAME").arg("src").arg("dst").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 2, "RENAME frees the destination it replaces");
    let len: i64 = redis::cmd("HLEN").arg("dst").query(&mut c).unwrap();
    assert_eq!(len, 1000);
}

#[test]
fn flush_async_counts_every_key_and_sync_none() {
    let srv = common::start();
    let mut c = srv.conn();
    for i in 0..50 {
        let _: () = redis::cmd("SET").arg(format!("k{i}")).arg(i).query(&mut c).unwrap();
    }
    let _: () = redis::cmd("FLUSHALL").arg("SYNC").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 0);
    for i in 0..50 {
        let _: () = redis::cmd("SET").arg(format!("k{i}")).arg(i).query(&mut c).unwrap();
    }
    let _: () = redis::cmd("FLUSHALL").arg("ASYNC").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 50);
    let size: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
    assert_eq!(size, 0);
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("lazyfree-lazy-user-flush")
        .arg("yes")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("SET").arg("x").arg(1).query(&mut c).unwrap();
    let _: () = redis::cmd("FLUSHDB").query(&mut c).unwrap();
    assert_eq!(freed(&mut c), 51);
}

#[test]
fn expired_big_values_are_lazy_with_lazyfree_lazy_expire() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("lazyfree-lazy-expire")
        .arg("yes")
        .query(&mut c)
        .unwrap();
    big_hash(&mut c, "h", 1000);
    let _: i64 = redis::cmd("PEXPIRE").arg("h").arg(1).query(&mut c).unwrap();
    let t = Instant::now();
    loop {
        let n: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
        if n == 0 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "the key never expired");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(freed(&mut c), 1);
}
