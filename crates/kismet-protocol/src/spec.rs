//! Facts of the legacy protocol that do not depend on any one server: each
//! defined once, here, and used by the client, the simulator and the tests.
//!
//! What a real server (kismet_server newcore 2016-07-R1) does on the wire is
//! written up in `docs/PROTOCOL.md` in this repository; the recordings in
//! `tests/fixtures/legacy-server/` are the ground truth behind it.

/// The server's TCP port.
pub const DEFAULT_PORT: u16 = 2501;

/// Where the client connects when given no address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:2501";

/// Longest line accepted. A client line longer than this with no newline
/// makes the server reset the connection; the client skips server lines
/// over it.
pub const MAX_LINE: usize = 64 * 1024;

/// Most protocols a client takes from a server's `PROTOCOLS` line. A
/// default server names 29 and plugins add a few; the limit is there for a
/// hostile server, which could otherwise have the client ask for and hold
/// thousands of field lists within the handshake (8,000 protocols of
/// 12,000 fields each reach 3.3 GB). With [`MAX_FIELDS`] and [`MAX_LINE`]
/// it holds the capability table under about 30 MB.
pub const MAX_PROTOCOLS: usize = 256;

/// Most fields a client takes for one protocol; the widest of a default
/// server (CLIENT) has 58. See [`MAX_PROTOCOLS`].
pub const MAX_FIELDS: usize = 1024;

/// Longest protocol name (the `HEADER` of `*HEADER: fields`).
pub const MAX_HEADER_LEN: usize = 16;

/// Byte that wraps string fields and arguments with spaces (SOH).
pub const QUOTE: u8 = 0x01;

/// Longest `*ERROR` text: the server formats it into a 1024-byte buffer.
pub const MAX_ERROR_TEXT: usize = 1023;

/// Lines the server queues for a client that reads too slowly; later lines
/// are dropped without notice.
pub const MAX_BACKLOG_LINES: usize = 5000;

/// Protocols the server enables for every client from the moment it
/// connects (and which `REMOVE` can still switch off).
pub const ALWAYS_ON: [&str; 7] = [
    "KISMET",
    "ERROR",
    "ACK",
    "PROTOCOLS",
    "CAPABILITY",
    "TERMINATE",
    "TIME",
];

/// Protocols whose line carries one payload, the whole rest of the line,
/// with no trailing space: `*TIME: 1795678127`, `*PROTOCOLS: A,B`,
/// `*CAPABILITY: GPS lat,lon`, `*TERMINATE: Kismet server terminating.`.
pub const PAYLOAD_PROTOCOLS: [&str; 4] = ["TIME", "PROTOCOLS", "CAPABILITY", "TERMINATE"];

/// The text of the `*TERMINATE` line a server sends when it stops.
pub const TERMINATE_TEXT: &str = "Kismet server terminating.";

/// The STATUS text a server broadcasts for a failed command, before the
/// error text (not for `NO SUCH COMMAND`).
pub const FAILED_COMMAND_PREFIX: &str = "Failed Kismet client command: ";

/// The `*ERROR` text for a command name the server does not know.
pub const NO_SUCH_COMMAND: &str = "NO SUCH COMMAND";

/// STATUS flags (a bit set): what kind of message it is.
pub mod status_flags {
    /// Debug message.
    pub const DEBUG: u32 = 1;
    /// Information.
    pub const INFO: u32 = 2;
    /// An error.
    pub const ERROR: u32 = 4;
    /// An alert.
    pub const ALERT: u32 = 8;
    /// A fatal condition (the server is stopping).
    pub const FATAL: u32 = 16;
}

/// True for a protocol whose payload is the whole rest of the line.
pub fn is_payload_protocol(header: &[u8]) -> bool {
    PAYLOAD_PROTOCOLS.iter().any(|p| p.as_bytes() == header)
}

/// True for a protocol the server enables for every client (any case).
pub fn is_always_on(protocol: &str) -> bool {
    ALWAYS_ON.iter().any(|p| p.eq_ignore_ascii_case(protocol))
}

/// HOST or HOST:PORT -> HOST:PORT (default port 2501); IPv6 in brackets.
/// An address it cannot make sense of is passed on as it is, for the
/// resolver to refuse: [`check_addr`] says what is wrong instead.
pub fn normalize_addr(addr: Option<&str>) -> String {
    check_addr(addr).unwrap_or_else(|_| addr.unwrap_or_default().to_string())
}

/// An address that is not `HOST`, `HOST:PORT`, `IPv6` or `[IPv6]:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadAddress {
    /// The address as given.
    pub addr: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl std::fmt::Display for BadAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (give HOST, HOST:PORT, or [IPv6]:PORT)",
            crate::text::abbreviate(&self.addr),
            self.why
        )
    }
}

impl std::error::Error for BadAddress {}

/// [`normalize_addr`], checked: HOST or HOST:PORT -> HOST:PORT (port 2501
/// if left out), a bare IPv6 address in brackets.
///
/// # Errors
/// [`BadAddress`]: empty, a port that is not a number from 1 to 65535, or
/// several colons in something that is not an IPv6 address
/// (`127.0.0.1:2501:99`).
pub fn check_addr(addr: Option<&str>) -> Result<String, BadAddress> {
    let Some(a) = addr else {
        return Ok(DEFAULT_ADDR.to_string());
    };
    let bad = |why| BadAddress {
        addr: a.to_string(),
        why,
    };
    let port_ok = |p: &str| p.parse::<u16>().is_ok_and(|p| p != 0);
    if a.is_empty() {
        return Err(bad("empty address"));
    }
    if let Some(rest) = a.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(bad("no ']' after the IPv6 address"));
        };
        if host.parse::<std::net::Ipv6Addr>().is_err() && !host.contains('%') {
            return Err(bad("not an IPv6 address in the brackets"));
        }
        return match after.strip_prefix(':') {
            None if after.is_empty() => Ok(format!("{a}:{DEFAULT_PORT}")),
            Some(port) if port_ok(port) => Ok(a.to_string()),
            Some(_) => Err(bad("the port is not a number from 1 to 65535")),
            None => Err(bad("unexpected text after ']'")),
        };
    }
    match a.matches(':').count() {
        0 => Ok(format!("{a}:{DEFAULT_PORT}")),
        1 => {
            let (host, port) = a.split_once(':').unwrap_or((a, ""));
            if host.is_empty() {
                Err(bad("no host before the port"))
            } else if port_ok(port) {
                Ok(a.to_string())
            } else {
                Err(bad("the port is not a number from 1 to 65535"))
            }
        }
        _ if a.parse::<std::net::Ipv6Addr>().is_ok() || a.contains('%') => {
            Ok(format!("[{a}]:{DEFAULT_PORT}"))
        }
        _ => Err(bad("too many ':' for HOST:PORT, and not an IPv6 address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The payload protocols are recognised by their exact header only.
    #[test]
    fn payload_and_always_on() {
        assert!(is_payload_protocol(b"TERMINATE"));
        assert!(!is_payload_protocol(b"time"));
        assert!(!is_payload_protocol(b"SSID"));
        assert!(is_always_on("time"));
        assert!(!is_always_on("SSID"));
        assert_eq!(DEFAULT_ADDR, format!("127.0.0.1:{DEFAULT_PORT}"));
    }

    /// Addresses get the default port.
    #[test]
    fn addresses() {
        assert_eq!(normalize_addr(None), "127.0.0.1:2501");
        assert_eq!(normalize_addr(Some("host")), "host:2501");
        assert_eq!(normalize_addr(Some("host:1")), "host:1");
        assert_eq!(normalize_addr(Some("::1")), "[::1]:2501");
        assert_eq!(normalize_addr(Some("[::1]:9")), "[::1]:9");
    }

    /// A mistyped address is refused with the reason, not resolved as a
    /// strange IPv6 address or sent to the resolver.
    #[test]
    fn check_addr_refuses_mistyped_addresses() {
        assert_eq!(check_addr(Some("[::1]")).unwrap(), "[::1]:2501");
        assert_eq!(check_addr(Some("fe80::1")).unwrap(), "[fe80::1]:2501");
        for (bad, why) in [
            ("127.0.0.1:2501:99", "too many ':'"),
            ("host:99999", "port is not a number"),
            ("host:0", "port is not a number"),
            ("host:", "port is not a number"),
            (":2501", "no host"),
            ("", "empty"),
            ("[::1", "no ']'"),
            ("[nope]:1", "not an IPv6"),
            ("[::1]x", "unexpected text"),
        ] {
            let e = check_addr(Some(bad)).unwrap_err();
            assert!(e.to_string().contains(why), "{bad}: {e}");
            assert!(e.to_string().contains("HOST:PORT"), "{bad}: {e}");
        }
    }
}
