//! Text for a terminal of a given width: word wrapping, the terminal's
//! width, and counted nouns (`1 frame`, `2 frames`).

use unicode_width::UnicodeWidthStr;

/// Columns assumed when the terminal's width is unknown (not a terminal,
/// or a pseudo-terminal whose size was never set).
pub const DEFAULT_WIDTH: usize = 80;

/// The width of the terminal on stdout, or [`DEFAULT_WIDTH`].
pub fn terminal_width() -> usize {
    match crossterm::terminal::size() {
        Ok((cols, _)) if cols > 0 => usize::from(cols),
        _ => DEFAULT_WIDTH,
    }
}

/// The height of the terminal on stdout, if known.
pub fn terminal_height() -> Option<usize> {
    match crossterm::terminal::size() {
        Ok((_, rows)) if rows > 0 => Some(usize::from(rows)),
        _ => None,
    }
}

/// `n` and the noun, plural when `n` is not 1: `1 frame`, `3 frames`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Wraps each line of `text` at word boundaries to `width` columns. A line
/// that fits is left as it is (columns lined up with spaces stay lined
/// up); a continuation keeps the line's indentation; a word longer than the
/// width is left whole on a line of its own (never split).
///
/// # Examples
/// ```
/// use kismet_shell::shell::render::layout::wrap;
/// assert_eq!(wrap("  one two three", 10), "  one two\n  three");
/// ```
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        wrap_line(&mut out, line, width);
    }
    out
}

/// `text` cut to `width` columns, ending in `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn wrap_line(out: &mut String, line: &str, width: usize) {
    if line.width() <= width {
        out.push_str(line);
        return;
    }
    let indent_len = line.len() - line.trim_start_matches(' ').len();
    let indent = &line[..indent_len];
    let mut col = 0;
    let mut first = true;
    for word in line[indent_len..].split(' ').filter(|w| !w.is_empty()) {
        let w = word.width();
        if first {
            out.push_str(indent);
            col = indent.width();
        } else if col + 1 + w > width {
            out.push('\n');
            out.push_str(indent);
            col = indent.width();
        } else {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
        first = false;
    }
    if first {
        out.push_str(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines break between words, keep their indentation, and never split
    /// a word, whatever the width.
    #[test]
    fn wraps_at_word_boundaries() {
        assert_eq!(wrap("a bb ccc", 80), "a bb ccc");
        assert_eq!(wrap("a bb ccc", 4), "a bb\nccc");
        assert_eq!(wrap("  xx yy zz", 7), "  xx yy\n  zz");
        assert_eq!(wrap("unbreakable", 3), "unbreakable");
        assert_eq!(wrap("one\n\ntwo", 10), "one\n\ntwo");
        assert_eq!(wrap("  a    b", 8), "  a    b", "a line that fits is kept");
        for width in 1..40 {
            let text = "enable PROTO f1,f2,...|* receive a protocol's frames with the fields";
            let w = wrap(text, width);
            let words: Vec<&str> = w.split_whitespace().collect();
            assert_eq!(
                words,
                text.split_whitespace().collect::<Vec<_>>(),
                "{width}"
            );
            for l in w.lines() {
                assert!(
                    l.width() <= width || !l.trim().contains(' '),
                    "{width}: {l:?}"
                );
            }
        }
    }

    /// Counted nouns agree in number.
    #[test]
    fn plurals() {
        assert_eq!(plural(1, "frame"), "1 frame");
        assert_eq!(plural(0, "frame"), "0 frames");
        assert_eq!(plural(2, "line"), "2 lines");
    }
}
