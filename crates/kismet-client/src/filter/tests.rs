//! Table-driven tests of [`Filter`]: the language end to end, on frames.

use std::sync::Arc;

use super::parser::{MAX_DEPTH, MAX_LEN, MAX_REGEXES};
use super::{Filter, FilterError};
use kismet_protocol::FieldValue;
use kismet_protocol::Frame;

const FIELDS: [&str; 5] = ["ssid", "mac", "signal_dbm", "channel", "manuf"];

fn names() -> Arc<[String]> {
    FIELDS.iter().map(|s| s.to_string()).collect()
}

/// A frame with the test fields, each value quoted on the wire.
fn frame(values: [&[u8]; 5]) -> Frame {
    let v: Vec<FieldValue> = values.iter().map(|b| FieldValue::Quoted(b)).collect();
    Frame::from_fields("X", &v)
        .unwrap()
        .with_names(Some(names()))
}

/// The SSID `Café ☕` as the server writes it, octal-escaped.
fn cafe() -> Frame {
    frame([
        b"Caf\\303\\251 \\342\\230\\225",
        b"00:24:01:D4:00:04",
        b"-53",
        b"10",
        b"b",
    ])
}

fn coffee() -> Frame {
    frame([
        b"Coffee Shop Free WiFi",
        b"00:18:E7:B2:00:02",
        b"-70",
        b"6",
        b"Intel \"Corp\"",
    ])
}

fn compile(expr: &str) -> Filter {
    let fields: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
    Filter::parse(expr, &fields).unwrap_or_else(|e| panic!("{expr:?}: {e}\n{}", e.pointer(expr)))
}

/// Each expression gives the expected answer on the Café and the Coffee
/// frames: every operator, numbers against text, precedence, quoting,
/// keywords in any case, the decoded SSID.
#[test]
fn evaluation_table() {
    let cases: &[(&str, bool, bool)] = &[
        // (expression, matches Café, matches Coffee)
        // Every operator, numerically.
        ("signal_dbm = -53", true, false),
        ("signal_dbm == -53.0", true, false),
        ("signal_dbm != -53", false, true),
        ("signal_dbm > -60", true, false),
        ("signal_dbm >= -53", true, false),
        ("signal_dbm < -53", false, true),
        ("signal_dbm <= -53", true, true),
        ("signal_dbm>-60", true, false),
        // Numeric when both sides are numbers, quoted or not: 10 > 9.
        ("channel > 9", true, false),
        ("channel > \"9\"", true, false),
        ("channel = 10.0", true, false),
        ("channel < 6.5", false, true),
        // Otherwise byte-wise text: "10" < "9a", "b" > "a".
        ("channel > 9a", false, false),
        ("channel < 9a", true, true),
        ("manuf > a", true, false),
        ("manuf <= b", true, true),
        ("manuf = b", true, false),
        ("mac = 00:24:01:D4:00:04", true, false),
        ("mac != 00:24:01:D4:00:04", false, true),
        // Regular expressions, on any field.
        ("mac ~ ^00:18", false, true),
        ("mac !~ ^00:18", true, false),
        ("manuf ~ Intel", false, true),
        (r#"manuf ~ "(?i)^intel""#, false, true),
        (r#"signal_dbm ~ "^-5\d$""#, true, false),
        // The SSID is decoded: `Café ☕`, with unicode on.
        (r#"ssid ~ "^Caf""#, true, false),
        (r#"ssid ~ "^C""#, true, true),
        (r#"ssid ~ "^Café ☕$""#, true, false),
        (r#"ssid = "Café ☕""#, true, false),
        ("ssid ~ ☕", true, false),
        (r#"ssid ~ "^Caf. .$""#, true, false),
        (r#"ssid ~ "303""#, false, false),
        (r#"ssid !~ "^Caf""#, false, true),
        // Quoted values with spaces and escapes.
        (r#"ssid = "Coffee Shop Free WiFi""#, false, true),
        (r#"ssid = "Coffee Shop""#, false, false),
        (r#"manuf = "Intel \"Corp\"""#, false, true),
        (r#"ssid = "Coffee Shop Free WiFi\\""#, false, false),
        // Keywords in any case, and their symbols.
        ("channel = 10 OR channel = 6", true, true),
        ("channel = 10 Or channel = 6", true, true),
        ("channel = 10 || channel = 6", true, true),
        ("mac ~ 00 AND channel = 6", false, true),
        ("mac ~ 00 && channel = 6", false, true),
        ("NOT channel = 6", true, false),
        ("! channel = 6", true, false),
        ("!channel = 6", true, false),
        ("not not channel = 6", false, true),
        // Keywords are words only where a keyword can stand.
        ("manuf != and", true, true),
        // Precedence: not > and > or; parentheses override.
        ("channel = 10 or channel = 99 and mac = x", true, false),
        ("(channel = 10 or channel = 99) and mac = x", false, false),
        ("not channel = 10 or channel = 10", true, true),
        ("not (channel = 10 or channel = 10)", false, true),
        ("not channel = 10 and channel = 6", false, true),
        ("not (channel = 10 and channel = 6)", true, true),
        ("((channel = 6))", false, true),
        ("(channel=6)or(channel=10)", true, true),
        // Field names in any case.
        ("SSID ~ Coffee and Signal_DBM < -60", false, true),
    ];
    for (expr, want_cafe, want_coffee) in cases {
        let f = compile(expr);
        assert_eq!(f.matches(&cafe()), *want_cafe, "{expr:?} on Café");
        assert_eq!(f.matches(&coffee()), *want_coffee, "{expr:?} on Coffee");
    }
}

/// The SSID frame exactly as the server sends it: the regex sees `Café ☕`.
#[test]
fn ssid_from_the_wire() {
    let names: Arc<[String]> = vec!["ssid".to_string(), "mac".to_string()].into();
    let frame = Frame::parse(b"*SSID: \x01Caf\\303\\251 \\342\\230\\225\x01 00:24:01:D4:00:04 ")
        .unwrap()
        .with_names(Some(names.clone()));
    for (expr, want) in [
        (r#"ssid ~ "^Caf""#, true),
        (r#"ssid ~ "^Café ☕$""#, true),
        (r#"ssid ~ "^Caf\\\\""#, false),
        (r#"mac ~ "^00:24:01""#, true),
    ] {
        let f = Filter::parse(expr, &names).unwrap();
        assert_eq!(f.matches(&frame), want, "{expr:?}");
    }
}

/// A frame with fewer fields than the filter reads never matches, even
/// through `not` or `!=`; a frame long enough does.
#[test]
fn short_frames_do_not_match() {
    let short = Frame::parse(b"*X: \x01a\x01 ").unwrap();
    for expr in ["manuf = x", "not manuf = x", "ssid = a or manuf != x"] {
        assert!(!compile(expr).matches(&short), "{expr:?}");
    }
    assert!(compile("ssid = a").matches(&short));
}

/// source() gives the text back; fields_used() the canonical names, once
/// each, in order of first use.
#[test]
fn source_and_fields_used() {
    let expr = "SSID = a or (Mac = b and ssid != c) or MANUF ~ x";
    let f = compile(expr);
    assert_eq!(f.source(), expr);
    assert_eq!(f.to_string(), expr);
    assert_eq!(f.fields_used(), ["ssid", "mac", "manuf"]);
}

/// Every kind of error: its message, and the byte range of the token it is
/// about (a zero length: something missing at that point).
#[test]
fn errors_table() {
    let all = "fields: ssid, mac, signal_dbm, channel, manuf";
    let long = format!("ssid = {}", "a".repeat(MAX_LEN));
    let deep = format!("{}ssid = a{}", "(".repeat(65), ")".repeat(65));
    let nots = format!("{}ssid = a", "not ".repeat(100));
    let bangs = format!("{}ssid = a", "!".repeat(2000));
    let regexes = vec!["ssid ~ a"; MAX_REGEXES + 1].join(" or ");
    let last_regex = regexes.len() - 1;
    let cases: Vec<(&str, String, usize, usize)> = vec![
        ("", "empty filter".into(), 0, 0),
        ("  \t", "empty filter".into(), 0, 3),
        (
            "sssid = x",
            format!("unknown field \"sssid\" (did you mean ssid?); {all}"),
            0,
            5,
        ),
        (
            "ssid = a or chanel = 6",
            "unknown field \"chanel\" (did you mean channel?); \
             fields: channel, ssid, mac, signal_dbm, manuf"
                .into(),
            12,
            6,
        ),
        ("foo = 1", format!("unknown field \"foo\"; {all}"), 0, 3),
        ("ssid", "expected an operator after \"ssid\"".into(), 4, 0),
        ("ssid  ", "expected an operator after \"ssid\"".into(), 4, 0),
        (
            "ssid mac",
            "expected an operator after \"ssid\"".into(),
            5,
            3,
        ),
        ("ssid (", "expected an operator after \"ssid\"".into(), 5, 1),
        ("signal_dbm <", "expected a value after \"<\"".into(), 12, 0),
        ("ssid = )", "expected a value after \"=\"".into(), 7, 1),
        ("ssid != !~", "expected a value after \"!=\"".into(), 8, 2),
        ("ssid = \"Caf", "unterminated \"".into(), 7, 4),
        ("ssid = \"a\\\"", "unterminated \"".into(), 7, 4),
        (
            "ssid ~ \"(Caf\"",
            "invalid regular expression: unclosed group".into(),
            7,
            6,
        ),
        (
            "ssid = a or ssid ~ \\w{2000}",
            "regular expression too large \
             (over the compiled size limit of 1048576 bytes)"
                .into(),
            19,
            8,
        ),
        ("ssid = a)", "unexpected \")\"".into(), 8, 1),
        (")", "unexpected \")\"".into(), 0, 1),
        ("()", "unexpected \")\"".into(), 1, 1),
        ("= x", "unexpected \"=\"".into(), 0, 1),
        ("and ssid = a", "unexpected \"and\"".into(), 0, 3),
        ("ssid = a or OR mac = b", "unexpected \"OR\"".into(), 12, 2),
        ("ssid = a || && mac = b", "unexpected \"&&\"".into(), 12, 2),
        ("\"ssid\" = a", "unexpected string \"ssid\"".into(), 0, 6),
        (
            "ssid = a mac = b",
            "expected \"and\" or \"or\" before \"mac\"".into(),
            9,
            3,
        ),
        (
            "(ssid = a mac = b)",
            "expected \"and\", \"or\" or \")\" before \"mac\"".into(),
            10,
            3,
        ),
        ("(ssid = a", "unclosed \"(\"".into(), 0, 1),
        (
            "ssid = a and (",
            "expected a field name after \"(\"".into(),
            14,
            0,
        ),
        (
            "ssid = a and",
            "expected a field name after \"and\"".into(),
            12,
            0,
        ),
        ("not", "expected a field name after \"not\"".into(), 3, 0),
        (
            "ssid = a & b",
            "unexpected \"&\" (did you mean \"&&\"?)".into(),
            9,
            1,
        ),
        (
            "ssid = a | b",
            "unexpected \"|\" (did you mean \"||\"?)".into(),
            9,
            1,
        ),
        (
            &long,
            format!("filter too long ({} bytes; the limit is 4096)", long.len()),
            4096,
            long.len() - 4096,
        ),
        (&deep, "nesting deeper than 64 levels".into(), MAX_DEPTH, 1),
        (
            &nots,
            "nesting deeper than 64 levels".into(),
            4 * MAX_DEPTH,
            3,
        ),
        (&bangs, "nesting deeper than 64 levels".into(), MAX_DEPTH, 1),
        (
            &regexes,
            "too many regular expressions (the limit is 32)".into(),
            last_regex,
            1,
        ),
    ];
    let fields: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
    for (expr, message, start, len) in cases {
        let got = Filter::parse(expr, &fields).expect_err(expr);
        assert_eq!(
            got,
            FilterError {
                message,
                start,
                len
            },
            "{expr:?}"
        );
        assert_eq!(got.to_string(), got.message);
    }
}

/// The pointer shows the expression with carets under the bad token.
#[test]
fn pointer_table() {
    let cases: &[(&str, &str)] = &[
        ("sssid = x", "sssid = x\n^^^^^"),
        ("signal_dbm <", "signal_dbm <\n            ^"),
        ("ssid = a mac = b", "ssid = a mac = b\n         ^^^"),
        ("ssid ~ \"(Caf\"", "ssid ~ \"(Caf\"\n       ^^^^^^"),
        ("ssid = \"☕ a", "ssid = \"☕ a\n       ^^^^^"),
        ("☕ = 1", "☕ = 1\n^^"),
    ];
    let fields: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
    for (expr, want) in cases {
        let e = Filter::parse(expr, &fields).unwrap_err();
        assert_eq!(e.pointer(expr), *want, "{expr:?}: {e}");
    }
}

/// With no field enabled, every name is unknown and the message says so.
#[test]
fn no_fields() {
    let e = Filter::parse("ssid = a", &[]).unwrap_err();
    assert_eq!(e.message, "unknown field \"ssid\"; no fields are enabled");
}

/// Compiled for a protocol, a coded field compares its name with a word
/// (as the screen shows it), its number with a number, and `raw(FIELD)`
/// always as sent; without the protocol, words compare with the number
/// and match nothing.
#[test]
fn coded_fields_compare_by_name_in_their_protocol() {
    use super::FilterScope;
    let names: Arc<[String]> = ["mac", "type", "cryptset"].map(String::from).into();
    let beacon_wep = Frame::parse(b"*SSID: 00:24:01:D4:00:04 0 2 ")
        .unwrap()
        .with_names(Some(names.clone()));
    let probe_open = Frame::parse(b"*SSID: 00:19:D2:10:00:09 2 0 ")
        .unwrap()
        .with_names(Some(names.clone()));
    let ssid = FilterScope {
        protocol: Some("SSID"),
        all_fields: &[],
    };
    let matching = |expr: &str, scope: &FilterScope<'_>| -> Vec<bool> {
        let f = Filter::parse_in(expr, &names, scope).unwrap();
        vec![f.matches(&beacon_wep), f.matches(&probe_open)]
    };
    assert_eq!(matching("type = beacon", &ssid), [true, false]);
    assert_eq!(matching("type = probe-request", &ssid), [false, true]);
    assert_eq!(matching("type = 0", &ssid), [true, false]);
    assert_eq!(matching("type > 0", &ssid), [false, true]);
    assert_eq!(matching("cryptset ~ WEP", &ssid), [true, false]);
    assert_eq!(matching("cryptset = OPN", &ssid), [false, true]);
    assert_eq!(matching("raw(cryptset) = 2", &ssid), [true, false]);
    assert_eq!(matching("raw(type) ~ beacon", &ssid), [false, false]);
    let none = FilterScope::default();
    assert_eq!(matching("type = beacon", &none), [false, false]);
    assert_eq!(matching("type = 0", &none), [true, false]);
}

/// A field of the protocol that is not among the enabled ones is named as
/// one to enable, with the ENABLE that would do it; `raw(` needs a field
/// and a closing parenthesis.
#[test]
fn a_field_not_enabled_is_named_as_one_to_enable() {
    use super::FilterScope;
    let enabled: Vec<String> = ["ssid", "mac"].map(String::from).into();
    let all: Vec<String> = ["mac", "ssid", "maxrate"].map(String::from).into();
    let scope = FilterScope {
        protocol: Some("SSID"),
        all_fields: &all,
    };
    let e = Filter::parse_in("maxrate > 20", &enabled, &scope).unwrap_err();
    assert_eq!(
        e.to_string(),
        "field \"maxrate\" is not enabled; enable it first: enable SSID ssid,mac,maxrate"
    );
    let e = Filter::parse_in("nosuch > 20", &enabled, &scope).unwrap_err();
    assert!(e.to_string().starts_with("unknown field \"nosuch\""), "{e}");
    for bad in ["raw(", "raw(ssid", "raw(ssid = x", "raw(= x) = y"] {
        assert!(Filter::parse_in(bad, &enabled, &scope).is_err(), "{bad}");
    }
}
