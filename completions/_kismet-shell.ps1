
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kismet-shell' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kismet-shell'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kismet-shell' {
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Serve a recording (made with --record) on a free loopback port and connect to it')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'With --replay: play the recording X times as fast (0.5 is half speed); max: as fast as it can be read')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the simulated world with --demo')
            [CompletionResult]::new('--route', '--route', [CompletionResultType]::ParameterName, 'With --demo: drive this GPX track instead of the built-in loop')
            [CompletionResult]::new('--alert-every', '--alert-every', [CompletionResultType]::ParameterName, 'With --demo: the simulated server raises an alert every SECS seconds (DEAUTHFLOOD, APSPOOF, CHANCHANGE...)')
            [CompletionResult]::new('--on-alert', '--on-alert', [CompletionResultType]::ParameterName, 'Run CMD (with sh -c) for each new alert: the alert as a JSON object on its stdin, and in KISMET_ALERT_TYPE, _BSSID, _SOURCE, _DEST, _CHANNEL, _TEXT and _TIME. In the shell, with --follow, or alone with --timeout SECS (runs without a shell). A run longer than 60 s is killed; a failure is reported')
            [CompletionResult]::new('--on-alert-jobs', '--on-alert-jobs', [CompletionResultType]::ParameterName, 'With --on-alert: most commands running at once (further alerts wait, up to 100; beyond that they are dropped and counted)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'With --follow: stop after N frames (N device lines after networks, clients or stations)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'With --follow: stop after SECS seconds. With --export and no commands: collect for SECS seconds without a shell, write the files and exit')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Batch runs: start the live model of networks and clients and let it collect for SECS before the first command (a server sends some records only after a while; a replay plays meanwhile)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--reply-timeout', '--reply-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each command''s reply')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the TCP connection and the handshake')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Record every line received and sent, with its time, to FILE (gzip if it ends in .gz)')
            [CompletionResult]::new('--export', '--export', [CompletionResultType]::ParameterName, 'Write what the live model holds to FILE (repeatable), every --export-every seconds and at exit (Ctrl-C too): the format from the extension: .csv WiGLE CSV, .kml, .geojson, .gpx, .netxml. Without commands, with --timeout or --replay, collects without a shell and exits')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Keep what the session sees in the SQLite database FILE (created if need be; several sessions go into one file): devices, every sighting, the GPS, alerts and messages. Without commands, with --timeout or --replay, collects without a shell and exits')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Open a session database (made with --db) with no server: networks, clients, export, sessions and sql work on what it holds')
            [CompletionResult]::new('--export-format', '--export-format', [CompletionResultType]::ParameterName, 'The format of every --export file, whatever its extension')
            [CompletionResult]::new('--export-every', '--export-every', [CompletionResultType]::ParameterName, 'Seconds between the writes of the --export files')
            [CompletionResult]::new('--export-what', '--export-what', [CompletionResultType]::ParameterName, 'With --export: the devices written')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'History file of the interactive shell [default: $XDG_STATE_HOME/kismet-shell/history]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Run this shell command, then exit (repeatable; runs in order)')
            [CompletionResult]::new('--command', '--command', [CompletionResultType]::ParameterName, 'Run this shell command, then exit (repeatable; runs in order)')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Start the built-in simulated server on a free loopback port and connect to it')
            [CompletionResult]::new('--no-gps', '--no-gps', [CompletionResultType]::ParameterName, 'With --demo: a server with no GPS, every network in range from the start (by default the demo drives a loop with a GPS)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'After the commands, print frames of the enabled protocols until stopped. After networks, clients or stations as the last command: a line per device new or changed since printed, looked for every 0.5 s (its last_seen time alone moving is no change)')
            [CompletionResult]::new('--reconnect', '--reconnect', [CompletionResultType]::ParameterName, 'With --follow: reconnect (and re-enable) when the connection drops')
            [CompletionResult]::new('--lossless', '--lossless', [CompletionResultType]::ParameterName, 'Batch runs: when the output falls behind, wait for it instead of dropping frames. The server''s socket fills and TCP slows it down; a legacy server then queues up to 5,000 lines and drops beyond that, on its side, uncounted. (--replay always waits.)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Batch runs: print no acknowledgements or notices (`ok (0.4 ms)`, a changed filter), only results and frames; errors still go to stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Batch runs: print no acknowledgements or notices (`ok (0.4 ms)`, a changed filter), only results and frames; errors still go to stderr')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Run every command even after one fails (exit status 1 if any failed; without it, the first failure stops the run)')
            [CompletionResult]::new('--track', '--track', [CompletionResultType]::ParameterName, 'Start the live model of networks and clients at once (networks, clients and watch start it on first use)')
            [CompletionResult]::new('--timestamps', '--timestamps', [CompletionResultType]::ParameterName, 'Start each frame line with its receive time (HH:MM:SS.mmm); JSON frames get "time"')
            [CompletionResult]::new('--raw-values', '--raw-values', [CompletionResultType]::ParameterName, 'Show fields as the server sends them (cipher sets as numbers, times as epoch seconds)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --record: overwrite FILE if it exists')
            [CompletionResult]::new('--append', '--append', [CompletionResultType]::ParameterName, 'With --record: add to the end of FILE if it exists')
            [CompletionResult]::new('--no-reconnect', '--no-reconnect', [CompletionResultType]::ParameterName, 'Interactive shell: do not reconnect when the connection drops')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Interactive shell: print long output instead of showing it through $PAGER')
            [CompletionResult]::new('--export-best', '--export-best', [CompletionResultType]::ParameterName, 'With --export: a WiGLE CSV row per device at its best position, not one per sighting')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('sim', 'sim', [CompletionResultType]::ParameterValue, 'Run the simulated Kismet server, or with --replay a recording, in the foreground (Ctrl-C stops it)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script for kismet-shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kismet-shell;sim' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the simulated world (same seed, same world)')
            [CompletionResult]::new('--packet-rate', '--packet-rate', [CompletionResultType]::ParameterName, 'PACKET frames per second (0: none)')
            [CompletionResult]::new('--route', '--route', [CompletionResultType]::ParameterName, 'Drive this GPX track (its first track, or route) instead of the built-in 1.4 km loop')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Stand at LAT,LON instead of driving: a fixed sensor hearing the devices placed beside the route from there')
            [CompletionResult]::new('--alert-every', '--alert-every', [CompletionResultType]::ParameterName, 'Raise an alert every SECS seconds of the server''s clock (besides --alerts)')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Connections served at once; more are accepted and closed, like a real server')
            [CompletionResult]::new('--tick-ms', '--tick-ms', [CompletionResultType]::ParameterName, 'Milliseconds per tick (TIME/INFO/SOURCE updates), also one second of the server clock')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Serve this recording (made with --record) instead of the simulated world')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'With --replay: play the recording X times as fast (0.5 is half speed); max: as fast as it can be read')
            [CompletionResult]::new('--gps', '--gps', [CompletionResultType]::ParameterName, 'Simulate a GPS driving a route at 10 m/s: GPS lines, devices heard by distance, positions on every device (the default)')
            [CompletionResult]::new('--no-gps', '--no-gps', [CompletionResultType]::ParameterName, 'A server with no GPS: ENABLE GPS is ACKed and no GPS line ever comes; every device is heard all the time')
            [CompletionResult]::new('--alerts', '--alerts', [CompletionResultType]::ParameterName, 'Raise alerts (ALERT lines) now and then')
            [CompletionResult]::new('--common', '--common', [CompletionResultType]::ParameterName, 'Send COMMON and TRACKINFO lines (the recorded real server sent none)')
            [CompletionResult]::new('--flood', '--flood', [CompletionResultType]::ParameterName, 'Send CLIENT lines (all fields) as fast as each client reads them, for load tests')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'With --replay: start the recording over at its end instead of terminating')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kismet-shell;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kismet-shell;help' {
            [CompletionResult]::new('sim', 'sim', [CompletionResultType]::ParameterValue, 'Run the simulated Kismet server, or with --replay a recording, in the foreground (Ctrl-C stops it)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script for kismet-shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kismet-shell;help;sim' {
            break
        }
        'kismet-shell;help;completions' {
            break
        }
        'kismet-shell;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
