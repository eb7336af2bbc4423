//! The interactive shell in a pseudo-terminal (rexpect), against a scripted
//! server on `127.0.0.1:0`: tab completion, frames printed above a
//! half-typed line, server errors, confirmation, Ctrl-C and Ctrl-D.
//!
//! Every step waits for the prompt (or the echo) before the next keystroke;
//! every wait is bounded by the rexpect timeout.

use std::io::{BufRead, Write};
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rexpect::process::wait::WaitStatus;
use rexpect::session::{spawn_command, PtySession};

use kismet_sim::{Sim, SimConfig};

use crate::common::{serve_handshake, Proxy, Scripted, WAIT};

/// Milliseconds rexpect waits for each expected output: long, so a loaded
/// machine is only slow, never a failure (a passing test does not wait).
const EXPECT_MS: u64 = 20_000;

/// A scripted server for the shell: the handshake, then `*ACK` for every
/// command (`*ERROR: NO SUCH COMMAND` for `NOSUCHCMD`), TIME every second,
/// and, once `ENABLE SSID` arrived, an SSID line every ~100 ms until the
/// client goes away.
/// `CLOSEME` is acknowledged, then the connection is closed; `FLOOD` is
/// acknowledged, then 3000 SSID lines follow in one write; `HANG` is never
/// answered.
struct ShellServer {
    server: Scripted,
    /// Every command line received after the handshake.
    received: Arc<Mutex<Vec<String>>>,
}

impl ShellServer {
    /// Serves one connection.
    fn start() -> ShellServer {
        ShellServer::start_many(1)
    }

    /// Serves `n` connections, one after the other.
    fn start_many(n: usize) -> ShellServer {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let server = Scripted::start_many(n, move |_, s| serve(s, &log));
        ShellServer { server, received }
    }

    fn addr(&self) -> String {
        self.server.addr()
    }
}

/// One connection of [`ShellServer`].
fn serve(s: TcpStream, log: &Mutex<Vec<String>>) {
    let (s, mut r) = serve_handshake(s);
    // The shell may sit idle between keystrokes longer than WAIT.
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let writer = Arc::new(Mutex::new(s));
    let ticking = Arc::new(AtomicBool::new(false));
    // TIME every second, as a real server sends it: the client's watchdog
    // (10 s without a line) must not end a test slowed by a loaded
    // machine.
    {
        let w = writer.clone();
        thread::spawn(move || time_ticker(w));
    }
    loop {
        let mut line = String::new();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        log.lock().unwrap().push(line.clone());
        let Some((id, rest)) = line
            .trim_end()
            .strip_prefix('!')
            .and_then(|l| l.split_once(' '))
        else {
            continue;
        };
        if rest.starts_with("HANG") {
            continue; // never answered
        }
        let reply = if rest.starts_with("NOSUCHCMD") {
            format!("*ERROR: {id} \x01NO SUCH COMMAND\x01 \n")
        } else {
            format!("*ACK: {id} \x01OK\x01 \n")
        };
        let mut w = writer.lock().unwrap();
        if w.write_all(reply.as_bytes()).is_err() {
            break;
        }
        if rest.starts_with("FLOOD") {
            let line = "*SSID: \x01Flood\x01 00:18:E7:B2:00:03 \n";
            if w.write_all(line.repeat(3000).as_bytes()).is_err() {
                break;
            }
        }
        if rest.starts_with("CLOSEME") {
            let _ = w.shutdown(Shutdown::Both);
            break;
        }
        drop(w);
        if rest.starts_with("ENABLE SSID") && !ticking.swap(true, Ordering::SeqCst) {
            let w = writer.clone();
            thread::spawn(move || ssid_ticker(w));
        }
    }
}

/// Sends a TIME line every second until a write fails (at most 10
/// minutes).
fn time_ticker(w: Arc<Mutex<TcpStream>>) {
    for i in 0..600u64 {
        thread::sleep(Duration::from_secs(1));
        let line = format!("*TIME: {}\n", 1_795_678_229 + i);
        if w.lock().unwrap().write_all(line.as_bytes()).is_err() {
            return;
        }
    }
}

/// Sends an SSID line (fields ssid,mac) every ~100 ms until a write fails.
fn ssid_ticker(w: Arc<Mutex<TcpStream>>) {
    for _ in 0..600 {
        let line = "*SSID: \x01Coffee Shop\x01 00:18:E7:B2:00:02 \n";
        if w.lock().unwrap().write_all(line.as_bytes()).is_err() {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// A history file in a fresh temp directory (the file not created), removed
/// with its directory when dropped.
pub(crate) struct TempHistory {
    dir: PathBuf,
    pub(crate) file: PathBuf,
}

impl TempHistory {
    pub(crate) fn new() -> TempHistory {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "kismet-shell-repl-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("state").join("history");
        TempHistory { dir, file }
    }
}

impl Drop for TempHistory {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The shell on a pseudo-terminal, connected to `addr`, past its banner and
/// first prompt.
fn shell(addr: &str, history: &PathBuf) -> (PtySession, String) {
    shell_with(addr, history, &[])
}

/// [`shell`] with more command-line arguments.
fn shell_with(addr: &str, history: &PathBuf, args: &[&str]) -> (PtySession, String) {
    shell_at(addr, history, args, "Scripted", None, &[])
}

/// The shell on a pseudo-terminal, connected to `addr` (a server called
/// `server`), past its banner and first prompt. With `size` (rows,
/// columns), the terminal's size is set first with `stty`; `env` adds
/// environment variables.
pub(crate) fn shell_at(
    addr: &str,
    history: &PathBuf,
    args: &[&str],
    server: &str,
    size: Option<(u16, u16)>,
    env: &[(&str, &str)],
) -> (PtySession, String) {
    let (p, prompt, _) = shell_with_preamble(addr, history, args, server, size, env);
    (p, prompt)
}

/// [`shell_at`], also giving what the shell printed before its banner.
fn shell_with_preamble(
    addr: &str,
    history: &PathBuf,
    args: &[&str],
    server: &str,
    size: Option<(u16, u16)>,
    env: &[(&str, &str)],
) -> (PtySession, String, String) {
    let bin = env!("CARGO_BIN_EXE_kismet-shell");
    let mut cmd = match size {
        Some((rows, cols)) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!(
                    "stty rows {rows} cols {cols} && exec \"$0\" \"$@\""
                ))
                .arg(bin);
            c
        }
        None => Command::new(bin),
    };
    cmd.envs(env.iter().copied());
    cmd.arg(addr)
        .args(args)
        .arg("--history")
        .arg(history)
        .arg("--connect-timeout")
        .arg(WAIT.as_secs_f64().to_string())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env_remove("XDG_STATE_HOME");
    let mut p = spawn_command(cmd, Some(EXPECT_MS)).expect("spawn the shell");
    // (Wrapped on a narrow terminal: only the start is on one line.)
    let preamble = p
        .exp_string(&format!("connected to {server}"))
        .expect("banner");
    let prompt = format!("kismet {addr}> ");
    p.exp_string(&prompt).expect("first prompt");
    (p, prompt, preamble)
}

/// Batch-only options given to the interactive shell are named as not
/// used by it (before: `--format json` was silently ignored).
#[test]
fn repl_names_the_batch_only_options_it_does_not_use() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (p, _, preamble) = shell_with_preamble(
        &server.addr(),
        &history.file,
        &["--format", "json", "--lossless"],
        "Scripted",
        None,
        &[],
    );
    assert!(
        preamble.contains(
            "kismet-shell: --format, --lossless are for batch runs (-c CMD, or commands on \
             stdin): not used by the interactive shell"
        ),
        "{preamble:?}"
    );
    exit_with_ctrl_d(p);
}

/// Sends one key (flushed: rexpect buffers what it sends).
fn key(p: &mut PtySession, k: char) {
    p.send(&k.to_string()).expect("send a key");
    p.flush().expect("flush the key");
}

/// Types `text` in one write: keys are handled in order, and lines
/// arriving together all run (see `repl_lines_sent_together_all_run_in_order`),
/// so nothing needs to wait for the echo; the next expectation waits for
/// what the keys bring. (The echo is not matched: rustyline redraws the line
/// with its grey hint between keys, so the typed text is not contiguous in
/// the output.)
pub(crate) fn type_text(p: &mut PtySession, text: &str) {
    p.send(text).expect("type");
    p.flush().expect("flush the keys");
}

/// What rustyline writes as a line is accepted (bracketed paste off): the
/// end of the echo, before the command's output.
const LINE_ACCEPTED: &str = "\x1b[?2004l";

/// Runs one command line and returns its output: what the shell printed
/// between accepting the line and showing `prompt` again.
pub(crate) fn command(p: &mut PtySession, line: &str, prompt: &str) -> String {
    type_text(p, &format!("{line}\r"));
    p.exp_string(LINE_ACCEPTED).expect("the line accepted");
    p.exp_string(prompt).expect("the prompt after the output")
}

/// Ctrl-D on an empty line; the shell must exit with status 0.
pub(crate) fn exit_with_ctrl_d(mut p: PtySession) {
    p.send_control('d').unwrap();
    p.exp_eof().expect("the shell exits");
    match p.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 0),
        other => panic!("shell ended with {other:?}"),
    }
}

/// Tab completes a protocol name from the server's capability table, and
/// the completed command lists that protocol's fields.
#[test]
fn repl_tab_completes_protocol() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&server.addr(), &history.file);
    type_text(&mut p, "fields GP");
    key(&mut p, '\t');
    p.exp_string("fields GPS").expect("Tab completes GPS");
    key(&mut p, '\r');
    p.exp_string("GPS: 10 fields").unwrap();
    p.exp_string("lat").unwrap();
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
}

/// After `enable SSID ssid,mac` is acknowledged, SSID lines scroll above a
/// half-typed command, which is still intact afterwards; and the history
/// file keeps the commands.
#[test]
fn repl_frames_scroll_above_the_line_being_typed() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&server.addr(), &history.file);
    type_text(&mut p, "enable SSID ssid,mac\r");
    p.exp_regex(r"ok \([0-9.]+ ms\)").expect("the ACK");
    p.exp_string(&prompt).unwrap();
    type_text(&mut p, "fiel");
    for _ in 0..3 {
        p.exp_string("SSID ssid=\"Coffee Shop\" mac=00:18:E7:B2:00:02")
            .expect("an SSID line");
        // After each printed block the prompt and the typed text come back.
        p.exp_string(&format!("{prompt}fiel"))
            .expect("the line redrawn");
    }
    type_text(&mut p, "ds GPS\r");
    p.exp_string("GPS: 10 fields")
        .expect("the typed line was intact");
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
    let saved = std::fs::read_to_string(&history.file).expect("history saved");
    assert!(saved.contains("enable SSID ssid,mac"), "{saved}");
    assert!(saved.contains("fields GPS"), "{saved}");
}

/// A raw command the server does not know shows the server's error text.
#[test]
fn repl_raw_command_error() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&server.addr(), &history.file);
    type_text(&mut p, "!NOSUCHCMD\r");
    p.exp_regex(r"error: NO SUCH COMMAND \([0-9.]+ ms\)")
        .unwrap();
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
}

/// A dangerous server command asks first; anything but yes sends nothing.
#[test]
fn repl_dangerous_command_asks() {
    let server = ShellServer::start();
    let addr = server.addr();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&addr, &history.file);
    type_text(&mut p, "!SHUTDOWN\r");
    p.exp_string(&format!("really send SHUTDOWN to {addr}? [y/N] "))
        .unwrap();
    type_text(&mut p, "n\r");
    p.exp_string("not sent").unwrap();
    p.exp_string(&prompt).unwrap();
    // A command sent afterwards is the first the server sees (but for
    // the shell's own ENABLE ALERT, sent as it starts).
    type_text(&mut p, "!NOSUCHCMD\r");
    p.exp_string("NO SUCH COMMAND").unwrap();
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
    server.server.handle.join().unwrap();
    let mut got = server.received.lock().unwrap().clone();
    got.retain(|l| !l.contains(" ENABLE ALERT "));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].ends_with(" NOSUCHCMD\n"), "{got:?}");
}

/// Ctrl-C throws away the line being typed; the shell carries on.
#[test]
fn repl_ctrl_c_clears_the_line() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&server.addr(), &history.file);
    type_text(&mut p, "garbage");
    p.send_control('c').unwrap();
    p.exp_string(&prompt).unwrap();
    type_text(&mut p, "status\r");
    p.exp_string("server   Scripted at")
        .expect("status ran, not garbagestatus");
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
}

/// Ctrl-C while a command waits for a reply that never comes stops the
/// wait (it is a signal then, not a key); the shell carries on.
#[test]
fn repl_ctrl_c_stops_waiting_for_a_reply() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell_with(&server.addr(), &history.file, &["--reply-timeout", "30"]);
    type_text(&mut p, "!HANG\r");
    let deadline = Instant::now() + WAIT;
    while !server
        .received
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("HANG"))
    {
        assert!(Instant::now() < deadline, "the server never got HANG");
        thread::sleep(Duration::from_millis(20));
    }
    p.send_control('c').unwrap();
    // Not "no reply within 30.0 s": the wait was stopped, not timed out.
    p.exp_string("HANG: interrupted; a late reply will be ignored")
        .unwrap();
    p.exp_string(&prompt).unwrap();
    type_text(&mut p, "status\r");
    p.exp_string("server   Scripted at").unwrap();
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
}

/// `quit` leaves with status 0, as Ctrl-D does (tested by every test above).
#[test]
fn repl_quit_exits_zero() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, _) = shell(&server.addr(), &history.file);
    type_text(&mut p, "quit\r");
    p.exp_eof().unwrap();
    match p.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 0),
        other => panic!("shell ended with {other:?}"),
    }
}

/// Lines typed ahead and sent in one write (typeahead, or a paste without
/// bracketed-paste mode) all run, in order, each once.
#[test]
fn repl_lines_sent_together_all_run_in_order() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&server.addr(), &history.file);
    p.send("help quit\rhelp pause\rhelp resume\r").unwrap();
    p.flush().unwrap();
    p.exp_string("leave the shell").expect("help quit ran");
    p.exp_string("stop the scrolling frames")
        .expect("help pause ran, after help quit");
    p.exp_string("show frames again after pause")
        .expect("help resume ran, after help pause");
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
    let saved = std::fs::read_to_string(&history.file).unwrap();
    let lines: Vec<&str> = saved.lines().filter(|l| l.starts_with("help")).collect();
    assert_eq!(lines, ["help quit", "help pause", "help resume"], "{saved}");
}

/// A bracketed paste of three lines runs them as three commands, in order,
/// when Enter is pressed.
#[test]
fn repl_bracketed_paste_of_three_lines_runs_three_commands() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&server.addr(), &history.file);
    p.send("\x1b[200~help quit\rhelp pause\rhelp resume\x1b[201~")
        .unwrap();
    p.flush().unwrap();
    p.exp_string("help resume").expect("the paste echoed");
    key(&mut p, '\r');
    p.exp_string("leave the shell").expect("help quit ran");
    p.exp_string(&format!("{prompt}help pause"))
        .expect("the second command shown");
    p.exp_string("stop the scrolling frames")
        .expect("help pause ran");
    p.exp_string(&format!("{prompt}help resume"))
        .expect("the third command shown");
    p.exp_string("show frames again after pause")
        .expect("help resume ran");
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
}

/// When the server closes the connection the shell says so in place, the
/// prompt changes without a key being pressed, and commands fail clearly
/// instead of waiting.
#[test]
fn repl_disconnect_changes_prompt() {
    let server = ShellServer::start();
    let addr = server.addr();
    let history = TempHistory::new();
    let (mut p, _) = shell_with(&addr, &history.file, &["--no-reconnect"]);
    type_text(&mut p, "!CLOSEME\r");
    p.exp_string("[disconnected: ")
        .expect("the disconnect shown");
    // No key pressed: the prompt changes with the state.
    let prompt = "kismet (disconnected)> ";
    p.exp_string(prompt).expect("the prompt changed");
    type_text(&mut p, "!NOSUCHCMD\r");
    p.exp_string(&format!("error: not connected to {addr}"))
        .unwrap();
    p.exp_string(prompt).unwrap();
    exit_with_ctrl_d(p);
}

/// A lost connection is retried; the attempt and the new connection are
/// shown in place, and the prompt is the connected one again.
#[test]
fn repl_reconnect_shown_in_place() {
    let server = ShellServer::start_many(2);
    let addr = server.addr();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&addr, &history.file);
    type_text(&mut p, "!CLOSEME\r");
    p.exp_string("[disconnected: ").unwrap();
    p.exp_regex(r"\[reconnecting in [0-9.]+ s \(attempt 1\)\]")
        .unwrap();
    p.exp_string(&format!("[reconnected to {addr}]")).unwrap();
    key(&mut p, '\r');
    p.exp_string(&prompt).unwrap();
    type_text(&mut p, "!NOSUCHCMD\r");
    p.exp_string("NO SUCH COMMAND").unwrap();
    exit_with_ctrl_d(p);
}

/// A burst of frames is shown up to the per-tick limit, then one line says
/// how many were left out, rather than scrolling for seconds; `status`
/// counts those apart from the frames shown.
#[test]
fn repl_flood_is_rate_limited() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell(&server.addr(), &history.file);
    type_text(&mut p, "enable SSID ssid,mac\r");
    p.exp_regex(r"ok \([0-9.]+ ms\)").unwrap();
    p.exp_string(&prompt).unwrap();
    type_text(&mut p, "!FLOOD\r");
    p.exp_string("SSID ssid=Flood mac=00:18:E7:B2:00:03")
        .unwrap();
    p.exp_regex(r"\[[0-9]+ frames not shown: output rate limited\]")
        .expect("the rate-limit notice");
    type_text(&mut p, "status\r");
    // Frames over the limit are counted apart from those shown: the table
    // has a "limited" column then.
    p.exp_string("limited").expect("the limited column");
    // Every frame was counted, shown or not: 3000 floods and some ticks.
    // (rexpect hands over bytes as chars: the table's rules arrive garbled.)
    let (_, count) = p.exp_regex(r"SSID +[^ 0-9]+ +[0-9,]+").unwrap();
    let n: u64 = count
        .rsplit(' ')
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap();
    assert!(n >= 3000, "{count}");
    exit_with_ctrl_d(p);
}

/// A simulated server on `127.0.0.1:0` called `name`.
fn sim_named(name: &str, packet_rate: u32) -> Sim {
    Sim::start(
        "127.0.0.1:0",
        SimConfig {
            server_name: name.to_string(),
            packet_rate,
            tick: Duration::from_millis(200),
            ..SimConfig::default()
        },
    )
    .expect("start the simulator")
}

/// Reads whatever the shell prints for `span`, as text.
pub(crate) fn output_during(p: &mut PtySession, span: Duration) -> String {
    let until = Instant::now() + span;
    let mut seen = String::new();
    while Instant::now() < until {
        match p.try_read() {
            Some(c) => seen.push(c),
            None => thread::sleep(Duration::from_millis(2)),
        }
    }
    seen
}

/// With 2000 PACKET frames a second scrolling by, `pause` takes effect at
/// once: after "output paused" no frame and no drop notice is printed
/// while paused, and `resume` says how many frames were skipped.
#[test]
fn repl_pause_stops_frames_at_once_and_resume_counts_them() {
    let sim = sim_named("Packets", 2000);
    let addr = sim.local_addr().to_string();
    let history = TempHistory::new();
    let (mut p, prompt) = shell_at(&addr, &history.file, &[], "Packets", None, &[]);
    // (No SSID field: rexpect's reader cannot take the "Café ☕" SSID.)
    type_text(&mut p, "enable PACKET type,subtype,bssid\r");
    p.exp_string("PACKET type=").expect("packets scroll by");
    type_text(&mut p, "pause\r");
    p.exp_string("output paused").expect("the pause message");
    let after = output_during(&mut p, Duration::from_millis(1500));
    assert!(
        !after.contains("PACKET") && !after.contains("dropped]") && !after.contains("not shown"),
        "printed after the pause message: {after:?}"
    );
    type_text(&mut p, "resume\r");
    let (_, held) = p
        .exp_regex(r"output resumed \(([0-9]+) frames skipped while paused\)")
        .expect("resume counts what was skipped");
    let n: u64 = held.split(['(', ' ']).find_map(|w| w.parse().ok()).unwrap();
    assert!(n >= 1000, "{held}");
    p.exp_string("PACKET type=")
        .expect("frames again after resume");
    p.exp_string(&prompt).unwrap();
    exit_with_ctrl_d(p);
}

/// The prompt follows the connection while a line is half typed, with no
/// key pressed: it says disconnected when the connection is cut (no
/// TERMINATE: a network failure), and shows the address again when the
/// shell has reconnected by itself; the half-typed text stays.
#[test]
fn repl_prompt_follows_the_connection_without_a_key() {
    let sim = sim_named("Flaky", 0);
    let proxy = Proxy::start(sim.local_addr());
    let addr = proxy.addr();
    let history = TempHistory::new();
    let (mut p, prompt) = shell_at(&addr, &history.file, &[], "Flaky", None, &[]);
    type_text(&mut p, "stat");
    proxy.cut();
    p.exp_string("[disconnected: ")
        .expect("the disconnect shown");
    // (Padded to the width the line started with; `us` is the grey hint.)
    p.exp_regex(r"kismet \(disconnected\)> +stat")
        .expect("the prompt changed, the typed text kept");
    p.exp_string(&format!("[reconnected to {addr}]"))
        .expect("the reconnect shown");
    p.exp_string(&format!("{prompt}stat"))
        .expect("the prompt shows the address again, the typed text kept");
    type_text(&mut p, "us\r");
    p.exp_string("server   Flaky at").expect("status ran");
    exit_with_ctrl_d(p);
    sim.shutdown();
}

/// `connect` switches servers (the prompt and status follow; `--keep`
/// carries the subscriptions over), `disconnect` closes, `reconnect` comes
/// back to the same server.
#[test]
fn repl_connect_disconnect_reconnect() {
    let (a, b) = (sim_named("Sim A", 0), sim_named("Sim B", 0));
    let (addr_a, addr_b) = (a.local_addr().to_string(), b.local_addr().to_string());
    let history = TempHistory::new();
    let (mut p, _) = shell_at(
        &addr_a,
        &history.file,
        &["--no-reconnect"],
        "Sim A",
        None,
        &[],
    );
    // (Not SSID: rexpect's reader cannot take the "Café ☕" SSID.)
    type_text(&mut p, "enable BATTERY percentage\r");
    p.exp_regex(r"ok \([0-9.]+ ms\)").unwrap();
    type_text(&mut p, &format!("connect {addr_b} --keep\r"));
    p.exp_string(&format!(
        "connected to Sim B at {addr_b}: 29 protocols; enabled again: BATTERY"
    ))
    .expect("connected to B with BATTERY carried over");
    let prompt_b = format!("kismet {addr_b}> ");
    p.exp_string(&prompt_b).expect("the prompt follows");
    type_text(&mut p, "status\r");
    p.exp_string(&format!("server   Sim B at {addr_b}"))
        .unwrap();
    p.exp_string(&prompt_b).unwrap();
    type_text(&mut p, "fields BATTERY\r");
    p.exp_string("yes (#0)").expect("percentage enabled on B");
    p.exp_string(&prompt_b).unwrap();
    type_text(&mut p, "disconnect\r");
    p.exp_string(&format!("disconnected from {addr_b}"))
        .unwrap();
    p.exp_string("kismet (disconnected)> ").unwrap();
    type_text(&mut p, "reconnect\r");
    p.exp_string(&format!("connected to Sim B at {addr_b}"))
        .unwrap();
    p.exp_string(&prompt_b).unwrap();
    type_text(&mut p, &format!("connect {addr_a}\r"));
    p.exp_string(&format!("connected to Sim A at {addr_a}: 29 protocols"))
        .unwrap();
    p.exp_string(&format!("kismet {addr_a}> ")).unwrap();
    let table = command(&mut p, "fields BATTERY", &format!("kismet {addr_a}> "));
    assert!(table.contains("BATTERY: 4 fields"), "{table}");
    assert!(
        !table.contains("yes (#"),
        "no --keep: nothing enabled: {table}"
    );
    exit_with_ctrl_d(p);
}

/// Output taller than the screen goes through $PAGER; with --no-pager it
/// is printed.
#[test]
fn repl_tall_output_goes_through_the_pager() {
    let server = ShellServer::start_many(2);
    let addr = server.addr();
    let history = TempHistory::new();
    let pager = [("PAGER", "sed 's/^/PAGED:/'")];
    let (mut p, prompt) = shell_at(
        &addr,
        &history.file,
        &[],
        "Scripted",
        Some((20, 80)),
        &pager,
    );
    type_text(&mut p, "protocols\r");
    // (rexpect hands over the table's UTF-8 rules byte by byte.)
    p.exp_regex("PAGED:[^ ]+ CRITFAIL")
        .expect("the table went through the pager");
    p.exp_string(&prompt).unwrap();
    let short = command(&mut p, "help quit", &prompt);
    assert!(
        !short.contains("PAGED:"),
        "short output is printed: {short}"
    );
    exit_with_ctrl_d(p);
    let (mut p, prompt) = shell_at(
        &addr,
        &history.file,
        &["--no-pager"],
        "Scripted",
        Some((20, 80)),
        &pager,
    );
    let table = command(&mut p, "protocols", &prompt);
    assert!(
        table.contains("CRITFAIL") && !table.contains("PAGED:"),
        "{table}"
    );
    exit_with_ctrl_d(p);
}

/// At 40 columns, help wraps between words (no line wider than the
/// terminal) and table headers are not broken inside a word.
#[test]
fn repl_text_wraps_at_word_boundaries_at_40_columns() {
    let server = ShellServer::start();
    let history = TempHistory::new();
    let (mut p, prompt) = shell_at(
        &server.addr(),
        &history.file,
        &["--no-pager"],
        "Scripted",
        Some((50, 40)),
        &[],
    );
    let help = command(&mut p, "help enable", &prompt);
    let body: Vec<&str> = help
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .skip_while(|l| !l.starts_with("enable PROTO"))
        .collect();
    assert!(body.len() > 4, "{help:?}");
    for l in &body {
        assert!(l.chars().count() <= 40, "wider than 40: {l:?}");
    }
    let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let joined = body.join(" ");
    assert!(
        words(&joined).contains(&"checked".to_string())
            && words(&joined).contains(&"capability".to_string()),
        "a word was split: {joined}"
    );
    // SSID frames come every ~100 ms once enabled: the status has a table.
    command(&mut p, "enable SSID ssid,mac", &prompt);
    p.exp_string("SSID ssid=").unwrap();
    let status = command(&mut p, "status", &prompt);
    for header in ["protocol", "frames", "dropped"] {
        assert!(status.contains(header), "header {header} broken: {status}");
    }
    exit_with_ctrl_d(p);
}

/// `!SHUTDOWN` in the shell, confirmed: the TERMINATE that answers it is
/// shown as the answer, the STATUS lines the server sends after it scroll
/// by, then the disconnect, and the shell does not reconnect to the server
/// it stopped: it says so, and how to.
#[test]
fn repl_shutdown_shows_terminate_trailing_status_and_does_not_reconnect() {
    let sim = sim_named("Doomed", 0);
    let addr = sim.local_addr().to_string();
    let history = TempHistory::new();
    let (mut p, prompt) = shell_at(&addr, &history.file, &[], "Doomed", None, &[]);
    type_text(&mut p, "enable STATUS text,flags\r");
    p.exp_regex(r"ok \([0-9.]+ ms\)").unwrap();
    p.exp_string(&prompt).unwrap();
    type_text(&mut p, "!SHUTDOWN\r");
    p.exp_string(&format!("really send SHUTDOWN to {addr}? [y/N] "))
        .unwrap();
    type_text(&mut p, "y\r");
    p.exp_string("server is shutting down: Kismet server terminating.")
        .expect("TERMINATE answers SHUTDOWN");
    p.exp_string("STATUS text=\"Stopped source 'wlan0'\" flags=2")
        .expect("the STATUS after TERMINATE");
    p.exp_string("[disconnected: server terminated: Kismet server terminating.]")
        .expect("the disconnect");
    p.exp_string("[not reconnecting to a server that terminated: type reconnect to connect again]")
        .expect("the shell says it leaves the server be");
    // No reconnect attempt is announced (it would come at once after the
    // disconnect, before the output of a command typed after it).
    type_text(&mut p, "help\r");
    let before = p.exp_string("Commands:").unwrap();
    assert!(!before.contains("reconnect"), "{before}");
    exit_with_ctrl_d(p);
    assert!(sim.is_stopped());
}

/// In the shell, `export FILE` writes the model at once and says what it
/// wrote; an `--export` file is written again as the shell quits, which
/// says so.
#[test]
fn repl_export_command_writes_now_and_export_files_at_quit() {
    let sim = sim_named("Mapper", 0);
    let addr = sim.local_addr().to_string();
    let dir = crate::common::temp_dir("repl-export");
    let history = TempHistory::new();
    let live = dir.join("live.geojson");
    let (mut p, prompt) = shell_at(
        &addr,
        &history.file,
        &["--export", live.to_str().unwrap(), "--export-every", "1"],
        "Mapper",
        None,
        &[],
    );
    let kml = dir.join("now.kml");
    let said = command(
        &mut p,
        &format!("export {} --what all", kml.display()),
        &prompt,
    );
    // The note wraps at the terminal's width.
    let said = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("wrote 0 devices to"), "{said}");
    assert!(said.contains("without a position left out"), "{said}");
    let text = std::fs::read_to_string(&kml).unwrap();
    assert!(
        text.contains("<kml xmlns=\"http://www.opengis.net/kml/2.2\">"),
        "{text}"
    );
    type_text(&mut p, "quit\r");
    p.exp_string(&format!("wrote 0 networks to {}", live.display()))
        .expect("the --export file written at quit");
    p.exp_eof().unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&live).unwrap()).unwrap();
    assert_eq!(doc["type"], "FeatureCollection");
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--db` naming a file that is not a database: the shell says so and goes
/// on without one (`db` says there is none); the file is left alone.
#[test]
fn repl_goes_on_without_a_database_that_cannot_be_opened() {
    let sim = sim_named("Keeper", 0);
    let addr = sim.local_addr().to_string();
    let dir = crate::common::temp_dir("repl-db");
    let notes = dir.join("notes.db");
    std::fs::write(&notes, "plain text, not SQLite\n".repeat(50)).unwrap();
    let history = TempHistory::new();
    let (mut p, prompt, preamble) = shell_with_preamble(
        &addr,
        &history.file,
        &["--db", notes.to_str().unwrap()],
        "Keeper",
        None,
        &[],
    );
    let preamble = preamble.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        preamble.contains("going on without the database"),
        "{preamble}"
    );
    let said = command(&mut p, "db", &prompt);
    assert!(said.contains("no database"), "{said}");
    exit_with_ctrl_d(p);
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "plain text, not SQLite\n".repeat(50)
    );
    sim.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
