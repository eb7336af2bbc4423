//! `watch channels`: a bar chart per channel, 2.4 GHz and 5 GHz apart:
//! a bar for its networks, a bar for its packets a second (both scaled to
//! the busiest channel shown), and its strongest signal as a label, graded
//! in colour when colour is on. The numbers are `channels`'; the last line
//! says where they come from.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::shell::render::channels::{in_band, rate_text, signal_text, source_note};
use crate::shell::render::paint;
use kismet_client::{Band, ChannelView, ChannelsView};

/// Width of the channel number, with a space after it.
const CH: usize = 4;
/// Width of the count after the networks bar, with a space before it.
const COUNT: usize = 5;
/// Width of the rate after the packets bar, with a space before it.
const RATE: usize = 9;
/// Space between the parts.
const GAP: usize = 2;
/// Width of the signal label (`-100 dBm`).
const SIGNAL: usize = 8;
/// The narrowest bar.
const MIN_BAR: usize = 3;

/// Block characters by eighths, for a bar's last cell.
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// A bar of `value` out of `max`, `width` cells wide: full blocks, then
/// eighths; at least an eighth for any value above 0.
pub fn bar(value: f64, max: f64, width: usize) -> String {
    if !(value > 0.0 && max > 0.0) {
        return " ".repeat(width);
    }
    let eighths = ((value / max).min(1.0) * (width * 8) as f64).round() as usize;
    let eighths = eighths.max(1);
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    let used = s.chars().count();
    s.push_str(&" ".repeat(width.saturating_sub(used)));
    s
}

/// The width of each bar on a screen `width` columns wide.
fn bar_width(width: usize) -> usize {
    let fixed = CH + COUNT + GAP + RATE + GAP + SIGNAL;
    (width.saturating_sub(fixed) / 2).max(MIN_BAR)
}

/// Styles: only with colour.
fn styled(text: String, color: bool, style: Style) -> Span<'static> {
    if color {
        Span::styled(text, style)
    } else {
        Span::raw(text)
    }
}

/// One channel's line.
fn channel_line(c: &ChannelView, most: (f64, f64), bars: usize, color: bool) -> Line<'static> {
    let networks = c.networks.unwrap_or(0) as f64;
    let rate = c.packets_per_s.unwrap_or(0.0);
    let count = c.networks.map_or(String::new(), |n| n.to_string());
    let signal = signal_text(c.max_signal_dbm);
    let signal_style = (c.max_signal_dbm)
        .map(|d| Style::new().fg(paint::ratatui(paint::signal(d))))
        .unwrap_or_default();
    Line::from(vec![
        Span::raw(format!("{:>w$} ", c.channel, w = CH - 1)),
        styled(
            bar(networks, most.0, bars),
            color,
            Style::new().fg(Color::Cyan),
        ),
        Span::raw(format!(" {count:>w$}", w = COUNT - 1)),
        Span::raw(" ".repeat(GAP)),
        styled(
            bar(rate, most.1, bars),
            color,
            Style::new().fg(Color::Magenta),
        ),
        Span::raw(format!(" {:>w$}", rate_text(c.packets_per_s), w = RATE - 1)),
        Span::raw(" ".repeat(GAP)),
        styled(format!("{signal:>SIGNAL$}"), color, signal_style),
    ])
}

/// The chart for a screen `width` columns wide: a header, then per band
/// (2.4 GHz and 5 GHz always, other when any) its heading and a line per
/// channel, then where the numbers come from.
pub fn chart(v: &ChannelsView, width: usize, color: bool) -> Vec<Line<'static>> {
    let bars = bar_width(width);
    let most = v.channels.iter().fold((0.0f64, 0.0f64), |(n, r), c| {
        (
            n.max(c.networks.unwrap_or(0) as f64),
            r.max(c.packets_per_s.unwrap_or(0.0)),
        )
    });
    let header = format!(
        "{:<ch$}{:<nets$}{:<rate$}{:>SIGNAL$}",
        "CH",
        "networks",
        "packets/s",
        "signal",
        ch = CH,
        nets = bars + COUNT + GAP,
        rate = bars + RATE + GAP,
    );
    let mut lines = vec![Line::from(header).style(Style::new().add_modifier(Modifier::REVERSED))];
    for band in Band::ALL {
        let channels = in_band(v, band);
        if channels.is_empty() && band == Band::Other {
            continue;
        }
        let heading = if channels.is_empty() {
            format!("{}: no activity", band.label())
        } else {
            band.label().to_string()
        };
        lines.push(Line::from(heading).style(Style::new().add_modifier(Modifier::BOLD)));
        lines.extend(
            channels
                .into_iter()
                .map(|c| channel_line(c, most, bars, color)),
        );
    }
    lines.push(Line::from(format!("numbers {}", source_note(v.source))));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_client::ChannelSource;

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    /// A full bar for the most, half a bar for half, an eighth at least
    /// for a little, nothing for none.
    #[test]
    fn bars_scale_to_the_most() {
        assert_eq!(bar(4.0, 4.0, 4), "████");
        assert_eq!(bar(2.0, 4.0, 4), "██  ");
        assert_eq!(bar(0.01, 4.0, 4), "▏   ");
        assert_eq!(bar(0.0, 4.0, 4), "    ");
        assert_eq!(bar(1.0, 0.0, 2), "  ");
    }

    /// At 80 columns: both band headings, a line per channel with its
    /// bars, count, rate and signal, each line within 80 columns; the
    /// signal styled only with colour.
    #[test]
    fn chart_fits_80_columns_with_band_headings() {
        let v = ChannelsView {
            source: ChannelSource::Server,
            channels: vec![
                ChannelView {
                    channel: 6,
                    networks: Some(2),
                    packets_per_s: Some(12.5),
                    max_signal_dbm: Some(-45),
                },
                ChannelView {
                    channel: 11,
                    networks: Some(1),
                    packets_per_s: Some(0.0),
                    max_signal_dbm: Some(-80),
                },
            ],
        };
        let lines = chart(&v, 80, false);
        let texts: Vec<String> = lines.iter().map(text).collect();
        assert!(texts.iter().all(|t| t.chars().count() <= 80), "{texts:#?}");
        assert_eq!(texts[1], "2.4 GHz");
        assert!(texts[2].starts_with("  6 ████") && texts[2].ends_with("12.5   -45 dBm"));
        assert_eq!(texts[4], "5 GHz: no activity");
        assert!(texts[5].contains("CHANNEL lines"));
        let plain = lines[2].spans.last().map(|s| s.style);
        assert_eq!(plain, Some(Style::default()));
        let coloured = chart(&v, 80, true);
        let signal = coloured[2].spans.last().map(|s| s.style.fg);
        assert_eq!(signal, Some(Some(Color::Green)));
    }
}
