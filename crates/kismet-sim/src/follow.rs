//! The walk through a recording's entries that places each received frame
//! on the replay's one timeline with the field list it was sent with.
//! The load pass (`timeline`) and every client's replay (`stream`) run
//! this same walk over the same entries, so they agree on every frame;
//! they differ only in their [`Catalog`]: the load pass builds the
//! protocols and field lists, a replay looks them up.
//!
//! - **One timeline.** Each `= connect` event carries the wall-clock time
//!   the connection began; a connection's entries are placed at that time
//!   (from the first connection's) plus their own time, so a recording
//!   with a reconnect keeps its gap. A clock that went backwards never
//!   reorders: a connection starts no earlier than the last entry before
//!   it.
//! - **Field lists.** A frame carries the fields its recording client had
//!   enabled when it came, followed from the recorded `> !id ENABLE P
//!   list` lines: a list applies once sent and stays once ACKed (ERROR
//!   drops it; `*`, like on the server, means every field of P's recorded
//!   CAPABILITY; REMOVE ends it; a new connection starts with none).
//!   Between an ENABLE and its ACK a line may carry the old list (sent
//!   before the server read the command) or the new one (the burst): the
//!   field count decides, and the new list when both fit.
//! - **What is not a frame.** The always-on protocols (KISMET, ERROR,
//!   ACK, PROTOCOLS, CAPABILITY, TERMINATE, TIME) are the replay server's
//!   own answers and clock, not replayed; a line of a protocol with no
//!   recorded CAPABILITY (yet), or that fits no list, is left out.
//! - **Bounded.** The walk's own state is bounded whatever the recording
//!   holds: commands awaiting their answer (the oldest are forgotten past
//!   [`MAX_PENDING`]) and one list per protocol.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use kismet_protocol::spec::is_always_on;
use kismet_protocol::{parse_client_line, split_field_list};
use kismet_protocol::{CommandName, Frame, ServerCommand};
use kismet_record::{Direction, Entry};

/// Commands awaiting their answer that the walk remembers.
pub const MAX_PENDING: usize = 1024;

/// One recorded frame on the timeline.
#[derive(Debug)]
pub struct Played {
    /// When it came, from the start of the recording.
    pub at: Duration,
    /// Its protocol, an index into the timeline's protocols.
    pub proto: u16,
    /// Its field list, an index into the timeline's lists.
    pub list: u32,
    /// The line.
    pub frame: Frame,
}

/// The protocols and field lists the walk refers to by index.
pub trait Catalog {
    /// The protocol called `name` (any case), among those whose CAPABILITY
    /// line the walk has passed.
    fn protocol(&self, name: &[u8]) -> Option<u16>;
    /// The fields of `proto`, in CAPABILITY order.
    fn fields(&self, proto: u16) -> &[String];
    /// The walk passes a recorded CAPABILITY payload (`NAME f1,f2,...`).
    fn capability(&mut self, payload: &[u8]);
    /// The index of a field list of `proto`; `None` when there is none
    /// (the load pass holds a bounded number of lists).
    fn list(&mut self, proto: u16, list: &[String]) -> Option<u32>;
    /// The number of fields of list `list`.
    fn list_len(&self, list: u32) -> usize;
}

/// What an entry was, to the walk.
#[derive(Debug)]
pub enum Walked {
    /// Nothing the caller needs.
    Nothing,
    /// A greeting line (`*KISMET` or `*PROTOCOLS`).
    Greeting(Frame),
    /// The recording client's ENABLE of `proto` with list `list` was ACKed.
    Enabled(u16, u32),
    /// A frame to replay.
    Frame(Played),
}

/// An ENABLE or REMOVE sent and not yet answered.
struct Pending {
    id: u64,
    proto: u16,
    /// The list enabled; `None` for a REMOVE, or a list with no index.
    list: Option<u32>,
}

/// The state of the walk.
#[derive(Default)]
pub struct Follower {
    /// The connection being read, its start on the timeline, and the
    /// wall-clock time (ms) of the first connection.
    connection: Option<usize>,
    base: Duration,
    first_wall: Option<i64>,
    /// The time of the latest entry walked.
    last: Duration,
    /// Per protocol, the list in force on this connection.
    current: HashMap<u16, u32>,
    pending: VecDeque<Pending>,
    /// Per protocol, its whole CAPABILITY list, once looked for.
    all: HashMap<u16, Option<u32>>,
}

impl Follower {
    /// The time of the latest entry walked, from the start of the
    /// recording.
    pub fn last(&self) -> Duration {
        self.last
    }

    /// Walks one entry.
    pub fn entry(&mut self, cat: &mut impl Catalog, e: &Entry) -> Walked {
        if self.connection != Some(e.connection) {
            self.new_connection(e);
        }
        let at = self.base + e.at;
        self.last = self.last.max(at);
        match e.direction {
            Direction::Sent => {
                self.sent(cat, &e.bytes);
                Walked::Nothing
            }
            Direction::Received => self.received(cat, &e.bytes, at),
            Direction::Event => Walked::Nothing,
        }
    }

    /// A connection starts: at its wall-clock time on the timeline, never
    /// before what came earlier; the server forgets every subscription.
    fn new_connection(&mut self, e: &Entry) {
        self.connection = Some(e.connection);
        let wall = (e.direction == Direction::Event)
            .then(|| connect_time_ms(&e.bytes))
            .flatten();
        let offset = match (wall, self.first_wall) {
            (Some(w), Some(first)) => Duration::from_millis(u64::try_from(w - first).unwrap_or(0)),
            (Some(w), None) => {
                self.first_wall = Some(w);
                Duration::ZERO
            }
            (None, _) => Duration::ZERO,
        };
        self.base = offset.max(self.last);
        self.current.clear();
        self.pending.clear();
    }

    /// A line the recording client sent: an ENABLE or REMOVE to follow.
    fn sent(&mut self, cat: &mut impl Catalog, line: &[u8]) {
        let Some((id, CommandName::Known(command), args)) = parse_client_line(line) else {
            return;
        };
        let Some(proto) = args.first().and_then(|a| cat.protocol(a)) else {
            return;
        };
        let list = match command {
            ServerCommand::Enable if args.len() >= 2 => {
                let fields = cat.fields(proto);
                let list: Option<Vec<String>> = if args[1].first() == Some(&b'*') {
                    Some(fields.to_vec())
                } else {
                    split_field_list(&args[1])
                        .into_iter()
                        .map(|n| {
                            fields
                                .iter()
                                .find(|f| f.as_bytes().eq_ignore_ascii_case(n))
                                .cloned()
                        })
                        .collect()
                };
                // An unknown field: the server refuses it.
                let Some(list) = list else { return };
                cat.list(proto, &list)
            }
            ServerCommand::Remove if args.len() == 1 => None,
            _ => return,
        };
        if self.pending.len() == MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back(Pending { id, proto, list });
    }

    /// A line the recording client received.
    fn received(&mut self, cat: &mut impl Catalog, line: &[u8], at: Duration) -> Walked {
        let Ok(frame) = Frame::parse(line) else {
            return Walked::Nothing;
        };
        let header = frame.protocol_bytes();
        match header {
            b"KISMET" | b"PROTOCOLS" => Walked::Greeting(frame),
            b"CAPABILITY" => {
                cat.capability(frame.field(0).unwrap_or_default());
                Walked::Nothing
            }
            b"ACK" | b"ERROR" => {
                let ack = header == b"ACK";
                let Some(id) = frame.field(0).and_then(number) else {
                    return Walked::Nothing;
                };
                let Some(i) = self.pending.iter().position(|p| p.id == id) else {
                    return Walked::Nothing;
                };
                let Some(p) = self.pending.remove(i) else {
                    return Walked::Nothing;
                };
                if !ack {
                    return Walked::Nothing;
                }
                match p.list {
                    Some(list) => {
                        self.current.insert(p.proto, list);
                        Walked::Enabled(p.proto, list)
                    }
                    None => {
                        self.current.remove(&p.proto);
                        Walked::Nothing
                    }
                }
            }
            _ if is_always_on(frame.protocol()) => Walked::Nothing,
            _ => {
                let Some(proto) = cat.protocol(header) else {
                    return Walked::Nothing;
                };
                match self.list_of(cat, proto, frame.len()) {
                    Some(list) => Walked::Frame(Played {
                        at,
                        proto,
                        list,
                        frame,
                    }),
                    None => Walked::Nothing,
                }
            }
        }
    }

    /// The list a line of `proto` with `count` fields was sent with.
    fn list_of(&mut self, cat: &mut impl Catalog, proto: u16, count: usize) -> Option<u32> {
        let fits = |l: &u32| cat.list_len(*l) == count;
        let pending = self
            .pending
            .iter()
            .rev()
            .find(|p| p.proto == proto)
            .and_then(|p| p.list);
        let current = self.current.get(&proto).copied();
        if let Some(l) = pending.filter(fits).or(current.filter(fits)) {
            return Some(l);
        }
        if pending.is_some() || current.is_some() {
            return None;
        }
        // Nothing enabled that the recording shows (a recording that
        // begins late, say): the whole CAPABILITY list, when it fits.
        let all = match self.all.get(&proto) {
            Some(&all) => all,
            None => {
                let fields = cat.fields(proto).to_vec();
                let all = cat.list(proto, &fields);
                self.all.insert(proto, all);
                all
            }
        };
        all.filter(|l| cat.list_len(*l) == count)
    }
}

/// The wall-clock time (ms since the epoch) of a `connect ADDR UTC-TIME`
/// event.
fn connect_time_ms(event: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(event.strip_prefix(b"connect ")?).ok()?;
    let time: jiff::Timestamp = text.rsplit(' ').next()?.parse().ok()?;
    Some(time.as_millisecond())
}

/// A decimal number field.
fn number(b: &[u8]) -> Option<u64> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}
