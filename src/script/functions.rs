//! Functions (FUNCTION LOAD, FCALL).

#[derive(Default)]
pub struct Functions {}

impl Functions {
    pub fn new() -> Functions {
        Functions {}
    }
    pub fn code_bytes(&self) -> usize {
        0
    }
    pub fn used_memory_vm(&self) -> usize {
        0
    }
}
