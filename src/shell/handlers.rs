//! What each shell command does: one function per command, called through
//! the command table with the words typed after the name (their number
//! already checked against the table).

use std::sync::atomic::Ordering;

use super::outcome::{Outcome, ProtocolRow, ShellError, StatusReport};
use super::session::Session;
use crate::client::Error;

/// The result of a handler.
pub type Handled = Result<Outcome, ShellError>;

/// `protocols`: the server's protocols, their fields and what is enabled.
pub fn protocols(session: &Session, _args: &[String]) -> Handled {
    Ok(Outcome::Protocols(protocol_rows(session)))
}

/// `fields PROTO`: one protocol's fields in order.
pub fn fields(session: &Session, args: &[String]) -> Handled {
    let client = &session.client;
    let table = client.table();
    let info = table.protocol(&args[0]).map_err(Error::Lookup)?;
    Ok(Outcome::Fields {
        protocol: info.name.clone(),
        fields: info.fields.to_vec(),
        enabled: client.subscription(&info.name).map(|f| f.to_vec()),
    })
}

/// `enable PROTO fields`: the client's own enable, checked locally first.
pub fn enable(session: &Session, args: &[String]) -> Handled {
    let reply = session.client.enable(&args[0], &args[1], session.wait())?;
    Ok(Outcome::Reply(reply))
}

/// `remove PROTO`: the client's own remove.
pub fn remove(session: &Session, args: &[String]) -> Handled {
    let reply = session.client.remove(&args[0], session.wait())?;
    Ok(Outcome::Reply(reply))
}

/// `status`: server, connection, rates and counters.
pub fn status(session: &Session, _args: &[String]) -> Handled {
    Ok(Outcome::Status(status_report(session)))
}

/// `pause`: hold the scrolling frames.
pub fn pause(session: &Session, _args: &[String]) -> Handled {
    session.paused.store(true, Ordering::Release);
    Ok(Outcome::Paused(true))
}

/// `resume`: show frames again.
pub fn resume(session: &Session, _args: &[String]) -> Handled {
    session.paused.store(false, Ordering::Release);
    Ok(Outcome::Paused(false))
}

/// `quit`: leave.
pub fn quit(_session: &Session, _args: &[String]) -> Handled {
    Ok(Outcome::Quit)
}

/// The rows of the `protocols` table.
pub fn protocol_rows(session: &Session) -> Vec<ProtocolRow> {
    let subs = session.client.subscriptions();
    let counts = session.client.frame_counts();
    session
        .client
        .table()
        .iter()
        .map(|p| ProtocolRow {
            protocol: p.name.clone(),
            fields: p.fields.to_vec(),
            enabled: subs
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(&p.name))
                .map(|(_, f)| f.to_vec()),
            frames: counts.total(&p.name),
        })
        .collect()
}

/// The `status` report.
pub fn status_report(session: &Session) -> StatusReport {
    let client = &session.client;
    let info = client.server_info();
    let stats = client.stats();
    let mut dropped: Vec<(String, u64)> = stats.dropped.into_iter().collect();
    dropped.sort();
    StatusReport {
        server_name: info.name,
        addr: client.addr().to_string(),
        connected: client.is_connected(),
        server_start: info.start_time,
        server_time: client.server_time(),
        uptime: client.connected_at().elapsed(),
        rates: client.frame_rates(),
        dropped,
        malformed: stats.malformed,
        overlong: stats.overlong,
        pending: client.pending_count(),
        connections: stats.connections,
        paused: session.is_paused(),
    }
}
