
use builtin;
use str;

set edit:completion:arg-completer[kismet-shell] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kismet-shell'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kismet-shell'= {
            cand --replay 'Serve a recording (made with --record) on a free loopback port and connect to it'
            cand --speed 'With --replay: play the recording X times as fast (0.5 is half speed); max: as fast as it can be read'
            cand --seed 'Seed of the simulated world with --demo'
            cand --route 'With --demo: drive this GPX track instead of the built-in loop'
            cand --alert-every 'With --demo: the simulated server raises an alert every SECS seconds (DEAUTHFLOOD, APSPOOF, CHANCHANGE...)'
            cand --on-alert 'Run CMD (with sh -c) for each new alert: the alert as a JSON object on its stdin, and in KISMET_ALERT_TYPE, _BSSID, _SOURCE, _DEST, _CHANNEL, _TEXT and _TIME. In the shell, with --follow, or alone with --timeout SECS (runs without a shell). A run longer than 60 s is killed; a failure is reported'
            cand --on-alert-jobs 'With --on-alert: most commands running at once (further alerts wait, up to 100; beyond that they are dropped and counted)'
            cand --count 'With --follow: stop after N frames (N device lines after networks, clients or stations)'
            cand --timeout 'With --follow: stop after SECS seconds. With --export and no commands: collect for SECS seconds without a shell, write the files and exit'
            cand --wait 'Batch runs: start the live model of networks and clients and let it collect for SECS before the first command (a server sends some records only after a while; a replay plays meanwhile)'
            cand --format 'Output format'
            cand --reply-timeout 'Seconds to wait for each command''s reply'
            cand --connect-timeout 'Seconds to wait for the TCP connection and the handshake'
            cand --record 'Record every line received and sent, with its time, to FILE (gzip if it ends in .gz)'
            cand --export 'Write what the live model holds to FILE (repeatable), every --export-every seconds and at exit (Ctrl-C too): the format from the extension: .csv WiGLE CSV, .kml, .geojson, .gpx, .netxml. Without commands, with --timeout or --replay, collects without a shell and exits'
            cand --db 'Keep what the session sees in the SQLite database FILE (created if need be; several sessions go into one file): devices, every sighting, the GPS, alerts and messages. Without commands, with --timeout or --replay, collects without a shell and exits'
            cand --open 'Open a session database (made with --db) with no server: networks, clients, export, sessions and sql work on what it holds'
            cand --export-format 'The format of every --export file, whatever its extension'
            cand --export-every 'Seconds between the writes of the --export files'
            cand --export-what 'With --export: the devices written'
            cand --history 'History file of the interactive shell [default: $XDG_STATE_HOME/kismet-shell/history]'
            cand -c 'Run this shell command, then exit (repeatable; runs in order)'
            cand --command 'Run this shell command, then exit (repeatable; runs in order)'
            cand --demo 'Start the built-in simulated server on a free loopback port and connect to it'
            cand --no-gps 'With --demo: a server with no GPS, every network in range from the start (by default the demo drives a loop with a GPS)'
            cand --follow 'After the commands, print frames of the enabled protocols until stopped. After networks, clients or stations as the last command: a line per device new or changed since printed, looked for every 0.5 s (its last_seen time alone moving is no change)'
            cand --reconnect 'With --follow: reconnect (and re-enable) when the connection drops'
            cand --lossless 'Batch runs: when the output falls behind, wait for it instead of dropping frames. The server''s socket fills and TCP slows it down; a legacy server then queues up to 5,000 lines and drops beyond that, on its side, uncounted. (--replay always waits.)'
            cand -q 'Batch runs: print no acknowledgements or notices (`ok (0.4 ms)`, a changed filter), only results and frames; errors still go to stderr'
            cand --quiet 'Batch runs: print no acknowledgements or notices (`ok (0.4 ms)`, a changed filter), only results and frames; errors still go to stderr'
            cand --keep-going 'Run every command even after one fails (exit status 1 if any failed; without it, the first failure stops the run)'
            cand --track 'Start the live model of networks and clients at once (networks, clients and watch start it on first use)'
            cand --timestamps 'Start each frame line with its receive time (HH:MM:SS.mmm); JSON frames get "time"'
            cand --raw-values 'Show fields as the server sends them (cipher sets as numbers, times as epoch seconds)'
            cand --force 'With --record: overwrite FILE if it exists'
            cand --append 'With --record: add to the end of FILE if it exists'
            cand --no-reconnect 'Interactive shell: do not reconnect when the connection drops'
            cand --no-pager 'Interactive shell: print long output instead of showing it through $PAGER'
            cand --export-best 'With --export: a WiGLE CSV row per device at its best position, not one per sighting'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand sim 'Run the simulated Kismet server, or with --replay a recording, in the foreground (Ctrl-C stops it)'
            cand completions 'Print a shell completion script for kismet-shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kismet-shell;sim'= {
            cand --listen 'Address to listen on'
            cand --seed 'Seed of the simulated world (same seed, same world)'
            cand --packet-rate 'PACKET frames per second (0: none)'
            cand --route 'Drive this GPX track (its first track, or route) instead of the built-in 1.4 km loop'
            cand --at 'Stand at LAT,LON instead of driving: a fixed sensor hearing the devices placed beside the route from there'
            cand --alert-every 'Raise an alert every SECS seconds of the server''s clock (besides --alerts)'
            cand --max-clients 'Connections served at once; more are accepted and closed, like a real server'
            cand --tick-ms 'Milliseconds per tick (TIME/INFO/SOURCE updates), also one second of the server clock'
            cand --replay 'Serve this recording (made with --record) instead of the simulated world'
            cand --speed 'With --replay: play the recording X times as fast (0.5 is half speed); max: as fast as it can be read'
            cand --gps 'Simulate a GPS driving a route at 10 m/s: GPS lines, devices heard by distance, positions on every device (the default)'
            cand --no-gps 'A server with no GPS: ENABLE GPS is ACKed and no GPS line ever comes; every device is heard all the time'
            cand --alerts 'Raise alerts (ALERT lines) now and then'
            cand --common 'Send COMMON and TRACKINFO lines (the recorded real server sent none)'
            cand --flood 'Send CLIENT lines (all fields) as fast as each client reads them, for load tests'
            cand --loop 'With --replay: start the recording over at its end instead of terminating'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kismet-shell;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kismet-shell;help'= {
            cand sim 'Run the simulated Kismet server, or with --replay a recording, in the foreground (Ctrl-C stops it)'
            cand completions 'Print a shell completion script for kismet-shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kismet-shell;help;sim'= {
        }
        &'kismet-shell;help;completions'= {
        }
        &'kismet-shell;help;help'= {
        }
    ]
    $completions[$command]
}
