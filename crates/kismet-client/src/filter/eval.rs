//! The compiled form of a filter and its evaluation on a [`Frame`].
//!
//! Field names are already indexes, values already parsed as numbers where
//! they are numbers, regexes already compiled: evaluating allocates nothing,
//! except to decode an SSID that holds octal escapes.

use std::cmp::Ordering;

use regex::bytes::Regex;

use super::lexer::Op;
use kismet_protocol::decode::FieldDecoder;
use kismet_protocol::text::ssid_bytes;
use kismet_protocol::Frame;

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// One comparison.
    Cmp(Cmp),
    /// `not`.
    Not(Box<Expr>),
    /// Every one matches (`a and b and c`, kept flat).
    All(Vec<Expr>),
    /// At least one matches (`a or b or c`, kept flat).
    Any(Vec<Expr>),
}

impl Expr {
    /// True when `frame` matches; false when a field is missing.
    pub fn eval(&self, frame: &Frame) -> bool {
        match self {
            Expr::Cmp(c) => c.eval(frame),
            Expr::Not(e) => !e.eval(frame),
            Expr::All(es) => es.iter().all(|e| e.eval(frame)),
            Expr::Any(es) => es.iter().any(|e| e.eval(frame)),
        }
    }
}

/// One comparison of a field with a value.
#[derive(Debug, Clone)]
pub(crate) struct Cmp {
    /// Index of the field in the frame.
    pub index: usize,
    /// The field is an SSID: compare its decoded bytes.
    pub ssid: bool,
    /// The field's number stands for a name (a type, a cipher set) and
    /// the value is a word: compare the name, as the screen shows it.
    pub decoder: Option<FieldDecoder>,
    /// What to check.
    pub test: Test,
}

impl Cmp {
    fn eval(&self, frame: &Frame) -> bool {
        let Some(raw) = frame.field(self.index) else {
            return false;
        };
        if self.ssid {
            return self.test.check(&ssid_bytes(raw));
        }
        match self.decoder.map(|d| d.decode(raw)) {
            Some(Some(name)) => self.test.check(name.as_bytes()),
            // Not a number: compared as it came.
            _ => self.test.check(raw),
        }
    }
}

/// The check a comparison makes on a field's bytes.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`: numeric when both sides are numbers,
    /// byte-wise otherwise.
    Order(Op, Value),
    /// `~` (true) or `!~` (false).
    Regex(Regex, bool),
}

impl Test {
    /// True when the value compared with is a number (a decodable field
    /// then compares its number, not its name).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Test::Order(_, Value { num: Some(_), .. }))
    }

    fn check(&self, field: &[u8]) -> bool {
        match self {
            Test::Order(op, value) => {
                let ord = match value.num.and_then(|v| number(field).map(|f| (f, v))) {
                    Some((f, v)) => f.cmp(v),
                    None => field.cmp(&value.bytes),
                };
                accepts(*op, ord)
            }
            Test::Regex(re, want) => re.is_match(field) == *want,
        }
    }
}

/// True when `op` holds for a field that compares `ord` to the value.
fn accepts(op: Op, ord: Ordering) -> bool {
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        // Regex operators are compiled into Test::Regex.
        Op::Match | Op::NotMatch => false,
    }
}

/// A value to compare with: its bytes, and its number when it is one.
#[derive(Debug, Clone)]
pub(crate) struct Value {
    /// The value as written (quotes and escapes resolved).
    pub bytes: Box<[u8]>,
    /// The value as a number, when it is one.
    pub num: Option<Num>,
}

impl Value {
    /// A value from its text.
    pub fn new(text: &str) -> Value {
        Value {
            bytes: text.as_bytes().into(),
            num: number(text.as_bytes()),
        }
    }
}

/// A number: exact when it is an integer that fits, a float otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// An integer of at most 18 digits.
    Int(i64),
    /// Anything else numeric (decimals, long integers).
    Float(f64),
}

impl Num {
    /// Compares two numbers; integers exactly, anything else as floats.
    fn cmp(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.cmp(&b),
            // Never NaN: number() accepts no "nan" and no exponent.
            (a, b) => a.float().partial_cmp(&b.float()).unwrap_or(Ordering::Equal),
        }
    }

    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// The number `bytes` spell, if they are one: an optional `-`, digits, and
/// optionally a `.` and more digits (`-60`, `52.520008`, `.5`, `5.`).
/// No exponent, no `inf` or `nan`: only what a person or the server writes.
pub(crate) fn number(bytes: &[u8]) -> Option<Num> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let int_len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == digits.len() {
        if int_len == 0 {
            return None;
        }
        if int_len <= 18 {
            let n = digits
                .iter()
                .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
            return Some(Num::Int(if digits.len() < bytes.len() { -n } else { n }));
        }
    } else {
        let frac = digits[int_len..].strip_prefix(b".")?;
        if !frac.iter().all(u8::is_ascii_digit) || int_len + frac.len() == 0 {
            return None;
        }
    }
    // Only ASCII digits, '-' and '.' got here, which Rust parses as f64.
    let text = std::str::from_utf8(bytes).ok()?;
    text.parse::<f64>().ok().map(Num::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers are integers and decimals, negative allowed; nothing else.
    #[test]
    fn numbers() {
        let cases: &[(&str, Option<Num>)] = &[
            ("0", Some(Num::Int(0))),
            ("-60", Some(Num::Int(-60))),
            ("007", Some(Num::Int(7))),
            ("52.520008", Some(Num::Float(52.520008))),
            ("-0.5", Some(Num::Float(-0.5))),
            (".5", Some(Num::Float(0.5))),
            ("5.", Some(Num::Float(5.0))),
            (
                "1234567890123456789",
                Some(Num::Float(1234567890123456789.0)),
            ),
            ("", None),
            ("-", None),
            (".", None),
            ("-.", None),
            ("1e5", None),
            ("inf", None),
            ("NaN", None),
            ("+5", None),
            ("1.2.3", None),
            ("00:1B:77", None),
            ("--5", None),
            (" 5", None),
        ];
        for (text, want) in cases {
            assert_eq!(number(text.as_bytes()), *want, "{text:?}");
        }
    }

    /// Integers compare exactly; mixed and decimal values as floats.
    #[test]
    fn number_order() {
        let cases: &[(&str, &str, Ordering)] = &[
            ("10", "9", Ordering::Greater),
            ("-53", "-60", Ordering::Greater),
            ("5", "5.0", Ordering::Equal),
            ("-0.0", "0", Ordering::Equal),
            ("0.1", "0.25", Ordering::Less),
            ("9007199254740993", "9007199254740992", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            let (x, y) = (number(a.as_bytes()).unwrap(), number(b.as_bytes()).unwrap());
            assert_eq!(x.cmp(y), *want, "{a} vs {b}");
        }
    }
}
