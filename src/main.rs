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
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("notice"))
        .filter_level(ferrodis::log_filter(&cfg))
        .parse_default_env()
        .init();
    let mut server = match Server::bind(cfg) {
        Ok(s) => s,
        Err(e) => {
            log::error!("{e}");
            exit(1);
        }
    };
    if let Err(e) = server.handle_signals() {
        log::error!("Cannot install signal handlers: {e}");
        exit(1);
    }
    if let Err(e) = server.run() {
        log::error!("{e}");
        exit(1);
    }
}
