//! The TUI's state. No drawing here: the panes read an `&App`. The update
//! step (`update.rs`) is the only place that reads the kernel, the clock
//! or /proc; render functions only read what it stored.

use std::net::SocketAddr;
use std::time::Duration;

use ratatui::layout::Rect;

use super::compare::Compare;
use super::cpu::CpuMeter;
use super::demo::Demo;
use super::input::LineEdit;
use super::keymap::Keymap;
use super::replay::Player;
use super::theme::Theme;
use super::transcript::Transcript;
use super::view::{Row, TimelineView};
use crate::config::{Config, CopyTo};
use crate::exec::{Executor, Session};
use crate::lab::sample::Inspection;
use crate::record::{Call, KernelView, Lane, PyMode, Record, SockState, Timeline};
use crate::traced::TraceSession;

/// How often to redraw while something moves (a blocked call's elapsed
/// time, a scheduled peer action, a `wait`, a replay playing). Idle: no
/// redraws at all, except one a second while following a live session
/// ([`IDLE_FRAME`]).
pub const FRAME: Duration = Duration::from_millis(80);

/// While following a live session with nothing moving, "now" still
/// advances: the quiet stretch grows (and is folded into an idle band).
/// Redrawn this often, so the axis and the band never show a stale time.
pub const IDLE_FRAME: Duration = Duration::from_secs(1);

/// What the kernel held for one open socket when the update step last
/// sampled it: a reading, shown beside the mode the record says was set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample {
    pub kernel: Option<KernelView>,
    /// Bytes queued to receive and to send (FIONREAD, TIOCOUTQ).
    pub queues: Option<(u32, u32)>,
    /// A traced program's socket: its addresses as the kernel has them.
    pub local: Option<SocketAddr>,
    pub remote: Option<SocketAddr>,
}

/// The embedded peer's address, and the prefix of its AF_UNIX paths, so
/// they can be shown as `peer`.
pub(super) fn peer_names(session: &Session) -> (SocketAddr, Option<String>) {
    let unix = session.engine.peer_unix_path().parent().map(|p| crate::lab::unix::text(&p.join("peer")));
    (session.engine.peer_addr(), unix)
}

/// Where the records come from: a live session, a recording played back
/// (no sockets, no executor), a fixed record (tests), or two live sessions
/// side by side (`compare`; commands are off).
pub enum Store {
    Live {
        session: Box<Session>,
        exec: Box<Executor>,
    },
    /// A real program under the tracer: no sockets of ours, no executor.
    Traced(Box<TraceSession>),
    Replay {
        record: Box<Record>,
        player: Player,
    },
    Fixed(Box<Record>),
    Compare(Box<Compare>),
}

impl Store {
    /// Each side's timeline (one but for `compare`).
    pub fn timelines(&self) -> Vec<&Timeline> {
        match self {
            Store::Live { session, .. } => vec![session.record().timeline()],
            Store::Traced(session) => vec![session.record().timeline()],
            Store::Replay { record, .. } | Store::Fixed(record) => vec![record.timeline()],
            Store::Compare(c) => c.sides.iter().map(|s| s.record().timeline()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Info(String),
    Error(String),
}

/// How far the call pane is scrolled, and for which call: the pane starts
/// at the top for any other (a new call followed, another selected).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetailScroll {
    pub call: Option<usize>,
    pub rows: u16,
}

pub struct App {
    pub store: Store,
    /// Kernel samples of the open sockets, taken in the update step (live only).
    pub samples: std::collections::BTreeMap<u32, Sample>,
    /// The embedded peer's listening address, to print `peer` instead.
    pub peer_addr: Option<SocketAddr>,
    /// The prefix of the peer's AF_UNIX paths (`DIR/peer`), likewise.
    pub peer_unix: Option<String>,
    /// "Now" on the session clock, sampled in the update step so a frame is
    /// drawn from one consistent instant.
    pub now_ns: u64,
    pub view: TimelineView,
    pub prompt: LineEdit,
    pub prompt_open: bool,
    pub status: Option<Status>,
    pub help: bool,
    /// Ctrl-Z was pressed: give the terminal back and stop until resumed.
    pub suspend: bool,
    /// The help overlay shows the glossary instead of the keys.
    pub glossary: bool,
    /// `p` was pressed: the next key picks a peer action.
    pub peer_prefix: bool,
    pub demo: Option<Demo>,
    pub theme: Theme,
    /// The keys in force (defaults plus the config's rebinds).
    pub keys: Keymap,
    /// The size the recv key asks for (config `recv_size`).
    pub recv_size: u64,
    /// Whether mouse capture is on (config `mouse`).
    pub mouse: bool,
    /// The sockets pane shows the kernel inspector for the current socket.
    pub inspector: bool,
    /// The inspector's reading, taken in the update step.
    pub inspection: Option<Inspection>,
    /// Payload previews as hex rows rather than escaped text.
    pub hex: bool,
    /// How far the call pane is scrolled.
    pub detail_scroll: DetailScroll,
    /// sockscope's own CPU use, sampled in the update step.
    pub cpu: CpuMeter,
    /// The terminal's size, for layout-dependent input (mouse, zoom).
    pub size: Rect,
    pub quit: bool,
    /// The executor is waiting until then (a settle, `wait`, `expect`).
    pub busy_until: Option<std::time::Instant>,
    /// A scheduled peer action is still to come.
    pub peer_pending: bool,
    /// The transcript view (`H`): every call in order.
    pub transcript: Transcript,
    /// Where the transcript's copy key sends lines (config `copy`).
    pub copy: CopyTo,
    /// Sequences for the terminal itself (OSC 52), written after the next frame.
    pub to_terminal: Vec<String>,
    /// Tracing: `q` was pressed once; the next `q` or `y` ends the program.
    pub quit_asked: bool,
    /// Tracing: quit once the tracer has let go of the program.
    pub quit_when_done: bool,
    /// Tracing: the program's output is shown (`o`).
    pub output_shown: bool,
    /// Tracing: the status line has said how the program ended.
    pub end_said: bool,
}

impl App {
    fn with_store(store: Store, theme: Theme) -> App {
        let cfg = Config::default();
        App {
            store,
            samples: Default::default(),
            peer_addr: None,
            peer_unix: None,
            now_ns: 0,
            view: TimelineView::default(),
            prompt: LineEdit::default(),
            prompt_open: false,
            status: None,
            help: false,
            suspend: false,
            glossary: false,
            peer_prefix: false,
            demo: None,
            theme,
            keys: Keymap::default(),
            recv_size: cfg.recv_size,
            mouse: cfg.mouse,
            inspector: false,
            inspection: None,
            hex: false,
            detail_scroll: DetailScroll::default(),
            cpu: CpuMeter::default(),
            size: Rect::new(0, 0, 100, 30),
            quit: false,
            busy_until: None,
            peer_pending: false,
            transcript: Transcript::default(),
            copy: cfg.copy,
            to_terminal: Vec::new(),
            quit_asked: false,
            quit_when_done: false,
            output_shown: false,
            end_said: false,
        }
    }

    /// A real program under the tracer.
    pub fn traced(session: TraceSession, theme: Theme) -> App {
        App::with_store(Store::Traced(Box::new(session)), theme)
    }

    /// The trace behind the screen, when tracing.
    pub fn trace(&self) -> Option<&TraceSession> {
        match &self.store {
            Store::Traced(s) => Some(s),
            _ => None,
        }
    }

    /// A live session.
    pub fn live(session: Session, theme: Theme) -> App {
        let (peer, peer_unix) = peer_names(&session);
        let store = Store::Live { session: Box::new(session), exec: Box::new(Executor::new()) };
        let mut app = App::with_store(store, theme);
        app.peer_addr = Some(peer);
        app.peer_unix = peer_unix;
        app
    }

    /// Two scenarios side by side, both already running.
    pub fn compare(cmp: Compare, theme: Theme) -> App {
        App::with_store(Store::Compare(Box::new(cmp)), theme)
    }

    /// Each lab's events, to fold in with [`App::apply_from`]: the live
    /// session's, or in `compare` each side's (`never` for none). A demo
    /// that steps back starts a new session, so ask again after input.
    pub fn events(&self) -> [crossbeam_channel::Receiver<crate::record::Event>; 2] {
        let never = crossbeam_channel::never;
        match &self.store {
            Store::Live { session, .. } => [session.events(), never()],
            Store::Traced(session) => [session.events(), never()],
            Store::Compare(c) => [c.sides[0].session.events(), c.sides[1].session.events()],
            Store::Replay { .. } | Store::Fixed(_) => [never(), never()],
        }
    }

    /// A recording played back into an empty record.
    pub fn replay(record: Record, player: Player, theme: Theme) -> App {
        App::with_store(Store::Replay { record: Box::new(record), player }, theme)
    }

    /// A fixed record with fixed kernel samples, drawn at a fixed "now" (tests).
    pub fn fixed(record: Record, samples: Vec<(u32, Sample)>, now_ns: u64, theme: Theme) -> App {
        let mut app = App::with_store(Store::Fixed(Box::new(record)), theme);
        app.samples = samples.into_iter().collect();
        app.now_ns = now_ns;
        app
    }

    /// The config's keys, recv size and mouse setting (the theme is built
    /// separately, since `--ascii` and NO_COLOR also decide it).
    pub fn configure(&mut self, cfg: &Config) {
        self.keys = Keymap::new(&cfg.keys, cfg.recv_size);
        self.recv_size = cfg.recv_size;
        self.mouse = cfg.mouse;
        self.copy = cfg.copy;
        let settle = std::time::Duration::from_millis(cfg.settle_ms);
        match &mut self.store {
            Store::Live { exec, .. } => exec.set_settle(settle),
            Store::Compare(c) => c.sides.iter_mut().for_each(|s| s.exec.set_settle(settle)),
            Store::Traced(_) | Store::Replay { .. } | Store::Fixed(_) => {}
        }
    }

    /// The one source of state: what the events so far say.
    pub fn record(&self) -> &Record {
        match &self.store {
            Store::Live { session, .. } => session.record(),
            Store::Traced(session) => session.record(),
            Store::Replay { record, .. } | Store::Fixed(record) => record,
            Store::Compare(c) => c.sides[self.view.side.min(1)].record(),
        }
    }

    /// Whether the lab's keys run nothing now: a replay, a trace or a
    /// compare runs nothing, and a demo's keys are off unless switched on.
    /// Panes then offer no key to press.
    pub fn keys_off(&self) -> bool {
        self.player().is_some()
            || self.record().is_traced()
            || self.compared().is_some()
            || self.demo.as_ref().is_some_and(|d| !d.live)
    }

    /// "no sockets yet", and how to open one when a key can.
    pub fn no_socket_hint(&self, what: &str) -> String {
        if self.keys_off() {
            what.to_string()
        } else {
            format!("{what}: {} opens one", self.keys.key_of("new-tcp"))
        }
    }

    /// The two sides, in `compare`.
    pub fn compared(&self) -> Option<&Compare> {
        match &self.store {
            Store::Compare(c) => Some(c),
            _ => None,
        }
    }

    /// Side `k`'s record: in `compare` either side's, else the one record.
    pub fn record_of(&self, k: usize) -> &Record {
        match &self.store {
            Store::Compare(c) => c.sides[k.min(1)].record(),
            _ => self.record(),
        }
    }

    /// When no call started or ended: of the record, or in `compare` of
    /// both sides at once (the one time axis narrows only where both are idle).
    pub fn quiet(&self) -> &crate::record::quiet::Quiet {
        match &self.store {
            Store::Compare(c) => &c.quiet,
            _ => self.timeline().quiet(),
        }
    }

    /// The selected call's index if it is on side `k`.
    pub fn selected_on(&self, k: usize) -> Option<usize> {
        self.view.selected.filter(|_| self.view.side == k)
    }

    pub fn timeline(&self) -> &Timeline {
        self.record().timeline()
    }

    pub fn current(&self) -> Option<u32> {
        self.record().current()
    }

    /// The kernel sample of socket `id`, if one was taken.
    pub fn sample(&self, id: u32) -> Option<&Sample> {
        self.samples.get(&id)
    }

    pub fn player(&self) -> Option<&Player> {
        match &self.store {
            Store::Replay { player, .. } => Some(player),
            _ => None,
        }
    }

    /// Lanes top to bottom (see [`Record::lanes`]), of the side the
    /// selection is on.
    pub fn lanes(&self) -> Vec<Lane> {
        self.record().lanes()
    }

    /// The timeline's rows top to bottom: the lanes, or in `compare` each
    /// side's header followed by its lanes.
    pub fn rows(&self) -> Vec<Row> {
        match &self.store {
            Store::Compare(c) => (0..c.sides.len())
                .flat_map(|k| {
                    let lanes = c.sides[k].record().lanes().into_iter().map(move |l| Row::Lane(k, l));
                    std::iter::once(Row::Head(k)).chain(lanes)
                })
                .collect(),
            _ => self.lanes().into_iter().map(|l| Row::Lane(0, l)).collect(),
        }
    }

    /// The row the timeline keeps on screen when not all rows fit: the
    /// selected call's lane, else the current socket's.
    pub fn focus_row(&self) -> Option<Row> {
        let selected = self.view.selected.and_then(|i| self.timeline().get(i)).map(|c| c.lane);
        selected.or(self.current().map(Lane::Sock)).map(|l| Row::Lane(self.view.side, l))
    }

    pub fn current_socket(&self) -> Option<&SockState> {
        self.record().current_socket()
    }

    /// The call the detail pane explains: the selected one, or else the
    /// one it follows ([`App::followed`]).
    pub fn shown_call(&self) -> Option<&Call> {
        self.timeline().get(self.shown_index()?)
    }

    /// [`App::shown_call`], as an index into the timeline.
    pub fn shown_index(&self) -> Option<usize> {
        self.view.selected.or_else(|| self.followed())
    }

    /// Rows the call pane is scrolled down for the call it shows now.
    pub fn detail_offset(&self) -> u16 {
        if self.detail_scroll.call == self.shown_index() { self.detail_scroll.rows } else { 0 }
    }

    /// With nothing selected, the detail pane follows the call whose state
    /// changed last (it ended, began blocking, or set a mode) among ours:
    /// the current socket's and the event loop's. The peer's calls are
    /// shown only while ours have none: the peer's reset is the cause, our
    /// recv's ECONNRESET is what needs explaining.
    pub fn followed(&self) -> Option<usize> {
        let rec = self.record();
        let at = |i: usize| rec.timeline().get(i).map(|c| c.end_ns.unwrap_or(c.start_ns));
        if rec.is_traced() {
            // A traced program has no current socket: follow the whole
            // program, and while a call is in the kernel, the newest such
            // (its bar is what moves; a program waiting is waiting there).
            let blocked = |i: usize| rec.timeline().get(i).is_some_and(|c| c.end_ns.is_none());
            let latest = self.lanes().into_iter().filter_map(|l| rec.last_changed(l));
            return latest.max_by_key(|&i| (blocked(i), at(i)));
        }
        // On a tie the current socket's call wins (`max_by_key` keeps the last).
        let ours = [Some(Lane::Loop), self.current().map(Lane::Sock)];
        let latest = ours.into_iter().flatten().filter_map(|l| rec.last_changed(l)).max_by_key(|&i| at(i));
        latest.or_else(|| rec.last_changed(Lane::Peer))
    }

    /// The socket the sockets pane shows whole: the current one, or, for a
    /// traced program (which has no current socket), the shown call's.
    pub fn pane_socket(&self) -> Option<u32> {
        if !self.record().is_traced() {
            return self.current();
        }
        let Some(c) = self.shown_call() else { return self.current() };
        if let Some(id) = c.lane.sock() {
            return Some(id);
        }
        // A wait: the newest open socket it watches.
        let rec = self.record();
        let watched = c.traced.as_deref().map(|t| (t.pid, &t.watch));
        let open = |pid: u32, fd: i32| {
            rec.sockets().filter(|s| s.is_open() && s.info.pid == Some(pid) && s.info.fd == fd).last()
        };
        let from_wait =
            watched.and_then(|(pid, w)| w.iter().rev().find_map(|w| open(pid, w.fd)).map(|s| s.id()));
        from_wait.or(self.current())
    }

    /// A lane's name: `#1`, `peer`, or a traced program's `PID:FD`.
    pub fn lane_name(&self, lane: Lane) -> String {
        self.record().lane_name(lane)
    }

    /// What `b` will do now: the opposite of the current socket's mode.
    pub fn toggle_word(&self) -> &'static str {
        match self.current_socket().map(|s| s.mode.py) {
            Some(PyMode::Blocking) | None => "nonblocking",
            Some(_) => "blocking",
        }
    }
}
