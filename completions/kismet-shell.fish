# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kismet_shell_global_optspecs
    string join \n demo replay= speed= seed= no-gps route= alert-every= on-alert= on-alert-jobs= follow count= timeout= reconnect lossless wait= q/quiet keep-going format= reply-timeout= connect-timeout= track timestamps raw-values record= force append no-reconnect no-pager export= db= open= export-format= export-every= export-best export-what= history= c/command= h/help V/version
end

function __fish_kismet_shell_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kismet_shell_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kismet_shell_using_subcommand
    set -l cmd (__fish_kismet_shell_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l replay -d 'Serve a recording (made with --record) on a free loopback port and connect to it' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l speed -d 'With --replay: play the recording X times as fast (0.5 is half speed); max: as fast as it can be read' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l seed -d 'Seed of the simulated world with --demo' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l route -d 'With --demo: drive this GPX track instead of the built-in loop' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l alert-every -d 'With --demo: the simulated server raises an alert every SECS seconds (DEAUTHFLOOD, APSPOOF, CHANCHANGE...)' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l on-alert -d 'Run CMD (with sh -c) for each new alert: the alert as a JSON object on its stdin, and in KISMET_ALERT_TYPE, _BSSID, _SOURCE, _DEST, _CHANNEL, _TEXT and _TIME. In the shell, with --follow, or alone with --timeout SECS (runs without a shell). A run longer than 60 s is killed; a failure is reported' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l on-alert-jobs -d 'With --on-alert: most commands running at once (further alerts wait, up to 100; beyond that they are dropped and counted)' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l count -d 'With --follow: stop after N frames (N device lines after networks, clients or stations)' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l timeout -d 'With --follow: stop after SECS seconds. With --export and no commands: collect for SECS seconds without a shell, write the files and exit' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l wait -d 'Batch runs: start the live model of networks and clients and let it collect for SECS before the first command (a server sends some records only after a while; a replay plays meanwhile)' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l format -d 'Output format' -r -f -a "text\t'One frame per line, tables for listings'
json\t'One JSON object per line'
raw\t'The server\'s lines byte for byte'
csv\t'Tables as CSV with a header row (frames too: a header row before the first frame of each field list)'"
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l reply-timeout -d 'Seconds to wait for each command\'s reply' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l connect-timeout -d 'Seconds to wait for the TCP connection and the handshake' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l record -d 'Record every line received and sent, with its time, to FILE (gzip if it ends in .gz)' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l export -d 'Write what the live model holds to FILE (repeatable), every --export-every seconds and at exit (Ctrl-C too): the format from the extension: .csv WiGLE CSV, .kml, .geojson, .gpx, .netxml. Without commands, with --timeout or --replay, collects without a shell and exits' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l db -d 'Keep what the session sees in the SQLite database FILE (created if need be; several sessions go into one file): devices, every sighting, the GPS, alerts and messages. Without commands, with --timeout or --replay, collects without a shell and exits' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l open -d 'Open a session database (made with --db) with no server: networks, clients, export, sessions and sql work on what it holds' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l export-format -d 'The format of every --export file, whatever its extension' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l export-every -d 'Seconds between the writes of the --export files' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l export-what -d 'With --export: the devices written' -r
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l history -d 'History file of the interactive shell [default: $XDG_STATE_HOME/kismet-shell/history]' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -s c -l command -d 'Run this shell command, then exit (repeatable; runs in order)' -r -f -a "protocols\t''
fields\t''
enable\t''
remove\t''
status\t''
pause\t''
resume\t''
networks\t''
clients\t''
network\t''
stations\t''
gps\t''
servers\t''
sources\t''
alerts\t''
channels\t''
lock\t''
hop\t''
addsource\t''
delsource\t''
export\t''
db\t''
sessions\t''
sql\t''
watch\t''
filter\t''
only\t''
set\t''
connect\t''
use\t''
on\t''
reconnect\t''
disconnect\t''
clear\t''
help\t''
quit\t''"
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l demo -d 'Start the built-in simulated server on a free loopback port and connect to it'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l no-gps -d 'With --demo: a server with no GPS, every network in range from the start (by default the demo drives a loop with a GPS)'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l follow -d 'After the commands, print frames of the enabled protocols until stopped. After networks, clients or stations as the last command: a line per device new or changed since printed, looked for every 0.5 s (its last_seen time alone moving is no change)'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l reconnect -d 'With --follow: reconnect (and re-enable) when the connection drops'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l lossless -d 'Batch runs: when the output falls behind, wait for it instead of dropping frames. The server\'s socket fills and TCP slows it down; a legacy server then queues up to 5,000 lines and drops beyond that, on its side, uncounted. (--replay always waits.)'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -s q -l quiet -d 'Batch runs: print no acknowledgements or notices (`ok (0.4 ms)`, a changed filter), only results and frames; errors still go to stderr'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l keep-going -d 'Run every command even after one fails (exit status 1 if any failed; without it, the first failure stops the run)'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l track -d 'Start the live model of networks and clients at once (networks, clients and watch start it on first use)'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l timestamps -d 'Start each frame line with its receive time (HH:MM:SS.mmm); JSON frames get "time"'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l raw-values -d 'Show fields as the server sends them (cipher sets as numbers, times as epoch seconds)'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l force -d 'With --record: overwrite FILE if it exists'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l append -d 'With --record: add to the end of FILE if it exists'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l no-reconnect -d 'Interactive shell: do not reconnect when the connection drops'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l no-pager -d 'Interactive shell: print long output instead of showing it through $PAGER'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -l export-best -d 'With --export: a WiGLE CSV row per device at its best position, not one per sighting'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -s V -l version -d 'Print version'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -a "sim" -d 'Run the simulated Kismet server, or with --replay a recording, in the foreground (Ctrl-C stops it)'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -a "completions" -d 'Print a shell completion script for kismet-shell'
complete -c kismet-shell -n "__fish_kismet_shell_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l listen -d 'Address to listen on' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l seed -d 'Seed of the simulated world (same seed, same world)' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l packet-rate -d 'PACKET frames per second (0: none)' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l route -d 'Drive this GPX track (its first track, or route) instead of the built-in 1.4 km loop' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l at -d 'Stand at LAT,LON instead of driving: a fixed sensor hearing the devices placed beside the route from there' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l alert-every -d 'Raise an alert every SECS seconds of the server\'s clock (besides --alerts)' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l max-clients -d 'Connections served at once; more are accepted and closed, like a real server' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l tick-ms -d 'Milliseconds per tick (TIME/INFO/SOURCE updates), also one second of the server clock' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l replay -d 'Serve this recording (made with --record) instead of the simulated world' -r -F
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l speed -d 'With --replay: play the recording X times as fast (0.5 is half speed); max: as fast as it can be read' -r
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l gps -d 'Simulate a GPS driving a route at 10 m/s: GPS lines, devices heard by distance, positions on every device (the default)'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l no-gps -d 'A server with no GPS: ENABLE GPS is ACKed and no GPS line ever comes; every device is heard all the time'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l alerts -d 'Raise alerts (ALERT lines) now and then'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l common -d 'Send COMMON and TRACKINFO lines (the recorded real server sent none)'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l flood -d 'Send CLIENT lines (all fields) as fast as each client reads them, for load tests'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -l loop -d 'With --replay: start the recording over at its end instead of terminating'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand sim" -s h -l help -d 'Print help'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand help; and not __fish_seen_subcommand_from sim completions help" -f -a "sim" -d 'Run the simulated Kismet server, or with --replay a recording, in the foreground (Ctrl-C stops it)'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand help; and not __fish_seen_subcommand_from sim completions help" -f -a "completions" -d 'Print a shell completion script for kismet-shell'
complete -c kismet-shell -n "__fish_kismet_shell_using_subcommand help; and not __fish_seen_subcommand_from sim completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
