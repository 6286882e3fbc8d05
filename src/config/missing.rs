//! Settings whose values need a feature ferrodis does not have yet.
//!
//! A setting may be stored and reported like Redis while its feature is missing only as long
//! as its value asks for nothing (`appendonly no`, `maxmemory 0`). A value that needs the
//! feature is refused: CONFIG SET answers an error and startup exits with a fatal config
//! error, naming the feature. When a feature lands, delete its rows here (and flag the
//! parameter `ACTED` in the table).

use super::{Config, OomScoreAdj, Supervised};

/// One refused use of a setting.
pub struct NeedsFeature {
    /// The parameter (canonical name) or file directive (`user`, `loadmodule`).
    pub setting: &'static str,
    /// What is missing, as the error names it.
    pub feature: &'static str,
    /// True when the configuration asks for the feature through this setting.
    pub needs: fn(&Config) -> bool,
}

/// Every setting that can ask for a missing feature.
pub static NEEDS_FEATURE: &[NeedsFeature] = &[
    NeedsFeature { setting: "appendonly", feature: "AOF persistence", needs: |c| c.appendonly },
    NeedsFeature { setting: "replicaof", feature: "replication", needs: |c| c.replicaof.is_some() },
    NeedsFeature {
        setting: "cluster-enabled",
        feature: "cluster mode",
        needs: |c| c.cluster_enabled,
    },
    NeedsFeature { setting: "tls-port", feature: "TLS", needs: |c| c.tls_port != 0 },
    NeedsFeature {
        setting: "maxmemory-clients",
        feature: "client eviction",
        needs: |c| c.maxmemory_clients != 0,
    },
    NeedsFeature { setting: "aclfile", feature: "ACL", needs: |c| !c.aclfile.is_empty() },
    NeedsFeature { setting: "user", feature: "ACL", needs: |c| !c.users.is_empty() },
    NeedsFeature {
        setting: "loadmodule",
        feature: "modules",
        needs: |c| !c.loadmodules.is_empty(),
    },
    NeedsFeature {
        setting: "watchdog-period",
        feature: "the software watchdog",
        needs: |c| c.watchdog_period != 0,
    },
    NeedsFeature {
        setting: "supervised",
        feature: "supervision (upstart/systemd notification)",
        needs: |c| c.supervised != Supervised::No,
    },
    NeedsFeature {
        setting: "oom-score-adj",
        feature: "OOM score adjustment",
        needs: |c| c.oom_score_adj != OomScoreAdj::No,
    },
    NeedsFeature {
        setting: "socket-mark-id",
        feature: "socket marking (SO_MARK)",
        needs: |c| c.socket_mark_id != 0,
    },
    NeedsFeature {
        setting: "server_cpulist",
        feature: "CPU affinity",
        needs: |c| c.server_cpulist.is_some(),
    },
    NeedsFeature {
        setting: "bio_cpulist",
        feature: "CPU affinity",
        needs: |c| c.bio_cpulist.is_some(),
    },
    NeedsFeature {
        setting: "aof_rewrite_cpulist",
        feature: "CPU affinity",
        needs: |c| c.aof_rewrite_cpulist.is_some(),
    },
    NeedsFeature {
        setting: "bgsave_cpulist",
        feature: "CPU affinity",
        needs: |c| c.bgsave_cpulist.is_some(),
    },
];

/// The error text for a refused setting.
pub fn refusal(n: &NeedsFeature) -> String {
    format!("'{}' needs {}, which ferrodis does not implement yet", n.setting, n.feature)
}

/// The first setting of `cfg` (among `settings`, or all when None) that needs a missing
/// feature.
pub fn first_unmet(cfg: &Config, settings: Option<&[&str]>) -> Option<&'static NeedsFeature> {
    NEEDS_FEATURE
        .iter()
        .filter(|n| settings.is_none_or(|s| s.contains(&n.setting)))
        .find(|n| (n.needs)(cfg))
}
