//! Bit operations on byte strings for SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD, and LCS.
//! Pure functions: the command handlers in cmd/bitmap.rs parse arguments and call these.
