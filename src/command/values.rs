//! Argument values: sizes, counts, durations, timeouts, socket numbers and
//! addresses. Each takes a token and returns a value or an error at its column.

use std::time::Duration;

use super::ast::{Addr, MAX_SIZE, MAX_UNIX_PATH};
use super::lexer::{Kind, Token};
use super::number::split_decimal;
use super::parse::ParseError;

/// Longest duration accepted anywhere in the language (wait, after,
/// timeouts, spin, poll wait, expect slowest), in seconds: one day. Any
/// experiment fits in it, and a typo like `wait 1000000000s` is an error
/// rather than a script that never ends.
const MAX_SECS: u128 = 86_400;

pub(crate) const ADDR_HINT: &str = "expected an address like 127.0.0.1:8080 or [::1]:8080";
const SIZE_HINT: &str = "expected a size like 1024, 64k or 1m";
const DUR_HINT: &str = "expected a duration like 300ms or 1.5s";
const OUT_OF_RANGE: &str = "timeout value out of range";

pub(crate) fn err(col: usize, message: impl Into<String>) -> ParseError {
    ParseError { line: 1, col, message: message.into() }
}

/// The token's text if it is a bare word (strings are never numbers).
fn word<'a>(tok: &Token<'a>) -> Option<&'a str> {
    matches!(tok.kind, Kind::Word).then_some(tok.raw)
}

/// `DIGITS` with an optional k/m suffix. `Err(true)` on overflow,
/// `Err(false)` if it is not of that form.
fn int_with_suffix(s: &str) -> Result<u64, bool> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, suffix) = s.split_at(split);
    let mult: u64 = match suffix {
        "" => 1,
        "k" | "K" => 1024,
        "m" | "M" => 1024 * 1024,
        _ => return Err(false),
    };
    if digits.is_empty() {
        return Err(false);
    }
    let n: u64 = digits.parse().map_err(|_| true)?;
    n.checked_mul(mult).ok_or(true)
}

/// A recv/send size: at least 1, at most [`MAX_SIZE`].
pub(crate) fn size(tok: &Token) -> Result<u64, ParseError> {
    let too_big = || {
        let shown = tok.shown();
        err(tok.col, format!("size {shown} is too large: the cap is 64 MiB (64m)"))
    };
    match word(tok).map(int_with_suffix) {
        Some(Ok(0)) => Err(err(tok.col, "size must be at least 1")),
        Some(Ok(n)) if n > MAX_SIZE => Err(too_big()),
        Some(Ok(n)) => Ok(n),
        Some(Err(true)) => Err(too_big()),
        _ => Err(err(tok.col, SIZE_HINT)),
    }
}

/// Whether the token is a plain integer (a count rather than a size/duration).
pub(crate) fn is_plain_int(tok: &Token) -> bool {
    word(tok).is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
}

/// A byte count or a repeat count: a plain integer, k/m suffixes allowed.
pub(crate) fn count(tok: &Token) -> Result<u64, ParseError> {
    match word(tok).map(int_with_suffix) {
        Some(Ok(n)) => Ok(n),
        Some(Err(true)) => Err(err(tok.col, format!("number {} is too large", tok.shown()))),
        _ => Err(err(tok.col, "expected a number like 10 or 64k")),
    }
}

/// A socket number: 1, 2, …
pub(crate) fn sock_num(tok: &Token) -> Result<u32, ParseError> {
    let w = word(tok).filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()));
    let Some(w) = w else {
        return Err(err(tok.col, "expected a socket number like 1"));
    };
    match w.parse::<u32>() {
        Ok(0) => Err(err(tok.col, "sockets are numbered from 1")),
        Ok(n) => Ok(n),
        Err(_) => Err(err(tok.col, format!("socket number {} is too large", tok.shown()))),
    }
}

/// Nanoseconds per unit, for the units a duration may carry. `m` is left
/// out on purpose: `1m` is a size (1 MiB), so minutes are spelled `min`.
fn unit_ns(unit: &str) -> Option<u128> {
    match unit.to_lowercase().as_str() {
        "s" => Some(1_000_000_000),
        "ms" => Some(1_000_000),
        "us" | "µs" | "μs" => Some(1_000),
        "min" => Some(60_000_000_000),
        _ => None,
    }
}

/// The error for a unit that is missing or unknown.
fn unit_error(tok: &Token, unit: &str) -> ParseError {
    let msg = match unit {
        "" => format!(
            "`{0}` needs a unit here (a bare whole number is a count): write {0}s or {0}ms",
            tok.shown()
        ),
        "m" | "M" => "`m` is not a time unit: write `min` for minutes or `ms` for milliseconds".to_string(),
        _ => format!("unknown time unit `{}`: use ms, s, us or min", super::lexer::shorten(unit)),
    };
    err(tok.col, msg)
}

/// Builds a Duration from nanoseconds (`None`: too many to count), if
/// within [`MAX_SECS`]; else the one "too long" error for every duration.
fn within_cap(tok: &Token, ns: Option<u128>) -> Result<Duration, ParseError> {
    match ns.filter(|&n| n <= MAX_SECS * 1_000_000_000) {
        Some(ns) => Ok(Duration::new((ns / 1_000_000_000) as u64, (ns % 1_000_000_000) as u32)),
        None => Err(err(
            tok.col,
            format!("duration too long: `{}` is more than one day (the cap is {MAX_SECS}s)", tok.shown()),
        )),
    }
}

/// A duration: `300ms`, `1.5s`, `2min`, or a bare number of seconds
/// (`0.3`), as `timeout` and Python's `settimeout` take them. One rule for
/// every duration in the language; only `spin`, where a bare integer is a
/// count, asks for a unit ([`duration_with_unit`]).
pub(crate) fn duration(tok: &Token) -> Result<Duration, ParseError> {
    let Some((d, unit)) = word(tok).and_then(split_decimal) else {
        return Err(err(tok.col, DUR_HINT));
    };
    let per = match unit {
        "" => 1_000_000_000,
        _ => unit_ns(unit).ok_or_else(|| unit_error(tok, unit))?,
    };
    if d.negative && !d.is_zero() {
        return Err(err(tok.col, "a duration cannot be negative"));
    }
    within_cap(tok, d.nanos(per))
}

/// A duration that must carry its unit: where a bare number means
/// something else (`spin recv 1024 2`: a count).
pub(crate) fn duration_with_unit(tok: &Token) -> Result<Duration, ParseError> {
    let Some((d, unit)) = word(tok).and_then(split_decimal) else {
        return Err(err(tok.col, DUR_HINT));
    };
    let Some(per) = unit_ns(unit) else {
        return Err(unit_error(tok, unit));
    };
    if d.negative && !d.is_zero() {
        return Err(err(tok.col, "a duration cannot be negative"));
    }
    within_cap(tok, d.nanos(per))
}

/// Seconds as Python's `settimeout` takes them (`0`, `0.2`, `1e-3`), or a
/// duration with a unit (`200ms`). `hint` says what was expected.
pub(crate) fn seconds(tok: &Token, hint: &str) -> Result<Duration, ParseError> {
    let w = word(tok).unwrap_or("");
    let bare = w.trim_start_matches(['+', '-']).to_lowercase();
    if bare == "nan" {
        return Err(err(tok.col, "invalid value NaN (not a number)"));
    }
    if bare == "inf" || bare == "infinity" {
        return Err(err(tok.col, OUT_OF_RANGE));
    }
    let Some((d, unit)) = split_decimal(w) else {
        return Err(err(tok.col, hint));
    };
    let per = match unit {
        "" => 1_000_000_000,
        _ => unit_ns(unit).ok_or_else(|| unit_error(tok, unit))?,
    };
    if d.negative && !d.is_zero() {
        return Err(err(tok.col, OUT_OF_RANGE));
    }
    within_cap(tok, d.nanos(per))
}

/// `host:port` or `[v6]:port`. The host is kept as text: resolving it is I/O.
pub(crate) fn addr(tok: &Token) -> Result<Addr, ParseError> {
    let w = word(tok).ok_or_else(|| err(tok.col, ADDR_HINT))?;
    let (host, port) = if let Some(rest) = w.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| err(tok.col, ADDR_HINT))?;
        let port = after.strip_prefix(':').ok_or_else(|| err(tok.col, ADDR_HINT))?;
        let ip = host.split('%').next().unwrap_or("");
        if ip.parse::<std::net::Ipv6Addr>().is_err() {
            let shown = super::lexer::shorten(host);
            return Err(err(tok.col, format!("`{shown}` is not an IPv6 address; {ADDR_HINT}")));
        }
        (host, port)
    } else {
        let (host, port) = w.rsplit_once(':').ok_or_else(|| err(tok.col, ADDR_HINT))?;
        if host.contains(':') {
            let msg = "an IPv6 address needs brackets, like [::1]:8080";
            return Err(err(tok.col, msg));
        }
        let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
        if host.is_empty() || !host.chars().all(ok) {
            return Err(err(tok.col, ADDR_HINT));
        }
        (host, port)
    };
    if port.is_empty() {
        return Err(err(tok.col, ADDR_HINT));
    }
    // The port's column: the token's column plus the characters before it.
    let port_col = tok.col + w.chars().count() - port.chars().count();
    let port = parse_port(port).ok_or_else(|| {
        let shown = super::lexer::shorten(port);
        err(port_col, format!("port must be 0..=65535, not `{shown}`"))
    })?;
    Ok(Addr { host: host.to_string(), port })
}

/// An AF_UNIX path: a bare word or a quoted string, 1 to 107 bytes, UTF-8,
/// with no NUL (abstract-namespace names are not supported).
pub(crate) fn unix_path(tok: &Token) -> Result<String, ParseError> {
    let bytes = match &tok.kind {
        Kind::Word => tok.raw.as_bytes().to_vec(),
        Kind::Str(b) => b.clone(),
    };
    if bytes.is_empty() {
        return Err(err(tok.col, "a socket path cannot be empty"));
    }
    if bytes.contains(&0) {
        return Err(err(tok.col, "a socket path cannot hold a NUL byte (abstract names are not supported)"));
    }
    if bytes.len() > MAX_UNIX_PATH {
        let n = bytes.len();
        return Err(err(
            tok.col,
            format!("socket path is {n} bytes long: AF_UNIX allows at most {MAX_UNIX_PATH}"),
        ));
    }
    String::from_utf8(bytes).map_err(|_| err(tok.col, "a socket path must be valid UTF-8"))
}

/// A file name: a bare word or a quoted string, UTF-8, with no NUL.
pub(crate) fn file_name(tok: &Token) -> Result<String, ParseError> {
    let bytes = match &tok.kind {
        Kind::Word => tok.raw.as_bytes().to_vec(),
        Kind::Str(b) => b.clone(),
    };
    if bytes.is_empty() || bytes.contains(&0) {
        return Err(err(tok.col, "a file name cannot be empty or hold a NUL byte"));
    }
    String::from_utf8(bytes).map_err(|_| err(tok.col, "a file name must be valid UTF-8"))
}

fn parse_port(s: &str) -> Option<u16> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(raw: &str) -> Token<'_> {
        Token { kind: Kind::Word, raw, col: 3 }
    }

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(int_with_suffix("12"), Ok(12));
        assert_eq!(int_with_suffix("2K"), Ok(2048));
        assert_eq!(int_with_suffix("1m"), Ok(1 << 20));
        assert_eq!(int_with_suffix("k"), Err(false));
        assert_eq!(int_with_suffix("1g"), Err(false));
        assert_eq!(int_with_suffix("18446744073709551615k"), Err(true));
        assert_eq!(size(&tok("64m")), Ok(MAX_SIZE));
    }

    #[test]
    fn seconds_are_exact() {
        let s = |raw| seconds(&tok(raw), "hint");
        assert_eq!(s("0.2"), Ok(Duration::from_millis(200)));
        assert_eq!(s("+1"), Ok(Duration::from_secs(1)));
        assert_eq!(s("86400"), Ok(Duration::from_secs(86_400)));
        assert!(s("86400.000000001").unwrap_err().message.contains("more than one day"));
        assert!(s("-inf").unwrap_err().message.contains("out of range"));
        assert_eq!(s("x").unwrap_err().message, "hint");
    }

    #[test]
    fn address_errors_point_at_the_port() {
        assert_eq!(addr(&tok("h:99999")).unwrap_err().col, 5);
        assert_eq!(addr(&tok("[::1]:x")).unwrap_err().col, 9);
        assert_eq!(addr(&tok("é:1")).unwrap_err().col, 3);
        let scoped = addr(&tok("[fe80::1%eth0]:80")).unwrap();
        assert_eq!((scoped.host.as_str(), scoped.port), ("fe80::1%eth0", 80));
    }
}
