//! Resumable request parser: multibulk (`*N\r\n$L\r\n...`) and inline requests.
//!
//! INTERFACE CONTRACT (other modules rely on exactly this):
//!
//! The connection owns a read buffer `rbuf: Vec<u8>` that only ever grows by appending received
//! bytes, and from which a consumed prefix is dropped once per batch. The parser never copies
//! multibulk arguments: it records `(start, len)` spans into `rbuf`. Inline arguments need
//! unescaping, so they are written into the parser's own scratch buffer and the spans point there.
//!
//! ```ignore
//! let mut p = RequestParser::new();
//! loop {
//!     match p.parse(&rbuf, &limits)? {
//!         Status::Complete => { let args = p.args(&rbuf); /* run */ }
//!         Status::Incomplete => break, // read more bytes
//!     }
//! }
//! let n = p.consumed();            // bytes of rbuf fully used by completed requests
//! rbuf.drain(..n); p.shift(n);     // once per batch
//! ```
//!
//! After an `Err` the stream is out of sync: the caller replies and closes, and does not call
//! `parse` again.
//!
//! # Behaviour copied from Redis 7.0 (networking.c processInlineBuffer/processMultibulkBuffer)
//!
//! - The first byte picks the type: `*` is multibulk, anything else inline.
//! - The two bytes after bulk data are skipped unchecked, and so is the byte after the `\r` of a
//!   `*`/`$` line: `*1\r\n$3\r\nPING\r\n` yields `PIN`, and the trailing `\n` is an empty inline line.
//! - The `$` check happens only once the header line has its `\r`, so `*1\r\nfoo` waits.
//! - `*0` / `*-N` and empty inline lines complete nothing and are skipped silently.
//! - Numbers follow `string2ll`; counts above `i32::MAX` and bulks above `proto-max-bulk-len`
//!   are refused; unauthenticated clients get at most 10 arguments and 16384-byte bulks.
//!
//! # Deliberate divergences
//!
//! - **Terminators are found with `memchr`, not `strchr`.** In Redis a NUL byte hides a later
//!   `\n` (inline) or `\r` (count lines), so `\x00\x01\x02\r\n` waits until 64 KiB and then fails
//!   with "too big inline request". Here that line is an inline command named `\x00\x01\x02`,
//!   and `*\x00\r\n` is an invalid multibulk length. For the same reason NUL is an ordinary byte
//!   inside inline arguments (Redis's `sdssplitargs` stops at it): a NUL right after a closing
//!   quote is "unbalanced quotes" here. The protocol.tcl desync tests (`\x00`, `*\x00`, `$\x00`
//!   followed by junk without a newline) still end in a protocol error.
//! - **The 64 KiB line limit does not depend on how reads split the stream.** Redis checks it
//!   only when the terminator is absent from the whole query buffer, so a 70 KB inline line is
//!   accepted or refused depending on TCP segmentation. Here a line whose terminator is not
//!   within its first 65537 bytes is always refused, which is what Redis does when the bytes
//!   arrive one at a time. This also bounds the bytes scanned per line.

use crate::cmd::args::Args;
use crate::error::ProtocolError;
use memchr::memchr;

/// Redis `PROTO_INLINE_MAX_SIZE`: the longest inline line or `*`/`$` count line.
const LINE_MAX: usize = 64 * 1024;
/// Redis's limits for clients that still have to authenticate (CVE-2021-32675).
const UNAUTH_MAX_ARGS: i64 = 10;
const UNAUTH_MAX_BULK: i64 = 16 * 1024;
/// Like Redis's argv: a declared count reserves at most this many slots before arguments arrive.
const ARGS_PREALLOC: usize = 1024;
/// Span capacity above which a huge past request gives its memory back at the next request.
/// Below it the Vec is reused as is, so steady-state parsing never allocates.
const SPANS_KEEP: usize = 64 * 1024;

/// Limits that depend on configuration and on the client's authentication state.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// `proto-max-bulk-len` (default 512 MiB).
    pub max_bulk_len: i64,
    /// When false (auth required and not yet authenticated) Redis limits a request to
    /// 10 arguments and 16384-byte bulks.
    pub authenticated: bool,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits { max_bulk_len: 512 * 1024 * 1024, authenticated: true }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A whole request is ready: read it with `args()` before calling `parse` again.
    Complete,
    /// More bytes are needed. Nothing is lost; the next call resumes where this one stopped.
    Incomplete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between requests: the next byte decides the request type.
    Idle,
    /// Waiting for the `\n` of an inline line.
    Inline,
    /// Waiting for the `*N` line.
    Count,
    /// Waiting for a `$L` line; `left` bulks are still due.
    Header,
    /// Waiting for this many bulk bytes plus the two skipped ones.
    Bulk(usize),
}

/// Where the arguments of the last completed request live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    None,
    /// In `scratch`.
    Inline,
    /// In the caller's buffer, spans relative to this offset (the request's first byte).
    Multibulk(usize),
}

/// Outcome of reading a `*N` or `$N` line.
enum Line {
    Incomplete,
    TooBig,
    /// First byte of the line, its number if `string2ll` accepts it, offset after the line.
    Number(u8, Option<i64>, usize),
}

pub struct RequestParser {
    state: State,
    /// First byte of the request in progress; everything before belongs to finished requests.
    req: usize,
    /// Next byte to parse.
    pos: usize,
    /// The current line was already searched up to here without finding its terminator.
    scan: usize,
    /// Bulks still due in the current multibulk request.
    left: u32,
    /// Buffer length at the last `parse`, for `want()`.
    seen: usize,
    /// Multibulk: relative to the request's first byte, so `shift` never rewrites them.
    /// Inline: offsets into `scratch`.
    spans: Vec<(usize, usize)>,
    /// Unescaped inline arguments.
    scratch: Vec<u8>,
    done: Done,
    inline: bool,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestParser {
    pub fn new() -> Self {
        RequestParser {
            state: State::Idle,
            req: 0,
            pos: 0,
            scan: 0,
            left: 0,
            seen: 0,
            spans: Vec::new(),
            scratch: Vec::new(),
            done: Done::None,
            inline: false,
        }
    }

    /// Parse the next request from `buf[self.consumed()..]`. Empty requests (`*0`, `*-5`, an
    /// empty inline line) are skipped silently, as Redis does.
    pub fn parse(&mut self, buf: &[u8], limits: &ParseLimits) -> Result<Status, ProtocolError> {
        self.done = Done::None;
        if buf.len() < self.pos.max(self.scan) {
            // The caller dropped bytes without telling us (`shift`): nothing sane to resume.
            debug_assert!(false, "RequestParser: buffer shrank without shift()");
            return Ok(Status::Incomplete);
        }
        self.seen = buf.len();
        loop {
            match self.state {
                State::Idle => {
                    let Some(&first) = buf.get(self.pos) else {
                        return Ok(Status::Incomplete);
                    };
                    self.req = self.pos;
                    self.scan = self.pos;
                    self.spans.clear();
                    if self.spans.capacity() > SPANS_KEEP {
                        self.spans.shrink_to(ARGS_PREALLOC);
                    }
                    self.inline = first != b'*';
                    self.state = if self.inline { State::Inline } else { State::Count };
                }
                State::Inline => {
                    let nl = match self.find(buf, b'\n') {
                        Ok(Some(nl)) => nl,
                        Ok(None) => return Ok(Status::Incomplete),
                        Err(()) => return Err(ProtocolError::TooBigInline),
                    };
                    let end = if nl > self.pos && buf[nl - 1] == b'\r' { nl - 1 } else { nl };
                    self.scratch.clear();
                    split_inline(&buf[self.pos..end], &mut self.scratch, &mut self.spans)?;
                    self.pos = nl + 1;
                    self.req = self.pos;
                    self.state = State::Idle;
                    if !self.spans.is_empty() {
                        self.done = Done::Inline;
                        return Ok(Status::Complete);
                    }
                }
                State::Count => {
                    let (value, next) = match self.number_line(buf) {
                        Line::Number(_, value, next) => (value, next),
                        Line::Incomplete => return Ok(Status::Incomplete),
                        Line::TooBig => return Err(ProtocolError::TooBigMbulkCount),
                    };
                    let count = match value {
                        Some(n) if n <= i64::from(i32::MAX) => n,
                        _ => return Err(ProtocolError::InvalidMultibulkLength),
                    };
                    if count > UNAUTH_MAX_ARGS && !limits.authenticated {
                        return Err(ProtocolError::UnauthMultibulkLength);
                    }
                    self.pos = next;
                    self.scan = next;
                    if count <= 0 {
                        self.req = next;
                        self.state = State::Idle;
                        continue;
                    }
                    // 1 <= count <= i32::MAX, so the conversions cannot fail.
                    self.left = u32::try_from(count).unwrap_or(u32::MAX);
                    let count = usize::try_from(count).unwrap_or(usize::MAX);
                    self.spans.reserve_exact(count.min(ARGS_PREALLOC));
                    self.state = State::Header;
                }
                State::Header => {
                    if self.scan == self.pos && self.fast_bulks(buf, limits) {
                        return Ok(self.finish_multibulk());
                    }
                    if self.state != State::Header {
                        continue;
                    }
                    let (first, value, next) = match self.number_line(buf) {
                        Line::Number(first, value, next) => (first, value, next),
                        Line::Incomplete => return Ok(Status::Incomplete),
                        Line::TooBig => return Err(ProtocolError::TooBigBulkCount),
                    };
                    if first != b'$' {
                        return Err(ProtocolError::ExpectedDollar(first));
                    }
                    let len = match value {
                        Some(n) if (0..=limits.max_bulk_len).contains(&n) => n,
                        _ => return Err(ProtocolError::InvalidBulkLength),
                    };
                    if len > UNAUTH_MAX_BULK && !limits.authenticated {
                        return Err(ProtocolError::UnauthBulkLength);
                    }
                    // Only fails on targets where a huge configured limit exceeds usize.
                    let len = usize::try_from(len)
                        .ok()
                        .filter(|l| l.checked_add(2).is_some())
                        .ok_or(ProtocolError::InvalidBulkLength)?;
                    self.pos = next;
                    self.state = State::Bulk(len);
                }
                State::Bulk(len) => {
                    // `len + 2` cannot overflow: checked when the header was read.
                    if buf.len() - self.pos < len + 2 {
                        return Ok(Status::Incomplete);
                    }
                    self.spans.push((self.pos - self.req, len));
                    // Redis skips the two bytes after the data without looking at them.
                    self.pos += len + 2;
                    self.scan = self.pos;
                    self.left -= 1;
                    if self.left == 0 {
                        return Ok(self.finish_multibulk());
                    }
                    self.state = State::Header;
                }
            }
        }
    }

    /// The arguments of the request the last `parse` completed (empty if it completed none).
    pub fn args<'a>(&'a self, buf: &'a [u8]) -> Args<'a> {
        match self.done {
            Done::Inline => Args::Spans { buf: &self.scratch, spans: &self.spans },
            Done::Multibulk(base) => {
                Args::Spans { buf: buf.get(base..).unwrap_or(&[]), spans: &self.spans }
            }
            Done::None => Args::Spans { buf: &[], spans: &[] },
        }
    }

    /// Bytes at the front of the buffer that belong to completed requests and may be dropped.
    pub fn consumed(&self) -> usize {
        self.req
    }

    /// The caller dropped `n <= consumed()` bytes from the front of the buffer.
    pub fn shift(&mut self, n: usize) {
        debug_assert!(n <= self.req, "shift({n}) beyond consumed() = {}", self.req);
        let n = n.min(self.req);
        if n == 0 {
            return;
        }
        self.req -= n;
        self.pos -= n;
        self.scan = self.scan.saturating_sub(n);
        self.seen = self.seen.saturating_sub(n);
        if let Done::Multibulk(base) = self.done {
            self.done = match base.checked_sub(n) {
                Some(base) => Done::Multibulk(base),
                None => Done::None,
            };
        }
    }

    /// Bytes of the request in progress received so far (for client-query-buffer-limit and
    /// CLIENT LIST `qbuf`).
    pub fn pending(&self, buf: &[u8]) -> usize {
        buf.len().saturating_sub(self.consumed())
    }

    /// How many more bytes the request in progress needs at least (0 if unknown), as of the
    /// last `parse`. Lets the connection size its next read for a large bulk without reserving
    /// it ahead of time.
    pub fn want(&self) -> usize {
        match self.state {
            State::Bulk(len) => {
                self.pos.saturating_add(len).saturating_add(2).saturating_sub(self.seen)
            }
            _ => 0,
        }
    }

    /// True when the request being parsed is inline (for error replies of the oracle tests).
    pub fn is_inline(&self) -> bool {
        self.inline
    }

    fn finish_multibulk(&mut self) -> Status {
        self.done = Done::Multibulk(self.req);
        self.req = self.pos;
        self.state = State::Idle;
        Status::Complete
    }

    /// The hot loop of pipelined traffic: header and data of consecutive bulks whose headers
    /// take the fast path and are within limits, with the cursor kept in registers. Anything
    /// else (errors included) is left to the general path at a consistent state: `Header` at
    /// the bulk that stopped it, or `Bulk` when the data is still missing. True when the
    /// request's last bulk was read.
    #[inline(always)]
    fn fast_bulks(&mut self, buf: &[u8], limits: &ParseLimits) -> bool {
        let max = if limits.authenticated {
            limits.max_bulk_len
        } else {
            limits.max_bulk_len.min(UNAUTH_MAX_BULK)
        };
        let req = self.req;
        let mut pos = self.pos;
        let mut left = self.left;
        while left > 0 {
            if buf.get(pos) != Some(&b'$') {
                break;
            }
            let Some((len, cr)) = fast_number(buf, pos) else { break };
            // Out-of-limit lengths go to the general path for their error; the usize bound only
            // matters on 32-bit targets, where `len + 2` could otherwise overflow.
            let Some(len) =
                usize::try_from(len).ok().filter(|&l| len <= max && l <= usize::MAX - 2)
            else {
                break;
            };
            // fast_number saw a byte after the `\r`, so `data <= buf.len()`.
            let data = cr + 2;
            if buf.len() - data < len + 2 {
                self.pos = data;
                self.left = left;
                self.state = State::Bulk(len);
                return false;
            }
            self.spans.push((data - req, len));
            pos = data + len + 2;
            left -= 1;
        }
        self.pos = pos;
        self.scan = pos;
        self.left = left;
        left == 0
    }

    /// Index of the first `byte` of the line at `pos`, `Ok(None)` if it has not arrived yet,
    /// `Err(())` if it is not within the first `LINE_MAX + 1` bytes of the line.
    #[inline]
    fn find(&mut self, buf: &[u8], byte: u8) -> Result<Option<usize>, ()> {
        let limit = buf.len().min(self.pos.saturating_add(LINE_MAX + 1));
        let from = self.scan.max(self.pos);
        if from < limit {
            if let Some(i) = memchr(byte, &buf[from..limit]) {
                // Remembered so that waiting for the byte after a `\r` does not rescan.
                self.scan = from + i;
                return Ok(Some(from + i));
            }
        }
        if buf.len() - self.pos > LINE_MAX {
            return Err(());
        }
        self.scan = limit.max(from);
        Ok(None)
    }

    /// Read the `*N` / `$N` line at `pos`: like Redis, it ends at the first `\r` and needs one
    /// more byte (whatever it is) after it.
    #[inline(always)]
    fn number_line(&mut self, buf: &[u8]) -> Line {
        let pos = self.pos;
        if self.scan == pos {
            if let Some((value, cr)) = fast_number(buf, pos) {
                return Line::Number(buf[pos], Some(value), cr + 2);
            }
        }
        self.number_line_slow(buf)
    }

    #[inline(never)]
    fn number_line_slow(&mut self, buf: &[u8]) -> Line {
        let pos = self.pos;
        let cr = match self.find(buf, b'\r') {
            Ok(Some(cr)) => cr,
            Ok(None) => return Line::Incomplete,
            Err(()) => return Line::TooBig,
        };
        if cr + 1 >= buf.len() {
            return Line::Incomplete;
        }
        let value = buf.get(pos + 1..cr).and_then(string2ll);
        Line::Number(buf[pos], value, cr + 2)
    }
}

/// The common case of a number line: up to 18 digits without a leading zero, then `\r` and one
/// more byte. Returns the value and the index of the `\r`; `None` sends the line to the general
/// path, which gives the same answer for every line accepted here.
#[inline(always)]
fn fast_number(buf: &[u8], pos: usize) -> Option<(i64, usize)> {
    // A line starting with `\r` ends right there, not after the digits.
    if *buf.get(pos)? == b'\r' {
        return None;
    }
    let digits = buf.get(pos + 1..)?;
    let mut value: i64 = 0;
    let mut i = 0;
    while i < 18 {
        let c = *digits.get(i)?;
        if !c.is_ascii_digit() {
            break;
        }
        value = value * 10 + i64::from(c - b'0');
        i += 1;
    }
    if i == 0 || (i > 1 && digits[0] == b'0') || *digits.get(i)? != b'\r' {
        return None;
    }
    digits.get(i + 1)?;
    Some((value, pos + 1 + i))
}

/// Redis `string2ll`: optional `-`, no `+`, no leading zeros except "0", no spaces, fits i64.
fn string2ll(s: &[u8]) -> Option<i64> {
    // Redis refuses anything of LONG_STR_SIZE (21) bytes or more before looking at it.
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if negative {
        if v > i64::MIN.unsigned_abs() {
            return None;
        }
        Some(0i64.wrapping_sub_unsigned(v))
    } else {
        i64::try_from(v).ok()
    }
}

/// C `isspace` in the C locale, which `sdssplitargs` uses to skip blanks between arguments.
#[inline]
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[inline]
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Redis `sdssplitargs` over one inline line, appending the arguments to `out` and their
/// `(start, len)` to `spans`. Quirks kept on purpose: `\v` and `\f` separate arguments only
/// before an argument starts, a quote in the middle of a word opens a quoted section, and a
/// closing quote must be followed by a blank or the end of the line.
fn split_inline(
    line: &[u8],
    out: &mut Vec<u8>,
    spans: &mut Vec<(usize, usize)>,
) -> Result<(), ProtocolError> {
    let n = line.len();
    let at = |i: usize| line.get(i).copied();
    let mut i = 0;
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i == n {
            return Ok(());
        }
        let start = out.len();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            if in_dq {
                let Some(c) = at(i) else {
                    return Err(ProtocolError::UnbalancedQuotes);
                };
                if c == b'\\' && at(i + 1) == Some(b'x') {
                    if let (Some(hi), Some(lo)) =
                        (at(i + 2).and_then(hex_value), at(i + 3).and_then(hex_value))
                    {
                        out.push(hi * 16 + lo);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' && i + 1 < n {
                    out.push(match line[i + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    i += 2;
                } else if c == b'"' {
                    if at(i + 1).is_some_and(|c| !is_space(c)) {
                        return Err(ProtocolError::UnbalancedQuotes);
                    }
                    i += 1;
                    break;
                } else {
                    out.push(c);
                    i += 1;
                }
            } else if in_sq {
                let Some(c) = at(i) else {
                    return Err(ProtocolError::UnbalancedQuotes);
                };
                if c == b'\\' && at(i + 1) == Some(b'\'') {
                    out.push(b'\'');
                    i += 2;
                } else if c == b'\'' {
                    if at(i + 1).is_some_and(|c| !is_space(c)) {
                        return Err(ProtocolError::UnbalancedQuotes);
                    }
                    i += 1;
                    break;
                } else {
                    out.push(c);
                    i += 1;
                }
            } else {
                // Unquoted: scan the plain run in one go.
                let run = line[i..]
                    .iter()
                    .position(|&c| matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b'"' | b'\''))
                    .unwrap_or(n - i);
                out.extend_from_slice(&line[i..i + run]);
                i += run;
                match at(i) {
                    None => break,
                    Some(b'"') => in_dq = true,
                    Some(b'\'') => in_sq = true,
                    Some(_) => {
                        i += 1;
                        break;
                    }
                }
                i += 1;
            }
        }
        spans.push((start, out.len() - start));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Argv = Vec<Vec<u8>>;

    /// What a byte stream parses into: every completed request (inline?, argv), then either the
    /// error that stopped the stream or nothing (waiting for bytes), and the offset of the first
    /// byte not yet part of a completed request.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Outcome {
        reqs: Vec<(bool, Argv)>,
        err: Option<ProtocolError>,
        consumed: usize,
    }

    const AUTH: ParseLimits = ParseLimits { max_bulk_len: 512 * 1024 * 1024, authenticated: true };
    const UNAUTH: ParseLimits =
        ParseLimits { max_bulk_len: 512 * 1024 * 1024, authenticated: false };

    // ---------------------------------------------------------------------------------------
    // The oracle: the same grammar read straight off the whole buffer, with none of the
    // parser's machinery (no resumption, no fast paths, no memchr, std's integer parsing).
    // ---------------------------------------------------------------------------------------

    fn oracle_int(s: &[u8]) -> Option<i64> {
        let text = std::str::from_utf8(s).ok()?;
        let digits = text.strip_prefix('-').unwrap_or(text);
        let well_formed = !digits.is_empty()
            && digits.bytes().all(|c| c.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'))
            && text != "-0"
            && text.len() <= 20;
        if !well_formed {
            return None;
        }
        text.parse().ok()
    }

    /// `Ok(Some(i))`: the terminator is at `i`; `Ok(None)`: not there yet; `Err`: too far.
    fn oracle_line_end(buf: &[u8], from: usize, term: u8) -> Result<Option<usize>, ()> {
        match buf[from..].iter().position(|&c| c == term) {
            Some(i) if i <= 65536 => Ok(Some(from + i)),
            Some(_) => Err(()),
            None if buf.len() - from > 65536 => Err(()),
            None => Ok(None),
        }
    }

    fn oracle_split(line: &[u8]) -> Option<Argv> {
        let space = |c: u8| b" \t\n\r\x0b\x0c".contains(&c);
        let get = |i: usize| line.get(i).copied();
        let mut args = Vec::new();
        let mut i = 0;
        loop {
            while get(i).is_some_and(space) {
                i += 1;
            }
            if i >= line.len() {
                return Some(args);
            }
            let mut cur = Vec::new();
            let mut quote: Option<u8> = None;
            loop {
                let c = get(i);
                match quote {
                    None => match c {
                        None => break,
                        Some(b' ' | b'\n' | b'\r' | b'\t') => {
                            i += 1;
                            break;
                        }
                        Some(q @ (b'"' | b'\'')) => {
                            quote = Some(q);
                            i += 1;
                        }
                        Some(c) => {
                            cur.push(c);
                            i += 1;
                        }
                    },
                    Some(q) => {
                        let c = c?;
                        let hex = |j: usize| {
                            get(j).and_then(|d| (d as char).to_digit(16)).map(|d| d as u8)
                        };
                        if q == b'"' && c == b'\\' && get(i + 1) == Some(b'x') {
                            if let (Some(h), Some(l)) = (hex(i + 2), hex(i + 3)) {
                                cur.push(h << 4 | l);
                                i += 4;
                                continue;
                            }
                        }
                        if q == b'"' && c == b'\\' && get(i + 1).is_some() {
                            let e = get(i + 1)?;
                            cur.push(match e {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                b'b' => 8,
                                b'a' => 7,
                                e => e,
                            });
                            i += 2;
                        } else if q == b'\'' && c == b'\\' && get(i + 1) == Some(b'\'') {
                            cur.push(b'\'');
                            i += 2;
                        } else if c == q {
                            if get(i + 1).is_some_and(|n| !space(n)) {
                                return None;
                            }
                            i += 1;
                            break;
                        } else {
                            cur.push(c);
                            i += 1;
                        }
                    }
                }
            }
            args.push(cur);
        }
    }

    fn oracle(buf: &[u8], limits: &ParseLimits) -> Outcome {
        let mut reqs = Vec::new();
        let mut p = 0;
        macro_rules! fail {
            ($e:expr) => {
                return Outcome { reqs, err: Some($e), consumed: p }
            };
        }
        macro_rules! wait {
            () => {
                return Outcome { reqs, err: None, consumed: p }
            };
        }
        while p < buf.len() {
            if buf[p] != b'*' {
                let nl = match oracle_line_end(buf, p, b'\n') {
                    Ok(Some(nl)) => nl,
                    Ok(None) => wait!(),
                    Err(()) => fail!(ProtocolError::TooBigInline),
                };
                let mut line = &buf[p..nl];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                match oracle_split(line) {
                    None => fail!(ProtocolError::UnbalancedQuotes),
                    Some(argv) if argv.is_empty() => {}
                    Some(argv) => reqs.push((true, argv)),
                }
                p = nl + 1;
                continue;
            }
            let cr = match oracle_line_end(buf, p, b'\r') {
                Ok(Some(cr)) if cr + 1 < buf.len() => cr,
                Ok(_) => wait!(),
                Err(()) => fail!(ProtocolError::TooBigMbulkCount),
            };
            let count = match oracle_int(&buf[p + 1..cr]) {
                Some(n) if n <= i32::MAX as i64 => n,
                _ => fail!(ProtocolError::InvalidMultibulkLength),
            };
            if count > 10 && !limits.authenticated {
                fail!(ProtocolError::UnauthMultibulkLength);
            }
            let mut q = cr + 2;
            let mut argv = Vec::new();
            for _ in 0..count.max(0) {
                let cr = match oracle_line_end(buf, q, b'\r') {
                    Ok(Some(cr)) if cr + 1 < buf.len() => cr,
                    Ok(_) => wait!(),
                    Err(()) => fail!(ProtocolError::TooBigBulkCount),
                };
                if buf[q] != b'$' {
                    fail!(ProtocolError::ExpectedDollar(buf[q]));
                }
                let len = match oracle_int(&buf[q + 1..cr]) {
                    Some(n) if n >= 0 && n <= limits.max_bulk_len => n as usize,
                    _ => fail!(ProtocolError::InvalidBulkLength),
                };
                if len > 16384 && !limits.authenticated {
                    fail!(ProtocolError::UnauthBulkLength);
                }
                let data = cr + 2;
                if buf.len() - data < len + 2 {
                    wait!();
                }
                argv.push(buf[data..data + len].to_vec());
                q = data + len + 2;
            }
            if count > 0 {
                reqs.push((false, argv));
            }
            p = q;
        }
        wait!()
    }

    // ---------------------------------------------------------------------------------------
    // Driving the real parser.
    // ---------------------------------------------------------------------------------------

    /// Feed `input` cut at `cuts` (increasing offsets). With `drain`, consumed bytes are
    /// dropped and `shift`ed after every chunk, as the connection does once per batch.
    fn run(input: &[u8], cuts: &[usize], limits: &ParseLimits, drain: bool) -> Outcome {
        let mut p = RequestParser::new();
        let mut buf = Vec::new();
        let mut drained = 0;
        let mut reqs = Vec::new();
        let mut last = 0;
        for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
            buf.extend_from_slice(&input[last..cut]);
            last = cut;
            loop {
                match p.parse(&buf, limits) {
                    Ok(Status::Complete) => {
                        let args = p.args(&buf);
                        assert!(!args.is_empty(), "Complete with no arguments");
                        reqs.push((p.is_inline(), args.to_vec()));
                    }
                    Ok(Status::Incomplete) => break,
                    Err(e) => {
                        return Outcome { reqs, err: Some(e), consumed: drained + p.consumed() }
                    }
                }
                assert!(p.consumed() <= buf.len());
            }
            assert_eq!(p.args(&buf).len(), 0, "args after Incomplete");
            assert_eq!(p.pending(&buf), buf.len() - p.consumed());
            if drain {
                let n = p.consumed();
                buf.drain(..n);
                p.shift(n);
                drained += n;
            }
        }
        Outcome { reqs, err: None, consumed: drained + p.consumed() }
    }

    /// Whole, one byte at a time, and cut in two at every offset (a sample of offsets for long
    /// inputs, where every offset would take minutes in a debug build): all equal the oracle.
    fn check_all_splits(input: &[u8], limits: &ParseLimits) -> Outcome {
        let want = oracle(input, limits);
        let n = input.len();
        assert_eq!(run(input, &[], limits, false), want, "whole: {:?}", Bytes(input));
        let bytes: Vec<usize> = (1..n).collect();
        for drain in [false, true] {
            assert_eq!(run(input, &bytes, limits, drain), want, "bytewise: {:?}", Bytes(input));
        }
        let offsets: Vec<usize> = if n <= 256 {
            (0..=n).collect()
        } else {
            (0..=n)
                .filter(|&i| i < 64 || i + 64 > n || (65500..65600).contains(&i) || i % 997 == 0)
                .collect()
        };
        for &i in &offsets {
            for drain in [false, true] {
                let got = run(input, &[i], limits, drain);
                assert_eq!(got, want, "split at {i} (drain {drain}): {:?}", Bytes(input));
            }
        }
        want
    }

    struct Bytes<'a>(&'a [u8]);
    impl std::fmt::Debug for Bytes<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let s = &self.0[..self.0.len().min(200)];
            write!(f, "b\"{}\"", s.escape_ascii())?;
            if self.0.len() > 200 {
                write!(f, "... ({} bytes)", self.0.len())?;
            }
            Ok(())
        }
    }

    // ---------------------------------------------------------------------------------------
    // Golden cases: RELIABILITY.md §1.3, as parser-level behaviour.
    // ---------------------------------------------------------------------------------------

    struct Golden {
        name: &'static str,
        input: Vec<u8>,
        limits: ParseLimits,
        argvs: Vec<Vec<&'static [u8]>>,
        err: Option<ProtocolError>,
    }

    fn g(
        name: &'static str,
        input: impl Into<Vec<u8>>,
        argvs: Vec<Vec<&'static [u8]>>,
        err: Option<ProtocolError>,
    ) -> Golden {
        Golden { name, input: input.into(), limits: AUTH, argvs, err }
    }

    static A64K: [u8; 65536] = [b'A'; 65536];

    fn goldens() -> Vec<Golden> {
        use ProtocolError::*;
        let digits = |n: usize| vec![b'1'; n];
        let mut v = vec![
            g("1 empty line", "\r\n", vec![], None),
            g("2 negative count", "*-10\r\n", vec![], None),
            g("3 zero count", "*0\r\n", vec![], None),
            g("4 count over u32", "*3000000000\r\n", vec![], Some(InvalidMultibulkLength)),
            g("5 count over i32", "*2147483648\r\n", vec![], Some(InvalidMultibulkLength)),
            g("6 plus sign", "*+5\r\n", vec![], Some(InvalidMultibulkLength)),
            g("6 leading zero", "*05\r\n", vec![], Some(InvalidMultibulkLength)),
            g("6 not a number", "*abc\r\n", vec![], Some(InvalidMultibulkLength)),
            g("7 dollar is inline", "$abc\r\n", vec![vec![b"$abc"]], None),
            g("8 bulk not a number", "*1\r\n$abc\r\n", vec![], Some(InvalidBulkLength)),
            g("9 negative bulk", "*1\r\n$-1\r\n", vec![], Some(InvalidBulkLength)),
            g(
                "10 negative third bulk",
                "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n",
                vec![],
                Some(InvalidBulkLength),
            ),
            g("11 bulk over limit", "*1\r\n$600000000\r\n", vec![], Some(InvalidBulkLength)),
            g("11 bulk limit + 1", "*1\r\n$536870913\r\n", vec![], Some(InvalidBulkLength)),
            g("12 bulk at limit waits", "*1\r\n$536870912\r\n", vec![], None),
            g(
                "13 expected dollar",
                "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
                vec![],
                Some(ExpectedDollar(b'f')),
            ),
            g("14 nested array", "*1\r\n*1\r\n$4\r\nPING\r\n", vec![], Some(ExpectedDollar(b'*'))),
            g("15 short bulk", "*1\r\n$3\r\nPING\r\n", vec![vec![b"PIN"]], None),
            g("16 unchecked crlf", "*1\r\n$4\r\nPINGxx", vec![vec![b"PING"]], None),
            g("17 empty bulk", "*1\r\n$0\r\n\r\n", vec![vec![b""]], None),
            g("18 open double quote", "set \"foo bar\r\n", vec![], Some(UnbalancedQuotes)),
            g("18 open single quote", "get 'k\r\n", vec![], Some(UnbalancedQuotes)),
            g("18 text after quote", "get \"k\"x\r\n", vec![], Some(UnbalancedQuotes)),
            g("19 bare newline", "PING\n", vec![vec![b"PING"]], None),
            g(
                "20 control bytes",
                &b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\xff\xfe\r\n"[..],
                vec![vec![b"\x01\x02\x03\x04\x05\x06\x07\x08", b"\xff\xfe"]],
                None,
            ),
            // Divergence: Redis's strchr stops at the NUL and never sees the newline.
            g("21 nul (divergence)", &b"\x00\x01\x02\r\n"[..], vec![vec![b"\x00\x01\x02"]], None),
            g(
                "22 resp3 types inline",
                "%1\r\n+a\r\n+b\r\n",
                vec![vec![b"%1"], vec![b"+a"], vec![b"+b"]],
                None,
            ),
            g("23 inline too big", vec![b'A'; 70_000], vec![], Some(TooBigInline)),
            g(
                "24 count too big",
                [&b"*"[..], &digits(70_000)].concat(),
                vec![],
                Some(TooBigMbulkCount),
            ),
            g(
                "25 bulk count too big",
                [&b"*1\r\n$"[..], &digits(70_000)].concat(),
                vec![],
                Some(TooBigBulkCount),
            ),
            g("26 get", "*1\r\n$3\r\nGET\r\n", vec![vec![b"GET"]], None),
            g(
                "27 ping then bad bulk",
                "PING\r\n*1\r\n$x\r\nPING\r\n",
                vec![vec![b"PING"]],
                Some(InvalidBulkLength),
            ),
            // protocol.tcl "Protocol desync regression test #1-3": junk without a newline.
            g(
                "desync 1",
                [&b"\x00"[..], &b"payload".repeat(10_000)].concat(),
                vec![],
                Some(TooBigInline),
            ),
            g(
                "desync 2",
                [&b"*\x00"[..], &b"payload".repeat(10_000)].concat(),
                vec![],
                Some(TooBigMbulkCount),
            ),
            g(
                "desync 3",
                [&b"$\x00"[..], &b"payload".repeat(10_000)].concat(),
                vec![],
                Some(TooBigInline),
            ),
            // §1.2 item 5.
            g("hex escape", "ECHO \"\\x41\\x00B\"\r\n", vec![vec![b"ECHO", b"A\x00B"]], None),
            g("single quotes literal", "ECHO 'a\\nb\\'c'\n", vec![vec![b"ECHO", b"a\\nb'c"]], None),
            g("byte after count cr unchecked", "*1\rX$4\r\nPING\r\n", vec![vec![b"PING"]], None),
            g("line at the limit", [&A64K[..], b"\n"].concat(), vec![vec![&A64K[..]]], None),
            g(
                "line over the limit",
                [vec![b'A'; 65537], b"\n".to_vec()].concat(),
                vec![],
                Some(TooBigInline),
            ),
            g("65536 bytes without newline wait", vec![b'A'; 65536], vec![], None),
            g("65537 bytes without newline", vec![b'A'; 65537], vec![], Some(TooBigInline)),
            g("count line 65536 bytes waits", [&b"*"[..], &digits(65535)].concat(), vec![], None),
            g(
                "count line 65537 bytes",
                [&b"*"[..], &digits(65536)].concat(),
                vec![],
                Some(TooBigMbulkCount),
            ),
            g(
                "count cr at the limit",
                [&b"*"[..], &digits(65535), b"\r\n"].concat(),
                vec![],
                Some(InvalidMultibulkLength),
            ),
            g(
                "crlf only line is expected dollar",
                "*1\r\n\r\n",
                vec![],
                Some(ExpectedDollar(b'\r')),
            ),
            g("no cr yet: no dollar check", "*1\r\nfoo", vec![], None),
            g("empty count", "*\r\n", vec![], Some(InvalidMultibulkLength)),
            g("minus zero", "*1\r\n$-0\r\n", vec![], Some(InvalidBulkLength)),
            g("i64 overflow", "*1\r\n$9223372036854775808\r\n", vec![], Some(InvalidBulkLength)),
            g("skip then command", "*0\r\n*-1\r\n\n \t\r\nPING\r\n", vec![vec![b"PING"]], None),
        ];
        let mut unauth = |name, input: &str, err| {
            v.push(Golden { name, input: input.into(), limits: UNAUTH, argvs: vec![], err });
        };
        unauth("29 unauth count", "*11\r\n", Some(UnauthMultibulkLength));
        unauth("29 unauth count 10 ok", "*10\r\n", None);
        unauth("30 unauth bulk", "*2\r\n$4\r\nECHO\r\n$16385\r\n", Some(UnauthBulkLength));
        unauth("30 unauth bulk 16384 ok", "*2\r\n$4\r\nECHO\r\n$16384\r\n", None);
        unauth("unauth invalid before unauth", "*2147483648\r\n", Some(InvalidMultibulkLength));
        unauth("unauth negative count", "*-100\r\n", None);
        v
    }

    #[test]
    fn golden_cases() {
        for c in goldens() {
            let got = check_all_splits(&c.input, &c.limits);
            let argvs: Vec<Argv> = got.reqs.iter().map(|(_, a)| a.clone()).collect();
            let want: Vec<Argv> =
                c.argvs.iter().map(|a| a.iter().map(|x| x.to_vec()).collect()).collect();
            assert_eq!(argvs, want, "{}", c.name);
            assert_eq!(got.err, c.err, "{}", c.name);
        }
    }

    #[test]
    fn inline_flag() {
        let got = oracle(b"PING\r\n*1\r\n$4\r\nPING\r\n", &AUTH);
        assert_eq!(got.reqs.iter().map(|r| r.0).collect::<Vec<_>>(), [true, false]);
        let mut p = RequestParser::new();
        assert_eq!(p.parse(b"*1\r\n$x\r\n", &AUTH), Err(ProtocolError::InvalidBulkLength));
        assert!(!p.is_inline());
        let mut p = RequestParser::new();
        assert_eq!(p.parse(b"get \"a\r\n", &AUTH), Err(ProtocolError::UnbalancedQuotes));
        assert!(p.is_inline());
    }

    #[test]
    fn inline_splitting() {
        type Case = (&'static [u8], Option<&'static [&'static [u8]]>);
        let cases: &[Case] = &[
            (b"a b\tc", Some(&[b"a", b"b", b"c"])),
            (b"  \x0b\x0ca\x0bb ", Some(&[b"a\x0bb"])),
            (b"a\"b c\"d", None),
            (b"a\"b c\" d", Some(&[b"ab c", b"d"])),
            (b"\"\"", Some(&[b""])),
            (b"''", Some(&[b""])),
            (b"\"a\\\"b\\\\\"", Some(&[b"a\"b\\"])),
            (b"\"\\n\\r\\t\\b\\a\\z\"", Some(&[b"\n\r\t\x08\x07z"])),
            (b"\"\\xzz\\x4\"", Some(&[b"xzzx4"])),
            (b"\"\\xfF\"", Some(&[b"\xff"])),
            (b"\"a\\", None),
            (b"'a\\'b' c", Some(&[b"a'b", b"c"])),
            (b"'a\\b'", Some(&[b"a\\b"])),
            (b"'a'\x0bb", Some(&[b"a", b"b"])),
            (b"\"a\"\x00", None),
            (b"a\rb", Some(&[b"a", b"b"])),
        ];
        for &(line, want) in cases {
            let (mut out, mut spans) = (Vec::new(), Vec::new());
            let got = split_inline(line, &mut out, &mut spans)
                .ok()
                .map(|()| spans.iter().map(|&(s, l)| out[s..s + l].to_vec()).collect::<Argv>());
            let want = want.map(|w| w.iter().map(|a| a.to_vec()).collect::<Argv>());
            assert_eq!(got, want, "{:?}", Bytes(line));
            assert_eq!(oracle_split(line), want, "oracle {:?}", Bytes(line));
        }
    }

    #[test]
    fn string2ll_rules() {
        let ok: &[(&[u8], i64)] = &[
            (b"0", 0),
            (b"1", 1),
            (b"-1", -1),
            (b"2147483647", 2147483647),
            (b"9223372036854775807", i64::MAX),
            (b"-9223372036854775808", i64::MIN),
        ];
        for &(s, v) in ok {
            assert_eq!(string2ll(s), Some(v), "{:?}", Bytes(s));
            assert_eq!(oracle_int(s), Some(v));
        }
        let bad: &[&[u8]] = &[
            b"",
            b"-",
            b"+1",
            b"01",
            b"-0",
            b"-01",
            b" 1",
            b"1 ",
            b"1a",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"18446744073709551616",
            b"000000000000000000001",
        ];
        for &s in bad {
            assert_eq!(string2ll(s), None, "{:?}", Bytes(s));
            assert_eq!(oracle_int(s), None, "{:?}", Bytes(s));
        }
    }

    #[test]
    fn fast_path_matches_general_path() {
        for line in [
            &b"$0\r\n"[..],
            b"$5\r\n",
            b"$05\r\n",
            b"$123456789012345678\r\n",
            b"$1234567890123456789\r\n",
            b"$\r\n",
            b"\r1\r\n",
            b"$1\rX",
            b"$1\r",
            b"x12\r\n",
        ] {
            let mut p = RequestParser::new();
            let fast = fast_number(line, 0).map(|(v, cr)| (v, cr + 2));
            p.scan = 1; // skip the fast path
            let slow = match p.number_line(line) {
                Line::Number(_, Some(v), next) => Some((v, next)),
                _ => None,
            };
            if let Some(f) = fast {
                assert_eq!(Some(f), slow, "{:?}", Bytes(line));
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Allocation, want(), shift().
    // ---------------------------------------------------------------------------------------

    #[test]
    fn huge_count_reserves_little() {
        let mut p = RequestParser::new();
        let mut buf = b"*2147483647\r\n".to_vec();
        assert_eq!(p.parse(&buf, &AUTH), Ok(Status::Incomplete));
        assert!(p.spans.capacity() <= ARGS_PREALLOC, "{}", p.spans.capacity());
        assert_eq!(p.want(), 0);
        for _ in 0..3000 {
            buf.extend_from_slice(b"$1\r\na\r\n");
        }
        assert_eq!(p.parse(&buf, &AUTH), Ok(Status::Incomplete));
        assert_eq!(p.spans.len(), 3000);
        assert!(p.spans.capacity() < 3000 * 2 + ARGS_PREALLOC);
        assert_eq!(p.consumed(), 0);
    }

    #[test]
    fn huge_bulk_reserves_nothing() {
        let mut p = RequestParser::new();
        let mut buf = b"*2\r\n$3\r\nGET\r\n$536870912\r\n".to_vec();
        assert_eq!(p.parse(&buf, &AUTH), Ok(Status::Incomplete));
        assert_eq!(p.want(), 536870912 + 2);
        assert!(p.spans.capacity() <= 2 && p.scratch.capacity() == 0);
        buf.extend_from_slice(&[b'z'; 1000]);
        assert_eq!(p.parse(&buf, &AUTH), Ok(Status::Incomplete));
        assert_eq!(p.want(), 536870912 + 2 - 1000);
        assert_eq!(p.pending(&buf), buf.len());
        assert!(p.spans.capacity() <= 2 && p.scratch.capacity() == 0);
    }

    #[test]
    fn big_bulk_in_chunks() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut input = b"PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n".to_vec();
        input.extend_from_slice(&data);
        input.extend_from_slice(b"\r\n*1\r\n$4\r\nPING\r\n");
        let bulk_end = input.len() - b"*1\r\n$4\r\nPING\r\n".len();
        let mut p = RequestParser::new();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        let mut fed = 0;
        for chunk in input.chunks(4096) {
            buf.extend_from_slice(chunk);
            fed += chunk.len();
            while p.parse(&buf, &AUTH).unwrap() == Status::Complete {
                got.push(p.args(&buf).to_vec());
            }
            if let State::Bulk(1_000_000) = p.state {
                assert_eq!(p.want(), bulk_end - fed);
            }
            let n = p.consumed();
            buf.drain(..n);
            p.shift(n);
            if let State::Bulk(1_000_000) = p.state {
                assert_eq!(p.want(), bulk_end - fed, "want() after shift");
            }
        }
        assert_eq!(got.len(), 3);
        assert_eq!(got[1][2], data);
        assert_eq!(got[2], vec![b"PING".to_vec()]);
        assert!(buf.is_empty());
    }

    #[test]
    fn shift_keeps_args_of_undropped_request() {
        let buf = b"*1\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n";
        let mut p = RequestParser::new();
        assert_eq!(p.parse(buf, &AUTH), Ok(Status::Complete));
        assert_eq!(p.parse(buf, &AUTH), Ok(Status::Complete));
        p.shift(11);
        assert_eq!(p.args(&buf[11..]).to_vec(), vec![b"b".to_vec()]);
        p.shift(1);
        assert!(p.args(&buf[12..]).is_empty());
    }

    #[test]
    fn long_lines_are_scanned_once() {
        // Byte-at-a-time delivery of a nearly-too-long count line would be quadratic if the
        // parser rescanned; this is the 64 KiB × 64 KiB / 2 case.
        let mut p = RequestParser::new();
        let mut buf = b"*".to_vec();
        for _ in 0..65535 {
            buf.push(b'1');
            assert_eq!(p.parse(&buf, &AUTH), Ok(Status::Incomplete));
            assert_eq!(p.scan, buf.len());
        }
        buf.extend_from_slice(b"\r\n");
        assert_eq!(p.parse(&buf, &AUTH), Err(ProtocolError::InvalidMultibulkLength));
    }

    // ---------------------------------------------------------------------------------------
    // Randomized: pipelines of generated requests and random protocol-ish bytes.
    // ---------------------------------------------------------------------------------------

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn bytes(&mut self, n: usize, alphabet: &[u8]) -> Vec<u8> {
            (0..n).map(|_| alphabet[self.below(alphabet.len())]).collect()
        }
    }

    const ANY: &[u8] = &{
        let mut a = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            a[i] = i as u8;
            i += 1;
        }
        a
    };

    enum Gen {
        /// Well formed: the argv it must produce.
        Good(Argv),
        /// Skipped silently (`*0`, empty line).
        Skip,
        /// Malformed or left incomplete: anything after it is unpredictable.
        Bad,
    }

    fn gen_request(r: &mut Rng) -> (Vec<u8>, Gen) {
        match r.below(10) {
            0..=4 => {
                let argv: Argv = (0..1 + r.below(5))
                    .map(|_| {
                        let n = [0, 1, 3, 16, 100, 5000][r.below(6)];
                        let n = r.below(n + 1);
                        r.bytes(n, ANY)
                    })
                    .collect();
                let mut out = format!("*{}\r\n", argv.len()).into_bytes();
                for a in &argv {
                    out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                    out.extend_from_slice(a);
                    out.extend_from_slice(b"\r\n");
                }
                (out, Gen::Good(argv))
            }
            5 | 6 => {
                let mut argv = Argv::new();
                let mut line = Vec::new();
                for _ in 0..1 + r.below(4) {
                    let n = 1 + r.below(8);
                    let word = r.bytes(n, b"abcXYZ019:-_.");
                    match r.below(3) {
                        0 => line.extend_from_slice(&word),
                        1 => {
                            line.push(b'"');
                            for &c in &word {
                                match r.below(4) {
                                    0 => line.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
                                    _ => line.push(c),
                                }
                            }
                            line.push(b'"');
                        }
                        _ => line.extend_from_slice(&[&b"'"[..], &word, b"'"].concat()),
                    }
                    line.extend_from_slice([&b" "[..], b"\t", b"  "][r.below(3)]);
                    argv.push(word);
                }
                line.extend_from_slice([&b"\r\n"[..], b"\n"][r.below(2)]);
                (line, Gen::Good(argv))
            }
            7 => {
                let skip: &[&[u8]] = &[b"*0\r\n", b"*-1\r\n", b"\r\n", b"\n", b"  \r\n"];
                (skip[r.below(skip.len())].to_vec(), Gen::Skip)
            }
            8 => {
                // Redis's unchecked bytes after `\r` and after bulk data.
                let x = r.bytes(3, ANY);
                let out = [&b"*1\r"[..], &x[..1], b"$2\r\nok", &x[1..]].concat();
                (out, Gen::Good(vec![b"ok".to_vec()]))
            }
            _ => {
                let bad: &[&[u8]] = &[
                    b"*1\r\n$x\r\n",
                    b"*1\r\n+a\r\n",
                    b"*abc\r\n",
                    b"\"open\r\n",
                    b"*1\r\n$3\r\nPING\r\n",
                    b"*2\r\n$-5\r\n",
                    b"*12\r\n",
                    b"*1\r\n$20000\r\n",
                ];
                (bad[r.below(bad.len())].to_vec(), Gen::Bad)
            }
        }
    }

    fn random_cuts(r: &mut Rng, len: usize) -> Vec<usize> {
        let mut cuts = Vec::new();
        let mut at = 0;
        loop {
            let scale = [2, 16, 300, 9000][r.below(4)];
            at += 1 + r.below(scale);
            if at >= len {
                return cuts;
            }
            cuts.push(at);
        }
    }

    #[test]
    fn random_pipelines() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..400 {
            let mut input = Vec::new();
            let mut expect = Vec::new();
            let mut well_formed = true;
            for _ in 0..1 + r.below(12) {
                let (bytes, gen) = gen_request(&mut r);
                match gen {
                    Gen::Good(argv) => expect.push(argv),
                    Gen::Skip => {}
                    Gen::Bad => well_formed = false,
                }
                input.extend_from_slice(&bytes);
            }
            let limits = if round % 4 == 0 { UNAUTH } else { AUTH };
            let want = oracle(&input, &limits);
            if well_formed && limits.authenticated {
                let got: Vec<Argv> = want.reqs.iter().map(|(_, a)| a.clone()).collect();
                assert!(got == expect, "round {round}: oracle disagrees with the generator");
                assert_eq!(want.err, None);
            }
            for _ in 0..4 {
                let cuts = random_cuts(&mut r, input.len());
                let drain = r.below(2) == 0;
                let got = run(&input, &cuts, &limits, drain);
                assert!(got == want, "round {round}: cuts {cuts:?}, {:?}", Bytes(&input));
            }
        }
    }

    #[test]
    fn random_bytes_against_oracle() {
        // Fragments of the grammar glued at random, so most inputs get deep into it; plus raw
        // bytes from a protocol-heavy alphabet.
        const PIECES: &[&[u8]] = &[
            b"*", b"*1", b"*2", b"*3", b"*0", b"*-1", b"*11", b"$", b"$0", b"$1", b"$2", b"$3",
            b"$-1", b"$21", b"$01", b"\r\n", b"\r\n", b"\r\n", b"\r", b"\n", b"a", b"ab", b"PING",
            b"\"", b"'", b"\\", b" ", b"\t", b"x", b"\x00", b"+", b"\xff", b"*1\r\n", b"*2\r\n",
            b"*1\r\n", b"*2\r\n", b"$1\r\n", b"$3\r\n", b"$0\r\n", b"$1\r\n", b"$3\r\n", b"$0\r\n",
            b"$17\r\n",
        ];
        const ALPHABET: &[u8] = b"**$$$\r\r\r\n\n\n0112345-9\"'\\x aAf\t\x00";
        let mut r = Rng(0x2545_f491_4f6c_dd1d);
        for i in 0..10_000 {
            let input = if i % 4 == 0 {
                let n = r.below(40);
                r.bytes(n, ALPHABET)
            } else {
                (0..r.below(24)).flat_map(|_| PIECES[r.below(PIECES.len())]).copied().collect()
            };
            let limits = ParseLimits { max_bulk_len: 20, authenticated: i % 3 != 0 };
            check_all_splits(&input, &limits);
        }
    }
}
