use std::process::exit;

use ferrodis::config::Config;
use ferrodis::server::Server;

#[global_allocator]
static ALLOC: ferrodis::alloc::Counting = ferrodis::alloc::Counting;

fn main() {
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
    // RUST_LOG, when set, overrides `loglevel` (handy for debugging a single module).
    env_logger::Builder::new().filter_level(ferrodis::log_filter(&cfg)).parse_default_env().init();
    if let Err(e) = std::env::set_current_dir(&cfg.dir) {
        log::error!("Can't chdir to '{}': {e}", cfg.dir);
        exit(1);
    }
    let mut server = match Server::bind(cfg) {
        Ok(s) => s,
        Err(e) => {
            log::error!("{e}");
            exit(1);
        }
    };
    if let Err(e) = server.load_data() {
        log::error!("{e}");
        exit(1);
    }
    if let Err(e) = server.handle_signals() {
        log::error!("Cannot install signal handlers: {e}");
        exit(1);
    }
    if let Err(e) = server.run() {
        log::error!("{e}");
        exit(1);
    }
}
