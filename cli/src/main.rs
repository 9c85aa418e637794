//! `hh`: the Hold Hunter command-line client. See `hh --help`.

fn main() {
    std::process::exit(holdhunter_cli::main_exit_code());
}
