//! Which lanes are drawn, in which order, and what they are called: the
//! TUI's order (our sockets by number, the event loop, the peer, each
//! serve client), at most [`MAX_LANES`] of them.

use super::text::Text;
use crate::record::{Lane, Record};

/// More lanes than this are counted in a note, not drawn.
pub const MAX_LANES: usize = 40;

/// The lanes to draw, and how many more there were.
pub fn order(record: &Record) -> (Vec<Lane>, usize) {
    let mut lanes = record.lanes();
    let more = lanes.len().saturating_sub(MAX_LANES);
    lanes.truncate(MAX_LANES);
    (lanes, more)
}

/// The lane's name (`#1`, `peer`, `loop`, `c1`) and, under it, what it is
/// (`tcp`, `udp listener` …) when the record knows.
pub fn names(record: &Record, lane: Lane) -> (Text, Option<Text>) {
    let kind = match lane {
        Lane::Sock(id) => record.socket(id).map(|s| s.info.kind.word().to_string()),
        Lane::Loop => Some("mio".into()),
        Lane::Peer => Some("embedded".into()),
        Lane::Client(_) => Some("client".into()),
        Lane::Script => None,
        Lane::ProcLoop(_) => Some("waits".into()),
    };
    (Text::new(&record.lane_name(lane)), kind.map(|k| Text::new(&k)))
}
