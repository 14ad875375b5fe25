//! Where one socket call is written: the socket's name in the script, what
//! the scenario expects the call to raise, and the shape every call shares
//! (the call, then a print of what it gave; in `try:` with the one `except`
//! the scenario calls for). Each op's module (`ops/*.rs`) writes its own
//! statement through [`Site::attempt`]; `export::learner` lays the script
//! out around them.

/// What a call is expected to raise instead of returning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raises {
    /// EAGAIN in non-blocking mode: BlockingIOError.
    WouldBlock,
    /// settimeout(T) ran out: TimeoutError (CPython's poll; no call was made).
    PollTimeout,
    /// SO_RCVTIMEO / SO_SNDTIMEO ran out: EAGAIN, so BlockingIOError.
    TimerTimeout,
    /// A non-blocking connect: EINPROGRESS, a BlockingIOError.
    InProgress,
    /// Any other errno, by its name.
    Error(String),
}

impl Raises {
    /// The exception class Python raises.
    pub fn class(&self) -> &'static str {
        match self {
            Raises::WouldBlock | Raises::TimerTimeout | Raises::InProgress => "BlockingIOError",
            Raises::PollTimeout => "TimeoutError",
            Raises::Error(name) => py_class(name),
        }
    }
}

/// The OSError subclass CPython raises for an errno, by its name.
pub fn py_class(errno: &str) -> &'static str {
    super::text::py_exception(crate::sys::errno_by_name(errno).unwrap_or(0))
}

/// One call's place in the script.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// The socket's name in the script (`sock`, `conn2`, `listener`).
    pub sock: String,
    /// What the call raises, if the scenario (or the socket's mode) says so.
    pub raises: Option<Raises>,
    /// After a send: the peer end that reads it (sockscope's peer reads what
    /// we send unless paused; without this its close would be an RST).
    pub reader: Option<String>,
    /// Where `connect` with no address goes: a Python expression.
    pub peer_addr: String,
    /// An accept: the name the new socket gets.
    pub new_sock: Option<String>,
    /// `close` of a unix listener we bound: its path, which Python leaves behind.
    pub unlink: Option<String>,
    /// The scenario expects EOF (recv gives b'').
    pub eof: bool,
}

impl Site {
    /// `stmts`, then `print(f"LABEL -> OK")`, then `then`; in `try:` with
    /// the expected exception's `except`, which prints its repr (class,
    /// errno, message). `ok` is the f-string's text after the arrow
    /// (`{data}`); None prints `LABEL -> done`, for a call that returns
    /// nothing. `why` says in a few words why the kernel would raise it here.
    /// Each print is one f-string, written whole, so lines from two threads
    /// never mix.
    pub fn attempt(
        &self,
        stmts: &[String],
        label: &str,
        ok: Option<&str>,
        then: &[String],
        why: &str,
    ) -> Vec<String> {
        let print = match ok {
            Some(text) if text.contains('{') => format!("print(f\"{label} -> {text}\")"),
            Some(text) => format!("print(\"{label} -> {text}\")"),
            None => format!("print(\"{label} -> done\")"),
        };
        let Some(r) = &self.raises else {
            let mut out = stmts.to_vec();
            out.push(print);
            out.extend(then.iter().cloned());
            return out;
        };
        let note = match r {
            Raises::WouldBlock => why.to_string(),
            Raises::PollTimeout => "the timeout ran out in poll(): the call itself was never made".into(),
            Raises::TimerTimeout => "the kernel's timer ran out: EAGAIN, so BlockingIOError".into(),
            Raises::InProgress => "EINPROGRESS: the handshake goes on without us".into(),
            Raises::Error(name) => name.clone(),
        };
        let mut out = vec!["try:".to_string()];
        out.extend(stmts.iter().map(|s| format!("    {s}")));
        out.push(format!("    {print}"));
        out.extend(then.iter().map(|s| format!("    {s}")));
        out.push(format!("except {} as e:  # {note}", r.class()));
        out.push(format!("    print(f\"{label} -> {{e!r}}\")"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_wrapped_only_where_it_is_expected_to_raise() {
        let mut site = Site { sock: "sock".into(), ..Site::default() };
        let stmts = ["data = sock.recv(1024)".to_string()];
        assert_eq!(
            site.attempt(&stmts, "sock.recv", Some("{data}"), &[], "nothing to read"),
            ["data = sock.recv(1024)", "print(f\"sock.recv -> {data}\")"]
        );
        site.raises = Some(Raises::Error("ECONNRESET".into()));
        assert_eq!(
            site.attempt(&stmts, "sock.recv", Some("{data}"), &[], "nothing to read"),
            [
                "try:",
                "    data = sock.recv(1024)",
                "    print(f\"sock.recv -> {data}\")",
                "except ConnectionResetError as e:  # ECONNRESET",
                "    print(f\"sock.recv -> {e!r}\")",
            ]
        );
    }
}
