//! The client commands, answered as the real server answers them: same
//! argument checks, same error texts, burst-then-ACK for ENABLE, failed
//! commands echoed as STATUS to every STATUS subscriber.

use std::sync::Arc;

use super::capabilities::Proto;
use super::client::{all_fields, ClientHandle, Fields};
use super::devices::Mac;
use super::record::Record;
use super::records;
use super::server::Shared;
use super::updates;
use super::world::World;
use kismet_protocol::spec::{status_flags, FAILED_COMMAND_PREFIX, MAX_ERROR_TEXT, NO_SUCH_COMMAND};
use kismet_protocol::{parse_client_line, split_field_list};
use kismet_protocol::{Answer, CommandName, ServerCommand};

/// Why a command failed.
enum Fail {
    /// The command name is unknown (answered, but not echoed as STATUS).
    NoSuchCommand,
    /// The command was refused with this text.
    Text(String),
}

type Outcome = Result<(), Fail>;

fn fail<T>(text: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Text(text.into()))
}

/// What a command wants done once it has been answered.
#[derive(PartialEq, Eq)]
enum After {
    Nothing,
    Shutdown,
}

/// Handles one client line (without its `\n`). Lines the real server
/// ignores (no `!<id>`, fewer than two words) get no reply at all.
pub fn handle_line(shared: &Shared, client: &Arc<ClientHandle>, line: &[u8]) {
    let Some((id, name, args)) = parse_client_line(line) else {
        return;
    };
    // The world lock orders replies against the world's own updates: a
    // burst and its ACK are never split by a tick.
    let mut world = shared.world.lock();
    let mut after = After::Nothing;
    let (outcome, answer) = match name {
        CommandName::Known(command) => (
            dispatch(shared, client, &mut world, command, &args, &mut after),
            command.answer(),
        ),
        CommandName::Other(_) => (Err(Fail::NoSuchCommand), Answer::Ack),
    };
    match outcome {
        Ok(()) => match answer {
            Answer::Ack => client.send_one(Proto::Ack, &records::ack_record(id)),
            // SHUTDOWN: no ACK, ever; TERMINATE follows.
            Answer::Terminate => {}
        },
        Err(Fail::NoSuchCommand) => client.send_one(
            Proto::Error,
            &records::error_record(id, NO_SUCH_COMMAND.as_bytes()),
        ),
        Err(Fail::Text(text)) => {
            let text = cut(text.as_bytes());
            client.send_one(Proto::Error, &records::error_record(id, text));
            let mut status = FAILED_COMMAND_PREFIX.as_bytes().to_vec();
            status.extend_from_slice(text);
            shared.broadcast(&[(
                Proto::Status,
                records::status_record(&status, status_flags::ERROR),
            )]);
        }
    }
    if after == After::Shutdown {
        shared.hub.log("received SHUTDOWN command, stopping");
        shared.shutdown_command(&world);
    }
}

/// At most [`MAX_ERROR_TEXT`] bytes, as the server's `snprintf` buffer.
fn cut(text: &[u8]) -> &[u8] {
    &text[..text.len().min(MAX_ERROR_TEXT)]
}

fn word(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).into_owned()
}

fn dispatch(
    shared: &Shared,
    client: &Arc<ClientHandle>,
    world: &mut World,
    command: ServerCommand,
    args: &[Vec<u8>],
    after: &mut After,
) -> Outcome {
    match command {
        ServerCommand::Capability => capability(client, args),
        ServerCommand::Enable => enable(client, world, args),
        ServerCommand::Remove => remove(client, args),
        ServerCommand::Shutdown => {
            shared.status("Received SHUTDOWN command", status_flags::FATAL);
            *after = After::Shutdown;
            Ok(())
        }
        ServerCommand::AddSource => addsource(shared, world, args),
        ServerCommand::DelSource => delsource(shared, world, args),
        ServerCommand::RestartSource => restartsource(shared, world, args),
        ServerCommand::HopSource => hopsource(world, args),
        ServerCommand::ChanSource => chansource(world, args),
        ServerCommand::AddNetTag => addnettag(shared, world, args),
        ServerCommand::DelNetTag => delnettag(shared, world, args),
        ServerCommand::AddCliTag => addclitag(shared, world, args),
        ServerCommand::DelCliTag => delclitag(shared, world, args),
        ServerCommand::AddTrackerFilter
        | ServerCommand::AddNetCliFilter
        | ServerCommand::AddStringsFilter => {
            // Guess: the real server's text for a missing filter spec was
            // not recorded.
            if args.is_empty() {
                return fail(format!("Illegal {command} request"));
            }
            Ok(())
        }
        ServerCommand::ListWepKeys => {
            for r in updates::wepkeys(world) {
                client.send_one(Proto::Wepkey, &r);
            }
            Ok(())
        }
        ServerCommand::AddWepKey => addwepkey(world, args),
        ServerCommand::DelWepKey => {
            let Some(arg) = args.first() else {
                return fail("Illegal DELWEPKEY request");
            };
            let mac = Mac::parse(arg).map_or_else(|| fail("Illegal MAC address"), Ok)?;
            world.del_wepkey(mac);
            Ok(())
        }
        ServerCommand::Strings => {
            let Some(arg) = args.first() else {
                return fail("Illegal STRINGS request");
            };
            world.set_strings(arg.first().is_some_and(|&b| b != b'0'));
            Ok(())
        }
    }
}

fn lookup(arg: &[u8]) -> Result<Proto, Fail> {
    Proto::lookup(arg).map_or_else(|| fail(format!("Unknown protocol: '{}'", word(arg))), Ok)
}

/// `CAPABILITY PROTO`: exactly one argument.
fn capability(client: &ClientHandle, args: &[Vec<u8>]) -> Outcome {
    if args.len() != 1 {
        return fail("Illegal capability request");
    }
    let proto = lookup(&args[0])?;
    client.send_one(
        Proto::Capability,
        &records::payload_record(proto.def().capability),
    );
    Ok(())
}

/// `ENABLE PROTO fields|*`: subscribe, burst what is known, then ACK.
fn enable(client: &ClientHandle, world: &World, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 2 {
        return fail("Illegal enable request");
    }
    let proto = lookup(&args[0])?;
    // Only the first character is checked for '*', as on the real server.
    let fields: Fields = if args[1].first() == Some(&b'*') {
        all_fields(proto)
    } else {
        let mut v = Vec::new();
        for name in split_field_list(&args[1]) {
            match proto.field_index(name) {
                Some(i) => v.push(i as u16),
                None => return fail(format!("Unknown field {}", word(name))),
            }
        }
        v.into()
    };
    client.set_subscription(proto, Some(fields));
    let burst = updates::burst(world, proto);
    let items: Vec<(Proto, &Record)> = burst.iter().map(|r| (proto, r)).collect();
    client.send(&items);
    Ok(())
}

/// `REMOVE PROTO`: exactly one argument; removing twice is fine.
fn remove(client: &ClientHandle, args: &[Vec<u8>]) -> Outcome {
    if args.len() != 1 {
        return fail("Illegal remove request");
    }
    let proto = lookup(&args[0])?;
    client.set_subscription(proto, None);
    Ok(())
}

/// An information STATUS to every STATUS subscriber.
fn info(shared: &Shared, text: String) {
    shared.status(&text, status_flags::INFO);
}

/// `ADDSOURCE iface:name=X,type=Y,...`.
fn addsource(shared: &Shared, world: &mut World, args: &[Vec<u8>]) -> Outcome {
    let Some(arg) = args.first() else {
        return fail("Illegal ADDSOURCE command, expected source line");
    };
    let line = word(arg);
    let (iface, opts) = line.split_once(':').unwrap_or((line.as_str(), ""));
    if iface.is_empty() {
        return fail("ADDSOURCE command failed");
    }
    let opt = |key: &str| {
        opts.split(',')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.to_string())
    };
    let name = opt("name").unwrap_or_else(|| iface.to_string());
    let pcap = iface.ends_with(".pcap") || iface.ends_with(".pcapng");
    let stype = opt("type").unwrap_or_else(|| {
        if pcap {
            "pcapfile".to_string()
        } else {
            "auto".to_string()
        }
    });
    let i = world.add_source(iface, &name, &stype);
    let uuid = world.sources()[i].uuid.clone();
    let is_file = stype == "pcapfile";
    let list = if is_file { "n/a" } else { "IEEE80211b" };
    info(
        shared,
        format!("Using default channel list '{list}' on source '{name}'"),
    );
    info(shared, format!("Created source {iface} with UUID {uuid}"));
    if is_file {
        info(
            shared,
            format!(
                "Disabling channel hopping on source '{name}' because it is not capable of setting the channel."
            ),
        );
    }
    info(
        shared,
        format!("Will attempt to reopen on source '{name}' if there are errors"),
    );
    info(
        shared,
        format!("Added source '{line}' from client ADDSOURCE"),
    );
    if is_file && !std::path::Path::new(iface).exists() {
        shared.status(
            &format!("{iface}: No such file or directory"),
            status_flags::ERROR,
        );
    }
    info(shared, format!("Started source '{name}'"));
    Ok(())
}

/// True for a well-formed UUID (8-4-4-4-12 hex digits).
fn valid_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Checks the UUID argument of a source command and that it names a source.
fn source_uuid(world: &mut World, arg: &[u8], cmd: &str) -> Result<String, Fail> {
    let uuid = word(arg);
    if !valid_uuid(&uuid) {
        return fail(format!("Invalid UUID in {cmd} command"));
    }
    if world.source_mut(&uuid).is_none() {
        return fail(format!(
            "Invalid UUID in {cmd} command, couldn't find source with UUID {uuid}"
        ));
    }
    Ok(uuid)
}

fn delsource(shared: &Shared, world: &mut World, args: &[Vec<u8>]) -> Outcome {
    let Some(arg) = args.first() else {
        return fail("Illegal DELSOURCE command, expected UUID");
    };
    let uuid = source_uuid(world, arg, "DELSOURCE")?;
    info(
        shared,
        format!("Removing source '{uuid}' from client DELSOURCE"),
    );
    world.remove_source(&uuid);
    Ok(())
}

fn restartsource(shared: &Shared, world: &mut World, args: &[Vec<u8>]) -> Outcome {
    let Some(arg) = args.first() else {
        return fail("Illegal RESTARTSOURCE command, expected UUID");
    };
    let uuid = source_uuid(world, arg, "RESTARTSOURCE")?;
    info(
        shared,
        format!("Restarting source '{uuid}' from client RESTARTSOURCE"),
    );
    if let Some(s) = world.source_mut(&uuid) {
        s.error = false;
    }
    Ok(())
}

/// `HOPSOURCE UUID LOCK CHAN | HOP RATE | DWELL SECS`.
fn hopsource(world: &mut World, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 2 {
        return fail("Illegal HOPSOURCE command, expected UUID TYPE VAL");
    }
    let uuid = source_uuid(world, &args[0], "HOPSOURCE")?;
    let val: Option<u32> = match args.get(2) {
        Some(v) => match word(v).parse() {
            Ok(n) => Some(n),
            Err(_) => return fail("Invalid value, expected number"),
        },
        None => None,
    };
    let cmd = word(&args[1]).to_ascii_lowercase();
    let Some(src) = world.source_mut(&uuid) else {
        return fail("Invalid UUID in HOPSOURCE command");
    };
    match cmd.as_str() {
        "lock" => {
            src.hop = false;
            src.channel = val.unwrap_or(0).min(255) as u8;
        }
        "hop" => {
            src.hop = true;
            if let Some(v) = val {
                src.velocity = v;
                src.dwell = 0;
            }
        }
        "dwell" => {
            src.hop = true;
            if let Some(v) = val {
                src.dwell = v;
                src.velocity = 0;
            }
        }
        _ => return fail("Expected LOCK, HOP or DWELL"),
    }
    Ok(())
}

/// `CHANSOURCE UUID ch[:weight],...`.
fn chansource(world: &mut World, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 2 {
        return fail("Illegal CHANSOURCE command, expected UUID chanlist");
    }
    let uuid = source_uuid(world, &args[0], "CHANSOURCE")?;
    let list = word(&args[1]);
    let channels: Option<Vec<u8>> = list
        .split(',')
        .map(|c| c.split(':').next().unwrap_or("").parse::<u8>().ok())
        .collect();
    let Some(channels) = channels.filter(|c| !c.is_empty()) else {
        return fail(format!("Failed to set channel list for source UUID {uuid}"));
    };
    if let Some(src) = world.source_mut(&uuid) {
        src.set_channels(&list, channels);
    }
    Ok(())
}

fn mac_arg(arg: &[u8]) -> Result<Mac, Fail> {
    Mac::parse(arg).map_or_else(|| fail("Illegal MAC address"), Ok)
}

/// The rest of the line from argument `from` on, words joined by spaces.
fn rest(args: &[Vec<u8>], from: usize) -> String {
    args[from..]
        .iter()
        .map(|a| word(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `ADDNETTAG BSSID PERSIST TAG VALUE...`.
fn addnettag(shared: &Shared, world: &mut World, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 4 {
        return fail("Illegal ADDNETTAG request");
    }
    let bssid = mac_arg(&args[0])?;
    let (tag, value) = (word(&args[2]), rest(args, 3));
    if world.set_nettag(bssid, &tag, Some(&value)).is_none() {
        return fail(format!("Could not find network {bssid}"));
    }
    shared.broadcast(&[(Proto::Nettag, records::nettag_record(bssid, &tag, &value))]);
    Ok(())
}

/// `DELNETTAG BSSID TAG`: sent on as the tag with an empty value.
fn delnettag(shared: &Shared, world: &mut World, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 2 {
        return fail("Illegal DELNETTAG request");
    }
    let bssid = mac_arg(&args[0])?;
    let tag = word(&args[1]);
    if world.set_nettag(bssid, &tag, None).is_none() {
        return fail(format!("Could not find network {bssid}"));
    }
    shared.broadcast(&[(Proto::Nettag, records::nettag_record(bssid, &tag, ""))]);
    Ok(())
}

/// `ADDCLITAG BSSID MAC PERSIST TAG VALUE...`.
fn addclitag(shared: &Shared, world: &mut World, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 5 {
        return fail("Illegal ADDCLITAG request");
    }
    let (bssid, mac) = (mac_arg(&args[0])?, mac_arg(&args[1])?);
    let (tag, value) = (word(&args[3]), rest(args, 4));
    if world.set_clitag(bssid, mac, &tag, Some(&value)).is_none() {
        return fail(format!("Could not find client {mac} in network {bssid}"));
    }
    shared.broadcast(&[(
        Proto::Clitag,
        records::clitag_record(bssid, mac, &tag, &value),
    )]);
    Ok(())
}

/// `DELCLITAG BSSID MAC TAG`.
fn delclitag(shared: &Shared, world: &mut World, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 3 {
        return fail("Illegal DELCLITAG request");
    }
    let (bssid, mac) = (mac_arg(&args[0])?, mac_arg(&args[1])?);
    let tag = word(&args[2]);
    if world.set_clitag(bssid, mac, &tag, None).is_none() {
        return fail(format!("Could not find client {mac} in network {bssid}"));
    }
    shared.broadcast(&[(Proto::Clitag, records::clitag_record(bssid, mac, &tag, ""))]);
    Ok(())
}

/// `ADDWEPKEY BSSID,HEXKEY` (hex bytes, optionally colon-separated).
fn addwepkey(world: &mut World, args: &[Vec<u8>]) -> Outcome {
    let Some(arg) = args.first() else {
        return fail("Illegal ADDWEPKEY request");
    };
    let text = word(arg);
    let Some((bssid, key)) = text.split_once(',') else {
        return fail("Illegal ADDWEPKEY request");
    };
    let bssid = mac_arg(bssid.as_bytes())?;
    let hex: String = key.chars().filter(|&c| c != ':').collect();
    if !matches!(hex.len(), 10 | 26 | 32) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return fail("Invalid key");
    }
    world.add_wepkey(bssid, &hex.to_ascii_uppercase());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UUIDs are checked for their shape.
    #[test]
    fn uuid_shape() {
        assert!(valid_uuid("472aba5e-e96b-11f1-8482-6b04d31ac006"));
        assert!(!valid_uuid("472aba5e-e96b-11f1-8482"));
    }
}
