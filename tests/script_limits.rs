//! Issue 11, "No hangs, no silent no-ops", for scripts: values that nest (or contain
//! themselves) end where Redis's end, loops in our Rust-side libraries stay killable, a busy
//! script dooms the transactions that meet it, and the calls Lua allows reach Redis.
//! Expected replies were measured on redis-server 7.0.15.

mod common;

use std::time::{Duration, Instant};

use common::{resp, Raw};

fn send(c: &mut Raw, words: &[&str]) {
    let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    c.send(&resp(&args));
}

fn exp(c: &mut Raw, words: &[&str], reply: &str) {
    let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    c.expect(&resp(&args), reply.as_bytes());
}

const BUSY: &str =
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";

/// Poll with PING until the server answers BUSY (the script is past the threshold).
fn wait_busy(c: &mut Raw) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = c.roundtrip(&resp(&[b"PING"]), 7);
        if r.starts_with(b"-BUSY") {
            let _ = c.read_for(Duration::from_millis(50), 0);
            return;
        }
        assert!(Instant::now() < deadline, "never saw BUSY: {:?}", String::from_utf8_lossy(&r));
    }
}

/// Read until `tail` ends the input (20 s at most).
fn read_until(c: &mut Raw, tail: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut out = Vec::new();
    while !out.ends_with(tail) {
        assert!(Instant::now() < deadline, "no {:?} in time", String::from_utf8_lossy(tail));
        let (b, closed) = c.read_for(Duration::from_millis(100), 0);
        out.extend_from_slice(&b);
        assert!(!closed, "connection closed");
    }
    out
}

#[test]
fn a_table_that_contains_itself_replies_down_to_the_stack_limit() {
    let srv = common::start();
    let mut c = srv.raw();
    send(&mut c, &["EVAL", "local a = {}; local b = {a}; a[1] = b; return a", "0"]);
    let got = read_until(&mut c, b"-ERR reached lua stack limit\r\n");
    // 7995 nested one-element arrays, then the error in place of the next value.
    let mut want = b"*1\r\n".repeat(7995);
    want.extend_from_slice(b"-ERR reached lua stack limit\r\n");
    assert_eq!(got.len(), want.len());
    assert!(got == want);
    exp(&mut c, &["PING"], "+PONG\r\n");
    let info = c.roundtrip(&resp(&[b"INFO", b"errorstats"]), 0);
    assert!(String::from_utf8_lossy(&info).contains("errorstat_ERR:count=1"));
}

#[test]
fn cyclic_maps_and_sets_end_where_redis_ends_them() {
    let srv = common::start();
    let mut c = srv.raw();
    // A map's key sits four stack slots above its table and its value three: both overflow
    // on the last level.
    send(&mut c, &["EVAL", "local a = {}; a['x'] = {map=a}; return {map=a}", "0"]);
    let got =
        read_until(&mut c, b"-ERR reached lua stack limit\r\n-ERR reached lua stack limit\r\n");
    let mut want = b"*2\r\n$1\r\nx\r\n".repeat(2664);
    want.extend_from_slice(
        b"*2\r\n-ERR reached lua stack limit\r\n-ERR reached lua stack limit\r\n",
    );
    assert!(got == want, "{} bytes, wanted {}", got.len(), want.len());
    send(&mut c, &["EVAL", "local a = {}; a[{set=a}] = 1; return {set=a}", "0"]);
    let got = read_until(&mut c, b"-ERR reached lua stack limit\r\n");
    let mut want = b"*1\r\n".repeat(2665);
    want.extend_from_slice(b"-ERR reached lua stack limit\r\n");
    assert!(got == want, "{} bytes, wanted {}", got.len(), want.len());
}

#[test]
fn cmsgpack_pack_of_a_self_referencing_table_can_be_killed() {
    // Ten references per level, sixteen levels: 10^16 values. Redis would spin for ever in C;
    // here the encoder polls the busy hook, so SCRIPT KILL ends it.
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut a = srv.raw();
    let mut b = srv.raw();
    exp(&mut b, &["PING"], "+PONG\r\n");
    send(
        &mut a,
        &["EVAL", "local t = {} for i = 1, 10 do t[i] = t end return cmsgpack.pack(t)", "0"],
    );
    wait_busy(&mut b);
    exp(&mut b, &["SCRIPT", "KILL"], "+OK\r\n");
    let got = read_until(&mut a, b"\r\n");
    assert!(
        got.starts_with(b"-ERR Script killed by user with SCRIPT KILL..."),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    exp(&mut a, &["PING"], "+PONG\r\n");
}

#[test]
fn cmsgpack_unpacks_what_redis_unpacks() {
    let srv = common::start();
    let mut c = srv.raw();
    let depth = |n: usize| {
        format!(
            "local s = string.rep(string.char(0x91), {n}) .. string.char(0xc0) \
             local t = cmsgpack.unpack(s) local d = 0 \
             while type(t) == 'table' do t = t[1] d = d + 1 end return d"
        )
    };
    exp(&mut c, &["EVAL", &depth(1000), "0"], ":1000\r\n");
    let got = c.roundtrip(&resp(&[b"EVAL", depth(1001).as_bytes(), b"0"]), 0);
    assert!(
        String::from_utf8_lossy(&got)
            .starts_with("-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array)"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    // A header that declares more elements than bytes follow allocates nothing.
    exp(
        &mut c,
        &[
            "EVAL",
            "return {pcall(cmsgpack.unpack, string.char(0xdd, 0xff, 0xff, 0xff, 0xff))}",
            "0",
        ],
        "*2\r\n$-1\r\n$23\r\nMissing bytes in input.\r\n",
    );
}

#[test]
fn commands_in_multi_during_a_busy_script_abort_the_transaction() {
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut a = srv.raw();
    let mut b = srv.raw();
    exp(&mut b, &["SET", "xx", "1"], "+OK\r\n");
    exp(&mut b, &["MULTI"], "+OK\r\n");
    exp(&mut b, &["INCR", "xx"], "+QUEUED\r\n");
    send(&mut a, &["EVAL", "while true do end", "0"]);
    let mut probe = srv.raw();
    wait_busy(&mut probe);
    exp(&mut b, &["INCR", "xx"], BUSY);
    exp(&mut probe, &["SCRIPT", "KILL"], "+OK\r\n");
    read_until(&mut a, b"\r\n");
    exp(&mut b, &["EXEC"], "-EXECABORT Transaction discarded because of previous errors.\r\n");
    exp(&mut b, &["GET", "xx"], "$1\r\n1\r\n");
}

#[test]
fn exec_during_a_busy_script_is_execabort_busy() {
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut a = srv.raw();
    let mut b = srv.raw();
    exp(&mut b, &["SET", "xx", "1"], "+OK\r\n");
    exp(&mut b, &["MULTI"], "+OK\r\n");
    exp(&mut b, &["INCR", "xx"], "+QUEUED\r\n");
    send(&mut a, &["EVAL", "while true do end", "0"]);
    let mut probe = srv.raw();
    wait_busy(&mut probe);
    exp(
        &mut b,
        &["EXEC"],
        "-EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n",
    );
    exp(&mut probe, &["SCRIPT", "KILL"], "+OK\r\n");
    read_until(&mut a, b"\r\n");
    // The transaction is over, and nothing of it ran.
    exp(&mut b, &["GET", "xx"], "$1\r\n1\r\n");
    exp(&mut b, &["EXEC"], "-ERR EXEC without MULTI\r\n");
}

#[test]
fn scripts_may_pass_as_many_arguments_as_lua_holds() {
    let srv = common::start();
    let mut c = srv.raw();
    exp(
        &mut c,
        &[
            "EVAL",
            "local a = {} for i = 1, 7999 do a[i] = 1 end return redis.call('lpush', 'l', unpack(a))",
            "0",
        ],
        ":7999\r\n",
    );
}

#[test]
fn refusals_inside_scripts_use_redis_texts() {
    let srv = common::start();
    let mut c = srv.raw();
    exp(
        &mut c,
        &["EVAL", "return redis.pcall('xread','BLOCK',0,'STREAMS','s','$')", "1", "s"],
        "-ERR xread command is not allowed with BLOCK option from scripts\r\n",
    );
    exp(
        &mut c,
        &[
            "EVAL",
            "return redis.pcall('XREADGROUP','GROUP','g','c','BLOCK',0,'STREAMS','s','>')",
            "1",
            "s",
        ],
        "-ERR XREADGROUP command is not allowed with BLOCK option from scripts\r\n",
    );
    exp(
        &mut c,
        &["FUNCTION", "LOAD", "#!lua name=lib1\nlocal lib = redis\nlib.register_function('f2', function() lib.register_function('f1', function() return 1 end) end)"],
        "$4\r\nlib1\r\n",
    );
    exp(
        &mut c,
        &["FCALL", "f2", "0"],
        "-ERR redis.register_function can only be called on FUNCTION LOAD command script: f2, on @user_function:3.\r\n",
    );
    exp(&mut c, &["FCALL", "f2", "x"], "-ERR Bad number of keys provided\r\n");
    exp(
        &mut c,
        &["EVAL", "math.randomseed(ARGV[1]) return tostring(math.random())", "0", "10"],
        "$16\r\n0.87885112309775\r\n",
    );
}

#[test]
fn tracking_remembers_the_keys_a_script_declares_when_it_reads() {
    // Redis 7.0 remembers the caller's declared keys each time the script runs a read-only
    // command; keys the script reads without declaring them are not tracked.
    let srv = common::start();
    let mut c = srv.raw();
    let mut w = srv.raw();
    let _ = c.roundtrip(&resp(&[b"HELLO", b"3"]), 0);
    exp(&mut c, &["CLIENT", "TRACKING", "on"], "+OK\r\n");
    exp(&mut c, &["EVAL", "return redis.call('get', KEYS[1])", "1", "k1"], "_\r\n");
    exp(&mut c, &["EVAL", "return redis.call('mget', 'k2', 'k3')", "0"], "*2\r\n_\r\n_\r\n");
    exp(&mut c, &["EVAL", "return redis.call('ping')", "1", "k4"], "+PONG\r\n");
    // EVAL_RO is a read-only command, yet tracks only through the script's reads.
    exp(&mut c, &["EVAL_RO", "return redis.call('ping')", "1", "k4"], "+PONG\r\n");
    // Read then written by the script itself: the invalidation follows the reply.
    exp(
        &mut c,
        &["EVAL", "redis.call('get', KEYS[1]) return redis.call('set', KEYS[1], 'z')", "1", "k5"],
        "+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk5\r\n",
    );
    exp(&mut w, &["MSET", "k1", "v", "k2", "v", "k3", "v", "k4", "v"], "+OK\r\n");
    let want = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n";
    let (got, _) = c.read_for(Duration::from_millis(500), want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
}
