//! Reply buffer resizing: an idle client's buffer shrinks to 1 KiB, a client that keeps
//! filling it grows back to 16 KiB (CLIENT LIST rbs/rbp, INFO reply_buffer_*), as Redis 7.0.

mod common;

use std::time::{Duration, Instant};

fn rbs(c: &mut redis::Connection, name: &str) -> usize {
    let list: String = redis::cmd("CLIENT").arg("LIST").query(c).unwrap();
    let line = list.lines().find(|l| l.contains(&format!(" name={name} "))).expect("client listed");
    let field = line.split(' ').find_map(|f| f.strip_prefix("rbs=")).expect("rbs field");
    field.parse().unwrap()
}

fn wait_for(mut cond: impl FnMut() -> bool, what: &str) {
    let t = Instant::now();
    while !cond() {
        assert!(t.elapsed() < Duration::from_secs(10), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn idle_buffers_shrink_and_busy_ones_grow_back() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut admin = srv.conn();
    let mut tc = srv.conn();
    let _: () = redis::cmd("CLIENT").arg("SETNAME").arg("tc").query(&mut tc).unwrap();
    assert_eq!(rbs(&mut admin, "tc"), 16384, "a new client starts with 16 KiB");
    let _: () = redis::cmd("DEBUG")
        .arg("REPLYBUFFER")
        .arg("PEAK-RESET-TIME")
        .arg(100)
        .query(&mut admin)
        .unwrap();
    wait_for(|| rbs(&mut admin, "tc") == 1024, "idle client's buffer never shrank to 1 KiB");
    let _: () = redis::cmd("SET").arg("big").arg("x".repeat(32768)).query(&mut admin).unwrap();
    let _: () = redis::cmd("DEBUG")
        .arg("REPLYBUFFER")
        .arg("PEAK-RESET-TIME")
        .arg("NEVER")
        .query(&mut admin)
        .unwrap();
    wait_for(
        || {
            let _: Vec<u8> = redis::cmd("GET").arg("big").query(&mut tc).unwrap();
            rbs(&mut admin, "tc") == 16384
        },
        "busy client's buffer never grew back to 16 KiB",
    );
    let info: String = redis::cmd("INFO").arg("stats").query(&mut admin).unwrap();
    let stat = |name: &str| -> u64 {
        info.lines().find_map(|l| l.strip_prefix(name)).unwrap().trim().parse().unwrap()
    };
    assert!(stat("reply_buffer_shrinks:") >= 1);
    assert!(stat("reply_buffer_expands:") >= 4, "1 KiB to 16 KiB is four doublings");
    let err = redis::cmd("DEBUG").arg("REPLYBUFFER").arg("bogus").arg(1).query::<()>(&mut admin);
    assert!(err.unwrap_err().to_string().contains("unknown subcommand"));
}

#[test]
fn resizing_can_be_switched_off() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut admin = srv.conn();
    let mut tc = srv.conn();
    let _: () = redis::cmd("CLIENT").arg("SETNAME").arg("tc").query(&mut tc).unwrap();
    for (k, v) in [("RESIZING", "0"), ("PEAK-RESET-TIME", "10")] {
        let _: () = redis::cmd("DEBUG").arg("REPLYBUFFER").arg(k).arg(v).query(&mut admin).unwrap();
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(rbs(&mut admin, "tc"), 16384);
}
