//! Every command prints as the line the prompt accepts: parsing what
//! `Display` writes gives the same command back, for every command the
//! language can hold.

use std::time::Duration;

use proptest::prelude::*;
use sockscope::command::*;

fn dur() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0u64..86_400).prop_map(Duration::from_secs),
        (0u64..86_400_000).prop_map(Duration::from_millis),
        (0u64..1_000_000_000).prop_map(Duration::from_micros),
        (0u64..86_400_000_000_000).prop_map(Duration::from_nanos),
    ]
}

fn positive_dur() -> impl Strategy<Value = Duration> {
    dur().prop_filter("more than zero", |d| !d.is_zero())
}

fn size() -> impl Strategy<Value = u64> {
    1..=MAX_SIZE
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..40)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[ -~]{0,30}"].prop_filter("say needs text", |t| !t.is_empty())
}

fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![bytes().prop_map(Payload::Text), size().prop_map(Payload::Size)]
}

fn addr() -> impl Strategy<Value = Addr> {
    let host = prop_oneof![
        "[a-z][a-z0-9.-]{0,12}".prop_map(String::from),
        any::<std::net::Ipv4Addr>().prop_map(|ip| ip.to_string()),
        any::<std::net::Ipv6Addr>().prop_map(|ip| ip.to_string()),
    ];
    (host, any::<u16>()).prop_map(|(host, port)| Addr { host, port })
}

fn path() -> impl Strategy<Value = String> {
    "[ -~]{1,60}".prop_filter("no NUL", |p| !p.contains('\0'))
}

fn how() -> impl Strategy<Value = How> {
    prop_oneof![Just(How::Read), Just(How::Write), Just(How::Both)]
}

fn sock_call() -> impl Strategy<Value = SockCall> {
    prop_oneof![
        size().prop_map(|size| SockCall::Recv { size }),
        size().prop_map(|size| SockCall::Peek { size }),
        payload().prop_map(SockCall::Send),
        Just(SockCall::Accept),
        prop::option::of(addr()).prop_map(SockCall::Connect),
        how().prop_map(SockCall::Shutdown),
        Just(SockCall::Close),
    ]
}

fn mode() -> impl Strategy<Value = ModeSet> {
    prop_oneof![
        Just(ModeSet::Blocking),
        Just(ModeSet::Nonblocking),
        prop::option::of(dur()).prop_map(ModeSet::Timeout),
        dur().prop_map(ModeSet::RcvTimeo),
        dur().prop_map(ModeSet::SndTimeo),
    ]
}

fn peer() -> impl Strategy<Value = PeerCmd> {
    prop_oneof![
        (payload(), prop::option::of(dur())).prop_map(|(payload, after)| PeerCmd::Send { payload, after }),
        Just(PeerCmd::Pause),
        Just(PeerCmd::Resume),
        Just(PeerCmd::Close),
        Just(PeerCmd::Reset),
        Just(PeerCmd::ShutdownWr),
        (1u32..=64).prop_map(PeerCmd::Connect),
    ]
}

fn expectation() -> impl Strategy<Value = Expectation> {
    let counted = prop_oneof![
        Just(ExpectOutcome::Data),
        Just(ExpectOutcome::Sent),
        Just(ExpectOutcome::Partial),
        Just(ExpectOutcome::Events),
        Just(ExpectOutcome::Queued),
    ];
    let bare = prop_oneof![
        Just(ExpectOutcome::Eof),
        Just(ExpectOutcome::WouldBlock),
        Just(ExpectOutcome::Timeout),
        Just(ExpectOutcome::InProgress),
        Just(ExpectOutcome::Connected),
        Just(ExpectOutcome::Blocking),
        prop::sample::select(ERRNO_NAMES).prop_map(|n| ExpectOutcome::Error(n.to_string())),
        dur().prop_map(ExpectOutcome::SlowestOver),
        dur().prop_map(ExpectOutcome::SlowestUnder),
    ];
    let call = prop::option::of(prop::sample::select(vec![
        CallKind::Recv,
        CallKind::Peek,
        CallKind::Send,
        CallKind::Accept,
        CallKind::Connect,
    ]));
    let e = prop_oneof![
        (counted, prop::option::of(any::<u64>())).prop_map(|(outcome, n)| Expectation {
            call: None,
            outcome,
            n
        }),
        bare.prop_map(|outcome| Expectation { call: None, outcome, n: None }),
        (1u32..1000).prop_map(|k| Expectation {
            call: None,
            outcome: ExpectOutcome::Accepted,
            n: Some(k.into())
        }),
    ];
    (call, e).prop_map(|(call, e)| Expectation { call, ..e })
}

fn proto() -> impl Strategy<Value = Proto> {
    prop_oneof![Just(Proto::Tcp), Just(Proto::Udp)]
}

fn interest() -> impl Strategy<Value = Interest> {
    prop_oneof![Just(Interest::Read), Just(Interest::Write), Just(Interest::Both)]
}

fn command() -> impl Strategy<Value = Command> {
    let kind = prop_oneof![Just(UnixKind::Stream), Just(UnixKind::Datagram)];
    let serve = prop_oneof![Just(ServeKind::Blocking), Just(ServeKind::EventLoop)];
    let limit =
        prop_oneof![(1u64..10_000_000).prop_map(SpinLimit::Count), positive_dur().prop_map(SpinLimit::For)];
    prop_oneof![
        (proto(), prop::option::of(addr())).prop_map(|(proto, addr)| Command::Open { proto, addr }),
        prop::option::of(addr()).prop_map(|addr| Command::Listen { addr }),
        (proto(), any::<bool>()).prop_map(|(proto, v6)| Command::Socket { proto, v6 }),
        (kind, prop::option::of(path())).prop_map(|(kind, path)| Command::OpenUnix { kind, path }),
        prop::option::of(path()).prop_map(|path| Command::ListenUnix { path }),
        (1u32..10_000).prop_map(Command::Use),
        mode().prop_map(Command::Mode),
        sock_call().prop_map(Command::Call),
        peer().prop_map(Command::Peer),
        dur().prop_map(Command::Wait),
        expectation().prop_map(Command::Expect),
        text().prop_map(Command::Say),
        (size(), limit).prop_map(|(size, limit)| Command::Spin { size, limit }),
        (prop::option::of(1u32..100), interest())
            .prop_map(|(sock, interest)| Command::PollAdd { sock, interest }),
        prop::option::of(dur()).prop_map(Command::PollWait),
        any::<bool>().prop_map(Command::PollDrain),
        (serve, 1u32..=64).prop_map(|(kind, clients)| Command::Serve { kind, clients }),
        (path(), any::<bool>()).prop_map(|(path, harness)| Command::Export { path, harness }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn display_parses_back_to_the_same_command(cmd in command()) {
        let line = cmd.to_string();
        prop_assert_eq!(parse_line(&line), Ok(Some(cmd)), "{}", line);
    }
}

#[test]
fn lines_read_the_way_a_person_writes_them() {
    let shown = |line: &str| parse_line(line).unwrap().unwrap().to_string();
    assert_eq!(shown("recv"), "recv 1024");
    assert_eq!(shown("timeout 0.2"), "timeout 0.2");
    assert_eq!(shown("peer send \"hi\\n\" after 300ms"), "peer send \"hi\\n\" after 300ms");
    assert_eq!(shown("spin recv 64 2s"), "spin recv 64 2s");
    assert_eq!(shown("expect error econnreset"), "expect error ECONNRESET");
    assert_eq!(shown("export python out.py"), "export python \"out.py\"");
}
