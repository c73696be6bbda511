//! Prints the plan extracted from a document: `cargo run -p kehoach-plan --example parse -- FILE [--summary]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse FILE [--summary]");
        std::process::exit(2);
    };
    let summary = args.next().as_deref() == Some("--summary");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match kehoach_plan::parse(&bytes, &path) {
        Ok(plan) if summary => print!("{}", kehoach_plan::summary(&plan)),
        Ok(plan) => println!(
            "{}",
            serde_json::to_string_pretty(&plan).expect("plan serialises")
        ),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
