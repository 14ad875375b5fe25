//! Each command's usage line, for "unexpected extra token" errors.

use super::ast::*;

/// The usage of a parsed command, for "unexpected extra token" errors.
pub(crate) fn form(cmd: &Command) -> &'static str {
    match cmd {
        Command::Open { .. } => "open tcp|udp [ADDR]",
        Command::Listen { .. } => "listen [ADDR]",
        Command::Socket { .. } => "socket tcp|udp|tcp6|udp6",
        Command::OpenUnix { .. } => "open unix|unixgram [PATH]",
        Command::ListenUnix { .. } => "listen unix [PATH]",
        Command::Use(_) => "use N",
        Command::Mode(ModeSet::Blocking) => "blocking",
        Command::Mode(ModeSet::Nonblocking) => "nonblocking",
        Command::Mode(ModeSet::Timeout(_)) => "timeout SECS|none",
        Command::Mode(ModeSet::RcvTimeo(_)) => "rcvtimeo SECS",
        Command::Mode(ModeSet::SndTimeo(_)) => "sndtimeo SECS",
        Command::Call(SockCall::Recv { .. }) => "recv [SIZE]",
        Command::Call(SockCall::Peek { .. }) => "peek [SIZE]",
        Command::Call(SockCall::Send(_)) => "send TEXT|SIZE",
        Command::Call(SockCall::Accept) => "accept",
        Command::Call(SockCall::Connect(_)) => "connect [ADDR]",
        Command::Call(SockCall::Shutdown(_)) => "shutdown rd|wr|both",
        Command::Call(SockCall::Close) => "close",
        Command::Peer(PeerCmd::Send { .. }) => "peer send TEXT|SIZE [after DUR]",
        Command::Peer(PeerCmd::Pause) => "peer pause",
        Command::Peer(PeerCmd::Resume) => "peer resume",
        Command::Peer(PeerCmd::Close) => "peer close",
        Command::Peer(PeerCmd::Reset) => "peer reset",
        Command::Peer(PeerCmd::ShutdownWr) => "peer shutdown wr",
        Command::Peer(PeerCmd::Connect(_)) => "peer connect [N]",
        Command::Wait(_) => "wait DUR",
        Command::Expect(e) => expect_form(&e.outcome),
        Command::Say(_) => "say TEXT",
        Command::Spin { .. } => "spin recv [SIZE] COUNT|DUR",
        Command::PollAdd { .. } => "poll add [N] read|write|both",
        Command::PollWait(_) => "poll wait [DUR]",
        Command::PollDrain(_) => "poll drain on|off",
        Command::Serve { .. } => "serve blocking|eventloop [N]",
        Command::Export { .. } => "export python [--harness] PATH",
    }
}

/// `expect`'s usage per outcome: only some outcomes take a count.
fn expect_form(o: &ExpectOutcome) -> &'static str {
    match o {
        ExpectOutcome::Data => "expect data [N]",
        ExpectOutcome::Sent => "expect sent [N]",
        ExpectOutcome::Partial => "expect partial [N]",
        ExpectOutcome::Accepted => "expect accepted [N]",
        ExpectOutcome::Error(_) => "expect error ERRNO",
        ExpectOutcome::Eof => "expect eof",
        ExpectOutcome::WouldBlock => "expect wouldblock",
        ExpectOutcome::Timeout => "expect timeout",
        ExpectOutcome::InProgress => "expect inprogress",
        ExpectOutcome::Connected => "expect connected",
        ExpectOutcome::Blocking => "expect blocking",
        ExpectOutcome::Events => "expect events [N]",
        ExpectOutcome::Queued => "expect queued [N]",
        ExpectOutcome::SlowestOver(_) | ExpectOutcome::SlowestUnder(_) => "expect slowest over|under DUR",
    }
}
