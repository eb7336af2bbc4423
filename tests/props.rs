//! Property tests of the codec and the line reader.

use proptest::prelude::*;

use kismet_protocol::{encode_line, FieldValue, Separators};
use kismet_protocol::{Command, Frame};
use kismet_protocol::{Line, LineReader};

/// A field as the server can write it: quoted (no `\x01`, no `\n`) or bare
/// (no space, `\x01` or `\n`).
fn field() -> impl Strategy<Value = (bool, Vec<u8>)> {
    prop_oneof![
        proptest::collection::vec(
            any::<u8>().prop_filter("q", |b| *b != 1 && *b != b'\n'),
            0..20
        )
        .prop_map(|v| (true, v)),
        proptest::collection::vec(
            any::<u8>().prop_filter("b", |b| *b != 1 && *b != b'\n' && *b != b' '),
            0..20
        )
        .prop_map(|v| (false, v)),
    ]
}

/// A field as [`field`] makes them, or printable ASCII (spaces, quotes,
/// `=`, backslashes), or digits (numbers, times, cipher sets).
fn text_field() -> impl Strategy<Value = (bool, Vec<u8>)> {
    prop_oneof![
        field(),
        "[ -~]{0,12}".prop_map(|s| (true, s.into_bytes())),
        "[0-9]{1,10}".prop_map(|s| (false, s.into_bytes())),
    ]
}

fn header() -> impl Strategy<Value = String> {
    "[A-Z][A-Z0-9_]{0,15}".prop_filter("payload protocols", |h| {
        !["TIME", "PROTOCOLS", "CAPABILITY", "TERMINATE"].contains(&h.as_str())
    })
}

/// Reads every line of `data`, handed over in pieces of the given sizes.
fn lines_in_pieces(data: &[u8], sizes: &[usize]) -> Vec<Result<Vec<u8>, usize>> {
    struct Pieces<'a>(&'a [u8], Vec<usize>, usize);
    impl std::io::Read for Pieces<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let want = self.1[self.2 % self.1.len()].max(1);
            self.2 += 1;
            let n = want.min(self.0.len()).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut r = LineReader::new(Pieces(data, sizes.to_vec(), 0), 256);
    let mut out = Vec::new();
    while let Ok(Some(l)) = r.next_line() {
        out.push(match l {
            Line::Complete(b) => Ok(b.to_vec()),
            Line::Overlong(n) => Err(n),
        });
    }
    out
}

/// The body of a line that parses or not, not only what a server writes:
/// mostly what a plain line holds (so that many lines are plain), with
/// `\x01` anywhere, `=`, quotes, backslashes and bytes that are not UTF-8.
fn any_line_body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            10 => b'0'..=b'9',
            10 => b'a'..=b'c',
            6 => Just(b' '),
            3 => Just(1u8),
            2 => Just(b'='),
            2 => prop_oneof![Just(b'.'), Just(b'-')],
            1 => prop_oneof![Just(b'"'), Just(b'\\'), Just(0xc3), Just(0xa9), Just(0x1b)],
        ],
        0..40,
    )
}

/// The cached text writer and the plain one write the same line for `f`,
/// values decoded or not.
fn text_writers_agree(f: &Frame) -> Result<(), TestCaseError> {
    for decode in [false, true] {
        let mut slow = String::new();
        if decode {
            kismet_shell::shell::render::frame::frame_text_decoded(&mut slow, f);
        } else {
            kismet_shell::shell::render::frame::frame_text(&mut slow, f);
        }
        let mut fast = String::new();
        kismet_shell::shell::render::frame::TextLines::with(false, decode).write(&mut fast, f);
        prop_assert_eq!(&fast, &slow);
    }
    Ok(())
}

/// The cached JSON writer and the plain one write the same object for
/// `f`, values decoded or not, and it is JSON.
fn json_writers_agree(f: &Frame) -> Result<serde_json::Value, TestCaseError> {
    let mut value = serde_json::Value::Null;
    for decode in [false, true] {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        kismet_shell::shell::render::FrameJson::with(false, decode).write(&mut fast, f);
        kismet_shell::shell::render::frame::frame_json_with(&mut slow, f, decode);
        prop_assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&slow)
        );
        let parsed = serde_json::from_slice::<serde_json::Value>(&fast);
        prop_assert!(parsed.is_ok(), "{}", String::from_utf8_lossy(&fast));
        value = parsed.unwrap();
    }
    Ok(value)
}

proptest! {
    /// parse(encode(x)) gives back the protocol and every field.
    #[test]
    fn frame_round_trip(h in header(), fields in proptest::collection::vec(field(), 0..12)) {
        let values: Vec<FieldValue> = fields
            .iter()
            .map(|(q, v)| if *q { FieldValue::Quoted(v) } else { FieldValue::Bare(v) })
            .collect();
        let mut line = encode_line(&h, &values);
        prop_assert_eq!(line.pop(), Some(b'\n'));
        let f = Frame::parse(&line).unwrap();
        prop_assert_eq!(f.protocol(), h.as_str());
        let got: Vec<Vec<u8>> = f.fields().map(<[u8]>::to_vec).collect();
        let want: Vec<Vec<u8>> = fields.into_iter().map(|(_, v)| v).collect();
        prop_assert_eq!(got, want);
    }

    /// Interleaving separators with a frame's fields (the fast copy behind
    /// JSON output) writes exactly what concatenating them would, after
    /// whatever the buffer held, for any lengths on either side.
    #[test]
    fn interleave_is_concatenation(
        fields in proptest::collection::vec(field(), 0..12),
        seps in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..14),
        prefix in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let values: Vec<FieldValue> = fields
            .iter()
            .map(|(q, v)| if *q { FieldValue::Quoted(v) } else { FieldValue::Bare(v) })
            .collect();
        let mut line = encode_line("CLIENT", &values);
        line.pop();
        let f = Frame::parse(&line).unwrap();
        let table = Separators::new(seps.iter().map(Vec::as_slice));
        let mut out = prefix.clone();
        f.interleave_into(&mut out, &table);
        let mut want = prefix;
        for (sep, (_, v)) in seps.iter().zip(&fields) {
            want.extend_from_slice(sep);
            want.extend_from_slice(v);
        }
        prop_assert_eq!(out, want);
    }

    /// An encoded command is one line whose words the server reads back.
    #[test]
    fn command_round_trip(name in "[A-Z]{1,12}", args in proptest::collection::vec("[ -~]{0,12}", 0..5)) {
        let args: Vec<String> = args.into_iter().filter(|a| !a.contains('\u{1}')).collect();
        let c = Command::raw(&name, args.clone());
        let line = c.encode(42).unwrap();
        prop_assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        let (id, got_name, got_args) =
            kismet_protocol::parse_client_line(&line[..line.len() - 1]).unwrap();
        prop_assert_eq!(id, 42);
        prop_assert_eq!(got_name.as_str(), name.as_str());
        let got: Vec<String> = got_args.into_iter().map(|a| String::from_utf8(a).unwrap()).collect();
        prop_assert_eq!(got, args);
    }

    /// The same lines come out however the byte stream is split into reads.
    #[test]
    fn split_invariance(data in proptest::collection::vec(prop_oneof![Just(b'\n'), any::<u8>()], 0..2000),
                        sizes in proptest::collection::vec(1usize..700, 1..8)) {
        let whole = lines_in_pieces(&data, &[1 << 20]);
        prop_assert_eq!(lines_in_pieces(&data, &sizes), whole);
    }

    /// The cached JSON writer (with its whole-line fast path) writes exactly
    /// what the plain one does, values decoded or not, and always valid
    /// JSON with the right keys, numeric fields among them.
    #[test]
    fn fast_json_equals_plain_json(
        h in prop_oneof![header(), Just("CLIENT".to_string()), Just("BSSID".to_string())],
        fields in proptest::collection::vec(text_field(), 1..8),
    ) {
        let values: Vec<FieldValue> = fields
            .iter()
            .map(|(q, v)| if *q { FieldValue::Quoted(v) } else { FieldValue::Bare(v) })
            .collect();
        let mut line = encode_line(&h, &values);
        line.pop();
        let all = ["ssid", "signal_dbm", "type", "lasttime", "cryptset", "manuf", "minlat"];
        let names: Vec<String> = all.iter().take(fields.len()).map(|s| s.to_string()).collect();
        let f = Frame::parse(&line).unwrap().with_names(Some(names.clone().into()));
        let v = json_writers_agree(&f)?;
        let keys: Vec<&String> = v["fields"].as_object().unwrap().keys().collect();
        prop_assert_eq!(keys, names.iter().collect::<Vec<_>>());
    }

    /// The cached text writer (with its plain-line fast path) writes exactly
    /// what the plain one does, values decoded or not, whatever the bytes:
    /// escapes, quotes, `=`, SSID octal escapes, numbers and not.
    #[test]
    fn fast_text_equals_plain_text(
        h in prop_oneof![Just("SSID".to_string()), Just("CLIENT".to_string()), header()],
        fields in proptest::collection::vec(text_field(), 1..9),
    ) {
        let values: Vec<FieldValue> = fields
            .iter()
            .map(|(q, v)| if *q { FieldValue::Quoted(v) } else { FieldValue::Bare(v) })
            .collect();
        let mut line = encode_line(&h, &values);
        line.pop();
        let all = ["ssid", "cryptset", "type", "lasttime", "manuf", "signal_dbm", "mac", "ip", "datacryptset"];
        let names: Vec<String> = all.iter().take(fields.len()).map(|s| s.to_string()).collect();
        let f = Frame::parse(&line).unwrap().with_names(Some(names.into()));
        text_writers_agree(&f)?;
    }

    /// The cached text writer writes what the plain one does for any line
    /// that parses, not only those a server would write: `\x01` inside a
    /// bare field or a payload, `=`, quotes, backslashes, bytes that are
    /// not UTF-8, empty fields.
    #[test]
    fn fast_text_equals_plain_text_for_any_line(
        h in prop_oneof![Just("SSID"), Just("CLIENT"), Just("TIME"), Just("X")],
        body in any_line_body(),
    ) {
        let Ok(f) = Frame::parse(&[format!("*{h}: ").as_bytes(), &body].concat()) else {
            return Ok(());
        };
        let all = ["ssid", "cryptset", "type", "lasttime", "manuf", "timesec"];
        let names: Vec<String> = (0..f.len()).map(|i| all[i % all.len()].to_string()).collect();
        let f = f.with_names(Some(names.into()));
        text_writers_agree(&f)?;
    }

    /// The cached JSON writer writes what the plain one does for any line
    /// that parses (`\x01` inside a bare field, numeric fields holding
    /// anything), values decoded or not, and it is JSON.
    #[test]
    fn fast_json_equals_plain_json_for_any_line(
        h in prop_oneof![Just("SSID"), Just("CLIENT"), Just("BSSID"), Just("X")],
        body in any_line_body(),
    ) {
        let Ok(f) = Frame::parse(&[format!("*{h}: ").as_bytes(), &body].concat()) else {
            return Ok(());
        };
        let all = ["ssid", "mac", "type", "manuf", "signal_dbm", "lasttime", "cryptset"];
        let names: Vec<String> = (0..f.len()).map(|i| all[i % all.len()].to_string()).collect();
        let f = f.with_names(Some(names.into()));
        json_writers_agree(&f)?;
    }

    /// Arbitrary bytes never panic the parser or the reader.
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..4000)) {
        for line in lines_in_pieces(&data, &[97]).into_iter().flatten() {
            let _ = Frame::parse(&line).map(|f| f.fields().count());
        }
        let _ = Frame::parse(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(50_000))]

    /// Soak variant of the reader properties: run with
    /// `cargo test --release --test tests props::soak -- --ignored`.
    #[test]
    #[ignore]
    fn soak_reader_never_panics_and_ignores_splits(
        data in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(1u8), Just(b' '), any::<u8>()], 0..8000),
        sizes in proptest::collection::vec(1usize..3000, 1..8),
    ) {
        let whole = lines_in_pieces(&data, &[1 << 20]);
        prop_assert_eq!(lines_in_pieces(&data, &sizes), whole.clone());
        for line in whole.into_iter().flatten() {
            let _ = Frame::parse(&line).map(|f| f.fields().count());
        }
    }
}
