//! The client commands of a replay server: CAPABILITY, ENABLE and REMOVE
//! as the real server answers them (same checks, same error texts, burst
//! then ACK), from what the recording holds; SHUTDOWN as the simulator
//! does it; every other command refused (an exhaustive match on
//! [`ServerCommand`]).

use std::time::{Duration, Instant};

use super::capabilities::Proto;
use super::client::{all_fields, Fields};
use super::hub::Hub;
use super::player::{Heard, Player};
use super::record::Record;
use super::records;
use kismet_protocol::spec::{is_always_on, NO_SUCH_COMMAND};
use kismet_protocol::{parse_client_line, split_field_list};
use kismet_protocol::{Answer, CommandName, ServerCommand};

/// How long connections stay open after a SHUTDOWN command (about 2 s on
/// a real server).
const SHUTDOWN_LINGER: Duration = Duration::from_secs(2);

/// Handles one client line (without its `\n`) of the client `player`
/// plays to. Lines the real server ignores (no `!<id>`, fewer than two
/// words) get no reply at all.
pub fn handle_line(hub: &Hub, player: &mut Player, line: &[u8]) {
    let Some((id, name, args)) = parse_client_line(line) else {
        return;
    };
    // One instant for the command: the one that starts the replay clock
    // (see `player`) starts it at 0 and finds nothing due yet.
    let now = Instant::now();
    let heard = match name {
        CommandName::Known(ServerCommand::Capability) => Heard::Capability,
        CommandName::Known(ServerCommand::Enable) => Heard::Enable,
        _ => Heard::Other,
    };
    player.heard(heard, now);
    let (outcome, answer) = match name {
        CommandName::Known(command) => {
            (dispatch(hub, player, command, &args, now), command.answer())
        }
        CommandName::Other(_) => (Err(NO_SUCH_COMMAND.to_string()), Answer::Ack),
    };
    let client = &player.client;
    match (outcome, answer) {
        (Ok(()), Answer::Ack) => client.send_one(Proto::Ack, &records::ack_record(id)),
        // SHUTDOWN: no ACK, ever; TERMINATE went out.
        (Ok(()), Answer::Terminate) => {}
        // Choice: no `Failed Kismet client command` STATUS, which a real
        // server broadcasts: a replay's STATUS lines are the recorded ones.
        (Err(text), _) => {
            client.send_one(Proto::Error, &records::error_record(id, text.as_bytes()))
        }
    }
}

fn word(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).into_owned()
}

fn dispatch(
    hub: &Hub,
    player: &mut Player,
    command: ServerCommand,
    args: &[Vec<u8>],
    now: Instant,
) -> Result<(), String> {
    match command {
        ServerCommand::Capability => capability(player, args),
        ServerCommand::Enable => enable(player, args, now),
        ServerCommand::Remove => remove(player, args),
        ServerCommand::Shutdown => {
            hub.log("received SHUTDOWN command, stopping");
            hub.shutdown_command(SHUTDOWN_LINGER, || {});
            Ok(())
        }
        // A guess-free choice, not the real server's behaviour: a real
        // server would act on these (add a source, tag a network, set a
        // key or a filter...), which would change what it sends; a replay
        // can only send what was recorded, so it refuses them.
        ServerCommand::AddSource
        | ServerCommand::DelSource
        | ServerCommand::RestartSource
        | ServerCommand::HopSource
        | ServerCommand::ChanSource
        | ServerCommand::AddNetTag
        | ServerCommand::DelNetTag
        | ServerCommand::AddCliTag
        | ServerCommand::DelCliTag
        | ServerCommand::AddTrackerFilter
        | ServerCommand::AddNetCliFilter
        | ServerCommand::AddStringsFilter
        | ServerCommand::ListWepKeys
        | ServerCommand::AddWepKey
        | ServerCommand::DelWepKey
        | ServerCommand::Strings => Err(format!(
            "The replay server does not do {command}: it plays back a recording"
        )),
    }
}

/// The recorded protocol named `arg`, or the server's error.
fn lookup(player: &Player, arg: &[u8]) -> Result<usize, String> {
    player
        .timeline()
        .protocol(arg)
        .ok_or_else(|| format!("Unknown protocol: '{}'", word(arg)))
}

/// One of the replay server's own protocols (TIME, ACK, ...), as the
/// client's subscriptions in `ClientHandle` know it.
fn own(player: &Player, proto: usize) -> Option<Proto> {
    let name = &player.timeline().protocols[proto].name;
    if is_always_on(name) {
        Proto::lookup(name.as_bytes())
    } else {
        None
    }
}

/// `CAPABILITY PROTO`: the recorded CAPABILITY line.
fn capability(player: &Player, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() != 1 {
        return Err("Illegal capability request".into());
    }
    let proto = lookup(player, &args[0])?;
    let mut line = Record::new();
    line.bare(&player.timeline().protocols[proto].capability);
    player.client.send_one(Proto::Capability, &line);
    Ok(())
}

/// `ENABLE PROTO fields|*`: the fields must be ones the recording holds.
fn enable(player: &mut Player, args: &[Vec<u8>], now: Instant) -> Result<(), String> {
    if args.len() < 2 {
        return Err("Illegal enable request".into());
    }
    let proto = lookup(player, &args[0])?;
    // Only the first character is checked for '*', as on the real server.
    let all = args[1].first() == Some(&b'*');
    if let Some(own) = own(player, proto) {
        let fields: Fields = if all {
            all_fields(own)
        } else {
            let mut v = Vec::new();
            for name in split_field_list(&args[1]) {
                match own.field_index(name) {
                    Some(i) => v.push(i as u16),
                    None => return Err(format!("Unknown field {}", word(name))),
                }
            }
            v.into()
        };
        player.client.set_subscription(own, Some(fields));
        return Ok(());
    }
    let wanted: Vec<Vec<u8>> = if all {
        let fields = &player.timeline().protocols[proto].fields;
        fields.iter().map(|f| f.as_bytes().to_vec()).collect()
    } else {
        split_field_list(&args[1])
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect()
    };
    let mut names = Vec::with_capacity(wanted.len());
    for name in &wanted {
        match player.held_field(proto, name) {
            Some(f) => names.push(f.to_string()),
            None => return Err(format!("Unknown field {}", word(name))),
        }
    }
    player.enable(proto, names, now);
    Ok(())
}

/// `REMOVE PROTO`: exactly one argument; removing twice is fine.
fn remove(player: &mut Player, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() != 1 {
        return Err("Illegal remove request".into());
    }
    let proto = lookup(player, &args[0])?;
    match own(player, proto) {
        Some(own) => player.client.set_subscription(own, None),
        None => player.remove(proto),
    }
    Ok(())
}
