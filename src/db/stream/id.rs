//! Stream IDs: `<ms>-<seq>`, both unsigned 64-bit, ordered as a 128-bit number.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const ZERO: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };

    pub fn is_zero(self) -> bool {
        self == StreamId::ZERO
    }

    /// The next ID, or None at the maximum (Redis's streamIncrID failing).
    pub fn next(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                return None;
            }
            return Some(StreamId { ms: self.ms + 1, seq: 0 });
        }
        Some(StreamId { ms: self.ms, seq: self.seq + 1 })
    }

    /// The previous ID, or None at 0-0 (streamDecrID failing).
    pub fn prev(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                return None;
            }
            return Some(StreamId { ms: self.ms - 1, seq: u64::MAX });
        }
        Some(StreamId { ms: self.ms, seq: self.seq - 1 })
    }

    pub fn to_bytes(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}
