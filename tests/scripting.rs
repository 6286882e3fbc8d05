//! Lua scripting (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT) in RESP2 and RESP3, checked
//! against the replies Redis 7.0.15 gives byte for byte; the scripts real clients send
//! (redis-py Lock, a BullMQ-style job script with cjson and cmsgpack); busy scripts.

mod common;

use std::time::{Duration, Instant};

use common::{exp, raw, resp, Raw, TestServer};

fn both(srv: &TestServer, f: impl Fn(&mut Raw, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        f(&mut c, resp3);
    }
}

fn sha1(s: &str) -> String {
    sha1_smol::Sha1::from(s).digest().to_string()
}

/// `-ERR <msg> script: <sha>, on @user_script:<line>.`
fn script_err(msg: &str, body: &str, line: u32) -> String {
    format!("-{msg} script: {}, on @user_script:{line}.\r\n", sha1(body))
}

#[test]
fn return_value_conversions() {
    let srv = common::start();
    both(&srv, |c, r3| {
        let null = if r3 { "_\r\n" } else { "$-1\r\n" };
        exp(c, &["EVAL", "return 1", "0"], ":1\r\n");
        exp(c, &["EVAL", "return 3.99", "0"], ":3\r\n");
        exp(c, &["EVAL", "return -2.7", "0"], ":-2\r\n");
        exp(c, &["EVAL", "return 'x'", "0"], "$1\r\nx\r\n");
        exp(c, &["EVAL", "return nil", "0"], null);
        exp(c, &["EVAL", "return false", "0"], null);
        exp(c, &["EVAL", "return true", "0"], ":1\r\n");
        exp(c, &["EVAL", "return {1,2,'a',nil,4}", "0"], "*3\r\n:1\r\n:2\r\n$1\r\na\r\n");
        exp(c, &["EVAL", "return {1,{ok='x'},{err='E y'}}", "0"], "*3\r\n:1\r\n+x\r\n-E y\r\n");
        exp(c, &["EVAL", "return {ok='fine'}", "0"], "+fine\r\n");
        exp(c, &["EVAL", "return {err='MY boom'}", "0"], "-MY boom\r\n");
        exp(c, &["EVAL", "return redis.error_reply('x')", "0"], "-ERR x\r\n");
        exp(c, &["EVAL", "return redis.error_reply('-X y')", "0"], "-X y\r\n");
        exp(c, &["EVAL", "return redis.status_reply('st')", "0"], "+st\r\n");
        exp(c, &["EVAL", "return {double='3.25'}", "0"], "*0\r\n");
        exp(
            c,
            &["EVAL", "return {KEYS[1], ARGV[1], #KEYS, #ARGV}", "1", "k", "a"],
            "*4\r\n$1\r\nk\r\n$1\r\na\r\n:1\r\n:1\r\n",
        );
        if r3 {
            exp(c, &["EVAL", "return {double=3.5}", "0"], ",3.5\r\n");
            exp(c, &["EVAL", "return {map={a=1}}", "0"], "%1\r\n$1\r\na\r\n:1\r\n");
            exp(c, &["EVAL", "return {set={a=true}}", "0"], "~1\r\n$1\r\na\r\n");
            exp(c, &["EVAL", "return {big_number='123'}", "0"], "(123\r\n");
            exp(
                c,
                &["EVAL", "return {verbatim_string={format='txt',string='hi'}}", "0"],
                "=6\r\ntxt:hi\r\n",
            );
        } else {
            exp(c, &["EVAL", "return {double=3.5}", "0"], "$3\r\n3.5\r\n");
            exp(c, &["EVAL", "return {map={a=1}}", "0"], "*2\r\n$1\r\na\r\n:1\r\n");
            exp(c, &["EVAL", "return {set={a=true}}", "0"], "*1\r\n$1\r\na\r\n");
            exp(c, &["EVAL", "return {big_number='123'}", "0"], "$3\r\n123\r\n");
        }
        // Booleans follow the protocol the script chose, not the caller's.
        exp(
            c,
            &["EVAL", "redis.setresp(3) return true", "0"],
            if r3 { "#t\r\n" } else { ":1\r\n" },
        );
        exp(
            c,
            &["EVAL", "redis.setresp(3) return false", "0"],
            if r3 { "#f\r\n" } else { ":0\r\n" },
        );
    });
}

#[test]
fn command_replies_inside_scripts() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["DEL", "k", "l"], ":0\r\n");
        exp(c, &["EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"], "+OK\r\n");
        exp(c, &["EVAL", "return redis.call('get', KEYS[1])", "1", "k"], "$1\r\nv\r\n");
        // Null bulk is false in RESP2 (the script's default protocol).
        exp(c, &["EVAL", "return type(redis.call('get', 'nokey'))", "0"], "$7\r\nboolean\r\n");
        exp(
            c,
            &["EVAL", "redis.setresp(3) return type(redis.call('get', 'nokey'))", "0"],
            "$3\r\nnil\r\n",
        );
        exp(c, &["EVAL", "return redis.call('set', 'k', 'v').ok", "0"], "$2\r\nOK\r\n");
        // Numbers as arguments: integers plainly, others with %.17g.
        exp(
            c,
            &["EVAL", "redis.call('set', 'k', 0.1) return redis.call('get', 'k')", "0"],
            "$19\r\n0.10000000000000001\r\n",
        );
        exp(
            c,
            &["EVAL", "redis.call('set', 'k', 42) return redis.call('get', 'k')", "0"],
            "$2\r\n42\r\n",
        );
        exp(
            c,
            &[
                "EVAL",
                "redis.call('lpush', 'l', 'a', 'b') return redis.call('lrange', 'l', 0, -1)",
                "0",
            ],
            "*2\r\n$1\r\nb\r\n$1\r\na\r\n",
        );
        exp(c, &["DEL", "k", "l"], ":2\r\n");
    });
}

#[test]
fn error_paths_have_redis_texts() {
    let srv = common::start();
    both(&srv, |c, _| {
        let cases: &[(&str, &str, u32)] = &[
            ("return redis.call('nosuch')", "ERR Unknown Redis command called from script", 1),
            (
                "return redis.call('get')",
                "ERR Wrong number of args calling Redis command from script",
                1,
            ),
            (
                "return redis.call()",
                "ERR Please specify at least one argument for this redis lib call",
                1,
            ),
            (
                "\nreturn redis.call({})",
                "ERR Lua redis lib command arguments must be strings or integers",
                2,
            ),
            (
                "return redis.call('eval', 'return 1', 0)",
                "ERR This Redis command is not allowed from script",
                1,
            ),
            ("x = 1", "ERR user_script:1: Attempt to modify a readonly table", 1),
            (
                "return y",
                "ERR user_script:1: Script attempted to access nonexistent global variable 'y'",
                1,
            ),
            ("rawset(_G, 'x', 1) return 1", "ERR Attempt to modify a readonly table", 1),
            ("string.x = 1 return 1", "ERR user_script:1: Attempt to modify a readonly table", 1),
            (
                "return os",
                "ERR user_script:1: Script attempted to access nonexistent global variable 'os'",
                1,
            ),
            (
                "return print",
                "ERR user_script:1: Script attempted to access nonexistent global variable 'print'",
                1,
            ),
            ("error('boom')", "ERR user_script:1: boom", 1),
            ("error({err='MY boom'})", "MY boom", 1),
            ("return redis.setresp(4)", "ERR RESP version must be 2 or 3.", 1),
            ("return redis.sha1hex()", "ERR wrong number of arguments", 1),
            ("return redis.log()", "ERR redis.log() requires two arguments or more.", 1),
            (
                "return redis.set_repl(99)",
                "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
                1,
            ),
            (
                "return cjson.decode('[1,2')",
                "ERR user_script:1: Expected comma or array end but found T_END at character 5",
                1,
            ),
            (
                "return bit.tobit()",
                "ERR user_script:1: bad argument #1 to 'tobit' (number expected, got no value)",
                1,
            ),
        ];
        for (body, msg, line) in cases {
            exp(c, &["EVAL", body, "0"], &script_err(msg, body, *line));
        }
        exp(c, &["SET", "s", "v"], "+OK\r\n");
        let body = "return redis.call('lpush', 's', 1)";
        exp(
            c,
            &["EVAL", body, "0"],
            &script_err(
                "WRONGTYPE Operation against a key holding the wrong kind of value",
                body,
                1,
            ),
        );
        exp(
            c,
            &["EVAL", "return redis.pcall('lpush', 's', 1)", "0"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        );
        exp(
            c,
            &["EVAL", "local ok, e = pcall(redis.call, 'nosuch') return e", "0"],
            "$44\r\nERR Unknown Redis command called from script\r\n",
        );
        exp(
            c,
            &["EVAL", "return redis.pcall('nosuch')", "0"],
            "-ERR Unknown Redis command called from script\r\n",
        );
        exp(c, &["DEL", "s"], ":1\r\n");
        exp(c, &["EVAL", "syntax error here", "0"], "-ERR Error compiling script (new function): user_script:1: '=' expected near 'error'\r\n");
        exp(c, &["EVAL", "return 1", "-1"], "-ERR Number of keys can't be negative\r\n");
        exp(
            c,
            &["EVAL", "return 1", "2", "a"],
            "-ERR Number of keys can't be greater than number of args\r\n",
        );
        exp(c, &["EVAL", "return 1", "abc"], "-ERR value is not an integer or out of range\r\n");
        exp(c, &["EVAL", "return 1"], "-ERR wrong number of arguments for 'eval' command\r\n");
        exp(
            c,
            &["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"],
            "-NOSCRIPT No matching script. Please use EVAL.\r\n",
        );
        exp(c, &["EVALSHA", "fff", "0"], "-NOSCRIPT No matching script. Please use EVAL.\r\n");
    });
}

#[test]
fn shebang_flags_and_read_only_scripts() {
    let srv = common::start();
    both(&srv, |c, r3| {
        let b = "return redis.call('set','a','b')";
        exp(
            c,
            &["EVAL_RO", b, "0"],
            &script_err("ERR Write commands are not allowed from read-only scripts.", b, 1),
        );
        let b = "#!lua flags=no-writes\nreturn redis.call('set','a','b')";
        exp(
            c,
            &["EVAL", b, "0"],
            &script_err("ERR Write commands are not allowed from read-only scripts.", b, 2),
        );
        exp(
            c,
            &["EVAL_RO", "#!lua\nreturn 1", "0"],
            "-ERR Can not execute a script with write flag using *_ro command.\r\n",
        );
        exp(c, &["EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"], ":1\r\n");
        exp(c, &["EVAL", "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2", "0"], ":2\r\n");
        exp(
            c,
            &["EVAL", "#!lua flags=no-writes,foo\nreturn 1", "0"],
            "-ERR Unexpected flag in script shebang: foo\r\n",
        );
        exp(
            c,
            &["EVAL", "#!lua foo=bar\nreturn 1", "0"],
            "-ERR Unknown lua shebang option: foo=bar\r\n",
        );
        exp(
            c,
            &["EVAL", "#!python\nreturn 1", "0"],
            "-ERR Unexpected engine in script shebang: #!python\r\n",
        );
        exp(c, &["EVAL", "#!lua", "0"], "-ERR Invalid script shebang\r\n");
        exp(
            c,
            &["EVAL_RO", "return redis.call('get', 'a')", "0"],
            if r3 { "_\r\n" } else { "$-1\r\n" },
        );
    });
}

#[test]
fn script_cache_commands() {
    let srv = common::start();
    both(&srv, |c, _| {
        let sha = sha1("return 7");
        exp(c, &["SCRIPT", "FLUSH"], "+OK\r\n");
        exp(c, &["SCRIPT", "EXISTS", &sha, "abc"], "*2\r\n:0\r\n:0\r\n");
        exp(c, &["SCRIPT", "LOAD", "return 7"], &format!("$40\r\n{sha}\r\n"));
        exp(c, &["SCRIPT", "EXISTS", &sha.to_uppercase(), "abc"], "*2\r\n:1\r\n:0\r\n");
        exp(c, &["EVALSHA", &sha, "0"], ":7\r\n");
        exp(c, &["EVALSHA", &sha.to_uppercase(), "0"], ":7\r\n");
        exp(c, &["EVALSHA_RO", &sha, "0"], ":7\r\n");
        exp(c, &["SCRIPT", "LOAD", "return ("], "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n");
        exp(c, &["SCRIPT", "FLUSH", "foo"], "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
        exp(c, &["SCRIPT", "FLUSH", "ASYNC"], "+OK\r\n");
        exp(c, &["EVALSHA", &sha, "0"], "-NOSCRIPT No matching script. Please use EVAL.\r\n");
        exp(c, &["SCRIPT", "KILL"], "-NOTBUSY No scripts in execution right now.\r\n");
        exp(c, &["SCRIPT"], "-ERR wrong number of arguments for 'script' command\r\n");
        exp(c, &["SCRIPT", "FOO"], "-ERR unknown subcommand 'FOO'. Try SCRIPT HELP.\r\n");
        c.send(&resp(&[b"SCRIPT", b"HELP"]));
        let (help, _) = c.read_for(Duration::from_millis(300), 0);
        assert!(
            help.starts_with(b"*17\r\n+SCRIPT <subcommand>"),
            "{}",
            String::from_utf8_lossy(&help)
        );
    });
}

#[test]
fn redis_table_helpers() {
    let srv = common::start();
    both(&srv, |c, r3| {
        let null = if r3 { "_\r\n" } else { "$-1\r\n" };
        exp(
            c,
            &["EVAL", "return redis.sha1hex('')", "0"],
            "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        );
        exp(
            c,
            &["EVAL", "return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM", "0"],
            "$13\r\n7.0.15 458767\r\n",
        );
        exp(c, &["EVAL", "return redis.replicate_commands()", "0"], ":1\r\n");
        exp(c, &["EVAL", "return {redis.REPL_ALL, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_SLAVE, redis.REPL_NONE}", "0"], "*5\r\n:3\r\n:1\r\n:2\r\n:2\r\n:0\r\n");
        exp(c, &["EVAL", "return redis.log(redis.LOG_WARNING, 'hello', 'x')", "0"], null);
        exp(c, &["EVAL", "return redis.set_repl(redis.REPL_NONE)", "0"], null);
        exp(c, &["EVAL", "return redis.breakpoint()", "0"], null);
        exp(c, &["EVAL", "math.randomseed(0) return {tostring(math.random()), math.random(10), math.random(5, 100)}", "0"], "*3\r\n$16\r\n0.17082803611217\r\n:8\r\n:14\r\n");
        exp(c, &["EVAL", "return redis.acl_check_cmd('get', 'x')", "0"], ":1\r\n");
        exp(
            c,
            &["EVAL", "return cjson.encode({1, 'a', {x=1}})", "0"],
            "$15\r\n[1,\"a\",{\"x\":1}]\r\n",
        );
        exp(c, &["EVAL", "return cjson.decode('[1,2,3]')[3]", "0"], ":3\r\n");
        exp(
            c,
            &["EVAL", "return cmsgpack.unpack(cmsgpack.pack({1, 2, 'z'}))[3]", "0"],
            "$1\r\nz\r\n",
        );
        exp(c, &["EVAL", "return struct.unpack('>i2', struct.pack('>i2', 258))", "0"], ":258\r\n");
        exp(c, &["EVAL", "return bit.band(0xff, 0x0f)", "0"], ":15\r\n");
    });
}

const LOCK_RELEASE: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('del', KEYS[1])
        return 1
    ";

const LOCK_EXTEND: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        local expiration = redis.call('pttl', KEYS[1])
        if not expiration then
            expiration = 0
        end
        if expiration < 0 then
            return 0
        end

        local newttl = ARGV[2]
        if ARGV[3] == \"0\" then
            newttl = ARGV[2] + expiration
        end
        redis.call('pexpire', KEYS[1], newttl)
        return 1
    ";

const LOCK_REACQUIRE: &str = "
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('pexpire', KEYS[1], ARGV[2])
        return 1
    ";

/// redis-py's Script.__call__: EVALSHA, on NOSCRIPT load the script and EVALSHA again.
fn run_script(c: &mut redis::Connection, body: &str, keys: &[&str], args: &[&str]) -> i64 {
    let sha = sha1(body);
    let call = |c: &mut redis::Connection| {
        redis::cmd("EVALSHA").arg(&sha).arg(keys.len()).arg(keys).arg(args).query::<i64>(c)
    };
    match call(c) {
        Ok(v) => v,
        Err(e) => {
            assert_eq!(e.code(), Some("NOSCRIPT"), "{e}");
            let loaded: String = redis::cmd("SCRIPT").arg("LOAD").arg(body).query(c).unwrap();
            assert_eq!(loaded, sha);
            call(c).unwrap()
        }
    }
}

#[test]
fn redis_py_lock_scripts() {
    let srv = common::start();
    for mut c in srv.conns() {
        let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut c).unwrap();
        let ok: Option<String> = redis::cmd("SET")
            .arg("lock")
            .arg("tok")
            .arg("NX")
            .arg("PX")
            .arg(10000)
            .query(&mut c)
            .unwrap();
        assert_eq!(ok.as_deref(), Some("OK"));
        let again: Option<String> = redis::cmd("SET")
            .arg("lock")
            .arg("other")
            .arg("NX")
            .arg("PX")
            .arg(10000)
            .query(&mut c)
            .unwrap();
        assert_eq!(again, None);
        // extend by 5000 ms on top of the remaining time (additive: ARGV[3] == "0")
        assert_eq!(run_script(&mut c, LOCK_EXTEND, &["lock"], &["tok", "5000", "0"]), 1);
        let pttl: i64 = redis::cmd("PTTL").arg("lock").query(&mut c).unwrap();
        assert!(pttl > 10000 && pttl <= 15000, "{pttl}");
        // replace the ttl
        assert_eq!(run_script(&mut c, LOCK_EXTEND, &["lock"], &["tok", "3000", "1"]), 1);
        let pttl: i64 = redis::cmd("PTTL").arg("lock").query(&mut c).unwrap();
        assert!(pttl > 0 && pttl <= 3000, "{pttl}");
        assert_eq!(run_script(&mut c, LOCK_REACQUIRE, &["lock"], &["tok", "20000"]), 1);
        let pttl: i64 = redis::cmd("PTTL").arg("lock").query(&mut c).unwrap();
        assert!(pttl > 3000 && pttl <= 20000, "{pttl}");
        // a wrong token changes nothing
        assert_eq!(run_script(&mut c, LOCK_RELEASE, &["lock"], &["bad"]), 0);
        assert_eq!(run_script(&mut c, LOCK_EXTEND, &["lock"], &["bad", "1", "0"]), 0);
        assert_eq!(run_script(&mut c, LOCK_RELEASE, &["lock"], &["tok"]), 1);
        let exists: i64 = redis::cmd("EXISTS").arg("lock").query(&mut c).unwrap();
        assert_eq!(exists, 0);
        assert_eq!(run_script(&mut c, LOCK_RELEASE, &["lock"], &["tok"]), 0);
        // a lock without expiry cannot be extended (pttl -1)
        let _: () = redis::cmd("SET").arg("lock").arg("tok").query(&mut c).unwrap();
        assert_eq!(run_script(&mut c, LOCK_EXTEND, &["lock"], &["tok", "1000", "0"]), 0);
        let _: () = redis::cmd("DEL").arg("lock").query(&mut c).unwrap();
    }
}

/// A job-queue script in BullMQ's style: options arrive msgpack-packed, the job is stored as
/// JSON, and the script answers with the job id.
const ADD_JOB: &str = r#"
local rcall = redis.call
local opts = cmsgpack.unpack(ARGV[1])
local jobId = rcall("INCR", KEYS[1] .. ":id")
local data = cjson.decode(ARGV[2])
data.attempts = opts.attempts
data.name = opts.name
rcall("SET", KEYS[1] .. ":" .. jobId, cjson.encode(data))
rcall("LPUSH", KEYS[1] .. ":wait", jobId)
if opts.delay > 0 then
  rcall("PEXPIRE", KEYS[1] .. ":" .. jobId, opts.delay)
end
local pos = redis.pcall("LPOS", KEYS[1] .. ":wait", jobId)
if type(pos) == "table" and pos.err then
  return redis.error_reply(pos.err)
end
return {jobId, rcall("LLEN", KEYS[1] .. ":wait")}
"#;

/// MessagePack of {name="send", attempts=3, delay=0} as a client library packs it.
fn packed_opts() -> Vec<u8> {
    let mut m = vec![0x83];
    m.extend_from_slice(&[0xa4]);
    m.extend_from_slice(b"name");
    m.extend_from_slice(&[0xa4]);
    m.extend_from_slice(b"send");
    m.extend_from_slice(&[0xa8]);
    m.extend_from_slice(b"attempts");
    m.push(3);
    m.extend_from_slice(&[0xa5]);
    m.extend_from_slice(b"delay");
    m.push(0);
    m
}

#[test]
fn bullmq_style_job_script() {
    let srv = common::start();
    for (i, mut c) in srv.conns().into_iter().enumerate() {
        let q = format!("bull:q{i}");
        let r: (i64, i64) = redis::cmd("EVAL")
            .arg(ADD_JOB)
            .arg(1)
            .arg(&q)
            .arg(packed_opts())
            .arg(r#"{"to":"a@b.c","n":[1,2.5]}"#)
            .query(&mut c)
            .unwrap();
        assert_eq!(r, (1, 1));
        let r: (i64, i64) = redis::cmd("EVALSHA")
            .arg(sha1(ADD_JOB))
            .arg(1)
            .arg(&q)
            .arg(packed_opts())
            .arg(r#"{"to":"x"}"#)
            .query(&mut c)
            .unwrap();
        assert_eq!(r, (2, 2));
        let job: String = redis::cmd("GET").arg(format!("{q}:1")).query(&mut c).unwrap();
        // Key order is Lua's table order; check content, not order.
        for part in [r#""to":"a@b.c""#, r#""n":[1,2.5]"#, r#""attempts":3"#, r#""name":"send""#] {
            assert!(job.contains(part), "{job}");
        }
    }
}

/// Send without waiting for the reply.
fn send(c: &mut Raw, words: &[&str]) {
    let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    c.send(&resp(&args));
}

/// Poll with PING until the server answers BUSY (the script is past the threshold).
fn wait_busy(c: &mut Raw) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = c.roundtrip(&resp(&[b"PING"]), 7);
        if r.starts_with(b"-BUSY") {
            assert_eq!(
                String::from_utf8_lossy(&r),
                "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
            );
            let _ = c.read_for(Duration::from_millis(50), 0);
            return;
        }
        assert!(Instant::now() < deadline, "never saw BUSY: {:?}", String::from_utf8_lossy(&r));
    }
}

#[test]
fn busy_script_killed_from_another_connection() {
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut a = srv.raw();
    let mut b = srv.raw();
    exp(&mut b, &["PING"], "+PONG\r\n");
    // pcall cannot swallow the kill
    let body = "while true do pcall(function() while true do end end) end";
    send(&mut a, &["EVAL", body, "0"]);
    wait_busy(&mut b);
    exp(&mut b, &["FUNCTION", "KILL"], "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
    // Only SHUTDOWN NOSAVE may stop the server while a script is busy.
    exp(&mut b, &["SHUTDOWN"], "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
    exp(&mut b, &["SCRIPT", "KILL"], "+OK\r\n");
    let want = script_err("ERR Script killed by user with SCRIPT KILL...", body, 1);
    let (got, _) = a.read_for(Duration::from_secs(20), want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
    exp(&mut a, &["PING"], "+PONG\r\n");
    exp(&mut b, &["PING"], "+PONG\r\n");
    // A connection opened while the script runs is served too.
    send(&mut a, &["EVAL", "while true do end", "0"]);
    wait_busy(&mut b);
    let mut late = srv.raw();
    exp(&mut late, &["SCRIPT", "KILL"], "+OK\r\n");
    let (got, _) = a.read_for(Duration::from_secs(20), 10);
    assert!(got.starts_with(b"-ERR Script killed by user with SCRIPT KILL..."));
    exp(&mut late, &["SCRIPT", "KILL"], "-NOTBUSY No scripts in execution right now.\r\n");
}

#[test]
fn a_script_that_wrote_cannot_be_killed() {
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut a = srv.raw();
    let mut b = srv.raw();
    exp(&mut b, &["PING"], "+PONG\r\n");
    // Long enough to be observed, finite so the test ends.
    send(
        &mut a,
        &["EVAL", "redis.call('set', 'w', '1') for i = 1, 300000000 do end return 'done'", "0"],
    );
    wait_busy(&mut b);
    exp(&mut b, &["SCRIPT", "KILL"], "-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n");
    let (got, _) = a.read_for(Duration::from_secs(120), 10);
    assert_eq!(String::from_utf8_lossy(&got), "$4\r\ndone\r\n");
    exp(&mut b, &["GET", "w"], "$1\r\n1\r\n");
}

#[test]
fn a_slow_script_keeps_running_its_own_commands() {
    // Past the threshold other clients get BUSY, but the script's own redis.call never does.
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut c = srv.raw();
    exp(
        &mut c,
        &[
            "EVAL",
            "for i = 1, 100000 do redis.call('incr', 'c') end return redis.call('get', 'c')",
            "0",
        ],
        "$6\r\n100000\r\n",
    );
    exp(&mut c, &["PING"], "+PONG\r\n");
}

#[test]
fn a_script_spinning_in_a_coroutine_can_be_killed() {
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut a = srv.raw();
    let mut b = srv.raw();
    exp(&mut b, &["PING"], "+PONG\r\n");
    let body = "local co = coroutine.wrap(function() while true do end end) co()";
    send(&mut a, &["EVAL", body, "0"]);
    wait_busy(&mut b);
    exp(&mut b, &["SCRIPT", "KILL"], "+OK\r\n");
    let want = script_err("ERR Script killed by user with SCRIPT KILL...", body, 1);
    let (got, _) = a.read_for(Duration::from_secs(20), want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
    exp(&mut a, &["PING"], "+PONG\r\n");
}

#[test]
fn math_random_runs_on_like_a_fresh_redis() {
    // Redis never reseeds: a fresh server's sequence continues across scripts, SCRIPT FLUSH
    // and Functions (values from Redis 7.0.15 right after start).
    let srv = common::start();
    let mut c = srv.raw();
    exp(
        &mut c,
        &["EVAL", "return {tostring(math.random()), tostring(math.random())}", "0"],
        "*2\r\n$16\r\n0.39646477363839\r\n$16\r\n0.84048536971234\r\n",
    );
    exp(&mut c, &["SCRIPT", "FLUSH"], "+OK\r\n");
    exp(&mut c, &["FUNCTION", "LOAD", "#!lua name=r\nredis.register_function('r', function() return tostring(math.random()) end)"], "$1\r\nr\r\n");
    exp(&mut c, &["FCALL", "r", "0"], "$16\r\n0.35333609737146\r\n");
}

#[test]
fn writes_from_scripts_reach_the_caller_like_any_write() {
    // Values from Redis 7.0.15: in RESP3 the keyspace event a script causes reaches its own
    // caller before the script's reply, a client-side caching invalidation after it; a key the
    // caller WATCHes is touched.
    let srv = common::start();
    let mut c = raw(&srv, true);
    exp(&mut c, &["CONFIG", "SET", "notify-keyspace-events", "KEA"], "+OK\r\n");
    exp(
        &mut c,
        &["SUBSCRIBE", "__keyspace@0__:sk"],
        ">3\r\n$9\r\nsubscribe\r\n$17\r\n__keyspace@0__:sk\r\n:1\r\n",
    );
    exp(
        &mut c,
        &["EVAL", "redis.call('set','sk','v') return 1", "0"],
        ">3\r\n$7\r\nmessage\r\n$17\r\n__keyspace@0__:sk\r\n$3\r\nset\r\n:1\r\n",
    );
    exp(&mut c, &["UNSUBSCRIBE"], ">3\r\n$11\r\nunsubscribe\r\n$17\r\n__keyspace@0__:sk\r\n:0\r\n");
    exp(&mut c, &["CONFIG", "SET", "notify-keyspace-events", ""], "+OK\r\n");
    exp(&mut c, &["CLIENT", "TRACKING", "on"], "+OK\r\n");
    exp(&mut c, &["GET", "sk"], "$1\r\nv\r\n");
    exp(
        &mut c,
        &["EVAL", "redis.call('set','sk','w') return 2", "0"],
        ":2\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nsk\r\n",
    );
    exp(&mut c, &["CLIENT", "TRACKING", "off"], "+OK\r\n");
    exp(&mut c, &["WATCH", "sk"], "+OK\r\n");
    exp(&mut c, &["EVAL", "return redis.call('set','sk','x')", "0"], "+OK\r\n");
    exp(&mut c, &["MULTI"], "+OK\r\n");
    exp(&mut c, &["GET", "sk"], "+QUEUED\r\n");
    exp(&mut c, &["EXEC"], "_\r\n");
    // Scripts inside a transaction (Celery sends EVALSHA inside MULTI).
    let sha = sha1("return redis.call('get', KEYS[1])");
    exp(
        &mut c,
        &["SCRIPT", "LOAD", "return redis.call('get', KEYS[1])"],
        &format!("$40\r\n{sha}\r\n"),
    );
    exp(&mut c, &["MULTI"], "+OK\r\n");
    exp(&mut c, &["EVALSHA", &sha, "1", "sk"], "+QUEUED\r\n");
    exp(&mut c, &["EVAL", "return redis.call('incr', 'n')", "0"], "+QUEUED\r\n");
    exp(&mut c, &["EXEC"], "*2\r\n$1\r\nx\r\n:1\r\n");
}

#[test]
fn info_reports_scripts_and_functions() {
    let srv = common::start();
    let mut c = srv.conn();
    let field = |info: &str, name: &str| -> i64 {
        let line = info.lines().find(|l| l.starts_with(&format!("{name}:"))).unwrap();
        line[name.len() + 1..].trim().parse().unwrap()
    };
    let info: String = redis::cmd("INFO").arg("memory").query(&mut c).unwrap();
    assert_eq!(field(&info, "number_of_cached_scripts"), 0);
    assert!(field(&info, "used_memory_lua") > 0);
    let _: String = redis::cmd("SCRIPT").arg("LOAD").arg("return 1").query(&mut c).unwrap();
    let _: String = redis::cmd("FUNCTION")
        .arg("LOAD")
        .arg("#!lua name=l\nredis.register_function('f', function() return 1 end)")
        .query(&mut c)
        .unwrap();
    let info: String = redis::cmd("INFO").arg("memory").query(&mut c).unwrap();
    assert_eq!(field(&info, "number_of_cached_scripts"), 1);
    assert_eq!(field(&info, "number_of_functions"), 1);
    assert_eq!(field(&info, "number_of_libraries"), 1);
    assert!(field(&info, "used_memory_scripts") > 0);
    assert!(field(&info, "used_memory_vm_functions") > 0);
}
