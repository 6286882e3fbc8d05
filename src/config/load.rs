//! Loading: command-line arguments, redis.conf text, `include`, stdin.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::parse::*;
use super::*;

/// State of one startup load, carried across includes.
pub(super) struct LoadCtx {
    /// Redis's `reading_config_file`: cleared when any file (an include too) ends, which
    /// changes how later `save` lines combine.
    pub(super) reading_file: bool,
    /// Redis's static `save_loaded`: the first `save` line replaces the defaults.
    pub(super) save_loaded: bool,
    pub(super) depth: usize,
}

impl LoadCtx {
    pub(super) fn runtime() -> Self {
        LoadCtx { reading_file: false, save_loaded: true, depth: 0 }
    }
}

/// Directives that are not parameters yet are valid in a file (and survive a rewrite).
pub(super) const FILE_ONLY_DIRECTIVES: &[&str] =
    &["include", "rename-command", "user", "loadmodule", "sentinel"];

/// Accepted and ignored for compatibility with older files (Redis: `deprecated_configs`).
const DEPRECATED: &[&str] =
    &["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

/// Nested includes deeper than this are refused instead of recursing without end.
const MAX_INCLUDE_DEPTH: usize = 64;

impl Config {
    /// Build the configuration the way `redis-server` does from its arguments (without the
    /// program name): an optional config file path first (any first argument not starting
    /// with `-`), then `--name value...` options; `-` as the first or last argument reads
    /// more configuration from stdin. Options are appended to the file's text, so they win
    /// and errors name their line in that combined text, as in Redis.
    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        let cfg = Self::from_args_with_stdin(args, &mut std::io::stdin())?;
        // A value that needs a missing feature stops the server (see `missing`).
        if let Some(n) = super::missing::first_unmet(&cfg, None) {
            return Err(ConfigError::Fatal { line: None, msg: super::missing::refusal(n) });
        }
        Ok(cfg)
    }

    pub(super) fn from_args_with_stdin(
        args: &[String],
        stdin: &mut dyn Read,
    ) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        if args.is_empty() {
            return Ok(cfg);
        }
        let mut j = 0;
        if !args[0].starts_with('-') {
            let abs = std::path::absolute(&args[0]).unwrap_or_else(|_| PathBuf::from(&args[0]));
            cfg.config_file = Some(abs);
            j = 1;
        }
        let mut from_stdin = false;
        let mut options: Vec<u8> = Vec::new();
        let mut handled_last = true;
        while j < args.len() {
            let a = args[j].as_bytes();
            if a == b"-" && (j == 0 || j == args.len() - 1) {
                from_stdin = true;
            } else if handled_last && a.starts_with(b"--") {
                if !options.is_empty() {
                    options.push(b'\n');
                }
                options.extend_from_slice(&a[2..]);
                options.push(b' ');
                let words = split_args(a).map_or(0, |w| w.len());
                if words == 1 {
                    handled_last = false;
                    let next_is_opt = args.get(j + 1).is_some_and(|n| n.starts_with("--"));
                    let last = j == args.len() - 1;
                    let is_save = args[j].eq_ignore_ascii_case("--save");
                    let is_sentinel = args[j].eq_ignore_ascii_case("--sentinel");
                    // `--save` with no value means `save ""` (pre-7.0 command lines).
                    if is_save && (next_is_opt || last) {
                        options.extend_from_slice(b"\"\"");
                        handled_last = next_is_opt;
                    } else if is_sentinel && next_is_opt {
                        handled_last = true;
                    }
                } else {
                    handled_last = true;
                }
            } else {
                options.extend_from_slice(&repr(a));
                options.push(b' ');
                handled_last = true;
            }
            j += 1;
        }

        let mut content: Vec<u8> = Vec::new();
        if let Some(path) = cfg.config_file.clone() {
            content = read_config_file(&path, &path)?;
        }
        if from_stdin {
            let mut buf = Vec::new();
            stdin.read_to_end(&mut buf).map_err(|e| ConfigError::Fatal {
                line: None,
                msg: format!("Error reading config from stdin: {}", strerror(&e)),
            })?;
            content.extend_from_slice(&buf);
        }
        content.push(b'\n');
        content.extend_from_slice(&options);

        let mut ctx = LoadCtx { reading_file: false, save_loaded: false, depth: 0 };
        cfg.load_string(&content, &mut ctx)?;
        cfg.check_after_load()?;
        Ok(cfg)
    }

    /// Parse configuration text (redis.conf syntax) over the current values, like Redis's
    /// `loadServerConfigFromString`. Used for files, includes and tests.
    pub fn load_str(&mut self, text: &str) -> Result<(), ConfigError> {
        let mut ctx = LoadCtx { reading_file: false, save_loaded: false, depth: 0 };
        self.load_string(text.as_bytes(), &mut ctx)?;
        self.check_after_load()
    }

    pub(super) fn load_string(
        &mut self,
        content: &[u8],
        ctx: &mut LoadCtx,
    ) -> Result<(), ConfigError> {
        ctx.reading_file = true;
        for (i, raw) in content.split(|&b| b == b'\n').enumerate() {
            let line = trim(c_str(raw), b" \t\r\n");
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let fail = |msg: String| ConfigError::Fatal { line: Some((i + 1, text(line))), msg };
            let Some(mut argv) = split_args(line) else {
                return Err(fail("Unbalanced quotes in configuration line".into()));
            };
            if argv.is_empty() {
                continue;
            }
            argv[0].make_ascii_lowercase();
            if let Some((p, _)) = lookup(&argv[0]) {
                if !p.multi_arg() && argv.len() != 2 {
                    return Err(fail("wrong number of arguments".into()));
                }
                // A multi-word parameter given one non-empty word is split again, so that
                // `--save "900 1"` works; unbalanced quotes there leave no words at all.
                let resplit: Vec<Vec<u8>>;
                let words = if p.multi_arg() && argv.len() == 2 && !argv[1].is_empty() {
                    resplit = split_args(&argv[1]).unwrap_or_default();
                    &resplit[..]
                } else {
                    &argv[1..]
                };
                let args: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
                self.set_param(p, &args, ctx).map_err(fail)?;
                continue;
            }
            let name = text(&argv[0]);
            if argv.len() == 2 && DEPRECATED.contains(&name.as_str()) {
                continue;
            }
            let words = || argv[1..].iter().map(|w| text(w)).collect::<Vec<_>>();
            match name.as_str() {
                "include" if argv.len() == 2 => {
                    if ctx.depth >= MAX_INCLUDE_DEPTH {
                        return Err(fail("Too many nested include directives".into()));
                    }
                    ctx.depth += 1;
                    let r = self.include(&argv[1], ctx);
                    ctx.depth -= 1;
                    r?;
                }
                "rename-command" if argv.len() == 3 => {
                    self.rename_commands.push((text(&argv[1]), text(&argv[2])));
                    self.rename_lines.push(LineRef { num: i + 1, text: text(line) });
                }
                "user" if argv.len() >= 2 => self.users.push(words()),
                "loadmodule" if argv.len() >= 2 => self.loadmodules.push(words()),
                _ if name.contains('.') => {
                    if argv.len() != 2 {
                        return Err(fail("Module config specified without value".into()));
                    }
                    self.module_configs.push((name.clone(), text(&argv[1])));
                }
                "sentinel" => {
                    // A bare `sentinel` selects sentinel mode, which main decides about.
                    if argv.len() != 1 {
                        return Err(fail("sentinel directive while not in sentinel mode".into()));
                    }
                }
                _ => return Err(fail("Bad directive or wrong number of arguments".into())),
            }
        }
        ctx.reading_file = false;
        Ok(())
    }

    /// `include PATH`: relative to the current `dir` (Redis has `chdir`-ed there by now);
    /// a glob pattern that matches nothing is fine, a missing plain file is fatal.
    fn include(&mut self, path: &[u8], ctx: &mut LoadCtx) -> Result<(), ConfigError> {
        let path = text(path);
        let full = Path::new(&self.dir).join(&path);
        if path.contains(['*', '?', '[']) {
            for p in glob_paths(&full.to_string_lossy()) {
                let content = read_config_file(&p, &p)?;
                self.load_string(&content, ctx)?;
            }
            return Ok(());
        }
        let content = read_config_file(&full, Path::new(&path))?;
        self.load_string(&content, ctx)
    }

    /// Redis's checks after the whole text is read.
    fn check_after_load(&mut self) -> Result<(), ConfigError> {
        if !self.logfile.is_empty() {
            let path = Path::new(&self.dir).join(&self.logfile);
            if let Err(e) = std::fs::OpenOptions::new().append(true).create(true).open(path) {
                return Err(ConfigError::Fatal {
                    line: None,
                    msg: format!("Can't open the log file: {}", strerror(&e)),
                });
            }
        }
        if self.cluster_enabled && self.replicaof.is_some() {
            return Err(ConfigError::Fatal {
                line: None,
                msg: "replicaof directive not allowed in cluster mode".into(),
            });
        }
        self.normalize();
        Ok(())
    }

    /// Redis's apply hooks that change what CONFIG GET then shows.
    pub(super) fn normalize(&mut self) {
        self.hz = self.hz.clamp(HZ_MIN, HZ_MAX);
    }

    /// Redis's `rename-command` checks, which need the command table: `exists` tells
    /// whether a command name exists in the original table. Renames apply in file order,
    /// so a command renamed away frees its name. Errors name the directive's line.
    pub fn check_rename_commands(&self, exists: impl Fn(&str) -> bool) -> Result<(), ConfigError> {
        let mut removed: Vec<String> = Vec::new();
        let mut added: Vec<String> = Vec::new();
        for (k, (from, to)) in self.rename_commands.iter().enumerate() {
            let from_l = from.to_ascii_lowercase();
            let to_l = to.to_ascii_lowercase();
            let line = self.rename_lines.get(k).map(|l| (l.num, l.text.clone()));
            let present = |n: &str, removed: &[String], added: &[String]| {
                (exists(n) && !removed.iter().any(|r| r == n)) || added.iter().any(|a| a == n)
            };
            if !present(&from_l, &removed, &added) {
                return Err(ConfigError::Fatal {
                    line,
                    msg: "No such command in rename-command".into(),
                });
            }
            added.retain(|a| *a != from_l);
            removed.push(from_l);
            if !to.is_empty() {
                if present(&to_l, &removed, &added) {
                    return Err(ConfigError::Fatal {
                        line,
                        msg: "Target command name already exists".into(),
                    });
                }
                added.push(to_l);
            }
        }
        Ok(())
    }
}

/// Read a whole config file. A directory reads as empty, as `fopen`+`fgets` see it.
/// Errors name the file as Redis would: `shown` is the path as the directive wrote it.
fn read_config_file(path: &Path, shown: &Path) -> Result<Vec<u8>, ConfigError> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(_) if path.is_dir() => Ok(Vec::new()),
        Err(e) => Err(ConfigError::Open {
            path: shown.to_string_lossy().into_owned(),
            reason: strerror(&e),
        }),
    }
}

/// glob(3) expansion for `include` patterns, sorted; nothing when nothing matches.
fn glob_paths(pattern: &str) -> Vec<PathBuf> {
    let Ok(cpat) = std::ffi::CString::new(pattern) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // SAFETY: glob_t is plain data that glob() fills in; it is zero-initialised as glob
    // expects, read only within gl_pathc entries, and released with globfree().
    unsafe {
        let mut g: libc::glob_t = std::mem::zeroed();
        if libc::glob(cpat.as_ptr(), 0, None, &mut g) == 0 {
            for i in 0..g.gl_pathc {
                let p = *g.gl_pathv.add(i);
                if !p.is_null() {
                    let s = std::ffi::CStr::from_ptr(p);
                    out.push(PathBuf::from(s.to_string_lossy().into_owned()));
                }
            }
        }
        libc::globfree(&mut g);
    }
    out
}
