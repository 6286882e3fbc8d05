//! DUMP payloads (createDumpPayload / verifyDumpPayload): the value's RDB type and encoding,
//! then the 2-byte RDB version and a CRC64 of everything before it, little endian.

use super::rdb::decode::{read_value, LoadCfg, Reader};
use super::rdb::encode::{write_typed, Writer};
use super::rdb::{RdbResult, RDB_VERSION};
use crate::db::Value;
use crate::util::crc64::crc64;

pub fn dump(v: &Value, rdbcompression: bool) -> Vec<u8> {
    let mut w = Writer::new(rdbcompression);
    write_typed(&mut w, v);
    let mut out = w.out;
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// True when the footer carries a version this server reads and (unless `skip_crc`) a
/// matching checksum.
pub fn verify(p: &[u8], skip_crc: bool) -> bool {
    if p.len() < 10 {
        return false;
    }
    let footer = &p[p.len() - 10..];
    if u16::from_le_bytes([footer[0], footer[1]]) > RDB_VERSION {
        return false;
    }
    skip_crc || crc64(0, &p[..p.len() - 8]).to_le_bytes() == footer[2..]
}

/// The value of a verified payload.
pub fn load(p: &[u8], cfg: &LoadCfg) -> RdbResult<Value> {
    let mut r = Reader::new(&p[..p.len().saturating_sub(10)]);
    let t = r.byte()?;
    read_value(&mut r, t, cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_payload_matches_redis() {
        // redis-cli DUMP of SET k hello / SET k 12345 (Redis 7.0.15).
        let p = dump(&Value::string(b"hello"), true);
        assert_eq!(&p[..8], b"\x00\x05hello\x0a");
        assert!(verify(&p, false));
        let p = dump(&Value::string(b"12345"), true);
        assert_eq!(&p[..4], b"\x00\xc1\x39\x30");
        let mut bad = p.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert!(!verify(&bad, false));
        assert!(verify(&bad, true));
    }
}
