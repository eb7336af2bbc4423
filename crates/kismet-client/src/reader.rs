//! The reader loop: lines off the socket, parsed and named, in batches into
//! the event channel; replies matched to their commands.
//!
//! The reader owns the socket's read half. It names each frame's fields from
//! the subscription table, matches `*ACK`/`*ERROR` (and the `*TERMINATE`
//! that answers SHUTDOWN) to the command that caused them, and sends frames
//! in batches (one channel operation per socket read). When the channel is
//! full it drops frames and counts them rather than block; they are then not
//! even parsed. Replies travel on their own channels and are never dropped.

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crossbeam_channel::Sender;

use crate::error::{DisconnectReason, Error};
use crate::event::Event;
use crate::handshake::{is_timeout, parse_time, parse_u64};
use crate::reply::{Reply, ReplyKind};
use crate::stage::{deliver, report_drops, Batch, DropTally, Plan, Stage};
use crate::state::{lock, Shared, Tracker, MAX_BATCH_BYTES, MAX_BATCH_FRAMES};
use kismet_protocol::frame::{header_end, parse_capability};
use kismet_protocol::lines::{Line, LineReader};
use kismet_protocol::{Answer, Frame};

/// How a protocol's frames are named and shown.
#[derive(Clone)]
struct Naming {
    /// The fields on the wire, in order.
    names: Arc<[String]>,
    /// The protocol's list on the wire before the last change, for frames
    /// of that layout still in flight (see [`Naming::names_for`]).
    previous: Option<Arc<[String]>>,
    /// What the display gets.
    show: Show,
}

/// What the display gets of a protocol's frames.
#[derive(Clone)]
enum Show {
    /// The frame as it came.
    All,
    /// Its first fields only, the user's list (a tracker wants more).
    Prefix(Arc<[String]>),
    /// Nothing: only the tracker wants it, or its burst is being replayed
    /// for the tracker.
    Hidden,
}

/// Field names per protocol as the reader sees them: the capability table's
/// full lists, overridden by the lists on the wire. Refreshed only when
/// `names_gen` moves, so naming a frame takes no lock.
#[derive(Default)]
struct NameCache {
    gen: u64,
    map: HashMap<String, Naming>,
    /// The last protocol looked up and its naming: frames come in runs.
    last: Option<(String, Option<Naming>)>,
    /// The tracker, fed every batch.
    tracker: Option<Arc<dyn Tracker>>,
    /// Protocols the tracker wants (upper case): parsed even when the
    /// display drops them.
    tracked: Vec<Vec<u8>>,
    /// The user removed TIME: silence does not mean death.
    time_removed: bool,
}

impl NameCache {
    /// The naming of `proto`, from the one-entry cache when it is the same
    /// protocol as the last frame's.
    fn lookup(&mut self, proto: &str) -> Option<&Naming> {
        if !matches!(&self.last, Some((p, _)) if p == proto) {
            let naming = self.map.get(proto).cloned();
            self.last = Some((proto.to_string(), naming));
        }
        self.last.as_ref().and_then(|(_, naming)| naming.as_ref())
    }

    /// True for a protocol the tracker needs.
    fn is_tracked(&self, header: &[u8]) -> bool {
        self.tracked.iter().any(|t| t == header)
    }

    fn refresh(&mut self, shared: &Shared) {
        let gen = shared.names_gen.load(Ordering::Acquire);
        if gen == self.gen {
            return;
        }
        self.gen = gen;
        self.last = None;
        let before = std::mem::take(&mut self.map);
        for p in lock(&shared.table).iter() {
            let naming = Naming {
                names: p.fields.clone(),
                previous: None,
                show: Show::All,
            };
            self.map.insert(p.name.to_ascii_uppercase(), naming);
        }
        let quiet = lock(&shared.quiet).clone();
        let subs = lock(&shared.subs).clone();
        self.tracked.clear();
        for (key, wire) in subs.wires() {
            let show = if quiet.contains(&key) {
                Show::Hidden
            } else {
                match &wire.user {
                    None => Show::Hidden,
                    Some(u) if u.len() < wire.names.len() => Show::Prefix(u.clone()),
                    Some(_) => Show::All,
                }
            };
            if subs.tracked_of(&key).is_some() {
                self.tracked.push(key.as_bytes().to_vec());
            }
            self.map.insert(
                key,
                Naming {
                    names: wire.names,
                    previous: None,
                    show,
                },
            );
        }
        for (key, naming) in &mut self.map {
            naming.previous = before
                .get(key)
                .and_then(|old| old.replaced_by(&naming.names));
        }
        self.time_removed = subs.is_removed("TIME");
        self.tracker = lock(&shared.tracker).clone();
    }
}

impl Naming {
    /// The list to remember as the one before `names`: this naming's own
    /// when it differs, else the one it remembered.
    fn replaced_by(&self, names: &Arc<[String]>) -> Option<Arc<[String]>> {
        if self.names[..] == names[..] {
            self.previous.clone()
        } else {
            Some(self.names.clone())
        }
    }

    /// The names of a frame: the wire's list, or, for a frame of the list
    /// before it (one sent before the server took a new ENABLE of the
    /// protocol, read after the client changed its list), that one. When
    /// the two lists have as many fields, such a frame cannot be told from
    /// one of the new layout and gets the new names.
    fn names_for(&self, frame: &Frame) -> &Arc<[String]> {
        match &self.previous {
            Some(p) if frame.len() != self.names.len() && frame.len() == p.len() => p,
            _ => &self.names,
        }
    }

    /// What the display gets of a frame named so: all of it, the user's
    /// fields, or nothing.
    fn plan_for(&self, frame: &Frame) -> Plan {
        match &self.show {
            Show::All => Plan::Keep,
            Show::Hidden => Plan::Hide,
            // A frame of the wire's layout, cut to the user's fields; or
            // one of the user's own layout, in flight from before the
            // tracker's fields were added: named by the user's list.
            Show::Prefix(user) if frame.len() == self.names.len() || frame.len() == user.len() => {
                Plan::Cut(user.clone())
            }
            // A frame of another layout (in flight across a re-ENABLE) is
            // left as it is.
            Show::Prefix(_) => Plan::Keep,
        }
    }
}

/// What the reader carries from one line to the next.
#[derive(Default)]
struct ReadState {
    names: NameCache,
    /// Frames parsed and not yet sent.
    batch: Vec<Frame>,
    /// What the display gets of each of them, decided as each was named
    /// (by the subscriptions then in force); empty while every frame of the
    /// batch is shown whole (the common case: nothing to do per frame).
    plans: Vec<Plan>,
    /// Line bytes in `batch`.
    batch_bytes: usize,
    /// Drops not yet reported on the channel.
    unreported: HashMap<String, u64>,
    /// Frames dropped unparsed during this read.
    tally: DropTally,
    /// The text of a TERMINATE, once one came.
    terminating: Option<String>,
    /// When the current read arrived, milliseconds since the Unix epoch.
    now_ms: u64,
    /// While a tracker is set: the thread that feeds it and sends the
    /// batches on. Dropped (after it has done all it was handed) when the
    /// read loop ends.
    stage: Option<Stage>,
}

/// What a line asks of the reader once the frames before it are out.
enum Reaction {
    /// Nothing.
    None,
    /// Deliver this ACK or ERROR.
    Reply(Frame),
    /// The server is terminating: answer the commands waiting for that.
    Terminate(Frame),
}

impl ReadState {
    /// Handles one line (tallied unparsed when the channel is full); true
    /// when the batch should be sent before the next line.
    fn handle(&mut self, shared: &Arc<Shared>, tx: &Sender<Event>, line: Line<'_>) -> bool {
        if let Some(r) = &shared.options.recorder {
            match &line {
                Line::Complete(l) => r.received(l),
                Line::Overlong(n) => r.overlong(*n),
            }
        }
        let dropping = tx.is_full().then_some(&mut self.tally);
        let before = self.batch.len();
        let reaction = handle_line(
            shared,
            line,
            &mut self.names,
            &mut Out {
                batch: &mut self.batch,
                plans: &mut self.plans,
            },
            &mut self.terminating,
            dropping,
            self.now_ms,
        );
        if self.batch.len() > before {
            self.batch_bytes += self.batch.last().map_or(0, |f| f.raw().len());
        }
        // The frames before a reply are counted and sent before the caller
        // waiting for it wakes up.
        match reaction {
            Reaction::None => false,
            Reaction::Reply(frame) => {
                self.flush(shared, tx);
                self.sync();
                deliver_reply(shared, &frame);
                true
            }
            Reaction::Terminate(frame) => {
                self.flush(shared, tx);
                self.sync();
                deliver_terminate(shared, &frame);
                true
            }
        }
    }

    /// True while the batch may take more lines.
    fn has_room(&self) -> bool {
        self.batch.len() < MAX_BATCH_FRAMES && self.batch_bytes < MAX_BATCH_BYTES
    }

    /// Counts this read's frames, records the tallied drops and sends the
    /// batch (through the stage, while a tracker is set).
    fn flush(&mut self, shared: &Arc<Shared>, tx: &Sender<Event>) {
        if !self.batch.is_empty() || !self.tally.counts.is_empty() {
            let now = shared.started.elapsed().as_secs();
            let mut counts = lock(&shared.counts);
            counts.add_frames(&self.batch, now);
            for (header, n) in &self.tally.counts {
                counts.add(&String::from_utf8_lossy(header), *n, now);
            }
        }
        self.tally.commit(shared, &mut self.unreported);
        report_drops(tx, &mut self.unreported);
        self.batch_bytes = 0;
        if self.batch.is_empty() {
            return;
        }
        // The tracker sees every frame, before the display can drop any;
        // then the display gets what the user asked for.
        let plan = (!self.plans.is_empty()).then(|| std::mem::take(&mut self.plans));
        let mut batch = Batch {
            frames: std::mem::take(&mut self.batch),
            plan,
        };
        if let Some(stage) = self.stage_for(shared, tx) {
            match stage.hand(batch) {
                Ok(()) => return,
                // The stage is gone: the reader does its work.
                Err(back) => {
                    self.stage = None;
                    batch = back;
                }
            }
        }
        deliver(batch, self.names.tracker.as_deref(), tx, &mut self.tally);
        self.tally.commit(shared, &mut self.unreported);
    }

    /// The stage for the tracker set now: started when a tracker is set,
    /// replaced when it changes, stopped when none is (each time after the
    /// old one has done what it was handed).
    fn stage_for(&mut self, shared: &Arc<Shared>, tx: &Sender<Event>) -> Option<&Stage> {
        let Some(tracker) = &self.names.tracker else {
            self.stage = None;
            return None;
        };
        if !self.stage.as_ref().is_some_and(|s| s.feeds(tracker)) {
            self.stage = None;
            self.stage = Stage::start(shared, tracker.clone(), tx);
        }
        self.stage.as_ref()
    }

    /// Waits until the stage has fed and sent every batch handed to it.
    fn sync(&self) {
        if let Some(stage) = &self.stage {
            stage.sync();
        }
    }
}

/// Reads lines until the connection ends; returns why it ended.
pub fn read_loop(
    shared: &Arc<Shared>,
    reader: &mut LineReader<TcpStream>,
    tx: &Sender<Event>,
) -> DisconnectReason {
    let mut state = ReadState::default();
    loop {
        // Block for one line, then take every line already buffered: one
        // batch (one channel operation) per read.
        let mut flush_now = match reader.next_line() {
            Ok(Some(line)) => {
                state.now_ms = epoch_ms();
                state.handle(shared, tx, line)
            }
            Ok(None) => {
                state.flush(shared, tx);
                return ended(shared, state.terminating, DisconnectReason::Closed);
            }
            // The watchdog counts on TIME every second: without it, silence
            // is normal and the connection is not declared dead.
            Err(e) if is_timeout(&e) && state.names.time_removed => {
                state.flush(shared, tx);
                continue;
            }
            Err(e) if is_timeout(&e) => {
                state.flush(shared, tx);
                return DisconnectReason::Silent {
                    after: shared.options.silence_timeout.unwrap_or_default(),
                };
            }
            Err(e) => {
                state.flush(shared, tx);
                return ended(shared, state.terminating, DisconnectReason::from_io(&e));
            }
        };
        while !flush_now && state.has_room() {
            match reader.next_buffered() {
                Some(line) => flush_now = state.handle(shared, tx, line),
                None => break,
            }
        }
        state.flush(shared, tx);
    }
}

/// Why the connection ended, in order of precedence: this client closed
/// it, or dropped it after a failed write; the server said TERMINATE; else
/// what the socket said (`seen`).
fn ended(shared: &Shared, terminating: Option<String>, seen: DisconnectReason) -> DisconnectReason {
    if shared.is_closing() {
        return DisconnectReason::ByClient;
    }
    if let Some(reason) = lock(&shared.drop_reason).take() {
        return reason;
    }
    match terminating {
        Some(text) => DisconnectReason::Terminated { text },
        None => seen,
    }
}

/// Handles one line: a frame goes into the batch (or the tally); an ACK,
/// ERROR or TERMINATE is returned for the caller to act on once the batch
/// is out.
fn handle_line(
    shared: &Shared,
    line: Line<'_>,
    names: &mut NameCache,
    out: &mut Out<'_>,
    terminating: &mut Option<String>,
    dropping: Option<&mut DropTally>,
    now_ms: u64,
) -> Reaction {
    let line = match line {
        Line::Complete(l) => l,
        Line::Overlong(_) => {
            lock(&shared.stats).overlong += 1;
            return Reaction::None;
        }
    };
    // One atomic load: a subscription changed since the last line?
    names.refresh(shared);
    // The consumer is behind and this frame would be dropped anyway: count
    // it by its header without parsing it (the reader's CPU then goes to
    // the consumer). Replies, the protocols the client itself reads and
    // those the tracker needs are always handled.
    if let Some(tally) = dropping {
        if let Some(header) = quick_header(line) {
            if !CONTROL.iter().any(|c| c.as_bytes() == header) && !names.is_tracked(header) {
                tally.add(header);
                return Reaction::None;
            }
        }
    }
    let frame = match Frame::parse(line) {
        Ok(f) => f,
        Err(_) => {
            lock(&shared.stats).malformed += 1;
            return Reaction::None;
        }
    };
    let proto = frame.protocol();
    let mut reaction = Reaction::None;
    match proto {
        "ACK" | "ERROR" => return Reaction::Reply(frame),
        "TIME" => {
            if let Some(t) = parse_time(&frame) {
                shared.server_time.store(t, Ordering::Relaxed);
            }
        }
        "TERMINATE" => {
            *terminating =
                Some(String::from_utf8_lossy(frame.field(0).unwrap_or(b"")).into_owned());
            reaction = Reaction::Terminate(frame.clone());
        }
        "CAPABILITY" => {
            if let Some((p, fields)) = parse_capability(frame.field(0).unwrap_or(b"")) {
                lock(&shared.table).insert(&p, fields);
                shared.bump_names();
            }
            attach_data(shared, &frame);
        }
        _ => {}
    }
    let naming = names.lookup(proto);
    let plan = naming.map_or(Plan::Keep, |n| n.plan_for(&frame));
    let named = naming.map(|n| n.names_for(&frame).clone());
    out.push(frame.with_names(named).with_received(now_ms), plan);
    reaction
}

/// Where [`handle_line`] puts a frame: the batch, and what the display
/// gets of it.
struct Out<'a> {
    batch: &'a mut Vec<Frame>,
    /// One per frame of `batch` once a frame is not shown whole; empty
    /// before.
    plans: &'a mut Vec<Plan>,
}

impl Out<'_> {
    fn push(&mut self, frame: Frame, plan: Plan) {
        if !self.plans.is_empty() || !matches!(plan, Plan::Keep) {
            // At the first frame not shown whole, the frames before it are.
            self.plans.resize(self.batch.len(), Plan::Keep);
            self.plans.push(plan);
        }
        self.batch.push(frame);
    }
}

/// A data line that answers a pending command (the `*CAPABILITY` line of a
/// CAPABILITY) is kept with that command's reply, for the oldest such
/// command: the server answers in order.
fn attach_data(shared: &Shared, frame: &Frame) {
    let proto = frame.protocol();
    let mut pending = lock(&shared.pending);
    let oldest = pending
        .iter_mut()
        .filter(|(_, p)| p.kind.and_then(|k| k.data_protocol()) == Some(proto))
        .min_by_key(|(id, _)| **id);
    if let Some((_, p)) = oldest {
        p.data.push(frame.clone());
    }
}

/// The time now in milliseconds since the Unix epoch (0 if the clock is
/// before it).
fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Protocols the reader acts on itself; never dropped unparsed.
const CONTROL: [&str; 7] = [
    "ACK",
    "ERROR",
    "TIME",
    "TERMINATE",
    "CAPABILITY",
    "KISMET",
    "PROTOCOLS",
];

/// The header of a `*HEADER: ...` line, when it looks like one.
fn quick_header(line: &[u8]) -> Option<&[u8]> {
    header_end(line).ok().map(|colon| &line[1..colon])
}

/// Matches an ACK/ERROR to its pending command and hands it over.
fn deliver_reply(shared: &Shared, frame: &Frame) {
    let Some(id) = frame.field(0).and_then(parse_u64) else {
        lock(&shared.stats).malformed += 1;
        return;
    };
    let Some(p) = lock(&shared.pending).remove(&id) else {
        lock(&shared.stats).unmatched_replies += 1;
        return;
    };
    let kind = if frame.protocol() == "ACK" {
        ReplyKind::Ack
    } else {
        ReplyKind::Error
    };
    shared.settle(p.revert, p.quiet, kind == ReplyKind::Ack);
    let reply = Reply {
        id,
        command: p.command,
        kind,
        text: String::from_utf8_lossy(frame.field(1).unwrap_or(b"")).into_owned(),
        latency: p.sent.elapsed(),
        raw: frame.raw().to_vec(),
        data: p.data,
    };
    let result = match kind {
        ReplyKind::Error => Err(Error::Server(Box::new(reply))),
        _ => Ok(reply),
    };
    let _ = p.tx.try_send(result);
}

/// A TERMINATE answers every pending command that the server answers that
/// way (SHUTDOWN): it never gets an ACK.
fn deliver_terminate(shared: &Shared, frame: &Frame) {
    let answered: Vec<(u64, crate::state::Pending)> = {
        let mut pending = lock(&shared.pending);
        let ids: Vec<u64> = pending
            .iter()
            .filter(|(_, p)| p.kind.map(|k| k.answer()) == Some(Answer::Terminate))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| pending.remove(&id).map(|p| (id, p)))
            .collect()
    };
    for (id, p) in answered {
        let reply = Reply {
            id,
            command: p.command,
            kind: ReplyKind::Terminate,
            text: String::from_utf8_lossy(frame.field(0).unwrap_or(b"")).into_owned(),
            latency: p.sent.elapsed(),
            raw: frame.raw().to_vec(),
            data: p.data,
        };
        let _ = p.tx.try_send(Ok(reply));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Arc<[String]> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into()
    }

    fn frame(line: &[u8]) -> Frame {
        Frame::parse(line).unwrap()
    }

    /// What the display gets of a frame follows the frame's layout: the
    /// wire's (the user's fields and a tracker's) is cut to the user's
    /// fields; the user's own, in flight from before the tracker's fields
    /// were added, is named by the user's list; another is left alone.
    #[test]
    fn plan_follows_the_frames_layout() {
        let user = names(&["channel", "bssid"]);
        let wire = names(&["channel", "bssid", "type", "manuf"]);
        let naming = Naming {
            names: wire.clone(),
            previous: None,
            show: Show::Prefix(user.clone()),
        };
        let shown = |f: Frame| {
            let plan = naming.plan_for(&f);
            plan.apply(f.with_names(Some(wire.clone())))
        };
        let cut = shown(frame(b"*BSSID: 6 00:14:6C:A1:00:01 2 \x01Netgear\x01 ")).unwrap();
        assert_eq!(cut.names(), Some(&user[..]));
        assert_eq!(cut.raw(), b"*BSSID: 6 00:14:6C:A1:00:01 ");
        let old = shown(frame(b"*BSSID: 6 00:14:6C:A1:00:01 ")).unwrap();
        assert_eq!(old.names(), Some(&user[..]));
        assert_eq!(old.raw(), b"*BSSID: 6 00:14:6C:A1:00:01 ");
        let other = shown(frame(b"*BSSID: 6 ")).unwrap();
        assert_eq!(other.raw(), b"*BSSID: 6 ");
        let hidden = Naming {
            names: wire.clone(),
            previous: None,
            show: Show::Hidden,
        };
        assert!(matches!(hidden.plan_for(&frame(b"*BSSID: 6 ")), Plan::Hide));
        let all = Naming {
            names: wire,
            previous: None,
            show: Show::All,
        };
        assert!(matches!(all.plan_for(&frame(b"*BSSID: 6 ")), Plan::Keep));
    }

    /// A frame of the list before the last change (in flight across a
    /// re-ENABLE) is named by that list when its field count tells it from
    /// the new one; any other frame by the new list. The list remembered is
    /// the last one that differs.
    #[test]
    fn frames_of_the_list_before_a_change_keep_its_names() {
        let (all, two) = (names(&["ssid", "mac", "type"]), names(&["mac", "ssid"]));
        let first = Naming {
            names: all.clone(),
            previous: None,
            show: Show::All,
        };
        let naming = Naming {
            previous: first.replaced_by(&two),
            names: two.clone(),
            show: Show::All,
        };
        let old = frame(b"*SSID: \x01Home\x01 00:14:6C:A1:00:01 0 ");
        let new = frame(b"*SSID: 00:14:6C:A1:00:01 \x01Home\x01 ");
        let other = frame(b"*SSID: 00:14:6C:A1:00:01 ");
        assert!(Arc::ptr_eq(naming.names_for(&old), &all));
        assert!(Arc::ptr_eq(naming.names_for(&new), &two));
        assert!(Arc::ptr_eq(naming.names_for(&other), &two));
        // The same list again (a re-ENABLE with the same fields, a
        // reconnect): the one before it is still remembered.
        let again = names(&["mac", "ssid"]);
        assert!(Arc::ptr_eq(&naming.replaced_by(&again).unwrap(), &all));
        // No list before: the wire's.
        assert!(Arc::ptr_eq(first.names_for(&other), &all));
    }

    fn kinds(plans: &[Plan]) -> Vec<&'static str> {
        plans
            .iter()
            .map(|p| match p {
                Plan::Keep => "keep",
                Plan::Hide => "hide",
                Plan::Cut(_) => "cut",
            })
            .collect()
    }

    /// A batch's plans are kept from its first frame not shown whole on
    /// (the frames before it are shown whole), one per frame, each decided
    /// when its frame was named; a batch of frames all shown whole keeps
    /// none.
    #[test]
    fn plans_start_at_the_first_frame_not_shown_whole() {
        let f = frame(b"*TIME: 1 ");
        let (mut batch, mut plans) = (Vec::new(), Vec::new());
        let mut out = Out {
            batch: &mut batch,
            plans: &mut plans,
        };
        out.push(f.clone(), Plan::Keep);
        out.push(f.clone(), Plan::Keep);
        assert!(out.plans.is_empty());
        out.push(f.clone(), Plan::Hide);
        out.push(f.clone(), Plan::Keep);
        assert_eq!(kinds(&plans), ["keep", "keep", "hide", "keep"]);
        assert_eq!(batch.len(), 4);
        // The very first frame.
        let (mut batch, mut plans) = (Vec::new(), Vec::new());
        let mut out = Out {
            batch: &mut batch,
            plans: &mut plans,
        };
        out.push(f.clone(), Plan::Cut(names(&["time"])));
        out.push(f, Plan::Keep);
        assert_eq!(kinds(&plans), ["cut", "keep"]);
    }
}
