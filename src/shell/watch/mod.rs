//! `watch`: a full-screen view on the terminal's alternate screen (ratatui
//! with its crossterm backend), redrawn in place a few times a second:
//! networks, the clients of one network or of all, the stations, the
//! status report, activity per channel (as bars), the recent alerts
//! (newest first), or the latest frame of each device of a protocol.
//! Once the live model runs, the title line shows the GPS (fix and
//! position).
//!
//! Keys: `s`/`S` next/previous sort column, `r` reverse, arrows, PgUp,
//! PgDn, Home and End move (the selection stays on its device when rows
//! re-sort), `/` keeps the rows that contain a text (Esc clears it), Enter
//! on a network opens its detail (its fields, SSIDs, clients and a chart
//! of its signal; `c` there opens its clients), on a station its records
//! (Esc or Backspace goes back, to the row it came from), `q` or
//! Ctrl-C (or Esc at the top) return to the prompt with the screen as it
//! was.
//!
//! - `view`: what each screen shows, as data
//! - `channels`: the bar chart of `watch channels`
//! - `detail`: the network detail screen
//! - `terminal`: taking the terminal and giving it back, panics included

mod channels;
mod detail;
mod terminal;
pub mod view;

use std::io::{self, IsTerminal, Stdout};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::{Frame as Screen, Terminal};

use super::commands::{NetworkType, SortSpec, Watched};
use super::handlers::status_report;
use super::outcome::{without_os_codes, ShellError};
use super::render::gps::gps_label;
use super::render::paint;
use super::render::time::clock_text;
use super::session::Session;
use kismet_protocol::Frame;
use view::{Latest, Sort, Target};

/// Time between redraws.
pub const REDRAW: Duration = Duration::from_millis(250);

/// Frames a protocol view may have waiting; more are dropped (it shows the
/// latest per device: nothing is lost that a later frame does not bring).
const TAP_FRAMES: usize = 4096;

/// `watch networks|clients [NET]|stations|channels|sources|alerts|status|PROTO`: the command's
/// handler.
pub fn handler(
    session: &Session,
    what: Watched,
    net: Option<String>,
    sort: Option<SortSpec>,
    kind: Vec<NetworkType>,
) -> super::handlers::Handled {
    handler_with(session, what, net, sort, kind, None)
}

/// [`handler`], the devices of the networks, clients and stations views
/// from `devices` when given (several servers merged) rather than the
/// session's model.
pub fn handler_with(
    session: &Session,
    what: Watched,
    net: Option<String>,
    sort: Option<SortSpec>,
    kind: Vec<NetworkType>,
    devices: Option<Devices>,
) -> super::handlers::Handled {
    if (sort.is_some() || !kind.is_empty()) && what != Watched::Networks {
        return Err(ShellError::Usage(
            "--sort and --type are for watch networks".into(),
        ));
    }
    let target =
        match (what, net) {
            (Watched::Networks, None) => Target::Networks,
            (Watched::Clients, net) => Target::Clients(net),
            (Watched::Stations, None) => Target::Stations,
            (Watched::Channels, None) => Target::Channels,
            (Watched::Status, None) => Target::Status,
            (Watched::Sources, None) => Target::Sources,
            (Watched::Protocol(p), None) => Target::Protocol(p),
            (Watched::Alerts, None) => Target::Alerts,
            (_, Some(_)) => return Err(ShellError::Usage(
                "usage: watch networks|clients [NET]|stations|channels|sources|alerts|status|PROTO"
                    .into(),
            )),
        };
    let mut looks = Looks {
        kind,
        devices,
        ..Looks::default()
    };
    if let Some(s) = sort {
        looks.sort = Sort {
            column: s.column,
            descending: s.descending,
        };
    }
    run_with(session, target, looks)?;
    Ok(super::outcome::Outcome::Nothing)
}

/// How a view starts: its sort and, for networks, the types shown.
#[derive(Debug, Clone, Default)]
pub struct Looks {
    /// The networks' sort.
    pub sort: Sort,
    /// Only networks of these types (none: every network but the probe
    /// entries, as `networks` lists them).
    pub kind: Vec<NetworkType>,
    /// Where the networks, clients and stations come from, when not the
    /// session's model (several servers, merged).
    pub devices: Option<Devices>,
}

/// A source of the devices a view shows: a snapshot taken at each redraw.
#[derive(Clone)]
pub struct Devices(pub std::sync::Arc<dyn Fn() -> kismet_client::Snapshot + Send + Sync>);

impl std::fmt::Debug for Devices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Devices(..)")
    }
}

/// Runs the view until `q`; the terminal is as it was afterwards.
///
/// # Errors
/// No terminal (`watch` is for people: scripts use `--format json`), an
/// unknown protocol, or the terminal failing.
pub fn run(session: &Session, target: Target) -> Result<(), ShellError> {
    run_with(session, target, Looks::default())
}

/// [`run`], starting with `looks`.
///
/// # Errors
/// As [`run`].
pub fn run_with(session: &Session, target: Target, looks: Looks) -> Result<(), ShellError> {
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(ShellError::Usage(
            "watch needs a terminal; in a script, use networks, clients, stations, channels or status with \
             --format json (or --follow --format json for frames)"
                .into(),
        ));
    }
    // What it shows is checked, and the model started, before the screen
    // changes, so an error is printed on the prompt's screen.
    let tap = match &target {
        Target::Networks | Target::Clients(_) | Target::Stations | Target::Network(_) => {
            super::handlers::start_model(session)?;
            None
        }
        Target::Channels => {
            super::handlers::start_model(session)?;
            session.channels_model()?;
            None
        }
        Target::Protocol(p) => {
            let client = session.client();
            let name = client
                .table()
                .protocol(p)
                .map_err(kismet_client::Error::Lookup)?
                .name
                .clone();
            if client.subscription(&name).is_none() {
                return Err(ShellError::Usage(format!(
                    "{name} is not enabled: enable {name} FIELDS first"
                )));
            }
            let (tx, rx) = bounded(TAP_FRAMES);
            *session.tap() = Some((name.to_ascii_uppercase(), tx));
            Some(rx)
        }
        Target::Sources => {
            super::capture::sources_model(session)?;
            None
        }
        Target::Status => None,
        Target::Alerts => {
            if session.alerts_model().is_none() && !session.start_alerts()? {
                return Err(ShellError::Usage(
                    "this server has no ALERT protocol: it raises no alerts".into(),
                ));
            }
            None
        }
    };
    // Frames are not scrolled meanwhile: counted as skipped, as when
    // paused; what was skipped before is kept as it was.
    let was_paused = session.paused.swap(true, Ordering::AcqRel);
    let held = session.skipped.load(Ordering::Acquire);
    let result = show(session, target, tap, looks);
    *session.tap() = None;
    session.paused.store(was_paused, Ordering::Release);
    session.skipped.store(held, Ordering::Release);
    result.map_err(|e| ShellError::Usage(format!("watch: {}", without_os_codes(&e.to_string()))))
}

/// The screen's own state.
struct State {
    target: Target,
    /// Where Enter came from, to go back to, and the device selected
    /// there: the last is the one Esc goes back to.
    parents: Vec<(Target, Option<String>)>,
    sort: Sort,
    /// Only networks of these types (see [`Looks::kind`]).
    kind: Vec<NetworkType>,
    /// See [`Looks::devices`].
    devices: Option<Devices>,
    /// The clients' sort: a column and descending (`None`: as the model
    /// lists them).
    client_sort: Option<(usize, bool)>,
    /// The stations' sort, likewise.
    station_sort: Option<(usize, bool)>,
    selected: TableState,
    /// The selected row's device: the selection follows it when the rows
    /// re-sort (`None`: follow the row's place).
    selected_id: Option<String>,
    /// `/`: the text the rows must contain, and whether it is being typed.
    search: String,
    typing: bool,
    latest: Latest,
    table: view::Table,
    /// The network shown in detail (`None` when the model has it not).
    report: Option<super::outcome::NetworkReport>,
    /// The channels, for `watch channels`.
    channels: kismet_client::ChannelsView,
}

impl State {
    /// The sort by a column of a view sorted that way (clients, stations):
    /// its column and direction; `None` for the other views.
    fn column_sort(&mut self) -> Option<&mut Option<(usize, bool)>> {
        match self.target {
            Target::Clients(_) => Some(&mut self.client_sort),
            Target::Stations => Some(&mut self.station_sort),
            _ => None,
        }
    }

    /// Selects row `i` (within the rows), and its device.
    fn select(&mut self, i: usize) {
        let rows = self.table.rows.len();
        let i = (rows > 0).then(|| i.min(rows - 1));
        self.selected.select(i);
        self.selected_id = i.and_then(|i| self.table.ids.get(i).cloned());
    }
}

fn show(
    session: &Session,
    target: Target,
    tap: Option<Receiver<Frame>>,
    looks: Looks,
) -> io::Result<()> {
    // Given back when this returns, errs or panics.
    let _screen = terminal::FullScreen::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let mut state = State {
        target,
        parents: Vec::new(),
        sort: looks.sort,
        kind: looks.kind,
        devices: looks.devices,
        client_sort: None,
        station_sort: None,
        selected: TableState::default().with_selected(Some(0)),
        selected_id: None,
        search: String::new(),
        typing: false,
        latest: Latest::default(),
        table: view::Table::default(),
        report: None,
        channels: kismet_client::ChannelsView::default(),
    };
    let mut next_draw = Instant::now();
    loop {
        if let Some(rx) = &tap {
            for f in rx.try_iter() {
                state.latest.add(f);
            }
        }
        if Instant::now() >= next_draw {
            refresh(session, &mut state);
            draw(&mut terminal, session, &mut state)?;
            next_draw = Instant::now() + REDRAW;
        }
        let wait = next_draw.saturating_duration_since(Instant::now());
        if !event::poll(wait)? {
            continue;
        }
        if let Event::Key(key) = event::read()? {
            if key.kind == KeyEventKind::Release {
                continue;
            }
            if !on_key(&mut state, key) {
                return Ok(());
            }
            refresh(session, &mut state);
            draw(&mut terminal, session, &mut state)?;
            next_draw = Instant::now() + REDRAW;
        }
    }
}

/// Rebuilds the table from what is known now.
fn refresh(session: &Session, state: &mut State) {
    let now = session.client().server_clock().unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let model = session.model_if_started();
    let devices = || match &state.devices {
        Some(d) => Some((d.0)()),
        None => model.as_ref().map(|m| m.snapshot()),
    };
    state.table = match &state.target {
        Target::Networks => devices().map_or_else(view::Table::default, |s| {
            view::networks(&s, state.sort, &state.kind, now)
        }),
        Target::Clients(net) => devices().map_or_else(view::Table::default, |s| {
            view::clients(&s, net.as_deref(), now)
        }),
        Target::Stations => {
            devices().map_or_else(view::Table::default, |s| view::stations(&s, now))
        }
        Target::Network(bssid) => {
            state.report = model.and_then(|m| network_report(&m, bssid, now));
            view::Table::default()
        }
        Target::Channels => {
            state.channels = model.map(|m| m.channels()).unwrap_or_default();
            view::channels(&state.channels)
        }
        Target::Status => view::status(&status_report(session)),
        Target::Sources => model.map_or_else(view::Table::default, |m| view::sources(&m.sources())),
        Target::Protocol(_) => state.latest.table(session.settings().decode),
        Target::Alerts => session
            .alerts_model()
            .map_or_else(view::Table::default, |m| view::alerts(&m.alerts())),
    };
    if let Some(&mut Some((column, descending))) = state.column_sort() {
        state.table.sort_by_column(column, descending);
    }
    state.table.retain_matching(&state.search);
    if matches!(state.target, Target::Channels) {
        // The chart shows the channels `/` kept.
        let ids = &state.table.ids;
        (state.channels.channels).retain(|c| ids.contains(&c.channel.to_string()));
    }
    let at = state.selected.selected().unwrap_or(0);
    let sel = view::reselect(&state.table, state.selected_id.as_deref(), at);
    state.select(sel.unwrap_or(0));
}

/// Handles a key; false to leave.
fn on_key(state: &mut State, key: KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let rows = state.table.rows.len();
    let sel = state.selected.selected().unwrap_or(0);
    let select = |s: &mut State, i: usize| s.select(i);
    // `/TEXT`: typed on the status line; Enter keeps it, Esc drops it.
    if state.typing {
        match key.code {
            KeyCode::Char('c') if ctrl => return false,
            KeyCode::Enter => state.typing = false,
            KeyCode::Esc => {
                state.typing = false;
                state.search.clear();
            }
            KeyCode::Backspace => {
                state.search.pop();
            }
            KeyCode::Char(c) if !c.is_control() => state.search.push(c),
            _ => {}
        }
        return true;
    }
    match key.code {
        // The detail has no rows to sort or find.
        KeyCode::Char('/' | 's' | 'S' | 'r') if matches!(state.target, Target::Network(_)) => {}
        KeyCode::Char('/') => {
            state.typing = true;
            state.search.clear();
        }
        KeyCode::Char('c') if ctrl => return false,
        KeyCode::Char('q') => return false,
        // Esc clears a search before anything else.
        KeyCode::Esc if !state.search.is_empty() => state.search.clear(),
        KeyCode::Esc | KeyCode::Backspace => match state.parents.pop() {
            // Back on the row it left from (found again by the refresh).
            Some((parent, selected)) => {
                state.target = parent;
                state.selected_id = selected;
            }
            None => return key.code != KeyCode::Esc,
        },
        KeyCode::Char('s' | 'S' | 'r') if state.column_sort().is_some() => {
            let columns = state.table.columns.len().max(1);
            let Some(sort) = state.column_sort() else {
                return true;
            };
            let (column, descending) = sort.unwrap_or((columns - 1, false));
            *sort = Some(match key.code {
                KeyCode::Char('s') => ((column + 1) % columns, false),
                KeyCode::Char('S') => ((column + columns - 1) % columns, false),
                _ => (column, !descending),
            });
        }
        KeyCode::Char('s') => state.sort = state.sort.step(true),
        KeyCode::Char('S') => state.sort = state.sort.step(false),
        KeyCode::Char('r') => state.sort.descending = !state.sort.descending,
        KeyCode::Down | KeyCode::Char('j') => select(state, sel + 1),
        KeyCode::Up | KeyCode::Char('k') => select(state, sel.saturating_sub(1)),
        KeyCode::PageDown => select(state, sel + 20),
        KeyCode::PageUp => select(state, sel.saturating_sub(20)),
        KeyCode::Home => select(state, 0),
        KeyCode::End => select(state, rows.saturating_sub(1)),
        // A network's clients, from its detail.
        KeyCode::Char('c') => {
            if let Target::Network(bssid) = &state.target {
                let clients = Target::Clients(Some(bssid.clone()));
                open(state, clients);
            }
        }
        KeyCode::Enter => {
            if let Some(key) = state.table.keys.get(sel).cloned() {
                let next = match state.target {
                    Target::Networks => Target::Network(key),
                    _ => Target::Clients(Some(key)),
                };
                open(state, next);
            }
        }
        _ => {}
    }
    true
}

/// Opens `next`, to come back to what is shown now, on the same row.
fn open(state: &mut State, next: Target) {
    let here = std::mem::replace(&mut state.target, next);
    state.parents.push((here, state.selected_id.take()));
    state.selected.select(Some(0));
}

/// The detail of the network `bssid` as the model has it now.
fn network_report(
    model: &kismet_client::Model,
    bssid: &str,
    now: u64,
) -> Option<super::outcome::NetworkReport> {
    let view = super::handlers::DeviceView {
        snapshot: model.snapshot(),
        now,
        as_of: None,
    };
    let detail = |b: &str| Ok(model.detail(b).unwrap_or_default());
    match super::network::network_in(view, bssid, detail) {
        Ok(super::outcome::Outcome::Network(report)) => Some(*report),
        _ => None,
    }
}

fn draw(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    session: &Session,
    state: &mut State,
) -> io::Result<()> {
    let client = session.client();
    let info = client.server_info();
    let clock = client.server_time().map_or("--:--:--".to_string(), |t| {
        clock_text(t * 1000)[..8].to_string()
    });
    let conn = if client.is_connected() {
        "connected"
    } else {
        "DISCONNECTED"
    };
    // Most important first: what is shown and how many, the connection,
    // the clock, the GPS (once the model runs), then the server (left out
    // first on a narrow screen).
    let what = match state.target {
        Target::Network(_) => format!("kismet watch {}", state.target.title()),
        _ => format!(
            "kismet watch {}: {} rows",
            state.target.title(),
            state.table.rows.len()
        ),
    };
    let mut parts = vec![what, conn.to_string(), clock];
    if let Some(model) = session.model_if_started() {
        let gps = model.gps();
        parts.push(gps_label(
            gps.as_ref(),
            model.gps_lines(),
            session.model_age(),
        ));
    }
    parts.push(format!(
        "{} at {}",
        kismet_protocol::text::display(&info.name_bytes),
        client.addr()
    ));
    let color = session.settings().color;
    let mut help = match state.target {
        Target::Network(_) => String::from("q quit  c clients"),
        Target::Channels => String::from("q quit  / find"),
        _ => String::from("q quit  arrows PgUp PgDn move  / find"),
    };
    if matches!(state.target, Target::Networks) {
        help.push_str(&format!(
            "  s/S sort ({})  r reverse  Enter detail",
            state.sort.label()
        ));
    }
    if let Some(&mut sort) = state.column_sort() {
        let sorted = match sort {
            Some((c, d)) => format!(
                "{} {}",
                state.table.columns.get(c).map_or("", String::as_str),
                if d { "↓" } else { "↑" }
            ),
            None => "as listed".to_string(),
        };
        help.push_str(&format!("  s/S sort ({sorted})  r reverse"));
        if matches!(state.target, Target::Stations) {
            help.push_str("  Enter records");
        }
    }
    if !state.parents.is_empty() {
        help.push_str("  Esc back");
    }
    if state.typing {
        help = format!("find: {}_  (Enter keeps it, Esc clears it)", state.search);
    } else if !state.search.is_empty() {
        help = format!("rows with \"{}\" (Esc clears)  |  {help}", state.search);
    }
    terminal.draw(|f: &mut Screen| {
        let [top, bar, body] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(f.area());
        let title = view::fit_title(&parts, usize::from(top.width));
        f.render_widget(
            Paragraph::new(Line::from(title)).style(Style::new().add_modifier(Modifier::BOLD)),
            top,
        );
        f.render_widget(Paragraph::new(Line::from(help)), bar);
        if let Target::Network(bssid) = &state.target {
            detail::render(f, body, state.report.as_ref(), bssid);
            return;
        }
        if matches!(state.target, Target::Channels) {
            let chart = channels::chart(&state.channels, usize::from(body.width), color);
            f.render_widget(Paragraph::new(chart), body);
            return;
        }
        let fit = state.table.fit(usize::from(body.width), 2, 2);
        let widths: Vec<Constraint> = fit
            .iter()
            .map(|&(_, w)| Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX)))
            .collect();
        let pick = |cells: &[String]| -> Vec<String> {
            fit.iter()
                .map(|&(i, _)| cells.get(i).cloned().unwrap_or_default())
                .collect()
        };
        let header = Row::new(pick(&state.table.columns))
            .style(Style::new().add_modifier(Modifier::REVERSED));
        let titles = pick(&state.table.columns);
        let rows = state.table.rows.iter().map(|r| {
            Row::new(pick(r).into_iter().zip(&titles).map(|(text, title)| {
                let paint = color.then(|| paint::cell(title, &text)).flatten();
                let style = paint.map_or_else(Style::new, |p| Style::new().fg(paint::ratatui(p)));
                Cell::from(text).style(style)
            }))
        });
        let table = Table::new(rows, widths)
            .header(header)
            .column_spacing(2)
            .row_highlight_style(Style::new().add_modifier(Modifier::BOLD))
            .highlight_symbol("> ");
        f.render_stateful_widget(table, body, &mut state.selected);
    })?;
    Ok(())
}
