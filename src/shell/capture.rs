//! The capture sources: `sources`, `lock`, `hop`, `addsource` and
//! `delsource`; and what they hear per channel, `channels`. A source is named by its name, interface or UUID (any
//! case), found in the live model's table of SOURCE lines; each command
//! sends what the server knows (HOPSOURCE, CHANSOURCE, ADDSOURCE,
//! DELSOURCE) with the source's UUID, and once acknowledged waits for the
//! next SOURCE line, so that `sources` right after shows the change.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::handlers::{start_model, Handled};
use super::outcome::{Outcome, ShellError};
use super::session::Session;
use kismet_client::{Model, SourceView};
use kismet_protocol::{text, Command, ServerCommand};

/// How long `sources` waits for the first SOURCE line (the server sends
/// one a second per source), and the other commands for the next.
pub const SOURCE_SILENCE: Duration = Duration::from_secs(2);

/// The hop rate `hop` sends without one: the source's own velocity, or 5.
pub const DEFAULT_HOP_RATE: u32 = 5;

/// Waits until `done`, for at most `left`; Ctrl-C stops the wait.
fn wait_until(session: &Session, left: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + left;
    while !done() && Instant::now() < deadline && !session.interrupted.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The model reading the capture sources, once a SOURCE line came or
/// [`SOURCE_SILENCE`] passed since it was asked for them.
pub fn sources_model(session: &Session) -> Result<Arc<Model>, ShellError> {
    waited_model(
        session,
        Session::sources_model,
        SOURCE_SILENCE,
        Model::source_lines,
    )
}

/// The model reading more (`reading`: the session's model made to read
/// it), once it read a first line (`lines` above 0) or `silence` passed
/// since it was first asked to.
pub fn waited_model(
    session: &Session,
    reading: fn(&Session) -> super::session::Reading,
    silence: Duration,
    lines: fn(&Model) -> u64,
) -> Result<Arc<Model>, ShellError> {
    start_model(session)?;
    let (model, age) = reading(session)?;
    wait_until(session, silence.saturating_sub(age), || lines(&model) > 0);
    Ok(model)
}

/// `sources`: the server's capture sources.
pub fn sources(session: &Session) -> Handled {
    Ok(Outcome::Sources(sources_model(session)?.sources()))
}

/// How long `channels` (and `watch channels`) waits for the first
/// CHANNEL line: the server sends a round every two seconds, for the
/// channels with traffic; a little more than a round.
pub const CHANNEL_SILENCE: Duration = Duration::from_secs(3);

/// `channels`: activity per channel.
pub fn channels(session: &Session) -> Handled {
    // Once a CHANNEL line came or CHANNEL_SILENCE passed (by then the
    // networks have been sampled for a rate).
    let model = waited_model(
        session,
        Session::channels_model,
        CHANNEL_SILENCE,
        kismet_client::Model::channel_lines,
    )?;
    Ok(Outcome::Channels(model.channels()))
}

/// The source `which` names (its name, interface or UUID, in any case).
///
/// # Errors
/// [`ShellError::Usage`] when none does, naming the sources.
fn find_source(sources: &[SourceView], which: &str) -> Result<SourceView, ShellError> {
    let is = |s: &str| s.eq_ignore_ascii_case(which);
    let found = (sources.iter().find(|s| is(&s.name)))
        .or_else(|| sources.iter().find(|s| is(&s.interface)))
        .or_else(|| sources.iter().find(|s| is(&s.uuid)));
    if let Some(s) = found {
        return Ok(s.clone());
    }
    let which = text::display(which.as_bytes());
    if sources.is_empty() {
        return Err(ShellError::Usage(format!(
            "no capture source {which}: the server has no capture source"
        )));
    }
    let names: Vec<String> = (sources.iter())
        .map(|s| text::display(s.name.as_bytes()))
        .collect();
    Err(ShellError::Usage(format!(
        "no capture source {which} (sources: {})",
        names.join(", ")
    )))
}

/// Sends `command` to the server and, once it is acknowledged, waits for
/// the next SOURCE line (at most [`SOURCE_SILENCE`]).
fn send_and_wait(session: &Session, model: &Model, command: &Command) -> Handled {
    let before = model.source_lines();
    let reply = session.request(command)?;
    wait_until(session, SOURCE_SILENCE, || model.source_lines() > before);
    Ok(Outcome::Reply(reply))
}

/// `lock SOURCE CHANNEL`: `!HOPSOURCE <uuid> LOCK <channel>`.
pub fn lock(session: &Session, which: &str, channel: u32) -> Handled {
    let model = sources_model(session)?;
    let source = find_source(&model.sources(), which)?;
    let command = Command::new(
        ServerCommand::HopSource,
        [source.uuid, "LOCK".into(), channel.to_string()],
    );
    send_and_wait(session, &model, &command)
}

/// `hop SOURCE [CHANNELS...] [--rate RATE]`: with channels,
/// `!CHANSOURCE <uuid> <c1,c2,...>` first; then `!HOPSOURCE <uuid> HOP
/// <rate>`, by default the source's own velocity, else
/// [`DEFAULT_HOP_RATE`].
pub fn hop(session: &Session, which: &str, channels: &[u32], rate: Option<u32>) -> Handled {
    let model = sources_model(session)?;
    let source = find_source(&model.sources(), which)?;
    if !channels.is_empty() {
        let list: Vec<String> = channels.iter().map(u32::to_string).collect();
        let command = Command::new(
            ServerCommand::ChanSource,
            [source.uuid.clone(), list.join(",")],
        );
        session.request(&command)?;
    }
    let rate = rate
        .or(source.velocity.filter(|&v| v > 0))
        .unwrap_or(DEFAULT_HOP_RATE);
    let command = Command::new(
        ServerCommand::HopSource,
        [source.uuid, "HOP".into(), rate.to_string()],
    );
    send_and_wait(session, &model, &command)
}

/// The name an ADDSOURCE definition gives its source (`name=` among its
/// options), or its interface.
fn defined_name(definition: &str) -> &str {
    let (interface, options) = definition.split_once(':').unwrap_or((definition, ""));
    (options.split(','))
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("name"))
        .map_or(interface, |(_, v)| v.trim())
}

/// `addsource DEFINITION`: `!ADDSOURCE <definition>`; once acknowledged,
/// waits for the new source's first SOURCE line and names it.
pub fn addsource(session: &Session, definition: &str) -> Handled {
    let interface = definition.split(':').next().unwrap_or_default();
    if interface.trim().is_empty() {
        return Err(ShellError::Usage(
            "addsource needs INTERFACE[:name=NAME,type=TYPE,...], e.g. \
             addsource wlan1:name=backup or addsource /tmp/x.pcap:type=pcapfile"
                .into(),
        ));
    }
    let model = sources_model(session)?;
    let known: Vec<String> = model.sources().into_iter().map(|s| s.uuid).collect();
    let command = Command::new(ServerCommand::AddSource, [definition.to_string()]);
    session.request(&command)?;
    let added =
        || (model.sources().into_iter()).find(|s| !known.contains(&s.uuid) && is_it(s, definition));
    wait_until(session, SOURCE_SILENCE, || added().is_some());
    Ok(Outcome::Note(match added() {
        Some(s) => format!(
            "added source {} ({}, UUID {})",
            text::display(s.name.as_bytes()),
            text::display(s.interface.as_bytes()),
            s.uuid
        ),
        None => format!(
            "the server acknowledged ADDSOURCE; no SOURCE line for {} came within {} s \
             (its STATUS messages say why: enable STATUS *)",
            text::display(defined_name(definition).as_bytes()),
            SOURCE_SILENCE.as_secs()
        ),
    }))
}

/// Whether `s` is the source `definition` defines (by its name, else its
/// interface).
fn is_it(s: &SourceView, definition: &str) -> bool {
    let name = defined_name(definition);
    s.name == name || s.interface == name
}

/// `delsource SOURCE`: `!DELSOURCE <uuid>` (the shell asks to confirm
/// first); once acknowledged, the source leaves the model's table.
pub fn delsource(session: &Session, which: &str) -> Handled {
    let model = sources_model(session)?;
    let source = find_source(&model.sources(), which)?;
    let command = Command::new(ServerCommand::DelSource, [source.uuid.clone()]);
    session.request(&command)?;
    model.forget_source(&source.uuid);
    Ok(Outcome::Note(format!(
        "removed source {} (UUID {})",
        text::display(source.name.as_bytes()),
        source.uuid
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defined_name_is_the_name_option_else_the_interface() {
        assert_eq!(defined_name("wlan1:name=backup,type=rt2800usb"), "backup");
        assert_eq!(defined_name("/x.pcap:type=pcapfile,NAME=bad"), "bad");
        assert_eq!(defined_name("wlan1"), "wlan1");
        assert_eq!(defined_name("wlan1:type=auto"), "wlan1");
    }
}
