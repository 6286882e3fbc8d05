//! Small pure helpers shared by the command families.
pub mod bits;
pub mod geohash;
pub mod glob;
pub mod hll;
pub mod num;
