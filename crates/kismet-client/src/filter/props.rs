//! Property tests: no expression and no frame makes the filter panic.

use proptest::prelude::*;

use super::Filter;
use kismet_protocol::FieldValue;
use kismet_protocol::Frame;

const FIELDS: [&str; 5] = ["ssid", "mac", "signal_dbm", "channel", "manuf"];

fn fields() -> Vec<String> {
    FIELDS.iter().map(|s| s.to_string()).collect()
}

/// The language's tokens, and a few that are nearly tokens.
const TOKENS: &[&str] = &[
    "ssid",
    "SSID",
    "mac",
    "signal_dbm",
    "channel",
    "manuf",
    "sssid",
    "and",
    "AND",
    "or",
    "Or",
    "not",
    "&&",
    "||",
    "!",
    "&",
    "|",
    "(",
    ")",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "~",
    "!~",
    "\"",
    "\\",
    "\"a b\"",
    "\"\\\"\"",
    r#""\\\\""#,
    "\"^Caf\"",
    "\"(\"",
    "\"[\"",
    "\"\\w{50}\"",
    "-60",
    "10",
    "9.5",
    ".",
    "-",
    "☕",
    "é",
    "\u{202e}",
    "\t",
    "\n",
    "x",
];

/// An expression built from tokens, with or without spaces between them.
fn token_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec((proptest::sample::select(TOKENS), any::<bool>()), 0..24).prop_map(
        |toks| {
            toks.into_iter()
                .map(|(t, space)| {
                    if space {
                        format!("{t} ")
                    } else {
                        t.to_string()
                    }
                })
                .collect()
        },
    )
}

/// A well-formed expression: comparisons under `not`, `and`, `or` and
/// parentheses, spelled in the ways the language allows.
fn valid_expr() -> impl Strategy<Value = String> {
    let field = proptest::sample::select(&["ssid", "MAC", "signal_dbm", "Channel", "manuf"][..]);
    let op = proptest::sample::select(&["=", "==", "!=", "<", "<=", ">", ">=", "~", "!~"][..]);
    let value = proptest::sample::select(
        &[
            "-60",
            "10",
            "9.5",
            "a",
            "\"a b\"",
            "\"^Caf\"",
            "\"Café ☕\"",
            r#""\\\\""#,
            "☕",
        ][..],
    );
    let leaf = (field, op, value).prop_map(|(f, o, v)| format!("{f} {o} {v}"));
    leaf.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("not {e}")),
            inner.clone().prop_map(|e| format!("!({e})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) && {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} OR {b}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a})||({b})")),
        ]
    })
}

/// Any string: arbitrary unicode, or built from the language's tokens.
fn expression() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), token_soup(), token_soup(), token_soup()]
}

/// A frame of 0 to 7 arbitrary fields, quoted or bare, named or not.
fn frame() -> impl Strategy<Value = Frame> {
    let field = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..12),
        "-?[0-9]{1,20}(\\.[0-9]{0,3})?".prop_map(String::into_bytes),
        "(Caf|\\\\[0-3][0-7]{2}| ){0,6}".prop_map(String::into_bytes),
    ];
    (
        proptest::collection::vec((field, any::<bool>()), 0..8),
        any::<bool>(),
    )
        .prop_map(|(values, named)| {
            let v: Vec<FieldValue> = values
                .iter()
                .map(|(b, quoted)| {
                    if *quoted {
                        FieldValue::Quoted(b)
                    } else {
                        FieldValue::Bare(b)
                    }
                })
                .collect();
            let f = Frame::from_fields("X", &v).unwrap_or_else(|_| Frame::parse(b"*X: ").unwrap());
            let names = named.then(|| fields().into());
            f.with_names(names)
        })
}

proptest! {
    /// Any string parses or gives an error whose range lies within the
    /// expression on character boundaries, and whose pointer is two lines.
    #[test]
    fn parse_never_panics(expr in expression()) {
        match Filter::parse(&expr, &fields()) {
            Ok(f) => prop_assert_eq!(f.source(), expr.as_str()),
            Err(e) => {
                prop_assert!(e.start + e.len <= expr.len(), "{:?}: {:?}", expr, e);
                prop_assert!(expr.is_char_boundary(e.start));
                prop_assert!(expr.is_char_boundary(e.start + e.len));
                prop_assert!(!e.message.is_empty());
                prop_assert_eq!(e.pointer(&expr).matches('\n').count(), 1);
            }
        }
    }

    /// Well-formed expressions always compile.
    #[test]
    fn valid_expressions_parse(expr in valid_expr()) {
        let parsed = Filter::parse(&expr, &fields());
        prop_assert!(parsed.is_ok(), "{:?}: {:?}", expr, parsed.err());
    }

    /// A parsed filter never panics on arbitrary frames, and `not (E)` is
    /// the opposite of `E` on every frame that has all the fields E reads.
    #[test]
    fn matches_never_panics(
        expr in prop_oneof![valid_expr(), token_soup()],
        frames in proptest::collection::vec(frame(), 1..6),
    ) {
        if let Ok(f) = Filter::parse(&expr, &fields()) {
            let negated = Filter::parse(&format!("not ({expr})"), &fields()).ok();
            let reads = f.fields_used().iter()
                .map(|n| FIELDS.iter().position(|x| x == n).unwrap_or(0) + 1)
                .max().unwrap_or(0);
            for frame in &frames {
                let m = f.matches(frame);
                if let Some(n) = &negated {
                    if frame.len() >= reads {
                        prop_assert_eq!(n.matches(frame), !m, "{:?} on {:?}", expr, frame);
                    }
                }
            }
        }
    }

    /// Integers compare as numbers, whatever their text order.
    #[test]
    fn integers_compare_numerically(a in -100_000i64..100_000, b in -100_000i64..100_000) {
        let frame = Frame::parse(format!("*X: a b {a} ").as_bytes()).unwrap();
        for (op, want) in [("<", a < b), ("<=", a <= b), (">", a > b), (">=", a >= b), ("=", a == b), ("!=", a != b)] {
            let f = Filter::parse(&format!("signal_dbm {op} {b}"), &fields()).unwrap();
            prop_assert_eq!(f.matches(&frame), want, "{} {} {}", a, op, b);
        }
    }
}
