//! Geo commands through the `redis` crate in RESP2 and RESP3. Digit-for-digit agreement with
//! redis-server (coordinates, distances, hashes, search order) is in tests/diff/geo.txt.

mod common;

use redis::{cmd, Value};

fn b(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec())
}

#[test]
fn add_position_distance_hash() {
    let srv = common::start();
    for (i, mut c) in srv.conns().into_iter().enumerate() {
        let _: () = cmd("FLUSHALL").query(&mut c).unwrap();
        let n: i64 = cmd("GEOADD")
            .arg("Sicily")
            .arg(&["13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"])
            .query(&mut c)
            .unwrap();
        assert_eq!(n, 2);
        let score: f64 = cmd("ZSCORE").arg("Sicily").arg("Palermo").query(&mut c).unwrap();
        assert_eq!(score, 3_479_099_956_230_698.0);
        let v: Value =
            cmd("GEOPOS").arg("Sicily").arg("Palermo").arg("nope").query(&mut c).unwrap();
        let coords = if i == 0 {
            vec![b("13.36138933897018433"), b("38.11555639549629859")]
        } else {
            vec![Value::Double(13.361389338970184), Value::Double(38.1155563954963)]
        };
        assert_eq!(v, Value::Array(vec![Value::Array(coords), Value::Nil]));
        let d: String = cmd("GEODIST")
            .arg("Sicily")
            .arg("Palermo")
            .arg("Catania")
            .arg("km")
            .query(&mut c)
            .unwrap();
        assert_eq!(d, "166.2742");
        let h: Vec<Option<String>> =
            cmd("GEOHASH").arg("Sicily").arg("Palermo").arg("nope").query(&mut c).unwrap();
        assert_eq!(h, vec![Some("sqc8b49rny0".to_string()), None]);
        let err =
            cmd("GEOADD").arg("Sicily").arg(200).arg(10).arg("x").query::<i64>(&mut c).unwrap_err();
        assert_eq!(err.detail(), Some("invalid longitude,latitude pair 200.000000,10.000000"));
    }
}

#[test]
fn search_and_store() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: i64 = cmd("GEOADD")
        .arg("Sicily")
        .arg(&[
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
            "12.49",
            "41.9",
            "Rome",
        ])
        .query(&mut c)
        .unwrap();
    let near: Vec<String> = cmd("GEOSEARCH")
        .arg("Sicily")
        .arg("FROMLONLAT")
        .arg(15)
        .arg(37)
        .arg("BYRADIUS")
        .arg(200)
        .arg("km")
        .arg("ASC")
        .query(&mut c)
        .unwrap();
    assert_eq!(near, vec!["Catania", "Palermo"]);
    let v: Value = cmd("GEOSEARCH")
        .arg("Sicily")
        .arg("FROMMEMBER")
        .arg("Palermo")
        .arg("BYBOX")
        .arg(400)
        .arg(400)
        .arg("km")
        .arg("DESC")
        .arg("WITHDIST")
        .query(&mut c)
        .unwrap();
    assert_eq!(
        v,
        Value::Array(vec![
            Value::Array(vec![b("Catania"), b("166.2742")]),
            Value::Array(vec![b("Palermo"), b("0.0000")]),
        ])
    );
    let n: i64 = cmd("GEOSEARCHSTORE")
        .arg("dst")
        .arg("Sicily")
        .arg("FROMLONLAT")
        .arg(15)
        .arg(37)
        .arg("BYRADIUS")
        .arg(200)
        .arg("km")
        .arg("STOREDIST")
        .query(&mut c)
        .unwrap();
    assert_eq!(n, 2);
    let members: Vec<String> = cmd("ZRANGE").arg("dst").arg(0).arg(-1).query(&mut c).unwrap();
    assert_eq!(members, vec!["Catania", "Palermo"]);
    let n: i64 = cmd("GEORADIUS")
        .arg("Sicily")
        .arg(15)
        .arg(37)
        .arg(1)
        .arg("m")
        .arg("STORE")
        .arg("dst")
        .query(&mut c)
        .unwrap();
    assert_eq!(n, 0);
    let e: i64 = cmd("EXISTS").arg("dst").query(&mut c).unwrap();
    assert_eq!(e, 0, "an empty STORE result deletes the destination");
    let err = cmd("GEOSEARCH")
        .arg("Sicily")
        .arg("BYRADIUS")
        .arg(1)
        .arg("km")
        .arg("ASC")
        .arg("WITHDIST")
        .query::<Value>(&mut c)
        .unwrap_err();
    assert_eq!(
        err.detail(),
        Some("exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH")
    );
}
