//! TEMPORARY minimal config until the config branch lands (it replaces this file).
#![allow(missing_docs)]

use crate::error::CommandError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnableOpt {
    No,
    Yes,
    Local,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    pub bind: Vec<String>,
    pub databases: usize,
    pub maxclients: usize,
    pub timeout: u64,
    pub tcp_keepalive: u64,
    pub tcp_backlog: i32,
    pub hz: u32,
    pub active_expire_effort: u32,
    pub requirepass: Option<Vec<u8>>,
    pub proto_max_bulk_len: i64,
    pub client_query_buffer_limit: usize,
    pub enable_debug_command: EnableOpt,
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    pub latency_monitor_threshold: u64,
    pub maxmemory: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".into()],
            databases: 16,
            maxclients: 10000,
            timeout: 0,
            tcp_keepalive: 300,
            tcp_backlog: 511,
            hz: 10,
            active_expire_effort: 1,
            requirepass: None,
            proto_max_bulk_len: 512 << 20,
            client_query_buffer_limit: 1 << 30,
            enable_debug_command: EnableOpt::No,
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            maxmemory: 0,
        }
    }
}

impl Config {
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut c = Config::default();
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "--port" => {
                    c.port = args.get(i + 1).and_then(|p| p.parse().ok()).ok_or("bad port")?;
                    i += 2;
                }
                "--enable-debug-command" => {
                    c.enable_debug_command = EnableOpt::Yes;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        Ok(c)
    }

    pub fn config_get(&self, _patterns: &[&[u8]]) -> Vec<(String, String)> {
        Vec::new()
    }

    pub fn config_set(&mut self, _pairs: &[(&[u8], &[u8])]) -> Result<(), CommandError> {
        Err(CommandError::stat("ERR not yet"))
    }
}
