//! No setting is accepted and ignored: a value that needs a feature ferrodis lacks is refused
//! by CONFIG SET and at startup, naming the feature.
mod common;

use common::process::run_to_exit;

fn config_set(c: &mut redis::Connection, k: &str, v: &str) -> Result<(), String> {
    redis::cmd("CONFIG").arg("SET").arg(k).arg(v).query::<()>(c).map_err(|e| e.to_string())
}

fn config_get(c: &mut redis::Connection, k: &str) -> String {
    let v: Vec<String> = redis::cmd("CONFIG").arg("GET").arg(k).query(c).unwrap();
    v[1].clone()
}

#[test]
fn config_set_refuses_values_that_need_a_missing_feature() {
    let s = common::start();
    let mut c = s.conn();
    for (k, v, feature) in [
        ("appendonly", "yes", "AOF persistence"),
        ("maxmemory-clients", "100mb", "client eviction"),
        ("tls-port", "6390", "TLS"),
        ("watchdog-period", "200", "watchdog"),
    ] {
        let before = config_get(&mut c, k);
        let e = config_set(&mut c, k, v).unwrap_err();
        assert!(e.contains(feature) && e.contains("does not implement"), "{k} {v}: {e}");
        assert_eq!(config_get(&mut c, k), before, "{k} changed");
    }
    // Values that ask for nothing are still fine.
    config_set(&mut c, "appendonly", "no").unwrap();
    config_set(&mut c, "maxmemory", "0").unwrap();
    config_set(&mut c, "maxmemory-policy", "allkeys-lfu").unwrap();
}

#[test]
fn startup_refuses_values_that_need_a_missing_feature() {
    for (opts, feature) in [
        (&["--appendonly", "yes"][..], "'appendonly' needs AOF persistence"),
        (&["--replicaof", "127.0.0.1", "6379"][..], "'replicaof' needs replication"),
        (&["--slaveof", "127.0.0.1", "6379"][..], "'replicaof' needs replication"),
        (&["--cluster-enabled", "yes"][..], "'cluster-enabled' needs cluster mode"),
        (&["--maxmemory-clients", "1gb"][..], "'maxmemory-clients' needs client eviction"),
        (&["--aclfile", "/nonexistent/users.acl"][..], "'aclfile' needs ACL"),
        (&["--loadmodule", "/x.so"][..], "'loadmodule' needs modules"),
    ] {
        let mut args = vec!["--port", "0", "--bind", "127.0.0.1"];
        args.extend_from_slice(opts);
        let (code, out) = run_to_exit(&args);
        assert_eq!(code, 1, "{opts:?}: {out}");
        assert!(out.contains("*** FATAL CONFIG FILE ERROR"), "{opts:?}: {out}");
        assert!(out.contains(feature), "{opts:?}: {out}");
    }
}
