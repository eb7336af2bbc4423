//! Parsing lines into typed commands, the definition, and help.

use super::*;
use kismet_client::{LatLon, SortColumn};

/// A point in degrees.
fn at(lat: f64, lon: f64) -> LatLon {
    LatLon::from_degrees(lat, lon).unwrap()
}

/// The shell command a line parses into (panics otherwise).
fn shell(line: &str) -> ShellCommand {
    match parse(line) {
        Ok(Parsed::Shell(c)) => c,
        other => panic!("{line:?}: {other:?}"),
    }
}

/// The one-line usage error a line gives (panics otherwise).
fn refused(line: &str) -> String {
    match parse(line) {
        Err(ShellError::Usage(m)) => m,
        other => panic!("{line:?}: {other:?}"),
    }
}

/// Lines parse into shell commands, raw commands, or clear refusals.
#[test]
fn parse_lines() {
    assert_eq!(parse("  ").unwrap(), Parsed::Empty);
    assert_eq!(parse("# note").unwrap(), Parsed::Empty);
    assert_eq!(
        shell("enable SSID ssid,mac"),
        ShellCommand::Enable {
            proto: "SSID".into(),
            fields: "ssid,mac".into()
        }
    );
    assert_eq!(shell("EXIT"), ShellCommand::Quit);
    assert_eq!(
        parse("!addnettag 00:11 1 note \"hello world\"").unwrap(),
        Parsed::Raw(Command::new(
            ServerCommand::AddNetTag,
            ["00:11", "1", "note", "hello world"]
        ))
    );
    let e = parse("feilds GPS").unwrap_err().to_string();
    assert!(e.contains("unknown command") && e.contains("fields"), "{e}");
    assert_eq!(refused("enable SSID"), "usage: enable PROTO f1,f2,...|*");
    assert!(parse("help").is_ok() && parse("help enable").is_ok());
    assert!(parse("!").is_err());
    assert_eq!(
        shell("filter SSID ssid = \"Coffee Shop\" and x"),
        ShellCommand::Filter {
            proto: Some("SSID".into()),
            expr: Some(FilterArg::Expression("ssid = \"Coffee Shop\" and x".into()))
        }
    );
    let e = parse("enable SSID ssid, mac").unwrap_err().to_string();
    assert_eq!(
        e,
        "the field list must be one word: no space after a comma (write ssid,mac)"
    );
    let long = "x".repeat(5000);
    let e = parse(&long).unwrap_err().to_string();
    assert!(e.len() < 120 && e.contains("xxx..."), "{}", e.len());
    assert!(parse("say \"unterminated").is_err());
    assert!(matches!(
        parse("!ENABLE SSID \"a\u{1}b\""),
        Err(ShellError::Client(Error::Refused(_)))
    ));
}

/// A line break in a raw command is refused, not taken for a space: in an
/// argument or between two words, it would otherwise vanish silently
/// (`!HOPSOURCE a\n!SHUTDOWN` went out as one HOPSOURCE of two arguments).
#[test]
fn raw_command_with_a_line_break_is_refused() {
    use kismet_protocol::CommandError;
    for (line, index, what) in [
        ("!HOPSOURCE a\n!SHUTDOWN", 0, "a newline"),
        ("!HOPSOURCE a\r!SHUTDOWN", 0, "a carriage return"),
        ("!HOPSOURCE u1 LOCK\n 6", 1, "a newline"),
    ] {
        match parse(line) {
            Err(ShellError::Client(Error::Refused(CommandError::BadArgument {
                index: i,
                what: w,
            }))) => assert_eq!((i, w), (index, what), "{line:?}"),
            other => panic!("{line:?}: {other:?}"),
        }
    }
    assert!(matches!(
        parse("!HOPSOURCE\nSHUTDOWN"),
        Err(ShellError::Client(Error::Refused(CommandError::BadName(_))))
    ));
    // Tabs still separate, as spaces do.
    assert_eq!(
        parse("!HOPSOURCE\tu1 LOCK\t6").unwrap(),
        Parsed::Raw(Command::new(ServerCommand::HopSource, ["u1", "LOCK", "6"]))
    );
}

/// A filter expression is the rest of the line byte for byte: quotes,
/// runs of spaces, words that look like options or clap's `--`.
#[test]
fn filter_expression_is_the_rest_of_the_line() {
    let expr = |line: &str| match shell(line) {
        ShellCommand::Filter {
            expr: Some(FilterArg::Expression(e)),
            ..
        } => e,
        other => panic!("{line:?}: {other:?}"),
    };
    assert_eq!(
        expr("filter  SSID   ssid ~ \"^Caf\"  and  not (mac = \"a b\")  "),
        "ssid ~ \"^Caf\"  and  not (mac = \"a b\")"
    );
    assert_eq!(expr("filter CLIENT signal_dbm > -60"), "signal_dbm > -60");
    assert_eq!(expr("filter SSID --"), "--");
    assert_eq!(expr("filter SSID -x --help"), "-x --help");
    // A quote left open is refused before the filter parser, as any line.
    assert_eq!(refused("filter SSID ssid = \"x"), "unterminated \" quote");
    assert_eq!(
        shell("filter ssid off"),
        ShellCommand::Filter {
            proto: Some("ssid".into()),
            expr: Some(FilterArg::Off)
        }
    );
    assert_eq!(
        shell("filter SSID"),
        ShellCommand::Filter {
            proto: Some("SSID".into()),
            expr: None
        }
    );
    assert_eq!(
        shell("filter"),
        ShellCommand::Filter {
            proto: None,
            expr: None
        }
    );
}

/// Every command parses into its typed value: names and aliases any case,
/// options long and short, in any order, the last one given winning.
#[test]
fn commands_parse_typed() {
    use ShellCommand as C;
    let sort = |column, descending| Some(SortSpec { column, descending });
    let cases: Vec<(&str, ShellCommand)> = vec![
        ("protocols", C::Protocols),
        (
            "fields gps",
            C::Fields {
                proto: "gps".into(),
            },
        ),
        (
            "enable CLIENT *",
            C::Enable {
                proto: "CLIENT".into(),
                fields: "*".into(),
            },
        ),
        (
            "remove TIME",
            C::Remove {
                proto: "TIME".into(),
            },
        ),
        (
            "DISABLE TIME",
            C::Remove {
                proto: "TIME".into(),
            },
        ),
        ("status", C::Status),
        ("pause", C::Pause),
        ("resume", C::Resume),
        (
            "networks",
            C::Networks {
                near: None,
                point: None,
                radius: None,
                sort: None,
                kind: Vec::new(),
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "nets --sort ssid",
            C::Networks {
                near: None,
                point: None,
                radius: None,
                sort: sort(SortColumn::Ssid, false),
                kind: Vec::new(),
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "networks -s PWR-",
            C::Networks {
                near: None,
                point: None,
                radius: None,
                sort: sort(SortColumn::Signal, false),
                kind: Vec::new(),
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "networks --type AP --sort=clients",
            C::Networks {
                near: None,
                point: None,
                radius: None,
                sort: sort(SortColumn::Clients, true),
                kind: vec![NetworkType(0)],
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "networks -t probe --sort ssid --sort channel",
            C::Networks {
                near: None,
                point: None,
                radius: None,
                sort: sort(SortColumn::Channel, false),
                kind: vec![NetworkType(2)],
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "networks --type ap -t PROBE",
            C::Networks {
                near: None,
                point: None,
                radius: None,
                sort: None,
                kind: vec![NetworkType(0), NetworkType(2)],
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "clients",
            C::Clients {
                net: None,
                point: None,
                radius: None,
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "clients \"Coffee Shop\"",
            C::Clients {
                net: Some("Coffee Shop".into()),
                point: None,
                radius: None,
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "clients -dash-",
            C::Clients {
                net: Some("-dash-".into()),
                point: None,
                radius: None,
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "networks near 37.7691,-122.4196",
            C::Networks {
                near: Some(NearWord::Near),
                point: Some(at(37.7691, -122.4196)),
                radius: None,
                sort: None,
                kind: Vec::new(),
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "NETS NEAR -33.8688,151.2093 250.5 --type ap",
            C::Networks {
                near: Some(NearWord::Near),
                point: Some(at(-33.8688, 151.2093)),
                radius: Some(250.5),
                sort: None,
                kind: vec![NetworkType(0)],
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "clients near -33.8688,151.2093 50",
            C::Clients {
                net: Some("near".into()),
                point: Some(at(-33.8688, 151.2093)),
                radius: Some(50.0),
                since: None,
                server: None,
                wide: false,
            },
        ),
        (
            "stations --since 5m -w",
            C::Stations {
                since: Some(300),
                server: None,
                wide: true,
            },
        ),
        (
            "watch Stations",
            C::Watch {
                target: Watched::Stations,
                net: None,
                sort: None,
                kind: Vec::new(),
            },
        ),
        ("gps", C::Gps),
        ("servers", C::Servers),
        ("sources", C::Sources),
        ("channels", C::Channels),
        (
            "watch channels",
            C::Watch {
                target: Watched::Channels,
                net: None,
                sort: None,
                kind: Vec::new(),
            },
        ),
        (
            "lock wlan0 6",
            C::Lock {
                source: "wlan0".into(),
                channel: 6,
            },
        ),
        (
            "hop wlan0",
            C::Hop {
                source: "wlan0".into(),
                channels: Vec::new(),
                rate: None,
            },
        ),
        (
            "hop wlan0 1 6,11 --rate 10",
            C::Hop {
                source: "wlan0".into(),
                channels: vec![1, 6, 11],
                rate: Some(10),
            },
        ),
        (
            "addsource wlan1:name=backup,type=rt2800usb",
            C::Addsource {
                definition: "wlan1:name=backup,type=rt2800usb".into(),
            },
        ),
        (
            "delsource backup",
            C::Delsource {
                source: "backup".into(),
            },
        ),
        ("sessions", C::Sessions),
        (
            "sql SELECT * FROM networks WHERE ssid = 'a b'",
            C::Sql {
                query: "SELECT * FROM networks WHERE ssid = 'a b'".into(),
            },
        ),
        (
            "db open survey.db",
            C::Db {
                action: Some(DbAction::Open),
                file: Some("survey.db".into()),
            },
        ),
        (
            "networks --since 2h --server kismet-lab",
            C::Networks {
                near: None,
                point: None,
                radius: None,
                sort: None,
                kind: Vec::new(),
                since: Some(7200),
                server: Some("kismet-lab".into()),
                wide: false,
            },
        ),
        (
            "watch NETS",
            C::Watch {
                target: Watched::Networks,
                net: None,
                sort: None,
                kind: Vec::new(),
            },
        ),
        (
            "watch clients HomeNet",
            C::Watch {
                target: Watched::Clients,
                net: Some("HomeNet".into()),
                sort: None,
                kind: Vec::new(),
            },
        ),
        (
            "watch networks --type ap -s channel",
            C::Watch {
                target: Watched::Networks,
                net: None,
                sort: Some(SortSpec {
                    column: SortColumn::Channel,
                    descending: false,
                }),
                kind: vec![NetworkType(0)],
            },
        ),
        (
            "watch networks --type probe --type adhoc",
            C::Watch {
                target: Watched::Networks,
                net: None,
                sort: None,
                kind: vec![NetworkType(2), NetworkType(1)],
            },
        ),
        (
            "watch status",
            C::Watch {
                target: Watched::Status,
                net: None,
                sort: None,
                kind: Vec::new(),
            },
        ),
        (
            "watch ssid",
            C::Watch {
                target: Watched::Protocol("ssid".into()),
                net: None,
                sort: None,
                kind: Vec::new(),
            },
        ),
        (
            "only SSID Changed",
            C::Only {
                proto: "SSID".into(),
                mode: OnlyMode::Changed,
            },
        ),
        ("set", C::Set { change: None }),
        (
            "set timestamps on",
            C::Set {
                change: Some(SettingChange::Timestamps { on: true }),
            },
        ),
        (
            "SET Decode NO",
            C::Set {
                change: Some(SettingChange::Decode { on: false }),
            },
        ),
        (
            "set colour 1",
            C::Set {
                change: Some(SettingChange::Color { on: true }),
            },
        ),
        (
            "set rate_limit 50",
            C::Set {
                change: Some(SettingChange::Rate { lines: 50 }),
            },
        ),
        (
            "connect 10.0.0.5",
            C::Connect {
                addr: "10.0.0.5".into(),
                keep: false,
                add: false,
            },
        ),
        (
            "connect --keep sensor.lan:2501",
            C::Connect {
                addr: "sensor.lan:2501".into(),
                keep: true,
                add: false,
            },
        ),
        (
            "connect sensor.lan -k",
            C::Connect {
                addr: "sensor.lan".into(),
                keep: true,
                add: false,
            },
        ),
        (
            "connect --add attic=10.0.0.6@47.3769,8.5417",
            C::Connect {
                addr: "attic=10.0.0.6@47.3769,8.5417".into(),
                keep: false,
                add: true,
            },
        ),
        (
            "use attic",
            C::Use {
                name: "attic".into(),
            },
        ),
        (
            "on all !HOPSOURCE x LOCK 6",
            C::On {
                target: "all".into(),
                line: "!HOPSOURCE x LOCK 6".into(),
            },
        ),
        ("reconnect", C::Reconnect),
        ("disconnect", C::Disconnect { name: None }),
        (
            "disconnect attic",
            C::Disconnect {
                name: Some("attic".into()),
            },
        ),
        ("clear", C::Clear),
        ("help", C::Help { topic: None }),
        (
            "? !hopsource",
            C::Help {
                topic: Some("!hopsource".into()),
            },
        ),
        ("quit", C::Quit),
    ];
    for (line, expected) in cases {
        assert_eq!(shell(line), expected, "{line}");
    }
}

/// A bad command line is refused with one line in our style: the usage
/// for missing or extra words, else which word is wrong and what would do.
#[test]
fn bad_arguments_give_one_line() {
    let columns = "bssid, ssid, type, channel, enc, signal, packets, clients, manuf, lastseen";
    let cases = [
        ("protocols now", "usage: protocols".to_string()),
        ("fields", "usage: fields PROTO".into()),
        ("fields GPS SSID", "usage: fields PROTO".into()),
        ("enable SSID", "usage: enable PROTO f1,f2,...|*".into()),
        ("remove", "usage: remove PROTO".into()),
        (
            "clients a b",
            "clients: expected LAT,LON in degrees (37.7691,-122.4196), not \"b\"".into(),
        ),
        (
            "clients a 1,2 3 4",
            "usage: clients [NET|near [LAT,LON [RADIUS_M]]] [--since AGE] [--server NAME] [--wide]"
                .into(),
        ),
        ("networks x", "networks: expected near, not \"x\"".into()),
        (
            "networks near",
            "usage: networks [near [LAT,LON [RADIUS_M]]] [--sort COLUMN] [--type TYPE] \
             [--since AGE] [--server NAME] [--wide]"
                .into(),
        ),
        (
            "networks near 91,0",
            "networks: \"91,0\" is out of range (latitude -90 to 90, longitude -180 to 180)".into(),
        ),
        (
            "networks near 1,2 0",
            "networks: expected a radius in metres, above 0, not \"0\"".into(),
        ),
        (
            "networks --bogus",
            "networks: unexpected \"--bogus\" (usage: networks [near [LAT,LON [RADIUS_M]]] \
             [--sort COLUMN] [--type TYPE] [--since AGE] [--server NAME] [--wide])"
                .into(),
        ),
        ("networks --sort", "networks: --sort needs a value".into()),
        (
            "networks --sort colour",
            format!("networks: unknown sort column \"colour\" (columns: {columns})"),
        ),
        (
            "networks --type mesh",
            "networks: unknown type \"mesh\" (types: ap, adhoc, probe, data, turbocell)".into(),
        ),
        (
            "watch",
            "usage: watch networks|clients|stations|channels|sources|alerts|status|PROTO [NET] [--sort COLUMN] [--type TYPE]"
                .into(),
        ),
        (
            "only SSID sometimes",
            "only: expected new, changed or all, not \"sometimes\"".into(),
        ),
        ("only SSID", "usage: only PROTO new|changed|all".into()),
        (
            "set volume 11",
            "set: expected timestamps, decode, color, rate, alerts or bell, not \"volume\"".into(),
        ),
        ("set timestamps", "usage: set timestamps on|off".into()),
        (
            "set timestamps maybe",
            "set timestamps: expected on or off, not \"maybe\"".into(),
        ),
        (
            "set rate 0",
            "set rate: expected lines per 0.1 s, 1 to 100000, not \"0\"".into(),
        ),
        ("set rate 5 6", "usage: set rate N".into()),
        ("connect", "usage: connect HOST[:PORT] [--keep] [--add]".into()),
        ("connect a b", "usage: connect HOST[:PORT] [--keep] [--add]".into()),
        ("help a b", "usage: help [COMMAND]".into()),
        ("quit now", "usage: quit".into()),
    ];
    for (line, expected) in cases {
        let got = refused(line);
        assert_eq!(got, expected, "{line}");
        assert!(!got.contains('\n') && !got.ends_with('.'), "{got:?}");
    }
}

/// Every argument of every command (and subcommand) in the definition has
/// a kind for completion, and a value name for the usage.
#[test]
fn every_argument_has_a_kind() {
    fn check(cmd: &clap::Command, path: &str) {
        for arg in cmd.get_arguments().filter(|a| takes_value(a)) {
            assert!(
                arg_kind(arg).is_some(),
                "{path}: no kind for {}",
                arg.get_id()
            );
            assert!(!value_name(arg).is_empty(), "{path}: {}", arg.get_id());
        }
        for sub in cmd.get_subcommands() {
            check(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    for cmd in definition().get_subcommands() {
        check(cmd, cmd.get_name());
        assert!(
            cmd.get_about().is_some(),
            "{} has no summary",
            cmd.get_name()
        );
        assert!(
            cmd.get_after_help().is_some(),
            "{} has no examples",
            cmd.get_name()
        );
    }
}

/// The usage of each command, generated from the definition, reads as it
/// did when it was written by hand.
#[test]
fn usage_from_the_definition() {
    let expected = [
        ("protocols", ""),
        ("fields", "PROTO"),
        ("enable", "PROTO f1,f2,...|*"),
        ("remove", "PROTO"),
        ("status", ""),
        ("pause", ""),
        ("resume", ""),
        (
            "networks",
            "[near [LAT,LON [RADIUS_M]]] [--sort COLUMN] [--type TYPE] [--since AGE] \
             [--server NAME] [--wide]",
        ),
        (
            "clients",
            "[NET|near [LAT,LON [RADIUS_M]]] [--since AGE] [--server NAME] [--wide]",
        ),
        ("network", "BSSID|SSID"),
        ("stations", "[--since AGE] [--server NAME] [--wide]"),
        ("gps", ""),
        ("servers", ""),
        ("sources", ""),
        ("alerts", "[--wide]"),
        ("channels", ""),
        ("lock", "SOURCE CHANNEL"),
        ("hop", "SOURCE [CHANNELS...] [--rate RATE]"),
        ("addsource", "DEFINITION"),
        ("delsource", "SOURCE"),
        ("export", "FILE [--what WHAT] [--format FORMAT] [--best]"),
        ("db", "[open|close [FILE]]"),
        ("sessions", ""),
        ("sql", "QUERY"),
        (
            "watch",
            "networks|clients|stations|channels|sources|alerts|status|PROTO [NET] [--sort COLUMN] [--type TYPE]",
        ),
        ("filter", "[PROTO [EXPR|off]]"),
        ("only", "PROTO new|changed|all"),
        ("set", "[NAME VALUE]"),
        ("connect", "HOST[:PORT] [--keep] [--add]"),
        ("use", "NAME"),
        ("on", "NAME|all COMMAND"),
        ("reconnect", ""),
        ("disconnect", "[NAME]"),
        ("clear", ""),
        ("help", "[COMMAND]"),
        ("quit", ""),
    ];
    let names: Vec<&str> = definition()
        .get_subcommands()
        .map(|c| c.get_name())
        .collect();
    assert_eq!(names, expected.map(|(n, _)| n));
    for (name, u) in expected {
        assert_eq!(usage(find(name).unwrap()), u, "{name}");
    }
    let set = find("set").unwrap();
    assert_eq!(usage(subcommand(set, "RATE").unwrap()), "N");
    assert_eq!(usage(subcommand(set, "colour").unwrap()), "on|off");
}

/// Help is built from the definition: the list names every command with
/// its usage and summary; `help CMD` adds the details, aliases and
/// examples.
#[test]
fn help_from_the_definition() {
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let h = help_text(None).unwrap();
    for c in definition().get_subcommands() {
        let line = format!("{} {}", c.get_name(), usage(c));
        let about = c.get_about().unwrap().to_string();
        assert!(
            flat(&h).contains(&flat(&format!("{line} {about}"))),
            "{}: {h}",
            c.get_name()
        );
        let one = help_text(Some(c.get_name())).unwrap();
        assert!(flat(&one).starts_with(&flat(&line)), "{one}");
        assert!(flat(&one).contains(&about), "{one}");
        let examples = c.get_after_help().unwrap().to_string();
        let examples = flat(&examples.lines().collect::<Vec<_>>().join(" | "));
        assert!(
            flat(&one.replace("  |  ", " ")).ends_with(&flat(&examples.replace(" | ", " "))),
            "{one}"
        );
    }
    let names: Vec<&str> = definition()
        .get_subcommands()
        .map(|c| c.get_name())
        .collect();
    for topic in [None, Some("!")]
        .into_iter()
        .chain(names.iter().map(|n| Some(*n)))
    {
        let h = help_text(topic).unwrap();
        assert!(h.lines().all(|l| l.chars().count() <= 80), "{h}");
    }
    assert_eq!(
        help_text(Some("nets")).unwrap(),
        "networks [near [LAT,LON [RADIUS_M]]] [--sort COLUMN] [--type TYPE] [--since AGE]
    [--server NAME] [--wide]
  the networks seen, like airodump-ng: encryption, channel, signal, clients
  From a live model of the server's BSSID, SSID and CLIENT records, started on
  first use (or with --track): the shell asks the server for the fields it
  needs, alongside yours, without changing what scrolls by. Columns: BSSID, SSID
  (<hidden> when cloaked), TYPE, CH, ENC, CIPHER, AUTH, PWR (dBm), PKTS,
  CLIENTS, MANUF, LAST SEEN, and LAT and LON (where the signal was strongest)
  once any position is known. --sort takes bssid, ssid, type, channel, enc,
  signal (pwr), packets, clients, manuf or lastseen (add - to reverse); the
  default is the strongest signal first. Stations seen only probing are not
  networks (stations lists them): --type probe lists their probe entries, with
  no channel or encryption. --type takes ap, probe, adhoc or data, and may be
  given more than once. near LAT,LON [RADIUS_M]: only those whose best position
  is within RADIUS_M metres (100 if left out) of the point, nearest first, with
  a DIST column. The table fits the terminal, the least needed columns left out
  first; --wide shows them all.
  also: nets
  e.g. networks
       networks --sort channel
       networks --type ap --sort clients
       networks --type ap --type probe
       networks near 37.7691,-122.4196
       networks near 37.7691,-122.4196 250"
    );
    assert_eq!(
        help_text(Some("quit")).unwrap(),
        "quit\n  leave the shell (Ctrl-D does too)\n  also: exit\n  e.g. quit"
    );
    assert!(help_text(Some("!")).unwrap().contains("!HOPSOURCE"));
    let h = help_text(Some("!hopsource")).unwrap();
    assert!(
        h.contains("UUID LOCK CHAN") && h.contains("e.g. !HOPSOURCE "),
        "{h}"
    );
    assert!(help_text(Some("!SHUTDOWN"))
        .unwrap()
        .contains("asks before"));
    assert!(help_text(Some("enable"))
        .unwrap()
        .contains("enable SSID ssid,mac"));
    assert!(help_text(Some("nope")).is_err());
}

/// Only dangerous server commands ask for confirmation, `delsource`
/// (which sends DELSOURCE) among them.
#[test]
fn dangerous_commands() {
    let p = |l: &str| parse(l).unwrap().dangerous();
    assert_eq!(p("!shutdown"), Some(ServerCommand::Shutdown));
    assert_eq!(p("!DELSOURCE abc"), Some(ServerCommand::DelSource));
    assert_eq!(p("delsource wlan0"), Some(ServerCommand::DelSource));
    assert_eq!(p("on all !SHUTDOWN"), Some(ServerCommand::Shutdown));
    assert_eq!(p("on attic status"), None);
    assert_eq!(p("addsource wlan1"), None);
    assert_eq!(p("!ENABLE GPS lat"), None);
    assert_eq!(p("status"), None);
}

/// On a narrow terminal the list keeps two columns while the description
/// column has room, wrapping descriptions inside it; narrower still, each
/// description goes under its name. No line is wider than the terminal,
/// and no description line starts at the left margin.
#[test]
fn help_fits_narrow_terminals_in_columns() {
    use super::help_text_at;
    for width in [60, 50, 40, 36] {
        let h = help_text_at(None, width).unwrap();
        for l in h.lines().skip(1) {
            assert!(l.chars().count() <= width, "{width}: {l:?}\n{h}");
        }
        let entries: Vec<&str> = h
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("Tab completes"))
            .collect();
        assert!(entries.len() > 20, "{h}");
        assert!(entries.iter().all(|l| l.starts_with("  ")), "{width}:\n{h}");
    }
    // Two columns at 60: a description continues under itself.
    let h = help_text_at(None, 60).unwrap();
    assert!(
        h.contains("\n  protocols                    list the server's"),
        "{h}"
    );
    let cont = " ".repeat(31);
    assert!(
        h.lines()
            .any(|l| l.starts_with(&cont) && !l.trim().is_empty()),
        "{h}"
    );
}
