//! The `vigie` command: one binary for every job, each a subcommand.

mod busfile;
mod centre;
mod console;
mod coverage;
mod cut;
mod decode;
mod eval;
mod exercise;
mod feeds;
mod journal;
mod judge;
mod library;
mod live;
mod node;
mod pipeline;
mod record;
mod review;
mod sim;
mod site;
mod suite;
mod track;

use clap::{Parser, Subcommand};

/// vigie: air surveillance and air-defence C2, with its training simulator.
///
/// vigie plans radar coverage, ingests radar and ADS-B feeds, fuses them into one recognised
/// air picture, identifies tracks and raises alerts, and trains crews. It is decision support
/// and training only: it never cues or guides a weapon.
#[derive(Debug, Parser)]
#[command(name = "vigie", version, propagate_version = true)]
struct Cli {
    /// More log output (-v: debug, -vv: trace). RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Demo(live::DemoArgs),
    Serve(live::ServeArgs),
    User(live::UserArgs),
    Coverage(coverage::CoverageArgs),
    Decode(decode::DecodeArgs),
    Record(record::RecordArgs),
    Replay(record::ReplayArgs),
    Review(review::ReviewArgs),
    Sim(sim::SimArgs),
    Ingest(site::IngestArgs),
    Track(track::TrackArgs),
    Eval(eval::EvalArgs),
    Suite(suite::SuiteArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Demo(args) => live::demo(args),
        Command::Serve(args) => live::serve(args),
        Command::User(args) => live::user(args),
        Command::Coverage(args) => coverage::run(args),
        Command::Decode(args) => decode::run(args),
        Command::Record(args) => record::record(args),
        Command::Replay(args) => record::replay(args),
        Command::Review(args) => review::run(args),
        Command::Sim(args) => sim::run(args),
        Command::Ingest(args) => site::run(args),
        Command::Track(args) => track::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Suite(args) => suite::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // `vigie decode ... | head`: the reader has had enough, which is no error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
