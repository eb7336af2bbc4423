//! Splitting a filter expression into tokens, each with its byte range.
//!
//! Bare words run to whitespace, a quote or an operator character
//! (`= ! < > ~ ( ) & |`), so `signal_dbm>-60` is three tokens. Whether a
//! word is a keyword (`and`, `or`, `not`) is for the parser to say: in the
//! place of a value it is just a word.

use super::error::FilterError;
use kismet_protocol::text::display;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `=` (also `==`).
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `~`: regular expression match.
    Match,
    /// `!~`: regular expression does not match.
    NotMatch,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A bare word: a field name, a value or a keyword.
    Word,
    /// A double-quoted string, with its escapes resolved.
    Str(String),
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// A comparison operator.
    Op(Op),
    /// `&&`.
    And,
    /// `||`.
    Or,
    /// `!` on its own.
    Not,
}

/// One token and where it is in the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub kind: Kind,
    /// Byte offset in the expression.
    pub start: usize,
    /// Length in bytes, quotes included for a string.
    pub len: usize,
}

impl Token {
    /// The token's text as written in `expr`.
    pub fn text<'a>(&self, expr: &'a str) -> &'a str {
        &expr[self.start..self.start + self.len]
    }

    /// The token for an error message: `"<"`, `string "a b"`.
    pub fn describe(&self, expr: &str) -> String {
        let text = display(self.text(expr).as_bytes());
        match self.kind {
            Kind::Str(_) => format!("string {text}"),
            _ => format!("\"{text}\""),
        }
    }

    /// True for a bare word equal to `keyword`, ignoring case.
    pub fn is_word(&self, expr: &str, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text(expr).eq_ignore_ascii_case(keyword)
    }
}

/// True for the characters that end a bare word.
fn is_special(c: char) -> bool {
    matches!(c, '"' | '=' | '!' | '<' | '>' | '~' | '(' | ')' | '&' | '|') || c.is_whitespace()
}

/// Splits `expr` into tokens.
///
/// # Errors
/// `unterminated "` for a string with no closing quote (the range runs from
/// the opening quote to the end), and `unexpected "&"` for a lone `&` or `|`.
pub(crate) fn tokenize(expr: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let bytes = expr.as_bytes();
    let mut chars = expr.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        // The next byte decides two-character operators (all ASCII).
        let next = bytes.get(start + 1).copied();
        let (kind, len) = match c {
            c if c.is_whitespace() => continue,
            '(' => (Kind::Open, 1),
            ')' => (Kind::Close, 1),
            '"' => {
                let (value, len) = string(expr, start)?;
                (Kind::Str(value), len)
            }
            '=' if next == Some(b'=') => (Kind::Op(Op::Eq), 2),
            '=' => (Kind::Op(Op::Eq), 1),
            '!' if next == Some(b'=') => (Kind::Op(Op::Ne), 2),
            '!' if next == Some(b'~') => (Kind::Op(Op::NotMatch), 2),
            '!' => (Kind::Not, 1),
            '<' if next == Some(b'=') => (Kind::Op(Op::Le), 2),
            '<' => (Kind::Op(Op::Lt), 1),
            '>' if next == Some(b'=') => (Kind::Op(Op::Ge), 2),
            '>' => (Kind::Op(Op::Gt), 1),
            '~' => (Kind::Op(Op::Match), 1),
            '&' if next == Some(b'&') => (Kind::And, 2),
            '|' if next == Some(b'|') => (Kind::Or, 2),
            '&' | '|' => {
                return Err(FilterError::new(
                    format!("unexpected \"{c}\" (did you mean \"{c}{c}\"?)"),
                    start,
                    1,
                ))
            }
            _ => {
                let end = expr[start..]
                    .find(is_special)
                    .map_or(expr.len(), |p| start + p);
                (Kind::Word, end - start)
            }
        };
        out.push(Token { kind, start, len });
        // Skip the rest of the token.
        while chars.peek().is_some_and(|&(i, _)| i < start + len) {
            chars.next();
        }
    }
    Ok(out)
}

/// Reads the string whose opening quote is at `start`: its value (`\"` and
/// `\\` resolved, any other backslash kept, so `"\d+"` is the regex `\d+`)
/// and its length in the expression, quotes included.
fn string(expr: &str, start: usize) -> Result<(String, usize), FilterError> {
    let mut value = String::new();
    let mut chars = expr[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, i + 2)),
            '\\' => match chars.clone().next() {
                Some((_, e @ ('"' | '\\'))) => {
                    value.push(e);
                    chars.next();
                }
                _ => value.push('\\'),
            },
            c => value.push(c),
        }
    }
    Err(FilterError::new(
        "unterminated \"",
        start,
        expr.len() - start,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(expr: &str) -> Vec<(Kind, &str)> {
        tokenize(expr)
            .unwrap_or_else(|e| panic!("{expr:?}: {e}"))
            .into_iter()
            .map(|t| {
                let text = t.text(expr);
                (t.kind, text)
            })
            .collect()
    }

    /// Every operator and symbol lexes to its token, with or without spaces
    /// around it, and its text is the exact range in the expression.
    #[test]
    fn tokens_table() {
        use Kind as K;
        let cases: &[(&str, &[(Kind, &str)])] = &[
            (
                "a=b",
                &[(K::Word, "a"), (K::Op(Op::Eq), "="), (K::Word, "b")],
            ),
            (
                "a==b",
                &[(K::Word, "a"), (K::Op(Op::Eq), "=="), (K::Word, "b")],
            ),
            (
                "a!=b",
                &[(K::Word, "a"), (K::Op(Op::Ne), "!="), (K::Word, "b")],
            ),
            (
                "a<b",
                &[(K::Word, "a"), (K::Op(Op::Lt), "<"), (K::Word, "b")],
            ),
            (
                "a<=b",
                &[(K::Word, "a"), (K::Op(Op::Le), "<="), (K::Word, "b")],
            ),
            (
                "a>-60",
                &[(K::Word, "a"), (K::Op(Op::Gt), ">"), (K::Word, "-60")],
            ),
            (
                "a>=b",
                &[(K::Word, "a"), (K::Op(Op::Ge), ">="), (K::Word, "b")],
            ),
            (
                "a~^b",
                &[(K::Word, "a"), (K::Op(Op::Match), "~"), (K::Word, "^b")],
            ),
            (
                "a!~b",
                &[(K::Word, "a"), (K::Op(Op::NotMatch), "!~"), (K::Word, "b")],
            ),
            (
                "!(x)&&y||z",
                &[
                    (K::Not, "!"),
                    (K::Open, "("),
                    (K::Word, "x"),
                    (K::Close, ")"),
                    (K::And, "&&"),
                    (K::Word, "y"),
                    (K::Or, "||"),
                    (K::Word, "z"),
                ],
            ),
            (
                " mac\t= 00:1B:77:10:00:01\n",
                &[
                    (K::Word, "mac"),
                    (K::Op(Op::Eq), "="),
                    (K::Word, "00:1B:77:10:00:01"),
                ],
            ),
            ("café☕", &[(K::Word, "café☕")]),
            ("", &[]),
        ];
        for (expr, want) in cases {
            let want: Vec<(Kind, &str)> = want.to_vec();
            assert_eq!(kinds(expr), want, "{expr:?}");
        }
    }

    /// Strings keep spaces and operator characters; `\"` and `\\` are the
    /// only escapes, any other backslash stays for the regex.
    #[test]
    fn strings() {
        let cases: &[(&str, &str, usize)] = &[
            (r#""Coffee Shop Free WiFi""#, "Coffee Shop Free WiFi", 23),
            (r#""a \"b\" c""#, r#"a "b" c"#, 11),
            (r#""back\\slash""#, r"back\slash", 13),
            (r#""\d+ (x|y)""#, r"\d+ (x|y)", 11),
            (r#""""#, "", 2),
            (r#""Café ☕""#, "Café ☕", 11),
        ];
        for (expr, value, len) in cases {
            let toks = tokenize(expr).unwrap();
            assert_eq!(toks.len(), 1, "{expr:?}");
            assert_eq!(toks[0].kind, Kind::Str(value.to_string()), "{expr:?}");
            assert_eq!(toks[0].len, *len, "{expr:?}");
        }
    }

    /// Lexical errors point at the offending characters.
    #[test]
    fn errors() {
        let cases: &[(&str, &str, usize, usize)] = &[
            (r#"ssid = "abc"#, "unterminated \"", 7, 4),
            (r#"ssid = "ab\""#, "unterminated \"", 7, 5),
            ("a = b & c", "unexpected \"&\" (did you mean \"&&\"?)", 6, 1),
            ("a = b | c", "unexpected \"|\" (did you mean \"||\"?)", 6, 1),
        ];
        for (expr, msg, start, len) in cases {
            let e = tokenize(expr).unwrap_err();
            assert_eq!(e, FilterError::new(*msg, *start, *len), "{expr:?}");
        }
    }
}
