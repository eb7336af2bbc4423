//! The checked-in completion scripts are what the binary generates now.

use clap_complete::{Generator, Shell};

use kismet_shell::cli::completion_command;

const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

fn dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions")
}

/// Each file in completions/ equals a fresh generation; the failure says how
/// to regenerate.
#[test]
fn completions_are_fresh() {
    for shell in SHELLS {
        let mut fresh = Vec::new();
        clap_complete::generate(shell, &mut completion_command(), "kismet-shell", &mut fresh);
        let path = dir().join(shell.file_name("kismet-shell"));
        if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let saved = std::fs::read(&path).unwrap_or_default();
        assert!(
            saved == fresh,
            "{} is out of date with the CLI; regenerate all with:\n  \
             UPDATE_COMPLETIONS=1 cargo test --test tests completions",
            path.display()
        );
    }
}

/// The bash script is valid bash. Without bash the test fails: a check
/// that cannot run has not passed.
#[test]
fn bash_completion_parses() {
    let path = dir().join(Shell::Bash.file_name("kismet-shell"));
    let o = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash to check {}: {e}", path.display()));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// In bash, `-c` completes the shell's command names, not file names.
#[test]
fn bash_completes_shell_commands_after_dash_c() {
    let script =
        std::fs::read_to_string(dir().join(Shell::Bash.file_name("kismet-shell"))).unwrap();
    let case = script
        .split("                -c)\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .expect("a -c case");
    assert!(
        case.contains("compgen -W \"protocols fields enable"),
        "{case}"
    );
}
