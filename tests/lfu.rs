//! LFU counters under an LFU maxmemory-policy: reads bump OBJECT FREQ with Redis's
//! logarithmic increment (every read with lfu-log-factor 0), non-touching commands and
//! NO-TOUCH clients leave it, and redis-cli --hotkeys ranks keys by it.
mod common;

use common::q;

fn freq(c: &mut redis::Connection, key: &str) -> i64 {
    redis::cmd("OBJECT").arg("FREQ").arg(key).query(c).unwrap()
}

#[test]
fn reads_bump_the_counter_one_by_one_with_log_factor_zero() {
    let s = common::start();
    let mut c = s.conn();
    q::<redis::Value>(
        &mut c,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0"],
    );
    q::<redis::Value>(&mut c, &["SET", "k", "v"]);
    assert_eq!(freq(&mut c, "k"), 5, "LFU_INIT_VAL");
    for _ in 0..10 {
        q::<redis::Value>(&mut c, &["GET", "k"]);
    }
    assert_eq!(freq(&mut c, "k"), 15);
    // Commands that do not touch, and OBJECT FREQ itself, leave the counter.
    q::<redis::Value>(&mut c, &["EXISTS", "k"]);
    q::<redis::Value>(&mut c, &["TYPE", "k"]);
    q::<redis::Value>(&mut c, &["TTL", "k"]);
    assert_eq!(freq(&mut c, "k"), 15);
    q::<redis::Value>(&mut c, &["TOUCH", "k", "missing"]);
    assert_eq!(freq(&mut c, "k"), 16);
    // An overwrite looks the key up (one bump) and keeps its counter.
    q::<redis::Value>(&mut c, &["SET", "k", "v2"]);
    assert_eq!(freq(&mut c, "k"), 17);
    // A NO-TOUCH client reads without bumping, except through TOUCH.
    q::<redis::Value>(&mut c, &["CLIENT", "NO-TOUCH", "on"]);
    q::<redis::Value>(&mut c, &["GET", "k"]);
    assert_eq!(freq(&mut c, "k"), 17);
    q::<redis::Value>(&mut c, &["TOUCH", "k"]);
    assert_eq!(freq(&mut c, "k"), 18);
    q::<redis::Value>(&mut c, &["CLIENT", "NO-TOUCH", "off"]);
    // Other types and volatile-lfu too; the counter stops at 255.
    q::<redis::Value>(&mut c, &["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"]);
    q::<redis::Value>(&mut c, &["RPUSH", "l", "a"]);
    for _ in 0..300 {
        q::<redis::Value>(&mut c, &["LRANGE", "l", "0", "-1"]);
    }
    assert_eq!(freq(&mut c, "l"), 255);
}

#[test]
fn default_log_factor_grows_slowly() {
    let s = common::start();
    let mut c = s.conn();
    q::<redis::Value>(&mut c, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    q::<redis::Value>(&mut c, &["SET", "k", "v"]);
    let mut p = redis::pipe();
    for _ in 0..1000 {
        p.cmd("GET").arg("k").ignore();
    }
    p.query::<()>(&mut c).unwrap();
    let f = freq(&mut c, "k");
    // The first read from LFU_INIT_VAL always counts; 1000 reads at factor 10 reach ~20.
    assert!((6..100).contains(&f), "freq {f}");
}

#[test]
fn freq_needs_an_lfu_policy() {
    let s = common::start();
    let mut c = s.conn();
    q::<redis::Value>(&mut c, &["SET", "k", "v"]);
    let e = redis::cmd("OBJECT").arg("FREQ").arg("k").query::<i64>(&mut c).unwrap_err();
    assert!(e.to_string().contains("An LFU maxmemory policy is not selected"), "{e}");
}

#[test]
fn redis_cli_hotkeys_ranks_skewed_reads() {
    if std::process::Command::new("redis-cli").arg("--version").output().is_err() {
        eprintln!("redis-cli not installed; skipping");
        return;
    }
    let s = common::start();
    let mut c = s.conn();
    q::<redis::Value>(
        &mut c,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0"],
    );
    for (key, reads) in [("cold", 0), ("warm", 3), ("hot", 40)] {
        q::<redis::Value>(&mut c, &["SET", key, "x"]);
        for _ in 0..reads {
            q::<redis::Value>(&mut c, &["GET", key]);
        }
    }
    let out = std::process::Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &s.addr.port().to_string(), "--hotkeys"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> =
        text.lines().filter(|l| l.starts_with("hot key found with counter")).collect();
    assert_eq!(
        summary,
        [
            "hot key found with counter: 45\tkeyname: \"hot\"",
            "hot key found with counter: 8\tkeyname: \"warm\"",
            "hot key found with counter: 5\tkeyname: \"cold\"",
        ],
        "{text}"
    );
}
