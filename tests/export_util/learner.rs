//! The learner's script and `run --json` in one form, for comparison.
//!
//! Outcomes are compared as the kernel gave them: `data N`, `eof`,
//! `sent N`, `partial`, `accepted N`, `connected`, `ok` (shutdown, close),
//! `blocking`, `timeout` (CPython's poll ran out: TimeoutError), or the
//! errno name. sockscope's `wouldblock` and its SO_RCVTIMEO `timeout` are
//! both EAGAIN, which is what Python raises for both (BlockingIOError);
//! `inprogress` is EINPROGRESS. `open tcp|unix` is the connect inside it.
//! A partial send's count depends on buffer sizes, so only its word is.

use std::collections::HashMap;

use serde_json::Value;

/// A socket's number from its name in the script: `sock` 1, `conn4` 4.
fn lane_of(name: &str) -> Option<String> {
    let digits: String = name.chars().skip_while(|c| !c.is_ascii_digit()).collect();
    let base = &name[..name.len() - digits.len()];
    if base.is_empty() || !base.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    Some(if digits.is_empty() { "1".into() } else { digits })
}

/// How many bytes a Python bytes repr (`b'a\nb'`, `b"it's"`) stands for.
pub fn bytes_len(repr: &str) -> Option<u64> {
    let rest = repr.strip_prefix('b')?;
    let quote = rest.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let body = rest.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut n = 0;
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                'x' => {
                    chars.next()?;
                    chars.next()?;
                }
                'n' | 't' | 'r' | '\\' | '\'' | '"' => {}
                _ => return None,
            }
        }
        n += 1;
    }
    Some(n)
}

/// `BlockingIOError(11, '…')` -> EAGAIN; `TimeoutError('timed out')` -> timeout.
fn raised(repr: &str) -> Option<String> {
    let (class, args) = repr.split_once('(')?;
    if !class.ends_with("Error") {
        return None;
    }
    match args.split_once(',') {
        Some((n, _)) => n.trim().parse().ok().map(|n| sockscope::sys::errno_name(n).to_string()),
        None if class == "TimeoutError" => Some("timeout".into()),
        None => None,
    }
}

/// What one call gave, from the script's print of it.
fn outcome(op: &str, value: &str, dgram: bool) -> Option<String> {
    if let Some(e) = raised(value) {
        return Some(e);
    }
    if value == "still blocking" {
        return Some("blocking".into());
    }
    Some(match op {
        "recv" | "peek" => match bytes_len(value)? {
            0 if !dgram => "eof".into(),
            n => format!("data {n}"),
        },
        "send" => {
            let (n, of) = value.split_once(" of ")?;
            if n == of { format!("sent {n}") } else { "partial".into() }
        }
        "accept" => format!("accepted {}", lane_of(value.split(' ').next()?)?),
        "connect" => value.to_string(),
        "shutdown" | "close" if value == "done" => "ok".into(),
        _ => return None,
    })
}

/// A spin's tally, `{'wouldblock': 10000}`, as sorted `word=count` pairs.
fn tally(text: &str) -> Option<String> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    let mut parts: Vec<String> = inner
        .split(", ")
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once(": ")?;
            Some(format!("{}={v}", k.trim_matches('\'')))
        })
        .collect::<Option<_>>()?;
    parts.sort();
    Some(parts.join(","))
}

/// The compared form of a learner's run: (lane, line) for sockets and the
/// event loop, a serve's calls without socket numbers, each serve client's
/// echo, and its wait in ms.
#[derive(Debug, Default)]
pub struct Form {
    pub lanes: Vec<(String, String)>,
    pub served: Vec<String>,
    pub clients: Vec<String>,
    pub waits: HashMap<u32, f64>,
}

/// One line of the learner's output into `form`.
pub fn learner_line(line: &str, form: &mut Form) -> Option<()> {
    if let Some(rest) = line.strip_prefix("server: ") {
        let (call, value) = rest.split_once(" -> ")?;
        let op = call.split('.').nth(1)?;
        let got = match outcome(op, value, false)? {
            o if o.starts_with("accepted") => "accepted".to_string(),
            o => o,
        };
        form.served.push(format!("{op} {got}"));
        return Some(());
    }
    if let Some(rest) = line.strip_prefix("client c") {
        let (k, rest) = rest.split_once(" waited ")?;
        let (ms, echo) = rest.split_once(" ms for ")?;
        form.waits.insert(k.parse().ok()?, ms.parse().ok()?);
        form.clients.push(format!("c{k} request data {}", bytes_len(echo)?));
        return Some(());
    }
    if let Some(events) = line.strip_prefix("ep.poll -> ") {
        let pairs: Vec<&str> = events.split("), (").filter(|p| p.contains(',')).collect();
        for p in &pairs {
            let mask: u32 = p.rsplit(", ").next()?.trim_end_matches([')', ']']).parse().ok()?;
            let r = if mask & libc::EPOLLIN as u32 != 0 { "readable" } else { "-" };
            form.lanes.push(("loop".into(), format!("#loop ready {r}")));
        }
        form.lanes.push(("loop".into(), format!("#loop poll events {}", pairs.len())));
        return Some(());
    }
    if let Some((name, rest)) = line.split_once(": ").filter(|(n, _)| lane_of(n).is_some()) {
        let lane = lane_of(name)?;
        let got = if rest == "connected" { rest.to_string() } else { raised(rest)? };
        form.lanes.push((lane.clone(), format!("#{lane} connect {got}")));
        return Some(());
    }
    let (call, value) = line.split_once(" -> ")?;
    let (name, op) = call.split_once('.')?;
    let lane = lane_of(name)?;
    if let Some(spin) = op.strip_prefix("recv x").or_else(|| op.strip_prefix("recv for ")) {
        let _ = spin;
        form.lanes.push((lane.clone(), format!("#{lane} spin {}", tally(value)?)));
        return Some(());
    }
    let op = if op == "recv(MSG_PEEK)" { "peek" } else { op };
    let dgram = name.starts_with("udp") || name.starts_with("dgram");
    form.lanes.push((lane.clone(), format!("#{lane} {op} {}", outcome(op, value, dgram)?)));
    Some(())
}

/// The learner's whole output in the compared form.
pub fn learner_form(out: &str) -> Form {
    let mut form = Form::default();
    for line in out.lines() {
        let _ = learner_line(line, &mut form);
    }
    form
}

/// An outcome from `run --json`, in the compared words.
fn json_outcome(v: &Value) -> Option<String> {
    let count = |key: &str| v[key].as_u64().map(|n| n.to_string());
    let errno = v["errno"].as_str();
    Some(match v["outcome"].as_str()? {
        "data" => format!("data {}", count("bytes")?),
        "sent" => format!("sent {}", count("bytes")?),
        "accepted" => format!("accepted {}", count("new_sock")?),
        "wouldblock" => "EAGAIN".into(),
        "timeout" => errno.unwrap_or("timeout").to_string(),
        "inprogress" => "EINPROGRESS".into(),
        "error" => errno?.to_string(),
        o => o.to_string(),
    })
}

/// `run --json` output in the compared form. A serve's calls (the
/// listener's accepts, and every call on the sockets it accepted) go to
/// `served` without numbers; its accept rounds' closing EAGAIN and its
/// event loop's waits are left out, as their batching depends on timing.
pub fn json_form(lines: &[Value], evloop_serve: bool) -> Form {
    let mut form = Form::default();
    let mut serving: Vec<String> = Vec::new();
    let mut served: Vec<String> = Vec::new();
    for v in lines {
        let op = v["op"].as_str().unwrap_or("");
        let arg = v["arg"].as_str().unwrap_or("");
        let sock = match &v["sock"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => continue,
        };
        if sock == "peer" {
            if let (Some(k), "request") = (v["client"].as_u64(), op) {
                form.clients.push(format!("c{k} request {}", json_outcome(v).unwrap_or_default()));
            }
            continue;
        }
        if op == "serve" {
            serving.push(sock.clone());
            continue;
        }
        if served.contains(&sock) || (serving.contains(&sock) && op == "accept") {
            let Some(got) = json_outcome(v) else { continue };
            if op == "accept" && got == "EAGAIN" {
                continue;
            }
            if let Some(k) = v["new_sock"].as_u64() {
                served.push(k.to_string());
            }
            if matches!(op, "accept" | "recv" | "send" | "close") {
                let got = if got.starts_with("accepted") { "accepted".into() } else { got };
                form.served.push(format!("{op} {got}"));
            }
            continue;
        }
        let line = match (op, v["outcome"].as_str()) {
            ("poll", Some("ready")) if !evloop_serve => {
                let flags = v["flags"].as_array().map(|f| f.iter().any(|x| x == "readable")).unwrap_or(false);
                let r = if flags { "readable" } else { "-" };
                form.lanes.push(("loop".into(), format!("#loop ready {r}")));
                continue;
            }
            // A wait that saw nothing ends as a timeout: 0 events.
            ("poll", Some("ok" | "timeout")) if arg.starts_with("wait") && !evloop_serve => {
                form.lanes
                    .push(("loop".into(), format!("#loop poll events {}", v["bytes"].as_u64().unwrap_or(0))));
                continue;
            }
            ("spin", _) => {
                let mut parts: Vec<String> = v["outcomes"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .filter(|(_, n)| n.as_u64() != Some(0))
                            .map(|(k, n)| format!("{k}={n}"))
                            .collect()
                    })
                    .unwrap_or_default();
                parts.sort();
                format!("#{sock} spin {}", parts.join(","))
            }
            ("open", _) if arg.starts_with("tcp") || arg.starts_with("unix ") => {
                format!("#{sock} connect {}", json_outcome(v).unwrap_or_default())
            }
            ("recv" | "peek" | "send" | "accept" | "connect" | "shutdown" | "close", _) => {
                match json_outcome(v) {
                    Some(o) => format!("#{sock} {op} {o}"),
                    None => continue,
                }
            }
            _ => continue,
        };
        form.lanes.push((sock, line));
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learner_lines_read_as_outcomes() {
        let mut f = Form::default();
        for l in [
            "sock: connected",
            "sock.recv -> b'he\\'l\\x00'",
            "udp2.recv -> b''",
            "sock.recv -> b''",
            "conn4.recv(MSG_PEEK) -> b\"it's\"",
            "sock.send -> 3 of 8",
            "sock.send -> BrokenPipeError(32, 'Broken pipe')",
            "sock.recv -> TimeoutError('timed out')",
            "listener.accept -> conn2 from ('127.0.0.1', 5)",
            "sock.close -> done",
            "sock.recv x10 -> {'wouldblock': 10}",
            "ep.poll -> [(4, 1), (5, 4)]",
            "ep.poll -> []",
            "# a comment",
        ] {
            let _ = learner_line(l, &mut f);
        }
        let lines: Vec<&str> = f.lanes.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            lines,
            [
                "#1 connect connected",
                "#1 recv data 5",
                "#2 recv data 0",
                "#1 recv eof",
                "#4 peek data 4",
                "#1 send partial",
                "#1 send EPIPE",
                "#1 recv timeout",
                "#1 accept accepted 2",
                "#1 close ok",
                "#1 spin wouldblock=10",
                "#loop ready readable",
                "#loop ready -",
                "#loop poll events 2",
                "#loop poll events 0",
            ]
        );
    }
}
