//! Functions (FUNCTION LOAD/DELETE/FLUSH/LIST/STATS/DUMP/RESTORE/KILL, FCALL, FCALL_RO) in
//! RESP2 and RESP3, checked against Redis 7.0.15's replies.

mod common;

use std::time::{Duration, Instant};

use common::{exp, raw, resp};

const LIB: &str = "#!lua name=mylib
local function set(keys, args) return redis.call('set', keys[1], args[1]) end
redis.register_function('myset', set)
redis.register_function{function_name='myget', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='read it'}";

#[test]
fn load_call_list_delete() {
    let srv = common::start();
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        let null = if resp3 { "_\r\n" } else { "$-1\r\n" };
        exp(&mut c, &["FUNCTION", "FLUSH"], "+OK\r\n");
        exp(&mut c, &["FUNCTION", "LOAD", LIB], "$5\r\nmylib\r\n");
        exp(&mut c, &["FUNCTION", "LOAD", LIB], "-ERR Library 'mylib' already exists\r\n");
        exp(&mut c, &["FUNCTION", "LOAD", "REPLACE", LIB], "$5\r\nmylib\r\n");
        exp(&mut c, &["FCALL", "myset", "1", "fk", "fv"], "+OK\r\n");
        exp(&mut c, &["FCALL", "MYGET", "1", "fk"], "$2\r\nfv\r\n");
        exp(&mut c, &["FCALL_RO", "myget", "1", "fk"], "$2\r\nfv\r\n");
        exp(
            &mut c,
            &["FCALL_RO", "myset", "1", "fk", "x"],
            "-ERR Can not execute a script with write flag using *_ro command.\r\n",
        );
        exp(&mut c, &["FCALL", "nosuch", "0"], "-ERR Function not found\r\n");
        exp(&mut c, &["FCALL", "myset", "-1"], "-ERR Number of keys can't be negative\r\n");
        exp(
            &mut c,
            &["FCALL", "myset", "3", "a"],
            "-ERR Number of keys can't be greater than number of args\r\n",
        );
        let list = if resp3 {
            "*1\r\n%3\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n%3\r\n$4\r\nname\r\n$5\r\nmyset\r\n$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~0\r\n%3\r\n$4\r\nname\r\n$5\r\nmyget\r\n$11\r\ndescription\r\n$7\r\nread it\r\n$5\r\nflags\r\n~1\r\n+no-writes\r\n"
        } else {
            "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n*6\r\n$4\r\nname\r\n$5\r\nmyset\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n*6\r\n$4\r\nname\r\n$5\r\nmyget\r\n$11\r\ndescription\r\n$7\r\nread it\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n"
        };
        exp(&mut c, &["FUNCTION", "LIST"], list);
        exp(&mut c, &["FUNCTION", "LIST", "LIBRARYNAME", "my*"], list);
        exp(&mut c, &["FUNCTION", "LIST", "LIBRARYNAME", "other*"], "*0\r\n");
        exp(
            &mut c,
            &["FUNCTION", "LIST", "LIBRARYNAME"],
            "-ERR library name argument was not given\r\n",
        );
        exp(&mut c, &["FUNCTION", "LIST", "foo"], "-ERR Unknown argument foo\r\n");
        let stats = if resp3 {
            format!("%2\r\n$14\r\nrunning_script\r\n{null}$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n%2\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n")
        } else {
            format!("*4\r\n$14\r\nrunning_script\r\n{null}$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n")
        };
        exp(&mut c, &["FUNCTION", "STATS"], &stats);
        exp(&mut c, &["FUNCTION", "DELETE", "nosuch"], "-ERR Library not found\r\n");
        exp(&mut c, &["FUNCTION", "DELETE", "mylib"], "+OK\r\n");
        exp(&mut c, &["FCALL", "myset", "1", "fk", "fv"], "-ERR Function not found\r\n");
        exp(&mut c, &["FUNCTION", "KILL"], "-NOTBUSY No scripts in execution right now.\r\n");
        exp(
            &mut c,
            &["FUNCTION", "FLUSH", "foo"],
            "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n",
        );
        exp(&mut c, &["DEL", "fk"], ":1\r\n");
    }
}

#[test]
fn load_errors() {
    let srv = common::start();
    let mut c = raw(&srv, false);
    let cases: &[(&str, &str)] = &[
        ("return 1", "ERR Missing library metadata"),
        ("#!lua\nreturn 1", "ERR Library name was not given"),
        ("#!lua name=a-b\nreturn 1", "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"),
        ("#!lua name=x foo=bar\nreturn 1", "ERR Invalid metadata value given: foo=bar"),
        ("#!js name=x\nreturn 1", "ERR Engine 'js' not found"),
        ("#!lua name=x\nreturn 1", "ERR No functions registered"),
        ("#!lua name=x\nsyntax error", "ERR Error compiling function: user_function:2: '=' expected near 'error'"),
        ("#!lua name=x\nredis.call('ping')", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'"),
        ("#!lua name=x\nlocal s = string", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'string'"),
        ("#!lua name=x\nredis.register_function('f', function() end) redis.register_function('f', function() end)", "ERR Error registering functions: ERR Function already exists in the library"),
        ("#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags={'bad'}}", "ERR Error registering functions: ERR unknown flag given"),
        ("#!lua name=x\nredis.register_function('f')", "ERR Error registering functions: ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."),
        ("#!lua name=x\nredis.register_function('f', function() end, 3)", "ERR Error registering functions: ERR wrong number of arguments to redis.register_function"),
        ("#!lua name=x\nwhile true do end", "ERR Error registering functions: ERR FUNCTION LOAD timeout"),
    ];
    for (code, err) in cases {
        exp(&mut c, &["FUNCTION", "LOAD", code], &format!("-{err}\r\n"));
    }
    exp(
        &mut c,
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=a\nredis.register_function('f', function() return 1 end)",
        ],
        "$1\r\na\r\n",
    );
    exp(
        &mut c,
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=b\nredis.register_function('F', function() return 1 end)",
        ],
        "-ERR Function F already exists\r\n",
    );
    exp(
        &mut c,
        &["FUNCTION", "LOAD", "#!lua name=w\nredis.register_function('w', function() x = 5 end)"],
        "$1\r\nw\r\n",
    );
    exp(&mut c, &["FCALL", "w", "0"], "-ERR user_function:2: Attempt to modify a readonly table script: w, on @user_function:2.\r\n");
}

#[test]
fn dump_and_restore() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: () = redis::cmd("FUNCTION").arg("FLUSH").query(&mut c).unwrap();
    let _: String = redis::cmd("FUNCTION").arg("LOAD").arg(LIB).query(&mut c).unwrap();
    let dump: Vec<u8> = redis::cmd("FUNCTION").arg("DUMP").query(&mut c).unwrap();
    let r: redis::RedisResult<()> = redis::cmd("FUNCTION").arg("RESTORE").arg(&dump).query(&mut c);
    assert!(r.unwrap_err().to_string().contains("Library mylib already exists"));
    let _: () =
        redis::cmd("FUNCTION").arg("RESTORE").arg(&dump).arg("REPLACE").query(&mut c).unwrap();
    let _: () = redis::cmd("FUNCTION").arg("FLUSH").query(&mut c).unwrap();
    let _: () = redis::cmd("FUNCTION").arg("RESTORE").arg(&dump).query(&mut c).unwrap();
    let v: String =
        redis::cmd("FCALL").arg("myset").arg(1).arg("k").arg("v").query(&mut c).unwrap();
    assert_eq!(v, "OK");
    let mut bad = dump.clone();
    bad[2] ^= 0x55;
    let r: redis::RedisResult<()> = redis::cmd("FUNCTION").arg("RESTORE").arg(&bad).query(&mut c);
    assert!(r.unwrap_err().to_string().contains("DUMP payload version or checksum are wrong"));
    let r: redis::RedisResult<()> =
        redis::cmd("FUNCTION").arg("RESTORE").arg(&dump).arg("BAD").query(&mut c);
    assert!(r.unwrap_err().to_string().contains("Wrong restore policy given"));
    // A payload as Redis 7.0 writes it (LZF-compressed library code) restores too.
    let code = b"#!lua name=z\nredis.register_function('zz', function() return 'zz' end)";
    let mut lzf = Vec::new();
    // Literal runs only: valid LZF that any decoder must accept.
    for chunk in code.chunks(32) {
        lzf.push((chunk.len() - 1) as u8);
        lzf.extend_from_slice(chunk);
    }
    assert!(code.len() < 256 && lzf.len() < 256);
    // RDB_OPCODE_FUNCTION2, then an LZF string: 0xC3, compressed and plain 14-bit lengths.
    let mut p = vec![245u8, 0xC3, 0x40, lzf.len() as u8, 0x40, code.len() as u8];
    p.extend_from_slice(&lzf);
    p.extend_from_slice(&10u16.to_le_bytes());
    p.extend_from_slice(&[0u8; 8]);
    let _: () = redis::cmd("FUNCTION").arg("RESTORE").arg(&p).query(&mut c).unwrap();
    let v: String = redis::cmd("FCALL").arg("zz").arg(0).query(&mut c).unwrap();
    assert_eq!(v, "zz");
}

#[test]
fn busy_function_killed_with_function_kill() {
    let srv = common::start_with(&["--busy-reply-threshold", "0"]);
    let mut a = srv.raw();
    let mut b = srv.raw();
    exp(
        &mut b,
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=spin\nredis.register_function('spin', function() while true do end end)",
        ],
        "$4\r\nspin\r\n",
    );
    a.send(&resp(&[b"FCALL", b"spin", b"0"]));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = b.roundtrip(&resp(&[b"PING"]), 7);
        if r.starts_with(b"-BUSY") {
            assert_eq!(String::from_utf8_lossy(&r), "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n");
            break;
        }
        assert!(Instant::now() < deadline);
    }
    exp(&mut b, &["SCRIPT", "KILL"], "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n");
    b.send(&resp(&[b"FUNCTION", b"STATS"]));
    let (stats, _) = b.read_for(Duration::from_millis(500), 0);
    let s = String::from_utf8_lossy(&stats);
    assert!(s.starts_with("*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:"), "{s}");
    exp(&mut b, &["FUNCTION", "KILL"], "+OK\r\n");
    let want =
        "-ERR Script killed by user with FUNCTION KILL... script: spin, on @user_function:2.\r\n";
    let (got, _) = a.read_for(Duration::from_secs(20), want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
}
