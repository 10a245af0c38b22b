//! Writes the TargetGroupBinding CRD manifest generated from the Rust types.
//!
//! ```text
//! lbgate-crdgen             write manifests/crds/elbv2.k8s.aws_targetgroupbindings.yaml
//! lbgate-crdgen --stdout    print the manifest instead
//! lbgate-crdgen --check     exit 1 if the committed manifest differs from the types
//! lbgate-crdgen --output P  use P instead of the committed manifest's path
//! ```
#![expect(
    clippy::print_stderr,
    reason = "a command-line tool reports to its user on stderr"
)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use lbgate_api::crd::{REGENERATE_COMMAND, crd_yaml, first_difference, manifest_path};

enum Mode {
    Write,
    Stdout,
    Check,
}

struct Args {
    mode: Mode,
    path: PathBuf,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        mode: Mode::Write,
        path: manifest_path(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--stdout" => parsed.mode = Mode::Stdout,
            "--check" => parsed.mode = Mode::Check,
            "--output" => {
                parsed.path = args.next().ok_or("--output needs a path")?.into();
            }
            "-h" | "--help" => {
                return Err("usage: lbgate-crdgen [--stdout | --check] [--output PATH]".into());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(parsed)
}

fn run(args: Args) -> Result<ExitCode, String> {
    let generated = crd_yaml().map_err(|err| format!("cannot generate the CRD: {err}"))?;
    let path = args.path.display().to_string();
    match args.mode {
        Mode::Stdout => {
            std::io::stdout()
                .write_all(generated.as_bytes())
                .map_err(|err| format!("cannot write to stdout: {err}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Write => {
            std::fs::write(&args.path, &generated)
                .map_err(|err| format!("cannot write {path}: {err}"))?;
            eprintln!("wrote {path}");
            Ok(ExitCode::SUCCESS)
        }
        Mode::Check => {
            let committed = match std::fs::read_to_string(&args.path) {
                Ok(committed) => committed,
                Err(err) => {
                    // A missing manifest is drift too, so it fails the check like a stale one.
                    eprintln!("cannot read {path}: {err}\nrun `{REGENERATE_COMMAND}`");
                    return Ok(ExitCode::FAILURE);
                }
            };
            match first_difference(&generated, &committed) {
                None => {
                    eprintln!("{path} is up to date");
                    Ok(ExitCode::SUCCESS)
                }
                Some(diff) => {
                    eprintln!(
                        "{path} differs from the CRD generated from the Rust types \
                         (expected = generated, actual = committed):\n{diff}\n\
                         run `{REGENERATE_COMMAND}` and commit the result"
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)).and_then(run) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("lbgate-crdgen: {message}");
            ExitCode::from(2)
        }
    }
}
