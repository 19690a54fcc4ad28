use std::process::ExitCode;

fn main() -> ExitCode {
    native_runner::cli::main()
}
