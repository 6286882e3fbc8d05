//! Small pure helpers shared by the command families.
pub mod bits;
pub mod glob;
pub mod hll;
pub mod num;
