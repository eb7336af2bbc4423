//! The commands a legacy server understands, as one type.
//!
//! The server never lists its commands; these are the twenty of a default
//! `kismet_server` (newcore 2016-07-R1). The shell (`help !`, hints,
//! completion, confirmation), the client (`enable`, `remove`, `capability`,
//! how a command is answered) and the simulator (an exhaustive `match` in
//! its dispatch) all use this one enum, so a command added here must be
//! handled everywhere before the crate compiles. A name that is not here
//! still goes to the server as typed ([`crate::Command::raw`]).

use std::fmt;

/// What a command's argument is: drives completion, hints and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A protocol name from the capability table.
    Protocol,
    /// A comma list of that protocol's fields, or `*`.
    FieldList,
    /// A capture source's UUID.
    Uuid,
    /// A MAC address (a BSSID or a station).
    Mac,
    /// One word of free text.
    Word,
    /// The rest of the line.
    Rest,
}

/// How the server answers a command that it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `*ACK: <id> \x01OK\x01` (or `*ERROR: <id> ...`).
    Ack,
    /// Neither ACK nor ERROR, ever: the server sends `*TERMINATE` to every
    /// client and closes (SHUTDOWN).
    Terminate,
}

/// One command of the legacy server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerCommand {
    /// `CAPABILITY PROTO`: the protocol's field names.
    Capability,
    /// `ENABLE PROTO fields|*`: subscribe.
    Enable,
    /// `REMOVE PROTO`: unsubscribe.
    Remove,
    /// `SHUTDOWN`: stop the server.
    Shutdown,
    /// `ADDSOURCE line`: add a capture source.
    AddSource,
    /// `DELSOURCE UUID`: remove a capture source.
    DelSource,
    /// `RESTARTSOURCE UUID`: restart a failed source.
    RestartSource,
    /// `HOPSOURCE UUID LOCK|HOP|DWELL N`: channel control.
    HopSource,
    /// `CHANSOURCE UUID list`: channel list.
    ChanSource,
    /// `ADDNETTAG BSSID PERSIST TAG VALUE...`.
    AddNetTag,
    /// `DELNETTAG BSSID TAG`.
    DelNetTag,
    /// `ADDCLITAG BSSID MAC PERSIST TAG VALUE...`.
    AddCliTag,
    /// `DELCLITAG BSSID MAC TAG`.
    DelCliTag,
    /// `ADDTRACKERFILTER SPEC`.
    AddTrackerFilter,
    /// `ADDNETCLIFILTER SPEC`.
    AddNetCliFilter,
    /// `ADDSTRINGSFILTER SPEC`.
    AddStringsFilter,
    /// `LISTWEPKEYS`.
    ListWepKeys,
    /// `ADDWEPKEY BSSID,HEXKEY`.
    AddWepKey,
    /// `DELWEPKEY BSSID`.
    DelWepKey,
    /// `STRINGS 0|1`.
    Strings,
}

/// Everything the shell and the client know about one command.
struct Def {
    name: &'static str,
    usage: &'static str,
    args: &'static [ArgKind],
    dangerous: bool,
    summary: &'static str,
    example: &'static str,
}

use ArgKind::{FieldList, Mac, Protocol, Rest, Uuid, Word};

impl ServerCommand {
    /// Every command, in the order `help !` lists them.
    pub const ALL: [ServerCommand; 20] = [
        ServerCommand::Capability,
        ServerCommand::Enable,
        ServerCommand::Remove,
        ServerCommand::Shutdown,
        ServerCommand::AddSource,
        ServerCommand::DelSource,
        ServerCommand::RestartSource,
        ServerCommand::HopSource,
        ServerCommand::ChanSource,
        ServerCommand::AddNetTag,
        ServerCommand::DelNetTag,
        ServerCommand::AddCliTag,
        ServerCommand::DelCliTag,
        ServerCommand::AddTrackerFilter,
        ServerCommand::AddNetCliFilter,
        ServerCommand::AddStringsFilter,
        ServerCommand::ListWepKeys,
        ServerCommand::AddWepKey,
        ServerCommand::DelWepKey,
        ServerCommand::Strings,
    ];

    fn def(self) -> Def {
        let d = |name, usage, args, dangerous, summary, example| Def {
            name,
            usage,
            args,
            dangerous,
            summary,
            example,
        };
        match self {
            ServerCommand::Capability => d(
                "CAPABILITY",
                "PROTO",
                &[Protocol],
                false,
                "Asks for a protocol's field names; the server answers with a \
                 *CAPABILITY line, then the ACK.",
                "CAPABILITY GPS",
            ),
            ServerCommand::Enable => d(
                "ENABLE",
                "PROTO f1,f2,...|*",
                &[Protocol, FieldList],
                false,
                "Subscribes to a protocol with the fields listed (* for all). Fields \
                 come back in the order asked; a second ENABLE replaces the list. The \
                 server first sends every record it holds, then the ACK.",
                "ENABLE SSID ssid,mac",
            ),
            ServerCommand::Remove => d(
                "REMOVE",
                "PROTO",
                &[Protocol],
                false,
                "Stops a protocol, the always-on ones (TIME) too.",
                "REMOVE TIME",
            ),
            ServerCommand::Shutdown => d(
                "SHUTDOWN",
                "",
                &[],
                true,
                "Stops the server. It answers with no ACK: it sends *TERMINATE to \
                 every client, then closes the connections.",
                "SHUTDOWN",
            ),
            ServerCommand::AddSource => d(
                "ADDSOURCE",
                "iface:name=X,opt=v,...",
                &[Word],
                false,
                "Adds a capture source: an interface or a pcap file, with options.",
                "ADDSOURCE /tmp/capture.pcap:type=pcapfile,name=replay",
            ),
            ServerCommand::DelSource => d(
                "DELSOURCE",
                "UUID",
                &[Uuid],
                true,
                "Removes a capture source (SOURCE frames show the UUIDs).",
                "DELSOURCE 472aba5e-e96b-11f1-8482-6b04d31ac006",
            ),
            ServerCommand::RestartSource => d(
                "RESTARTSOURCE",
                "UUID",
                &[Uuid],
                false,
                "Restarts a capture source that failed.",
                "RESTARTSOURCE 472aba5e-e96b-11f1-8482-6b04d31ac006",
            ),
            ServerCommand::HopSource => d(
                "HOPSOURCE",
                "UUID LOCK CHAN | UUID HOP RATE | UUID DWELL SECS",
                &[Uuid, Word, Word],
                false,
                "Locks a source on a channel, or sets it hopping at RATE channels a \
                 second, or dwelling SECS seconds on each.",
                "HOPSOURCE 472aba5e-e96b-11f1-8482-6b04d31ac006 LOCK 6",
            ),
            ServerCommand::ChanSource => d(
                "CHANSOURCE",
                "UUID ch[:weight],...",
                &[Uuid, Word],
                false,
                "Sets the channels a source hops over, each with an optional weight.",
                "CHANSOURCE 472aba5e-e96b-11f1-8482-6b04d31ac006 1,6,11",
            ),
            ServerCommand::AddNetTag => d(
                "ADDNETTAG",
                "BSSID PERSIST TAG VALUE...",
                &[Mac, Word, Word, Rest],
                false,
                "Sets a tag on a network (PERSIST 1 keeps it across restarts); the \
                 value is the rest of the line.",
                "ADDNETTAG 00:14:6C:A1:00:01 0 owner the neighbours",
            ),
            ServerCommand::DelNetTag => d(
                "DELNETTAG",
                "BSSID TAG",
                &[Mac, Word],
                false,
                "Removes a tag from a network.",
                "DELNETTAG 00:14:6C:A1:00:01 owner",
            ),
            ServerCommand::AddCliTag => d(
                "ADDCLITAG",
                "BSSID MAC PERSIST TAG VALUE...",
                &[Mac, Mac, Word, Word, Rest],
                false,
                "Sets a tag on a client of a network; the value is the rest of the line.",
                "ADDCLITAG 00:14:6C:A1:00:01 00:21:6A:10:00:01 0 who anna",
            ),
            ServerCommand::DelCliTag => d(
                "DELCLITAG",
                "BSSID MAC TAG",
                &[Mac, Mac, Word],
                false,
                "Removes a tag from a client.",
                "DELCLITAG 00:14:6C:A1:00:01 00:21:6A:10:00:01 who",
            ),
            ServerCommand::AddTrackerFilter => d(
                "ADDTRACKERFILTER",
                "SPEC",
                &[Rest],
                false,
                "Adds a filter on what the server tracks.",
                "ADDTRACKERFILTER BSSID(!AA:BB:CC:DD:EE:FF)",
            ),
            ServerCommand::AddNetCliFilter => d(
                "ADDNETCLIFILTER",
                "SPEC",
                &[Rest],
                false,
                "Adds a filter on the networks and clients sent to clients.",
                "ADDNETCLIFILTER BSSID(!AA:BB:CC:DD:EE:FF)",
            ),
            ServerCommand::AddStringsFilter => d(
                "ADDSTRINGSFILTER",
                "SPEC",
                &[Rest],
                false,
                "Adds a filter on the STRING frames.",
                "ADDSTRINGSFILTER BSSID(AA:BB:CC:DD:EE:FF)",
            ),
            ServerCommand::ListWepKeys => d(
                "LISTWEPKEYS",
                "",
                &[],
                false,
                "Lists the WEP keys the server decrypts with (as WEPKEY frames).",
                "LISTWEPKEYS",
            ),
            ServerCommand::AddWepKey => d(
                "ADDWEPKEY",
                "BSSID,HEXKEY",
                &[Word],
                false,
                "Adds a WEP key for a network.",
                "ADDWEPKEY 00:14:6C:A1:00:01,0102030405",
            ),
            ServerCommand::DelWepKey => d(
                "DELWEPKEY",
                "BSSID",
                &[Mac],
                false,
                "Removes a network's WEP key.",
                "DELWEPKEY 00:14:6C:A1:00:01",
            ),
            ServerCommand::Strings => d(
                "STRINGS",
                "0|1",
                &[Word],
                false,
                "Turns the extraction of printable strings from data frames off or on.",
                "STRINGS 1",
            ),
        }
    }

    /// The name as the server spells it (upper case).
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// Argument syntax, as shown in hints and help (empty: none).
    pub fn usage(self) -> &'static str {
        self.def().usage
    }

    /// The kinds of the arguments, in order (for completion).
    pub fn args(self) -> &'static [ArgKind] {
        self.def().args
    }

    /// True for a command the interactive shell asks to confirm.
    pub fn is_dangerous(self) -> bool {
        self.def().dangerous
    }

    /// What the command does, for `help !CMD`.
    pub fn summary(self) -> &'static str {
        self.def().summary
    }

    /// An example, without the leading `!`.
    pub fn example(self) -> &'static str {
        self.def().example
    }

    /// How the server answers it when accepted.
    pub fn answer(self) -> Answer {
        match self {
            ServerCommand::Shutdown => Answer::Terminate,
            _ => Answer::Ack,
        }
    }

    /// The protocol of the data lines the server sends in answer, before its
    /// ACK, whether or not the client enabled it (`*CAPABILITY` for
    /// CAPABILITY).
    pub fn data_protocol(self) -> Option<&'static str> {
        match self {
            ServerCommand::Capability => Some("CAPABILITY"),
            _ => None,
        }
    }

    /// The command called `name`, any case.
    pub fn from_name(name: &str) -> Option<ServerCommand> {
        ServerCommand::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for ServerCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are unique, upper case and found in any case; the usage names
    /// as many arguments as there are kinds (alternatives aside).
    #[test]
    fn table_is_consistent() {
        let mut names: Vec<&str> = ServerCommand::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ServerCommand::ALL.len());
        for c in ServerCommand::ALL {
            assert_eq!(c.name(), c.name().to_ascii_uppercase());
            assert_eq!(ServerCommand::from_name(&c.name().to_lowercase()), Some(c));
            let first = c.usage().split(" | ").next().unwrap_or("");
            assert_eq!(
                first.split_whitespace().count(),
                c.args().len(),
                "{c}: {}",
                c.usage()
            );
            assert!(c.example().starts_with(c.name()), "{c}");
            assert!(!c.summary().is_empty());
        }
        assert_eq!(ServerCommand::from_name("NOSUCHCMD"), None);
        assert_eq!(ServerCommand::Shutdown.answer(), Answer::Terminate);
        assert!(ServerCommand::Shutdown.is_dangerous() && ServerCommand::DelSource.is_dangerous());
    }
}
