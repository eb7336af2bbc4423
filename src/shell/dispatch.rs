//! Runs a parsed command: raw server commands go to the server, each shell
//! command to its handler with its typed arguments. Apart from
//! [`super::commands`] (parsing) so that the handlers and the views, which
//! take the commands' typed values, sit between the two.

use super::capture;
use super::commands::{help_text, Parsed, ShellCommand};
use super::handlers::{self, Handled};
use super::outcome::{Outcome, ShellError};
use super::session::Session;
use super::watch;

/// Runs one parsed command.
///
/// # Errors
/// [`ShellError`]: refused locally, answered with ERROR
/// ([`kismet_client::Error::Server`], which carries the reply), no reply, or no connection.
pub fn execute(session: &Session, parsed: Parsed) -> Result<Outcome, ShellError> {
    match parsed {
        Parsed::Empty => Ok(Outcome::Nothing),
        Parsed::Raw(cmd) => Ok(Outcome::Reply(session.request(&cmd)?)),
        Parsed::Shell(command) => run(session, command),
    }
}

/// Runs a shell command: each command goes to its handler with its typed
/// arguments (the match is exhaustive: a command without a handler does
/// not compile).
fn run(session: &Session, command: ShellCommand) -> Handled {
    use ShellCommand as C;
    match command {
        c @ (C::Networks { .. } | C::Clients { .. } | C::Stations { .. }) => {
            handlers::Listing::live_command(session, c)
        }
        C::Network { net } => super::network::live(session, &net),
        C::Protocols => handlers::protocols(session),
        C::Fields { proto } => handlers::fields(session, &proto),
        C::Enable { proto, fields } => handlers::enable(session, &proto, &fields),
        C::Remove { proto } => handlers::remove(session, &proto),
        C::Status => handlers::status(session),
        C::Pause => handlers::pause(session),
        C::Resume => handlers::resume(session),
        C::Gps => handlers::gps(session),
        C::Servers => Ok(super::fleet::servers_of(session)),
        C::Sources => capture::sources(session),
        C::Lock { source, channel } => capture::lock(session, &source, channel),
        C::Hop {
            source,
            channels,
            rate,
        } => capture::hop(session, &source, &channels, rate),
        C::Addsource { definition } => capture::addsource(session, &definition),
        C::Delsource { source } => capture::delsource(session, &source),
        C::Alerts { wide } => super::alerts::list(session).map(|o| o.widened(wide)),
        C::Channels => capture::channels(session),
        C::Db { action, file } => super::db::handler(session, action, file.as_deref()),
        C::Sessions => super::db::sessions(session),
        C::Sql { query } => super::db::sql(session, &query),
        C::Export {
            file,
            what,
            format,
            best,
        } => handlers::export(session, &file, format, super::export::options(what, best)),
        C::Watch {
            target,
            net,
            sort,
            kind,
        } => watch::handler(session, target, net, sort, kind),
        C::Filter { proto, expr } => handlers::filter(session, proto.as_deref(), expr),
        C::Only { proto, mode } => handlers::only(session, &proto, mode.into()),
        C::Set { change } => handlers::set(session, change),
        C::Connect {
            addr,
            keep,
            add: false,
        } => handlers::connect(session, &addr, keep),
        c @ (C::Connect { add: true, .. }
        | C::Use { .. }
        | C::On { .. }
        | C::Disconnect { name: Some(_) }) => one_server(session, c),
        C::Reconnect => handlers::reconnect(session),
        C::Disconnect { name: None } => handlers::disconnect(session),
        C::Clear => handlers::clear(session),
        C::Help { topic } => help_text(topic.as_deref()).map(|text| Outcome::Help { topic, text }),
        C::Quit => handlers::quit(session),
    }
}

/// `use`, `on`, `connect --add` and `disconnect NAME` in a session of one
/// server (a batch run of one, or dispatched there): its own name (its
/// address) and `all` name it.
///
/// # Errors
/// Another name, `connect --add` (for the interactive shell), or what
/// `on`'s command gives.
pub fn one_server(session: &Session, command: ShellCommand) -> Handled {
    let addr = session.client().addr().to_string();
    let check = |name: &str, all: bool| {
        if name.eq_ignore_ascii_case(&addr) || (all && name.eq_ignore_ascii_case("all")) {
            Ok(())
        } else {
            Err(ShellError::Usage(format!(
                "no server {name} (this session has one: {addr})"
            )))
        }
    };
    match command {
        ShellCommand::Use { name } => {
            check(&name, false)?;
            Ok(Outcome::Note(format!("commands go to {addr}")))
        }
        ShellCommand::On { target, line } => {
            check(&target, true)?;
            execute(session, super::commands::parse(&line)?)
        }
        ShellCommand::Disconnect { name: Some(name) } => {
            check(&name, false)?;
            handlers::disconnect(session)
        }
        ShellCommand::Connect { add: true, .. } => Err(ShellError::Usage(
            "connect --add is for the interactive shell; a batch run takes its servers on \
             the command line (kismet-shell kitchen=HOST1 attic=HOST2 -c ...)"
                .into(),
        )),
        other => Err(ShellError::Usage(format!(
            "not a server command: {other:?}"
        ))),
    }
}
