//! The watch view's network detail (Enter on a network): its fields on the
//! left, its SSIDs and clients on the right, and a chart of its signal
//! over the last minutes (a ratatui sparkline) underneath, redrawn live.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};
use ratatui::Frame as Screen;

use crate::shell::outcome::NetworkReport;
use crate::shell::render::detail::{
    chart_end, detail_fields, signal_columns, signal_summary, ssid_lines, CHART_HIGH_DBM,
    CHART_LOW_DBM,
};
use crate::shell::render::layout::truncate;
use kismet_client::SIGNAL_SECONDS;

/// Rows of the signal chart, its border included.
const CHART_ROWS: u16 = 6;

/// A bar's height for a reading: dBm above the chart's bottom (at least 1,
/// so that a reading shows).
fn bar(dbm: i32) -> u64 {
    u64::try_from(dbm - (CHART_LOW_DBM - 1)).unwrap_or(0).max(1)
}

/// Draws the detail of `report` in `area`; `missing` names the network
/// when the model no longer holds it.
pub fn render(f: &mut Screen, area: Rect, report: Option<&NetworkReport>, missing: &str) {
    let Some(r) = report else {
        let text = format!("network {missing} is not in the live model (now, or any more)");
        f.render_widget(Paragraph::new(Line::from(text)), area);
        return;
    };
    let [info, chart] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(CHART_ROWS)]).areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(info);
    let label = 14;
    let fields: Vec<Line> = detail_fields(r)
        .into_iter()
        .map(|(k, v)| {
            Line::from(truncate(
                &format!("{k:<label$}{v}"),
                usize::from(left.width),
            ))
        })
        .collect();
    f.render_widget(Paragraph::new(fields), left);
    f.render_widget(Paragraph::new(side_lines(r, right)), right);

    let minutes = SIGNAL_SECONDS / 60;
    let title = format!(
        " Signal, last {minutes} min: {} ",
        signal_summary(&r.detail.signal_history)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(truncate(&title, usize::from(chart.width.saturating_sub(2))));
    let width = usize::from(block.inner(chart).width);
    let points = &r.detail.signal_history;
    let bars: Vec<Option<u64>> = signal_columns(points, chart_end(points), width)
        .into_iter()
        .map(|c| c.map(bar))
        .collect();
    let top = bars.iter().flatten().copied().max().unwrap_or(0);
    let sparkline = Sparkline::default()
        .block(block)
        .data(bars)
        .max(top.max(bar(CHART_HIGH_DBM)));
    f.render_widget(sparkline, chart);
}

/// The right column: the SSID records, then as many clients as fit.
fn side_lines(r: &NetworkReport, area: Rect) -> Vec<Line<'static>> {
    let width = usize::from(area.width);
    let mut lines = vec![Line::from(format!("SSIDs ({})", r.network.ssids.len()))];
    for (i, s) in r.network.ssids.iter().enumerate() {
        let [first, second] = ssid_lines(s, r.detail.ssids.get(i), r.now);
        lines.push(Line::from(truncate(&format!(" {first}"), width)));
        if !second.is_empty() {
            lines.push(Line::from(truncate(&format!("   {second}"), width)));
        }
    }
    lines.push(Line::from(format!(
        "Clients ({}; c lists them)",
        r.clients.len()
    )));
    let room = usize::from(area.height).saturating_sub(lines.len());
    for (i, c) in r.clients.iter().enumerate() {
        if i + 1 == room && r.clients.len() > room {
            lines.push(Line::from(format!(" and {} more", r.clients.len() - i)));
            break;
        }
        let signal = c.signal_dbm.map_or("-".to_string(), |s| format!("{s} dBm"));
        lines.push(Line::from(truncate(
            &format!(" {}  {signal}", c.mac),
            width,
        )));
    }
    lines
}
