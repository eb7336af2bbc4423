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
use std::io;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crossbeam_channel::Sender;
use parking_lot::Mutex;

use crate::error::{DisconnectReason, Error};
use crate::event::Event;
use crate::handshake::{is_timeout, parse_time, parse_u64};
use crate::outlet::{report_drops, DropTally, Outlet};
use crate::reply::{Reply, ReplyKind};
use crate::stage::{deliver, Batch, Stage};
use crate::state::{Shared, MAX_BATCH_BYTES, MAX_BATCH_FRAMES};
use crate::view::{Plan, Views};
use kismet_protocol::spec::{ALWAYS_ON, MAX_FIELDS, MAX_PROTOCOLS};
use kismet_protocol::{line_protocol, parse_capability};
use kismet_protocol::{Answer, Frame};
use kismet_protocol::{Line, LineReader};

/// What the reader carries from one line to the next.
struct ReadState {
    /// Where batches go (shared with the stage).
    outlet: Arc<Mutex<Outlet>>,
    /// The lossless option: never drop a line because the channel is full.
    lossless: bool,
    names: Views,
    /// Frames parsed and not yet sent: while a tracker is set, every frame
    /// (the tracker gets them whole); else only what the user gets.
    batch: Vec<Frame>,
    /// While a tracker is set: what the user gets of each frame of the
    /// batch, decided as it was named (by the subscriptions then in force).
    plans: Vec<Plan>,
    /// Frames parsed and hidden from the user without going into the batch
    /// (no tracker is set), counted as received all the same.
    hidden: DropTally,
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
    fn new(shared: &Shared, outlet: Arc<Mutex<Outlet>>) -> ReadState {
        ReadState {
            outlet,
            lossless: shared.options.lossless,
            names: Views::default(),
            batch: Vec::new(),
            plans: Vec::new(),
            hidden: DropTally::default(),
            batch_bytes: 0,
            unreported: HashMap::new(),
            tally: DropTally::default(),
            terminating: None,
            now_ms: 0,
            stage: None,
        }
    }

    /// Handles one line (tallied unparsed when the channel is full); true
    /// when the batch should be sent before the next line.
    fn handle(&mut self, shared: &Arc<Shared>, tx: &Sender<Event>, line: Line<'_>) -> bool {
        if let Some(r) = &shared.options.recorder {
            match &line {
                Line::Complete(l) => r.received(l),
                Line::Overlong(n) => r.overlong(*n),
            }
        }
        let dropping = (!self.lossless && tx.is_full()).then_some(&mut self.tally);
        let before = self.batch.len();
        let reaction = handle_line(
            shared,
            line,
            &mut self.names,
            &mut Out {
                batch: &mut self.batch,
                plans: &mut self.plans,
                hidden: &mut self.hidden,
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
                if let Some(event) = deliver_reply(shared, &frame) {
                    // Never dropped, as a disconnect is not.
                    let _ = tx.send(event);
                }
                self.resume(tx);
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
        if !self.batch.is_empty() || !self.tally.counts.is_empty() || !self.hidden.counts.is_empty()
        {
            let now = shared.started.elapsed().as_secs();
            let mut counts = shared.counts.lock();
            counts.add_frames(&self.batch, now);
            for (header, n) in self.tally.counts.iter().chain(&self.hidden.counts) {
                counts.add(&String::from_utf8_lossy(header), *n, now);
            }
            self.hidden.counts.clear();
        }
        self.tally.commit(shared, &mut self.unreported);
        report_drops(tx, &mut self.unreported);
        self.batch_bytes = 0;
        if self.batch.is_empty() {
            if self.lossless && self.stage.is_none() {
                self.outlet.lock().resume(tx);
            }
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
        deliver(
            batch,
            self.names.tracker.as_deref(),
            tx,
            &mut self.outlet.lock(),
            &mut self.tally,
        );
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
            self.stage = Stage::start(shared, tracker.clone(), tx, &self.outlet);
        }
        self.stage.as_ref()
    }

    /// A reply came in: what the outlet kept aside for it goes out now
    /// (sent by the stage, after what it was handed before, if there is
    /// one).
    fn resume(&self, tx: &Sender<Event>) {
        if !self.lossless {
            return;
        }
        match &self.stage {
            Some(stage) => stage.resume(),
            None => self.outlet.lock().resume(tx),
        }
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
    outlet: &Arc<Mutex<Outlet>>,
) -> DisconnectReason {
    let mut state = ReadState::new(shared, outlet.clone());
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
            // A signal (Ctrl-C in the shell) cut the read short: the
            // connection is fine.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
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
    if let Some(reason) = shared.drop_reason.lock().take() {
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
    names: &mut Views,
    out: &mut Out<'_>,
    terminating: &mut Option<String>,
    dropping: Option<&mut DropTally>,
    now_ms: u64,
) -> Reaction {
    let line = match line {
        Line::Complete(l) => l,
        Line::Overlong(_) => {
            shared.stats.lock().overlong += 1;
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
        if let Some(header) = line_protocol(line) {
            if !ALWAYS_ON.iter().any(|c| c.as_bytes() == header) && !names.is_tracked(header) {
                tally.add(header);
                return Reaction::None;
            }
        }
    }
    let frame = match Frame::parse(line) {
        Ok(f) => f,
        Err(_) => {
            shared.stats.lock().malformed += 1;
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
                let at = u64::try_from(shared.started.elapsed().as_millis()).unwrap_or(u64::MAX);
                shared.server_time_at_ms.store(at, Ordering::Relaxed);
            }
        }
        "TERMINATE" => {
            *terminating =
                Some(String::from_utf8_lossy(frame.field(0).unwrap_or(b"")).into_owned());
            reaction = Reaction::Terminate(frame.clone());
        }
        "CAPABILITY" => capability_answer(shared, &frame),
        _ => {}
    }
    let tracking = names.tracker.is_some();
    let naming = names.lookup(proto);
    let plan = naming.map_or(Plan::Hide, |n| n.plan_for(&frame));
    let named = naming.map(|n| n.names_for(&frame).clone());
    out.push(
        frame.with_names(named).with_received(now_ms),
        plan,
        tracking,
    );
    reaction
}

/// Where [`handle_line`] puts a frame.
struct Out<'a> {
    batch: &'a mut Vec<Frame>,
    /// One per frame of `batch` while a tracker is set.
    plans: &'a mut Vec<Plan>,
    hidden: &'a mut DropTally,
}

impl Out<'_> {
    /// With a tracker, the frame goes into the batch whole, with its plan
    /// beside it; without one, what the user gets of it goes in (a hidden
    /// frame is only counted). A batch keeps one plan per frame from the
    /// first frame that a tracker was set for: the frames before it are
    /// already what the user gets, and those after it, should the tracker
    /// go, keep their plans (the tracker may come or go between two lines
    /// of one batch).
    fn push(&mut self, frame: Frame, plan: Plan, tracking: bool) {
        if tracking || !self.plans.is_empty() {
            self.plans.resize(self.batch.len(), Plan::Keep);
            self.plans.push(plan);
            self.batch.push(frame);
            return;
        }
        if matches!(plan, Plan::Hide) {
            self.hidden.add(frame.protocol_bytes());
        } else if let Some(shown) = plan.apply(frame) {
            self.batch.push(shown);
        }
    }
}

/// A `*CAPABILITY` line. One that answers a CAPABILITY command of ours for
/// its protocol is kept with that command's reply, and the table takes its
/// fields (unless there are none, or more than [`MAX_FIELDS`], or it would
/// be a protocol past [`MAX_PROTOCOLS`]). Any other is counted and
/// ignored: unasked-for lines could otherwise grow the table without bound
/// (each slower to take than the last) or blank a protocol's fields.
fn capability_answer(shared: &Shared, frame: &Frame) {
    let parsed = parse_capability(frame.field(0).unwrap_or(b""));
    let answers = parsed
        .as_ref()
        .is_some_and(|(p, _)| attach_data(shared, frame, &p.to_ascii_uppercase()));
    match parsed {
        Some((proto, fields)) if answers => {
            if fields.is_empty() || fields.len() > MAX_FIELDS {
                return;
            }
            let mut table = shared.table.lock();
            if table.get(&proto).is_none() && table.len() >= MAX_PROTOCOLS {
                return;
            }
            table.insert(&proto, fields);
            drop(table);
            shared.bump_names();
        }
        _ => shared.stats.lock().unsolicited_capabilities += 1,
    }
}

/// A data line that answers a pending command about protocol `about` (the
/// `*CAPABILITY` line of a `CAPABILITY about`) is kept with that command's
/// reply, for the oldest such command that has none yet: the server
/// answers in order, one line a command (so a server cannot pile lines on
/// a reply). False when no command waits for it.
fn attach_data(shared: &Shared, frame: &Frame, about: &str) -> bool {
    let proto = frame.protocol();
    let mut pending = shared.pending.lock();
    let oldest = pending
        .iter_mut()
        .filter(|(_, p)| {
            p.kind.and_then(|k| k.data_protocol()) == Some(proto)
                && p.about.as_deref() == Some(about)
                && p.data.is_empty()
        })
        .min_by_key(|(id, _)| **id);
    match oldest {
        Some((_, p)) => {
            p.data.push(frame.clone());
            true
        }
        None => false,
    }
}

/// The time now in milliseconds since the Unix epoch (0 if the clock is
/// before it).
fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Matches an ACK/ERROR to its pending command and hands it over; the
/// event to send for a refused command that nobody waits for (one that
/// put a subscription back after a reconnect).
fn deliver_reply(shared: &Shared, frame: &Frame) -> Option<Event> {
    let Some(id) = frame.field(0).and_then(parse_u64) else {
        shared.stats.lock().malformed += 1;
        return None;
    };
    let Some(p) = shared.take_pending(id) else {
        shared.stats.lock().unmatched_replies += 1;
        return None;
    };
    let kind = if frame.protocol() == "ACK" {
        ReplyKind::Ack
    } else {
        ReplyKind::Error
    };
    if kind != ReplyKind::Ack {
        shared.restore(p.revert);
    }
    let refused_restore = p.restoring && kind == ReplyKind::Error;
    let command = refused_restore.then(|| p.command.clone());
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
    match (command, result) {
        (Some(command), Err(error)) => Some(Event::RestoreFailed { command, error }),
        (_, result) => {
            let _ = p.tx.try_send(result);
            None
        }
    }
}

/// A TERMINATE answers every pending command that the server answers that
/// way (SHUTDOWN): it never gets an ACK.
fn deliver_terminate(shared: &Shared, frame: &Frame) {
    let answered =
        shared.take_pending_where(|p| p.kind.map(|k| k.answer()) == Some(Answer::Terminate));
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

    fn frame(line: &[u8]) -> Frame {
        Frame::parse(line).unwrap()
    }

    /// Pushes each (plan, tracking) with frame `f`; the batch, the plans
    /// and the hidden count after.
    fn pushed(f: &Frame, pushes: Vec<(Plan, bool)>) -> (Vec<Frame>, Vec<Plan>, DropTally) {
        let (mut batch, mut plans, mut hidden) = (Vec::new(), Vec::new(), DropTally::default());
        let mut out = Out {
            batch: &mut batch,
            plans: &mut plans,
            hidden: &mut hidden,
        };
        for (plan, tracking) in pushes {
            out.push(f.clone(), plan, tracking);
        }
        (batch, plans, hidden)
    }

    /// With a tracker set, every frame goes into the batch with its plan
    /// beside it; without one, a hidden frame stays out of the batch (and
    /// is counted), a cut one goes in cut.
    #[test]
    fn frames_go_whole_to_a_tracker_and_as_planned_without() {
        let f = frame(b"*BSSID: 6 00:14:6C:A1:00:01 ");
        let user: Arc<[String]> = vec!["channel".to_string()].into();
        let (batch, plans, _) = pushed(&f, vec![(Plan::Hide, true), (Plan::Keep, true)]);
        assert_eq!(batch.len(), 2);
        assert_eq!(plans.len(), 2);
        let untracked = vec![
            (Plan::Hide, false),
            (Plan::Cut(user), false),
            (Plan::Keep, false),
        ];
        let (batch, plans, hidden) = pushed(&f, untracked);
        assert!(plans.is_empty());
        assert_eq!(hidden.counts, [(b"BSSID".to_vec(), 1)]);
        assert_eq!(batch.len(), 2);
        assert_eq!(batch[0].raw(), b"*BSSID: 6 ");
        assert_eq!(batch[1].len(), 2);
    }

    /// A tracker set or gone between two lines of one batch: the batch
    /// keeps one plan per frame from the first frame pushed for a tracker
    /// on (the frames before are already the user's: kept as they are),
    /// and a frame pushed after the tracker went is planned, not applied.
    #[test]
    fn a_tracker_coming_or_going_mid_batch_keeps_one_plan_per_frame() {
        let f = frame(b"*BSSID: 6 00:14:6C:A1:00:01 ");
        let pushes = vec![
            (Plan::Hide, false),
            (Plan::Keep, false),
            (Plan::Hide, true),
            (Plan::Hide, false),
        ];
        let (batch, plans, hidden) = pushed(&f, pushes);
        assert_eq!(hidden.counts, [(b"BSSID".to_vec(), 1)]);
        assert_eq!(batch.len(), 3);
        let kinds: Vec<bool> = plans.iter().map(|p| matches!(p, Plan::Hide)).collect();
        assert_eq!(kinds, [false, true, true]);
    }
}
