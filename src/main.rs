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
    let mut cfg = cfg;
    // Redis's main: daemonize right after loading the configuration (supervision is refused
    // until it exists, so `daemonize yes` always means background), then log.
    if cfg.daemonize {
        daemonize();
        if cfg.pidfile.is_none() {
            cfg.pidfile = Some("/var/run/redis.pid".into());
        }
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
    let thp = cfg.disable_thp;
    logging::set_role(b'M');
    info!("monotonic clock: POSIX clock_gettime");
    // Redis's initServer: a closed terminal or a broken pipe does not stop the server.
    // SAFETY: setting the disposition of two signals to "ignore".
    unsafe {
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    adjust_open_files_limit(&mut cfg);
    let show_logo = logging::wants_logo(&cfg);
    let cfg_pidfile = cfg.pidfile.clone();
    let cfg_backlog = cfg.tcp_backlog;
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
    if let Err(e) = server.load_data() {
        // One log line per line of the message, as Redis logs each with its own prefix.
        for line in e.lines() {
            log::error!("{line}");
        }
        exit(1);
    }
    if let Err(e) = server.handle_signals() {
        warn!("Cannot install signal handlers: {e}");
        exit(1);
    }
    if let Some(path) = &cfg_pidfile {
        create_pid_file(path);
    }
    let banner = logging::Banner {
        version: ferrodis::REDIS_VERSION,
        mode: "standalone",
        port: server.port(),
        pid: std::process::id(),
    };
    logging::show_banner(show_logo, &banner);
    check_tcp_backlog(cfg_backlog);
    warn!("Server initialized");
    // Redis's linuxMemoryWarnings, after "Server initialized".
    if thp {
        disable_thp();
    }
    if let Err(e) = server.run() {
        warn!("{e}");
        exit(1);
    }
}

/// Redis's daemonize(): the parent exits, the child leaves the terminal's session and points
/// stdin, stdout and stderr at /dev/null. Called before any thread exists.
fn daemonize() {
    // SAFETY: fork in a single-threaded process; the child only continues main.
    unsafe {
        match libc::fork() {
            -1 => {
                eprintln!("fork: {}", std::io::Error::last_os_error());
                exit(1);
            }
            0 => {}
            _ => exit(0),
        }
        libc::setsid();
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR, 0);
        if fd != -1 {
            libc::dup2(fd, 0);
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
            if fd > 2 {
                libc::close(fd);
            }
        }
    }
}

/// Redis's createPidFile: a failure is logged, not fatal.
fn create_pid_file(path: &str) {
    if let Err(e) = std::fs::write(path, format!("{}\n", std::process::id())) {
        warn!("Failed to write PID file: {}", logging::strerror(&e));
    }
}

/// Redis's THPDisable (linuxMemoryWarnings): with transparent huge pages set to `always`,
/// opt this process out, as `disable-thp yes` asks; warn if that fails.
fn disable_thp() {
    let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled");
    if !mode.is_ok_and(|m| m.contains("[always]")) {
        return;
    }
    // SAFETY: prctl(PR_SET_THP_DISABLE) only changes a flag of this process.
    if unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } != 0 {
        warn!(
            "WARNING you have Transparent Huge Pages (THP) support enabled in your kernel. This will create latency and memory usage issues with Redis. To fix this issue run the command 'echo madvise > /sys/kernel/mm/transparent_hugepage/enabled' as root, and add it to your /etc/rc.local in order to retain the setting after a reboot. Redis must be restarted after THP is disabled (set to 'madvise' or 'never')."
        );
    }
}

/// File descriptors kept for the server's own use beyond one per client (Redis's
/// CONFIG_MIN_RESERVED_FDS).
const MIN_RESERVED_FDS: u64 = 32;

/// Redis's adjustOpenFilesLimit: raise RLIMIT_NOFILE to maxclients + 32, stepping down by 16
/// until the kernel agrees, and lower maxclients to what the limit allows.
fn adjust_open_files_limit(cfg: &mut Config) {
    let maxfiles = cfg.maxclients as u64 + MIN_RESERVED_FDS;
    // SAFETY: getrlimit/setrlimit on a struct we own.
    let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == -1 {
        warn!(
            "Unable to obtain the current NOFILE limit ({}), assuming 1024 and setting the max clients configuration accordingly.",
            logging::strerror(&std::io::Error::last_os_error())
        );
        cfg.maxclients = (1024 - MIN_RESERVED_FDS) as usize;
        return;
    }
    let oldlimit = limit.rlim_cur as u64;
    if oldlimit >= maxfiles {
        return;
    }
    let mut best = maxfiles;
    let mut error = None;
    while best > oldlimit {
        limit.rlim_cur = best as libc::rlim_t;
        limit.rlim_max = best as libc::rlim_t;
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != -1 {
            break;
        }
        error = Some(std::io::Error::last_os_error());
        if best < 16 {
            best = oldlimit;
            break;
        }
        best -= 16;
    }
    best = best.max(oldlimit);
    if best >= maxfiles {
        info!(
            "Increased maximum number of open files to {maxfiles} (it was originally set to {oldlimit})."
        );
        return;
    }
    let old_maxclients = cfg.maxclients;
    if best <= MIN_RESERVED_FDS {
        warn!(
            "Your current 'ulimit -n' of {oldlimit} is not enough for the server to start. Please increase your open file limit to at least {maxfiles}. Exiting."
        );
        exit(1);
    }
    cfg.maxclients = (best - MIN_RESERVED_FDS) as usize;
    warn!(
        "You requested maxclients of {old_maxclients} requiring at least {maxfiles} max file descriptors."
    );
    let why = error.map(|e| logging::strerror(&e)).unwrap_or_default();
    warn!("Server can't set maximum open files to {maxfiles} because of OS error: {why}.");
    warn!(
        "Current maximum open files is {best}. maxclients has been reduced to {} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
        cfg.maxclients
    );
}

/// Redis's checkTcpBacklogSettings: the kernel caps the listen backlog at somaxconn.
fn check_tcp_backlog(backlog: i32) {
    let Ok(text) = std::fs::read_to_string("/proc/sys/net/core/somaxconn") else { return };
    let Ok(somaxconn) = text.trim().parse::<i64>() else { return };
    if somaxconn > 0 && somaxconn < i64::from(backlog) {
        warn!(
            "WARNING: The TCP backlog setting of {backlog} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of {somaxconn}."
        );
    }
}
