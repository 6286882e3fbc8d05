use std::process::exit;

use ferrodis::config::Config;
use ferrodis::error::ServerError;
use ferrodis::logging;
use ferrodis::server::Server;
use log::{info, warn};

#[global_allocator]
static ALLOC: ferrodis::alloc::Counting = ferrodis::alloc::Counting;

fn main() {
    let argv0 = std::env::args().next().unwrap_or_else(|| "ferrodis".into());
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-v") {
        println!("{}", ferrodis::version_line());
        return;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", ferrodis::USAGE);
        return;
    }
    let cfg = match Config::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            exit(1);
        }
    };
    let table = ferrodis::cmd::CommandTable::build();
    if let Err(e) = cfg.check_rename_commands(|name| table.lookup(name.as_bytes()).is_some()) {
        eprintln!("{e}");
        exit(1);
    }
    logging::init(&cfg);
    // Redis's first lines (server.c main), word for word: log readers look for them.
    warn!("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    warn!(
        "Redis version={}, bits=64, commit=00000000, modified=0, pid={}, just started",
        ferrodis::REDIS_VERSION,
        std::process::id()
    );
    if args.is_empty() {
        warn!(
            "Warning: no config file specified, using the default config. In order to specify a config file use {argv0} /path/to/redis.conf"
        );
    } else {
        warn!("Configuration loaded");
    }
    if let Err(e) = std::env::set_current_dir(&cfg.dir) {
        warn!("Can't chdir to '{}': {e}", cfg.dir);
        exit(1);
    }
    logging::set_role(b'M');
    info!("monotonic clock: POSIX clock_gettime");
    let show_logo = logging::wants_logo(&cfg);
    if let Some(path) = &cfg.unixsocket {
        warn!("unixsocket {path}: ferrodis has no unix socket listener yet; listening on TCP only");
    }
    let mut server = match Server::bind(cfg) {
        Ok(s) => s,
        Err(ServerError::Bind { addr, source }) => {
            // Redis's two lines; Redis's test suite retries on another port when it sees
            // "Failed listening on port".
            let port = addr.rsplit(':').next().unwrap_or("0");
            warn!(
                "Warning: Could not create server TCP listening socket {addr}: bind: {}",
                logging::strerror(&source)
            );
            warn!("Failed listening on port {port} (TCP), aborting.");
            exit(1);
        }
        Err(e) => {
            warn!("{e}");
            exit(1);
        }
    };
    if let Err(e) = server.handle_signals() {
        warn!("Cannot install signal handlers: {e}");
        exit(1);
    }
    let banner = logging::Banner {
        version: ferrodis::REDIS_VERSION,
        mode: "standalone",
        port: server.local_addr().port(),
        pid: std::process::id(),
    };
    logging::show_banner(show_logo, &banner);
    warn!("Server initialized");
    if let Err(e) = server.run() {
        warn!("{e}");
        exit(1);
    }
}
