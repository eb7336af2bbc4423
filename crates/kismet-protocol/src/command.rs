//! Outgoing client commands, `!<id> <CMD> <args...>\n`, and the reverse
//! (splitting a client line into its words) for the simulated server.

use std::fmt;

use crate::server_command::ServerCommand;
use crate::spec::{MAX_LINE, QUOTE};

/// Why a command cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// The command name is empty.
    EmptyName,
    /// The command name holds something other than ASCII letters, digits, `_`.
    BadName(String),
    /// An argument holds a byte that would start a new command or break quoting.
    BadArgument {
        /// Index of the argument (0 is the first after the command name).
        index: usize,
        /// What the offending byte is.
        what: &'static str,
    },
    /// The line would be longer than a server takes ([`MAX_LINE`] bytes
    /// with its newline): it resets the connection of a client that sends
    /// one.
    TooLong {
        /// The line's length in bytes (counted with the longest id).
        len: usize,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::EmptyName => write!(f, "empty command name"),
            CommandError::BadName(n) => write!(
                f,
                "command name {n:?} is not a plain name (letters, digits, '_')"
            ),
            CommandError::BadArgument { index, what } => write!(
                f,
                "argument {} contains {what}, which the protocol cannot carry",
                index + 1
            ),
            CommandError::TooLong { len, limit } => write!(
                f,
                "the command is {len} bytes long, over the server's {limit}-byte \
                 line limit (a server resets the connection of a client that sends one)"
            ),
        }
    }
}

impl std::error::Error for CommandError {}

/// The name of a command to send: one the server is known to have, or any
/// other (sent as typed: the server answers `NO SUCH COMMAND` if it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandName {
    /// A command of [`ServerCommand`].
    Known(ServerCommand),
    /// Any other name, upper-cased.
    Other(String),
}

impl CommandName {
    /// The name as sent.
    pub fn as_str(&self) -> &str {
        match self {
            CommandName::Known(c) => c.name(),
            CommandName::Other(n) => n,
        }
    }
}

/// A command to send: its name (case-insensitive on the server) and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command.
    pub name: CommandName,
    /// Arguments, each one word on the wire (quoted if it holds spaces).
    pub args: Vec<String>,
}

impl Command {
    /// One of the server's commands with its arguments.
    ///
    /// # Examples
    /// ```
    /// use kismet_protocol::{Command, ServerCommand};
    /// let c = Command::new(ServerCommand::Enable, ["SSID", "ssid,mac"]);
    /// assert_eq!(c.encode(2).unwrap(), b"!2 ENABLE SSID ssid,mac\n");
    /// ```
    pub fn new<I, S>(command: ServerCommand, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Command {
            name: CommandName::Known(command),
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// A command by name, as typed: a known name becomes its
    /// [`ServerCommand`], any other is kept (upper-cased) and sent as is.
    ///
    /// # Examples
    /// ```
    /// use kismet_protocol::{Command, ServerCommand};
    /// assert_eq!(Command::raw("enable", ["GPS", "lat"]).server_command(), Some(ServerCommand::Enable));
    /// assert_eq!(Command::raw("nosuchcmd", [""; 0]).encode(3).unwrap(), b"!3 NOSUCHCMD\n");
    /// ```
    pub fn raw<I, S>(name: &str, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let name = match ServerCommand::from_name(name) {
            Some(c) => CommandName::Known(c),
            None => CommandName::Other(name.to_ascii_uppercase()),
        };
        Command {
            name,
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// The server command, when the name is a known one.
    pub fn server_command(&self) -> Option<ServerCommand> {
        match self.name {
            CommandName::Known(c) => Some(c),
            CommandName::Other(_) => None,
        }
    }

    /// The name as sent (upper case).
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// Checks that the command can be written as one line.
    ///
    /// # Errors
    /// [`CommandError`] when the name is not a plain name, an argument holds
    /// `\n`, `\r` or `\x01`, or the line would be over [`MAX_LINE`] bytes
    /// (counted with the longest id, so that whether a command fits does
    /// not depend on its id).
    pub fn validate(&self) -> Result<(), CommandError> {
        let name = self.name();
        if name.is_empty() {
            return Err(CommandError::EmptyName);
        }
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(CommandError::BadName(name.to_string()));
        }
        for (index, arg) in self.args.iter().enumerate() {
            for b in arg.bytes() {
                let what = match b {
                    b'\n' => "a newline",
                    b'\r' => "a carriage return",
                    QUOTE => "a \\x01 byte",
                    _ => continue,
                };
                return Err(CommandError::BadArgument { index, what });
            }
        }
        let len = self.encoded_len(u64::MAX);
        if len > MAX_LINE {
            return Err(CommandError::TooLong {
                len,
                limit: MAX_LINE,
            });
        }
        Ok(())
    }

    /// The length of [`Command::encode`]'s line for `id`, newline included.
    fn encoded_len(&self, id: u64) -> usize {
        let digits = id.checked_ilog10().unwrap_or(0) as usize + 1;
        let args: usize = self
            .args
            .iter()
            .map(|a| 1 + a.len() + if needs_quotes(a) { 2 } else { 0 })
            .sum();
        1 + digits + 1 + self.name().len() + args + 1
    }

    /// The command as the user would write it: `ENABLE SSID ssid,mac`.
    pub fn text(&self) -> String {
        let mut s = self.name().to_string();
        for a in &self.args {
            s.push(' ');
            if needs_quotes(a) {
                s.push('"');
                s.push_str(a);
                s.push('"');
            } else {
                s.push_str(a);
            }
        }
        s
    }

    /// Encodes `!<id> NAME args...\n`, quoting arguments that hold spaces.
    ///
    /// # Errors
    /// As [`Command::validate`]: nothing is encoded for a bad command.
    pub fn encode(&self, id: u64) -> Result<Vec<u8>, CommandError> {
        self.validate()?;
        let name = self.name();
        let mut out = Vec::with_capacity(self.encoded_len(id));
        out.push(b'!');
        out.extend_from_slice(id.to_string().as_bytes());
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        for a in &self.args {
            out.push(b' ');
            if needs_quotes(a) {
                out.push(QUOTE);
                out.extend_from_slice(a.as_bytes());
                out.push(QUOTE);
            } else {
                out.extend_from_slice(a.as_bytes());
            }
        }
        out.push(b'\n');
        Ok(out)
    }
}

/// An argument needs `\x01` quotes when it is empty or holds whitespace.
fn needs_quotes(arg: &str) -> bool {
    arg.is_empty() || arg.bytes().any(|b| b == b' ' || b == b'\t')
}

/// Splits a client line into words the way the server does: single spaces
/// separate words, `\x01...\x01` is one word that may hold spaces. A trailing
/// `\r` is stripped first (CRLF clients work). Empty words between two spaces
/// are kept, as the server keeps them.
pub fn split_words(line: &[u8]) -> Vec<Vec<u8>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut words = Vec::new();
    let mut cur = Vec::new();
    let mut quoted = false;
    // A word opened by a quote exists even when empty (`\x01\x01`).
    let mut opened = false;
    for &b in line {
        match b {
            QUOTE => {
                quoted = !quoted;
                opened = true;
            }
            b' ' if !quoted => {
                words.push(std::mem::take(&mut cur));
                opened = false;
            }
            _ => cur.push(b),
        }
    }
    if !cur.is_empty() || opened {
        words.push(cur);
    }
    words
}

/// Splits an ENABLE field list as the server's `StrTokenize(list, ",")`
/// does: a trailing comma adds no empty name, an empty list gives no names
/// (a comma at the start gives an empty first name).
pub fn split_field_list(list: &[u8]) -> Vec<&[u8]> {
    if list.is_empty() {
        return Vec::new();
    }
    let mut parts: Vec<&[u8]> = list.split(|&b| b == b',').collect();
    if parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// A client line as the server reads it: `!<id>` then the command and its
/// arguments. `None` for a line the server ignores without a reply (no `!`,
/// an id that does not start with a digit, fewer than two words).
pub fn parse_client_line(line: &[u8]) -> Option<(u64, CommandName, Vec<Vec<u8>>)> {
    let words = split_words(line);
    if words.len() < 2 {
        return None;
    }
    // The server reads the id like sscanf("%d"): leading digits, the rest
    // of the word ignored (`!12abc` is command 12, `!abc` is no command).
    let id = words[0].strip_prefix(b"!")?;
    let digits = id.iter().take_while(|b| b.is_ascii_digit()).count();
    let id: u64 = std::str::from_utf8(&id[..digits]).ok()?.parse().ok()?;
    let name = Command::raw(&String::from_utf8_lossy(&words[1]), [""; 0]).name;
    Some((id, name, words[2..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Arguments with spaces are quoted, bad bytes refused.
    #[test]
    fn encode_and_refuse() {
        let c = Command::raw("addnettag", ["00:11", "1", "note", "hello world"]);
        assert_eq!(c.server_command(), Some(ServerCommand::AddNetTag));
        assert_eq!(
            c.encode(7).unwrap(),
            b"!7 ADDNETTAG 00:11 1 note \x01hello world\x01\n"
        );
        for bad in ["a\nb", "a\rb", "a\x01b"] {
            let c = Command::new(ServerCommand::Enable, ["SSID", bad]);
            assert!(matches!(
                c.encode(1),
                Err(CommandError::BadArgument { index: 1, .. })
            ));
        }
        assert_eq!(
            Command::raw("", Vec::<String>::new()).encode(1),
            Err(CommandError::EmptyName)
        );
        assert!(matches!(
            Command::raw("EN ABLE", Vec::<String>::new()).encode(1),
            Err(CommandError::BadName(_))
        ));
    }

    /// A line over the server's limit is refused before it is encoded,
    /// counted with the longest id: one that fits with any id is taken.
    #[test]
    fn overlong_command_is_refused() {
        // "!<20 digits> ADDNETTAG 00:11 1 note <value>\n"
        let overhead = 1 + 20 + 1 + "ADDNETTAG".len() + " 00:11 1 note ".len() + 1;
        let value = |n| "v".repeat(n);
        let fits = Command::raw(
            "addnettag",
            ["00:11", "1", "note", &value(MAX_LINE - overhead)],
        );
        let line = fits.encode(u64::MAX).unwrap();
        assert_eq!(line.len(), MAX_LINE);
        assert_eq!(fits.encoded_len(7), fits.encode(7).unwrap().len());
        let over = Command::raw(
            "addnettag",
            ["00:11", "1", "note", &value(MAX_LINE - overhead + 1)],
        );
        assert_eq!(
            over.encode(1),
            Err(CommandError::TooLong {
                len: MAX_LINE + 1,
                limit: MAX_LINE
            })
        );
        let e = over.validate().unwrap_err().to_string();
        assert!(e.contains("over the server's 65536-byte line limit"), "{e}");
    }

    /// Field lists split as the server's tokenizer does.
    #[test]
    fn field_lists_like_server() {
        assert_eq!(split_field_list(b"mac,"), vec![&b"mac"[..]]);
        assert_eq!(split_field_list(b"mac,ssid"), vec![&b"mac"[..], b"ssid"]);
        assert_eq!(split_field_list(b",mac"), vec![&b""[..], b"mac"]);
        assert!(split_field_list(b"").is_empty());
    }

    /// The server's reading of client lines, as the recordings show it.
    #[test]
    fn client_lines() {
        assert_eq!(
            parse_client_line(b"!2 ENABLE SSID ssid,mac"),
            Some((
                2,
                CommandName::Known(ServerCommand::Enable),
                vec![b"SSID".to_vec(), b"ssid,mac".to_vec()]
            ))
        );
        assert_eq!(
            parse_client_line(b"!15 ENABLE SSID \x01mac,ssid\x01"),
            Some((
                15,
                CommandName::Known(ServerCommand::Enable),
                vec![b"SSID".to_vec(), b"mac,ssid".to_vec()]
            ))
        );
        assert_eq!(
            parse_client_line(b"!10 enable STATUS text,flags\r"),
            Some((
                10,
                CommandName::Known(ServerCommand::Enable),
                vec![b"STATUS".to_vec(), b"text,flags".to_vec()]
            ))
        );
        assert_eq!(parse_client_line(b"ENABLE CLIENT *"), None);
        assert_eq!(parse_client_line(b"!abc ENABLE TIME *"), None);
        assert_eq!(
            parse_client_line(b"!12abc REMOVE TIME"),
            Some((
                12,
                CommandName::Known(ServerCommand::Remove),
                vec![b"TIME".to_vec()]
            ))
        );
        assert_eq!(parse_client_line(b"!12"), None);
        assert_eq!(
            parse_client_line(b"!13 bogus"),
            Some((13, CommandName::Other("BOGUS".into()), vec![]))
        );
        let (_, _, args) = parse_client_line(b"!16 ENABLE SSID mac, ssid").unwrap();
        assert_eq!(args[1], b"mac,");
    }
}
