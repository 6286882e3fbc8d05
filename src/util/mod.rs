//! Small pure helpers shared by the command families.
pub mod bits;
pub mod crc64;
pub mod geohash;
pub mod glob;
pub mod hll;
pub mod lzf;
pub mod num;
