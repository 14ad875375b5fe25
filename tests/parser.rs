//! The command language parser: every command form and every error kind.

use std::time::Duration;

use proptest::prelude::*;
use sockscope::command::*;

fn ok(line: &str) -> Command {
    match parse_line(line) {
        Ok(Some(cmd)) => cmd,
        other => panic!("{line:?} gave {other:?}"),
    }
}

/// Asserts that `line` fails at `col` with a message containing `needle`.
fn fails(line: &str, col: usize, needle: &str) {
    let e = parse_line(line).expect_err(line);
    assert_eq!((e.line, e.col), (1, col), "{line:?}: {e}");
    assert!(e.message.contains(needle), "{line:?}: {e:?} lacks {needle:?}");
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn addr(host: &str, port: u16) -> Option<Addr> {
    Some(Addr { host: host.into(), port })
}

// ---- command forms ----

#[test]
fn blank_lines_and_comments_are_nothing() {
    for line in ["", "   ", "\t", "# a comment", "   # indented"] {
        assert_eq!(parse_line(line), Ok(None), "{line:?}");
    }
    assert_eq!(ok("close # done"), Command::Call(SockCall::Close));
}

#[test]
fn open_listen_socket() {
    assert_eq!(ok("open tcp"), Command::Open { proto: Proto::Tcp, addr: None });
    assert_eq!(ok("open udp"), Command::Open { proto: Proto::Udp, addr: None });
    let open = ok("open tcp 127.0.0.1:8080");
    assert_eq!(open, Command::Open { proto: Proto::Tcp, addr: addr("127.0.0.1", 8080) });
    let open = ok("open udp [::1]:53");
    assert_eq!(open, Command::Open { proto: Proto::Udp, addr: addr("::1", 53) });
    assert_eq!(ok("listen"), Command::Listen { addr: None });
    assert_eq!(ok("listen localhost:0"), Command::Listen { addr: addr("localhost", 0) });
    assert_eq!(ok("socket tcp"), Command::Socket { proto: Proto::Tcp, v6: false });
    assert_eq!(ok("socket udp"), Command::Socket { proto: Proto::Udp, v6: false });
    assert_eq!(ok("socket tcp6"), Command::Socket { proto: Proto::Tcp, v6: true });
    assert_eq!(ok("socket udp6"), Command::Socket { proto: Proto::Udp, v6: true });
}

#[test]
fn keywords_are_case_insensitive() {
    assert_eq!(ok("OPEN Tcp"), Command::Open { proto: Proto::Tcp, addr: None });
    assert_eq!(ok("Recv 1K"), Command::Call(SockCall::Recv { size: 1024 }));
}

#[test]
fn use_and_modes() {
    assert_eq!(ok("use 2"), Command::Use(2));
    assert_eq!(ok("blocking"), Command::Mode(ModeSet::Blocking));
    assert_eq!(ok("nonblocking"), Command::Mode(ModeSet::Nonblocking));
    assert_eq!(ok("timeout none"), Command::Mode(ModeSet::Timeout(None)));
    assert_eq!(ok("timeout 0"), Command::Mode(ModeSet::Timeout(Some(Duration::ZERO))));
    assert_eq!(ok("timeout 0.2"), Command::Mode(ModeSet::Timeout(Some(ms(200)))));
    assert_eq!(ok("timeout 1e-3"), Command::Mode(ModeSet::Timeout(Some(ms(1)))));
    assert_eq!(ok("timeout 200ms"), Command::Mode(ModeSet::Timeout(Some(ms(200)))));
    assert_eq!(ok("rcvtimeo 0.5"), Command::Mode(ModeSet::RcvTimeo(ms(500))));
    assert_eq!(ok("rcvtimeo 0"), Command::Mode(ModeSet::RcvTimeo(Duration::ZERO)));
    assert_eq!(ok("sndtimeo 2s"), Command::Mode(ModeSet::SndTimeo(ms(2000))));
}

#[test]
fn recv_and_send() {
    assert_eq!(ok("recv"), Command::Call(SockCall::Recv { size: 1024 }));
    assert_eq!(ok("recv 10"), Command::Call(SockCall::Recv { size: 10 }));
    assert_eq!(ok("recv 64k"), Command::Call(SockCall::Recv { size: 64 * 1024 }));
    assert_eq!(ok("recv 1m"), Command::Call(SockCall::Recv { size: 1024 * 1024 }));
    assert_eq!(ok("recv 64M"), Command::Call(SockCall::Recv { size: MAX_SIZE }));
    assert_eq!(ok(r#"send "hi\n""#), Command::Call(SockCall::Send(Payload::Text(b"hi\n".to_vec()))));
    let all = ok(r#"send "\t\r\\\"\x00\xff""#);
    assert_eq!(all, Command::Call(SockCall::Send(Payload::Text(b"\t\r\\\"\x00\xff".to_vec()))));
    assert_eq!(
        ok(r##"send "# not a comment""##),
        Command::Call(SockCall::Send(Payload::Text(b"# not a comment".to_vec())))
    );
    assert_eq!(ok("send 1k"), Command::Call(SockCall::Send(Payload::Size(1024))));
    assert_eq!(ok(r#"send """#), Command::Call(SockCall::Send(Payload::Text(vec![]))));
}

#[test]
fn socket_calls() {
    assert_eq!(ok("accept"), Command::Call(SockCall::Accept));
    assert_eq!(ok("connect"), Command::Call(SockCall::Connect(None)));
    assert_eq!(ok("connect 10.0.0.1:80"), Command::Call(SockCall::Connect(addr("10.0.0.1", 80))));
    assert_eq!(ok("shutdown rd"), Command::Call(SockCall::Shutdown(How::Read)));
    assert_eq!(ok("shutdown wr"), Command::Call(SockCall::Shutdown(How::Write)));
    assert_eq!(ok("shutdown both"), Command::Call(SockCall::Shutdown(How::Both)));
    assert_eq!(ok("close"), Command::Call(SockCall::Close));
}

#[test]
fn peer_commands() {
    let send = |payload, after| Command::Peer(PeerCmd::Send { payload, after });
    assert_eq!(ok(r#"peer send "x""#), send(Payload::Text(b"x".to_vec()), None));
    assert_eq!(ok("peer send 4k after 300ms"), send(Payload::Size(4096), Some(ms(300))));
    assert_eq!(ok("peer pause"), Command::Peer(PeerCmd::Pause));
    assert_eq!(ok("peer resume"), Command::Peer(PeerCmd::Resume));
    assert_eq!(ok("peer close"), Command::Peer(PeerCmd::Close));
    assert_eq!(ok("peer reset"), Command::Peer(PeerCmd::Reset));
    assert_eq!(ok("peer shutdown wr"), Command::Peer(PeerCmd::ShutdownWr));
    assert_eq!(ok("peer connect"), Command::Peer(PeerCmd::Connect(1)));
    assert_eq!(ok("peer connect 64"), Command::Peer(PeerCmd::Connect(64)));
}

#[test]
fn wait_accepts_every_unit() {
    assert_eq!(ok("wait 300ms"), Command::Wait(ms(300)));
    assert_eq!(ok("wait 1.5s"), Command::Wait(ms(1500)));
    assert_eq!(ok("wait 2s"), Command::Wait(ms(2000)));
    assert_eq!(ok("wait 5us"), Command::Wait(Duration::from_micros(5)));
    assert_eq!(ok("wait 5µs"), Command::Wait(Duration::from_micros(5)));
    assert_eq!(ok("wait 2min"), Command::Wait(Duration::from_secs(120)));
}

#[test]
fn expect_every_outcome() {
    let cases = [
        ("data", ExpectOutcome::Data),
        ("eof", ExpectOutcome::Eof),
        ("sent", ExpectOutcome::Sent),
        ("partial", ExpectOutcome::Partial),
        ("wouldblock", ExpectOutcome::WouldBlock),
        ("timeout", ExpectOutcome::Timeout),
        ("inprogress", ExpectOutcome::InProgress),
        ("accepted", ExpectOutcome::Accepted),
        ("connected", ExpectOutcome::Connected),
        ("blocking", ExpectOutcome::Blocking),
    ];
    for (word, outcome) in cases {
        let want = Command::Expect(Expectation { call: None, outcome, n: None });
        assert_eq!(ok(&format!("expect {word}")), want);
    }
    let data = ok("expect data 5");
    assert_eq!(data, Command::Expect(Expectation { call: None, outcome: ExpectOutcome::Data, n: Some(5) }));
    let sent = ok("expect sent 64k");
    assert_eq!(
        sent,
        Command::Expect(Expectation { call: None, outcome: ExpectOutcome::Sent, n: Some(65536) })
    );
    let acc = ok("expect accepted 2");
    assert_eq!(
        acc,
        Command::Expect(Expectation { call: None, outcome: ExpectOutcome::Accepted, n: Some(2) })
    );
    let error = ExpectOutcome::Error("ECONNRESET".into());
    assert_eq!(
        ok("expect error econnReset"),
        Command::Expect(Expectation { call: None, outcome: error, n: None })
    );
}

#[test]
fn say_quoted_or_bare() {
    assert_eq!(ok(r#"say "hello, world\n""#), Command::Say("hello, world\n".into()));
    assert_eq!(ok("say the buffer is full  # note"), Command::Say("the buffer is full".into()));
    assert_eq!(ok(r#"say he said "hi""#), Command::Say("he said \"hi\"".into()));
    assert_eq!(ok("say ünïcödé ✓"), Command::Say("ünïcödé ✓".into()));
}

#[test]
fn spin_count_or_duration() {
    let spin = |size, limit| Command::Spin { size, limit };
    assert_eq!(ok("spin recv 1000"), spin(1024, SpinLimit::Count(1000)));
    assert_eq!(ok("spin recv 2s"), spin(1024, SpinLimit::For(ms(2000))));
    assert_eq!(ok("spin recv 64k 100"), spin(65536, SpinLimit::Count(100)));
    assert_eq!(ok("spin recv 10 500ms"), spin(10, SpinLimit::For(ms(500))));
}

#[test]
fn poll_commands() {
    let add = |sock, interest| Command::PollAdd { sock, interest };
    assert_eq!(ok("poll add read"), add(None, Interest::Read));
    assert_eq!(ok("poll add 2 write"), add(Some(2), Interest::Write));
    assert_eq!(ok("poll add both"), add(None, Interest::Both));
    assert_eq!(ok("poll wait"), Command::PollWait(None));
    assert_eq!(ok("poll wait 1s"), Command::PollWait(Some(ms(1000))));
    assert_eq!(ok("poll drain on"), Command::PollDrain(true));
    assert_eq!(ok("poll drain off"), Command::PollDrain(false));
}

#[test]
fn command_words_all_parse_as_commands() {
    for word in COMMAND_WORDS {
        let e = parse_line(word).err();
        assert!(e.is_none_or(|e| !e.message.contains("unknown command")), "{word}");
    }
}

// ---- errors: one test per kind ----

#[test]
fn unknown_command_suggests_the_nearest() {
    fails("rcv 10", 1, "unknown command `rcv`: did you mean `recv`?");
    fails("  sned 10", 3, "did you mean `send`?");
}

#[test]
fn unknown_command_far_from_all_lists_them() {
    fails("xyzzy", 1, "commands are: open, listen,");
}

#[test]
fn a_string_is_not_a_command() {
    fails(r#""recv""#, 1, "expected a command");
}

#[test]
fn unknown_sub_word_suggests_the_nearest() {
    fails(r#"peer sned "x""#, 6, "did you mean `send`?");
    fails("shutdown write", 10, "did you mean `wr`?");
    fails("expect wouldblok", 8, "did you mean `wouldblock`?");
}

#[test]
fn wrong_sub_word_lists_the_choices() {
    fails("open quic", 6, "expected one of tcp|udp|unix|unixgram after `open`, not `quic`");
    fails("poll drain maybe", 12, "expected one of on|off");
    fails("peer shutdown rd", 15, "expected `wr` after `peer shutdown`");
}

#[test]
fn missing_sub_word_points_past_the_end() {
    fails("shutdown", 9, "`shutdown` needs one of rd|wr|both");
    fails("peer  # comment", 7, "`peer` needs one of send|");
    fails("poll add 2", 11, "`poll add 2` needs one of read|write|both");
}

#[test]
fn missing_argument() {
    fails("use", 4, "`use` needs a socket number");
    fails("send", 5, "after `send`");
    fails("wait", 5, "`wait` needs a duration");
    fails("peer send 1k after", 19, "`after` needs a duration");
    fails("expect error", 13, "errno name like ECONNRESET");
    fails("spin recv", 10, "expected a count (e.g. 1000) or a duration (e.g. 2s)");
}

#[test]
fn extra_token_after_a_bare_command() {
    fails("close x", 7, "unexpected `x`: `close` takes no arguments");
    fails("expect eof 5", 12, "`expect eof` takes no arguments");
}

#[test]
fn extra_token_after_arguments() {
    fails("recv 10 20", 9, "unexpected `20`: the form is `recv [SIZE]`");
    fails(r#"say "a" b"#, 9, "unexpected `b`");
}

#[test]
fn unterminated_string() {
    fails(r#"send "abc"#, 6, "unterminated string");
    fails(r#"say "ends in a backslash\"#, 5, "unterminated string");
    fails(r#"""#, 1, "unterminated string");
}

#[test]
fn bad_escape() {
    fails(r#"send "a\qb""#, 8, "unknown escape `\\q`");
}

#[test]
fn bad_hex_escape() {
    fails(r#"send "a\x4g""#, 8, "`\\x` needs two hex digits");
    fails(r#"send "a\x"#, 8, "`\\x` needs two hex digits");
}

#[test]
fn zero_size() {
    fails("recv 0", 6, "size must be at least 1");
    fails("send 0k", 6, "size must be at least 1");
    fails("peer send 0", 11, "size must be at least 1");
}

#[test]
fn size_over_the_cap() {
    fails("recv 65m", 6, "64 MiB");
    fails("send 67108865", 6, "64 MiB");
}

#[test]
fn size_overflowing_u64() {
    fails("recv 99999999999999999999999999", 6, "64 MiB");
    fails("recv 18446744073709551615m", 6, "64 MiB");
}

#[test]
fn malformed_size() {
    fails("recv lots", 6, "expected a size like 1024, 64k or 1m");
    fails("recv 1.5k", 6, "expected a size like");
}

#[test]
fn unquoted_payload() {
    fails("send hello", 6, "expected a quoted string like \"hello\" or a size like 64k");
}

/// One rule: a bare number is seconds wherever a duration stands, as
/// `timeout` and Python's `settimeout` take it. Only in `spin`, where a
/// bare whole number is a count, does a duration need its unit.
#[test]
fn a_bare_number_is_seconds_for_every_duration() {
    assert_eq!(ok("wait 2"), Command::Wait(ms(2000)));
    assert_eq!(ok("wait 0.3"), Command::Wait(ms(300)));
    assert_eq!(ok("wait 0"), Command::Wait(ms(0)));
    assert_eq!(ok("timeout 0.3"), Command::Mode(ModeSet::Timeout(Some(ms(300)))));
    let after = PeerCmd::Send { payload: Payload::Size(4096), after: Some(ms(300)) };
    assert_eq!(ok("peer send 4k after 0.3"), Command::Peer(after));
    assert_eq!(ok("poll wait 1"), Command::PollWait(Some(ms(1000))));
    fails("wait -2", 6, "cannot be negative");
    fails("wait 86401", 6, "duration too long");
    fails("spin recv 64 0.5", 14, "`0.5` needs a unit here (a bare whole number is a count)");
    assert_eq!(ok("spin recv 64 2"), Command::Spin { size: 64, limit: SpinLimit::Count(2) });
}

#[test]
fn m_is_not_a_time_unit() {
    fails("wait 1m", 6, "write `min` for minutes");
    fails("timeout 1m", 9, "write `min` for minutes");
}

#[test]
fn unknown_time_unit() {
    fails("wait 2h", 6, "unknown time unit `h`");
}

#[test]
fn negative_duration() {
    fails("wait -1s", 6, "cannot be negative");
}

#[test]
fn duration_too_long() {
    fails("wait 1e400s", 6, "duration too long");
    fails("poll wait 99999999999999999999999999999999999999999s", 11, "duration too long");
}

#[test]
fn every_duration_is_capped_at_one_day() {
    let day = "the cap is 86400s";
    for (line, col) in [
        ("wait 1000000000s", 6),
        ("wait 86401s", 6),
        ("wait 1441min", 6),
        ("peer send \"x\" after 1500min", 21),
        ("peer send 1 after 90000s", 19),
        ("timeout 86401", 9),
        ("rcvtimeo 100000", 10),
        ("sndtimeo 1e9", 10),
        ("spin recv 64 2e5s", 14),
        ("spin recv 100000s", 11),
        ("poll wait 1e6s", 11),
        ("expect slowest over 99999s", 21),
    ] {
        let e = parse_line(line).expect_err(line);
        assert_eq!(e.col, col, "{line}: {e}");
        assert!(e.message.contains("duration too long") && e.message.contains(day), "{line}: {e}");
    }
    assert_eq!(ok("wait 86400s"), Command::Wait(Duration::from_secs(86_400)));
    assert_eq!(ok("wait 1440min"), Command::Wait(Duration::from_secs(86_400)));
    assert_eq!(ok("timeout 86400"), Command::Mode(ModeSet::Timeout(Some(Duration::from_secs(86_400)))));
}

#[test]
fn malformed_duration() {
    fails("wait soon", 6, "expected a duration like 300ms or 1.5s");
    fails("wait nans", 6, "expected a duration");
}

#[test]
fn negative_timeout() {
    fails("timeout -1", 9, "timeout value out of range");
    fails("rcvtimeo -0.5", 10, "timeout value out of range");
}

#[test]
fn nan_timeout() {
    fails("timeout nan", 9, "invalid value NaN (not a number)");
    fails("sndtimeo NaN", 10, "invalid value NaN (not a number)");
}

#[test]
fn huge_timeout() {
    fails("timeout 1e10", 9, "duration too long: `1e10` is more than one day");
    fails("timeout inf", 9, "timeout value out of range");
}

#[test]
fn non_number_timeout() {
    fails("timeout soon", 9, "expected seconds (e.g. 0.2) or `none`");
    fails("timeout", 8, "expected seconds (e.g. 0.2) or `none`");
    fails("rcvtimeo none", 10, "expected seconds (e.g. 0.2)");
}

#[test]
fn malformed_address() {
    let hint = "expected an address like 127.0.0.1:8080 or [::1]:8080";
    fails("open tcp localhost", 10, hint);
    fails("connect 1.2.3.4:", 9, hint);
    fails("listen [::1]", 8, hint);
    fails(r#"connect "h:1""#, 9, hint);
}

#[test]
fn bracket_without_close() {
    fails("open tcp [::1:80", 10, "expected an address like");
}

#[test]
fn bad_ipv6_in_brackets() {
    fails("open tcp [nope]:80", 10, "not an IPv6 address");
}

#[test]
fn ipv6_without_brackets() {
    fails("connect ::1:80", 9, "needs brackets, like [::1]:8080");
}

#[test]
fn port_out_of_range() {
    fails("connect 1.2.3.4:65536", 17, "port must be 0..=65535");
    fails("connect [::1]:99999999999999999999", 15, "port must be 0..=65535");
    fails("connect h:http", 11, "port must be 0..=65535");
}

#[test]
fn socket_zero() {
    fails("use 0", 5, "sockets are numbered from 1");
    fails("poll add 0 read", 10, "sockets are numbered from 1");
    fails("expect accepted 0", 17, "sockets are numbered from 1");
}

#[test]
fn bad_socket_number() {
    fails("use one", 5, "expected a socket number like 1");
    fails("use 99999999999", 5, "too large");
}

#[test]
fn peer_connect_limits() {
    fails("peer connect 0", 14, "at least 1 client");
    fails("peer connect 65", 14, "at most 64 clients");
    fails("peer connect 99999999999999999999999", 14, "at most 64 clients");
    fails("peer connect some", 14, "expected a number of clients");
}

#[test]
fn bad_errno() {
    fails("expect error 5", 14, "expected an errno name like ECONNRESET");
    fails("expect error CONNRESET", 14, "expected an errno name");
}

#[test]
fn unknown_errno_names_are_refused() {
    fails("expect error EFOO", 14, "unknown errno `EFOO`");
    fails("expect error ECONNRESTE", 14, "did you mean ECONNRESET?");
    fails("expect error epipee", 14, "did you mean EPIPE?");
    fails("expect error EWOULDBLOCK", 14, "write EAGAIN");
    assert!(matches!(
        ok("expect error econnreset"),
        Command::Expect(Expectation { call: None, outcome: ExpectOutcome::Error(ref n), .. }) if n == "ECONNRESET"
    ));
    for name in ERRNO_NAMES {
        ok(&format!("expect error {name}"));
    }
}

#[test]
fn say_with_invalid_utf8() {
    fails(r#"say "\xff""#, 5, "valid UTF-8");
}

#[test]
fn say_without_text() {
    fails("say   # nothing", 7, "`say` needs text");
}

#[test]
fn spin_limits() {
    fails("spin recv 0", 11, "count must be at least 1");
    fails("spin recv 0s", 11, "more than zero");
    fails("spin recv 64k", 14, "after the size, like `spin recv 64k 1000`");
    fails("spin send 5", 6, "expected `recv` after `spin`");
}

#[test]
fn columns_count_characters_not_bytes() {
    fails("say \"é\" ü", 9, "unexpected `ü`");
    fails("\u{00e9}\u{00e9} x", 1, "unknown command");
}

#[test]
fn long_tokens_are_shortened_in_messages() {
    let line = format!("recv {}", "9".repeat(10_000));
    let e = parse_line(&line).unwrap_err();
    assert!(e.message.chars().count() < 200, "{}", e.message);
    let long = "x".repeat(1 << 20);
    for line in [
        format!("open tcp [{long}]:80"),
        format!("open tcp [::1]:{long}"),
        long.clone(),
        format!("close {long}"),
        format!("wait 1{long}"),
        format!("expect error E{long}"),
    ] {
        let e = parse_line(&line).expect_err("fails");
        assert!(e.message.chars().count() < 600, "{} chars: {}", e.message.chars().count(), e.message);
        assert!(e.message.contains(&format!("{}…", "x".repeat(30))), "{}", e.message);
    }
}

#[test]
fn hostile_input_is_escaped_in_messages() {
    let e = parse_line("open tcp [\x1b[2J\x1b[31mRED]:80").unwrap_err();
    assert_eq!(e.message.split(';').next(), Some("`\\x1b[2J\\x1b[31mRED` is not an IPv6 address"));
    for line in [
        "open tcp [\u{9d}0;pwned\u{7}]:80",
        "\u{2028}bogus\u{2029}",
        "recv \u{e0041}\u{1f1e6}",
        "say \"\\\x1b\"",
        "wait 1\u{3164}s",
        "expect error E\u{9b}",
        "poll add 1 \u{202e}read",
    ] {
        let e = parse_line(line).expect_err(line);
        assert!(!e.message.chars().any(sockscope::escape::is_unsafe), "{line:?}: {e:?}");
    }
}

#[test]
fn a_leading_byte_order_mark_is_skipped() {
    let script = parse_script("\u{feff}open tcp\nrecv\n").expect("parses");
    assert_eq!(script[0], Located { line: 1, cmd: Command::Open { proto: Proto::Tcp, addr: None } });
    let errs = parse_script("\u{feff}recv 0").unwrap_err();
    assert_eq!((errs[0].line, errs[0].col), (1, 6), "columns count from after the mark");
    assert!(parse_script("open tcp\n\u{feff}recv").is_err(), "only at the start");
}

#[test]
fn script_collects_every_error_with_its_line() {
    let script = "open tcp\n\n# comment\nrecv 0\nsend \"hi\"\nsned 1\n";
    let errs = parse_script(script).unwrap_err();
    let at: Vec<_> = errs.iter().map(|e| (e.line, e.col)).collect();
    assert_eq!(at, vec![(4, 6), (6, 1)]);
    assert_eq!(errs[0].to_string(), "4:6: size must be at least 1");
}

#[test]
fn script_keeps_line_numbers() {
    let script = "open tcp\r\n\r\n# comment\r\nsend \"hi\"\r\nclose";
    let lines: Vec<_> = parse_script(script).unwrap().iter().map(|l| l.line).collect();
    assert_eq!(lines, vec![1, 4, 5]);
}

// ---- never panic ----

/// Words the grammar knows, so random lines reach deep into it.
fn word() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "open", "tcp", "udp", "listen", "use", "timeout", "none", "recv", "send", "peer", "after", "expect",
        "error", "say", "spin", "poll", "add", "wait", "drain", "0", "1", "64k", "1m", "1.5s", "-1", "nan",
        "1e999", "[::1]:80", "h:99999", "[", "\"", "\\x", "#", "é", "ms",
    ]);
    prop_oneof![known.prop_map(String::from), any::<String>()]
}

/// Characters that must never reach a message raw, drawn often.
fn hostile() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        '\x1b',
        '\x07',
        '\x00',
        '\u{9b}',
        '\u{9d}',
        '\u{7f}',
        '\u{2028}',
        '\u{202e}',
        '\u{ad}',
        '\u{3164}',
        '\u{e0041}',
        '\u{1f1e6}',
        '\u{fe0f}',
        '[',
        ']',
        ':',
        '%',
        '"',
        '\\',
        'x',
        '1',
        's',
        ' ',
    ]);
    prop::collection::vec(chars, 0..12).prop_map(|v| v.into_iter().collect())
}

/// A message holds no character that `escape` would change for safety.
fn clean(message: &str) -> bool {
    !message.chars().any(sockscope::escape::is_unsafe)
}

proptest! {
    #[test]
    fn parse_line_never_panics_and_cols_fit(line in any::<String>()) {
        if let Err(e) = parse_line(&line) {
            prop_assert!(e.col >= 1 && e.col <= line.chars().count() + 1, "{e:?}");
            prop_assert_eq!(e.line, 1);
            prop_assert!(clean(&e.message), "{e:?}");
        }
    }

    #[test]
    fn grammar_like_lines_never_panic(words in prop::collection::vec(prop_oneof![word(), hostile()], 0..6)) {
        let line = words.join(" ");
        if let Err(e) = parse_line(&line) {
            prop_assert!(e.col >= 1 && e.col <= line.chars().count() + 1, "{e:?}");
            prop_assert!(clean(&e.message), "{e:?}");
        }
    }

    #[test]
    fn script_lines_are_in_range(text in any::<String>()) {
        if let Err(errs) = parse_script(&text) {
            let n = text.lines().count();
            prop_assert!(errs.iter().all(|e| e.line >= 1 && e.line <= n));
        }
    }
}

// ---- AF_UNIX ----

#[test]
fn unix_forms() {
    let open = |kind, path: Option<&str>| Command::OpenUnix { kind, path: path.map(String::from) };
    assert_eq!(ok("open unix"), open(UnixKind::Stream, None));
    assert_eq!(ok("open unixgram"), open(UnixKind::Datagram, None));
    assert_eq!(ok("open unix /tmp/x.sock"), open(UnixKind::Stream, Some("/tmp/x.sock")));
    assert_eq!(ok("OPEN UNIXGRAM rel/d.sock # c"), open(UnixKind::Datagram, Some("rel/d.sock")));
    assert_eq!(ok(r#"open unix "/tmp/a b#c.sock""#), open(UnixKind::Stream, Some("/tmp/a b#c.sock")));
    assert_eq!(ok("listen unix"), Command::ListenUnix { path: None });
    assert_eq!(ok("listen unix /tmp/l.sock"), Command::ListenUnix { path: Some("/tmp/l.sock".into()) });
    assert_eq!(ok(r#"listen unix "caf\xc3\xa9""#), Command::ListenUnix { path: Some("café".into()) });
    // A TCP address still means TCP: `listen` and `open tcp` are unchanged.
    assert_eq!(ok("listen 127.0.0.1:0"), Command::Listen { addr: addr("127.0.0.1", 0) });
    assert_eq!(UnixKind::Datagram.word(), "unixgram");
}

#[test]
fn unix_path_limits() {
    let longest = format!("/{}", "p".repeat(106));
    assert_eq!(longest.len(), MAX_UNIX_PATH);
    assert_eq!(ok(&format!("listen unix {longest}")), Command::ListenUnix { path: Some(longest.clone()) });
    fails(&format!("listen unix {longest}x"), 13, "108 bytes long: AF_UNIX allows at most 107");
    fails(&format!("open unix \"{longest}q\""), 11, "at most 107");
    // Bytes, not characters: 54 two-byte characters are 108 bytes.
    fails(&format!("open unixgram {}", "é".repeat(54)), 15, "108 bytes long");
}

#[test]
fn unix_path_errors() {
    fails(r#"open unix """#, 11, "a socket path cannot be empty");
    fails(r#"listen unix "a\x00b""#, 13, "cannot hold a NUL byte");
    fails(r#"open unixgram "\xff""#, 15, "must be valid UTF-8");
    fails("listen unix /a /b", 16, "unexpected `/b`: the form is `listen unix [PATH]`");
    fails("open unix /a b", 14, "the form is `open unix|unixgram [PATH]`");
    fails("open unx", 6, "did you mean `unix`?");
}
