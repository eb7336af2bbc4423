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
pub fn normalize_addr(addr: Option<&str>) -> String {
    match addr {
        None => DEFAULT_ADDR.to_string(),
        Some(a) if a.starts_with('[') => {
            if a.contains("]:") {
                a.to_string()
            } else {
                format!("{a}:{DEFAULT_PORT}")
            }
        }
        Some(a) if a.matches(':').count() == 1 => a.to_string(),
        Some(a) if a.contains(':') => format!("[{a}]:{DEFAULT_PORT}"),
        Some(a) => format!("{a}:{DEFAULT_PORT}"),
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
}
