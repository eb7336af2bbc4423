//! When a player's replay clock starts (the four rules of the module
//! doc), on instants the tests make up: no test sleeps or reads the wall
//! clock, so none depends on how fast the machine is.

use super::*;
use crossbeam_channel::Receiver;
use kismet_record::parse_recording;
use std::net::{TcpListener, TcpStream};

/// A recording with frames of BSSID and GPS (enabled by the recording
/// client), a CAPABILITY for SSID but no frame of it, and a TIME line
/// (the server's own: not a frame).
pub(crate) const RECORDING: &str = "# kismet-shell recording 1\n\
    = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z\n\
    < 0.001 *KISMET: 0.0.0 1795678119 \\x01Rec\\x01 \\x01\\x01 0 \n\
    < 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,BSSID,GPS,SSID\n\
    < 0.002 *CAPABILITY: BSSID bssid,type,channel\n\
    < 0.002 *CAPABILITY: GPS lat,lon,fix\n\
    < 0.002 *CAPABILITY: SSID mac,type,ssid\n\
    < 0.003 *CAPABILITY: TIME timesec\n\
    > 0.010 !1 ENABLE BSSID bssid,channel\n\
    < 0.011 *ACK: 1 \\x01OK\\x01 \n\
    > 0.012 !2 ENABLE GPS lat,lon,fix\n\
    < 0.013 *ACK: 2 \\x01OK\\x01 \n\
    < 1.000 *TIME: 1795678120\n\
    < 1.000 *GPS: 37.7749 -122.4194 3 \n\
    < 1.100 *BSSID: 00:00:00:00:00:01 6 \n\
    < 2.000 *GPS: 37.7750 -122.4195 3 \n\
    < 2.100 *BSSID: 00:00:00:00:00:02 11 \n\
    < 3.000 *GPS: 37.7751 -122.4196 3 \n";

/// The BSSID lines a client that enables `BSSID bssid,channel` gets.
pub(crate) const BSSIDS: [&str; 2] = [
    "*BSSID: 00:00:00:00:00:01 6 \n",
    "*BSSID: 00:00:00:00:00:02 11 \n",
];

/// The GPS lines a client that enables `GPS lat,lon,fix` gets.
pub(crate) const GPS: [&str; 3] = [
    "*GPS: 37.7749 -122.4194 3 \n",
    "*GPS: 37.7750 -122.4195 3 \n",
    "*GPS: 37.7751 -122.4196 3 \n",
];

/// The speed of `--speed max`: the 3 s recording lasts 3 us.
const MAX_SPEED: f64 = 1e6;

fn timeline() -> Arc<Timeline> {
    let entries = parse_recording(RECORDING.as_bytes()).expect("a recording");
    Arc::new(Timeline::from_entries(&entries).expect("a timeline"))
}

/// A client handle on a loopback connection, and its queue (what the
/// player sends it; no writer thread drains it).
fn client() -> (Arc<ClientHandle>, Receiver<Vec<u8>>, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let ours = TcpStream::connect(listener.local_addr().unwrap()).expect("connect");
    let (theirs, peer) = listener.accept().expect("accept");
    let (handle, rx) = ClientHandle::new(1, peer, theirs);
    (handle, rx, ours)
}

/// A replay of [`RECORDING`] at `--speed max`, for a client connected at
/// the returned instant.
struct Test {
    player: Player,
    queue: Receiver<Vec<u8>>,
    t0: Instant,
    _socket: TcpStream,
}

impl Test {
    fn new(settle: Duration) -> Test {
        let (client, queue, socket) = client();
        let t0 = Instant::now();
        let player = Player::new(client, timeline(), MAX_SPEED, false, settle, t0)
            .expect("the recording opens");
        Test {
            player,
            queue,
            t0,
            _socket: socket,
        }
    }

    fn at(&self, ms: u64) -> Instant {
        self.t0 + Duration::from_millis(ms)
    }

    /// An ENABLE of the recorded protocol `name` with `fields` at `now`,
    /// as `replay_commands` carries it out (the ACK left out).
    fn enable(&mut self, name: &str, fields: &[&str], now: Instant) {
        self.player.heard(Heard::Enable, now);
        let proto = self.player.timeline().protocol(name.as_bytes()).unwrap();
        let names = fields.iter().map(|f| f.to_string()).collect();
        self.player.enable(proto, names, now);
    }

    /// Every line queued so far.
    fn lines(&self) -> Vec<String> {
        let bytes: Vec<u8> = self.queue.try_iter().flatten().collect();
        String::from_utf8(bytes)
            .expect("text")
            .split_inclusive('\n')
            .map(String::from)
            .collect()
    }
}

/// The lines of `protocol` among `lines`.
fn of(protocol: &str, lines: &[String]) -> Vec<String> {
    let prefix = format!("*{protocol}: ");
    lines
        .iter()
        .filter(|l| l.starts_with(&prefix))
        .cloned()
        .collect()
}

const TERMINATE: &str = "*TERMINATE: Kismet server terminating.\n";

/// The timeline's protocols with frames are those a replay plays frames
/// of: BSSID and GPS, not SSID (a CAPABILITY, no frame) nor TIME (a
/// recorded line, but the server's own protocol).
#[test]
fn the_protocols_with_frames_are_those_played_not_the_servers_own() {
    let t = timeline();
    let framed: Vec<&str> = t.framed().map(|p| t.protocols[p].name.as_str()).collect();
    assert_eq!(framed, ["BSSID", "GPS"]);
    let time = t.protocol(b"TIME").unwrap();
    assert!(t.protocols[time].recorded);
    assert_eq!(t.protocols[time].frames, 0);
    let gps = t.protocol(b"GPS").unwrap();
    assert_eq!(t.protocols[gps].frames, 3);
}

/// Rule 1: a client enables BSSID, then GPS 30 s later (far past the hold
/// and any speed's length of the recording, before a settle time of a
/// minute ends): the clock stays at 0 until the GPS ENABLE, starts then,
/// and every frame of both protocols is sent.
#[test]
fn the_clock_starts_when_every_protocol_with_frames_is_enabled() {
    let mut t = Test::new(Duration::from_secs(60));
    t.player.heard(Heard::Capability, t.at(1));
    t.enable("BSSID", &["bssid", "channel"], t.at(10));
    assert!(t.player.lap_start.is_none(), "BSSID alone: still held");
    assert_eq!(
        t.player.advance(t.at(30_000)),
        Step::At(t.at(60_010)),
        "held until the settle time ends"
    );
    assert_eq!(t.lines(), Vec::<String>::new(), "nothing played while held");

    t.enable("GPS", &["lat", "lon", "fix"], t.at(30_000));
    assert_eq!(t.player.lap_start, Some(t.at(30_000)));
    assert_eq!(t.player.advance(t.at(31_000)), Step::Done);
    let lines = t.lines();
    assert_eq!(of("BSSID", &lines), BSSIDS);
    assert_eq!(of("GPS", &lines), GPS);
    assert_eq!(lines.last().map(String::as_str), Some(TERMINATE));
}

/// Rule 1 counts accepted ENABLEs of the protocols with frames only: an
/// ENABLE of SSID (no frame in the recording) or a refused one (heard,
/// not carried out) leaves the clock held.
#[test]
fn enabling_protocols_without_frames_does_not_start_the_clock() {
    let mut t = Test::new(Duration::from_secs(60));
    t.enable("SSID", &["ssid"], t.at(10));
    t.player.heard(Heard::Enable, t.at(20));
    t.enable("GPS", &["lat", "lon", "fix"], t.at(30));
    assert!(t.player.lap_start.is_none());
    t.enable("BSSID", &["bssid", "channel"], t.at(40));
    assert_eq!(t.player.lap_start, Some(t.at(40)));
}

/// Rule 2: after an ENABLE of BSSID alone, the first command other than
/// CAPABILITY and ENABLE starts the clock when it comes; BSSID's frames
/// are all sent.
#[test]
fn the_clock_starts_at_the_first_command_other_than_capability_and_enable() {
    let mut t = Test::new(Duration::from_secs(60));
    t.enable("BSSID", &["bssid", "channel"], t.at(10));
    t.player.heard(Heard::Capability, t.at(15));
    assert!(t.player.lap_start.is_none());
    t.player.heard(Heard::Other, t.at(20));
    assert_eq!(t.player.lap_start, Some(t.at(20)));
    assert_eq!(t.player.advance(t.at(1_000)), Step::Done);
    let lines = t.lines();
    assert_eq!(of("BSSID", &lines), BSSIDS);
    assert_eq!(of("GPS", &lines), Vec::<String>::new());
}

/// Rule 3: a client that enables BSSID alone has its clock started the
/// settle time after its latest ENABLE: each ENABLE (a refused one too)
/// puts it back, CAPABILITY does not; it starts at that instant however
/// late the player wakes.
#[test]
fn the_clock_starts_a_settle_time_after_the_latest_enable() {
    let settle = Duration::from_millis(250);
    let mut t = Test::new(settle);
    t.enable("BSSID", &["bssid", "channel"], t.at(10));
    assert_eq!(t.player.advance(t.at(100)), Step::At(t.at(260)));
    t.player.heard(Heard::Enable, t.at(200));
    t.player.heard(Heard::Capability, t.at(300));
    assert_eq!(t.player.advance(t.at(449)), Step::At(t.at(450)));
    assert!(t.player.lap_start.is_none());
    assert_eq!(t.lines(), Vec::<String>::new());
    assert_eq!(t.player.advance(t.at(5_000)), Step::Done);
    assert_eq!(t.player.lap_start, Some(t.at(450)));
    assert_eq!(of("BSSID", &t.lines()), BSSIDS);
}

/// Rule 4: a client that sends nothing but CAPABILITY has its clock
/// started [`HANDSHAKE_HOLD`] after it connected, however late the player
/// wakes, whatever the settle time.
#[test]
fn the_clock_starts_at_the_hold_while_only_capability_came() {
    let mut t = Test::new(Duration::from_secs(60));
    t.player.heard(Heard::Capability, t.at(100));
    let hold = t.t0 + HANDSHAKE_HOLD;
    assert_eq!(t.player.advance(t.at(1_000)), Step::At(hold));
    assert!(t.player.lap_start.is_none());
    t.player.advance(hold + Duration::from_secs(3));
    assert_eq!(t.player.lap_start, Some(hold));
}

/// Once started, the clock runs at the configured speed: frames are due
/// at their recorded times divided by the speed, from the start.
#[test]
fn once_started_the_clock_runs_at_the_speed() {
    let (client, _queue, _socket) = client();
    let t0 = Instant::now();
    let mut player = Player::new(client, timeline(), 2.0, false, ENABLE_SETTLE, t0).unwrap();
    player.heard(Heard::Other, t0);
    // The first frame (GPS, 1.000 s in) is due 0.5 s after the start.
    assert_eq!(
        player.advance(t0),
        Step::At(t0 + Duration::from_millis(500))
    );
}
